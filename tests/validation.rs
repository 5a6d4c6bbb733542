//! Every kind of bad input gets a message naming the file, the line or record and the fix,
//! exit code 2, and no panic. Each case breaks a copy of the tiny fixture in one way.

use crate::common;
use common::*;

/// Breaks a copy of the fixture with `edit`, runs `validate`, and checks exit code 2 and that
/// stderr contains every expected fragment.
fn rejects(file: &str, from: &str, to: &str, expect: &[&str]) {
    let dir = copy_fixture(&tiny());
    edit(&dir.path().join(file), from, to);
    let out = onehour()
        .arg("validate")
        .arg("--network")
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2 for {file}: {from} -> {to}\n{err}"
    );
    for e in expect {
        assert!(
            err.contains(e),
            "message for {file} ({from} -> {to}) lacks {e:?}:\n{err}"
        );
    }
    assert!(err.contains("fix:"), "no fix in:\n{err}");
}

#[test]
fn the_fixture_itself_is_valid() {
    let stdout = run_ok(onehour().arg("validate").arg("--network").arg(tiny()));
    assert!(String::from_utf8_lossy(&stdout).contains("valid"));
}

#[test]
fn toml_syntax_error_names_file_and_line() {
    rejects(
        "services.toml",
        "headway_min = 6",
        "headway_min = = 6",
        &["services.toml:6", "invalid services file"],
    );
}

#[test]
fn csv_syntax_error_names_file_and_line() {
    rejects(
        "stations.csv",
        "sb,Beta,乙站,Testcity,Middle,113.15,23.1,2,test fixture",
        "sb,Beta,乙站,Testcity",
        &["stations.csv:3", "CSV syntax error"],
    );
}

#[test]
fn missing_column() {
    rejects(
        "centres.csv",
        ",in_area,",
        ",inarea,",
        &["centres.csv:1", "missing column(s) in_area"],
    );
}

#[test]
fn not_a_number() {
    rejects(
        "stations.csv",
        "113.15,23.1,2",
        "113.15,abc,2",
        &[
            "stations.csv:3",
            "record sb",
            "column lat: 'abc' is not a number",
        ],
    );
}

#[test]
fn unknown_station_in_service() {
    rejects(
        "services.toml",
        "{ at = \"sb\", run_min = 10 }",
        "{ at = \"sx\", run_min = 10 }",
        &[
            "services.toml:",
            "service m1, stop 2 (sx)",
            "unknown station 'sx'",
        ],
    );
}

#[test]
fn duplicate_id() {
    rejects(
        "centres.csv",
        "cz,North Centre",
        "sa,North Centre",
        &["centres.csv:4", "duplicate id 'sa'", "stations.csv:2"],
    );
}

#[test]
fn coordinate_outside_wgs84() {
    rejects(
        "stations.csv",
        "113.05,23.1",
        "213.05,23.1",
        &["stations.csv:2", "station sa", "outside WGS84"],
    );
}

#[test]
fn coordinate_outside_bbox_and_swapped() {
    rejects(
        "stations.csv",
        "113.05,23.1",
        "114.05,23.1",
        &["stations.csv:2", "outside the network's bbox"],
    );
    rejects(
        "stations.csv",
        "113.05,23.1",
        "23.1,113.05",
        &["stations.csv:2", "look swapped"],
    );
}

#[test]
fn zero_or_negative_run_time() {
    rejects(
        "services.toml",
        "{ at = \"sb\", run_min = 10 }",
        "{ at = \"sb\", run_min = 0 }",
        &["service m1, stop 2 (sb)", "run time 0 min is not positive"],
    );
    rejects(
        "services.toml",
        "{ at = \"sc\", run_min = 10 }",
        "{ at = \"sc\", run_min = -3 }",
        &["service m1, stop 3 (sc)", "not positive"],
    );
}

#[test]
fn bad_headway() {
    rejects(
        "services.toml",
        "headway_min = 6",
        "headway_min = -6",
        &["service m1", "headway_min -6"],
    );
    rejects(
        "services.toml",
        "headway_min = 6",
        "headway_min = 0",
        &["service m1", "headway_min 0"],
    );
}

