use std::path::{Path, PathBuf};

use super::load::*;
use super::polygon::{check_polygons, ring_area, spread_polygon, Clip, Projected};
use super::sink::MAX_SHOWN;
use super::table::{Loaded, Opportunities};
use crate::geo::grid::Grid;
use crate::io::points::Point;
use crate::network::problem::{Problem, Problems};

fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join(name);
    std::fs::write(&p, text).unwrap();
    (d, p)
}

fn errors(r: Result<(Loaded, Vec<Problem>), Problems>) -> Vec<String> {
    r.unwrap_err().errors().map(|p| p.to_string()).collect()
}

#[test]
fn points_csv_with_extra_columns() {
    let (_d, p) = write(
        "p.csv",
        "id,name,lon,lat\r\na,Alpha,113.1,23.1\r\nb,\"Beta, B\",113.2,23.0\r\n",
    );
    let pts = load_points(&p).unwrap();
    // Columns not read may repeat or lack a name; those read may not repeat.
    let (_d2, q) = write("q.csv", "id,name,name,,lon,lat\na,x,y,z,1,2\n");
    assert_eq!(load_points(&q).unwrap()[0].id, "a");
    let (_d3, q) = write("q.csv", "id,lon,lat,lat\na,1,2,3\n");
    let e = load_points(&q).unwrap_err().to_string();
    assert!(e.contains("column(s) named twice: lat"), "{e}");
    let ids: Vec<&str> = pts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    let lonlat: Vec<(f64, f64)> = pts.iter().map(|p| (p.lon, p.lat)).collect();
    assert_eq!(lonlat, [(113.1, 23.1), (113.2, 23.0)]);
}

#[test]
fn opportunity_csv_reads_every_column_or_the_chosen_ones() {
    let (_d, p) = write(
        "o.csv",
        "\u{feff}id,lon,lat,population,jobs\nx,113.1,23.1,100,5.5\ny,113.2,23.2,0,7\n",
    );
    let (l, _) = load_opportunity_csv(&p, None).unwrap();
    assert_eq!(l.opportunities.names(), ["population", "jobs"]);
    assert_eq!(l.opportunities.column("jobs").unwrap(), [5.5, 7.0]);
    assert_eq!(l.totals, [100.0, 12.5]);
    let (l, _) = load_opportunity_csv(&p, Some(&["jobs".to_string()])).unwrap();
    assert_eq!(l.opportunities.names(), ["jobs"]);
    let e = errors(load_opportunity_csv(
        &p,
        Some(&["jobs".into(), "jobs".into()]),
    ));
    assert!(e[0].contains("the column jobs is chosen twice"), "{e:#?}");
}

#[test]
fn every_bad_csv_value_is_named_with_its_line_and_fix() {
    let (_d, p) = write(
        "o.csv",
        "id,lon,lat,population,jobs\n\
         a,113.1,23.1,10,1\n\
         a,113.1,23.1,10,1\n\
         ,113.1,23.1,10,1\n\
         c,abc,23.1,10,1\n\
         d,23.1,113.1,10,1\n\
         e,113.1,23.1,-3,1\n\
         f,113.1,23.1,NaN,1\n\
         g,,23.1,10,1\n\
         h,113.1,23.1,\"1,234\",1\n\
         i,113.1,23.1,1\n",
    );
    let e = errors(load_opportunity_csv(&p, None));
    let has = |line: usize, what: &str| {
        e.iter()
            .any(|m| m.contains(&format!("o.csv:{line}:")) && m.contains(what))
    };
    assert!(has(3, "id 'a' was already used on line 2"), "{e:#?}");
    assert!(has(4, "the id is empty"), "{e:#?}");
    assert!(has(5, "lon 'abc' is not a number"), "{e:#?}");
    assert!(has(6, "look swapped"), "{e:#?}");
    assert!(has(7, "population -3 is negative"), "{e:#?}");
    assert!(has(8, "not a finite number"), "{e:#?}");
    assert!(has(9, "lon is empty"), "{e:#?}");
    assert!(has(10, "thousands separators"), "{e:#?}");
    assert!(has(11, "CSV syntax error"), "{e:#?}");
    assert!(e.iter().all(|m| m.contains("(fix: ")), "{e:#?}");
}

