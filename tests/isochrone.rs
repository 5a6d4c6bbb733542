//! Isochrones: valid polygons, nested bands, consistency with the engine, RFC 7946 output and
//! a golden file on the tiny fixture network (`UPDATE_GOLDEN=1` rewrites it).

use crate::common;
use common::{onehour, run_ok};
use geo::{Area, Contains, Coord, Distance, Euclidean, MultiPolygon, Point, Validation, Winding};
use onehour::engine::{Queue, Workspace};
use onehour::geo::isochrone::*;
use onehour::graph::Prepared;
use onehour::graph::Profile;
use onehour::network::ids::{PlaceIdx, UNREACHED};
use onehour::network::load::load_network;
use onehour::network::model::{haversine_m, Network};
use onehour::network::source::Source as Src;

fn tiny() -> Network {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    load_network(&Src::Disk(dir), "network.toml")
        .expect("tiny loads")
        .0
}

fn place(net: &Network, id: &str) -> PlaceIdx {
    PlaceIdx::from_idx(
        net.places
            .iter()
            .position(|p| p.id == id)
            .expect("place exists"),
    )
}

fn frame(net: &Network, params: IsoParams) -> Frame {
    Frame {
        proj: Projection::for_network(net),
        params,
        population: None,
    }
}

/// Every isochrone of the tiny network: all places with a name as origins, both profiles,
/// smoothed and not, two cell sizes.
fn all_tiny() -> &'static [Isochrone] {
    static ALL: std::sync::OnceLock<Vec<Isochrone>> = std::sync::OnceLock::new();
    ALL.get_or_init(compute_all_tiny)
}

fn compute_all_tiny() -> Vec<Isochrone> {
    let net = tiny();
    let mut out = Vec::new();
    for profile in [Profile::Transit, Profile::Car] {
        let p = Prepared::new(net.clone(), profile);
        let mut ws = Workspace::new(p.graph.csr.num_nodes());
        for (cell, smooth) in [(250.0, true), (250.0, false), (100.0, true)] {
            let f = frame(
                &net,
                IsoParams {
                    cell_m: cell,
                    smooth,
                    ..IsoParams::default()
                },
            );
            for id in ["cx", "cy", "cz", "sb", "z1"] {
                out.push(isochrone(&p, &mut ws, place(&net, id), &f, "today").expect("isochrone"));
            }
        }
    }
    out
}

#[test]
fn every_band_is_a_valid_geometry() {
    for iso in all_tiny() {
        for b in &iso.bands {
            assert!(
                b.geometry.is_valid(),
                "{} {:?} {} min: {:?}",
                iso.origin,
                iso.profile,
                b.minutes,
                b.geometry.validation_errors()
            );
        }
    }
}

/// Every vertex of `inner` is inside `outer` or within `tol_deg` of it (6-decimal rounding
/// moves shared boundaries by up to 0.1 m).
fn covered(inner: &MultiPolygon<f64>, outer: &MultiPolygon<f64>, tol_deg: f64) -> bool {
    inner.0.iter().all(|p| {
        p.exterior().0.iter().all(|c| {
            let pt = Point(*c);
            outer.contains(&pt) || Euclidean.distance(&pt, outer) <= tol_deg
        })
    })
}

#[test]
fn bands_are_nested_and_grow_with_the_threshold() {
    for iso in all_tiny() {
        for w in iso.bands.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            assert!(
                a.area_km2 <= b.area_km2 + 1e-9,
                "{} {:?}: area shrinks",
                iso.origin,
                iso.profile
            );
            assert!(a.population <= b.population);
            assert!(
                covered(&a.geometry, &b.geometry, 2e-6),
                "{} {:?}: {} min band not inside {} min band",
                iso.origin,
                iso.profile,
                a.minutes,
                b.minutes
            );
        }
        assert!(iso.bands.last().is_some_and(|b| b.area_km2 > 0.0));
    }
}

