//! Travel times from arbitrary points (`matrix --points`) on the bundled network: the JSON
//! shape, invariants (a horizon never lengthens a trip at any percentile; 1 and N threads
//! agree) and bad point files.

use crate::common;
use common::*;

fn points() -> std::path::PathBuf {
    root().join("tests/fixtures/points/guangzhou.csv")
}

fn matrix(extra: &[&str]) -> serde_json::Value {
    let p = points();
    let mut c = onehour();
    c.args(["matrix", "--points"])
        .arg(&p)
        .args([
            "--depart",
            "07:30-08:00",
            "--draws",
            "3",
            "--format",
            "json",
        ])
        .args(extra);
    serde_json::from_slice(&run_ok(&mut c)).unwrap()
}

fn cells(v: &serde_json::Value, key: &str) -> Vec<Vec<Option<f64>>> {
    serde_json::from_value(v[key].clone()).unwrap()
}

#[test]
fn points_matrix_has_the_place_matrix_shape() {
    let v = matrix(&[]);
    for k in [
        "network",
        "scenario",
        "limit_minutes",
        "places",
        "minutes",
        "within_limit",
        "percentiles",
        "share_within_limit",
        "window",
    ] {
        assert!(v.get(k).is_some(), "missing {k}: {v}");
    }
    let m = cells(&v, "minutes");
    assert_eq!(m.len(), 7);
    for (i, r) in m.iter().enumerate() {
        assert_eq!(r.len(), 7);
        assert_eq!(r[i], Some(0.0), "a point reaches itself at once");
    }
    // Tianhe to Baiyun airport is a metro ride (Line 3), well within two hours.
    let t = m[0][2].expect("Tianhe reaches the airport");
    assert!((30.0..90.0).contains(&t), "{t}");
    // The countryside point is 8+ km from rail: no transit at all.
    assert!(
        m[6].iter().enumerate().all(|(j, x)| j == 6 || x.is_none()),
        "{:?}",
        m[6]
    );
    let within: Vec<Vec<bool>> = serde_json::from_value(v["within_limit"].clone()).unwrap();
    for (r, w) in m.iter().zip(&within) {
        for (x, y) in r.iter().zip(w) {
            assert_eq!(*y, x.is_some_and(|x| x <= 60.0));
        }
    }
    let p5 = cells(&v["percentiles"], "5");
    let p95 = cells(&v["percentiles"], "95");
    for i in 0..7 {
        for j in 0..7 {
            if let (Some(a), Some(b)) = (p5[i][j], p95[i][j]) {
                assert!(a <= b);
            }
        }
    }
}

#[test]
fn a_horizon_never_lengthens_a_trip_between_points() {
    let now = matrix(&[]);
    let then = matrix(&["--scenario", "plan-2030"]);
    let mut faster = 0;
    for k in ["5", "50", "95"] {
        let (a, b) = (
            cells(&now["percentiles"], k),
            cells(&then["percentiles"], k),
        );
        for i in 0..7 {
            for j in 0..7 {
                match (a[i][j], b[i][j]) {
                    (Some(x), Some(y)) => {
                        assert!(y <= x + 1e-9, "p{k} {i}->{j}: {x} then {y}");
                        faster += (y < x) as usize;
                    }
                    (Some(x), None) => panic!("p{k} {i}->{j}: {x} then unreached"),
                    _ => {}
                }
            }
        }
    }
    assert!(
        faster > 0,
        "plan-2030 speeds up some trip between these points"
    );
}

#[test]
fn one_and_two_threads_agree() {
    assert_eq!(matrix(&["--threads", "1"]), matrix(&["--threads", "2"]));
}

#[test]
fn to_points_gives_a_rectangle() {
    let d = tempfile::tempdir().unwrap();
    let to = d.path().join("to.csv");
    std::fs::write(&to, "id,lon,lat\nzumiao,113.1145,23.0300\n").unwrap();
    let v = matrix(&["--to-points", to.to_str().unwrap()]);
    let m = cells(&v, "minutes");
    assert_eq!((m.len(), m[0].len()), (7, 1));
    assert_eq!(m[1][0], Some(0.0));
    assert_eq!(v["to_places"][0]["id"], "zumiao");
}