#[test]
fn empty_values_count_as_zero_with_a_warning_per_column() {
    let (_d, p) = write(
        "o.csv",
        "id,lon,lat,population,jobs\na,1,2,10,\nb,1,2,,\nc,1,2,5,6\n",
    );
    let (l, w) = load_opportunity_csv(&p, None).unwrap();
    assert_eq!(
        l.opportunities.column("population").unwrap(),
        [10.0, 0.0, 5.0]
    );
    assert_eq!(l.opportunities.column("jobs").unwrap(), [0.0, 0.0, 6.0]);
    let w: Vec<String> = w.iter().map(|p| p.to_string()).collect();
    assert_eq!(w.len(), 2, "{w:#?}");
    assert!(
        w[0].starts_with("warning: ")
            && w[0].contains("jobs has no value in 2 record(s) (line 2, line 3): counted as 0"),
        "{w:#?}"
    );
    assert!(
        w[1].contains("population has no value in 1 record(s) (line 3)"),
        "{w:#?}"
    );

    let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
    let a = square(&grid, 0.0, 0.0, 500.0, r#"{"jobs":1,"people":null}"#);
    let b = square(&grid, 0.0, 0.0, 500.0, r#"{"people":4}"#);
    let (_d, p) = write("z.geojson", &collection(&[a.clone(), b]));
    let (l, w) = load_opportunity_geojson(&p, &grid, None).unwrap();
    assert_eq!(l.totals, [1.0, 4.0]);
    let w: Vec<String> = w.iter().map(|p| p.to_string()).collect();
    assert!(
        w.iter()
            .any(|m| m.contains("jobs has no value in 1 record(s) (feature 2)")),
        "{w:#?}"
    );
    assert!(
        w.iter()
            .any(|m| m.contains("people has no value in 1 record(s) (feature 1)")),
        "{w:#?}"
    );
    // A column no feature holds is an error.
    let (_d, p) = write("z.geojson", &collection(&[a]));
    let e = errors(load_opportunity_geojson(
        &p,
        &grid,
        Some(&["Jobs".to_string()]),
    ));
    assert!(e[0].contains("no feature has a value for Jobs"), "{e:#?}");
}

#[test]
fn bad_headers_and_empty_files_are_refused() {
    let cases = [
        ("", "the file is empty"),
        ("id,lon,lat,jobs\n", "has a header but no points"),
        (
            "id,longitude,lat,jobs\na,1,2,3\n",
            "missing column(s) lon (found 'longitude'",
        ),
        ("id,lon,lat\na,1,2\n", "no opportunity column"),
        ("id,lon,lat,jobs,jobs\na,1,2,3,4\n", "named twice: jobs"),
    ];
    for (text, want) in cases {
        let (_d, p) = write("o.csv", text);
        let e = errors(load_opportunity_csv(&p, None));
        assert!(e.iter().any(|m| m.contains(want)), "{text:?}: {e:#?}");
    }
    let (_d, p) = write("o.csv", "id,lon,lat,jobs\na,1,2,3\n");
    let e = errors(load_opportunity_csv(&p, Some(&["people".to_string()])));
    assert!(e[0].contains("no column named people"), "{e:#?}");
    let e = errors(load_opportunity_csv(Path::new("/nonexistent/o.csv"), None));
    assert!(e[0].contains("no such file"), "{e:#?}");
}

#[test]
fn errors_beyond_the_cap_are_counted() {
    let mut t = String::from("id,lon,lat,jobs\n");
    for i in 0..(MAX_SHOWN + 7) {
        t.push_str(&format!("p{i},1,2,-1\n"));
    }
    let (_d, p) = write("o.csv", &t);
    let e = errors(load_opportunity_csv(&p, None));
    assert_eq!(e.len(), MAX_SHOWN + 1);
    assert!(e[MAX_SHOWN].contains("7 more errors"), "{}", e[MAX_SHOWN]);
}

#[test]
fn points_sum_into_cells_and_what_is_outside_is_counted() {
    let grid = Grid::covering([113.0, 23.0, 113.1, 23.1], 2000.0).unwrap();
    let (lon, lat) = grid.centroid(3);
    let o = Opportunities {
        ids: vec!["a".into(), "b".into(), "c".into()],
        lonlat: vec![(lon, lat), (lon + 0.001, lat), (120.0, 30.0)],
        cells: None,
        columns: vec![("jobs".into(), vec![1.0, 2.0, 4.0])],
    };
    let (g, out, n) = o.to_grid(&grid);
    assert_eq!(g.len(), grid.len());
    assert_eq!(g.column("jobs").unwrap()[3], 3.0);
    assert_eq!(out, [4.0]);
    assert_eq!(n, 1);
    let nz = g.nonzero();
    assert_eq!(nz.ids, [grid.id(3)]);
    assert_eq!(nz.cells, Some(vec![3]));
}

/// A square of `side` metres centred on projected `(x, y)`, as a GeoJSON feature.
fn square(grid: &Grid, x: f64, y: f64, side: f64, props: &str) -> String {
    let h = side / 2.0;
    let pts: Vec<String> = [(-h, -h), (h, -h), (h, h), (-h, h), (-h, -h)]
        .iter()
        .map(|&(dx, dy)| {
            let (lon, lat) = grid.projection().inverse(x + dx, y + dy);
            format!("[{lon},{lat}]")
        })
        .collect();
    format!(
        r#"{{"type":"Feature","properties":{props},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
        pts.join(",")
    )
}

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

#[test]
fn a_polygon_spreads_by_area_over_the_cells_it_covers() {
    let grid = Grid::covering([113.0, 23.0, 113.2, 23.2], 1000.0).unwrap();
    // A 2 km square centred on the corner shared by four cells: a quarter in each, and
    // within each cell a square of 1 km² (the whole cell).
    let i = grid.index(5, 5);
    let [w, s, _, _] = grid.rect_m(i);
    let f = square(
        &grid,
        w,
        s,
        2000.0,
        r#"{"name":"z","population":400,"jobs":8}"#,
    );
    let (_d, p) = write("z.geojson", &collection(&[f]));
    let (l, w_) = load_opportunity_geojson(&p, &grid, None).unwrap();
    assert!(w_.is_empty(), "{w_:?}");
    let o = &l.opportunities;
    // Columns in alphabetical order (JSON objects are read as sorted maps).
    assert_eq!(o.names(), ["jobs", "population"]);
    let pop = o.column("population").unwrap();
    for (r, c) in [
        (5, 5),
        (5, 4),
        (6, 5),
        (6, 4),
        (4, 4),
        (4, 5),
        (5, 3),
        (6, 3),
        (7, 4),
        (7, 5),
        (4, 6),
        (5, 6),
    ] {
        let want =
            if (4..=7).contains(&r) && (3..=6).contains(&c) && r != 4 && r != 7 && c != 3 && c != 6
            {
                100.0
            } else {
                0.0
            };
        let got = pop[grid.index(r, c)];
        assert!((got - want).abs() < 0.05, "cell r{r}c{c}: {got} vs {want}");
    }
    assert!((pop.iter().sum::<f64>() - 400.0).abs() < 1e-9);
    assert_eq!(l.outside, [0.0, 0.0]);
}

#[test]
fn a_polygon_half_outside_keeps_half_and_reports_the_rest() {
    let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
    let [w, s, _, n] = grid.extent_m();
    // Straddles the grid's west edge, half in, half out.
    let f = square(&grid, w, (s + n) / 2.0, 1000.0, r#"{"jobs":10}"#);
    let far = square(&grid, w - 50_000.0, s, 1000.0, r#"{"jobs":5}"#);
    let (_d, p) = write("z.geojson", &collection(&[f, far]));
    let (l, warnings) = load_opportunity_geojson(&p, &grid, None).unwrap();
    let inside: f64 = l.opportunities.column("jobs").unwrap().iter().sum();
    assert!((inside - 5.0).abs() < 1e-3, "{inside}");
    assert!((l.outside[0] - 10.0).abs() < 1e-3);
    assert_eq!(l.totals, [15.0]);
    let w: Vec<String> = warnings.iter().map(|p| p.to_string()).collect();
    assert!(
        w.iter()
            .any(|m| m.contains("feature 2") && m.contains("lies outside the grid")),
        "{w:#?}"
    );
    assert!(
        w.iter()
            .any(|m| m.contains("1 feature(s) lie partly and 1 wholly")),
        "{w:#?}"
    );
}

#[test]
fn the_clip_agrees_with_geo_boolean_intersection() {
    use geo::{Area, BooleanOps, Coord, LineString, Polygon};
    let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 500.0).unwrap();
    let [w, s, _, _] = grid.extent_m();
    // A concave polygon with a hole, in projected metres.
    let ext = vec![
        (w + 100.0, s + 100.0),
        (w + 2900.0, s + 300.0),
        (w + 1500.0, s + 1200.0),
        (w + 2700.0, s + 2600.0),
        (w + 300.0, s + 2400.0),
    ];
    let hole = vec![
        (w + 600.0, s + 600.0),
        (w + 600.0, s + 1400.0),
        (w + 1100.0, s + 900.0),
    ];
    let p = Projected {
        bbox: [w + 100.0, s + 100.0, w + 2900.0, s + 2600.0],
        area: ring_area(&ext).abs() - ring_area(&hole).abs(),
        rings: vec![
            (ext.clone(), ring_area(&ext).signum()),
            (hole.clone(), ring_area(&hole).signum()),
        ],
    };
    let mut acc = Vec::new();
    spread_polygon(&p, &grid, &mut Clip::default(), &mut acc);
    let ls = |r: &Vec<(f64, f64)>| {
        let mut c: Vec<Coord<f64>> = r.iter().map(|&(x, y)| Coord { x, y }).collect();
        c.push(c[0]);
        LineString(c)
    };
    let poly = Polygon::new(ls(&ext), vec![ls(&hole)]);
    let mut total = 0.0;
    let mut checked = 0;
    for i in 0..grid.len() {
        let [cw, cs, ce, cn] = grid.rect_m(i);
        let cell = Polygon::new(
            LineString(vec![
                Coord { x: cw, y: cs },
                Coord { x: ce, y: cs },
                Coord { x: ce, y: cn },
                Coord { x: cw, y: cn },
                Coord { x: cw, y: cs },
            ]),
            vec![],
        );
        let want = poly.intersection(&cell).unsigned_area();
        let got = acc.iter().find(|(k, _)| *k == i).map_or(0.0, |x| x.1);
        // geo's overlay snaps to a fixed-precision grid: agreement to 1e-7 relative.
        assert!(
            (got - want).abs() < 1e-7 * want.max(1.0),
            "cell {i}: {got} vs {want}"
        );
        total += got;
        checked += (want > 0.0) as usize;
    }
    assert!(checked > 10);
    assert!((total - p.area).abs() < 1e-3 * p.area);
}

/// A projected polygon from rings in metres.
fn poly(rings: &[&[(f64, f64)]]) -> Projected {
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for r in rings {
        for &(x, y) in r.iter() {
            bbox = [
                bbox[0].min(x),
                bbox[1].min(y),
                bbox[2].max(x),
                bbox[3].max(y),
            ];
        }
    }
    Projected {
        rings: rings
            .iter()
            .map(|r| (r.to_vec(), ring_area(r).signum()))
            .collect(),
        bbox,
        area: 0.0,
    }
}

#[test]
fn invalid_polygons_are_found_and_valid_ones_pass() {
    let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
    let sq = |x: f64, y: f64, s: f64| vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s)];
    let check = |p: &[Projected]| check_polygons(p, &grid);
    // Valid: a square; a square with a hole; a hole touching the exterior at a vertex; an
    // island in the lake of another part.
    let big = sq(0.0, 0.0, 100.0);
    let hole = vec![(20.0, 20.0), (20.0, 80.0), (80.0, 80.0), (80.0, 20.0)];
    assert!(check(&[poly(&[&big])]).is_ok());
    assert!(check(&[poly(&[&big, &hole])]).is_ok());
    let touching = vec![(0.0, 0.0), (10.0, 30.0), (30.0, 10.0)];
    assert!(check(&[poly(&[&big, &touching])]).is_ok());
    let island = sq(40.0, 40.0, 10.0);
    assert!(check(&[poly(&[&big, &hole]), poly(&[&island])]).is_ok());
    // Invalid.
    let bowtie = vec![(0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)];
    assert!(check(&[poly(&[&bowtie])])
        .unwrap_err()
        .contains("the exterior crosses itself"));
    let outside = sq(200.0, 200.0, 10.0);
    assert!(check(&[poly(&[&big, &outside])])
        .unwrap_err()
        .contains("hole 1 lies outside its exterior"));
    let crossing_hole = sq(90.0, 90.0, 20.0);
    assert!(check(&[poly(&[&big, &crossing_hole])])
        .unwrap_err()
        .contains("the exterior and hole 1 cross"));
    let inner = sq(10.0, 10.0, 5.0);
    assert!(check(&[poly(&[&big]), poly(&[&inner])])
        .unwrap_err()
        .contains("parts 1 and 2 overlap"));
    assert!(check(&[poly(&[&inner]), poly(&[&big])])
        .unwrap_err()
        .contains("parts 1 and 2 overlap"));
    let shifted = sq(50.0, 50.0, 100.0);
    assert!(check(&[poly(&[&big]), poly(&[&shifted])])
        .unwrap_err()
        .contains("exterior of part 1 and the exterior of part 2 cross"));
    let along = vec![
        (0.0, 0.0),
        (100.0, 0.0),
        (100.0, 10.0),
        (80.0, 10.0),
        (80.0, 0.0),
        (40.0, 0.0),
        (40.0, -10.0),
        (0.0, -10.0),
    ];
    assert!(
        check(&[poly(&[&along])])
            .unwrap_err()
            .contains("crosses itself"),
        "an edge running back along another"
    );
    // Crossing at a vertex passes the check as a touch; spreading finds a negative area.
    let [w, s, _, _] = grid.extent_m();
    let at = |x: f64, y: f64| (w + x, s + y);
    let vertex_cross = vec![
        at(0.0, 0.0),
        at(2000.0, 2000.0),
        at(2000.0, 0.0),
        at(1000.0, 1000.0),
        at(0.0, 2000.0),
    ];
    let p = poly(&[&vertex_cross]);
    assert!(check(&[poly(&[&vertex_cross])]).is_ok());
    let mut acc = Vec::new();
    spread_polygon(&p, &grid, &mut Clip::default(), &mut acc);
    assert!(acc.iter().any(|x| x.1 < -1.0), "{acc:?}");
    // A large valid outline passes (and fast: edges are bucketed).
    let circle: Vec<(f64, f64)> = (0..20_000)
        .map(|k| {
            let a = std::f64::consts::TAU * k as f64 / 20_000.0;
            (10_000.0 * a.cos(), 10_000.0 * a.sin())
        })
        .collect();
    assert!(check(&[poly(&[&circle])]).is_ok());
}

proptest::proptest! {
    /// On random small rings, the check agrees with `geo`'s validation (which also
    /// rejects self-touching rings, a case random coordinates never produce).
    #[test]
    fn the_validity_check_agrees_with_geo(pts in proptest::collection::vec((0.0..100.0f64, 0.0..100.0f64), 3..9)) {
        use geo::Validation;
        let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
        let mut c: Vec<geo::Coord<f64>> = pts.iter().map(|&(x, y)| geo::Coord { x, y }).collect();
        c.push(c[0]);
        let g = geo::Polygon::new(geo::LineString(c), vec![]);
        let mine = check_polygons(&[poly(&[&pts])], &grid).is_ok();
        proptest::prop_assert_eq!(mine, g.is_valid());
    }
}

#[test]
fn every_bad_feature_is_named() {
    let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
    let ok = square(&grid, 0.0, 0.0, 500.0, r#"{"jobs":1}"#);
    let text = collection(&[
        ok.clone(),
        r#"{"type":"Feature","id":"pt","properties":{"jobs":1},"geometry":{"type":"Point","coordinates":[113,23]}}"#.into(),
        ok.replace(r#""jobs":1"#, r#""jobs":"12""#),
        ok.replace(r#""jobs":1"#, r#""jobs":-2"#),
        ok.replace(r#""jobs":1"#, r#""people":2"#),
        r#"{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"Polygon","coordinates":[[[113,23],[113.01,23],[113.01,23.01],[113,23.01]]]}}"#.into(),
        r#"{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"Polygon","coordinates":[[[113,23],[113.01,23.01],[113.01,23],[113,23.01],[113,23]]]}}"#.into(),
        r#"{"type":"Feature","properties":{"jobs":1},"geometry":null}"#.into(),
        r#"{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"Polygon","coordinates":[[[313,23],[113.01,23],[113.01,23.01],[313,23]]]}}"#.into(),
        r#"{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"Polygon","coordinates":[[[113,23],[113.02,23.02],[113.02,23],[113.01,23.01],[113,23.02],[113,23]]]}}"#.into(),
    ]);
    let (_d, p) = write("z.geojson", &text);
    let e = errors(load_opportunity_geojson(
        &p,
        &grid,
        Some(&["jobs".to_string()]),
    ));
    let has = |f: &str, what: &str| {
        e.iter()
            .any(|m| m.contains(&format!("{f}:")) && m.contains(what))
    };
    assert!(has("feature 2 (id pt)", "a Point geometry"), "{e:#?}");
    assert!(has("feature 3", "the string \"12\""), "{e:#?}");
    assert!(has("feature 4", "jobs -2 is negative"), "{e:#?}");
    assert!(!e.iter().any(|m| m.contains("feature 5")), "{e:#?}");
    assert!(
        has("feature 6", "not closed") && has("feature 6", "RFC 7946"),
        "{e:#?}"
    );
    assert!(
        has("feature 7", "the exterior crosses itself near (113."),
        "{e:#?}"
    );
    assert!(has("feature 8", "no geometry"), "{e:#?}");
    assert!(has("feature 9", "longitude 313 is outside"), "{e:#?}");
    assert!(has("feature 10", "the geometry is not valid"), "{e:#?}");
    assert!(!e.iter().any(|m| m.contains("feature 1:")), "{e:#?}");
    for (text, want) in [
        ("", "the file is empty"),
        ("{\"type\":", "not valid JSON"),
        (
            r#"{"type":"Polygon","coordinates":[]}"#,
            "a Polygon, not a FeatureCollection",
        ),
        (
            r#"{"type":"FeatureCollection","features":[]}"#,
            "has no features",
        ),
    ] {
        let (_d, p) = write("z.geojson", text);
        let e = errors(load_opportunity_geojson(&p, &grid, None));
        assert!(e.iter().any(|m| m.contains(want)), "{text:?}: {e:#?}");
    }
    let (_d, p) = write("z.geojson", "{}");
    let e = errors(load_opportunities(&p, None, None));
    assert!(e[0].contains("no grid was given"), "{e:#?}");
}

/// Reads `text` as a point file `p.csv`, the message of its problems joined.
fn load_point_text(text: &str) -> Result<Vec<Point>, String> {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("p.csv");
    std::fs::write(&p, text).unwrap();
    load_points(&p).map_err(|e| e.to_string())
}

#[test]
fn reads_points_and_names_bad_lines() {
    let ok = load_point_text("id,lat,lon,pop\na,23.1,113.2,5\nb, 23.2 ,113.3,\n").unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!((ok[1].lon, ok[1].lat), (113.3, 23.2));
    let e = load_point_text("id,lon,lat\na,113,23\na,114,23\nb,200,23\nc,x,23\n").unwrap_err();
    assert!(
        e.contains("p.csv:3") && e.contains("already used on line 2"),
        "{e}"
    );
    assert!(e.contains("p.csv:4") && e.contains("longitude 200"), "{e}");
    assert!(e.contains("p.csv:5") && e.contains("'x'"), "{e}");
    let e = load_point_text("id,x,y\na,1,2\n").unwrap_err();
    assert!(e.contains("lon, lat") && e.contains("id, lon, lat"), "{e}");
    assert!(load_point_text("id,lon,lat\n")
        .unwrap_err()
        .contains("no point"));
    assert!(load_point_text("id,lon,lat\na,1,2,3\n").is_err());
}

#[test]
fn values_above_1e12_are_refused_in_csv_and_geojson() {
    let (_d, p) = write(
        "o.csv",
        "id,lon,lat,population,jobs\na,113.3,23.1,1e12,1\nb,113.31,23.11,1e308,1\nc,113.32,23.12,5,1000000000001\n",
    );
    let e = errors(load_opportunity_csv(&p, None));
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(
        e[0].contains("o.csv:3:") && e[0].contains("population 1e308 is above"),
        "{e:#?}"
    );
    assert!(
        e[1].contains("o.csv:4:") && e[1].contains("jobs 1.000000000001e12 is above"),
        "{e:#?}"
    );
    let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
    let text = collection(&[
        square(&grid, 0.0, 0.0, 500.0, r#"{"jobs":1e12}"#),
        square(&grid, 2000.0, 0.0, 500.0, r#"{"jobs":1e308}"#),
    ]);
    let (_d, p) = write("z.geojson", &text);
    let e = errors(load_opportunity_geojson(&p, &grid, None));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].contains("feature 2:") && e[0].contains("jobs 1e308 is above"),
        "{e:#?}"
    );
    // The largest value accepted, in every feature: the sums stay finite.
    let many: Vec<String> = (0..20)
        .map(|k| {
            square(
                &grid,
                600.0 * k as f64 - 6000.0,
                0.0,
                500.0,
                r#"{"jobs":1e12}"#,
            )
        })
        .collect();
    let (_d, p) = write("z.geojson", &collection(&many));
    let (l, _) = load_opportunity_geojson(&p, &grid, None).unwrap();
    assert_eq!(l.totals, [2e13]);
}

#[test]
fn repeated_ids_and_overlapping_features_are_errors() {
    let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
    let a = square(&grid, 0.0, 0.0, 1000.0, r#"{"id":"a","jobs":1000}"#);
    // The same square twice: counted twice.
    let (_d, p) = write(
        "z.geojson",
        &collection(&[a.clone(), a.replace("\"a\"", "\"b\"")]),
    );
    let e = errors(load_opportunity_geojson(&p, &grid, None));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].contains(
            "feature 2 (id b): overlaps feature 1 (id a) over 1.000 km² (100.0 % of the smaller)"
        ),
        "{e:#?}"
    );
    // Half of a smaller square inside a larger one.
    let b = square(&grid, 700.0, 0.0, 600.0, r#"{"id":"b","jobs":5}"#);
    let (_d, p) = write("z.geojson", &collection(&[a.clone(), b]));
    let e = errors(load_opportunity_geojson(&p, &grid, None));
    assert!(
        e[0].contains("(") && e[0].contains("% of the smaller"),
        "{e:#?}"
    );
    // Neighbours sharing a border, or overlapping by a sliver under 1 % of the smaller, pass.
    let next = square(&grid, 1000.0, 0.0, 1000.0, r#"{"id":"b","jobs":5}"#);
    let sliver = square(&grid, 995.0, 3000.0, 1000.0, r#"{"id":"c","jobs":5}"#);
    let above = square(&grid, 0.0, 3000.0, 1000.0, r#"{"id":"d","jobs":5}"#);
    let (_d, p) = write("z.geojson", &collection(&[a.clone(), next, above, sliver]));
    let (l, _) = load_opportunity_geojson(&p, &grid, None).unwrap();
    assert_eq!(l.totals, [1015.0]);
    // Repeated ids, as the feature's id or its id property, numbers or strings.
    let far = square(&grid, 5000.0, 0.0, 500.0, r#"{"id":"a","jobs":1}"#);
    let num = square(&grid, -5000.0, 0.0, 500.0, r#"{"id":7,"jobs":1}"#);
    let num2 = square(&grid, -5000.0, 5000.0, 500.0, r#"{"jobs":1}"#).replacen(
        "{\"type\":\"Feature\"",
        "{\"type\":\"Feature\",\"id\":7",
        1,
    );
    let (_d, p) = write("z.geojson", &collection(&[a, far, num, num2]));
    let e = errors(load_opportunity_geojson(&p, &grid, None));
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(
        e[0].contains("feature 2 (id a): id a was already used by feature 1"),
        "{e:#?}"
    );
    assert!(
        e[1].contains("feature 4 (id 7): id 7 was already used by feature 3"),
        "{e:#?}"
    );
}

#[test]
fn the_extent_read_without_a_grid_reports_what_reading_on_a_grid_does() {
    let grid = Grid::covering([113.0, 23.0, 113.05, 23.05], 1000.0).unwrap();
    let ok = square(&grid, 0.0, 0.0, 500.0, r#"{"jobs":1}"#);
    let cases = [
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"Poly"#.to_string(),
        ok.replace("[113", "[NaN"),
        ok.replace(r#""jobs":1"#, r#""jobs":1e999"#),
        format!("{}{}", "[".repeat(200), "]".repeat(200)),
        String::new(),
        collection(&[ok.replace(r#""geometry":{"#, r#""geometry":null,"g":{"#)]),
        collection(&[r#"{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"GeometryCollection","geometries":[]}}"#.into()]),
        collection(&[ok.replace("[113", "[213")]),
        collection(&[r#"{"type":"Feature","properties":{"jobs":1},"geometry":{"type":"Polygon","coordinates":[[]]}}"#.into()]),
        collection(&[ok.replace(r#""jobs":1"#, r#""jobs":1e308"#)]),
        collection(&[ok.replace(r#""jobs":1"#, r#""id":1,"jobs":1"#), ok.replace(r#""jobs":1"#, r#""id":1,"jobs":1"#)]),
    ];
    for text in cases {
        let (_d, p) = write("z.geojson", &text);
        let with_grid = errors(load_opportunity_geojson(&p, &grid, None));
        let without = opportunity_geojson_extent(&p, None)
            .unwrap_err()
            .errors()
            .map(|p| p.to_string())
            .collect::<Vec<_>>();
        assert!(!without.is_empty(), "{text}");
        assert_eq!(with_grid, without, "{text}");
        assert!(
            without.iter().all(|m| m.contains("z.geojson")),
            "{without:#?}"
        );
    }
    let (_d, p) = write("z.geojson", &collection(&[ok]));
    let b = opportunity_geojson_extent(&p, None).unwrap();
    let (w, s) = grid.projection().inverse(-250.0, -250.0);
    let (e, n) = grid.projection().inverse(250.0, 250.0);
    for (got, want) in b.iter().zip([w, s, e, n]) {
        assert!((got - want).abs() < 1e-5, "{b:?} vs {:?}", [w, s, e, n]);
    }
}
