//! RAPTOR against a brute-force search on random timetables (scheduled and frequency-based
//! trips, trips past midnight, calendars, minimum change times, footpaths, no-pickup and
//! no-drop-off stops); the window against one-departure queries at each of its minutes;
//! journeys checked leg by leg; adding a trip never makes anything later.
//!
//! Each case is generated from one `u64` seed, which proptest prints (and saves under
//! `tests/raptor.proptest-regressions`) when a case fails; `case(seed)` rebuilds it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use onehour::engine::raptor::{
    frequency_offset, percentile, window_travel_times, BatchWorkspace, DayTimetable, Draw, Leg,
    RaptorParams, RaptorWorkspace, Window, WindowSpec, LANES,
};
use onehour::network::ids::{Seconds, UNREACHED};
use onehour::network::model::Origin;
use onehour::network::timetable::{
    access, Calendar, CalendarIdx, Day, FrequencyBand, Route, RouteIdx, Stop, StopIdx, StopKind,
    Timetable, TimetableBuilder, TripIdx, TripInput, DAY,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// A small deterministic generator (SplitMix64), so that a case is a function of its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % (hi - lo + 1) as u64) as u32
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.range(1, 100) <= percent
    }
}

/// The inputs of a random timetable, so that it can be built again with a trip more.
#[derive(Clone)]
struct Spec {
    n_stops: usize,
    calendars: Vec<Calendar>,
    trips: Vec<TripInput>,
    transfers: Vec<(usize, usize, Seconds)>,
}

const DATE: Day = Day(19_876); // 2024-06-03, a Monday

fn origin() -> Origin {
    Origin {
        file: "random".into(),
        line: None,
    }
}

fn random_trip(
    rng: &mut Rng,
    id: String,
    pattern: &(Vec<StopIdx>, Vec<u8>),
    n_cal: usize,
) -> TripInput {
    let (stops, acc) = pattern;
    let mut arrivals = Vec::new();
    let mut departures = Vec::new();
    // Service-day seconds: most trips within 0..30 h, so that some run past midnight.
    // Most trips start between 23:00 and 25:30, dense enough for changes, and crossing
    // midnight both ways (the day before's trips run at -01:00..01:30 of the date).
    let mut t = if rng.chance(75) {
        rng.range(23 * 60, 25 * 60 + 30) * 60
    } else {
        rng.range(0, 30 * 60) * 60
    };
    for i in 0..stops.len() {
        if i > 0 {
            t += rng.range(1, 20) * 60;
        }
        arrivals.push(t);
        t += rng.range(0, 2) * 60;
        departures.push(t);
    }
    let mut bands = Vec::new();
    if rng.chance(25) {
        for _ in 0..rng.range(1, 2) {
            let start = if rng.chance(75) {
                rng.range(22 * 60, 25 * 60) * 60
            } else {
                rng.range(0, 28 * 60) * 60
            };
            bands.push(FrequencyBand {
                start,
                end: start + rng.range(5, 120) * 60,
                headway: rng.range(2, 30) * 60,
                exact: rng.chance(50),
            });
        }
    }
    TripInput {
        id,
        route: RouteIdx(rng.range(0, 1)),
        calendar: CalendarIdx(rng.range(0, n_cal as u32 - 1)),
        stops: stops.clone(),
        arrivals,
        departures,
        access: acc.clone(),
        bands,
        origin: origin(),
    }
}

fn random_spec(rng: &mut Rng) -> Spec {
    let n_stops = rng.range(3, 8) as usize;
    let mut calendars = Vec::new();
    for c in 0..rng.range(1, 3) {
        let lo = DATE.0 - rng.range(0, 3) as i32;
        let hi = DATE.0 + rng.range(0, 3) as i32 - 1;
        let mut cal = Calendar {
            id: format!("c{c}"),
            weekdays: rng.range(0, 127) as u8,
            range: (lo <= hi).then_some((Day(lo), Day(hi))),
            added: vec![],
            removed: vec![],
        };
        for _ in 0..rng.range(0, 2) {
            let d = Day(DATE.0 + rng.range(0, 4) as i32 - 2);
            if rng.chance(50) {
                cal.added.push(d);
            } else {
                cal.removed.push(d);
            }
        }
        calendars.push(cal);
    }
    let stops: Vec<StopIdx> = (0..n_stops).map(StopIdx::from_idx).collect();
    let mut patterns = Vec::new();
    for _ in 0..rng.range(1, 6) {
        let len = rng.range(2, 5) as usize;
        let mut seq: Vec<StopIdx> = Vec::new();
        while seq.len() < len {
            let s = stops[rng.range(0, n_stops as u32 - 1) as usize];
            if seq.last() != Some(&s) {
                seq.push(s);
            }
        }
        let acc = (0..len)
            .map(|_| match rng.range(0, 9) {
                0 => access::BOARD,
                1 => access::ALIGHT,
                _ => access::BOTH,
            })
            .collect();
        patterns.push((seq, acc));
    }
    let mut trips = Vec::new();
    for (pi, p) in patterns.iter().enumerate() {
        for j in 0..rng.range(1, 8) {
            trips.push(random_trip(rng, format!("p{pi}t{j}"), p, calendars.len()));
        }
    }
    let mut transfers = Vec::new();
    for _ in 0..rng.range(0, n_stops as u32) {
        let a = rng.range(0, n_stops as u32 - 1) as usize;
        let b = rng.range(0, n_stops as u32 - 1) as usize;
        // Now and then a walk longer than some searches' limit (the day's compact footpaths
        // leave out those longer than its horizon).
        let minutes = if rng.chance(10) {
            rng.range(20, 300)
        } else {
            rng.range(0, 10)
        };
        transfers.push((a, b, minutes * 60 + rng.range(0, 59)));
    }
    Spec {
        n_stops,
        calendars,
        trips,
        transfers,
    }
}

