//! RAPTOR from several origins at once: one search carries the labels of up to [`LANES`]
//! origins side by side (`[Seconds; LANES]` per stop), for the same departure. A matrix from
//! many points runs one search per origin, and most of each search is the same memory
//! traffic: the same routes scanned, the same footpaths read. Here a route is scanned, and a
//! footpath read, once for all the origins of a batch, the label arithmetic done lane by lane
//! in a few vector instructions.
//!
//! Exactness. A batch works on the union of what its origins mark: a route is scanned from the
//! earliest position any lane marked, footpaths are relaxed from every stop any lane's
//! vehicle reached. For a lane that did not mark them these are extra relaxations, each a
//! valid journey of at most the round's trips (boarding a trip one could board anyway,
//! walking from where one arrived), so they never give a label better than the optimum; and
//! every relaxation the lane's own search makes is among them, made on labels at least as
//! good, so no label is worse than that search's. The final labels are therefore those of
//! [`super::RaptorWorkspace::window_arrivals`] for each origin alone, which the tests check on
//! random timetables (`tests/raptor.rs`).
//!
//! What it does not do: journeys (no parent labels are kept) and windows of more than one
//! departure (range RAPTOR keeps one label row per round; the callers search those one origin
//! at a time).

use super::bitset::BitSet;
use super::day::{DayTimetable, BASE};
use super::query::{check_query, RaptorError, RaptorParams, WalkItem};
use crate::network::ids::{Seconds, UNREACHED};
use crate::network::timetable::{access, StopIdx};

/// Origins searched together.
pub const LANES: usize = 16;

/// One label per origin of a batch.
pub type Lanes = [Seconds; LANES];

/// "Not reached" inside a batch: above every bound, and small enough that a label plus a walk
/// or a change time (each capped at `INF`) stays below `i32::MAX`, so that lanes compare as
/// signed integers (one instruction on every x86-64; unsigned compares are emulated).
const INF: Seconds = (1 << 30) - 1;

const NONE: u32 = u32::MAX;

const ALL_INF: Lanes = [INF; LANES];

/// `a < b` for labels (all at most `2 * INF`).
#[inline(always)]
fn lt(a: Seconds, b: Seconds) -> bool {
    (a as i32) < (b as i32)
}

#[inline(always)]
fn vmin(a: Lanes, b: Lanes) -> Lanes {
    std::array::from_fn(|l| if lt(a[l], b[l]) { a[l] } else { b[l] })
}

/// `a + d`, lanes past `bound` made `INF`.
#[inline(always)]
fn add_capped(a: Lanes, d: Seconds, bound: Seconds) -> Lanes {
    std::array::from_fn(|l| {
        let x = a[l] + d;
        if !lt(bound, x) {
            x
        } else {
            INF
        }
    })
}

/// Whether some lane of `a` is below that of `b`.
#[inline(always)]
fn any_below(a: &Lanes, b: &Lanes) -> bool {
    let mut m = 0u32;
    for l in 0..LANES {
        m |= u32::from(lt(a[l], b[l]));
    }
    m != 0
}

/// The per-thread state of batched searches. Make one per thread and reuse it.
#[derive(Debug, Default)]
pub struct BatchWorkspace {
    n: usize,
    veh: Vec<Lanes>,
    ready: Vec<Lanes>,
    arr: Vec<Lanes>,
    touched: BitSet,
    touched_list: Vec<u32>,
    /// Stops whose ready label improved in some lane in the round just done.
    scan: BitSet,
    /// Stops whose vehicle label improved in some lane in this round.
    veh_marked: BitSet,
    route_first: Vec<u32>,
    route_list: Vec<u32>,
    lanes: usize,
    depart: Seconds,
    bound: Seconds,
    /// Search with the code compiled for any CPU even where AVX2 is there (the tests check
    /// that both give the same labels).
    portable: bool,
}

/// The arrivals of one batched departure, by origin (lane) and stop.
#[derive(Clone, Copy, Debug)]
pub struct BatchArrivals<'w> {
    arr: &'w [Lanes],
    /// The stops any lane reached (in the order first reached).
    reached: &'w [u32],
    lanes: usize,
    depart: Seconds,
    bound: Seconds,
}

