//! Robustness of flags and outputs: numbers checked where they enter, closed pipes and full
//! disks end without a panic, `--out` never replaces what onehour did not write, files follow
//! the umask, folders of outputs appear whole.

use crate::common;
use common::*;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("onehour")
}

#[test]
fn bad_numbers_in_flags_exit_2_with_a_message() {
    let t = tiny();
    let t = t.to_str().unwrap();
    for args in [
        &["check", "--limit", "nan"][..],
        &["check", "--limit=-1"],
        &["check", "--limit", "inf"],
        &["check", "--limit", "0"],
        &["check", "--threads", "0"],
        &["check", "--threads", "100000"],
        &["check", "--year", "0"],
        &["map", "--width", "0", "--out", "x.svg"],
        &["check", "--scenarios", "/nonexistent/folder"],
    ] {
        let out = onehour()
            .args(args)
            .args(["--network", t])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(!e.contains("panicked"), "{args:?}: {e}");
        assert!(e.contains("error"), "{args:?}: {e}");
    }
}

#[test]
fn a_full_disk_is_one_line_and_exit_1() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    for args in [&["scenarios"][..], &["check"], &["validate"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(bin())
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        let e = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {e}");
        assert!(!e.contains("panicked"), "{args:?}: {e}");
        assert_eq!(e.trim().lines().count(), 1, "{args:?}: {e}");
        assert!(e.contains("No space left"), "{args:?}: {e}");
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [&["scenarios"][..], &["check"], &[]] {
        let mut child = Command::new(bin())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the program writes.
        drop(child.stdout.take());
        let status = child.wait().unwrap();
        let mut e = String::new();
        child.stderr.take().unwrap().read_to_string(&mut e).unwrap();
        assert!(!e.contains("panicked"), "{args:?}: {e}");
        assert_eq!(status.code(), Some(0), "{args:?}: {e}");
    }
}

#[test]
fn out_never_replaces_what_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let target = dir.path().join("precious.txt");
    std::fs::write(&target, "keep me").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for out in [&folder, &link] {
        let o = onehour()
            .args(["check", "--network"])
            .arg(tiny())
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", out.display());
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains("not a regular file"), "{e}");
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("onehour-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The process's umask, from /proc (Linux).
fn umask() -> Option<u32> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with("Umask:"))?;
    u32::from_str_radix(l.split_whitespace().nth(1)?, 8).ok()
}

#[test]
fn files_are_created_with_the_umask() {
    let Some(mask) = umask() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    run_ok(
        onehour()
            .args(["check", "--format", "json", "--network"])
            .arg(tiny())
            .arg("--out")
            .arg(&out),
    );
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o666 & !mask, "mode {mode:o}, umask {mask:o}");
}

#[test]
fn an_isochrone_folder_appears_whole_and_never_mixes_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("iso");
    let run = |origins: &str| {
        onehour()
            .args([
                "isochrones",
                "--thresholds",
                "30",
                "--cell",
                "500",
                "--origins",
                origins,
            ])
            .args(["--network"])
            .arg(tiny())
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    let names = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    assert!(run("cx,cy").status.success());
    let first = names();
    assert!(first.iter().any(|n| n.starts_with("cy_")), "{first:?}");
    // A second run with fewer origins replaces the folder: no stale cy_ file remains.
    assert!(run("cx").status.success());
    let second = names();
    assert!(!second.iter().any(|n| n.starts_with("cy_")), "{second:?}");
    assert!(second
        .iter()
        .any(|n| n == "all.geojson" || n == "summary.csv"));
    // A folder with someone else's file is refused and left as it was.
    let other = dir.path().join("mine");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let o = onehour()
        .args([
            "isochrones",
            "--thresholds",
            "30",
            "--cell",
            "500",
            "--origins",
            "cx",
        ])
        .arg("--network")
        .arg(tiny())
        .arg("--out")
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(&other).unwrap().collect();
    assert_eq!(left.len(), 1);
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("onehour-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn a_dimacs_header_cannot_force_a_huge_allocation() {
    let dir = tempfile::tempdir().unwrap();
    let gr = dir.path().join("g.gr");
    let ss = dir.path().join("g.ss");
    std::fs::write(&ss, "p aux sp ss 1\ns 1\n").unwrap();
    for header in ["p sp 4000000000 1\n", "p sp 3 4000000000\na 1 2 3\n"] {
        std::fs::write(&gr, header).unwrap();
        let o = onehour()
            .args(["bench-graph", "--graph"])
            .arg(&gr)
            .arg("--origins")
            .arg(&ss)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{header}");
        assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    }
    // Repeats are bounded: none is no timing, a billion would never end.
    std::fs::write(&gr, "p sp 2 1\na 1 2 3\n").unwrap();
    for (repeat, code) in [("0", 2), ("1001", 2), ("2", 0)] {
        let o = onehour()
            .args(["bench-graph", "--graph"])
            .arg(&gr)
            .arg("--origins")
            .arg(&ss)
            .args(["--repeat", repeat])
            .output()
            .unwrap();
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "--repeat {repeat}: {e}");
        if code == 2 {
            assert!(e.contains("1..=1000"), "{e}");
        }
    }
}