#[test]
fn bad_point_files_exit_2_naming_the_line() {
    let d = tempfile::tempdir().unwrap();
    for (body, want) in [
        ("id,lon,lat\na,113.3,23.1\nb,113.3,95\n", ":3"),
        (
            "id,lon,lat\na,113.3,23.1\na,113.2,23.1\n",
            "already used on line 2",
        ),
        ("id,x,y\na,1,2\n", "id, lon, lat"),
        ("id,lon,lat\n", "no point"),
    ] {
        let f = d.path().join("p.csv");
        std::fs::write(&f, body).unwrap();
        let out = onehour()
            .args(["matrix", "--points"])
            .arg(&f)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{body}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains("p.csv") && e.contains(want), "{body}: {e}");
    }
}

/// The Porto Alegre feeds imported into a temporary network folder (`net` in it).
fn poa_network() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    run_ok(&mut poa::import(&d.path().join("net"), false));
    d
}

/// The first `n` cells of the H3 grid, as an opportunities CSV.
fn poa_cells(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let text = std::fs::read_to_string(poa::dir().join("poa_hexgrid.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = String::new();
    out.push_str(lines.next().unwrap());
    out.push('\n');
    for l in lines.filter(|l| !l.contains(",,")).take(n) {
        out.push_str(l);
        out.push('\n');
    }
    let p = dir.join("cells.csv");
    std::fs::write(&p, out).unwrap();
    p
}

fn read_csv(p: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .zip(rec.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Porto Alegre end to end: `access` over a window equals what one computes from
/// `matrix --points` on the same points, window and percentile (cumulative counts of
/// population and jobs within each cutoff), and two scenarios give a difference.
#[test]
fn porto_alegre_access_equals_counts_from_the_points_matrix() {
    let d = poa_network();
    let net = d.path().join("net");
    let cells = poa_cells(d.path(), 150);
    let common = |c: &mut assert_cmd::Command| {
        c.arg("--network")
            .arg(&net)
            .args(["--date", "2019-05-13", "--depart", "14:00-14:20"]);
    };
    let mut m = onehour();
    m.args(["matrix", "--points"]).arg(&cells);
    common(&mut m);
    m.args(["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&run_ok(&mut m)).unwrap();
    let minutes = cells_of(&v, "minutes");
    let out = d.path().join("access");
    let mut a = onehour();
    a.args(["access", "--opportunities"])
        .arg(&cells)
        .args(["--cutoffs", "20,40", "--out"])
        .arg(&out);
    common(&mut a);
    run_ok(&mut a);
    let rows = read_csv(&out.join("access.csv"));
    let opp = read_csv(&cells);
    assert_eq!(rows.len(), minutes.len());
    let mut checked = 0;
    let mut nontrivial = 0;
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["id"], opp[i]["id"]);
        for col in ["population", "jobs"] {
            for cutoff in [20.0, 40.0] {
                // Rounded minutes at the cutoff (±0.05) cannot tell: skip such origins.
                if minutes[i]
                    .iter()
                    .any(|m| m.is_some_and(|m| (m - cutoff).abs() <= 0.05))
                {
                    continue;
                }
                let want: f64 = minutes[i]
                    .iter()
                    .zip(&opp)
                    .filter(|(m, _)| m.is_some_and(|m| m <= cutoff))
                    .map(|(_, o)| o[col].parse::<f64>().unwrap_or(0.0))
                    .sum();
                let got: f64 = row[&format!("{col}_within_{}", cutoff as u32)]
                    .parse()
                    .unwrap();
                assert!(
                    (got - want).abs() < 0.01,
                    "{} {col} {cutoff}: {got} vs {want}",
                    row["id"]
                );
                checked += 1;
                let own: f64 = opp[i][col].parse().unwrap_or(0.0);
                nontrivial += (want > own) as usize;
            }
        }
    }
    assert!(checked > 300, "{checked}");
    assert!(
        nontrivial > 100,
        "transit reaches other cells: {nontrivial}"
    );
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["origins"]["count"], 150);
    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("access.geojson")).unwrap())
            .unwrap();
    assert_eq!(g["features"].as_array().unwrap().len(), 150);
}

fn cells_of(v: &serde_json::Value, key: &str) -> Vec<Vec<Option<f64>>> {
    serde_json::from_value(v[key].clone()).unwrap()
}

/// The bundled network on its population surface: a 5 km grid, plan-2030 against today.
/// Nobody loses (a horizon only adds and speeds up lines), many gain, and the files have the
/// documented columns.
#[test]
fn guangzhou_population_surface_today_against_plan_2030() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("acc");
    run_ok(
        onehour()
            .args(["access", "--opportunities"])
            .arg(root().join("networks/guangzhou/population/districts.geojson"))
            .args([
                "--columns",
                "population",
                "--grid",
                "5000",
                "--scenario",
                "today,plan-2030",
                "--draws",
                "2",
                "--decay",
                "logistic:10",
                "--dual",
                "1000000:population",
                "--out",
            ])
            .arg(&out),
    );
    let rows = read_csv(&out.join("access.csv"));
    assert!(rows.len() > 3000, "{}", rows.len());
    let mut gain = 0;
    for r in &rows {
        let b: f64 = r["population_within_60_base"].parse().unwrap();
        let s: f64 = r["population_within_60_scenario"].parse().unwrap();
        assert!(s >= b - 0.01, "{}: {b} -> {s}", r["id"]);
        gain += (s > b + 1.0) as usize;
        assert!(r.contains_key("population_logistic_45_base"));
        assert!(r.contains_key("minutes_to_1000000_population_base"));
    }
    assert!(gain > 50, "plan-2030 raises access somewhere: {gain}");
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(s.get("difference").is_some(), "{s}");
}

