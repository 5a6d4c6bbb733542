// A synthetic network written as files, for the parse benchmark (benches/parse.rs) and the
// linear-parsing test (tests/robustness.rs): a 20 x 20 grid of metro stations about 1 km apart
// and `services` stopping patterns of four stops each along a row of the grid, every one valid.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

/// Grid side: 400 stations.
const SIDE: usize = 20;

/// The stations file of the grid.
pub fn stations_csv() -> String {
    let mut s = String::from("id,name,name_zh,city,district,lon,lat,interchange_min,source\n");
    for i in 0..SIDE {
        for j in 0..SIDE {
            let (lon, lat) = (113.0 + 0.01 * j as f64, 23.0 + 0.01 * i as f64);
            writeln!(
                s,
                "s{i}_{j},Station {i} {j},站{i}_{j},Gridcity,Grid,{lon:.4},{lat:.4},2,synthetic"
            )
            .unwrap();
        }
    }
    s
}

/// A services file with `n` services.
pub fn services_toml(n: usize) -> String {
    let mut s = String::with_capacity(n * 300);
    for k in 0..n {
        let row = k % SIDE;
        let col = (k / SIDE) % (SIDE - 3);
        writeln!(
            s,
            "[[service]]\nid = \"svc-{k}\"\nline = \"Line {k}\"\nmode = \"metro\"\nheadway_min = 6\n\
             dwell_min = 0.5\nopened = \"2010\"\nsource = \"synthetic\"\nstops = [\n  {{ at = \"s{row}_{col}\" }},\n  \
             {{ at = \"s{row}_{}\", run_min = 2 }},\n  {{ at = \"s{row}_{}\", run_min = 2 }},\n  \
             {{ at = \"s{row}_{}\", run_min = 2.5 }},\n]\n",
            col + 1,
            col + 2,
            col + 3
        )
        .unwrap();
    }
    s
}

/// Writes the whole network (manifest, stations, services) into `dir`.
pub fn write_network(dir: &Path, services: usize) {
    std::fs::write(
        dir.join("network.toml"),
        "name = \"grid\"\nbbox = [112.5, 22.5, 113.5, 23.5]\nstations = [\"stations.csv\"]\nservices = [\"services.toml\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("stations.csv"), stations_csv()).unwrap();
    std::fs::write(dir.join("services.toml"), services_toml(services)).unwrap();
}
