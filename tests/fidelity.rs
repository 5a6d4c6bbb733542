//! The model against published timetables and door-to-door claims (tests/fixtures/fidelity/,
//! each row with its source). These tables were compiled independently of the network files.

use onehour::analysis::{fastest_ride, time_matrix, Prepared};
use onehour::bundled;
use onehour::graph::Profile;
use onehour::load::load_network;
use onehour::model::Network;

fn network() -> Network {
    load_network(&bundled::networks(), "guangzhou/network.toml")
        .unwrap_or_else(|p| panic!("the bundled network must validate:\n{p}"))
        .0
}

#[derive(serde::Deserialize)]
struct InVehicle {
    from: String,
    to: String,
    mode: String,
    minutes: f64,
    train: String,
    source: String,
}

#[test]
fn reproduces_published_in_vehicle_times_within_10_percent() {
    let net = network();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fidelity/in_vehicle.csv"
    );
    let mut rdr = csv::Reader::from_path(path).expect("tests/fixtures/fidelity/in_vehicle.csv");
    let mut n = 0;
    let mut modes = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for r in rdr.deserialize::<InVehicle>() {
        let r = r.unwrap();
        assert!(
            !r.source.trim().is_empty(),
            "{} -> {}: no source",
            r.from,
            r.to
        );
        n += 1;
        modes.insert(r.mode.clone());
        match fastest_ride(&net, &r.from, &r.to) {
            None => failures.push(format!(
                "{} -> {} ({}): no service calls at both",
                r.from, r.to, r.train
            )),
            Some((sid, m)) => {
                if (m - r.minutes).abs() > 0.10 * r.minutes {
                    failures.push(format!(
                        "{} -> {} ({}): model {m:.1} min on {sid}, published {} min",
                        r.from, r.to, r.train, r.minutes
                    ));
                }
            }
        }
    }
    assert!(
        n >= 25,
        "the fidelity table needs at least 25 rows, has {n}"
    );
    assert!(
        modes.len() >= 3,
        "the fidelity table must span modes: {modes:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {n} published times not reproduced within 10%:\n{}",
        failures.len(),
        failures.join("\n")
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
}

#[test]
fn door_to_door_times_lie_within_published_claims() {
    let net = network();
    let p = Prepared::new(net.clone(), Profile::Transit);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fidelity/door_to_door.csv"
    );
    let mut rdr = csv::Reader::from_path(path).expect("tests/fixtures/fidelity/door_to_door.csv");
    let idx = net.place_index();
    let mut failures = Vec::new();
    let mut n = 0;
    for r in rdr.deserialize::<Claim>() {
        let r = r.unwrap();
        assert!(!r.source.trim().is_empty() && !r.claim.trim().is_empty());
        n += 1;
        let (a, b) = (idx[r.from.as_str()], idx[r.to.as_str()]);
        let m = time_matrix(&p, &[a], &[b], p.default_bound()).minutes(0, 0);
        match m {
            Some(x) if x >= r.min_minutes && x <= r.max_minutes => {}
            x => failures.push(format!(
                "{} -> {}: model {x:?} min, claim supports {}..{} ({})",
                r.from, r.to, r.min_minutes, r.max_minutes, r.claim
            )),
        }
    }
    assert!(n >= 8, "at least 8 claims, got {n}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
