//! End-to-end tests of the `onehour` binary on the tiny fixture network.

use crate::common;
use common::*;

/// West Centre -> East Centre, worked out by hand from the fixture:
/// walk 204.8 m x 1.3 at 4.5 km/h = 213 s; board at Alpha: interchange 2 min + half headway
/// 3 min + penalty 1 min = 360 s; ride 600 s + (dwell 30 s + 600 s); alight 0; access 300 s.
const CX_CY_SECONDS: f64 = 213.0 + 360.0 + 600.0 + 630.0 + 300.0;

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&run_ok(onehour().args(args))).unwrap()
}

#[test]
fn check_table_shows_matrix_with_verdicts() {
    let out = onehour()
        .args(["check", "--network"])
        .arg(tiny())
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("West Centre"), "{s}");
    assert!(s.contains("35✓"), "{s}");
}

#[test]
fn check_json_has_the_documented_shape_and_hand_computed_time() {
    let t = tiny();
    let v = json(&[
        "check",
        "--network",
        t.to_str().unwrap(),
        "--format",
        "json",
    ]);
    for k in [
        "network",
        "scenario",
        "profile",
        "year",
        "limit_minutes",
        "places",
        "minutes",
        "within_limit",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["network"], "tiny");
    assert_eq!(v["profile"], "transit");
    let places = v["places"].as_array().unwrap();
    assert_eq!(places.len(), 3);
    for k in ["id", "name", "name_zh", "lon", "lat"] {
        assert!(places[0].get(k).is_some());
    }
    assert_eq!(places[0]["id"], "cx");
    let m = v["minutes"][0][1].as_f64().unwrap();
    assert!((m - CX_CY_SECONDS / 60.0).abs() < 0.06, "{m}");
    assert_eq!(v["minutes"][0][0].as_f64().unwrap(), 0.0);
    assert_eq!(v["within_limit"][0][1], true);
}

