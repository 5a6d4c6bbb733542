//! Loading a network with many services through the public loader (`load_network`: read,
//! parse, validate), and applying a scenario with many edits to it (`scenario::apply`: copy,
//! edits, validate). The files are generated once outside the timed loop (tests/common/netgen.rs:
//! a grid of 400 stations and 100,000 four-stop services, about 25 MB of TOML; for the
//! scenario, 20,000 trips of them and 10,000 edits, each naming another service). Both must be
//! linear in the number of records: loading once took minutes because every record's line
//! number was counted from the start of the file, and applying because every edit looked its
//! service up (and dropped its trips) by a scan of the whole network.

use criterion::{criterion_group, criterion_main, Criterion};
use onehour::network::load::load_network;
use onehour::network::source::Source;
use onehour::scenario::{apply, parse_scenario};

#[path = "../tests/common/netgen.rs"]
mod netgen;

/// A count from the environment variable `var`, else `default`.
fn count(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bench(c: &mut Criterion) {
    let n = count("ONEHOUR_PARSE_SERVICES", 100_000);
    let dir = tempfile::tempdir().unwrap();
    netgen::write_network(dir.path(), n);
    let src = Source::Disk(dir.path().to_path_buf());
    let (net, _) = load_network(&src, "network.toml").unwrap();
    assert_eq!(net.services.len(), n);
    let mut g = c.benchmark_group("parse");
    g.sample_size(10);
    g.bench_function(format!("load_network, {n} services"), |b| {
        b.iter(|| load_network(&src, "network.toml").unwrap())
    });
    g.finish();
}

fn bench_apply(c: &mut Criterion) {
    let n = count("ONEHOUR_PARSE_SERVICES", 100_000);
    let edits = count("ONEHOUR_APPLY_EDITS", 10_000);
    let dir = tempfile::tempdir().unwrap();
    netgen::write_network_with_trips(dir.path(), n, n / 5);
    let src = Source::Disk(dir.path().to_path_buf());
    let (net, _) = load_network(&src, "network.toml").unwrap();
    let text = netgen::scenario_toml("many", n, edits);
    let s = parse_scenario(&text, "many.toml").unwrap();
    let after = apply(&net, &[&s]).unwrap();
    assert_eq!(after.services.len(), n);
    let mut g = c.benchmark_group("parse");
    g.sample_size(10);
    g.bench_function(format!("apply, {edits} edits over {n} services"), |b| {
        b.iter(|| apply(&net, &[&s]).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench, bench_apply);
criterion_main!(benches);