#[test]
fn projected_contours_are_exactly_nested() {
    // Before rounding, a larger threshold's region contains the smaller one's outright.
    let net = tiny();
    let p = Prepared::new(net.clone(), Profile::Transit);
    let proj = Projection::for_network(&net);
    let access = AccessModel::for_profile(&net, Profile::Transit, None);
    let mut ws = Workspace::new(p.graph.csr.num_nodes());
    ws.run(
        &p.graph.csr,
        p.graph.place_node(place(&net, "cx")),
        3600,
        Queue::Bucket,
        false,
    );
    let src = sources(&p, &ws, place(&net, "cx"), &proj, &access, 3600.0);
    let s = surface(&src, &access, 250.0, 3600.0).unwrap();
    let bands: Vec<_> = [900.0, 1800.0, 2700.0, 3600.0]
        .iter()
        .map(|&t| contour(&s, t, true).unwrap())
        .collect();
    for w in bands.windows(2) {
        assert!(w[0].unsigned_area() <= w[1].unsigned_area());
        assert!(covered(&w[0], &w[1], 1e-6));
    }
}

#[test]
fn a_grid_point_never_beats_the_engine_at_its_nearest_reached_place() {
    // The surface at the grid point nearest to a reached place p is never faster than the
    // engine's time at p minus the walk between them: the surface only adds access legs to
    // the engine's times, and the engine already walks between places closer than the
    // walking radius. It is also never slower than walking from p.
    let net = tiny();
    for origin in ["cx", "cy", "cz", "sa", "z1"] {
        let p = Prepared::new(net.clone(), Profile::Transit);
        let proj = Projection::for_network(&net);
        let access = AccessModel::for_profile(&net, Profile::Transit, None);
        let mut ws = Workspace::new(p.graph.csr.num_nodes());
        let o = place(&net, origin);
        ws.run(
            &p.graph.csr,
            p.graph.place_node(o),
            3600,
            Queue::Bucket,
            false,
        );
        let src = sources(&p, &ws, o, &proj, &access, 3600.0);
        let s = surface(&src, &access, 250.0, 3600.0).unwrap();
        let mut checked = 0;
        for (pi, pl) in net.places.iter().enumerate() {
            let t = ws.dist(p.graph.place_node(PlaceIdx::from_idx(pi)));
            if t == UNREACHED || t > 3000 || pl.kind == onehour::network::model::PlaceKind::RoadNode
            {
                continue;
            }
            let (x, y) = proj.forward(pl.lon, pl.lat);
            let (i, j) = s.nearest(x, y).expect("a reached place lies on the grid");
            let (gx, gy) = s.xy(i, j);
            let walk = ((gx - x).powi(2) + (gy - y).powi(2)).sqrt() * access.s_per_m;
            let v = s.get(i, j);
            assert!(
                v >= t as f64 - walk - 1.0,
                "{origin} → {}: grid {v} s beats engine {t} s",
                pl.id
            );
            assert!(
                v <= t as f64 + walk + 1e-6,
                "{origin} → {}: grid {v} s slower than walking from it",
                pl.id
            );
            checked += 1;
        }
        // Zones are destinations only: from z1 the search reaches z1 alone.
        assert!(
            checked >= if origin == "z1" { 1 } else { 4 },
            "{origin}: {checked} places"
        );
    }
}

#[test]
fn a_car_grid_point_never_beats_the_engine_at_its_nearest_reached_place() {
    // The car surface starts from reached road nodes, adding the graph's own connector (local
    // streets at the car speed and detour, plus parking), and from the origin by local streets
    // directly (parking at both ends), which the graph lacks. So at the grid point nearest to a
    // place it cannot beat the better of the engine's time and that direct drive by more than
    // the drive between point and place.
    let net = tiny();
    let p = Prepared::new(net.clone(), Profile::Car);
    let proj = Projection::for_network(&net);
    let access = AccessModel::for_profile(&net, Profile::Car, None);
    for origin in ["cx", "cy", "cz", "sb", "ra"] {
        let mut ws = Workspace::new(p.graph.csr.num_nodes());
        let o = place(&net, origin);
        ws.run(
            &p.graph.csr,
            p.graph.place_node(o),
            3600,
            Queue::Bucket,
            false,
        );
        let src = sources(&p, &ws, o, &proj, &access, 3600.0);
        let s = surface(&src, &access, 250.0, 3600.0).unwrap();
        let mut checked = 0;
        for (pi, pl) in net.places.iter().enumerate() {
            let t = ws.dist(p.graph.place_node(PlaceIdx::from_idx(pi)));
            if t == UNREACHED || t > 3000 || pl.kind == onehour::network::model::PlaceKind::RoadNode
            {
                continue;
            }
            let (x, y) = proj.forward(pl.lon, pl.lat);
            let Some((i, j)) = s.nearest(x, y) else {
                continue;
            };
            let (gx, gy) = s.xy(i, j);
            let drive = ((gx - x).powi(2) + (gy - y).powi(2)).sqrt() * access.s_per_m;
            let v = s.get(i, j);
            let (ox, oy) = proj.forward(net.place(o).lon, net.place(o).lat);
            let direct =
                2.0 * access.end_s + ((ox - x).powi(2) + (oy - y).powi(2)).sqrt() * access.s_per_m;
            let best = (t as f64).min(direct);
            assert!(
                v >= best - drive - 1.0,
                "{origin} → {}: grid {v} s beats engine {t} s and direct {direct} s",
                pl.id
            );
            checked += 1;
        }
        assert!(checked >= 1, "{origin}: {checked} places");
    }
}

