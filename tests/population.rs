//! A network with a population surface (`[population]`): compare's people within the limit,
//! the centre rank's population terms and the isochrones' band populations count its cells;
//! a network without one counts its zones.

use crate::common;
use common::*;

/// Two squares of people over the tiny network: 1,000,000 west of 113.2 E, 500,000 north-east.
const SURFACE: &str = r#"{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "a", "population": 1000000},
  "geometry": {"type": "Polygon", "coordinates": [[[113.0, 23.05], [113.2, 23.05], [113.2, 23.15], [113.0, 23.15], [113.0, 23.05]]]}},
 {"type": "Feature", "properties": {"id": "b", "population": 500000},
  "geometry": {"type": "Polygon", "coordinates": [[[113.2, 23.15], [113.3, 23.15], [113.3, 23.25], [113.2, 23.25], [113.2, 23.15]]]}}
]}"#;

/// The tiny network and its scenarios, with the surface above on 500 m cells.
fn tiny_with_surface() -> tempfile::TempDir {
    let d = copy_fixture(&tiny());
    std::fs::write(d.path().join("pop.geojson"), SURFACE).unwrap();
    let manifest = d.path().join("network.toml");
    let mut m = std::fs::read_to_string(&manifest).unwrap();
    m.push_str("\n[population]\nsurface = \"pop.geojson\"\ncell_m = 500\n");
    std::fs::write(&manifest, m).unwrap();
    d
}

fn json_of(net: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let sc = tiny_scenarios();
    let out = run_ok(
        onehour()
            .args(args)
            .args(["--format", "json", "--network"])
            .arg(net)
            .arg("--scenarios")
            .arg(sc),
    );
    serde_json::from_slice(&out).unwrap()
}

fn people(v: &serde_json::Value, key: &str) -> Vec<u64> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

#[test]
fn compare_counts_the_surface_monotone_in_the_limit() {
    let d = tiny_with_surface();
    let mut last: Option<Vec<u64>> = None;
    for limit in ["10", "20", "30", "45", "60", "120"] {
        let v = json_of(d.path(), &["compare", "base", "horizon", "--limit", limit]);
        assert_eq!(v["population_from"], "surface");
        let (b, o) = (
            people(&v, "population_base"),
            people(&v, "population_other"),
        );
        for (x, y) in b.iter().zip(&o) {
            // No more than the surface holds, and the horizon only adds and speeds up.
            assert!(*x <= 1_500_000 && *y <= 1_500_000, "{b:?} {o:?}");
            assert!(y >= x, "{b:?} {o:?}");
        }
        if let Some(l) = &last {
            assert!(b.iter().zip(l).all(|(x, y)| x >= y), "{l:?} then {b:?}");
        }
        last = Some(b);
    }
    // Within two hours every centre reaches the people within a walk of the stations (the
    // fixture has no local access mode for cells: [access] point_max_min is 0).
    let l = last.unwrap();
    assert!(l.iter().all(|&x| x > 0), "{l:?}");
    // A longer walk reaches more people.
    edit(
        &d.path().join("network.toml"),
        "radius_m = 800",
        "radius_m = 2500",
    );
    let v = json_of(d.path(), &["compare", "base", "horizon", "--limit", "120"]);
    let far = people(&v, "population_base");
    assert!(far.iter().zip(&l).all(|(a, b)| a > b), "{l:?} then {far:?}");
}

#[test]
fn a_network_without_a_surface_counts_its_zones() {
    let v = json_of(&tiny(), &["compare", "base", "horizon"]);
    assert_eq!(v["population_from"], "zones");
    for x in people(&v, "population_base") {
        assert!(x == 0 || x == 100_000, "{x}");
    }
}

#[test]
fn rank_counts_people_on_the_surface() {
    let d = tiny_with_surface();
    let v = json_of(
        d.path(),
        &["rank", "--base", "base", "--projects", "horizon"],
    );
    let zones = json_of(
        &tiny(),
        &["rank", "--base", "base", "--projects", "horizon"],
    );
    let gained = |v: &serde_json::Value| -> u64 {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["added_alone"]["population_gained"].as_u64().unwrap())
            .sum()
    };
    // The surface's people are not the zone's: the two rankings count differently.
    assert!(gained(&v) <= 1_500_000 * 3);
    assert_ne!(v, zones);
}