#[test]
fn access_rejects_bad_requests_with_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let opp = d.path().join("o.csv");
    std::fs::write(&opp, "id,lon,lat,jobs\na,113.3,23.1,5\nb,113.31,23.1,-4\n").unwrap();
    let out = onehour()
        .args(["access", "--opportunities"])
        .arg(&opp)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("o.csv"));
    std::fs::write(&opp, "id,lon,lat,jobs\na,113.3,23.1,5\n").unwrap();
    for bad in [
        vec!["--cutoffs", "60,30"],
        vec!["--decay", "gaussian"],
        vec!["--dual", "10:people"],
        vec!["--grid", "1000", "--bbox", "114,23,113,24"],
        vec!["--scenario", "no-such-scenario"],
    ] {
        let out = onehour()
            .args(["access", "--opportunities"])
            .arg(&opp)
            .args(&bad)
            .arg("--out")
            .arg(d.path().join("x"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!d.path().join("x").exists(), "no output on error");
    }
}

/// `rank --indicator access`: projects that change transit register a gain where people live,
/// none makes anyone's access worse when added alone, and road projects register nothing
/// (transit accessibility).
#[test]
fn rank_by_access_gives_transit_projects_a_gain() {
    let v: serde_json::Value = serde_json::from_slice(&run_ok(
        onehour()
            .args(["rank", "--indicator", "access", "--opportunities"])
            .arg(root().join("networks/guangzhou/population/districts.geojson"))
            .args([
                "--grid",
                "10000",
                "--depart",
                "07:00-07:30",
                "--draws",
                "1",
                "--format",
                "json",
            ]),
    ))
    .unwrap();
    let projects = v["projects"].as_array().unwrap();
    assert!(projects.len() > 15, "{}", projects.len());
    let gain = |p: &serde_json::Value, k: &str| p[k]["weighted_mean_gain"].as_f64().unwrap();
    let positive = projects
        .iter()
        .filter(|p| gain(p, "added_alone") > 0.0)
        .count();
    assert!(positive >= 8, "{positive} projects gain: {v}");
    for p in projects {
        assert_eq!(p["added_alone"]["weight_losing"].as_f64(), Some(0.0), "{p}");
        if p["project"].as_str().unwrap().contains("expwy") {
            assert_eq!(gain(p, "added_alone"), 0.0, "{p}");
        }
    }
}