/// A small deterministic generator (xorshift), so failures can be replayed from the seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn random_sources(seed: u64, n: usize, extent: f64, max_start: f64) -> Vec<Source> {
    let mut r = Rng(seed.max(1));
    (0..n)
        .map(|_| Source {
            x: (r.next() - 0.5) * extent,
            y: (r.next() - 0.5) * extent,
            start_s: r.next() * max_start,
        })
        .collect()
}

#[test]
fn surface_matches_the_brute_force_reference_on_random_sources() {
    for seed in 1..=20u64 {
        eprintln!("seed {seed}");
        let src = random_sources(seed * 7919, 30, 20_000.0, 3000.0);
        let access = AccessModel {
            s_per_m: 1.04,
            max_m: 800.0 + seed as f64 * 50.0,
            end_s: if seed % 2 == 0 { 300.0 } else { 0.0 },
        };
        let cell = 150.0 + 10.0 * seed as f64;
        let s = surface(&src, &access, cell, 3600.0).unwrap();
        for j in 0..s.ny {
            for i in 0..s.nx {
                let (x, y) = s.xy(i, j);
                let want = reference_time(&src, &access, cell, x, y);
                let got = s.get(i, j);
                if want <= 3600.0 {
                    assert!(
                        (got - want).abs() < 1e-6,
                        "seed {seed} point ({i},{j}): {got} vs {want}"
                    );
                } else {
                    assert!(
                        got >= want - 1e-6,
                        "seed {seed} point ({i},{j}): {got} below the reference {want}"
                    );
                }
            }
        }
        // Every random surface contours into valid, nested bands.
        let proj = Projection {
            lon0: 113.3,
            lat0: 23.1,
        };
        let mut prev: Option<MultiPolygon<f64>> = None;
        for t in [900.0, 1800.0, 2700.0, 3600.0] {
            for smooth in [true, false] {
                let g = to_wgs84(&contour(&s, t, smooth).unwrap(), &proj);
                assert!(
                    g.is_valid(),
                    "seed {seed} t {t} smooth {smooth}: {:?}",
                    g.validation_errors()
                );
                if smooth {
                    if let Some(p) = &prev {
                        assert!(
                            covered(p, &g, 2e-6),
                            "seed {seed}: band {t} does not contain the previous"
                        );
                    }
                    prev = Some(g);
                }
            }
        }
    }
}

#[test]
fn holes_and_islands_are_assembled_and_wound_per_rfc_7946() {
    // A ring of places 3 km around an unreached middle, with one place in the middle: the band
    // is an annulus (a hole) with an island inside the hole.
    let mut src = Vec::new();
    for k in 0..40 {
        let a = k as f64 / 40.0 * std::f64::consts::TAU;
        src.push(Source {
            x: 3000.0 * a.cos(),
            y: 3000.0 * a.sin(),
            start_s: 600.0,
        });
    }
    src.push(Source {
        x: 0.0,
        y: 0.0,
        start_s: 600.0,
    });
    let access = AccessModel {
        s_per_m: 1.04,
        max_m: 800.0,
        end_s: 0.0,
    };
    let s = surface(&src, &access, 100.0, 3600.0).unwrap();
    let proj = Projection {
        lon0: 113.3,
        lat0: 23.1,
    };
    let g = to_wgs84(&contour(&s, 1800.0, true).unwrap(), &proj);
    assert!(g.is_valid(), "{:?}", g.validation_errors());
    assert_eq!(g.0.len(), 2, "an annulus and an island");
    let holes: usize = g.0.iter().map(|p| p.interiors().len()).sum();
    assert_eq!(holes, 1);
    for p in &g.0 {
        assert!(
            p.exterior().is_ccw(),
            "exterior rings run counter-clockwise"
        );
        for h in p.interiors() {
            assert!(h.is_cw(), "holes run clockwise");
        }
    }
    // The island lies in the hole, not in the annulus.
    let middle = Point::new(113.3, 23.1);
    let island = g.0.iter().find(|p| p.interiors().is_empty()).unwrap();
    assert!(island.contains(&middle));
}

