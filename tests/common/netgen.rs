// A synthetic network written as files, for the parse benchmark (benches/parse.rs), the
// linear-parsing tests (tests/robustness.rs) and memory measurements: a 20 x 20 grid of metro
// stations about 1 km apart, `services` stopping patterns of four stops each along a row of the
// grid, optionally trips of them on one weekday calendar, and scenarios with many edits; every
// record valid.
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

/// A calendars file with one calendar, `wk`: Monday to Friday, 2020 to 2030.
pub fn calendars_csv() -> String {
    "id,days,start,end,added,removed,source\nwk,Mon-Fri,2020-01-01,2030-12-31,,,synthetic\n"
        .to_string()
}

/// A trips file with `trips` trips of the first `services` services of [`services_toml`], one
/// after another round the services, each calling at its service's four stops with its run and
/// dwell times; a service's trips leave one minute apart from 05:00.
pub fn trips_csv(services: usize, trips: usize) -> String {
    let mut s = String::with_capacity(trips * 4 * 56 + 64);
    s.push_str("service,trip,calendar,stop,arrive,depart,source\n");
    let clock = |secs: usize| format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    for t in 0..trips {
        let k = t % services;
        let (row, col) = (k % SIDE, (k / SIDE) % (SIDE - 3));
        let start = 5 * 3600 + 60 * (t / services);
        // Arrivals and departures at the four stops: run 2, 2 and 2.5 min, dwell 0.5 min.
        let times = [(0, 0), (120, 150), (270, 300), (450, 450)];
        for (j, (arr, dep)) in times.iter().enumerate() {
            writeln!(
                s,
                "svc-{k},t{t},wk,s{row}_{},{},{},{}",
                col + j,
                clock(start + arr),
                clock(start + dep),
                if j == 0 { "synthetic" } else { "" }
            )
            .unwrap();
        }
    }
    s
}

/// Writes the network of [`write_network`] with `trips` trips ([`trips_csv`]) over its
/// services, on the calendar of [`calendars_csv`].
pub fn write_network_with_trips(dir: &Path, services: usize, trips: usize) {
    write_network(dir, services);
    std::fs::write(
        dir.join("network.toml"),
        "name = \"grid\"\nbbox = [112.5, 22.5, 113.5, 23.5]\nstations = [\"stations.csv\"]\n\
         services = [\"services.toml\"]\ncalendars = [\"calendars.csv\"]\ntrips = [\"trips.csv\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("calendars.csv"), calendars_csv()).unwrap();
    std::fs::write(dir.join("trips.csv"), trips_csv(services, trips)).unwrap();
}

/// A scenario named `name` with `edits` edits over a network of `services` services of
/// [`services_toml`], each naming a different service (so `edits <= services`), spread
/// evenly: in turn `set_headway`, `scale_speed`, `set_run_times`, `remove_service` and
/// `add_service` (a new service along the same stations).
pub fn scenario_toml(name: &str, services: usize, edits: usize) -> String {
    assert!(edits <= services, "one edit per service");
    let mut s = format!("name = \"{name}\"\n");
    for e in 0..edits {
        let k = e * (services / edits.max(1));
        let (row, col) = (k % SIDE, (k / SIDE) % (SIDE - 3));
        match e % 5 {
            0 => writeln!(
                s,
                "[[edit]]\nop = \"set_headway\"\nservice = \"svc-{k}\"\nheadway_min = 5"
            ),
            1 => writeln!(
                s,
                "[[edit]]\nop = \"scale_speed\"\nservice = \"svc-{k}\"\nfactor = 1.25"
            ),
            2 => writeln!(
                s,
                "[[edit]]\nop = \"set_run_times\"\nservice = \"svc-{k}\"\nrun_min = [3, 3, 3]"
            ),
            3 => writeln!(
                s,
                "[[edit]]\nop = \"remove_service\"\nservice = \"svc-{k}\""
            ),
            _ => writeln!(
                s,
                "[[edit]]\nop = \"add_service\"\nservice = {{ id = \"new-{k}\", line = \"New {k}\", \
                 mode = \"metro\", headway_min = 4, dwell_min = 0.5, opened = \"2010\", \
                 source = \"synthetic\", stops = [{{ at = \"s{row}_{col}\" }}, \
                 {{ at = \"s{row}_{}\", run_min = 2 }}, {{ at = \"s{row}_{}\", run_min = 2 }}] }}",
                col + 1,
                col + 2
            ),
        }
        .unwrap();
    }
    s
}