/// Porto Alegre with streets, end to end: import the feeds with the OSM extract (snap report),
/// then accessibility from every cell of the H3 grid (points walk along streets) for today and
/// a faster Trensurb: the report names the snapping, and far more cells gain than lose.
#[test]
fn porto_alegre_with_streets_access_and_a_scenario_difference() {
    let d = tempfile::tempdir().unwrap();
    let net = d.path().join("net");
    let out = poa::import(&net, true).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let acc = d.path().join("acc");
    let out = onehour()
        .args(["access", "--network"])
        .arg(&net)
        .arg("--scenarios")
        .arg(poa::dir().join("scenarios"))
        .args(["--scenario", "today,trensurb-faster", "--opportunities"])
        .arg(poa::dir().join("poa_hexgrid.csv"))
        .args([
            "--columns",
            "population,jobs",
            "--date",
            "2019-05-13",
            "--depart",
            "14:00-14:10",
            "--draws",
            "1",
            "--cutoffs",
            "30,45",
            "--out",
        ])
        .arg(&acc)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("snapped") && err.contains("within 1600 m"),
        "{err}"
    );
    let rows = read_csv(&acc.join("access.csv"));
    assert_eq!(rows.len(), 1227);
    // Faster trips also leave intermediate stations earlier, so a few journeys that caught
    // them there now miss them: losses are possible, but gains must dominate.
    let (mut gain, mut loss) = (0, 0);
    for r in &rows {
        let b: f64 = r["jobs_within_45_base"].parse().unwrap();
        let s: f64 = r["jobs_within_45_scenario"].parse().unwrap();
        gain += (s > b) as usize;
        loss += (s < b) as usize;
    }
    assert!(
        gain > 10 && gain > 5 * loss,
        "a faster Trensurb: {gain} cells gain, {loss} lose"
    );
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(acc.join("summary.json")).unwrap()).unwrap();
    assert!(
        s["run"]["access"]
            .as_str()
            .unwrap()
            .contains("OpenStreetMap"),
        "{s}"
    );
}