#[test]
fn projection_round_trips_to_a_millimetre() {
    let proj = Projection {
        lon0: 113.3,
        lat0: 23.1,
    };
    for (lon, lat) in [(111.0, 21.5), (115.0, 25.5), (113.3, 23.1), (112.2, 24.9)] {
        let (x, y) = proj.forward(lon, lat);
        let (lo, la) = proj.inverse(x, y);
        assert!(haversine_m(lon, lat, lo, la) < 1e-3);
    }
    // Distances in the projection agree with great-circle distances within 0.1 % over 200 km.
    let (a, b) = ((112.0, 22.5), (114.5, 24.0));
    let (pa, pb) = (proj.forward(a.0, a.1), proj.forward(b.0, b.1));
    let d = ((pa.0 - pb.0).powi(2) + (pa.1 - pb.1).powi(2)).sqrt();
    let h = haversine_m(a.0, a.1, b.0, b.1);
    assert!((d / h - 1.0).abs() < 1e-3, "{d} vs {h}");
}

#[test]
fn a_single_place_gives_a_disc_of_the_access_radius() {
    let src = [Source {
        x: 0.0,
        y: 0.0,
        start_s: 0.0,
    }];
    let access = AccessModel {
        s_per_m: 1.0,
        max_m: 1000.0,
        end_s: 0.0,
    };
    let s = surface(&src, &access, 50.0, 3600.0).unwrap();
    let g = contour(&s, 3600.0, true).unwrap();
    let area = g.unsigned_area();
    // Where the access radius ends the band, its edge runs through the outermost grid points
    // inside the radius: conservative by less than one cell.
    let disc = |r: f64| std::f64::consts::PI * r * r;
    assert!(
        area <= disc(1000.0) && area >= disc(1000.0 - 50.0),
        "{area} vs {}",
        disc(1000.0)
    );
    // Where time ends the band, the edge is interpolated: a disc of radius threshold / pace.
    let g = contour(&s, 500.0, true).unwrap();
    assert!(
        (g.unsigned_area() / disc(500.0) - 1.0).abs() < 0.01,
        "{}",
        g.unsigned_area()
    );
    assert!(g.contains(&Point(Coord { x: 0.0, y: 0.0 })));
}

#[test]
fn bad_parameters_are_refused_with_a_sentence() {
    let ok = IsoParams::default();
    assert!(ok.check().is_ok());
    for bad in [
        IsoParams {
            thresholds_min: vec![],
            ..ok.clone()
        },
        IsoParams {
            thresholds_min: vec![30.0, 15.0],
            ..ok.clone()
        },
        IsoParams {
            thresholds_min: vec![-5.0],
            ..ok.clone()
        },
        IsoParams {
            thresholds_min: vec![f64::NAN],
            ..ok.clone()
        },
        IsoParams {
            cell_m: 0.0,
            ..ok.clone()
        },
        IsoParams {
            cell_m: 5.0,
            ..ok.clone()
        },
        IsoParams {
            max_access_m: Some(-1.0),
            ..ok.clone()
        },
    ] {
        let e = bad.check().unwrap_err();
        assert!(e.len() > 10, "{e}");
    }
}

