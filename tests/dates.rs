//! Issue "today means today": the network's date, one order of date filter and scenario for
//! every command, names resolved id first, the station-to-station indicator and the
//! sensitivity report.

use crate::common;
use common::*;
use onehour::network::model::{runs_on, Date};
use std::path::Path;

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&run_ok(onehour().args(args))).unwrap()
}

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// The tiny fixture dated 2024-06-01, with a fast pattern that closed in 2020, one that opens in
/// 2025, and main stations for its centres.
fn dated() -> tempfile::TempDir {
    let dir = copy_fixture(&tiny());
    let p = dir.path();
    edit(
        &p.join("network.toml"),
        "include = [\"part.toml\"]",
        "include = [\"part.toml\"]\nvalid_on = \"2024-06-01\"\ncentre_stations = [\"centre_stations.csv\"]",
    );
    std::fs::write(
        p.join("centre_stations.csv"),
        "centre,station,source\ncx,sa,test fixture\ncy,sc,test fixture\ncz,sd,test fixture\n",
    )
    .unwrap();
    let mut s = std::fs::read_to_string(p.join("services.toml")).unwrap();
    s.push_str(
        r#"
[[service]]
id = "old-fast"
line = "Old express"
line_zh = "旧快线"
mode = "intercity"
headway_min = 6
dwell_min = 0.5
opened = "2005-01-01"
closed = "2020-12-31"
source = "test fixture"
stops = [ { at = "sa" }, { at = "sc", run_min = 8 } ]

[[service]]
id = "new-fast"
line = "New express"
line_zh = "新快线"
mode = "intercity"
headway_min = 6
dwell_min = 0.5
opened = "2025-03-01"
source = "test fixture"
stops = [ { at = "sa" }, { at = "sc", run_min = 7 } ]
"#,
    );
    std::fs::write(p.join("services.toml"), s).unwrap();
    dir
}

fn net_args<'a>(p: &'a Path, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = rest.to_vec();
    v.extend(["--network", p.to_str().unwrap()]);
    v
}