/// The compiled-model cache of an imported folder (`.onehour-cache/`: the loaded network and
/// the street graphs) changes no output: the first run writes it, the next reads it, and both
/// equal a run on a copy of the folder that keeps no cache (no onehour marker). A changed input
/// makes it stale (rebuilt silently: the output follows the new input); a corrupt cache is
/// rebuilt with a warning, never trusted.
#[test]
fn the_model_cache_changes_nothing_and_is_rebuilt_when_stale_or_corrupt() {
    let d = tempfile::tempdir().unwrap();
    let net = d.path().join("net");
    run_ok(&mut poa::import(&net, true));
    let cache = net.join(".onehour-cache");
    assert!(!cache.exists(), "the import writes no cache");
    let cells = poa_cells(d.path(), 40);
    let run = |dir: &std::path::Path| {
        let out = onehour()
            .args(["matrix", "--network"])
            .arg(dir)
            .arg("--points")
            .arg(&cells)
            .args(["--date", "2019-05-13", "--depart", "14:00"])
            .args(["--format", "json"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{err}");
        (out.stdout, err)
    };
    let (cold, err) = run(&net);
    assert!(!err.contains("cache"), "{err}");
    let net_cache = cache.join("network.msgpack");
    let streets_cache = cache.join("streets.osm.pbf.streets.msgpack");
    assert!(net_cache.is_file() && streets_cache.is_file());
    let (warm, err) = run(&net);
    assert_eq!(warm, cold, "the cache changed the matrix");
    assert!(!err.contains("cache"), "{err}");
    // The same folder without the marker: no cache written, same output.
    let plain = d.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    for e in std::fs::read_dir(&net).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if e.file_type().unwrap().is_file() && name != ".onehour-output" {
            std::fs::copy(e.path(), plain.join(&name)).unwrap();
        }
    }
    let (uncached, _) = run(&plain);
    assert_eq!(uncached, cold, "the cache changed the matrix");
    assert!(!plain.join(".onehour-cache").exists());
    // Corrupt caches: a byte flipped in the network's, garbage for the streets'.
    let mut b = std::fs::read(&net_cache).unwrap();
    let mid = b.len() / 2;
    b[mid] ^= 0x55;
    std::fs::write(&net_cache, &b).unwrap();
    std::fs::write(&streets_cache, b"not a cache").unwrap();
    let (again, err) = run(&net);
    assert_eq!(again, cold);
    assert_eq!(err.matches("cannot be trusted").count(), 2, "{err}");
    let (again, err) = run(&net);
    assert_eq!(again, cold);
    assert!(
        !err.contains("cannot be trusted"),
        "rebuilt, valid again: {err}"
    );
    // A changed input: slower walking, in both folders; the cache follows it.
    for dir in [&net, &plain] {
        let m = dir.join("network.toml");
        let text = std::fs::read_to_string(&m).unwrap();
        assert!(!text.contains("\n[walking]"), "{text}");
        std::fs::write(&m, text + "\n[walking]\nspeed_kmh = 3.0\n").unwrap();
    }
    let (slower, _) = run(&net);
    assert_ne!(slower, cold, "a stale cache was used");
    assert_eq!(slower, run(&plain).0);
    assert_eq!(run(&net).0, slower);
}

/// The library writes nothing in a network folder: a network loaded by `load_network` (as the
/// server and the Python package load them) reads its OpenStreetMap extract without the
/// compiled-model cache; only the command line's cached loading (`io::cache`) writes
/// `.onehour-cache/`, and its streets then go through the cache too.
#[test]
fn only_the_command_line_writes_the_model_cache() {
    use onehour::graph::streets::Streets;
    use onehour::network::load::load_network;
    use onehour::network::source::Source;
    let d = tempfile::tempdir().unwrap();
    let net = d.path().join("net");
    run_ok(&mut poa::import(&net, true));
    let listing = |dir: &std::path::Path| {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        v.sort();
        v
    };
    let before = listing(&net);
    let src = Source::Disk(net.clone());
    let (n, _) = load_network(&src, "network.toml").unwrap();
    assert!(!n.streets.as_ref().unwrap().cache);
    let direct = Streets::from_network(&n).unwrap().unwrap();
    assert_eq!(
        listing(&net),
        before,
        "the library wrote in the network folder"
    );
    let m = onehour::api::Model::open(&onehour::api::Options {
        network: Some(net.clone()),
        ..Default::default()
    })
    .unwrap();
    drop(m);
    assert_eq!(
        listing(&net),
        before,
        "the library wrote in the network folder"
    );
    // The command line's loading: cached, streets included.
    let (c, _) = onehour::io::cache::load_network_cached(&src, "network.toml").unwrap();
    assert!(c.streets.as_ref().unwrap().cache);
    let cached = Streets::from_network(&c).unwrap().unwrap();
    let dir = net.join(".onehour-cache");
    assert!(dir.join("network.msgpack").is_file());
    assert!(dir.join("streets.osm.pbf.streets.msgpack").is_file());
    let again = Streets::from_network(&c).unwrap().unwrap();
    // The library reads the cache now there (never rewriting it).
    let cached_files = |d: &std::path::Path| {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name(), std::fs::read(e.path()).unwrap())
            })
            .collect();
        v.sort();
        v
    };
    let (with_cache, cache_files) = (listing(&net), cached_files(&dir));
    let m = onehour::api::Model::open(&onehour::api::Options {
        network: Some(net.clone()),
        ..Default::default()
    })
    .unwrap();
    drop(m);
    assert_eq!(listing(&net), with_cache);
    assert_eq!(
        cached_files(&dir),
        cache_files,
        "the library rewrote the cache"
    );
    let (o, dst) = ([(-51.22, -30.03)], [(-51.2, -30.04)]);
    let stops = [(-51.225, -30.032), (-51.205, -30.041)];
    let snap = |s: &Streets| s.walk_links(&o, &dst, &stops, 1.4, 1800, 250.0);
    assert!(
        !snap(&direct).0.access[0].is_empty(),
        "the test point reaches no stop"
    );
    assert_eq!(snap(&direct), snap(&cached));
    assert_eq!(snap(&direct), snap(&again));
}