#[test]
fn band_population_is_the_people_of_the_cells_inside() {
    let d = tiny_with_surface();
    let out = d.path().join("iso");
    run_ok(
        onehour()
            .args([
                "isochrones",
                "--origins",
                "cx",
                "--thresholds",
                "15,30,60",
                "--cell",
                "250",
            ])
            .arg("--network")
            .arg(d.path())
            .arg("--out")
            .arg(&out),
    );
    let text = std::fs::read_to_string(out.join("all.geojson")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut bands = v["features"].as_array().unwrap().clone();
    assert_eq!(bands.len(), 3);
    bands.sort_by(|a, b| {
        let m = |x: &serde_json::Value| x["properties"]["minutes"].as_f64().unwrap();
        m(a).total_cmp(&m(b))
    });
    let mut last = 0;
    for b in &bands {
        let p = &b["properties"];
        let pop = p["population"].as_u64().unwrap();
        let area = p["area_km2"].as_f64().unwrap();
        // Square a holds 1,000,000 people on about 20.5 x 11.1 km: uniform density. A band
        // wholly west of 113.2 E counts about its area times that density (the cells are
        // 500 m: their centres in or out of the band make the difference).
        let density = 1_000_000.0 / (20.47 * 11.12);
        assert!(pop >= last, "bands nest");
        last = pop;
        let bbox = bbox_of(&b["geometry"]);
        if bbox[2] < 113.2 && bbox[1] > 23.05 && bbox[3] < 23.15 {
            let want = area * density;
            assert!(
                (pop as f64 - want).abs() <= 0.15 * want + 2.0 * density,
                "{} min: {pop} people on {area} km², expected about {want:.0}",
                p["minutes"]
            );
        }
        assert!(pop <= 1_500_000);
    }
    assert!(last > 0);
}

fn bbox_of(g: &serde_json::Value) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    fn walk(v: &serde_json::Value, b: &mut [f64; 4]) {
        if let Some(a) = v.as_array() {
            if a.len() == 2 && a[0].is_number() {
                let (x, y) = (a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
                *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            } else {
                a.iter().for_each(|x| walk(x, b));
            }
        }
    }
    walk(&g["coordinates"], &mut b);
    b
}

/// The population surface is read with the checks of opportunities: a count above 10¹² (once
/// summed to 18446744073709551615 people) and two districts covering the same ground are
/// errors naming the surface's file and feature.
#[test]
fn a_surface_with_huge_counts_or_overlapping_districts_is_refused() {
    for (from, to, want) in [
        (
            r#""population": 500000"#,
            r#""population": 1e308"#,
            "pop.geojson: feature 2 (id b): population 1e308 is above the largest count accepted",
        ),
        (
            "[[[113.2, 23.15], [113.3, 23.15], [113.3, 23.25], [113.2, 23.25], [113.2, 23.15]]]",
            "[[[113.1, 23.1], [113.2, 23.1], [113.2, 23.15], [113.1, 23.15], [113.1, 23.1]]]",
            "pop.geojson: feature 2 (id b): overlaps feature 1 (id a)",
        ),
    ] {
        let d = tiny_with_surface();
        edit(&d.path().join("pop.geojson"), from, to);
        for cmd in [
            &["compare", "base", "horizon"][..],
            &["isochrones", "--origins", "cx"][..],
        ] {
            let out = onehour()
                .args(cmd)
                .arg("--network")
                .arg(d.path())
                .arg("--scenarios")
                .arg(tiny_scenarios())
                .arg("--out")
                .arg(d.path().join("out"))
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd:?}: {err}");
            assert!(err.contains(want), "{cmd:?}: {err}");
        }
    }
}

#[test]
fn validate_reads_the_surface_and_names_the_manifest_for_a_wrong_column() {
    // A good surface: validate counts its people.
    let d = tiny_with_surface();
    let out = String::from_utf8(run_ok(
        onehour().arg("validate").arg("--network").arg(d.path()),
    ))
    .unwrap();
    assert!(out.contains("1500000 people"), "{out}");
    // Each bad surface used to pass validate (rc 0) and fail compare and isochrones only.
    let column = |d: &std::path::Path| {
        edit(
            &d.join("network.toml"),
            "surface = \"pop.geojson\"",
            "surface = \"pop.geojson\"\ncolumn = \"nope\"",
        )
    };
    let truncated =
        |d: &std::path::Path| std::fs::write(d.join("pop.geojson"), &SURFACE[..300]).unwrap();
    let empty = |d: &std::path::Path| {
        std::fs::write(
            d.join("pop.geojson"),
            r#"{"type": "FeatureCollection", "features": []}"#,
        )
        .unwrap()
    };
    let csv = |d: &std::path::Path| {
        edit(
            &d.join("network.toml"),
            "surface = \"pop.geojson\"",
            "surface = \"stations.csv\"",
        )
    };
    type Spoil<'a> = &'a dyn Fn(&std::path::Path);
    let cases: [(Spoil, &[&str]); 4] = [
        (
            &column,
            &[
                "network.toml:",
                "[population] column = \"nope\"",
                "no feature of pop.geojson has a value for nope",
                "set [population] column in",
            ],
        ),
        // Read with the checks of opportunities: the surface's own file and line.
        (&truncated, &["pop.geojson:4:", "not valid JSON"]),
        (&empty, &["pop.geojson:", "has no features"]),
        (&csv, &["stations.csv:1:", "not valid JSON"]),
    ];
    for (spoil, want) in cases {
        let d = tiny_with_surface();
        spoil(d.path());
        let out = onehour()
            .arg("validate")
            .arg("--network")
            .arg(d.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{want:?}: {err}");
        for w in want {
            assert!(err.contains(w), "want {w:?} in {err}");
        }
        assert!(err.contains("fix:"), "{err}");
    }
}
