//! Criterion benchmarks of RAPTOR, one-to-all. The feeds are imported, the day compiled and
//! the origins chosen before the timed loops; one iteration is one search from one origin
//! (cycling over the origins) on one reused workspace.
//!
//! Groups (`cargo bench --bench raptor -- GROUP` runs one):
//! - `cairns`: the Cairns bus feed (`tests/fixtures/gtfs/cairns_gtfs.zip`, 416 stops, 1,339
//!   trips), Monday 2014-06-16, footpaths within 400 m: one departure at 07:30
//!   (`one-departure`), and the window 07:00–09:00 at one-minute steps (`window-2h`: 121
//!   departures, range RAPTOR).
//! - `porto-alegre`: EPTC buses and Trensurb rail merged (2019-05-13, footpaths within 400 m),
//!   the same two searches but at 12:30 and over 12:00–14:00 (the r5r sample of the EPTC feed
//!   keeps only trips leaving between 11:00 and 16:00). The EPTC feed (958 kB) is not committed: it is read from
//!   `../shared/data/porto-alegre/` (or `../../shared/...`) when present, else the group is
//!   skipped with a note.
//! - `compile`: compiling the Cairns day for the 07:00–09:00 window (done once per date and
//!   draw, not per search).
//!
//! - `guangzhou`: the bundled network on its valid_on day, door to door from one centre (in
//!   turn) to the 12 centres and 23 zones: the static engine's sweep (`static-sweep`, the
//!   baseline), one departure, windows of 30 min to 4 h at one-minute steps, the 2-hour window
//!   with 10 draws, and with twice the trips (every headway halved); compiling the day and
//!   the network. Access and egress legs (street Dijkstra) are part of each search.
//!
//! Both searches use at most 8 trips and a 2-hour limit. Quick mode for CI:
//! `ONEHOUR_BENCH_QUICK=1 cargo bench --bench raptor -- --noplot`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use onehour::engine::raptor::{DayTimetable, Draw, RaptorParams, RaptorWorkspace, Window};
use onehour::io::gtfs::{import_gtfs, GtfsOptions};
use onehour::network::timetable::{Day, PatternIdx, StopIdx, StopKind, Timetable};

const PARAMS: RaptorParams = RaptorParams {
    max_trips: 8,
    limit: 2 * 3600,
};
const FROM: u32 = 7 * 3600;
const TO: u32 = 9 * 3600;

fn quick() -> bool {
    std::env::var_os("ONEHOUR_BENCH_QUICK").is_some()
}

fn configure(g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    if quick() {
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(500));
    } else {
        g.sample_size(30)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
    }
}

fn import(paths: &[PathBuf]) -> Timetable {
    let opts = GtfsOptions {
        walk_radius_m: 400.0,
        ..GtfsOptions::default()
    };
    import_gtfs(paths, &opts)
        .unwrap_or_else(|e| panic!("{e}"))
        .timetable
}

/// Every `k`-th stop that some trip serves: the origins.
fn origins(tt: &Timetable, k: usize) -> Vec<StopIdx> {
    let mut served = vec![false; tt.stops().len()];
    for p in 0..tt.patterns().len() {
        for s in tt.pattern_stops(PatternIdx::from_idx(p)) {
            served[s.idx()] = true;
        }
    }
    (0..tt.stops().len())
        .filter(|&i| served[i] && tt.stops()[i].kind == StopKind::Stop)
        .step_by(k)
        .map(StopIdx::from_idx)
        .collect()
}

/// One departure at `from` + 30 min and the window `from..=to`, from every 7th served stop.
fn searches(c: &mut Criterion, name: &str, tt: &Timetable, date: Day, (from, to): (u32, u32)) {
    let day = DayTimetable::new(tt, date, from, to + PARAMS.limit, Draw::default());
    let origins = origins(tt, 7);
    let mut ws = RaptorWorkspace::new();
    // What a search covers, so that the timings can be read (printed once, not timed).
    let reached: usize = origins
        .iter()
        .map(|&o| {
            let a = ws
                .one_departure(&day, &[(o, 0)], from + 1800, &PARAMS)
                .unwrap();
            (0..tt.stops().len())
                .filter(|&s| a.at(StopIdx::from_idx(s)).is_some())
                .count()
        })
        .sum();
    eprintln!(
        "{name}: {} stops, {} trips ({} instances in the day), {} footpaths, {} origins; \
         a search from {} reaches {:.0} stops on average",
        tt.stops().len(),
        tt.trips().len(),
        day.num_instances(),
        tt.num_footpaths(),
        origins.len(),
        onehour::network::timetable::clock(from + 1800),
        reached as f64 / origins.len() as f64
    );
    let mut g = c.benchmark_group(name);
    configure(&mut g);
    let mut i = 0;
    g.bench_function("one-departure", |b| {
        b.iter(|| {
            i = (i + 1) % origins.len();
            let a = ws
                .one_departure(&day, &[(origins[i], 0)], from + 1800, &PARAMS)
                .unwrap();
            black_box(a.at(origins[0]))
        })
    });
    g.bench_function("window-2h", |b| {
        b.iter(|| {
            i = (i + 1) % origins.len();
            let mut reached = 0usize;
            ws.window(
                &day,
                &[(origins[i], 0)],
                Window { from, to, step: 60 },
                &PARAMS,
                |a| {
                    reached += usize::from(a.at(origins[0]).is_some());
                },
            )
            .unwrap();
            black_box(reached)
        })
    });
    g.finish();
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gtfs")
        .join(name)
}

