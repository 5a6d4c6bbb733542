//! Criterion benchmarks of accessibility propagation (range RAPTOR from a point, then its
//! stops' egress tables to every destination cell, samples reduced to percentiles) on the
//! bundled Guangzhou network, Monday 2026-11-30, from cells of a regular grid over the plan
//! area (112.3–114.1 E, 22.5–24.1 N) to every cell of it.
//!
//! One iteration is one origin (cycling over 64 origins spread over the cells that reach a
//! station); the per-origin time times the number of origins is the all-to-all time on one
//! core. Groups: grids of 2 km (~14,000 cells) and 1 km (~56,000 cells); windows of 30 and 60
//! minutes at one-minute steps; 1 and 10 draws of headway-based departures; and one departure
//! for 16 neighbouring origins, one at a time against one batched search (side by side).
//!
//! `cargo bench --bench access`; quick mode for CI: `ONEHOUR_BENCH_QUICK=1 cargo bench --bench
//! access -- --noplot`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use onehour::access::links::{straight_line_links, Point, StraightLine};
use onehour::access::propagate::{
    batch_origin_times, origin_times, BatchPropagationWorkspace, PropagationOptions,
    PropagationWorkspace,
};
use onehour::analysis::window::{compile, compile_days, WindowOptions};
use onehour::engine::raptor::LANES;
use onehour::network::{bundled, load::load_network};

fn quick() -> bool {
    std::env::var_os("ONEHOUR_BENCH_QUICK").is_some()
}

/// Cell centres of a `metres` grid over the plan area (equirectangular about 23.3 N).
fn grid(metres: f64) -> Vec<Point> {
    let (w, s, e, n) = (112.3, 22.5, 114.1, 24.1);
    let dlat = metres / 111_195.0;
    let dlon = dlat / 23.3f64.to_radians().cos();
    let mut v = Vec::new();
    let mut lat = s + dlat / 2.0;
    let mut r = 0;
    while lat < n {
        let mut lon = w + dlon / 2.0;
        let mut c = 0;
        while lon < e {
            v.push(Point {
                id: format!("r{r}c{c}"),
                lon,
                lat,
            });
            lon += dlon;
            c += 1;
        }
        lat += dlat;
        r += 1;
    }
    v
}

fn bench(c: &mut Criterion) {
    let (full, _) = load_network(&bundled::networks(), "guangzhou/network.toml").unwrap();
    let net = full.as_on(full.valid_on.unwrap());
    let t = compile(&net).unwrap();
    let m = StraightLine::for_network(&net, net.settings.access.point_max_min);
    let mut g = c.benchmark_group("guangzhou-grid");
    if quick() {
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(500));
    } else {
        g.sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
    }
    let grids: &[f64] = if quick() {
        &[2000.0]
    } else {
        &[2000.0, 1000.0]
    };
    for &metres in grids {
        let cells = grid(metres);
        let links = straight_line_links(&net, &t, &cells, &cells, &m);
        let served: Vec<usize> = (0..cells.len())
            .filter(|&i| !links.access[i].is_empty())
            .collect();
        let origins: Vec<usize> = (0..64).map(|k| served[k * served.len() / 64]).collect();
        eprintln!(
            "grid {metres} m: {} cells, {} reach a station, {} egress entries",
            cells.len(),
            served.len(),
            links.egress_entries()
        );
        // Departures every minute from 07:00 over `window_min` minutes, the median.
        let options = |window_min: u32, draws: u32| PropagationOptions {
            window: WindowOptions {
                date: net.valid_on.unwrap(),
                from: 7 * 3600,
                to: 7 * 3600 + window_min * 60,
                step: 60,
                draws,
                seed: 1,
                bound: 2 * 3600,
                max_trips: 8,
            },
            percentiles: vec![50.0],
            limit: None,
        };
        for (window_min, draws) in [(30, 1), (60, 1), (60, 10)] {
            let o = options(window_min, draws);
            let days = compile_days(&t, &o.window);
            let mut ws = PropagationWorkspace::default();
            let mut k = 0;
            g.bench_function(
                format!("{}m-window{window_min}-draws{draws}", metres as u32),
                |b| {
                    b.iter(|| {
                        k = (k + 1) % origins.len();
                        let r = origin_times(&days, &links, origins[k], &o, &mut ws).unwrap();
                        black_box(r.pct[0].len())
                    })
                },
            );
        }
        // One departure, side by side: 16 origins one at a time against the same 16 searched
        // as one batch (`batch_origin_times`, the path a matrix at one minute takes). The
        // 16 are neighbours (consecutive served cells of a row), as the callers batch them.
        let o = options(0, 1);
        let days = compile_days(&t, &o.window);
        let mid = served.len() / 2;
        let batch: Vec<usize> = served[mid..mid + LANES].to_vec();
        let mut ws = PropagationWorkspace::default();
        g.bench_function(
            format!("{}m-one-departure-16-origins-alone", metres as u32),
            |b| {
                b.iter(|| {
                    let mut n = 0;
                    for &i in &batch {
                        n += origin_times(&days, &links, i, &o, &mut ws).unwrap().pct[0].len();
                    }
                    black_box(n)
                })
            },
        );
        let mut bws = BatchPropagationWorkspace::default();
        g.bench_function(
            format!("{}m-one-departure-16-origins-batched", metres as u32),
            |b| {
                b.iter(|| {
                    let r = batch_origin_times(&days, &links, &batch, &o, &mut bws).unwrap();
                    black_box(r.len())
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
