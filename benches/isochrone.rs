//! Isochrone benchmarks on the bundled Guangzhou network: the travel-time surface, the
//! contouring of one threshold, one whole isochrone (search, surface, four contours,
//! reprojection, validation, area, population), and the batch of every centre × three
//! scenarios × four thresholds. Fixtures (network, scenarios, searches) are built outside the
//! timed loops.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

use onehour::engine::{Queue, Workspace};
use onehour::geo::isochrone::*;
use onehour::graph::Prepared;
use onehour::graph::Profile;
use onehour::network::bundled;
use onehour::network::load::load_network;
use onehour::network::model::Network;
use onehour::scenario::{apply, Library};

fn base() -> Network {
    let manifest = format!("{}/network.toml", bundled::DEFAULT_NETWORK);
    load_network(&bundled::networks(), &manifest)
        .expect("bundled network loads")
        .0
}

fn scenario(base: &Network, name: &str) -> Network {
    let lib = Library::load(bundled::scenarios()).expect("bundled scenarios load");
    match lib.get(name) {
        Some(_) => apply(base, &lib.chain(name).expect("chain")).expect("scenario applies"),
        None => base.clone(),
    }
}

fn bench(c: &mut Criterion) {
    let net = base();
    let origin = onehour::analysis::find_place(&net, "c_guangzhou_yuexiu").expect("Yuexiu centre");
    let params = IsoParams::default();
    let frame = Frame {
        proj: Projection::for_network(&net),
        params: params.clone(),
        population: None,
    };
    for profile in [Profile::Transit, Profile::Car] {
        let p = Prepared::new(net.clone(), profile);
        let access = AccessModel::for_profile(&net, profile, None);
        let mut ws = Workspace::new(p.graph.csr.num_nodes());
        ws.run(
            &p.graph.csr,
            p.graph.place_node(origin),
            3600,
            Queue::Bucket,
            false,
        );
        let src = sources(&p, &ws, origin, &frame.proj, &access, 3600.0);
        let s = surface(&src, &access, params.cell_m, 3600.0).expect("surface");
        eprintln!(
            "{}: {} sources, grid {} x {} = {} points",
            profile.as_str(),
            src.len(),
            s.nx,
            s.ny,
            s.nx * s.ny
        );
        let mut g = c.benchmark_group(format!("isochrone/{}", profile.as_str()));
        g.bench_function("surface", |b| {
            b.iter(|| surface(black_box(&src), &access, 250.0, 3600.0))
        });
        g.bench_function("contour_60min", |b| {
            b.iter(|| contour(black_box(&s), 3600.0, true))
        });
        g.bench_function("whole_isochrone", |b| {
            b.iter(|| isochrone(&p, &mut ws, origin, &frame, "today").expect("isochrone"))
        });
        g.finish();
    }
    // The batch: every centre × today, plan-2030, plan-2035 × 15/30/45/60 min, transit.
    let preps: Vec<(String, Prepared)> = ["today", "plan-2030", "plan-2035"]
        .iter()
        .map(|n| {
            (
                n.to_string(),
                Prepared::new(scenario(&net, n), Profile::Transit),
            )
        })
        .collect();
    let mut g = c.benchmark_group("isochrone/batch");
    g.sample_size(10);
    for cell in [250.0, 100.0] {
        let frame = Frame {
            proj: Projection::for_network(&net),
            params: IsoParams {
                cell_m: cell,
                ..params.clone()
            },
            population: None,
        };
        g.bench_with_input(
            BenchmarkId::new("centres_x3_scenarios", cell),
            &frame,
            |b, frame| {
                b.iter(|| {
                    for (name, p) in &preps {
                        let centres = p.net.centres();
                        isochrones(p, &centres, frame, name, &|| ()).expect("batch");
                    }
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