fn build(spec: &Spec) -> Timetable {
    let mut b = TimetableBuilder::new();
    // A station with no trips, parent of stop 0: stations must be ignored by searches.
    let station = b.add_stop(Stop {
        id: "station".into(),
        name: "Station".into(),
        lon: 0.0,
        lat: 0.0,
        kind: StopKind::Station,
        parent: None,
    });
    for i in 0..spec.n_stops {
        b.add_stop(Stop {
            id: format!("s{i}"),
            name: String::new(),
            lon: 0.0,
            lat: 0.0,
            kind: StopKind::Stop,
            parent: (i == 0).then_some(station),
        });
    }
    for r in 0..2 {
        b.add_route(Route {
            id: format!("r{r}"),
            short_name: format!("R{r}"),
            long_name: String::new(),
            agency: String::new(),
            route_type: 3,
        });
    }
    for c in &spec.calendars {
        b.add_calendar(c.clone());
    }
    // Stop indices in specs count from 0 over the stops; the station takes index 0 here.
    for t in &spec.trips {
        let mut t = t.clone();
        t.stops = t.stops.iter().map(|s| StopIdx(s.0 + 1)).collect();
        b.add_trip(t);
    }
    for &(a, c, d) in &spec.transfers {
        b.add_transfer(StopIdx(a as u32 + 1), StopIdx(c as u32 + 1), d);
    }
    let (tt, warnings) = b.build().expect("random timetable builds");
    assert!(warnings.is_empty());
    assert!(tt.check().is_empty(), "{:?}", tt.check());
    tt
}

/// One trip instance with clock times of the query date.
struct Inst {
    stops: Vec<usize>,
    acc: Vec<u8>,
    arr: Vec<i64>,
    dep: Vec<i64>,
}

/// Every trip instance running on the days around `date`, expanded independently of the
/// engine's day compiler (only the draw function, which defines the draws, is shared).
fn instances(tt: &Timetable, date: Day, draw: Draw) -> Vec<Inst> {
    let mut out = Vec::new();
    for t in 0..tt.trips().len() {
        let ti = TripIdx::from_idx(t);
        let trip = tt.trip(ti);
        let stops: Vec<usize> = tt
            .pattern_stops(trip.pattern)
            .iter()
            .map(|s| s.idx())
            .collect();
        let acc = tt.pattern_access(trip.pattern).to_vec();
        for off in -1i64..=1 {
            if !tt.trip_runs_on(ti, Day(date.0 + off as i32)) {
                continue;
            }
            let mut starts = Vec::new();
            if tt.bands(ti).is_empty() {
                starts.push(0i64);
            } else {
                for (bi, b) in tt.bands(ti).iter().enumerate() {
                    let o = if b.exact {
                        0
                    } else {
                        frequency_offset(draw.seed, trip.draw_key, bi as u32, draw.index, b.headway)
                    };
                    let mut d = b.start + o;
                    while d < b.end {
                        starts.push(d as i64);
                        d += b.headway;
                    }
                }
            }
            for s in starts {
                let shift = s + off * DAY as i64;
                out.push(Inst {
                    stops: stops.clone(),
                    acc: acc.clone(),
                    arr: tt.arrivals(ti).iter().map(|&a| a as i64 + shift).collect(),
                    dep: tt
                        .departures(ti)
                        .iter()
                        .map(|&d| d as i64 + shift)
                        .collect(),
                });
            }
        }
    }
    out
}