/// The library's points matrix (`api::Model::points_matrix`, what the Python package calls)
/// writes the command line's JSON byte for byte on an imported network with streets, and a
/// second matrix on the same model (its timetable and streets kept) gives the same again.
#[test]
fn the_library_points_matrix_is_the_command_lines() {
    let d = tempfile::tempdir().unwrap();
    let net = d.path().join("net");
    run_ok(&mut poa::import(&net, true));
    let cells = poa_cells(d.path(), 30);
    // The command line's JSON from the points in `from` (to those in `to`, if given).
    let cli = |from: &std::path::Path, to: Option<&std::path::Path>| {
        let mut cmd = onehour();
        cmd.args(["matrix", "--network"])
            .arg(&net)
            .arg("--points")
            .arg(from);
        if let Some(to) = to {
            cmd.arg("--to-points").arg(to);
        }
        cmd.args(["--date", "2019-05-13", "--depart", "14:00-14:10"])
            .args(["--percentiles", "10,90", "--format", "json"]);
        String::from_utf8(run_ok(&mut cmd)).unwrap()
    };
    let cli_first = cli(&cells, None);
    let m = onehour::api::Model::open(&onehour::api::Options {
        network: Some(net.clone()),
        date: onehour::network::model::Date::parse("2019-05-13"),
        ..Default::default()
    })
    .unwrap();
    let pts = onehour::io::opportunities::load_points(&cells).unwrap();
    let mut w = onehour::api::Window::parse("14:00-14:10").unwrap();
    w.percentiles = vec![10.0, 90.0];
    let sn = m.scenario(None).unwrap();
    let json = |m: &onehour::api::Model| {
        let o = m.points_matrix(None, pts.clone(), None, &w).unwrap();
        assert!(o.snap_report.unwrap().contains("snapped"));
        o.matrix.json(sn.net(), &sn.name, m.limit_min())
    };
    let first = json(&m);
    assert_eq!(first, cli_first);
    assert_eq!(json(&m), first);
    // Not an empty comparison: most pairs are reached.
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    let reached = v["minutes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .filter(|x| !x.is_null())
        .count();
    assert!(reached > 30 * 30 / 2, "{reached}");
    // The model keeps the point legs of the last points only: other points (the first 12 to
    // the last 5) get their own, as the command line computes them, and the first points
    // again give the first matrix.
    let (few, last) = (pts[..12].to_vec(), pts[25..].to_vec());
    let write = |name: &str, p: &[onehour::api::Point]| {
        let mut text = String::from("id,lon,lat\n");
        for q in p {
            text.push_str(&format!("{},{},{}\n", q.id, q.lon, q.lat));
        }
        let f = d.path().join(name);
        std::fs::write(&f, text).unwrap();
        f
    };
    let (ff, lf) = (write("few.csv", &few), write("last.csv", &last));
    let cli_other = cli(&ff, Some(&lf));
    let o = m.points_matrix(None, few, Some(last), &w).unwrap();
    assert_eq!(
        o.matrix.json(sn.net(), &sn.name, m.limit_min()),
        cli_other,
        "other points after the first: kept point legs reused wrongly"
    );
    assert_eq!(json(&m), first);
    // Bad points are errors naming the point and the fix.
    let dup = vec![pts[0].clone(), pts[0].clone()];
    let e = match m.points_matrix(None, dup, None, &w) {
        Ok(_) => panic!("a repeated point id was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("given twice"), "{e}");
}

/// A points matrix at one departure searches its origins in batches, neighbours together
/// (`access::propagate`, `engine::raptor::batch`); each origin's times equal those of its
/// search alone, on imported Porto Alegre with streets: 70 cells, several batches, in an
/// order other than the file's.
#[test]
fn batched_origins_equal_origins_searched_alone_on_porto_alegre() {
    use onehour::access::links::point_links_with;
    use onehour::access::propagate::{
        for_each_origin, origin_times, PropagationOptions, PropagationWorkspace,
    };
    use onehour::analysis::window::{compile_days, WindowOptions};
    let d = tempfile::tempdir().unwrap();
    let net = d.path().join("net");
    run_ok(&mut poa::import(&net, true));
    let cells = poa_cells(d.path(), 70);
    let m = onehour::api::Model::open(&onehour::api::Options {
        network: Some(net.clone()),
        date: onehour::network::model::Date::parse("2019-05-13"),
        ..Default::default()
    })
    .unwrap();
    let pts = onehour::io::opportunities::load_points(&cells).unwrap();
    let sn = m.scenario(None).unwrap();
    let t = sn.timetable().unwrap();
    let streets = sn.streets().unwrap();
    let links = point_links_with(sn.net(), &t, streets.as_deref(), &pts, &pts).links;
    let po = PropagationOptions {
        window: WindowOptions {
            date: onehour::network::model::Date::parse("2019-05-13").unwrap(),
            from: 14 * 3600,
            to: 14 * 3600,
            step: 60,
            draws: 1,
            seed: 1,
            bound: 150 * 60,
            max_trips: 8,
        },
        percentiles: vec![50.0, 90.0],
        limit: Some(45 * 60),
    };
    let days = compile_days(&t, &po.window);
    assert_eq!(days.len(), 1, "one day searched: the batched path");
    let batched = for_each_origin(&t, &links, &po, |_, r| r.clone()).unwrap();
    assert_eq!(batched.len(), pts.len());
    let mut ws = PropagationWorkspace::default();
    let mut reached = 0;
    for (i, got) in batched.iter().enumerate() {
        let alone = origin_times(&days, &links, i, &po, &mut ws).unwrap();
        assert_eq!(got, &alone, "origin {} ({})", i, pts[i].id);
        reached += alone.pct[0].iter().filter(|&&s| s != u32::MAX).count();
    }
    // Not an empty comparison: most pairs are reached.
    assert!(reached > 70 * 70 / 2, "{reached} pairs reached");
}

/// Runs `onehour` with `args` and `extra`, expecting exit code 2: its standard error.
fn refused(args: &[&str], extra: &[&std::ffi::OsStr]) -> String {
    let out = onehour().args(args).args(extra).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    err
}

/// A broken GeoJSON file of opportunities gets the same file- and feature-level errors
/// whether the grid is laid over `--bbox` or over the file's own extent (which once fell back
/// to the points-CSV reader, or said only that no coordinate was found), in `access` and in
/// `rank --indicator access`; nothing is written.
#[test]
fn broken_geojson_gets_the_same_errors_with_or_without_bbox() {
    let d = tempfile::tempdir().unwrap();
    let feature = |props: &str, geometry: &str| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{props},"geometry":{geometry}}}]}}"#
        )
    };
    let square = r#"{"type":"Polygon","coordinates":[[[113.3,23.1],[113.4,23.1],[113.4,23.2],[113.3,23.1]]]}"#;
    let cases = [
        (
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"population":1},"geometry":{"type":"Poly"#.to_string(),
            "not valid JSON",
        ),
        (feature(r#"{"population":NaN}"#, square), "not valid JSON"),
        (feature(r#"{"population":1e999}"#, square), "not valid JSON"),
        (format!("{}{}", "[".repeat(300), "]".repeat(300)), "not valid JSON"),
        (String::new(), "the file is empty"),
        (feature(r#"{"population":1}"#, "null"), "feature 1: the feature has no geometry"),
        (
            feature(r#"{"population":1}"#, r#"{"type":"GeometryCollection","geometries":[]}"#),
            "feature 1: a GeometryCollection geometry",
        ),
        (
            feature(r#"{"population":1}"#, &square.replace("113.3,", "213,")),
            "longitude 213 is outside",
        ),
        (
            feature(r#"{"population":1}"#, r#"{"type":"Polygon","coordinates":[[]]}"#),
            "feature 1: the exterior ring has 0 positions",
        ),
    ];
    let out = d.path().join("out");
    for (k, (text, want)) in cases.iter().enumerate() {
        let f = d.path().join(format!("t{k}.geojson"));
        std::fs::write(&f, text).unwrap();
        let run = |bbox: bool, cmd: &[&str]| {
            let mut args = cmd.to_vec();
            if bbox {
                args.extend(["--bbox", "113,23,114,24"]);
            }
            refused(
                &args,
                &[
                    "--opportunities".as_ref(),
                    f.as_os_str(),
                    "--out".as_ref(),
                    out.as_os_str(),
                ],
            )
        };
        let access = ["access", "--grid", "2000"];
        let (with, without) = (run(true, &access), run(false, &access));
        assert!(without.contains(&format!("t{k}.geojson")), "{without}");
        assert!(without.contains(want), "{want}: {without}");
        assert!(
            !without.contains("header") && !without.contains("no coordinate found"),
            "{without}"
        );
        assert_eq!(with, without);
        assert!(!out.exists(), "no output on error");
        let rank = ["rank", "--indicator", "access"];
        let (with, without) = (run(true, &rank), run(false, &rank));
        assert_eq!(with, without);
        assert!(without.contains(&format!("t{k}.geojson")), "{without}");
    }
}

/// Values above 10¹² per point or feature are refused, naming the file, the line or feature
/// and the column: they once made sums infinite (empty or `inf` values in access.csv).
#[test]
fn huge_opportunity_values_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let csv = d.path().join("o.csv");
    std::fs::write(
        &csv,
        "id,lon,lat,population\na,113.3,23.1,1e308\nb,113.31,23.11,1e308\n",
    )
    .unwrap();
    let err = refused(
        &["access"],
        &[
            "--opportunities".as_ref(),
            csv.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
    );
    assert!(
        err.contains("o.csv:2: id a: population 1e308 is above"),
        "{err}"
    );
    assert!(err.contains("o.csv:3: id b:"), "{err}");
    let gj = d.path().join("o.geojson");
    std::fs::write(&gj, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"population":1e308},"geometry":{"type":"Polygon","coordinates":[[[113.3,23.1],[113.4,23.1],[113.4,23.2],[113.3,23.1]]]}}]}"#).unwrap();
    for bbox in [&[][..], &["--bbox", "113,23,114,24"][..]] {
        let mut args = vec!["access", "--grid", "2000"];
        args.extend(bbox);
        let err = refused(
            &args,
            &[
                "--opportunities".as_ref(),
                gj.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
            ],
        );
        assert!(
            err.contains(
                "o.geojson: feature 1: population 1e308 is above the largest count accepted, 1e12"
            ),
            "{err}"
        );
    }
    assert!(!out.exists());
}

/// A CSV of one point with 5 jobs in `dir`, an output folder beside it (not made), and the
/// flags `--opportunities` and `--out` naming them.
fn one_point_of_jobs(
    dir: &std::path::Path,
) -> (
    std::path::PathBuf,
    std::path::PathBuf,
    Vec<std::ffi::OsString>,
) {
    let opp = dir.join("o.csv");
    std::fs::write(&opp, "id,lon,lat,jobs\na,113.3,23.1,5\n").unwrap();
    let out = dir.join("out");
    let args = vec![
        "--opportunities".into(),
        opp.clone().into(),
        "--out".into(),
        out.clone().into(),
    ];
    (opp, out, args)
}

/// `access` compares a base and one scenario: three scenarios (of which the third was once
/// dropped silently) or one scenario twice are refused, saying what to run instead.
#[test]
fn access_takes_one_or_two_different_scenarios() {
    let d = tempfile::tempdir().unwrap();
    let (_, out, args) = one_point_of_jobs(d.path());
    let files: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    for args in [
        &["access", "--scenario", "today,plan-2030,plan-2035"][..],
        &[
            "access",
            "--scenario",
            "today",
            "--scenario",
            "plan-2030",
            "--scenario",
            "plan-2035",
        ][..],
    ] {
        let err = refused(args, &files);
        assert!(
            err.contains("two scenarios at a time") && err.contains("--scenario today,plan-2035"),
            "{err}"
        );
    }
    let err = refused(&["access", "--scenario", "plan-2030,plan-2030"], &files);
    assert!(err.contains("the same scenario twice"), "{err}");
    assert!(!out.exists());
}

/// The messages of flags that do not fit `access` name the flags given.
#[test]
fn access_flag_errors_name_the_flags_given() {
    let d = tempfile::tempdir().unwrap();
    let (opp, out, args) = one_point_of_jobs(d.path());
    let files: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let err = refused(&["access", "--profile", "car"], &files);
    assert!(
        err.contains("drop --profile car") && !err.contains("--depart"),
        "{err}"
    );
    let err = refused(&["access", "--wait", "full"], &files);
    assert!(
        err.contains("drop --wait") && !err.contains("--depart"),
        "{err}"
    );
    // A network without a service date (the tiny one declares no valid_on).
    let tiny = tiny();
    for cmd in [&["access"][..], &["matrix", "--points"][..]] {
        let mut args = cmd.to_vec();
        if cmd.len() == 2 {
            args.push(opp.to_str().unwrap());
        } else {
            args.extend(["--opportunities", opp.to_str().unwrap()]);
        }
        args.extend(["--network", tiny.to_str().unwrap()]);
        let err = refused(&args, &["--out".as_ref(), out.as_os_str()]);
        assert!(
            err.contains("give --date") && !err.contains("--depart"),
            "{err}"
        );
    }
    // Boxes: a degenerate or out-of-range one is a --bbox error.
    for (bbox, want) in [
        ("113,23,113,24", "no area"),
        ("113,23,114,23", "no area"),
        ("113,23,190,24", "-180..180"),
        ("113,23,114,89", "-85..85"),
    ] {
        let err = refused(&["access", "--grid", "1000", "--bbox", bbox], &files);
        assert!(
            err.contains("--bbox") && err.contains(want) && !err.contains("--grid:"),
            "{err}"
        );
    }
    // rank's access flags without --indicator access.
    let err = refused(
        &[
            "rank",
            "--opportunities",
            opp.to_str().unwrap(),
            "--cutoff",
            "30",
        ],
        &[],
    );
    assert!(
        err.contains("--opportunities, --cutoff") && err.contains("add --indicator access"),
        "{err}"
    );
    assert!(!out.exists());
}
