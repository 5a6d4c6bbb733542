//! The readers of points and opportunities on arbitrary bytes (the first byte picks the
//! reader: points CSV, opportunity CSV, GeoJSON polygons over a small grid): each must read or
//! return problems naming the file, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onehour::geo::grid::Grid;
use onehour::io::opportunities::{load_opportunity_csv, load_points, parse_opportunity_geojson};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let checked = |r: Result<(), onehour::network::problem::Problems>| {
        if let Err(p) = r {
            assert!(p.errors().count() > 0);
            let _ = p.to_string();
        }
    };
    match pick % 3 {
        0 | 1 => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("points.csv");
            std::fs::write(&path, bytes).unwrap();
            if pick % 3 == 0 {
                checked(load_points(&path).map(|_| ()));
            } else {
                checked(load_opportunity_csv(&path, None).map(|_| ()));
            }
        }
        _ => {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return;
            };
            // Porto Alegre's centre, 2 km cells over about 20 x 20 km.
            let grid = Grid::covering([-51.3, -30.15, -51.1, -29.95], 2000.0).unwrap();
            checked(parse_opportunity_geojson(text, "fuzz.geojson", &grid, None).map(|_| ()));
        }
    }
});