#[test]
fn an_out_path_that_cannot_be_written_exits_2_before_any_work() {
    // A path through a file, or under a folder that takes no file (/proc on Linux): exit 2
    // with the fix, before computing (access and isochrones check --out first), and nothing
    // left behind.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "keep me").unwrap();
    let through = file.join("sub").join("x.json");
    let fixture = root().join("tests/fixtures/points/guangzhou.csv");
    let runs: Vec<(Vec<std::ffi::OsString>, &str)> = vec![
        (
            vec!["check".into(), "--out".into(), through.clone().into()],
            "is a file, not a folder; give --out a path in a folder",
        ),
        (
            vec!["check".into(), "--out".into(), file.join("x.json").into()],
            "is a file, not a folder",
        ),
        (
            vec![
                "access".into(),
                "--opportunities".into(),
                fixture.clone().into(),
                "--out".into(),
                file.join("acc").into(),
            ],
            "is a file, not a folder",
        ),
        (
            vec![
                "isochrones".into(),
                "--origins".into(),
                "c_foshan".into(),
                "--out".into(),
                through.clone().into(),
            ],
            "is a file, not a folder",
        ),
    ];
    let proc_runs: Vec<(Vec<std::ffi::OsString>, &str)> =
        if std::path::Path::new("/proc/self").exists() {
            vec![
                (
                    vec![
                        "check".into(),
                        "--out".into(),
                        "/proc/onehour-x.json".into(),
                    ],
                    "give --out a path in a folder you can write to",
                ),
                (
                    vec![
                        "access".into(),
                        "--opportunities".into(),
                        fixture.into(),
                        "--out".into(),
                        "/proc/onehour-access".into(),
                    ],
                    "/proc takes no new file",
                ),
            ]
        } else {
            vec![]
        };
    for (args, says) in runs.into_iter().chain(proc_runs) {
        let o = onehour().args(&args).output().unwrap();
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.contains(says), "{args:?}: {e}");
        assert_eq!(e.trim().lines().count(), 1, "{args:?}: {e}");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["a-file"]);
}

#[test]
fn an_isochrone_grid_too_large_is_the_users_cell_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("iso");
    let o = onehour()
        .args([
            "isochrones",
            "--origins",
            "c_foshan",
            "--cell",
            "10",
            "--thresholds",
            "1440",
            "--access-m",
            "100000",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("use a larger --cell"), "{e}");
    assert!(!out.exists());
}

#[test]
fn a_points_matrix_too_large_to_hold_is_refused_with_how_to_split_it() {
    // 7,072 x 7,072 pairs is just over MAX_PAIRS (50 million): refused before any search,
    // with the size of the parts that fit.
    let dir = tempfile::tempdir().unwrap();
    let pts = dir.path().join("p.csv");
    let mut text = String::from("id,lon,lat\n");
    for i in 0..7072 {
        let (x, y) = (i % 100, i / 100);
        text += &format!(
            "p{i},{:.4},{:.4}\n",
            113.0 + 0.01 * x as f64,
            23.0 + 0.01 * y as f64
        );
    }
    std::fs::write(&pts, text).unwrap();
    let out = dir.path().join("m.json");
    let o = onehour()
        .args(["matrix", "--points"])
        .arg(&pts)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("50013184 pairs"), "{e}");
    assert!(e.contains("files of at most 7070 points"), "{e}");
    assert!(!out.exists());
}