#[test]
fn route_legs_add_up_to_the_total() {
    let t = tiny();
    for (a, b) in [
        ("cx", "cy"),
        ("West Centre", "北中心"),
        ("cy", "cz"),
        ("cx", "z1"),
    ] {
        let v = json(&[
            "route",
            a,
            b,
            "--network",
            t.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let total = v["total_minutes"].as_f64().unwrap();
        let sum: f64 = v["legs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["minutes"].as_f64().unwrap())
            .sum();
        assert!(
            (total - sum).abs() < 1e-6,
            "{a}->{b}: total {total} legs {sum}"
        );
        for l in v["legs"].as_array().unwrap() {
            let k = l["kind"].as_str().unwrap();
            assert!(
                ["walk", "access", "wait", "ride", "transfer", "drive"].contains(&k),
                "{k}"
            );
        }
    }
    let v = json(&[
        "route",
        "cx",
        "cy",
        "--network",
        t.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!((v["total_minutes"].as_f64().unwrap() - CX_CY_SECONDS / 60.0).abs() < 1e-9);
    let kinds: Vec<&str> = v["legs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["walk", "transfer", "wait", "ride", "access"]);
    assert_eq!(v["legs"][3]["from"], "Alpha");
    assert_eq!(v["legs"][3]["to"], "Gamma");
}

#[test]
fn car_profile_drives() {
    let t = tiny();
    let v = json(&[
        "route",
        "cx",
        "cy",
        "--network",
        t.to_str().unwrap(),
        "--profile",
        "car",
        "--format",
        "json",
    ]);
    assert!(v["legs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["kind"] == "drive"));
    assert!(v["legs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["service"] == "Test Expressway"));
}

#[test]
fn one_and_many_threads_give_identical_bytes() {
    let t = tiny();
    let run = |threads: &str, cmd: &[&str]| {
        let mut args: Vec<&str> = cmd.to_vec();
        args.extend([
            "--network",
            t.to_str().unwrap(),
            "--threads",
            threads,
            "--format",
            "json",
        ]);
        onehour().args(&args).output().unwrap().stdout
    };
    for cmd in [
        &["check"][..],
        &["matrix", "--from", "cx,cy,cz,sa", "--to", "sa,sb,sc,sd,z1"][..],
    ] {
        let one = run("1", cmd);
        assert!(!one.is_empty());
        assert_eq!(one, run("2", cmd));
        assert_eq!(one, run("4", cmd));
    }
}

#[test]
fn year_filter_drops_later_services() {
    let t = tiny();
    let now = json(&[
        "check",
        "--network",
        t.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let then = json(&[
        "check",
        "--network",
        t.to_str().unwrap(),
        "--format",
        "json",
        "--year",
        "2022",
    ]);
    // The bus to Delta opened in 2023: in 2022 the North Centre is out of reach.
    assert!(now["minutes"][0][2].is_number());
    assert!(then["minutes"][0][2].is_null(), "{}", then["minutes"]);
    assert_eq!(then["year"], 2022);
}

#[test]
fn unknown_and_ambiguous_places_are_errors_with_candidates() {
    let t = tiny();
    let out = onehour()
        .args(["route", "Alpah", "cy", "--network"])
        .arg(&t)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("unknown place 'Alpah'") && e.contains("sa (Alpha"),
        "{e}"
    );
    let out = onehour()
        .args(["matrix", "--from", "cx", "--to", "nowhere", "--network"])
        .arg(&t)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn out_file_is_written_whole_or_not_at_all() {
    let t = tiny();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    onehour()
        .args(["check", "--format", "json", "--network"])
        .arg(&t)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["network"], "tiny");
    // A failing run leaves neither the target nor a temporary file behind.
    let bad = copy_fixture(&t);
    edit(
        &bad.path().join("stations.csv"),
        "113.05,23.1",
        "213.05,23.1",
    );
    let out2 = dir.path().join("bad.json");
    onehour()
        .args(["check", "--format", "json", "--network"])
        .arg(bad.path())
        .arg("--out")
        .arg(&out2)
        .assert()
        .code(2);
    assert!(!out2.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn csv_output() {
    let t = tiny();
    let out = onehour()
        .args(["check", "--format", "csv", "--network"])
        .arg(&t)
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("from,to,minutes,within_limit\n"), "{s}");
    assert_eq!(s.lines().count(), 1 + 9);
    assert!(
        s.contains("cx,cy,35.0,true") || s.contains("cx,cy,35.1,true"),
        "{s}"
    );
}

#[test]
fn help_has_examples_and_bad_flags_exit_2() {
    let out = onehour().arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Examples:"));
    onehour()
        .args(["check", "--profile", "boat"])
        .assert()
        .code(2);
    onehour()
        .args(["check", "--network", "/nonexistent/dir"])
        .assert()
        .code(2);
}

#[test]
fn every_help_example_runs() {
    // The examples at the end of `onehour --help`, each as written (their outputs in a
    // temporary folder, `path/to/network` the bundled network's folder): a planner's first
    // commands must work.
    let help = String::from_utf8(run_ok(onehour().arg("--help"))).unwrap();
    let examples: Vec<Vec<String>> = help
        .split("Examples:")
        .nth(1)
        .expect("an Examples section")
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("onehour"))
        .map(|rest| {
            let command = rest.split("  ").next().unwrap_or_default();
            command
                .split_whitespace()
                .map(|w| match w {
                    "path/to/network" => root().join("networks/guangzhou").display().to_string(),
                    w => w.to_string(),
                })
                .collect()
        })
        .collect();
    assert!(examples.len() >= 10, "{help}");
    let dir = tempfile::tempdir().unwrap();
    for args in &examples {
        let out = onehour()
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "onehour {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_zone_is_a_destination_not_an_origin() {
    // Zones are reached by one-way links only: a trip from one is refused with the nearest
    // centre or station to start from, not answered "not reachable".
    let dir = tempfile::tempdir().unwrap();
    let iso = dir.path().join("iso");
    let runs: [Vec<&std::ffi::OsStr>; 3] = [
        ["route", "Tianhe", "c_foshan"].map(AsRef::as_ref).to_vec(),
        ["matrix", "--from", "z_tianhe", "--to", "c_foshan"]
            .map(AsRef::as_ref)
            .to_vec(),
        ["isochrones", "--origins", "z_tianhe", "--out"]
            .map(AsRef::as_ref)
            .into_iter()
            .chain([iso.as_os_str()])
            .collect(),
    ];
    for args in runs {
        let out = onehour().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("z_tianhe (Tianhe 天河区)"), "{err}");
        assert!(
            err.contains("is a zone") && err.contains("e.g. the nearest: "),
            "{err}"
        );
    }
    assert!(!iso.exists());
    run_ok(onehour().args(["route", "c_guangzhou_tianhe", "Tianhe"]));
}

/// Runs a command on the tiny network and its fixture scenarios; JSON output.
fn with_scenarios(args: &[&str]) -> serde_json::Value {
    let (t, sc) = (tiny(), tiny_scenarios());
    let mut all: Vec<&str> = args.to_vec();
    all.extend([
        "--format",
        "json",
        "--network",
        t.to_str().unwrap(),
        "--scenarios",
        sc.to_str().unwrap(),
    ]);
    json(&all)
}

#[test]
fn compare_and_rank_on_fixture_scenarios() {
    let v = with_scenarios(&["compare", "base", "horizon"]);
    let d = v["delta_minutes"][0][1].as_f64().unwrap();
    assert!(d < -5.0, "the express saves time West -> East: {d}");
    let v = with_scenarios(&["rank", "--base", "base", "--projects", "horizon"]);
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["project"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"express") && names.contains(&"faster"));
}

#[test]
fn compare_with_itself_is_all_zero() {
    for s in ["base", "horizon"] {
        let v = with_scenarios(&["compare", s, s]);
        for row in v["delta_minutes"].as_array().unwrap() {
            for x in row.as_array().unwrap() {
                assert_eq!(x.as_f64(), Some(0.0));
            }
        }
        assert_eq!(v["newly_within"].as_array().unwrap().len(), 0);
        assert_eq!(v["population_base"], v["population_other"]);
    }
}