/// Brute force: Dijkstra over (ready at stop, trips used) and (on trip at stop position, trips
/// used) states, trying every trip instance at every stop. Returns arrival clock times by stop.
fn reference(
    tt: &Timetable,
    insts: &[Inst],
    access: &[(usize, Seconds)],
    dep: Seconds,
    p: &RaptorParams,
) -> Vec<Seconds> {
    #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
    enum St {
        Ready(usize, u8),
        On(usize, usize, u8),
    }
    let bound = dep as i64 + p.limit as i64;
    let n = tt.stops().len();
    let mut arrival = vec![i64::MAX; n];
    let mut dist: HashMap<St, i64> = HashMap::new();
    let mut heap = BinaryHeap::new();
    let push =
        |heap: &mut BinaryHeap<Reverse<(i64, St)>>, dist: &mut HashMap<St, i64>, st: St, t: i64| {
            if t <= bound && dist.get(&st).is_none_or(|&d| t < d) {
                dist.insert(st, t);
                heap.push(Reverse((t, st)));
            }
        };
    // Reaching a stop: by vehicle (round k), then a change or one footpath.
    let reach = |heap: &mut BinaryHeap<Reverse<(i64, St)>>,
                 dist: &mut HashMap<St, i64>,
                 arrival: &mut Vec<i64>,
                 s: usize,
                 t: i64,
                 k: u8,
                 change: i64| {
        if t > bound {
            return;
        }
        arrival[s] = arrival[s].min(t);
        push(heap, dist, St::Ready(s, k), t + change);
        for f in tt.footpaths(StopIdx::from_idx(s)) {
            let w = t + f.duration as i64;
            if w <= bound {
                arrival[f.to.idx()] = arrival[f.to.idx()].min(w);
                push(heap, dist, St::Ready(f.to.idx(), k), w);
            }
        }
    };
    for &(s, a) in access {
        reach(
            &mut heap,
            &mut dist,
            &mut arrival,
            s,
            dep as i64 + a as i64,
            0,
            0,
        );
    }
    while let Some(Reverse((t, st))) = heap.pop() {
        if dist.get(&st) != Some(&t) {
            continue;
        }
        match st {
            St::Ready(s, k) => {
                if k >= p.max_trips {
                    continue;
                }
                for (ii, inst) in insts.iter().enumerate() {
                    for pos in 0..inst.stops.len() {
                        if inst.stops[pos] == s
                            && inst.acc[pos] & access::BOARD != 0
                            && inst.dep[pos] >= t
                        {
                            push(&mut heap, &mut dist, St::On(ii, pos, k + 1), inst.dep[pos]);
                        }
                    }
                }
            }
            St::On(ii, pos, k) => {
                let inst = &insts[ii];
                if pos + 1 < inst.stops.len() {
                    let a = inst.arr[pos + 1];
                    let s = inst.stops[pos + 1];
                    if inst.acc[pos + 1] & access::ALIGHT != 0 {
                        let change = tt.min_change(StopIdx::from_idx(s)) as i64;
                        reach(&mut heap, &mut dist, &mut arrival, s, a, k, change);
                    }
                    push(
                        &mut heap,
                        &mut dist,
                        St::On(ii, pos + 1, k),
                        inst.dep[pos + 1],
                    );
                }
            }
        }
    }
    arrival
        .iter()
        .map(|&a| if a <= bound { a as Seconds } else { UNREACHED })
        .collect()
}

/// A query of a case: access legs, departure, bounds, draw.
struct Query {
    access: Vec<(usize, Seconds)>,
    dep: Seconds,
    params: RaptorParams,
    draw: Draw,
}

fn random_query(rng: &mut Rng, tt: &Timetable) -> Query {
    let n = tt.stops().len() as u32;
    let draw = Draw {
        seed: rng.next(),
        index: rng.range(0, 3),
    };
    // Depart shortly before some trip event, so that queries meet trips; some of these are
    // after midnight and meet trips of the day before.
    let insts = instances(tt, DATE, draw);
    let events: Vec<i64> = insts
        .iter()
        .flat_map(|i| i.dep.iter().copied())
        .filter(|&d| (0..26 * 3600).contains(&d))
        .collect();
    let dep = if events.is_empty() {
        rng.range(0, 26 * 60) * 60
    } else {
        let e = events[rng.range(0, events.len() as u32 - 1) as usize] as u32;
        e.saturating_sub(rng.range(0, 30) * 60)
    };
    let access = (0..rng.range(1, 2))
        .map(|_| (rng.range(1, n - 1) as usize, rng.range(0, 5) * 60))
        .collect();
    Query {
        access,
        dep,
        params: RaptorParams {
            max_trips: rng.range(1, 5) as u8,
            limit: rng.range(20, 240) * 60,
        },
        draw,
    }
}

fn access_of(q: &Query) -> Vec<(StopIdx, Seconds)> {
    q.access
        .iter()
        .map(|&(s, a)| (StopIdx::from_idx(s), a))
        .collect()
}

fn raptor_once(tt: &Timetable, q: &Query, ws: &mut RaptorWorkspace) -> Vec<Seconds> {
    let day = DayTimetable::new(tt, DATE, q.dep, q.dep + q.params.limit, q.draw);
    let a = ws
        .one_departure(&day, &access_of(q), q.dep, &q.params)
        .unwrap();
    (0..tt.stops().len())
        .map(|s| a.at(StopIdx::from_idx(s)).unwrap_or(UNREACHED))
        .collect()
}

