//! Scenarios: composition, errors naming file, edit and fix, and the invariant that adding a
//! line never lengthens any trip.

use crate::common;
use common::*;

use onehour::analysis::time_matrix;
use onehour::graph::Prepared;
use onehour::graph::Profile;
use onehour::network::ids::{PlaceIdx, UNREACHED};
use onehour::network::model::*;
use onehour::scenario::{apply, parse_scenario, Library};
use proptest::prelude::*;

fn scenario_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn run_with(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = onehour()
        .args(args)
        .arg("--network")
        .arg(tiny())
        .arg("--scenarios")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

const ADD_X: &str = r#"name = "add"
[[edit]]
op = "add_service"
service = { id = "x1", line = "X", mode = "metro", headway_min = 4, opened = "2028", source = "test", stops = [ { at = "sa" }, { at = "sc", run_min = 12 } ] }
"#;
const REMOVE_X: &str = r#"name = "remove"
[[edit]]
op = "remove_service"
service = "x1"
"#;

#[test]
fn extends_order_is_respected() {
    // add then remove: fine; remove then add: the removal names a missing service.
    let ok = scenario_dir(&[
        ("add.toml", ADD_X),
        ("remove.toml", REMOVE_X),
        (
            "both.toml",
            "name = \"both\"\nextends = [\"add\", \"remove\"]\n",
        ),
    ]);
    let (code, out, err) = run_with(
        ok.path(),
        &["check", "--scenario", "both", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    let base = onehour()
        .args(["check", "--format", "json", "--network"])
        .arg(tiny())
        .output()
        .unwrap()
        .stdout;
    let mut a: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut b: serde_json::Value = serde_json::from_slice(&base).unwrap();
    a["scenario"] = serde_json::Value::Null;
    b["scenario"] = serde_json::Value::Null;
    assert_eq!(a, b, "adding then removing a service changes nothing");
    let bad = scenario_dir(&[
        ("add.toml", ADD_X),
        ("remove.toml", REMOVE_X),
        (
            "both.toml",
            "name = \"both\"\nextends = [\"remove\", \"add\"]\n",
        ),
    ]);
    let (code, _, err) = run_with(bad.path(), &["check", "--scenario", "both"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("remove.toml:2")
            && err.contains("scenario remove, edit 1 (remove_service)")
            && err.contains("unknown service 'x1'"),
        "{err}"
    );
}

#[test]
fn cycle_in_extends() {
    let d = scenario_dir(&[
        ("a.toml", "name = \"a\"\nextends = [\"b\"]\n"),
        ("b.toml", "name = \"b\"\nextends = [\"a\"]\n"),
    ]);
    let (code, _, err) = run_with(d.path(), &["check", "--scenario", "a"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("cycle in extends: a -> b -> a")
            && err.contains("b.toml")
            && err.contains("fix:"),
        "{err}"
    );
}

#[test]
fn unknown_scenario_and_unknown_extends() {
    let d = scenario_dir(&[
        ("a.toml", "name = \"a\"\nextends = [\"nope\"]\n"),
        ("add.toml", ADD_X),
    ]);
    let (code, _, err) = run_with(d.path(), &["check", "--scenario", "a"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("a.toml") && err.contains("unknown scenario 'nope'"),
        "{err}"
    );
    let (code, _, err) = run_with(d.path(), &["check", "--scenario", "ad"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("unknown scenario 'ad'")
            && err.contains("did you mean")
            && err.contains("add"),
        "{err}"
    );
}

#[test]
fn edit_naming_a_missing_id() {
    for (op, expect) in [
        (
            "op = \"set_headway\"\nservice = \"nope\"\nheadway_min = 3",
            "unknown service 'nope'",
        ),
        (
            "op = \"close_station\"\nstation = \"nope\"",
            "unknown station 'nope'",
        ),
        (
            "op = \"set_road\"\nroad = \"nope\"\nspeed_kmh = 80",
            "unknown road 'nope'",
        ),
        (
            "op = \"set_interchange\"\nstation = \"nope\"\nminutes = 3",
            "unknown station 'nope'",
        ),
    ] {
        let text = format!("name = \"s\"\n[[edit]]\n{op}\n");
        let d = scenario_dir(&[("s.toml", &text)]);
        let (code, _, err) = run_with(d.path(), &["check", "--scenario", "s"]);
        assert_eq!(code, Some(2), "{op}");
        assert!(
            err.contains("s.toml:2")
                && err.contains("scenario s, edit 1")
                && err.contains(expect)
                && err.contains("fix:"),
            "{op}: {err}"
        );
    }
}

#[test]
fn new_service_naming_a_missing_station_fails_validation() {
    let text = ADD_X.replace(
        "{ at = \"sc\", run_min = 12 }",
        "{ at = \"sq\", run_min = 12 }",
    );
    let d = scenario_dir(&[("add.toml", &text)]);
    let (code, _, err) = run_with(d.path(), &["check", "--scenario", "add"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("add.toml:2")
            && err.contains("unknown station 'sq'")
            && err.contains("after applying scenario add"),
        "{err}"
    );
}

#[test]
fn conflicting_edits() {
    // The same service added by two projects of one horizon.
    let add2 = ADD_X.replace("name = \"add\"", "name = \"add2\"");
    let d = scenario_dir(&[
        ("add.toml", ADD_X),
        ("add2.toml", &add2),
        ("h.toml", "name = \"h\"\nextends = [\"add\", \"add2\"]\n"),
    ]);
    let (code, _, err) = run_with(d.path(), &["check", "--scenario", "h"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("add2.toml") && err.contains("service 'x1' already exists"),
        "{err}"
    );
    // A change to a service that an earlier edit removed.
    let text = "name = \"s\"\n[[edit]]\nop = \"remove_service\"\nservice = \"m1\"\n[[edit]]\nop = \"set_headway\"\nservice = \"m1\"\nheadway_min = 3\n";
    let d = scenario_dir(&[("s.toml", text)]);
    let (code, _, err) = run_with(d.path(), &["check", "--scenario", "s"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("edit 2 (set_headway)")
            && err.contains("was removed by scenario s, edit 1")
            && err.contains("conflicting"),
        "{err}"
    );
    // A new station whose id is taken.
    let text = "name = \"s\"\n[[edit]]\nop = \"add_station\"\nstation = { id = \"sa\", name = \"Again\", lon = 113.1, lat = 23.1, source = \"t\" }\n";
    let d = scenario_dir(&[("s.toml", text)]);
    let (code, _, err) = run_with(d.path(), &["check", "--scenario", "s"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("place 'sa' already exists"), "{err}");
}

#[test]
fn malformed_scenario_files() {
    for (text, expect) in [
        (
            "name = \"s\"\n[[edit]]\nop = \"teleport\"\n",
            "unknown variant `teleport`",
        ),
        (
            "name = \"s\"\n[[edit]]\nop = \"set_headway\"\nservice = \"m1\"\n",
            "missing field `headway_min`",
        ),
        ("name = \"s\"\nextends = \"a\"\n", "invalid scenario"),
        ("name = \"other\"\n", "differs from the file name"),
    ] {
        let d = scenario_dir(&[("s.toml", text)]);
        let (code, _, err) = run_with(d.path(), &["check", "--scenario", "s"]);
        assert_eq!(code, Some(2), "{text}");
        assert!(
            err.contains("s.toml") && err.contains(expect),
            "{text}: {err}"
        );
    }
}

#[test]
fn parse_keeps_edit_lines() {
    let s = parse_scenario(ADD_X, "add.toml").unwrap();
    assert_eq!(s.edits.len(), 1);
    assert_eq!(s.edits[0].origin.line, Some(2));
}

/// A deterministic pseudo-random sequence (the test's seed is the proptest input, which
/// proptest prints and persists on failure).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn place(id: String, kind: PlaceKind, lon: f64, lat: f64) -> Place {
    Place {
        id: id.clone(),
        kind,
        name: id.clone(),
        name_zh: id,
        city: String::new(),
        district: String::new(),
        lon,
        lat,
        interchange_min: 2.0,
        in_area: true,
        population: if kind == PlaceKind::Zone { 1000 } else { 0 },
        population_year: None,
        source: "random test network".into(),
        origin: Origin::default(),
    }
}

fn random_service(rng: &mut Rng, id: String, n_stations: usize, net: &Network) -> Service {
    let len = 2 + rng.below(5.min(n_stations - 1));
    let mut stops: Vec<usize> = Vec::new();
    while stops.len() < len {
        let s = rng.below(n_stations);
        if stops.last() != Some(&s) {
            stops.push(s);
        }
    }
    let mode = [Mode::Metro, Mode::Bus, Mode::Intercity][rng.below(3)];
    Service {
        id,
        line: "random".into(),
        line_zh: String::new(),
        mode,
        headway_min: 2.0 + rng.below(30) as f64,
        dwell_min: 0.5,
        opened: Date::parse("2020").unwrap(),
        closed: None,
        directions: if rng.below(3) == 0 {
            Directions::Forward
        } else {
            Directions::Both
        },
        speed_kmh: None,
        stops: stops
            .iter()
            .enumerate()
            .map(|(i, &s)| Stop {
                at: format!("s{s}"),
                run_min: (i > 0).then(|| {
                    let a = &net.places[stops[i - 1]];
                    let b = &net.places[s];
                    1.0 + place_distance_m(a, b) / 1000.0 / (20.0 + 40.0 * rng.unit()) * 60.0
                }),
                km: None,
                dwell_min: None,
            })
            .collect(),
        source: "random test network".into(),
        headway_source: String::new(),
        opened_source: String::new(),
        estimate: String::new(),
        origin: Origin::default(),
    }
}

fn random_network(seed: u64) -> Network {
    let mut rng = Rng(seed | 1);
    let mut net = Network {
        name: "random".into(),
        title: "random".into(),
        bbox: [113.0, 23.0, 113.5, 23.5],
        ..Network::default()
    };
    let ns = 4 + rng.below(20);
    for i in 0..ns {
        net.places.push(place(
            format!("s{i}"),
            PlaceKind::Station,
            113.0 + 0.5 * rng.unit(),
            23.0 + 0.5 * rng.unit(),
        ));
    }
    for i in 0..3 {
        net.places.push(place(
            format!("c{i}"),
            PlaceKind::Centre,
            113.0 + 0.5 * rng.unit(),
            23.0 + 0.5 * rng.unit(),
        ));
        let s = rng.below(ns);
        net.links.push(Link {
            from: format!("c{i}"),
            to: format!("s{s}"),
            minutes: Some(1.0 + rng.below(20) as f64),
            kind: LinkKind::Access,
            source: "random".into(),
            origin: Origin::default(),
        });
    }
    net.places
        .push(place("z0".into(), PlaceKind::Zone, 113.25, 23.25));
    for k in 0..1 + rng.below(6) {
        let s = random_service(&mut rng, format!("r{k}"), ns, &net);
        net.services.push(s);
    }
    net
}

fn all_pairs(net: &Network) -> Vec<Vec<u32>> {
    let p = Prepared::new(net.clone(), Profile::Transit);
    let all: Vec<PlaceIdx> = (0..net.places.len()).map(PlaceIdx::from_idx).collect();
    time_matrix(&p, &all, &all, UNREACHED - 1).secs
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Adding a service never lengthens any trip, between any two places.
    #[test]
    fn adding_a_service_never_lengthens_a_trip(seed in any::<u64>(), extra in any::<u64>()) {
        let net = random_network(seed);
        let before = all_pairs(&net);
        let mut more = net.clone();
        let mut rng = Rng(extra | 1);
        let mut ns = net.places.iter().filter(|p| p.kind == PlaceKind::Station).count();
        if rng.below(2) == 0 {
            // A project may bring a new station: it must only add links (walking, zone access),
            // never displace existing ones. Stations come first in `places`, so insert it there.
            more.places.insert(ns, place(format!("s{ns}"), PlaceKind::Station, 113.0 + 0.5 * rng.unit(), 23.0 + 0.5 * rng.unit()));
            ns += 1;
        }
        let s = random_service(&mut rng, "added".into(), ns, &more);
        more.services.push(s);
        let after = all_pairs(&more);
        // Map old place indices to new ones (a station may have been inserted at index ns0).
        let ns0 = net.places.iter().filter(|p| p.kind == PlaceKind::Station).count();
        let shift = more.places.len() - net.places.len();
        let at = |i: usize| if i >= ns0 { i + shift } else { i };
        for i in 0..before.len() {
            for j in 0..before.len() {
                prop_assert!(after[at(i)][at(j)] <= before[i][j], "seed {seed} extra {extra}: {i}->{j} {} > {}", after[at(i)][at(j)], before[i][j]);
            }
        }
    }
}

#[test]
fn every_shipped_project_never_lengthens_a_trip() {
    let (net, _) = onehour::network::load::load_network(
        &onehour::network::bundled::networks(),
        "guangzhou/network.toml",
    )
    .unwrap();
    let lib = Library::load(onehour::network::bundled::scenarios()).unwrap();
    let base = all_centre_and_zone_times(&net);
    let mut checked = 0;
    for name in &lib.names {
        let chain = lib.chain(name).unwrap();
        if chain.iter().all(|s| s.edits.is_empty()) {
            continue;
        }
        // Projects that remove or slow something are allowed to lengthen trips; none of the
        // plan's projects does.
        let only_additions = chain.iter().flat_map(|s| &s.edits).all(|e| {
            !matches!(
                e.op,
                onehour::scenario::EditOp::RemoveService { .. }
                    | onehour::scenario::EditOp::CloseStation { .. }
            )
        });
        let edited = apply(&net, &chain).unwrap_or_else(|e| panic!("{name}: {e}"));
        let after = all_centre_and_zone_times(&edited);
        if only_additions {
            for (i, row) in base.iter().enumerate() {
                for (j, &b) in row.iter().enumerate() {
                    assert!(
                        after[i][j] <= b,
                        "{name}: trip {i}->{j} lengthened from {b} to {}",
                        after[i][j]
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 0 || lib.names.len() <= 1, "no project checked");
}

fn all_centre_and_zone_times(net: &Network) -> Vec<Vec<u32>> {
    let p = Prepared::new(net.clone(), Profile::Transit);
    let centres = net.centres();
    let mut cols = centres.clone();
    cols.extend(net.zones());
    let mut out = time_matrix(&p, &centres, &cols, p.default_bound()).secs;
    let pc = Prepared::new(net.clone(), Profile::Car);
    out.extend(time_matrix(&pc, &centres, &cols, pc.default_bound()).secs);
    out
}