#[test]
fn implausible_speed_for_the_mode() {
    // 10 km in 1 minute by metro = 614 km/h.
    rejects(
        "services.toml",
        "{ at = \"sb\", run_min = 10 }",
        "{ at = \"sb\", run_min = 1 }",
        &[
            "service m1, stop 2 (sb)",
            "implied speed 614 km/h",
            "outside 10..120 km/h for metro",
        ],
    );
    // 10 km in 300 minutes = 2 km/h.
    rejects(
        "services.toml",
        "{ at = \"sc\", run_min = 10 }",
        "{ at = \"sc\", run_min = 300 }",
        &["service m1, stop 3 (sc)", "implied speed 2 km/h"],
    );
}

/// Validates a copy of the fixture with one trip of metro line m1 from sa (departing `dep`) to
/// sb (arriving `arr`); sa and sb are 10.2 km apart, so a metro run (10..120 km/h) takes 5.1 to
/// 61.4 minutes. Returns stderr when validation fails, None when it passes.
fn trip_sa_sb(dep: &str, arr: &str) -> Option<String> {
    let dir = copy_fixture(&tiny());
    edit(
        &dir.path().join("network.toml"),
        "centres = [\"centres.csv\"]",
        "centres = [\"centres.csv\"]\ncalendars = [\"calendars.csv\"]\ntrips = [\"trips.csv\"]",
    );
    std::fs::write(
        dir.path().join("calendars.csv"),
        "id,days,start,end,added,removed,source\nc,Mon-Sun,2024-01-01,2024-12-31,,,test fixture\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("trips.csv"),
        format!(
            "service,trip,calendar,stop,arrive,depart,source\nm1,t1,c,sa,,{dep},test fixture\nm1,t1,c,sb,{arr},,\n"
        ),
    )
    .unwrap();
    let out = onehour()
        .arg("validate")
        .arg("--network")
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    match out.status.code() {
        Some(0) => None,
        Some(2) => Some(err),
        c => panic!("validate exited with {c:?}:\n{err}"),
    }
}

#[test]
fn trip_speeds_allow_a_minute_either_way_for_whole_minute_times() {
    // 62 min is slower than 10 km/h, but a run of 61 min (08:00:59 to 09:02:00) is not.
    assert_eq!(trip_sa_sb("08:00", "09:02"), None);
    // 63 min: no run within a minute of it is plausible.
    let err = trip_sa_sb("08:00", "09:03").expect("63 min for 10.2 km by metro is too slow");
    assert!(
        err.contains("trips.csv:3")
            && err.contains("trip t1")
            && err.contains("implied speed 10 km/h"),
        "{err}"
    );
    // Times with seconds are exact: 62 min is too slow.
    assert!(trip_sa_sb("08:00:30", "09:02:30").is_some());
    // 5 min is faster than 120 km/h, but 6 min is not; 4 min is too fast whatever the rounding.
    assert_eq!(trip_sa_sb("08:00", "08:05"), None);
    let err = trip_sa_sb("08:00", "08:04").expect("4 min for 10.2 km by metro is too fast");
    assert!(err.contains("implied speed 153 km/h"), "{err}");
    assert!(trip_sa_sb("08:00:10", "08:05:10").is_some());
}

#[test]
fn fewer_than_two_stops() {
    rejects(
        "services.toml",
        "  { at = \"sb\" },\n  { at = \"sd\", km = 11.1 },",
        "  { at = \"sb\" },",
        &["service b2", "has 1 stop(s)", "at least two stops"],
    );
}

#[test]
fn unknown_field_and_bad_mode() {
    rejects(
        "services.toml",
        "mode = \"metro\"",
        "mode = \"hovercraft\"",
        &["services.toml:5", "unknown variant `hovercraft`"],
    );
    rejects(
        "services.toml",
        "dwell_min = 0.5\nopened = \"2010",
        "dwell = 0.5\nopened = \"2010",
        &["services.toml", "unknown field `dwell`"],
    );
}

#[test]
fn estimate_must_be_marked() {
    rejects(
        "services.toml",
        "estimate = \"run times from km at speed_kmh\"\n",
        "",
        &["service b2", "no `estimate` note"],
    );
}