/// Checks a journey leg by leg against the timetable.
fn check_journey(
    tt: &Timetable,
    q: &Query,
    target: usize,
    arrival: Seconds,
    j: &onehour::engine::raptor::Journey,
    seed: u64,
) {
    let ctx = format!("seed {seed}, target {target}, journey {j:?}");
    assert_eq!(j.arrive, arrival, "{ctx}");
    assert_eq!(j.depart, q.dep, "{ctx}");
    let mut t = q.dep;
    let mut rides = 0;
    let mut at: Option<usize> = None;
    let mut after_ride = false;
    for leg in &j.legs {
        assert!(
            leg.depart() >= t,
            "{ctx}: a leg leaves before the previous arrives"
        );
        match *leg {
            Leg::Access { to, depart, arrive } => {
                assert!(at.is_none(), "{ctx}");
                assert!(q.access.contains(&(to.idx(), arrive - depart)), "{ctx}");
                at = Some(to.idx());
            }
            Leg::Walk {
                from,
                to,
                depart,
                arrive,
            } => {
                assert_eq!(Some(from.idx()), at, "{ctx}");
                let fp = tt
                    .footpaths(from)
                    .iter()
                    .find(|f| f.to == to)
                    .expect("footpath");
                assert_eq!(arrive - depart, fp.duration, "{ctx}");
                at = Some(to.idx());
                after_ride = false;
            }
            Leg::Ride {
                trip,
                service_day,
                from,
                to,
                depart,
                arrive,
                ..
            } => {
                assert_eq!(Some(from.idx()), at, "{ctx}");
                if after_ride {
                    let c = tt.min_change(from);
                    assert!(depart >= t + c, "{ctx}: change shorter than the minimum");
                }
                let shift = (service_day.0 - DATE.0) as i64 * DAY as i64;
                let stops = tt.pattern_stops(tt.trip(trip).pattern);
                let acc = tt.pattern_access(tt.trip(trip).pattern);
                // Some instance of this trip (a frequency one has many) has these times.
                let deps = tt.departures(trip);
                let arrs = tt.arrivals(trip);
                let ok = (0..stops.len()).any(|i| {
                    (i + 1..stops.len()).any(|k| {
                        stops[i] == from
                            && stops[k] == to
                            && acc[i] & access::BOARD != 0
                            && acc[k] & access::ALIGHT != 0
                            && {
                                let start = depart as i64 - shift - deps[i] as i64;
                                start >= 0 && arrive as i64 - shift - start == arrs[k] as i64
                            }
                    })
                });
                assert!(ok, "{ctx}: the ride does not match its trip");
                rides += 1;
                at = Some(to.idx());
                after_ride = true;
            }
            Leg::Egress { .. } => unreachable!(),
        }
        t = leg.arrive();
    }
    assert_eq!(at, Some(target), "{ctx}");
    assert!(rides <= q.params.max_trips, "{ctx}");
}

fn case(seed: u64) {
    let mut rng = Rng(seed);
    let spec = random_spec(&mut rng);
    let tt = build(&spec);
    let mut ws = RaptorWorkspace::new();
    for _ in 0..4 {
        let q = random_query(&mut rng, &tt);
        let want = reference(
            &tt,
            &instances(&tt, DATE, q.draw),
            &q.access,
            q.dep,
            &q.params,
        );
        let got = raptor_once(&tt, &q, &mut ws);
        assert_eq!(got, want, "seed {seed}: RAPTOR differs from brute force, departure {}, access {:?}, {:?}, draw {:?}", q.dep, q.access, q.params, q.draw);
        // The same on one label row for every round (a one-departure window read for
        // arrivals only), in the workspace the full search just used.
        let day = DayTimetable::new(&tt, DATE, q.dep, q.dep + q.params.limit, q.draw);
        let one = Window {
            from: q.dep,
            to: q.dep,
            step: 60,
        };
        let mut flat = Vec::new();
        ws.window_arrivals(&day, &access_of(&q), one, &q.params, |a| {
            flat = (0..tt.stops().len())
                .map(|s| a.at(StopIdx::from_idx(s)).unwrap_or(UNREACHED))
                .collect();
        })
        .unwrap();
        assert_eq!(
            flat, want,
            "seed {seed}: RAPTOR on one label row differs from brute force"
        );
        assert_eq!(ws.journey(&day, StopIdx(0), None), None);
        // The same through the timetable's footpaths instead of the day's compact ones.
        let plain =
            DayTimetable::new(&tt, DATE, q.dep, q.dep + q.params.limit, q.draw).without_walks();
        assert!(!plain.has_walks());
        let a = ws
            .one_departure(&plain, &access_of(&q), q.dep, &q.params)
            .unwrap();
        let via_footpaths: Vec<Seconds> = (0..tt.stops().len())
            .map(|s| a.at(StopIdx::from_idx(s)).unwrap_or(UNREACHED))
            .collect();
        assert_eq!(
            via_footpaths, want,
            "seed {seed}: RAPTOR through the timetable's footpaths differs from brute force"
        );
        let day = DayTimetable::new(&tt, DATE, q.dep, q.dep + q.params.limit, q.draw);
        assert!(day.has_walks());
        ws.one_departure(&day, &access_of(&q), q.dep, &q.params)
            .unwrap();
        for (s, &a) in got.iter().enumerate() {
            if a != UNREACHED {
                let j = ws
                    .journey(&day, StopIdx::from_idx(s), None)
                    .expect("a journey to a reached stop");
                check_journey(&tt, &q, s, a, &j, seed);
            }
        }
    }
}