fn route_services(p: &Path, extra: &[&str]) -> Vec<String> {
    let mut a = vec!["route", "cx", "cy", "--format", "json"];
    a.extend_from_slice(extra);
    let v = json(&net_args(p, &a));
    v["legs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["service"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn partial_dates_count_conservatively() {
    // Opened "in 2023": not claimed before its last day; closed "in 2019": not after its first.
    assert!(!runs_on(Some(d("2023")), None, d("2023-06-30")));
    assert!(runs_on(Some(d("2023")), None, d("2023-12-31")));
    assert!(runs_on(Some(d("2023-05")), None, d("2023-05-31")));
    assert!(!runs_on(Some(d("2023-05")), None, d("2023-05-30")));
    assert!(runs_on(None, Some(d("2019")), d("2019-01-01")));
    assert!(!runs_on(None, Some(d("2019")), d("2019-01-02")));
    // A full closing date is the last day it ran.
    assert!(runs_on(
        Some(d("2005-01-01")),
        Some(d("2020-12-31")),
        d("2020-12-31")
    ));
    assert!(!runs_on(
        Some(d("2005-01-01")),
        Some(d("2020-12-31")),
        d("2021-01-01")
    ));
    // Dates that do not exist are not dates.
    assert!(Date::parse("2023-02-29").is_none());
    assert!(Date::parse("2024-02-29").is_some());
    assert!(Date::parse("2023-00-05").is_none());
    assert!(Date::parse_full("2023-05").is_none());
}

#[test]
fn default_date_is_the_networks_valid_on() {
    let dir = dated();
    let p = dir.path();
    // On 2024-06-01 the old express has closed and the new one has not opened.
    let today = route_services(p, &[]);
    assert!(
        today
            .iter()
            .all(|s| !s.contains("old-fast") && !s.contains("new-fast")),
        "{today:?}"
    );
    assert!(today.iter().any(|s| s.contains("(m1)")), "{today:?}");
    // Earlier days bring the old pattern back; later ones the new.
    assert!(route_services(p, &["--date", "2019-06-01"])
        .iter()
        .any(|s| s.contains("old-fast")));
    assert!(route_services(p, &["--year", "2020"])
        .iter()
        .any(|s| s.contains("old-fast")));
    assert!(route_services(p, &["--date", "2025-03-01"])
        .iter()
        .any(|s| s.contains("new-fast")));
    let v = json(&net_args(p, &["check", "--format", "json"]));
    assert_eq!(v["date"], "2024-06-01");
    let v = json(&net_args(
        p,
        &["check", "--format", "json", "--date", "2019-06-01"],
    ));
    assert_eq!(v["date"], "2019-06-01");
    let v = json(&net_args(
        p,
        &["check", "--format", "json", "--year", "2020"],
    ));
    assert_eq!(v["date"], "2020-12-31");
    assert_eq!(v["year"], 2020);
}

#[test]
fn bad_dates_are_rejected() {
    let dir = dated();
    let p = dir.path();
    for bad in [
        ["--date", "2024-02-30"],
        ["--date", "2024"],
        ["--year", "0"],
    ] {
        let out = onehour()
            .args(net_args(p, &["check", bad[0], bad[1]]))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    let out = onehour()
        .args(net_args(
            p,
            &["check", "--date", "2024-01-01", "--year", "2023"],
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    edit(
        &p.join("network.toml"),
        "valid_on = \"2024-06-01\"",
        "valid_on = \"2024-13-01\"",
    );
    let out = onehour().args(net_args(p, &["validate"])).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("network.toml") && e.contains("valid_on"), "{e}");
}

#[test]
fn a_fragment_cannot_set_network_wide_keys() {
    for key in [
        "valid_on = \"2024-01-01\"",
        "title = \"x\"",
        "[car]\nspeed_kmh = 30",
    ] {
        let dir = dated();
        let p = dir.path();
        let mut s = std::fs::read_to_string(p.join("part.toml")).unwrap();
        s = format!("{key}\n{s}");
        // Keys after a table header would belong to it: put them first, tables last.
        if key.starts_with('[') {
            s = format!(
                "{}\n{key}\n",
                std::fs::read_to_string(p.join("part.toml")).unwrap()
            );
        }
        std::fs::write(p.join("part.toml"), s).unwrap();
        let out = onehour().args(net_args(p, &["validate"])).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{key}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(
            e.contains("part.toml") && e.contains("network-wide"),
            "{key}: {e}"
        );
    }
}

/// Scenario edits apply after the date filter, for every command: a scenario's new line runs
/// whatever the date.
#[test]
fn scenarios_apply_after_the_date_filter_in_every_command() {
    let dir = dated();
    let p = dir.path().to_str().unwrap();
    let sc = tiny_scenarios();
    let sc = sc.to_str().unwrap();
    let common = ["--network", p, "--scenarios", sc, "--format", "json"];
    let run = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(common);
        json(&a)
    };
    for date in [
        ["--date", "2019-06-01"],
        ["--year", "2022"],
        ["--date", "2024-06-01"],
    ] {
        let base = run(&["check", "--scenario", "base", date[0], date[1]]);
        let express = run(&["check", "--scenario", "express", date[0], date[1]]);
        let (b, e) = (
            base["minutes"][0][1].as_f64().unwrap(),
            express["minutes"][0][1].as_f64().unwrap(),
        );
        // x1 (12 min, every 4) beats m1 (20.5 min) but not old-fast (8 min) of 2019.
        if date[1] == "2019-06-01" {
            assert!(e <= b, "{date:?}: {b} -> {e}");
        } else {
            assert!(
                e < b - 5.0,
                "{date:?}: the express opened 2028 must apply: {b} -> {e}"
            );
        }
        let c = run(&["compare", "base", "express", date[0], date[1]]);
        let delta = c["delta_minutes"][0][1].as_f64().unwrap();
        assert!(
            (delta - (e - b)).abs() < 0.11,
            "{date:?}: compare {delta} vs check {}",
            e - b
        );
    }
    // rank: the express gains on the dated network exactly as compare says.
    let r = run(&[
        "rank",
        "--base",
        "base",
        "--projects",
        "horizon",
        "--year",
        "2022",
    ]);
    let express = r
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["project"] == "express")
        .unwrap();
    let saving = express["added_alone"]["max_centre_saving_min"]
        .as_f64()
        .unwrap();
    assert!(saving > 5.0, "{express}");
    // isochrones: the express reaches farther from West Centre within 30 minutes in 2022.
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    run_ok(onehour().args([
        "isochrones",
        "--network",
        p,
        "--scenarios",
        sc,
        "--scenario",
        "base,express",
        "--origins",
        "cx",
        "--thresholds",
        "30",
        "--year",
        "2022",
        "--out",
        o,
    ]));
    let area = |sc: &str| -> f64 {
        let f = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|f| {
                let n = f.file_name().unwrap().to_string_lossy().to_string();
                n.contains(sc) && n.ends_with(".geojson")
            })
            .unwrap_or_else(|| panic!("no GeoJSON for {sc}"));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["area_km2"].as_f64().unwrap_or(0.0))
            .sum()
    };
    assert!(
        area("express") > area("base"),
        "{} vs {}",
        area("express"),
        area("base")
    );
}

#[test]
fn a_scenario_editing_what_does_not_run_yet_names_the_date() {
    let dir = dated();
    let p = dir.path().to_str().unwrap();
    let sc = tiny_scenarios();
    // faster changes m1's headway; m1 opened on 2010-01-01.
    let out = onehour()
        .args([
            "check",
            "--scenario",
            "faster",
            "--date",
            "2009-06-01",
            "--network",
            p,
            "--scenarios",
        ])
        .arg(&sc)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("m1") && e.contains("2009-06-01"), "{e}");
}