impl BatchArrivals<'_> {
    /// Number of origins searched.
    pub fn lanes(&self) -> usize {
        self.lanes
    }
    /// Departure, seconds since the date's midnight.
    pub fn depart(&self) -> Seconds {
        self.depart - BASE
    }
    /// Earliest arrival from origin `lane` at stop `s` (seconds since the date's midnight), if
    /// within the limit.
    #[inline]
    pub fn at(&self, lane: usize, s: StopIdx) -> Option<Seconds> {
        let a = self.arr[s.idx()][lane];
        (a <= self.bound).then(|| a - BASE)
    }

    /// The earliest arrival from each origin at each destination reached from stops by
    /// egress legs, `egress[stop]` = `(destination, seconds)` (a stop's egress table;
    /// destinations below `dests`): `out[d][lane]`, seconds since the date's midnight,
    /// `UNREACHED` where no stop leads to `d` within the limit (and for lanes past
    /// [`BatchArrivals::lanes`]). One min-plus pass over the reached stops' tables for every
    /// origin at once: what [`super::Arrivals::via`] gives for each destination and origin.
    pub fn via_egress(&self, egress: &[Vec<(u32, Seconds)>], dests: usize, out: &mut Vec<Lanes>) {
        out.clear();
        out.resize(dests, ALL_INF);
        for &s in self.reached {
            let Some(table) = egress.get(s as usize) else {
                continue;
            };
            let t = self.arr[s as usize];
            for &(d, e) in table {
                let x = add_capped(t, e.min(INF), self.bound);
                let o = &mut out[d as usize];
                *o = vmin(*o, x);
            }
        }
        for o in out.iter_mut() {
            for x in o.iter_mut() {
                *x = if *x <= self.bound {
                    *x - BASE
                } else {
                    UNREACHED
                };
            }
        }
    }
}

impl BatchWorkspace {
    /// An empty workspace; the first search lays its arrays out.
    pub fn new() -> Self {
        Self::default()
    }

    /// Searches with the code compiled for any CPU (`true`), or with the AVX2 copy where the
    /// CPU has it (`false`, the default). The labels are the same; for the tests.
    pub fn set_portable(&mut self, portable: bool) {
        self.portable = portable;
    }

    fn prepare(&mut self, day: &DayTimetable) {
        let n = day.num_stops();
        if n != self.n || self.veh.len() != n {
            self.n = n;
            for v in [&mut self.veh, &mut self.ready, &mut self.arr] {
                v.clear();
                v.resize(n, ALL_INF);
            }
            for b in [&mut self.touched, &mut self.scan, &mut self.veh_marked] {
                b.reset(n);
            }
            self.touched_list.clear();
        } else if self.touched_list.len() * 4 > n {
            for v in [&mut self.veh, &mut self.ready, &mut self.arr] {
                v.fill(ALL_INF);
            }
            self.touched.clear();
            self.touched_list.clear();
        } else {
            for &s in &self.touched_list {
                let s = s as usize;
                self.veh[s] = ALL_INF;
                self.ready[s] = ALL_INF;
                self.arr[s] = ALL_INF;
                self.touched.clear_bit(s);
            }
            self.touched_list.clear();
        }
        self.scan.clear();
        self.veh_marked.clear();
        let nr = day.routes().len();
        if self.route_first.len() != nr {
            self.route_first.clear();
            self.route_first.resize(nr, NONE);
        }
        self.route_list.clear();
    }