/// Every minute of a window equals a fresh one-departure query at that minute.
fn window_case(seed: u64) {
    let mut rng = Rng(seed);
    let spec = random_spec(&mut rng);
    let tt = build(&spec);
    let q = random_query(&mut rng, &tt);
    let from = q.dep.saturating_sub(rng.range(0, 60) * 60);
    let to = from + rng.range(0, 90) * 60;
    let day = DayTimetable::new(&tt, DATE, from, to + q.params.limit, q.draw);
    let acc = access_of(&q);
    let mut ws = RaptorWorkspace::new();
    let mut fresh = RaptorWorkspace::new();
    let mut minutes = Vec::new();
    ws.window(&day, &acc, Window { from, to, step: 60 }, &q.params, |a| {
        let dep = a.depart();
        minutes.push(dep);
        let single = fresh.one_departure(&day, &acc, dep, &q.params).unwrap();
        for s in 0..tt.stops().len() {
            let s = StopIdx::from_idx(s);
            assert_eq!(
                a.at(s),
                single.at(s),
                "seed {seed}: window minute {dep} differs at {s} (window {from}..{to}, {:?})",
                q.params
            );
        }
    })
    .unwrap();
    // window_arrivals gives the same minutes (one row when the window is one minute), and
    // every stop reached earlier than at the minute before is among those it says improved.
    let mut flat = RaptorWorkspace::new();
    let mut k = 0;
    let mut before: Vec<Option<Seconds>> = vec![None; tt.stops().len()];
    flat.window_arrivals(&day, &acc, Window { from, to, step: 60 }, &q.params, |a| {
        let single = fresh
            .one_departure(&day, &acc, a.depart(), &q.params)
            .unwrap();
        let improved: Vec<StopIdx> = a.improved().collect();
        assert!(improved.windows(2).all(|w| w[0] < w[1]), "seed {seed}");
        for (s, prev) in before.iter_mut().enumerate() {
            let st = StopIdx::from_idx(s);
            assert_eq!(
                a.at(st),
                single.at(st),
                "seed {seed}: window_arrivals at {st}"
            );
            if let Some(t) = a.at(st) {
                if prev.is_none_or(|b| t < b) {
                    assert!(
                        improved.contains(&st),
                        "seed {seed}: {st} improved at {} but is not listed",
                        a.depart()
                    );
                }
            }
            *prev = a.at(st);
        }
        k += 1;
    })
    .unwrap();
    assert_eq!(k, minutes.len(), "seed {seed}");
    // No parent labels are kept for window_arrivals: no journey to read back.
    let reached = (0..tt.stops().len()).find(|&s| before[s].is_some());
    if let Some(s) = reached {
        assert_eq!(
            flat.journey(&day, StopIdx::from_idx(s), None),
            None,
            "seed {seed}"
        );
    }
    let want: Vec<Seconds> = (0..=(to - from) / 60)
        .rev()
        .map(|i| from + i * 60)
        .collect();
    assert_eq!(minutes, want, "seed {seed}");
}

/// Adding a trip never makes an arrival later, at any minute of a window, in any draw; so no
/// percentile rises either.
fn monotone_case(seed: u64) {
    let mut rng = Rng(seed);
    let spec = random_spec(&mut rng);
    let tt = build(&spec);
    let mut more = spec.clone();
    let base = more.trips[rng.range(0, more.trips.len() as u32 - 1) as usize].clone();
    let pattern = (base.stops.clone(), base.access.clone());
    let extra = random_trip(&mut rng, "extra".into(), &pattern, spec.calendars.len());
    more.trips.push(extra);
    let tt2 = build(&more);
    let q = random_query(&mut rng, &tt);
    let spec_w = WindowSpec {
        date: DATE,
        from: q.dep.saturating_sub(30 * 60),
        to: q.dep + 30 * 60,
        step: 60,
        draws: 3,
        seed: q.draw.seed,
        params: q.params,
    };
    let dests: Vec<Vec<(StopIdx, Seconds)>> = (1..tt.stops().len())
        .map(|s| vec![(StopIdx::from_idx(s), 0)])
        .collect();
    let mut ws = RaptorWorkspace::new();
    let a = window_travel_times(&tt, &spec_w, &access_of(&q), &dests, &mut ws).unwrap();
    let b = window_travel_times(&tt2, &spec_w, &access_of(&q), &dests, &mut ws).unwrap();
    for (d, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x.len(), y.len());
        for (i, (&u, &v)) in x.iter().zip(y).enumerate() {
            assert!(
                v <= u,
                "seed {seed}: adding a trip made destination {d} later at sample {i}: {u} -> {v}"
            );
        }
        for p in [5.0, 25.0, 50.0, 75.0, 95.0] {
            let (mut x, mut y) = (x.clone(), y.clone());
            assert!(
                percentile(&mut y, p) <= percentile(&mut x, p),
                "seed {seed}"
            );
        }
    }
}