#[test]
fn an_exact_id_wins_over_names_and_names_over_candidates() {
    let dir = dated();
    let p = dir.path();
    // A zone named like the id of a station, and a centre with a station's English name.
    edit(&p.join("zones.csv"), "z1,Middle District", "z1,sa");
    edit(&p.join("centres.csv"), "cz,North Centre", "cz,Delta");
    let v = json(&net_args(
        p,
        &["matrix", "--from", "sa", "--to", "cy", "--format", "json"],
    ));
    assert_eq!(v["places"][0]["id"], "sa");
    let v = json(&net_args(
        p,
        &[
            "matrix",
            "--from",
            "Alpha",
            "--to",
            "东中心",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["places"][0]["id"], "sa");
    assert_eq!(v["to_places"][0]["id"], "cy");
    let out = onehour()
        .args(net_args(p, &["route", "delta", "cy"]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("ambiguous") && e.contains("sd (Delta") && e.contains("cz (Delta"),
        "{e}"
    );
}

#[test]
fn bundled_station_id_beats_a_zone_name() {
    // 端州区 is the zone Duanzhou; `duanzhou` is the id of 端州 station.
    run_ok(onehour().args(["route", "duanzhou", "zhaoqing"]));
}

/// Station indicator on the fixture, by hand: from Alpha the first wait is half of m1's
/// 6-min headway plus the 1-min boarding penalty (no entrance time at the first station); then
/// 10 + (0.5 dwell + 10) min to Gamma. To Delta: change at Beta (interchange 2 + half of the
/// bus's 20 min + 1) and 11.1 km at 30 km/h + 0.5 min.
#[test]
fn station_indicator_matches_hand_computed_times() {
    let dir = dated();
    let p = dir.path();
    let v = json(&net_args(
        p,
        &["check", "--indicator", "station", "--format", "json"],
    ));
    assert_eq!(v["indicator"], "station");
    let m = &v["minutes"];
    assert_eq!(m[0][1].as_f64().unwrap(), 24.5);
    assert_eq!(
        m[0][2].as_f64().unwrap(),
        3.0 + 1.0 + 10.0 + 2.0 + 10.0 + 1.0 + 22.2 + 0.5
    );
    assert_eq!(v["via"][0][1], serde_json::json!(["sa", "sc"]));
    // No access legs: East Centre's 5-min access link and the walks are not in it.
    let door = json(&net_args(p, &["check", "--format", "json"]));
    assert_eq!(door["indicator"], "door");
    assert!(door["minutes"][0][1].as_f64().unwrap() > 24.5 + 5.0);
    // A network without main stations says how to add them.
    let out = onehour()
        .args(["check", "--indicator", "station", "--network"])
        .arg(tiny())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("centre_stations"));
}

#[test]
fn main_stations_are_validated() {
    let dir = dated();
    let p = dir.path();
    std::fs::write(
        p.join("centre_stations.csv"),
        "centre,station,source\ncx,nowhere,test\nsa,sb,test\ncx,sa,\ncy,sc,x\ncy,sc,x\n",
    )
    .unwrap();
    let out = onehour().args(net_args(p, &["validate"])).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    for want in [
        "centre_stations.csv:2",
        "unknown station 'nowhere'",
        "centre_stations.csv:3",
        "not a centre",
        "centre_stations.csv:4",
        "no source",
        "centre_stations.csv:6",
        "listed twice",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
}

/// Scaling the estimated minutes up never shortens a trip, and the ×1 run is the plain matrix.
#[test]
fn sensitivity_is_monotone_and_its_middle_run_is_the_matrix() {
    for ind in ["door", "station"] {
        let v = json(&[
            "check",
            "--sensitivity",
            "--indicator",
            ind,
            "--format",
            "json",
        ]);
        let s = &v["sensitivity"];
        assert_eq!(s["factors"], serde_json::json!([0.5, 1.0, 1.5]));
        assert!(s["estimated"]["interchange"].as_u64().unwrap() > 0);
        assert_eq!(s["minutes"][1], v["minutes"], "{ind}");
        let m = |k: usize| s["minutes"][k].as_array().unwrap().clone();
        let (lo, mid, hi) = (m(0), m(1), m(2));
        let mut moved = 0;
        for i in 0..mid.len() {
            for j in 0..mid.len() {
                let g = |a: &Vec<serde_json::Value>| a[i][j].as_f64().unwrap_or(f64::INFINITY);
                assert!(g(&lo) <= g(&mid) && g(&mid) <= g(&hi), "{ind} {i},{j}");
                if g(&lo) < g(&hi) {
                    moved += 1;
                }
            }
        }
        assert!(moved > 0, "{ind}: the estimates must move some trips");
    }
}

#[test]
fn main_job_shows_both_indicators() {
    let s = String::from_utf8(run_ok(&mut onehour())).unwrap();
    assert!(s.contains("network as of 20"), "{s}");
    assert!(s.contains("timetables on 2026-11-30 (Monday)"), "{s}");
    assert!(
        s.contains("(door to door, median over the departures)")
            && s.contains("(station to station)")
            && s.contains("Static model"),
        "{s}"
    );
}