#[test]
fn geojson_parses_with_the_geojson_crate_and_follows_rfc_7946() {
    let isos = all_tiny();
    let text = to_geojson_text(&feature_collection(isos));
    let gj: geojson::GeoJson = text.parse().expect("valid GeoJSON");
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("a FeatureCollection")
    };
    assert_eq!(
        fc.features.len(),
        isos.iter().map(|i| i.bands.len()).sum::<usize>()
    );
    for f in &fc.features {
        for key in [
            "origin",
            "scenario",
            "profile",
            "minutes",
            "area_km2",
            "population",
        ] {
            assert!(f.property(key).is_some(), "property {key}");
        }
        let g: MultiPolygon<f64> = f
            .geometry
            .clone()
            .expect("geometry")
            .try_into()
            .expect("a MultiPolygon");
        assert!(g.is_valid());
        for p in &g.0 {
            assert!(p.exterior().is_ccw());
            assert!(p.interiors().iter().all(|h| h.is_cw()));
            for c in p.exterior().0.iter() {
                // WGS84 lon/lat order, inside the fixture's bbox, 6 decimals at most.
                assert!(
                    (112.9..113.6).contains(&c.x) && (22.9..23.6).contains(&c.y),
                    "{c:?}"
                );
                assert!(((c.x * 1e6).round() - c.x * 1e6).abs() < 1e-6);
            }
        }
    }
}

#[test]
fn golden_tiny_network_from_west_centre() {
    let net = tiny();
    let p = Prepared::new(net.clone(), Profile::Transit);
    let f = frame(&net, IsoParams::default());
    let mut ws = Workspace::new(p.graph.csr.num_nodes());
    let iso = isochrone(&p, &mut ws, place(&net, "cx"), &f, "today").unwrap();
    let text = to_geojson_text(&feature_collection(&[iso]));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden/tiny-cx-transit.geojson");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .expect("golden file (run with UPDATE_GOLDEN=1 to create it)");
    if want != text {
        for (k, (a, b)) in want.lines().zip(text.lines()).enumerate() {
            if a != b {
                panic!(
                    "golden line {} differs:\nwant {}\ngot  {}",
                    k + 1,
                    &a[..a.len().min(400)],
                    &b[..b.len().min(400)]
                );
            }
        }
        panic!(
            "golden file differs in length: {} vs {} lines",
            want.lines().count(),
            text.lines().count()
        );
    }
}

// ---- The commands, end to end on the tiny network. ----

#[test]
fn isochrones_command_writes_a_file_per_origin_and_scenario_and_a_summary() {
    let out_dir = tempfile::tempdir().unwrap();
    let stdout = run_ok(
        onehour()
            .args(["isochrones", "--network"])
            .arg(common::tiny())
            .arg("--scenarios")
            .arg(common::tiny_scenarios())
            .args([
                "--scenario",
                "base,express",
                "--thresholds",
                "20,40",
                "--cell",
                "200",
                "--out",
            ])
            .arg(out_dir.path()),
    );
    let table = String::from_utf8(stdout).unwrap();
    assert!(
        table.contains("West Centre") && table.contains("express") && table.contains("40 min"),
        "{table}"
    );
    assert!(
        table.contains("6 isochrones (3 origins × 2 scenarios × 2 thresholds)"),
        "{table}"
    );
    let csv = std::fs::read_to_string(out_dir.path().join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 12, "{csv}");
    assert!(csv.starts_with("origin,origin_name,scenario,profile,minutes,area_km2,population"));
    for f in [
        "cx_base_transit.geojson",
        "cz_express_transit.geojson",
        "all.geojson",
    ] {
        let text = std::fs::read_to_string(out_dir.path().join(f)).unwrap();
        let gj: geojson::GeoJson = text.parse().unwrap();
        let geojson::GeoJson::FeatureCollection(fc) = gj else {
            panic!()
        };
        assert_eq!(
            fc.features.len(),
            if f == "all.geojson" { 12 } else { 2 },
            "{f}"
        );
    }
}

