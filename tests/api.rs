//! The library facade (`onehour::api`) gives what the command line gives for the same inputs,
//! byte for byte: matrices (static and over a window), routes (static and timetabled),
//! comparisons and isochrones on the bundled network; and a network from disk opens too.

use crate::common;
use common::*;

use onehour::api::{AccessParams, Model, Options, Origin, Window};
use onehour::geo::isochrone::{feature_collection, to_geojson_text, IsoParams};
use std::sync::OnceLock;

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| Model::bundled().unwrap())
}

fn cli(args: &[&str]) -> String {
    String::from_utf8(run_ok(onehour().args(args))).unwrap()
}

#[test]
fn centre_matrix_is_checks_json() {
    let m = model();
    assert_eq!(
        m.centre_matrix(None, None).unwrap().to_json(),
        cli(&["check", "--format", "json"])
    );
    assert_eq!(
        m.centre_matrix(Some("plan-2030"), None).unwrap().to_json(),
        cli(&["check", "--scenario", "plan-2030", "--format", "json"])
    );
    assert_eq!(
        m.centre_matrix(Some("plan-2030"), None).unwrap().to_csv(),
        cli(&["check", "--scenario", "plan-2030", "--format", "csv"])
    );
}

#[test]
fn window_matrix_with_percentiles_is_matrix_depart_json() {
    let mut w = Window::parse("07:00-07:30").unwrap();
    w.draws = 3;
    w.percentiles = vec![10.0, 50.0, 90.0];
    let got = model()
        .matrix(
            Some("plan-2030"),
            &["c_guangzhou_tianhe", "c_foshan"],
            &["c_zhaoqing", "广州南"],
            Some(&w),
        )
        .unwrap()
        .to_json();
    let want = cli(&[
        "matrix",
        "--scenario",
        "plan-2030",
        "--from",
        "c_guangzhou_tianhe,c_foshan",
        "--to",
        "c_zhaoqing,广州南",
        "--depart",
        "07:00-07:30",
        "--draws",
        "3",
        "--percentiles",
        "10,50,90",
        "--format",
        "json",
    ]);
    assert_eq!(got, want);
    assert!(got.contains("\"share_within_limit\""));
}

#[test]
fn routes_are_routes_json() {
    let m = model();
    assert_eq!(
        m.route(None, "广州南", "c_zhaoqing", None)
            .unwrap()
            .to_json(),
        cli(&["route", "广州南", "c_zhaoqing", "--format", "json"])
    );
    let depart = onehour::network::load::parse_clock("07:42").unwrap();
    assert_eq!(
        m.route(
            Some("plan-2030"),
            "c_guangzhou_tianhe",
            "c_foshan",
            Some(depart)
        )
        .unwrap()
        .to_json(),
        cli(&[
            "route",
            "c_guangzhou_tianhe",
            "c_foshan",
            "--scenario",
            "plan-2030",
            "--depart",
            "07:42",
            "--format",
            "json"
        ])
    );
}

#[test]
fn comparison_is_compares_json() {
    let c = model().compare("today", "plan-2030", None).unwrap();
    assert_eq!(
        onehour::analysis::json::compare_json(&c, None),
        cli(&["compare", "today", "plan-2030", "--format", "json"])
    );
}

#[test]
fn isochrone_of_a_place_is_the_isochrones_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("iso");
    cli(&[
        "isochrones",
        "--origins",
        "c_foshan",
        "--scenario",
        "plan-2030",
        "--out",
        out.to_str().unwrap(),
    ]);
    let want = std::fs::read_to_string(out.join("c_foshan_plan-2030_transit.geojson")).unwrap();
    let iso = model()
        .isochrone(
            Some("plan-2030"),
            &Origin::Place("c_foshan".into()),
            &IsoParams::default(),
            None,
        )
        .unwrap();
    assert_eq!(to_geojson_text(&feature_collection(&[iso])), want);
}

#[test]
fn isochrone_over_a_window_is_the_isochrones_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("iso");
    cli(&[
        "isochrones",
        "--origins",
        "c_foshan",
        "--depart",
        "07:00-07:20",
        "--draws",
        "2",
        "--percentiles",
        "75",
        "--out",
        out.to_str().unwrap(),
    ]);
    let want = std::fs::read_to_string(out.join("c_foshan_today_transit.geojson")).unwrap();
    let mut w = Window::parse("07:00-07:20").unwrap();
    w.draws = 2;
    let iso = model()
        .isochrone(
            None,
            &Origin::Place("c_foshan".into()),
            &IsoParams::default(),
            Some((&w, 75.0)),
        )
        .unwrap();
    assert_eq!(to_geojson_text(&feature_collection(&[iso])), want);
}

#[test]
fn a_network_from_disk_with_its_scenarios() {
    let m = Model::open(&Options {
        network: Some(tiny()),
        scenarios: Some(tiny_scenarios()),
        ..Options::default()
    })
    .unwrap();
    assert!(!m.places().is_empty());
    let names: Vec<String> = m.scenarios().into_iter().map(|s| s.name).collect();
    assert!(!names.is_empty());
    for n in &names {
        m.centre_matrix(Some(n), None).unwrap();
    }
    let e = Model::open(&Options {
        network: Some(root().join("no-such-folder")),
        ..Options::default()
    });
    assert!(matches!(e, Err(onehour::api::Error::BadRequest(_))));
}