#[test]
fn road_problems() {
    rejects(
        "roads.csv",
        ",20,100,",
        ",20,400,",
        &["roads.csv:2", "road e1", "speed_kmh 400"],
    );
    rejects(
        "roads.csv",
        ",20,100,",
        ",5,100,",
        &["road e1", "shorter than the straight line"],
    );
    rejects(
        "roads.csv",
        "e1,ra,rc",
        "e1,ra,rq",
        &["road e1", "unknown road node 'rq'"],
    );
}

#[test]
fn unknown_place_in_link() {
    rejects(
        "links.csv",
        "cy,sc,5",
        "cy,sq,5",
        &["links.csv:2", "link cy - sq", "unknown place 'sq'"],
    );
}

#[test]
fn links_with_impossible_speeds_or_walks_too_long_are_errors() {
    // cx - sc are 20 km apart, cy - sc 2.4 km, sa - sb 10 km (straight line).
    let cases: [(&str, &[&str]); 5] = [
        // A 20 km walk, with minutes or timed from the distance: no walk.
        (
            "cx,sc,1,walk,far",
            &[
                "links.csv:3",
                "link cx - sc",
                "walk link over 20.3 km",
                "access link",
            ],
        ),
        (
            "cx,sc,,walk,far",
            &[
                "links.csv:3",
                "link cx - sc",
                "longer than any walk (5 km at most)",
            ],
        ),
        (
            "sa,sb,30,transfer,far",
            &["links.csv:3", "link sa - sb", "transfer link over 10.2 km"],
        ),
        // 2.4 km on foot in a minute (or two, as whole minutes are rounded).
        (
            "cy,sc,1,walk,fast",
            &[
                "links.csv:3",
                "implied speed 147 km/h",
                "more than 8 km/h",
                "walk links",
            ],
        ),
        // 20 km by taxi in 2 minutes.
        (
            "cx,sc,2,access,fast",
            &[
                "links.csv:3",
                "implied speed 608 km/h",
                "more than 120 km/h",
            ],
        ),
    ];
    for (row, expect) in cases {
        rejects(
            "links.csv",
            "cy,sc,5,access,test fixture\n",
            &format!("cy,sc,5,access,test fixture\n{row}\n"),
            expect,
        );
    }
    // A plausible walk of the same 2.4 km passes.
    let dir = copy_fixture(&tiny());
    edit(
        &dir.path().join("links.csv"),
        "cy,sc,5,access,test fixture\n",
        "cy,sc,5,access,test fixture\ncy,sc,35,walk,test fixture\n",
    );
    run_ok(onehour().arg("validate").arg("--network").arg(dir.path()));
}

#[test]
fn road_to_itself_and_run_time_on_a_first_stop_are_errors() {
    rejects(
        "roads.csv",
        "e1,ra,rc",
        "e1,ra,ra",
        &[
            "roads.csv:2",
            "road e1",
            "runs from road node 'ra' to itself",
        ],
    );
    rejects(
        "services.toml",
        "{ at = \"sa\" },",
        "{ at = \"sa\", run_min = 3 },",
        &[
            "service m1, stop 1 (sa)",
            "the first stop has run_min",
            "remove it from the first stop",
        ],
    );
}