#[test]
fn isochrones_command_refuses_bad_input_with_exit_code_2() {
    for args in [
        &["--thresholds", "30,15"][..],
        &["--thresholds", "abc"][..],
        &["--cell", "1"][..],
        &["--origins", "nowhere"][..],
        &["--scenario", "nope"][..],
        &["--access-m", "-5"][..],
    ] {
        let out = onehour()
            .args(["isochrones", "--network"])
            .arg(common::tiny())
            .args(args)
            .args(["--out", "/nonexistent/never-written"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn map_command_draws_one_panel_per_scenario_with_legend_and_scale_bar() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("map.svg");
    run_ok(
        onehour()
            .args(["map", "--network"])
            .arg(common::tiny())
            .arg("--scenarios")
            .arg(common::tiny_scenarios())
            .args(["--scenario", "base,express", "--origin", "cx", "--out"])
            .arg(&svg),
    );
    let s = std::fs::read_to_string(&svg).unwrap();
    assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
    assert!(s.contains("base — from West Centre") && s.contains("express — from West Centre"));
    assert_eq!(
        s.matches("fill-opacity=\"0.45\"").count(),
        8,
        "four bands per panel"
    );
    assert!(
        s.contains("stroke-dasharray=\"5 3\"") && s.contains("in base</text>"),
        "the first panel's largest band outlined on the second"
    );
    assert!(
        s.contains("Door to door, minutes") && s.contains(" km</text>") || s.contains(" m</text>")
    );
    assert!(s.contains("#2c7bb6"), "metro line colour");
}

#[test]
fn export_geojson_has_places_services_and_roads_with_their_properties() {
    let stdout = run_ok(
        onehour()
            .args(["export", "--format", "geojson", "--network"])
            .arg(common::tiny()),
    );
    let gj: geojson::GeoJson = String::from_utf8(stdout).unwrap().parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!()
    };
    let kind = |f: &geojson::Feature| {
        f.property("kind")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let count = |k: &str| fc.features.iter().filter(|f| kind(f) == k).count();
    assert_eq!(count("station"), 4);
    assert_eq!(count("centre"), 3);
    assert_eq!(count("zone"), 1);
    assert_eq!(count("road node"), 2);
    assert_eq!(count("service"), 2);
    assert_eq!(count("road"), 1);
    assert_eq!(count("link"), 1);
    let m1 = fc
        .features
        .iter()
        .find(|f| f.property("id").and_then(|v| v.as_str()) == Some("m1"))
        .unwrap();
    assert_eq!(m1.property("mode").unwrap(), "metro");
    assert_eq!(m1.property("headway_min").unwrap(), 6.0);
    assert_eq!(m1.property("opened").unwrap(), "2010-01-01");
    assert_eq!(m1.property("source").unwrap(), "test fixture");
    let geojson::Value::LineString(ls) = &m1.geometry.as_ref().unwrap().value else {
        panic!()
    };
    assert_eq!(ls.len(), 3);
    assert_eq!(ls[0], vec![113.05, 23.1], "lon, lat order");
    let e1 = fc
        .features
        .iter()
        .find(|f| f.property("id").and_then(|v| v.as_str()) == Some("e1"))
        .unwrap();
    assert_eq!(e1.property("name_zh").unwrap(), "测试高速");
    // Written atomically to a file with --out.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("sub/net.geojson");
    let out = onehour()
        .args(["export", "--network"])
        .arg(common::tiny())
        .arg("--out")
        .arg(&f)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&f)
        .unwrap()
        .parse::<geojson::GeoJson>()
        .is_ok());
}

#[test]
fn bundled_network_bands_are_valid_and_nested_for_every_centre() {
    let manifest = format!(
        "{}/network.toml",
        onehour::network::bundled::DEFAULT_NETWORK
    );
    let net = load_network(&onehour::network::bundled::networks(), &manifest)
        .expect("bundled network")
        .0;
    let f = frame(&net, IsoParams::default());
    for profile in [Profile::Transit, Profile::Car] {
        let p = Prepared::new(net.clone(), profile);
        let centres = net.centres();
        let isos = isochrones(&p, &centres, &f, "today", &|| ()).expect("isochrones");
        assert_eq!(isos.len(), centres.len());
        for iso in &isos {
            for b in &iso.bands {
                assert!(
                    b.geometry.is_valid(),
                    "{} {:?} {} min: {:?}",
                    iso.origin,
                    profile,
                    b.minutes,
                    b.geometry.validation_errors()
                );
            }
            for w in iso.bands.windows(2) {
                assert!(w[0].area_km2 <= w[1].area_km2 && w[0].population <= w[1].population);
                assert!(
                    covered(&w[0].geometry, &w[1].geometry, 2e-6),
                    "{} {:?}: not nested",
                    iso.origin,
                    profile
                );
            }
            // The origin lies in its own shortest band.
            let o = net.place(place(&net, &iso.origin));
            assert!(
                iso.bands[0].geometry.contains(&Point::new(o.lon, o.lat)),
                "{} {:?}",
                iso.origin,
                profile
            );
        }
    }
}