fn cairns(c: &mut Criterion) {
    let tt = import(&[fixture("cairns_gtfs.zip")]);
    let date = Day::parse("2014-06-16").unwrap();
    searches(c, "cairns", &tt, date, (FROM, TO));
    let mut g = c.benchmark_group("compile");
    configure(&mut g);
    g.bench_function("cairns-day-07-11", |b| {
        b.iter(|| {
            black_box(
                DayTimetable::new(&tt, date, FROM, TO + PARAMS.limit, Draw::default())
                    .routes()
                    .len(),
            )
        })
    });
    g.finish();
}

fn porto_alegre(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let eptc = ["../shared", "../../shared"]
        .iter()
        .map(|s| root.join(s).join("data/porto-alegre/poa_eptc.zip"))
        .find(|p| p.exists());
    let Some(eptc) = eptc else {
        eprintln!("porto-alegre: skipped, no ../shared/data/porto-alegre/poa_eptc.zip");
        return;
    };
    let tt = import(&[eptc, fixture("poa_trensurb.zip")]);
    // The r5r sample of the EPTC feed keeps the trips leaving between 11:00 and 16:00 only.
    let window = (12 * 3600, 14 * 3600);
    searches(
        c,
        "porto-alegre",
        &tt,
        Day::parse("2019-05-13").unwrap(),
        window,
    );
}

/// The bundled Guangzhou network as the timetable modes see it, door to door from each centre
/// to every centre and zone, beside the static engine's sweep of the same rows.
fn guangzhou(c: &mut Criterion) {
    use onehour::analysis::window::{compile, compile_days, window_matrix_on, WindowOptions};
    use onehour::graph::{Prepared, Profile};
    use onehour::network::model::Date;
    let (net, _) = onehour::network::load::load_network(
        &onehour::network::bundled::networks(),
        "guangzhou/network.toml",
    )
    .unwrap();
    let day = net.valid_on.unwrap();
    let net = net.as_on(day);
    // The same network with every band and default headway halved: about twice the trips.
    let mut dense = net.clone();
    for s in &mut dense.services {
        s.headway_min /= 2.0;
    }
    for b in &mut dense.bands {
        b.headway_s = (b.headway_s / 2).max(60);
    }
    let t = compile(&net).unwrap();
    let t2 = compile(&dense).unwrap();
    let centres = net.centres();
    let mut cols = centres.clone();
    cols.extend(net.zones());
    let opts = |from: u32, to: u32, draws: u32| WindowOptions {
        date: Date { ..day },
        from,
        to,
        step: 60,
        draws,
        seed: 1,
        bound: 150 * 60,
        max_trips: 8,
    };
    let inst = |t: &onehour::graph::timetabled::Timetabled| {
        compile_days(t, &opts(7 * 3600, 9 * 3600, 1))[0].num_instances()
    };
    eprintln!(
        "guangzhou: {} stops, {} trips and bands ({} trip instances in the 07:00-09:00 horizon, {} with the halved headways), {} centres x {} destinations",
        t.tt.stops().len(),
        t.tt.trips().len(),
        inst(&t),
        inst(&t2),
        centres.len(),
        cols.len()
    );
    let mut g = c.benchmark_group("guangzhou");
    configure(&mut g);
    let p = Prepared::new(net.clone(), Profile::Transit);
    let mut i = 0;
    g.bench_function("static-sweep", |b| {
        b.iter(|| {
            i = (i + 1) % centres.len();
            black_box(onehour::analysis::time_matrix(
                &p,
                &centres[i..i + 1],
                &cols,
                150 * 60,
            ))
        })
    });
    let mut run = |g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
                   name: &str,
                   t: &onehour::graph::timetabled::Timetabled,
                   o: WindowOptions| {
        let days = compile_days(t, &o);
        g.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % centres.len();
                black_box(window_matrix_on(t, &days, &centres[i..i + 1], &cols, &o).unwrap())
            })
        });
    };
    let h = 3600;
    run(
        &mut g,
        "one-departure",
        &t,
        opts(7 * h + 1800, 7 * h + 1800, 1),
    );
    run(&mut g, "window-30min", &t, opts(7 * h, 7 * h + 1800, 1));
    run(&mut g, "window-1h", &t, opts(7 * h, 8 * h, 1));
    run(&mut g, "window-2h", &t, opts(7 * h, 9 * h, 1));
    run(&mut g, "window-4h", &t, opts(7 * h, 11 * h, 1));
    run(&mut g, "window-2h-10draws", &t, opts(7 * h, 9 * h, 10));
    run(&mut g, "window-2h-2x-trips", &t2, opts(7 * h, 9 * h, 1));
    g.bench_function("compile-day-2h", |b| {
        b.iter(|| black_box(compile_days(&t, &opts(7 * h, 9 * h, 1)).len()))
    });
    g.bench_function("compile-network", |b| {
        b.iter(|| black_box(compile(&net).unwrap().tt.trips().len()))
    });
    g.finish();
}

criterion_group!(benches, cairns, porto_alegre, guangzhou);
criterion_main!(benches);
