//! Accessibility indicator benchmarks (`cargo bench --bench indicators`): the indicators of one origin from its row of travel times
//! (`access::indicators::Evaluator::evaluate`) against the direct sum over destinations with
//! per-second weight tables, and the spreading of a large polygon over a fine grid
//! (`io::opportunities::load_opportunity_geojson`). Synthetic inputs, made deterministically
//! outside the timed loops: 40,000 destinations (a 1 km grid over 200 × 200 km), travel times
//! uniform in 0–120 min with a quarter unreached, two opportunity columns.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

use onehour::access::indicators::{Decay, Dual, Evaluator, Measure, Spec};
use onehour::geo::grid::Grid;
use onehour::io::opportunities::load_opportunity_geojson;
use onehour::network::ids::UNREACHED;

/// xorshift64*, for reproducible inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const N: usize = 40_000;

fn inputs() -> (Vec<Vec<u32>>, Vec<f64>, Vec<f64>) {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let rows = (0..16)
        .map(|_| {
            (0..N)
                .map(|_| {
                    if r.below(4) == 0 {
                        UNREACHED
                    } else {
                        r.below(7200) as u32
                    }
                })
                .collect()
        })
        .collect();
    let pop = (0..N).map(|_| r.below(5000) as f64).collect();
    let jobs = (0..N).map(|_| r.below(3000) as f64).collect();
    (rows, pop, jobs)
}

fn spec(decays: Vec<Decay>, duals: Vec<Dual>) -> Spec {
    Spec {
        columns: vec!["population".into(), "jobs".into()],
        cutoffs_min: vec![30, 45, 60],
        decays,
        duals,
    }
}

/// The direct evaluation: for each indicator, the sum over destinations of a per-second
/// weight table times the opportunities (duals left out).
fn direct(tables: &[(usize, Vec<f64>)], cols: [&[f64]; 2], times: &[u32], out: &mut [f64]) {
    for (o, (col, w)) in out.iter_mut().zip(tables) {
        let mut s = 0.0;
        for (t, v) in times.iter().zip(cols[*col]) {
            if let Some(x) = w.get(*t as usize) {
                s += x * v;
            }
        }
        *o = s;
    }
}

fn bench_evaluate(c: &mut Criterion) {
    let (rows, pop, jobs) = inputs();
    let mut g = c.benchmark_group("access_origin_40k_destinations");
    let cases = [
        ("cumulative", spec(vec![], vec![])),
        (
            "all",
            spec(
                vec![
                    Decay::Linear { width_min: 10.0 },
                    Decay::Logistic { sd_min: 10.0 },
                    Decay::Exponential,
                ],
                vec![Dual {
                    column: 1,
                    n: 100_000.0,
                }],
            ),
        ),
    ];
    for (name, s) in &cases {
        let ev = Evaluator::new(s, &[&pop, &jobs]).expect("spec");
        let mut sc = ev.scratch();
        let mut out = vec![0.0; ev.indicators().len()];
        eprintln!("{name}: {} indicators", out.len());
        let mut k = 0;
        g.bench_function(BenchmarkId::new("evaluator", name), |b| {
            b.iter(|| {
                k = (k + 1) % rows.len();
                ev.evaluate(&mut sc, black_box(&rows[k]), &mut out);
                black_box(&out);
            })
        });
        // The same indicators, but duals, summed directly.
        let tables: Vec<(usize, Vec<f64>)> = ev
            .indicators()
            .iter()
            .filter_map(|i| {
                let w: Vec<f64> = match i.measure {
                    Measure::Cumulative { cutoff_min } => {
                        (0..=cutoff_min * 60).map(|_| 1.0).collect()
                    }
                    Measure::Decayed { decay, cutoff_min } => (0..decay.zero_at(cutoff_min))
                        .map(|t| decay.weight(cutoff_min, t))
                        .collect(),
                    Measure::Dual { .. } => return None,
                };
                Some((i.column, w))
            })
            .collect();
        let mut out2 = vec![0.0; tables.len()];
        // Same results (up to summation order).
        ev.evaluate(&mut sc, &rows[0], &mut out);
        direct(&tables, [&pop, &jobs], &rows[0], &mut out2);
        for (a, b) in out.iter().zip(&out2) {
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
        }
        g.bench_function(BenchmarkId::new("direct", name), |b| {
            b.iter(|| {
                k = (k + 1) % rows.len();
                direct(&tables, [&pop, &jobs], black_box(&rows[k]), &mut out2);
                black_box(&out2);
            })
        });
    }
    g.finish();
}

fn bench_spread(c: &mut Criterion) {
    // A circle of 30 km radius, 20,000 vertices, over a 250 m grid (about 45,000 cells
    // inside).
    let grid = Grid::covering([112.9, 22.6, 113.9, 23.6], 250.0).expect("grid");
    let (x0, y0) = grid.projection().forward(113.4, 23.1);
    let ring: Vec<String> = (0..=20_000)
        .map(|k| {
            let a = std::f64::consts::TAU * (k % 20_000) as f64 / 20_000.0;
            let (lon, lat) = grid
                .projection()
                .inverse(x0 + 30_000.0 * a.cos(), y0 + 30_000.0 * a.sin());
            format!("[{lon:.7},{lat:.7}]")
        })
        .collect();
    let text = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"population":1000000}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}]}}"#,
        ring.join(",")
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("circle.geojson");
    std::fs::write(&path, text).expect("write");
    eprintln!(
        "grid {} x {} = {} cells",
        grid.rows(),
        grid.cols(),
        grid.len()
    );
    c.bench_function("spread_circle_20000_vertices_250m_grid", |b| {
        b.iter(|| {
            let (l, _) = load_opportunity_geojson(black_box(&path), &grid, None).expect("loads");
            black_box(l);
        })
    });
}

criterion_group!(benches, bench_evaluate, bench_spread);
criterion_main!(benches);