#[test]
fn duplicate_percentiles_are_refused_by_every_command_taking_them() {
    for args in [
        &[
            "check",
            "--depart",
            "07:00-07:10",
            "--percentiles",
            "5,5",
            "--format",
            "csv",
        ][..],
        &[
            "matrix",
            "--from",
            "cx",
            "--to",
            "cy",
            "--depart",
            "07:00-07:10",
            "--percentiles",
            "25,50,25.0",
        ][..],
    ] {
        let out = onehour()
            .args(args)
            .args(["--date", "2026-11-30", "--network"])
            .arg(tiny())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("is given twice"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // Distinct ones still make one column each.
    let out = run_ok(
        onehour()
            .args([
                "check",
                "--depart",
                "07:00-07:10",
                "--percentiles",
                "5,50",
                "--format",
                "csv",
            ])
            .args(["--date", "2026-11-30", "--network"])
            .arg(tiny()),
    );
    let head = String::from_utf8(out).unwrap();
    assert!(head.lines().next().unwrap().ends_with(",p5,p50"), "{head}");
}

#[test]
fn stations_of_different_names_too_close() {
    rejects(
        "stations.csv",
        "113.25,23.1,2",
        "113.1503,23.1,2",
        &["station sc", "only", "from station sb", "different name"],
    );
}

#[test]
fn include_cycle() {
    let dir = copy_fixture(&tiny());
    std::fs::write(dir.path().join("part.toml"), "include = [\"part2.toml\"]\nservices = [\"services.toml\"]\nzones = [\"zones.csv\"]\nlinks = [\"links.csv\"]\nroad_nodes = [\"road_nodes.csv\"]\nroads = [\"roads.csv\"]\n").unwrap();
    std::fs::write(dir.path().join("part2.toml"), "include = [\"part.toml\"]\n").unwrap();
    let out = onehour()
        .arg("validate")
        .arg("--network")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("include cycle: network.toml -> part.toml -> part2.toml -> part.toml"),
        "{err}"
    );
}

#[test]
fn missing_included_file() {
    rejects(
        "part.toml",
        "zones.csv",
        "zonez.csv",
        &["part.toml", "zonez.csv"],
    );
}

#[test]
fn all_problems_are_reported_not_just_the_first() {
    let dir = copy_fixture(&tiny());
    edit(
        &dir.path().join("stations.csv"),
        "113.05,23.1",
        "213.05,23.1",
    );
    edit(
        &dir.path().join("services.toml"),
        "headway_min = 6",
        "headway_min = -6",
    );
    edit(&dir.path().join("roads.csv"), ",20,100,", ",20,400,");
    let out = onehour()
        .arg("validate")
        .arg("--network")
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("outside WGS84")
            && err.contains("headway_min -6")
            && err.contains("speed_kmh 400"),
        "{err}"
    );
    assert!(err.contains("3 errors in the input"), "{err}");
}

#[test]
fn unreachable_centre_is_a_warning_naming_it() {
    // Without its only link (and so without the links file: a listed file must hold records).
    let dir = copy_fixture(&tiny());
    edit(
        &dir.path().join("part.toml"),
        "links = [\"links.csv\"]\n",
        "",
    );
    let out = onehour()
        .arg("validate")
        .arg("--network")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning")
            && err.contains("centre cy")
            && err.contains("nothing reaches this centre"),
        "{err}"
    );
}

#[test]
fn garbage_input_never_panics() {
    // Arbitrary bytes in every file: always a clean exit 2, never a panic (exit 101).
    let junk: [&[u8]; 4] = [
        b"\xff\xfe\x00garbage",
        b"[[service]]\nid = 3\n",
        b"id,name\n\"unterminated",
        b"lon,lat\n1e999,NaN\n",
    ];
    for file in [
        "network.toml",
        "part.toml",
        "stations.csv",
        "services.toml",
        "roads.csv",
        "links.csv",
    ] {
        for j in junk {
            let dir = copy_fixture(&tiny());
            std::fs::write(dir.path().join(file), j).unwrap();
            let out = onehour()
                .arg("check")
                .arg("--network")
                .arg(dir.path())
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(2),
                "{file} with {j:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn validate_reports_connectivity_with_petgraph() {
    // Before the 2023 bus, the North Centre's station Delta is cut off from the metro.
    let out = onehour()
        .args(["validate", "--year", "2020", "--network"])
        .arg(tiny())
        .output()
        .unwrap();
    assert!(out.status.success());
    let (so, se) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        so.contains("transit graph: centres and zones in 2 connected component(s)"),
        "{so}"
    );
    assert!(
        se.contains("centre cz cannot reach 3 station(s) by transit: sa, sb, sc"),
        "{se}"
    );
    let out = onehour()
        .args(["validate", "--network"])
        .arg(tiny())
        .output()
        .unwrap();
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(
        so.contains("transit graph: centres and zones in 1 connected component(s)"),
        "{so}"
    );
}