    /// Earliest arrivals at every stop from each of `origins` (access legs `(stop, seconds)`
    /// each, at most [`LANES`] origins) for one departure (seconds since the date's midnight):
    /// for each origin, the labels [`super::RaptorWorkspace::window_arrivals`] gives for a
    /// window of that one departure.
    pub fn one_departure<A: AsRef<[(StopIdx, Seconds)]>>(
        &mut self,
        day: &DayTimetable,
        origins: &[A],
        depart: Seconds,
        p: &RaptorParams,
    ) -> Result<BatchArrivals<'_>, RaptorError> {
        assert!(origins.len() <= LANES, "at most {LANES} origins per batch");
        check_query(day, origins.iter().map(|a| a.as_ref()), depart, depart, p)?;
        self.prepare(day);
        let (dep, bound) = (depart + BASE, depart + BASE + p.limit);
        self.run(day, origins, dep, bound, p.max_trips as usize);
        self.lanes = origins.len();
        self.depart = dep;
        self.bound = bound;
        Ok(BatchArrivals {
            arr: &self.arr,
            reached: &self.touched_list,
            lanes: self.lanes,
            depart: dep,
            bound,
        })
    }

    #[inline(always)]
    fn touch(touched: &mut BitSet, touched_list: &mut Vec<u32>, s: usize) {
        if !touched.get(s) {
            touched.set(s);
            touched_list.push(s as u32);
        }
    }

    /// The search, compiled twice: for CPUs with AVX2 (16 lanes in two registers; checked at
    /// run time) and for any x86-64 (SSE2) or other target. Both run the same code.
    fn run<A: AsRef<[(StopIdx, Seconds)]>>(
        &mut self,
        day: &DayTimetable,
        origins: &[A],
        dep: Seconds,
        bound: Seconds,
        rounds: usize,
    ) {
        #[cfg(target_arch = "x86_64")]
        if !self.portable && std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            unsafe { self.run_avx2(day, origins, dep, bound, rounds) };
            return;
        }
        self.run_any(day, origins, dep, bound, rounds);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_avx2<A: AsRef<[(StopIdx, Seconds)]>>(
        &mut self,
        day: &DayTimetable,
        origins: &[A],
        dep: Seconds,
        bound: Seconds,
        rounds: usize,
    ) {
        self.run_any(day, origins, dep, bound, rounds);
    }

    #[inline(always)]
    fn run_any<A: AsRef<[(StopIdx, Seconds)]>>(
        &mut self,
        day: &DayTimetable,
        origins: &[A],
        dep: Seconds,
        bound: Seconds,
        rounds: usize,
    ) {
        // Round 0: the access legs, lane by lane.
        for (l, acc) in origins.iter().enumerate() {
            for &(s, a) in acc.as_ref() {
                let (s, t) = (s.idx(), dep.saturating_add(a));
                if t <= bound && t < self.veh[s][l] {
                    self.veh[s][l] = t;
                    self.veh_marked.set(s);
                    Self::touch(&mut self.touched, &mut self.touched_list, s);
                    if t < self.arr[s][l] {
                        self.arr[s][l] = t;
                    }
                }
            }
        }
        self.relax_transfers(day, 0, bound);
        let mut k = 0;
        while k < rounds && !self.scan.is_empty() {
            k += 1;
            day.routes_through(&self.scan, &mut self.route_first, &mut self.route_list);
            self.scan.clear();
            for li in 0..self.route_list.len() {
                let r = self.route_list[li];
                let first = std::mem::replace(&mut self.route_first[r as usize], NONE);
                self.scan_route(day, r, first as usize, bound);
            }
            self.route_list.clear();
            self.relax_transfers(day, k, bound);
        }
    }

    /// Scans day route `r` from stop position `first`, every lane with its own trip.
    #[inline(always)]
    fn scan_route(&mut self, day: &DayTimetable, r: u32, first: usize, bound: Seconds) {
        let Self {
            veh,
            ready,
            arr,
            touched,
            touched_list,
            veh_marked,
            ..
        } = self;
        let (veh, ready, arr) = (&mut veh[..], &ready[..], &mut arr[..]);
        let route = &day.routes()[r as usize];
        let stops = day.route_stops(route);
        let acc = day.route_access(route);
        let mut trip: [u32; LANES] = [NONE; LANES];
        let mut riding = false;
        for i in first..stops.len() {
            let s = stops[i].idx();
            if riding && acc[i] & access::ALIGHT != 0 {
                let times = day.arrivals_at(route, i);
                let t: Lanes = std::array::from_fn(|l| match trip[l] {
                    NONE => INF,
                    j => {
                        let x = times[j as usize];
                        if x <= bound {
                            x
                        } else {
                            INF
                        }
                    }
                });
                let v = &mut veh[s];
                if any_below(&t, v) {
                    *v = vmin(*v, t);
                    arr[s] = vmin(arr[s], t);
                    veh_marked.set(s);
                    Self::touch(touched, touched_list, s);
                }
            }
            if acc[i] & access::BOARD != 0 {
                let rd = ready[s];
                let deps = day.departures_at(route, i);
                for l in 0..LANES {
                    let r = rd[l];
                    if r > bound {
                        continue;
                    }
                    let hi = if trip[l] == NONE {
                        route.n_trips
                    } else {
                        trip[l]
                    } as usize;
                    if hi > 0 && deps[hi - 1] >= r {
                        trip[l] = deps[..hi].partition_point(|&d| d < r) as u32;
                        riding = true;
                    }
                }
            }
        }
    }

    /// After the vehicles of round `k`: changes at the stops any lane's vehicle reached, and
    /// footpaths from them.
    #[inline(always)]
    fn relax_transfers(&mut self, day: &DayTimetable, k: usize, bound: Seconds) {
        if day.has_walks() {
            self.relax_with(day, k, bound, |s| day.walks_or_empty(s));
        } else {
            let tt = day.timetable();
            self.relax_with(day, k, bound, |s| tt.footpaths(StopIdx::from_idx(s)));
        }
    }

    #[inline(always)]
    fn relax_with<'d, W: WalkItem + 'd>(
        &mut self,
        day: &DayTimetable,
        k: usize,
        bound: Seconds,
        paths: impl Fn(usize) -> &'d [W],
    ) {
        let tt = day.timetable();
        let Self {
            veh,
            ready,
            arr,
            touched,
            touched_list,
            scan,
            veh_marked,
            ..
        } = self;
        let (veh, ready, arr) = (&veh[..], &mut ready[..], &mut arr[..]);
        for s in veh_marked.ones() {
            let t = veh[s];
            let change = if k == 0 {
                0
            } else {
                tt.min_change(StopIdx::from_idx(s)).min(INF)
            };
            let rt = add_capped(t, change, bound);
            let r0 = ready[s];
            if any_below(&rt, &r0) {
                ready[s] = vmin(r0, rt);
                scan.set(s);
            }
            for f in paths(s) {
                let q = f.to();
                let w = add_capped(t, f.secs().min(INF), bound);
                let rq = ready[q];
                if any_below(&w, &rq) {
                    ready[q] = vmin(rq, w);
                    arr[q] = vmin(arr[q], w);
                    scan.set(q);
                    Self::touch(touched, touched_list, q);
                }
            }
        }
        veh_marked.clear();
    }
}
