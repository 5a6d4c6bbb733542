//! The timetable modes on networks (issue 13): calendars, trips and bands files are read and
//! checked; `--depart` runs range RAPTOR with access and egress from the street graph; the
//! window's samples equal one-departure queries minute by minute; adding a trip never raises a
//! percentile; `compare S S` is exactly zero; scenario edits act on trips as documented.
//!
//! The network is the tiny fixture plus timetable files written here: Line 1 (sa–sb–sc, 10 min
//! a hop, 0.5 min dwell) every 6 minutes exactly from 06:00 on weekdays, and Bus 2 (sb–sd) as
//! two timetabled weekday trips at 07:10 and 07:40 (25 min).

use crate::common;
use common::*;

use std::path::Path;

use onehour::analysis::window::{compile, window_matrix, WindowOptions};
use onehour::network::load::load_network;
use onehour::network::model::{Date, Network};
use onehour::network::source::Source;

const CALENDARS: &str = "id,days,start,end,added,removed,source
wk,Mon-Fri,2026-01-01,2026-12-31,,2026-12-25,test fixture
we,Sat Sun,2026-01-01,2026-12-31,2026-12-25,,test fixture
";

const TRIPS: &str = "service,trip,calendar,stop,arrive,depart,source
b2,b2-0710,wk,sb,,07:10,test fixture
b2,b2-0710,wk,sd,07:35,,
b2,b2-0740,wk,sb,,07:40,test fixture
b2,b2-0740,wk,sd,08:05,,
";

const BANDS: &str = "service,calendar,direction,start,end,headway_min,exact,source
m1,wk,forward,06:00,23:00,6,true,test fixture
m1,wk,backward,06:00,23:00,6,true,test fixture
";

/// The tiny fixture with the timetable files above (each replaceable).
fn timetabled(cal: &str, trips: &str, bands: &str) -> tempfile::TempDir {
    let d = copy_fixture(&tiny());
    std::fs::write(d.path().join("calendars.csv"), cal).unwrap();
    std::fs::write(d.path().join("trips.csv"), trips).unwrap();
    std::fs::write(d.path().join("bands.csv"), bands).unwrap();
    edit(
        &d.path().join("network.toml"),
        "centres = [\"centres.csv\"]",
        "centres = [\"centres.csv\"]\ncalendars = [\"calendars.csv\"]\ntrips = [\"trips.csv\"]\nbands = [\"bands.csv\"]\nvalid_on = \"2026-11-30\"",
    );
    d
}

