//! The model against published timetables and door-to-door claims (tests/fixtures/fidelity/,
//! each row with its source; tests/fixtures/fidelity/README.md explains the tables).
//!
//! - `in_vehicle.csv`: published station-to-station times from sources *other* than the one the
//!   checked network record was typed from. These can catch a wrong source.
//! - `consistency.csv`: published times that the network record was typed from. They only catch
//!   typing and distribution errors.
//! - `station_claims.csv`: published station-to-station claims for the station-to-station
//!   indicator; for now only checked for completeness and existing stations.
//! - `door_to_door.csv`: centre-to-centre ranges derived from published claims.

use onehour::analysis::{fastest_ride, time_matrix};
use onehour::graph::Prepared;
use onehour::graph::Profile;
use onehour::network::bundled;
use onehour::network::load::load_network;
use onehour::network::model::{Date, Directions, Network, PlaceKind, Service};
use std::collections::HashSet;

fn network() -> Network {
    load_network(&bundled::networks(), "guangzhou/network.toml")
        .unwrap_or_else(|p| panic!("the bundled network must validate:\n{p}"))
        .0
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/fidelity/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A published station-to-station time (`in_vehicle.csv` and `consistency.csv` share the format).
#[derive(serde::Deserialize)]
struct InVehicle {
    from: String,
    to: String,
    mode: String,
    minutes: f64,
    /// The train(s) or service the figure describes, with their times.
    train: String,
    /// The timetable or date the figure describes.
    timetable: String,
    /// A day (YYYY-MM-DD) on which the timetable the figure describes was in force: the row is
    /// checked against the network as it runs on that day (`Network::as_on`), not against every
    /// pattern ever typed. A row dated before the network's `valid_on` passes only if the network
    /// has the pattern of that period (with its `opened`/`closed` dates).
    timetable_date: String,
    source: String,
    /// A string that identifies the source (a repository `owner/name`, a publisher or domain, a
    /// title); it must occur in `source`. Whether it occurs in the checked network record's
    /// source texts decides the table the row belongs to.
    source_key: String,
    /// What the network figure was typed from when the row was written (for the reader).
    network_source: String,
}

fn read_in_vehicle(name: &str) -> Vec<InVehicle> {
    let path = fixture(name);
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    rdr.deserialize::<InVehicle>()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("{name} row {}: {e}", i + 1)))
        .collect()
}

/// The services whose single ride from `from` to `to` (run times and intermediate dwells, as
/// `analysis::fastest_ride` counts them) equals the fastest one: the network records a row checks
/// (several when patterns tie).
fn fastest_records<'a>(net: &'a Network, from: &str, to: &str, fastest: f64) -> Vec<&'a Service> {
    let mut out = Vec::new();
    for s in &net.services {
        let (Some(a), Some(b)) = (
            s.stops.iter().position(|x| x.at == from),
            s.stops.iter().position(|x| x.at == to),
        ) else {
            continue;
        };
        if a > b && s.directions == Directions::Forward {
            continue;
        }
        let (lo, hi) = (a.min(b), a.max(b));
        let mut m = 0.0;
        for i in lo + 1..=hi {
            m += s.run_min(i).unwrap_or(f64::INFINITY);
            if i < hi {
                m += s.dwell_at(i);
            }
        }
        if (m - fastest).abs() < 1e-6 {
            out.push(s);
        }
    }
    out
}