/// Several origins searched together give each origin's labels alone (and the brute force's),
/// through the day's compact footpaths and the timetable's, in a workspace reused across
/// batches of different sizes.
fn batch_case(seed: u64) {
    let mut rng = Rng(seed);
    let spec = random_spec(&mut rng);
    let tt = build(&spec);
    let n = tt.stops().len() as u32;
    let q = random_query(&mut rng, &tt);
    let mut batch = BatchWorkspace::new();
    let mut single = RaptorWorkspace::new();
    for round in 0..3 {
        let lanes = rng.range(1, LANES as u32) as usize;
        // Origins of 0 to 3 access legs; an origin with none reaches nothing.
        let origins: Vec<Vec<(StopIdx, Seconds)>> = (0..lanes)
            .map(|_| {
                (0..rng.range(0, 3))
                    .map(|_| (StopIdx(rng.range(0, n - 1)), rng.range(0, 8) * 60))
                    .collect()
            })
            .collect();
        let mut day = DayTimetable::new(&tt, DATE, q.dep, q.dep + q.params.limit, q.draw);
        if round == 2 {
            day = day.without_walks();
        }
        // The code for any CPU in round 1 (the others take the AVX2 copy where there is one).
        batch.set_portable(round == 1);
        let got: Vec<Vec<Seconds>> = {
            let a = batch
                .one_departure(&day, &origins, q.dep, &q.params)
                .unwrap();
            assert_eq!(a.lanes(), lanes);
            assert_eq!(a.depart(), q.dep);
            (0..lanes)
                .map(|l| {
                    (0..tt.stops().len())
                        .map(|s| a.at(l, StopIdx::from_idx(s)).unwrap_or(UNREACHED))
                        .collect()
                })
                .collect()
        };
        for (l, acc) in origins.iter().enumerate() {
            let one = Window {
                from: q.dep,
                to: q.dep,
                step: 60,
            };
            let mut alone = Vec::new();
            single
                .window_arrivals(&day, acc, one, &q.params, |a| {
                    alone = (0..tt.stops().len())
                        .map(|s| a.at(StopIdx::from_idx(s)).unwrap_or(UNREACHED))
                        .collect();
                })
                .unwrap();
            assert_eq!(
                got[l], alone,
                "seed {seed}, batch {round}, lane {l} of {lanes}: batched RAPTOR differs from the \
                 origin alone (access {acc:?}, {:?})",
                q.params
            );
            let access: Vec<(usize, Seconds)> = acc.iter().map(|&(s, a)| (s.idx(), a)).collect();
            let want = reference(
                &tt,
                &instances(&tt, DATE, q.draw),
                &access,
                q.dep,
                &q.params,
            );
            assert_eq!(
                got[l], want,
                "seed {seed}, lane {l}: batched RAPTOR differs from brute force"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/raptor.proptest-regressions"
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn raptor_equals_brute_force(seed in any::<u64>()) {
        case(seed);
    }

    #[test]
    fn batched_propagation_equals_fresh_searches(seed in any::<u64>()) {
        batch_propagation_case(seed);
    }

    #[test]
    fn batched_origins_equal_each_origin_alone(seed in any::<u64>()) {
        batch_case(seed);
    }

    #[test]
    fn window_minutes_equal_single_departures(seed in any::<u64>()) {
        window_case(seed);
    }

    #[test]
    fn adding_a_trip_never_makes_anything_later(seed in any::<u64>()) {
        monotone_case(seed);
    }
}

/// The generator makes what the tests claim to cover (else the equalities above would be
/// vacuous): frequencies of both kinds, trips past midnight, overtaking, changes, footpaths,
/// and queries that ride.
#[test]
fn random_timetables_cover_the_cases() {
    let (mut exact, mut inexact, mut past_midnight, mut rides, mut multi_ride, mut splits) =
        (0, 0, 0, 0, 0, 0);
    for seed in 0..300u64 {
        let mut rng = Rng(seed);
        let spec = random_spec(&mut rng);
        let tt = build(&spec);
        for t in &spec.trips {
            exact += t.bands.iter().filter(|b| b.exact).count();
            inexact += t.bands.iter().filter(|b| !b.exact).count();
            past_midnight += usize::from(t.bands.is_empty() && *t.arrivals.last().unwrap() >= DAY);
        }
        let q = random_query(&mut rng, &tt);
        let day = DayTimetable::new(&tt, DATE, q.dep, q.dep + q.params.limit, q.draw);
        let mut pats: Vec<_> = day.routes().iter().map(|r| r.pattern).collect();
        pats.dedup();
        splits += usize::from(day.routes().len() > pats.len());
        let mut ws = RaptorWorkspace::new();
        let a = ws
            .one_departure(&day, &access_of(&q), q.dep, &q.params)
            .unwrap();
        let reached: Vec<usize> = (0..tt.stops().len())
            .filter(|&s| a.at(StopIdx::from_idx(s)).is_some())
            .collect();
        for s in reached {
            let j = ws.journey(&day, StopIdx::from_idx(s), None).unwrap();
            let n = j
                .legs
                .iter()
                .filter(|l| matches!(l, Leg::Ride { .. }))
                .count();
            rides += usize::from(n >= 1);
            multi_ride += usize::from(n >= 2);
        }
    }
    eprintln!("exact bands {exact}, inexact {inexact}, trips past midnight {past_midnight}, stops reached riding {rides}, with a change {multi_ride}, days with overtaking splits {splits}");
    assert!(
        exact > 20
            && inexact > 20
            && past_midnight > 50
            && rides > 100
            && multi_ride > 20
            && splits > 10
    );
}

/// A hand-made case: a change with a minimum time, a footpath, a trip of the day before past
/// midnight, and the journey's clock times.
#[test]
fn hand_checked_changes_footpaths_and_midnight() {
    let spec = Spec {
        n_stops: 4,
        calendars: vec![Calendar {
            id: "all".into(),
            weekdays: 127,
            range: Some((Day(DATE.0 - 10), Day(DATE.0 + 10))),
            added: vec![],
            removed: vec![],
        }],
        trips: vec![
            // Day before's 24:10 from A to B (00:10 on the date), 10 min.
            TripInput {
                id: "late".into(),
                route: RouteIdx(0),
                calendar: CalendarIdx(0),
                stops: vec![StopIdx(0), StopIdx(1)],
                arrivals: vec![24 * 3600 + 600, 24 * 3600 + 1200],
                departures: vec![24 * 3600 + 600, 24 * 3600 + 1200],
                access: vec![access::BOTH; 2],
                bands: vec![],
                origin: origin(),
            },
            // B to C at 00:23 and 00:26: the minimum change of 4 min at B misses the first.
            TripInput {
                id: "bc1".into(),
                route: RouteIdx(1),
                calendar: CalendarIdx(0),
                stops: vec![StopIdx(1), StopIdx(2)],
                arrivals: vec![23 * 60, 33 * 60],
                departures: vec![23 * 60, 33 * 60],
                access: vec![access::BOTH; 2],
                bands: vec![],
                origin: origin(),
            },
            TripInput {
                id: "bc2".into(),
                route: RouteIdx(1),
                calendar: CalendarIdx(0),
                stops: vec![StopIdx(1), StopIdx(2)],
                arrivals: vec![26 * 60, 36 * 60],
                departures: vec![26 * 60, 36 * 60],
                access: vec![access::BOTH; 2],
                bands: vec![],
                origin: origin(),
            },
        ],
        // Minimum change at B 4 min; walk C -> D 3 min.
        transfers: vec![(1, 1, 240), (2, 3, 180)],
    };
    let tt = build(&spec);
    let day = DayTimetable::new(&tt, DATE, 0, 4 * 3600, Draw::default());
    let mut ws = RaptorWorkspace::new();
    let p = RaptorParams {
        max_trips: 3,
        limit: 3600,
    };
    let a = ws
        .one_departure(&day, &[(StopIdx(1), 0)], 5 * 60, &p)
        .unwrap();
    let at = |s: u32| a.at(StopIdx(s));
    assert_eq!(at(2), Some(20 * 60)); // B at 00:20 by the day before's 24:10
    assert_eq!(at(3), Some(36 * 60)); // C at 00:36: the 00:23 leaves before the 4 min change
    assert_eq!(at(4), Some(39 * 60)); // D at 00:39 on foot from C
                                      // Egress legs: 5 min from C or 3 min from D makes 00:41 from C.
    assert_eq!(
        a.via(&[(StopIdx(3), 300), (StopIdx(4), 180)]),
        Some(41 * 60)
    );
    assert_eq!(a.via(&[(StopIdx(3), 300), (StopIdx(4), 0)]), Some(39 * 60));
    let j = ws
        .journey(
            &day,
            StopIdx(0),
            Some(&[(StopIdx(3), 300), (StopIdx(4), 180)]),
        )
        .unwrap();
    assert_eq!(j.arrive, 41 * 60);
    assert_eq!(
        j.legs.last(),
        Some(&Leg::Egress {
            from: StopIdx(3),
            depart: 36 * 60,
            arrive: 41 * 60
        })
    );
    let j = ws.journey(&day, StopIdx(4), None).unwrap();
    let text = j.describe(&tt);
    assert_eq!(
        text,
        "00:05:00–00:05:00 access to s0\n\
         00:10:00–00:20:00 R0 (trip late) from s0 to s1\n\
         00:26:00–00:36:00 R1 (trip bc2) from s1 to s2\n\
         00:36:00–00:39:00 walk from s2 to s3\n"
    );
    assert_eq!(j.arrive, 39 * 60);
}

#[test]
fn percentiles_by_nearest_rank() {
    let mut x = vec![UNREACHED, 600, 300, 900, 1200];
    assert_eq!(percentile(&mut x, 5.0), 300);
    assert_eq!(percentile(&mut x, 50.0), 900);
    assert_eq!(percentile(&mut x, 80.0), 1200);
    assert_eq!(percentile(&mut x, 95.0), UNREACHED);
    assert_eq!(onehour::engine::raptor::share_within(&x, 900), 0.6);
}

/// Random point legs: 0 to 3 access legs per origin, 0 to 3 egress legs per stop (of `n`),
/// 0 to 2 direct legs per origin, to `dests` destinations.
fn random_links(
    rng: &mut Rng,
    n: u32,
    origins: usize,
    dests: usize,
) -> onehour::access::links::PointLinks {
    let access: Vec<Vec<(u32, Seconds)>> = (0..origins)
        .map(|_| {
            (0..rng.range(0, 3))
                .map(|_| (rng.range(0, n - 1), rng.range(0, 10) * 60))
                .collect()
        })
        .collect();
    let egress: Vec<Vec<(u32, Seconds)>> = (0..n)
        .map(|_| {
            (0..rng.range(0, 3))
                .map(|_| {
                    (
                        rng.range(0, dests as u32 - 1),
                        rng.range(0, 20) * 60 + rng.range(0, 59),
                    )
                })
                .collect()
        })
        .collect();
    let direct: Vec<Vec<(u32, Seconds)>> = (0..origins)
        .map(|_| {
            (0..rng.range(0, 2))
                .map(|_| (rng.range(0, dests as u32 - 1), rng.range(0, 90) * 60))
                .collect()
        })
        .collect();
    onehour::access::links::PointLinks::from_parts(access, egress, direct, dests)
}

/// Propagation to points (range RAPTOR, incremental min-plus over egress tables, samples over
/// departures and draws) equals a fresh search at every departure with every destination's
/// time taken over all stops from scratch.
fn propagation_case(seed: u64) {
    use onehour::access::propagate::{
        origin_times, reference_times, PropagationOptions, PropagationWorkspace,
    };
    use onehour::analysis::window::WindowOptions;
    let mut rng = Rng(seed);
    let spec = random_spec(&mut rng);
    let tt = build(&spec);
    let q = random_query(&mut rng, &tt);
    let n = tt.stops().len() as u32;
    let (origins, dests) = (rng.range(1, 3) as usize, rng.range(1, 12) as usize);
    let links = random_links(&mut rng, n, origins, dests);
    let from = q.dep.saturating_sub(rng.range(0, 60) * 60);
    let to = from + rng.range(0, 60) * 60;
    let draws = rng.range(1, 3);
    let o = PropagationOptions {
        window: WindowOptions {
            date: onehour::network::model::Date::parse("2026-11-30").unwrap(),
            from,
            to,
            step: 60 * rng.range(1, 3),
            draws,
            seed: q.draw.seed,
            bound: q.params.limit,
            max_trips: q.params.max_trips,
        },
        percentiles: vec![5.0, 50.0, 95.0],
        limit: Some(rng.range(10, 120) * 60),
    };
    let days: Vec<DayTimetable> = (0..draws)
        .map(|index| {
            DayTimetable::new(
                &tt,
                DATE,
                from,
                to + q.params.limit,
                Draw {
                    seed: q.draw.seed,
                    index,
                },
            )
        })
        .collect();
    let mut ws = PropagationWorkspace::default();
    for origin in 0..origins {
        let want = reference_times(&days, &links, origin, &o).unwrap();
        // Twice through one workspace: what an origin leaves must not leak into the next.
        for _ in 0..2 {
            let got = origin_times(&days, &links, origin, &o, &mut ws).unwrap();
            assert_eq!(got, want, "seed {seed}: origin {origin}");
        }
    }
}

/// A window of one departure: origins searched in batches (several batches, through one
/// workspace) give the times of the plain reference, every percentile and share.
fn batch_propagation_case(seed: u64) {
    use onehour::access::propagate::{
        batch_origin_times, reference_times, BatchPropagationWorkspace, PropagationOptions,
    };
    use onehour::analysis::window::WindowOptions;
    let mut rng = Rng(seed);
    let spec = random_spec(&mut rng);
    let tt = build(&spec);
    let q = random_query(&mut rng, &tt);
    let n = tt.stops().len() as u32;
    let (origins, dests) = (rng.range(1, 40) as usize, rng.range(1, 12) as usize);
    let links = random_links(&mut rng, n, origins, dests);
    let o = PropagationOptions {
        window: WindowOptions {
            date: onehour::network::model::Date::parse("2026-11-30").unwrap(),
            from: q.dep,
            to: q.dep,
            step: 60,
            draws: 1,
            seed: q.draw.seed,
            bound: q.params.limit,
            max_trips: q.params.max_trips,
        },
        percentiles: vec![5.0, 50.0, 95.0],
        limit: Some(rng.range(10, 120) * 60),
    };
    let days = vec![DayTimetable::new(
        &tt,
        DATE,
        q.dep,
        q.dep + q.params.limit,
        q.draw,
    )];
    // The origins in a shuffled order, as the callers' spatial order would give them.
    let mut order: Vec<usize> = (0..origins).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.range(0, i as u32) as usize);
    }
    let mut ws = BatchPropagationWorkspace::default();
    let got = batch_origin_times(&days, &links, &order, &o, &mut ws).unwrap();
    assert_eq!(got.len(), origins);
    for (k, &origin) in order.iter().enumerate() {
        let want = reference_times(&days, &links, origin, &o).unwrap();
        assert_eq!(got[k], want, "seed {seed}: origin {origin}, position {k}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 500,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/raptor.proptest-regressions"
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn propagation_equals_fresh_searches(seed in any::<u64>()) {
        propagation_case(seed);
    }
}
