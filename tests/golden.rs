//! The outputs of every planner-facing command on the bundled network, byte for byte, against
//! golden files in `tests/fixtures/golden/bundled/`. A change of output must be deliberate: a
//! refactoring keeps them identical; a data or model change regenerates them in its own,
//! explained commit with `ONEHOUR_BLESS=1 cargo test --release --test suite golden::`.

use crate::common;
use common::*;
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    root().join("tests/fixtures/golden/bundled")
}

fn bless() -> bool {
    std::env::var_os("ONEHOUR_BLESS").is_some()
}

/// Compares `actual` with the golden file `name` (or writes it when blessing).
fn check(name: &str, actual: &[u8], failures: &mut Vec<String>) {
    let path = golden_dir().join(name);
    if bless() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    match std::fs::read(&path) {
        Ok(want) if want == actual => {}
        Ok(want) => {
            let (w, a) = (
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(actual),
            );
            let first = w
                .lines()
                .zip(a.lines())
                .enumerate()
                .find(|(_, (x, y))| x != y)
                .map(|(i, (x, y))| format!("line {}:\n  golden: {x}\n  now:    {y}", i + 1))
                .unwrap_or_else(|| {
                    format!("lengths differ: {} vs {} bytes", want.len(), actual.len())
                });
            failures.push(format!("{name} differs from its golden file; {first}"));
        }
        Err(_) => failures.push(format!("{name}: no golden file (run with ONEHOUR_BLESS=1)")),
    }
}

/// Masks the run time printed by batch commands ("in 0.03 s"), the one varying part.
fn mask_timing(s: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(s);
    s.lines()
        .map(|l| match l.find(") in ") {
            Some(i) if l.ends_with(|c: char| c.is_ascii_graphic()) && l.contains(" s; ") => {
                let j = l[i..].find(" s; ").map(|k| i + k).unwrap_or(l.len());
                format!("{}) in <time>{}", &l[..i], &l[j..])
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

fn stdout(args: &[&str]) -> Vec<u8> {
    run_ok(onehour().args(args))
}

fn file(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn bundled_outputs_match_their_golden_files() {
    let mut failures = Vec::new();
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let ts = |p: &str| t.join(p).to_string_lossy().to_string();

    check("main.txt", &stdout(&[]), &mut failures);
    check("check.txt", &stdout(&["check"]), &mut failures);
    check(
        "check-station.json",
        &stdout(&["check", "--indicator", "station", "--format", "json"]),
        &mut failures,
    );
    check(
        "check-plan-2030.json",
        &stdout(&["check", "--scenario", "plan-2030", "--format", "json"]),
        &mut failures,
    );
    check(
        "check-2022-car.csv",
        &stdout(&[
            "check",
            "--year",
            "2022",
            "--profile",
            "car",
            "--format",
            "csv",
        ]),
        &mut failures,
    );
    check(
        "check-sensitivity.txt",
        &stdout(&["check", "--sensitivity"]),
        &mut failures,
    );
    check(
        "matrix.json",
        &stdout(&[
            "matrix",
            "--from",
            "guangzhounan,c_foshan",
            "--to",
            "foshanxi,zhaoqingdong,c_zhaoqing",
            "--format",
            "json",
        ]),
        &mut failures,
    );
    check(
        "compare.txt",
        &stdout(&["compare", "today", "plan-2030"]),
        &mut failures,
    );
    check(
        "compare.json",
        &stdout(&["compare", "today", "plan-2030", "--format", "json"]),
        &mut failures,
    );
    check(
        "rank.csv",
        &stdout(&["rank", "--projects", "plan-2030", "--format", "csv"]),
        &mut failures,
    );
    check(
        "route.txt",
        &stdout(&["route", "c_guangzhou_tianhe", "c_foshan"]),
        &mut failures,
    );
    check(
        "route.json",
        &stdout(&["route", "广州南", "c_zhaoqing", "--format", "json"]),
        &mut failures,
    );
    check("scenarios.txt", &stdout(&["scenarios"]), &mut failures);
    let iso = ts("iso");
    let out = stdout(&[
        "isochrones",
        "--origins",
        "c_foshan",
        "--scenario",
        "today,plan-2030",
        "--cell",
        "1000",
        "--thresholds",
        "30,60",
        "--out",
        &iso,
    ]);
    check(
        "isochrones.txt",
        &mask_timing(&out).replace_path(&iso),
        &mut failures,
    );
    let iso = t.join("iso");
    for f in [
        "all.geojson",
        "summary.csv",
        "c_foshan_today_transit.geojson",
    ] {
        check(&format!("isochrones-{f}"), &file(&iso, f), &mut failures);
    }
    stdout(&[
        "map",
        "--origin",
        "c_foshan",
        "--scenario",
        "today,plan-2030",
        "--cell",
        "1000",
        "--out",
        &ts("map.svg"),
    ]);
    check("map.svg", &file(t, "map.svg"), &mut failures);
    check("export.geojson", &stdout(&["export"]), &mut failures);
    check(
        "export.gr",
        &stdout(&["export", "--format", "dimacs"]),
        &mut failures,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

trait ReplacePath {
    fn replace_path(self, p: &str) -> Vec<u8>;
}

impl ReplacePath for Vec<u8> {
    /// Replaces the temporary output path printed by a command with `<out>`.
    fn replace_path(self, p: &str) -> Vec<u8> {
        String::from_utf8_lossy(&self)
            .replace(p, "<out>")
            .into_bytes()
    }
}