/// Every source text of a network record, lower-cased: where its figures came from.
fn record_sources(s: &Service) -> String {
    [&s.source, &s.headway_source, &s.opened_source, &s.estimate]
        .iter()
        .map(|t| t.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks the rows of one table against the network as it runs on each row's `timetable_date`:
/// complete, the key in the row's own source, the independence rule
/// (`independent`: the key must not occur in the checked records' source texts; otherwise it must
/// occur in at least one of them), and the
/// fastest single service of the model within ±10 % of the published minutes. Returns the number
/// of rows, the modes and the failures.
fn check_in_vehicle(
    net: &Network,
    name: &str,
    independent: bool,
) -> (usize, HashSet<String>, Vec<String>) {
    let rows = read_in_vehicle(name);
    let mut modes = HashSet::new();
    let mut failures = Vec::new();
    for r in &rows {
        let what = format!("{name}: {} -> {} ({})", r.from, r.to, r.train);
        for (field, v) in [
            ("mode", &r.mode),
            ("train", &r.train),
            ("timetable", &r.timetable),
            ("source", &r.source),
            ("source_key", &r.source_key),
            ("network_source", &r.network_source),
        ] {
            assert!(!v.trim().is_empty(), "{what}: empty {field}");
        }
        assert!(r.minutes > 0.0, "{what}: minutes must be positive");
        let day = Date::parse_full(&r.timetable_date).unwrap_or_else(|| {
            panic!(
                "{what}: timetable_date {:?} is not a date YYYY-MM-DD",
                r.timetable_date
            )
        });
        let valid_on = net.valid_on.expect("the network must declare valid_on");
        assert!(
            day <= valid_on,
            "{what}: timetable_date {day} is after the day the network describes ({valid_on})"
        );
        let net = &net.as_on(day);
        let key = r.source_key.trim().to_lowercase();
        assert!(
            r.source.to_lowercase().contains(&key),
            "{what}: source_key {:?} does not occur in the row's source",
            r.source_key
        );
        modes.insert(r.mode.clone());
        let Some((sid, m)) = fastest_ride(net, &r.from, &r.to) else {
            failures.push(format!(
                "{what}: no service running on {day} calls at both (the network has no pattern \
                 of that period)"
            ));
            continue;
        };
        let checked = fastest_records(net, &r.from, &r.to, m);
        assert!(
            checked.iter().any(|s| s.id == sid),
            "{what}: fastest_records disagrees with analysis::fastest_ride"
        );
        let ids = checked
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let cited = checked.iter().any(|s| record_sources(s).contains(&key));
        if independent && cited {
            failures.push(format!(
                "{what}: not independent: the checked record(s) {ids} cite {:?}, the row's own \
                 source; move the row to consistency.csv or find a source of another publisher",
                r.source_key
            ));
        } else if !independent && !cited {
            failures.push(format!(
                "{what}: the checked record(s) {ids} no longer cite {:?}; the row no longer checks \
                 the network's typing: move it to in_vehicle.csv (if still relevant) or drop it",
                r.source_key
            ));
        }
        if (m - r.minutes).abs() > 0.10 * r.minutes {
            failures.push(format!(
                "{what}: model {m:.1} min on {sid} (network as on {day}), published {} min ({:+.0} %)",
                r.minutes,
                100.0 * (m - r.minutes) / r.minutes
            ));
        }
    }
    (rows.len(), modes, failures)
}

#[test]
fn reproduces_independent_in_vehicle_times_within_10_percent() {
    let net = network();
    let (n, modes, mut failures) = check_in_vehicle(&net, "in_vehicle.csv", true);
    if n < 25 {
        failures.push(format!(
            "the independent table needs at least 25 rows, has {n}"
        ));
    }
    if modes.len() < 3 {
        failures.push(format!(
            "the independent table must span at least 3 modes: {modes:?}"
        ));
    }
    assert!(
        failures.is_empty(),
        "{} problems in {n} independent rows:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn consistency_rows_match_the_figures_typed_from_them() {
    let net = network();
    let (n, _, failures) = check_in_vehicle(&net, "consistency.csv", false);
    assert!(n > 0, "consistency.csv is empty");
    assert!(
        failures.is_empty(),
        "{} problems in {n} consistency rows:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[derive(serde::Deserialize)]
struct StationClaim {
    from: String,
    to: String,
    min_minutes: Option<f64>,
    max_minutes: f64,
    claim: String,
    date: String,
    source: String,
}

/// The claims table feeds the station-to-station indicator (rail time between main stations,
/// waits and transfers included); until that exists, only its rows are checked.
#[test]
fn station_claims_name_network_stations_and_are_complete() {
    let net = network();
    let stations: HashSet<&str> = net
        .places
        .iter()
        .filter(|p| p.kind == PlaceKind::Station)
        .map(|p| p.id.as_str())
        .collect();
    let path = fixture("station_claims.csv");
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut n = 0;
    for (i, r) in rdr.deserialize::<StationClaim>().enumerate() {
        let r = r.unwrap_or_else(|e| panic!("station_claims.csv row {}: {e}", i + 1));
        let what = format!("station_claims.csv: {} -> {}", r.from, r.to);
        for id in [&r.from, &r.to] {
            assert!(stations.contains(id.as_str()), "{what}: no station {id:?}");
        }
        assert_ne!(r.from, r.to, "{what}: same station");
        for (field, v) in [
            ("claim", &r.claim),
            ("date", &r.date),
            ("source", &r.source),
        ] {
            assert!(!v.trim().is_empty(), "{what}: empty {field}");
        }
        assert!(r.max_minutes > 0.0, "{what}: max_minutes must be positive");
        if let Some(lo) = r.min_minutes {
            assert!(
                lo > 0.0 && lo <= r.max_minutes,
                "{what}: min_minutes {lo} outside 0..=max_minutes"
            );
        }
        n += 1;
    }
    assert!(
        n >= 8,
        "station_claims.csv needs at least 8 claims, has {n}"
    );
}

#[derive(serde::Deserialize)]
struct Claim {
    from: String,
    to: String,
    min_minutes: f64,
    max_minutes: f64,
    claim: String,
    source: String,
    /// Whether the network figures on the route were typed from a source other than the claim's.
    independent: bool,
    network_source: String,
}

#[test]
fn door_to_door_times_lie_within_published_claims() {
    let net = network();
    let p = Prepared::new(net.clone(), Profile::Transit);
    let path = fixture("door_to_door.csv");
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let idx = net.place_index();
    let mut failures = Vec::new();
    let (mut n, mut independent) = (0, 0);
    for r in rdr.deserialize::<Claim>() {
        let r = r.unwrap();
        assert!(
            !r.source.trim().is_empty()
                && !r.claim.trim().is_empty()
                && !r.network_source.trim().is_empty(),
            "{} -> {}: empty source, claim or network_source",
            r.from,
            r.to
        );
        n += 1;
        independent += usize::from(r.independent);
        let (a, b) = (idx[r.from.as_str()], idx[r.to.as_str()]);
        let m = time_matrix(&p, &[a], &[b], p.default_bound()).minutes(0, 0);
        match m {
            Some(x) if x >= r.min_minutes && x <= r.max_minutes => {}
            x => failures.push(format!(
                "{} -> {}: model {x:?} min, claim supports {}..{} (independent: {}) ({})",
                r.from, r.to, r.min_minutes, r.max_minutes, r.independent, r.claim
            )),
        }
    }
    assert!(n >= 8, "at least 8 claims, got {n}");
    assert!(
        independent >= 6,
        "at least 6 claims independent of the network's sources, got {independent}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