fn load(dir: &Path) -> Network {
    load_network(&Source::Disk(dir.to_path_buf()), "network.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&run_ok(onehour().args(args))).unwrap()
}

fn opts(from: u32, to: u32, draws: u32) -> WindowOptions {
    WindowOptions {
        date: Date::parse_full("2026-11-30").unwrap(),
        from,
        to,
        step: 60,
        draws,
        seed: 7,
        bound: 150 * 60,
        max_trips: 8,
    }
}

#[test]
fn files_load_and_route_uses_trips_with_clock_times() {
    let d = timetabled(CALENDARS, TRIPS, BANDS);
    let net = load(d.path());
    assert_eq!(
        (net.calendars.len(), net.trips.len(), net.bands.len()),
        (2, 2, 2)
    );
    assert_eq!(net.trips[1].stops[1].arrive, 8 * 3600 + 5 * 60);
    let p = d.path().to_str().unwrap();
    let v = json(&[
        "route",
        "cx",
        "cz",
        "--network",
        p,
        "--depart",
        "07:00",
        "--format",
        "json",
    ]);
    let legs = v["legs"].as_array().unwrap();
    let rides: Vec<(&str, &str)> = legs
        .iter()
        .filter(|l| l["kind"] == "ride")
        .map(|l| (l["depart"].as_str().unwrap(), l["arrive"].as_str().unwrap()))
        .collect();
    // Walk to Alpha (about 3.5 min) plus its 2 interchange minutes: ready 07:05:33, so the
    // 07:06 train (exact band from 06:00 every 6 min) to Beta, 07:16; 2 min to change: the
    // 07:10 bus is gone, the 07:40 one arrives at Delta at 08:05; then a short walk.
    assert_eq!(rides, vec![("07:06", "07:16"), ("07:40", "08:05")], "{v}");
    let arrive = v["arrive"].as_str().unwrap();
    assert!(("08:06".."08:08").contains(&arrive), "{arrive}");
    let m = v["minutes"].as_f64().unwrap();
    assert!((66.0..68.0).contains(&m), "{m}");
    // A Saturday: neither the weekday trips nor the weekday bands run.
    let out = onehour()
        .args(["route", "cx", "cz", "--network", p, "--depart", "07:00"])
        .args(["--date", "2026-12-05"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not reachable"));
}

#[test]
fn bad_default_hours_are_one_error_naming_the_manifest_key() {
    // Services without trips or bands run the default band: an end before the start used to
    // pass `validate` and then fail every such service in the timetable modes, worded as a
    // GTFS frequency.
    for (start, end, want) in [
        (
            "23:00",
            "06:00",
            "default_end = \"06:00\" is not after default_start = \"23:00\"",
        ),
        ("6h", "23:00", "default_start = \"6h\" is not a clock time"),
        (
            "06:00",
            "49:00",
            "default_end = \"49:00\" is not a clock time",
        ),
    ] {
        let d = timetabled(CALENDARS, TRIPS, BANDS);
        let manifest = d.path().join("network.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(
            &manifest,
            format!("{text}\n[timetable]\ndefault_start = \"{start}\"\ndefault_end = \"{end}\"\n"),
        )
        .unwrap();
        let p = d.path().to_str().unwrap();
        for args in [
            &["validate", "--network", p][..],
            &["check", "--network", p, "--depart", "07:00-07:30"][..],
        ] {
            let out = onehour().args(args).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(want), "{args:?}: want {want:?} in {err}");
            assert!(err.contains("network.toml:"), "{args:?}: {err}");
            assert!(err.contains("[timetable] default_"), "{args:?}: {err}");
            assert!(err.contains("1 error in the input"), "{args:?}: {err}");
            assert!(!err.contains("frequency"), "{args:?}: {err}");
        }
    }
}

#[test]
fn duplicate_trip_ids_name_the_first_and_problems_keep_the_trips_order() {
    // A second trips file: a trip reusing b2-0710's id, then one running backward in time.
    // The trips are checked side by side, their problems reported in the files' order.
    let d = timetabled(CALENDARS, TRIPS, BANDS);
    std::fs::write(
        d.path().join("trips2.csv"),
        "service,trip,calendar,stop,arrive,depart,source\n\
         b2,b2-0710,wk,sb,,08:10,test fixture\nb2,b2-0710,wk,sd,08:35,,\n\
         b2,b2-0910,wk,sb,,09:10,test fixture\nb2,b2-0910,wk,sd,09:00,,\n",
    )
    .unwrap();
    edit(
        &d.path().join("network.toml"),
        "trips = [\"trips.csv\"]",
        "trips = [\"trips.csv\", \"trips2.csv\"]",
    );
    let out = onehour()
        .args(["validate", "--network", d.path().to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let dup = err
        .find("trips2.csv:2: trip b2-0710: duplicate trip id (first at ")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(err[dup..].contains("trips.csv:2)"), "{err}");
    let order = err.find("trips2.csv:5").unwrap_or_else(|| panic!("{err}"));
    assert!(dup < order, "{err}");
}

#[test]
fn bad_timetable_rows_are_errors_naming_file_line_and_fix() {
    let cases: [(&str, &str, &str, &str); 10] = [
        (
            "trips",
            "b2,b2-0740,wk,sd,08:05,,",
            "b2,b2-0740,wk,sx,08:05,,",
            "not a station of service b2",
        ),
        (
            "trips",
            "b2,b2-0740,wk,sd,08:05,,",
            "b2,b2-0740,wk,sd,07:30,,",
            "before leaving",
        ),
        (
            "trips",
            "b2,b2-0740,wk,sd,08:05,,",
            "b2,b2-0740,wk,sd,07:41,,",
            "implied speed",
        ),
        (
            "calendars",
            "wk,Mon-Fri,",
            "wx,Mon-Fri,",
            "trips.csv:2: trip b2-0710: unknown calendar 'wk'",
        ),
        (
            "trips",
            "b2,b2-0740,wk,sd,08:05,,",
            "b2,b2-0740,wk,sd,8h05,,",
            "is not a clock time",
        ),
        (
            "bands",
            "m1,wk,forward,06:00,23:00,6,true",
            "m1,wk,forward,23:00,06:00,6,true",
            "is empty",
        ),
        (
            "bands",
            "m1,wk,forward,06:00,23:00,6,true",
            "m1,wk,forward,06:00,23:00,0,true",
            "outside [0.5, 1440]",
        ),
        // A band listed twice would double its departures.
        (
            "bands",
            "m1,wk,forward,06:00,23:00,6,true,test fixture\n",
            "m1,wk,forward,06:00,23:00,6,true,test fixture\nm1,wk,forward,06:00,23:00,6,true,test fixture\n",
            "bands.csv:3: band of m1 from 06:00: the same band (m1 forward, calendar wk, 06:00-23:00) is listed at ",
        ),
        // A headway that would round to 0 s: named at load, not as an empty GTFS frequency.
        (
            "bands",
            "m1,wk,forward,06:00,23:00,6,true",
            "m1,wk,forward,06:00,23:00,0.0001,true",
            "column headway_min: 0.0001 is outside [0.5, 1440], the headways a service may have",
        ),
        (
            "calendars",
            "wk,Mon-Fri,",
            "wk,Mon-Fry,",
            "not a list of weekdays",
        ),
    ];
    for (file, from, to, want) in cases {
        let d = timetabled(CALENDARS, TRIPS, BANDS);
        edit(&d.path().join(format!("{file}.csv")), from, to);
        let out = onehour()
            .args(["validate", "--network", d.path().to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{want}: {err}");
        assert!(err.contains(want), "want {want:?} in {err}");
        assert!(
            err.contains(&format!("{file}.csv:")) || want.contains(".csv:"),
            "file and line in {err}"
        );
        assert!(
            err.contains("fix:") || err.contains("(fix"),
            "a fix in {err}"
        );
    }
    // A backward band on a forward-only service.
    let d = timetabled(CALENDARS, TRIPS, BANDS);
    edit(
        &d.path().join("services.toml"),
        "id = \"m1\"",
        "id = \"m1\"\ndirections = \"forward\"",
    );
    let out = onehour()
        .args(["validate", "--network", d.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("runs forward only"));
    // A trip against its service's stop order: valid on a service running both ways (the
    // default), an error naming the trip on one running forward only.
    let validate = |forward_only: bool| {
        let d = timetabled(CALENDARS, TRIPS, BANDS);
        let trips = d.path().join("trips.csv");
        edit(&trips, "b2,b2-0740,wk,sb,,07:40", "b2,b2-0740,wk,sd,,07:40");
        edit(
            &trips,
            "b2,b2-0740,wk,sd,08:05,,",
            "b2,b2-0740,wk,sb,08:05,,",
        );
        if forward_only {
            edit(
                &d.path().join("services.toml"),
                "id = \"b2\"",
                "id = \"b2\"\ndirections = \"forward\"",
            );
        }
        onehour()
            .args(["validate", "--network", d.path().to_str().unwrap()])
            .output()
            .unwrap()
    };
    let both = validate(false);
    assert_eq!(
        both.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&both.stderr)
    );
    let fwd = validate(true);
    let err = String::from_utf8_lossy(&fwd.stderr);
    assert_eq!(fwd.status.code(), Some(2), "{err}");
    assert!(
        err.contains("trip b2-0740") && err.contains("do not follow service b2's stop order"),
        "{err}"
    );
}

#[test]
fn window_samples_equal_one_departure_queries_minute_by_minute() {
    // Inexact bands so that draws differ.
    let bands = BANDS.replace("true", "false");
    let d = timetabled(CALENDARS, TRIPS, &bands);
    let net = load(d.path());
    let t = compile(&net).unwrap();
    let places: Vec<_> = net.centres().into_iter().chain(net.zones()).collect();
    let (from, to, draws) = (7 * 3600, 7 * 3600 + 40 * 60, 3);
    let w = window_matrix(&t, &places, &places, &opts(from, to, draws)).unwrap();
    let deps = w.departures;
    assert_eq!(deps, 41);
    let mut differ = false;
    for k in 0..deps {
        let m = from + 60 * k as u32;
        let one = window_matrix(&t, &places, &places, &opts(m, m, draws)).unwrap();
        for i in 0..places.len() {
            for j in 0..places.len() {
                for dr in 0..draws as usize {
                    let win = w.samples[i][j][dr * deps + (deps - 1 - k)];
                    assert_eq!(
                        win, one.samples[i][j][dr],
                        "{i}->{j} at minute {k}, draw {dr}"
                    );
                }
                differ |= one.samples[i][j][0] != one.samples[i][j][1];
            }
        }
    }
    assert!(differ, "draws of inexact bands must differ somewhere");
}

#[test]
fn adding_a_trip_never_raises_a_percentile() {
    let bands = BANDS.replace("true", "false");
    let d = timetabled(CALENDARS, TRIPS, &bands);
    let before = load(d.path());
    let more = format!("{TRIPS}b2,b2-0725,wk,sb,,07:25,test fixture\nb2,b2-0725,wk,sd,07:48,,\n");
    let d2 = timetabled(CALENDARS, &more, &bands);
    let after = load(d2.path());
    let places: Vec<_> = before.centres().into_iter().chain(before.zones()).collect();
    let o = opts(7 * 3600, 8 * 3600, 5);
    let wb = window_matrix(&compile(&before).unwrap(), &places, &places, &o).unwrap();
    let wa = window_matrix(&compile(&after).unwrap(), &places, &places, &o).unwrap();
    let mut better = 0;
    for i in 0..places.len() {
        for j in 0..places.len() {
            for p in [5.0, 25.0, 50.0, 75.0, 95.0] {
                let (b, a) = (wb.percentile(i, j, p), wa.percentile(i, j, p));
                assert!(a <= b, "{i}->{j} p{p}: {a} > {b}");
                better += usize::from(a < b);
            }
            for (x, y) in wa.samples[i][j].iter().zip(&wb.samples[i][j]) {
                assert!(x <= y);
            }
        }
    }
    assert!(better > 0, "the 07:25 bus must help some pair");
}

#[test]
fn window_json_has_percentiles_and_shares_and_threads_agree() {
    let d = timetabled(CALENDARS, TRIPS, &BANDS.replace("true", "false"));
    let p = d.path().to_str().unwrap();
    let args = [
        "check",
        "--network",
        p,
        "--depart",
        "07:00-08:00",
        "--percentiles",
        "10,50,90",
        "--draws",
        "4",
        "--format",
        "json",
    ];
    let one = run_ok(onehour().args(args).args(["--threads", "1"]));
    let two = run_ok(onehour().args(args).args(["--threads", "2"]));
    assert_eq!(one, two, "1 and 2 threads give identical bytes");
    let v: serde_json::Value = serde_json::from_slice(&one).unwrap();
    let n = v["places"].as_array().unwrap().len();
    assert_eq!(n, 3);
    for k in ["10", "50", "90"] {
        assert_eq!(v["percentiles"][k].as_array().unwrap().len(), n);
    }
    assert_eq!(
        v["percentiles"]["50"], v["minutes"],
        "minutes are the medians"
    );
    assert_eq!(v["window"]["departures"], 61);
    assert_eq!(v["window"]["draws"], 4);
    for i in 0..n {
        for j in 0..n {
            let lo = v["percentiles"]["10"][i][j].as_f64();
            let hi = v["percentiles"]["90"][i][j].as_f64();
            if let (Some(lo), Some(hi)) = (lo, hi) {
                assert!(lo <= hi);
            }
            let share = v["share_within_limit"][i][j].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&share));
            let within = v["within_limit"][i][j].as_bool().unwrap();
            // The verdict is the median's; a pair within the limit at the median has at least
            // half its departures within it.
            assert!(!within || share >= 0.5, "{i},{j}: {share}");
        }
    }
    // The table shows the share beside the median.
    let t = String::from_utf8(run_ok(onehour().args(&args[..args.len() - 2]))).unwrap();
    assert!(t.contains("%)✓") || t.contains("%)✗"), "{t}");
    assert!(t.contains("timetables on 2026-11-30 (Monday)"), "{t}");
}

#[test]
fn compare_a_scenario_with_itself_over_a_window_is_exactly_zero() {
    for args in [
        vec!["compare", "today", "plan-2030"],
        vec!["compare", "plan-2030", "plan-2030"],
    ] {
        let v = json(
            &[
                &args[..],
                &[
                    "--depart",
                    "07:00-09:00",
                    "--draws",
                    "3",
                    "--format",
                    "json",
                ],
            ]
            .concat(),
        );
        if args[1] != args[2] {
            continue;
        }
        for row in v["delta_minutes"].as_array().unwrap() {
            for x in row.as_array().unwrap() {
                assert!(x.is_null() || x.as_f64() == Some(0.0), "{x}");
            }
        }
        assert_eq!(v["newly_within"].as_array().unwrap().len(), 0);
        assert_eq!(v["base_minutes"], v["other_minutes"]);
        assert_eq!(v["benefit"]["pop_weighted_minutes_saved"], 0.0);
    }
}

#[test]
fn scenario_edits_act_on_trips_and_bands() {
    let d = timetabled(CALENDARS, TRIPS, BANDS);
    let sc = tempfile::tempdir().unwrap();
    let w = |name: &str, body: &str| {
        std::fs::write(
            sc.path().join(format!("{name}.toml")),
            format!("name = \"{name}\"\ntitle = \"t\"\nsource = \"test\"\n{body}"),
        )
        .unwrap()
    };
    w(
        "fast",
        "[[edit]]\nop = \"scale_speed\"\nservice = \"b2\"\nfactor = 2.5\n",
    );
    w(
        "hw",
        "[[edit]]\nop = \"set_headway\"\nservice = \"m1\"\nheadway_min = 12\n",
    );
    let p = d.path().to_str().unwrap();
    let s = sc.path().to_str().unwrap();
    let route = |scenario: &str| {
        json(&[
            "route",
            "cx",
            "cz",
            "--network",
            p,
            "--scenarios",
            s,
            "--scenario",
            scenario,
            "--depart",
            "07:00",
            "--format",
            "json",
        ])
    };
    // The bus runs 25 / 2.5 = 10 minutes: the 07:40 arrives at 07:50.
    let v = route("fast");
    let bus = v["legs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["service"].as_str().unwrap_or("").contains("b2-0740"))
        .cloned()
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(
        (bus["depart"].as_str(), bus["arrive"].as_str()),
        (Some("07:40"), Some("07:50"))
    );
    // set_headway drops Line 1's bands: it runs the default band (inexact, every 12 min), so
    // its trip is no longer the exact 07:06.
    let v = route("hw");
    let first = v["legs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "ride")
        .cloned()
        .unwrap();
    assert!(
        first["service"].as_str().unwrap().contains("default"),
        "{first}"
    );
}

#[test]
fn isochrones_over_a_window_shrink_with_the_percentile() {
    let d = timetabled(CALENDARS, TRIPS, &BANDS.replace("true", "false"));
    let p = d.path().to_str().unwrap();
    let area = |pct: &str| -> Vec<f64> {
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().join("iso");
        run_ok(onehour().args([
            "isochrones",
            "--network",
            p,
            "--origins",
            "cx",
            "--depart",
            "07:00-08:00",
            "--percentiles",
            pct,
            "--thresholds",
            "20,40,60",
            "--cell",
            "200",
            "--out",
            dir.to_str().unwrap(),
        ]));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("all.geojson")).unwrap())
                .unwrap();
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["area_km2"].as_f64().unwrap())
            .collect()
    };
    let (lo, hi) = (area("5"), area("95"));
    assert_eq!(lo.len(), 3);
    for (a, b) in lo.iter().zip(&hi) {
        assert!(
            a >= b,
            "5th percentile bands are at least as large: {lo:?} {hi:?}"
        );
    }
    assert!(
        lo[2] > hi[2] || lo[1] > hi[1],
        "the draws must matter: {lo:?} {hi:?}"
    );
}
