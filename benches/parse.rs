//! Loading a network with many services through the public loader (`load_network`: read,
//! parse, validate). The files are generated once outside the timed loop (tests/common/netgen.rs:
//! a grid of 400 stations and 100,000 four-stop services, about 25 MB of TOML). Parsing must be
//! linear in the number of records: this once took minutes because every record's line number
//! was counted from the start of the file.

use criterion::{criterion_group, criterion_main, Criterion};
use onehour::network::load::{load_network, Source};

#[path = "../tests/common/netgen.rs"]
mod netgen;

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("ONEHOUR_PARSE_SERVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
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

criterion_group!(benches, bench);
criterion_main!(benches);
