//! The planner's heaviest command: `rank` runs, for every project of plan-2030, the project
//! added alone to today and left out of the horizon (apply the scenario, validate, compile, one
//! sweep per centre to every centre and zone). Fixtures (network, scenarios) are loaded outside
//! the timed loop; the timed part is what `onehour rank` does after loading.

use criterion::{criterion_group, criterion_main, Criterion};
use onehour::analysis::{rank, reach};
use onehour::graph::Prepared;
use onehour::graph::Profile;
use onehour::network::load::load_network;
use onehour::scenario::{apply, Library};

fn bench(c: &mut Criterion) {
    let (net, _) = load_network(
        &onehour::network::bundled::networks(),
        "guangzhou/network.toml",
    )
    .unwrap();
    let lib = Library::load(onehour::network::bundled::scenarios()).unwrap();
    let bound = 180 * 60;
    let mut g = c.benchmark_group("rank");
    g.sample_size(10);
    g.bench_function("rank plan-2030 vs today (transit)", |b| {
        b.iter(|| {
            rank(
                &net,
                &lib,
                "today",
                "plan-2030",
                Profile::Transit,
                3600,
                bound,
                &onehour::analysis::Timing::Static,
                None,
                &|| (),
            )
            .unwrap()
        })
    });
    // The parts of one variant, to see where rank's time goes.
    let chain = lib.chain("plan-2030").unwrap();
    g.bench_function("apply plan-2030 (with validation)", |b| {
        b.iter(|| apply(&net, &chain).unwrap())
    });
    let full = apply(&net, &chain).unwrap();
    g.bench_function("compile transit graph", |b| {
        b.iter(|| Prepared::new(full.clone(), Profile::Transit))
    });
    let p = Prepared::new(full, Profile::Transit);
    g.bench_function("reach: centres to centres and zones", |b| {
        b.iter(|| reach(&p, bound))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