#[test]
fn many_threads_share_one_model() {
    let m = model();
    let want = m.centre_matrix(Some("plan-2035"), None).unwrap().to_json();
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| s.spawn(|| m.centre_matrix(Some("plan-2035"), None).unwrap().to_json()))
            .collect();
        for h in hs {
            assert_eq!(h.join().unwrap(), want);
        }
    });
}

/// `onehour access` on the population surface with the facade's grid and cutoff: its files.
fn cli_access(scenarios: &str, cutoff: u32) -> (String, String, serde_json::Value) {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("acc");
    let surface = root().join("networks/guangzhou/population/districts.geojson");
    run_ok(onehour().args([
        "access",
        "--opportunities",
        surface.to_str().unwrap(),
        "--columns",
        "population",
        "--grid",
        "5000",
        "--cutoffs",
        &cutoff.to_string(),
        "--scenario",
        scenarios,
        "--out",
        out.to_str().unwrap(),
    ]));
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    let mut summary: serde_json::Value = serde_json::from_str(&read("summary.json")).unwrap();
    // The file as the command line was given it; the facade names the manifest's path.
    summary["run"]["opportunities"] = "population/districts.geojson".into();
    (read("access.csv"), read("access.geojson"), summary)
}

#[test]
fn access_is_the_clis_access_on_the_population_surface() {
    let params = AccessParams {
        cutoff_min: 45,
        ..AccessParams::default()
    };
    let got = model().access(None, None, &params).unwrap();
    let (csv, geojson, summary) = cli_access("today", 45);
    assert_eq!(got.csv, csv);
    assert_eq!(got.geojson, geojson);
    assert_eq!(got.summary, summary);
    // Kept: the same answer again is the same object.
    let again = model().access(Some("today"), None, &params).unwrap();
    assert!(std::sync::Arc::ptr_eq(&got, &again));

    let got = model().access(None, Some("plan-2030"), &params).unwrap();
    let (csv, geojson, summary) = cli_access("today,plan-2030", 45);
    assert_eq!(got.csv, csv);
    assert_eq!(got.geojson, geojson);
    assert_eq!(got.summary, summary);
    assert!(got
        .columns
        .contains(&"population_within_45_diff".to_string()));
}

#[test]
fn window_isochrone_from_a_point_is_like_its_place() {
    // A point on a centre reaches the stations around it on foot or by the local access
    // mode (as a clicked point does in the static model), the centre by its own links: over
    // the same window their largest bands are of like size (the smaller bands differ more,
    // the local access mode reaching further than the centre's links in a few minutes).
    let m = model();
    let sn = m.scenario(None).unwrap();
    let c = sn.place("c_foshan").unwrap();
    let pl = sn.net().place(c);
    let mut w = Window::parse("07:00-07:10").unwrap();
    w.draws = 2;
    let params = IsoParams::default();
    let at_point = m
        .isochrone(
            None,
            &Origin::Point {
                lon: pl.lon,
                lat: pl.lat,
            },
            &params,
            Some((&w, 50.0)),
        )
        .unwrap();
    let at_place = m
        .isochrone(
            None,
            &Origin::Place(pl.id.clone()),
            &params,
            Some((&w, 50.0)),
        )
        .unwrap();
    {
        let (a, b) = (
            at_point.bands.last().unwrap(),
            at_place.bands.last().unwrap(),
        );
        assert!(
            a.area_km2 > 0.5 * b.area_km2 && a.area_km2 < 2.0 * b.area_km2,
            "{} min: point {} km², centre {} km²",
            a.minutes,
            a.area_km2,
            b.area_km2
        );
    }
    // A later percentile reaches no more.
    let late = m
        .isochrone(
            None,
            &Origin::Point {
                lon: pl.lon,
                lat: pl.lat,
            },
            &params,
            Some((&w, 95.0)),
        )
        .unwrap();
    let last = |i: &onehour::geo::isochrone::Isochrone| i.bands.last().unwrap().area_km2;
    assert!(last(&late) <= last(&at_point) + 1e-9);
}

/// The bands of real isochrones (clicked points in central Guangzhou and Foshan, and a
/// centre) are decided by the fast proof of validity (`geo::validity::proven_valid`), not by
/// the slow pairwise check it stands in front of, and `geo` agrees that they are valid.
#[test]
fn isochrone_bands_are_proven_valid_by_the_fast_check() {
    use geo::Validation;
    use onehour::geo::validity::proven_valid;
    let m = model();
    let params = IsoParams::default();
    let origins = [
        Origin::Point {
            lon: 113.3245,
            lat: 23.1291,
        },
        Origin::Point {
            lon: 113.2644,
            lat: 23.1291,
        },
        Origin::Point {
            lon: 113.1220,
            lat: 23.0210,
        },
        Origin::Place("c_foshan".into()),
    ];
    let (mut bands, mut proven, mut polygons) = (0, 0, 0);
    for o in &origins {
        let iso = m.isochrone(None, o, &params, None).unwrap();
        for b in &iso.bands {
            assert!(b.geometry.is_valid(), "{o:?} {} min", b.minutes);
            bands += 1;
            polygons += b.geometry.0.len();
            proven += proven_valid(&b.geometry) as usize;
        }
    }
    assert!(
        polygons > bands,
        "bands of one polygon each would not test much"
    );
    assert_eq!(
        proven, bands,
        "{proven} of {bands} bands proven valid by the fast check"
    );
}
