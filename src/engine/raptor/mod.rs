//! RAPTOR (Delling, Pajor, Werneck 2012): earliest arrival over a timetable in rounds, round
//! `k` finding the best arrivals with at most `k` vehicle trips; and range RAPTOR (rRAPTOR)
//! over a departure window, run from the latest departure minute to the earliest, keeping the
//! labels of later minutes (a journey that can leave later can leave now and wait).
//!
//! What a journey may be (the brute-force reference in `tests/raptor.rs` searches exactly
//! this): an *access* leg to a stop (seconds given by the caller, e.g. a walk computed by the
//! static engine), then trips, each followed either by a change at the same stop (its minimum
//! change time) or by one footpath; after the access leg one footpath may follow too. The
//! arrival at a stop is that of the trip or footpath that reaches it; an *egress* list turns
//! stop arrivals into a destination's arrival. Footpaths are not chained (as in the paper,
//! transitive closure is the data's business). Boarding needs a departure at or after the
//! time one is ready at the stop; `pickup_type`/`drop_off_type` 1 forbid boarding/alighting.
//!
//! Labels, per round `k` and stop (all "with at most `k` trips", the form range RAPTOR needs
//! so that labels kept from a later minute never prune a label with fewer trips):
//! - `veh`: arrival by a vehicle (round 0: by the access leg); footpaths and changes start
//!   from it;
//! - `ready`: the earliest time one can board there (vehicle arrival plus minimum change
//!   time, or a footpath's arrival, or the access arrival);
//! - `arr`: the earliest arrival at all (vehicle or footpath), what is reported.
//!
//! One workspace per thread (`RaptorWorkspace`), sized once for a day and reused: a query
//! allocates nothing; marks are bitsets; only the stops the last query touched are reset.
//! Searches are bounded by a time limit (labels past `departure + limit` are not kept) and a
//! number of rounds.

pub mod batch;
pub mod bitset;
pub mod day;
pub mod query;

use crate::network::ids::{Seconds, UNREACHED};
use crate::network::timetable::{access, Day, RouteIdx, StopIdx, Timetable, TripIdx, DAY};
pub use batch::{BatchArrivals, BatchWorkspace, LANES};
use bitset::BitSet;
pub use day::{
    frequency_offset, DayRoute, DayTimetable, Draw, TripInstance, Walk, BASE, MAX_HORIZON,
};
use query::WalkItem;
pub use query::{RaptorError, RaptorParams};

/// Departures `from, from + step, …` up to `to` (inclusive), seconds since the date's
/// midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The earliest departure.
    pub from: Seconds,
    /// The latest departure (inclusive; searched only if `from + n * step` reaches it).
    pub to: Seconds,
    /// Seconds between two departures (above 0).
    pub step: Seconds,
}

const NONE: u32 = u32::MAX;

/// How a vehicle label was reached: by riding `trip` of day route `route`, boarded at stop
/// position `board`; in round 0, `route == NONE` and `trip` is the index of the access entry.
#[derive(Clone, Copy, Debug, Default)]
struct VehParent {
    route: u32,
    trip: u32,
    board: u32,
}

/// The per-thread state of RAPTOR searches. Make one per thread and reuse it.
#[derive(Debug, Default)]
pub struct RaptorWorkspace {
    /// Stops and rounds (plus one, round 0) the arrays are laid out for.
    n: usize,
    rounds: usize,
    /// One label row for every round (a single departure searched by
    /// [`RaptorWorkspace::window_arrivals`], which keeps no parents either).
    flat: bool,
    /// Whether the last search kept the parent labels (`veh_parent`, `ready_from`,
    /// `arr_from`) that [`RaptorWorkspace::journey`] reads back: not for
    /// [`RaptorWorkspace::window_arrivals`], whose callers read arrivals only.
    parents: bool,
    veh: Vec<Seconds>,
    ready: Vec<Seconds>,
    arr: Vec<Seconds>,
    veh_parent: Vec<VehParent>,
    /// The stop whose vehicle label a ready label comes from (itself: a change there).
    ready_from: Vec<u32>,
    /// The stop whose vehicle label an arrival label comes from (itself: the vehicle).
    arr_from: Vec<u32>,
    touched: BitSet,
    touched_list: Vec<u32>,
    /// Stops whose ready label improved in the round just done: the next round scans their
    /// routes.
    scan: BitSet,
    /// Stops whose vehicle label improved in this round: footpaths and changes start there.
    veh_marked: BitSet,
    /// Stops with any label changed in the previous / this round, copied to the next round.
    changed_prev: BitSet,
    changed: BitSet,
    /// Stops whose arrival label improved in some round of the last departure searched: a
    /// superset of those whose best arrival is earlier than at the previous (later) departure
    /// of a window.
    improved: BitSet,
    route_first: Vec<u32>,
    route_list: Vec<u32>,
    /// The last search: departure (internal), bound (internal), rounds.
    last: Option<(Seconds, Seconds, usize)>,
    access_copy: Vec<(StopIdx, Seconds)>,
    /// The footpaths of one stop that improve a label (indices), found before they are applied.
    walk_cand: Vec<u32>,
    /// Arrival-only windows: round 0's ready (and arrival) labels as offsets from the
    /// departure, `(stop, seconds)`: the access legs and one footpath after them, the same at
    /// every departure, so worked out once per window instead of relaxed at every minute.
    /// Empty when round 0 relaxes its footpaths as usual.
    round0: Vec<(u32, Seconds)>,
    /// Scratch of `round0` (one entry per stop).
    round0_best: Vec<Seconds>,
}

/// The arrivals of one departure, by stop.
#[derive(Clone, Copy, Debug)]
pub struct Arrivals<'w> {
    arr: &'w [Seconds],
    improved: &'w BitSet,
    depart: Seconds,
    bound: Seconds,
}

impl Arrivals<'_> {
    /// Departure, seconds since the date's midnight.
    pub fn depart(&self) -> Seconds {
        self.depart - BASE
    }
    /// Earliest arrival at stop `s` (seconds since the date's midnight), if within the limit.
    #[inline]
    pub fn at(&self, s: StopIdx) -> Option<Seconds> {
        let a = self.arr[s.idx()];
        (a <= self.bound).then(|| a - BASE)
    }
    /// Earliest arrival at a destination reached from stops by egress legs `(stop, seconds)`,
    /// if within the limit.
    pub fn via(&self, egress: &[(StopIdx, Seconds)]) -> Option<Seconds> {
        egress
            .iter()
            .filter_map(|&(s, e)| {
                let a = self.arr[s.idx()];
                (a != UNREACHED).then(|| a + e)
            })
            .min()
            .filter(|&a| a <= self.bound)
            .map(|a| a - BASE)
    }
    /// The stops whose arrival may be earlier than at the departure searched before this one
    /// in the same window (every stop reached, at the window's first departure searched, its
    /// latest), in increasing order: a caller that keeps the best arrivals of a window need
    /// only look at these. A superset: some may not have improved.
    pub fn improved(&self) -> impl Iterator<Item = StopIdx> + '_ {
        self.improved.ones().map(|s| StopIdx(s as u32))
    }
    /// Travel time to stop `s`, if within the limit.
    pub fn travel_time(&self, s: StopIdx) -> Option<Seconds> {
        self.at(s).map(|a| a + BASE - self.depart)
    }
}

/// One leg of a journey. Times are seconds since the query date's midnight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leg {
    /// From the origin to the first stop, as the caller's access legs give it.
    Access {
        /// The stop reached.
        to: StopIdx,
        /// Leaving the origin.
        depart: Seconds,
        /// Reaching the stop.
        arrive: Seconds,
    },
    /// A ride on one trip, from boarding to alighting.
    Ride {
        /// The trip's route.
        route: RouteIdx,
        /// The trip.
        trip: TripIdx,
        /// The service day the trip belongs to (the day before for a trip past 24:00).
        service_day: Day,
        /// Where it is boarded.
        from: StopIdx,
        /// Where it is left.
        to: StopIdx,
        /// Its departure from `from`.
        depart: Seconds,
        /// Its arrival at `to`.
        arrive: Seconds,
    },
    /// A footpath between two stops.
    Walk {
        /// Where the walk starts.
        from: StopIdx,
        /// Where it ends.
        to: StopIdx,
        /// Leaving `from` (on arrival there: waits are part of the next ride).
        depart: Seconds,
        /// Reaching `to`.
        arrive: Seconds,
    },
    /// From the last stop to the destination, as the caller's egress legs give it.
    Egress {
        /// The stop it leaves from.
        from: StopIdx,
        /// Leaving the stop.
        depart: Seconds,
        /// Reaching the destination.
        arrive: Seconds,
    },
}

impl Leg {
    /// When the leg starts, seconds since the query date's midnight.
    pub fn depart(&self) -> Seconds {
        match *self {
            Leg::Access { depart, .. }
            | Leg::Ride { depart, .. }
            | Leg::Walk { depart, .. }
            | Leg::Egress { depart, .. } => depart,
        }
    }
    /// When the leg ends, seconds since the query date's midnight.
    pub fn arrive(&self) -> Seconds {
        match *self {
            Leg::Access { arrive, .. }
            | Leg::Ride { arrive, .. }
            | Leg::Walk { arrive, .. }
            | Leg::Egress { arrive, .. } => arrive,
        }
    }
}

/// A journey of one departure, leg by leg.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Journey {
    /// Departure from the origin, seconds since the query date's midnight.
    pub depart: Seconds,
    /// Arrival at the destination (or the stop asked for).
    pub arrive: Seconds,
    /// The legs in order: access, then rides, each followed by a walk or not, then egress
    /// when the journey ends at a destination.
    pub legs: Vec<Leg>,
}

impl Journey {
    /// One line per leg, with clock times, stop names and route names.
    pub fn describe(&self, tt: &Timetable) -> String {
        use crate::network::timetable::clock;
        let name = |s: StopIdx| {
            let st = tt.stop(s);
            if st.name.is_empty() {
                st.id.clone()
            } else {
                st.name.clone()
            }
        };
        let mut out = String::new();
        for leg in &self.legs {
            let line = match *leg {
                Leg::Access { to, depart, arrive } => {
                    format!("{}–{} access to {}", clock(depart), clock(arrive), name(to))
                }
                Leg::Ride {
                    route,
                    trip,
                    from,
                    to,
                    depart,
                    arrive,
                    ..
                } => {
                    let r = tt.route(route);
                    let rn = if r.short_name.is_empty() {
                        &r.long_name
                    } else {
                        &r.short_name
                    };
                    format!(
                        "{}–{} {} (trip {}) from {} to {}",
                        clock(depart),
                        clock(arrive),
                        rn,
                        tt.trip(trip).id,
                        name(from),
                        name(to)
                    )
                }
                Leg::Walk {
                    from,
                    to,
                    depart,
                    arrive,
                } => format!(
                    "{}–{} walk from {} to {}",
                    clock(depart),
                    clock(arrive),
                    name(from),
                    name(to)
                ),
                Leg::Egress {
                    from,
                    depart,
                    arrive,
                } => format!(
                    "{}–{} egress from {}",
                    clock(depart),
                    clock(arrive),
                    name(from)
                ),
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

impl RaptorWorkspace {
    /// An empty workspace; the first search lays its arrays out.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where round `k`'s label row starts (every round shares row 0 when flat).
    #[inline(always)]
    fn row(&self, k: usize) -> usize {
        if self.flat {
            0
        } else {
            k * self.n
        }
    }

    /// Lays the arrays out for `day` and `rounds` (one row per round, or one row for all when
    /// `flat`), and clears what the last search left.
    fn prepare(&mut self, day: &DayTimetable, rounds: usize, flat: bool) {
        let n = day.num_stops();
        let rows = if flat { 1 } else { rounds + 1 };
        let size = n * rows;
        if n != self.n || rounds != self.rounds || flat != self.flat || self.veh.len() != size {
            self.n = n;
            self.rounds = rounds;
            self.flat = flat;
            for v in [&mut self.veh, &mut self.ready, &mut self.arr] {
                v.clear();
                v.resize(size, UNREACHED);
            }
            self.veh_parent.clear();
            self.veh_parent.resize(size, VehParent::default());
            self.ready_from.clear();
            self.ready_from.resize(size, NONE);
            self.arr_from.clear();
            self.arr_from.resize(size, NONE);
            for b in [
                &mut self.touched,
                &mut self.scan,
                &mut self.veh_marked,
                &mut self.changed_prev,
                &mut self.changed,
                &mut self.improved,
            ] {
                b.reset(n);
            }
            self.touched_list.clear();
        } else if self.touched_list.len() * 4 > n {
            for v in [&mut self.veh, &mut self.ready, &mut self.arr] {
                v.fill(UNREACHED);
            }
            self.touched.clear();
            self.touched_list.clear();
        } else {
            for &s in &self.touched_list {
                for k in 0..rows {
                    let i = k * n + s as usize;
                    self.veh[i] = UNREACHED;
                    self.ready[i] = UNREACHED;
                    self.arr[i] = UNREACHED;
                }
                self.touched.clear_bit(s as usize);
            }
            self.touched_list.clear();
        }
        self.scan.clear();
        self.veh_marked.clear();
        self.changed.clear();
        self.changed_prev.clear();
        self.improved.clear();
        let nr = day.routes().len();
        if self.route_first.len() != nr {
            self.route_first.clear();
            self.route_first.resize(nr, NONE);
        }
        self.route_list.clear();
        self.last = None;
    }

    fn check(
        &mut self,
        day: &DayTimetable,
        access: &[(StopIdx, Seconds)],
        from: Seconds,
        to: Seconds,
        p: &RaptorParams,
    ) -> Result<(), RaptorError> {
        query::check_query(day, [access], from, to, p)?;
        self.access_copy.clear();
        self.access_copy.extend_from_slice(access);
        Ok(())
    }

    /// Earliest arrivals at every stop for one departure (seconds since the date's midnight)
    /// from the access legs `(stop, seconds)`.
    pub fn one_departure(
        &mut self,
        day: &DayTimetable,
        access: &[(StopIdx, Seconds)],
        depart: Seconds,
        p: &RaptorParams,
    ) -> Result<Arrivals<'_>, RaptorError> {
        self.check(day, access, depart, depart, p)?;
        let rounds = p.max_trips as usize;
        self.prepare(day, rounds, false);
        self.parents = true;
        let (dep, bound) = (depart + BASE, depart + BASE + p.limit);
        self.run(day, dep, bound);
        self.last = Some((dep, bound, rounds));
        Ok(self.arrivals())
    }

    /// Range RAPTOR: earliest arrivals for every departure of the window, computed from the
    /// latest to the earliest, reusing labels. `on_departure` gets each departure with its
    /// arrivals, latest first.
    pub fn window(
        &mut self,
        day: &DayTimetable,
        access: &[(StopIdx, Seconds)],
        window: Window,
        p: &RaptorParams,
        on_departure: impl FnMut(Arrivals<'_>),
    ) -> Result<(), RaptorError> {
        self.range(day, access, window, p, true, on_departure)
    }

    /// Range RAPTOR, keeping the parent labels or not.
    fn range(
        &mut self,
        day: &DayTimetable,
        access: &[(StopIdx, Seconds)],
        window: Window,
        p: &RaptorParams,
        parents: bool,
        mut on_departure: impl FnMut(Arrivals<'_>),
    ) -> Result<(), RaptorError> {
        let Window { from, to, step } = window;
        if from > to || step == 0 {
            return Err(RaptorError::BadWindow { from, to });
        }
        self.check(day, access, from, to, p)?;
        let rounds = p.max_trips as usize;
        self.prepare(day, rounds, false);
        self.parents = parents;
        if !parents {
            self.round0_offsets(day, p.limit);
        }
        let mut m = from + (to - from) / step * step;
        loop {
            let (dep, bound) = (m + BASE, m + BASE + p.limit);
            self.run(day, dep, bound);
            self.last = Some((dep, bound, rounds));
            on_departure(self.arrivals());
            if m < from + step {
                break;
            }
            m -= step;
        }
        self.round0.clear();
        Ok(())
    }

    /// Fills `round0` for the access legs in `access_copy`: at every departure of a window,
    /// every access leg within `limit` improves its stop's round-0 label (the departure before
    /// was later), so round 0 relaxes the same footpaths from the same stops, each label the
    /// departure plus the same offset: the access leg's seconds, or the best of those plus one
    /// footpath.
    fn round0_offsets(&mut self, day: &DayTimetable, limit: Seconds) {
        let n = day.num_stops();
        let Self {
            access_copy,
            round0,
            round0_best: best,
            ..
        } = self;
        if best.len() != n {
            best.clear();
            best.resize(n, UNREACHED);
        }
        round0.clear();
        // Offsets past the limit are past every departure's bound.
        let put = |best: &mut [Seconds], round0: &mut Vec<(u32, Seconds)>, q: usize, x: Seconds| {
            if x > limit {
                return;
            }
            if best[q] == UNREACHED {
                round0.push((q as u32, x));
            }
            best[q] = best[q].min(x);
        };
        // The access legs first (a stop's best leg), then one footpath from each.
        for &(s, a) in access_copy.iter() {
            put(best, round0, s.idx(), a);
        }
        // Footpaths start from a stop's own access leg (they are not chained), whatever a
        // footpath from another leg gives it.
        for e in round0.iter_mut() {
            e.1 = best[e.0 as usize];
        }
        for i in 0..round0.len() {
            let (s, a) = (round0[i].0 as usize, round0[i].1);
            if day.has_walks() {
                for w in day.walks_or_empty(s) {
                    put(best, round0, w.to(), a.saturating_add(w.secs()));
                }
            } else {
                for f in day.timetable().footpaths(StopIdx::from_idx(s)) {
                    put(best, round0, f.to(), a.saturating_add(f.secs()));
                }
            }
        }
        // Every entry: its best offset (and the scratch left clear).
        for e in round0.iter_mut() {
            e.1 = best[e.0 as usize];
            best[e.0 as usize] = UNREACHED;
        }
    }

    /// Round 0's changes and footpaths from the offsets in `round0`: the labels
    /// [`RaptorWorkspace::relax_transfers`] gives for round 0 of a window's departure (every
    /// access leg within the bound having improved), without the footpaths' work.
    fn relax_round0(&mut self, dep: Seconds, bound: Seconds) {
        let n = self.n;
        let Self {
            ready,
            arr,
            touched,
            touched_list,
            scan,
            veh_marked,
            changed,
            improved,
            round0,
            ..
        } = self;
        let (ready, arr) = (&mut ready[..n], &mut arr[..n]);
        for &(q, off) in round0.iter() {
            let (q, t) = (q as usize, dep + off);
            if t > bound || t >= ready[q] {
                continue;
            }
            ready[q] = t;
            scan.set(q);
            changed.set(q);
            if t < arr[q] {
                arr[q] = t;
                improved.set(q);
            }
            if !touched.get(q) {
                touched.set(q);
                touched_list.push(q as u32);
            }
        }
        veh_marked.clear();
    }

    /// [`RaptorWorkspace::window`] for callers that read arrivals only, never journeys: no
    /// parent labels are kept (the label arithmetic is the same, with less memory written),
    /// and a window of one departure (a matrix at one minute) is searched on one label row
    /// for every round instead of one row per round. The labels are the same (a round's row
    /// held the best of the rounds up to it, which is what the one row holds; route scans
    /// board from the ready labels before the round's own walks, as the rows did), without
    /// copying labels up from round to round. After it, [`RaptorWorkspace::journey`] gives
    /// `None`.
    pub fn window_arrivals(
        &mut self,
        day: &DayTimetable,
        access: &[(StopIdx, Seconds)],
        window: Window,
        p: &RaptorParams,
        mut on_departure: impl FnMut(Arrivals<'_>),
    ) -> Result<(), RaptorError> {
        let Window { from, to, step } = window;
        if from > to || step == 0 || (to - from) / step > 0 {
            return self.range(day, access, window, p, false, on_departure);
        }
        self.check(day, access, from, to, p)?;
        let rounds = p.max_trips as usize;
        self.prepare(day, rounds, true);
        self.parents = false;
        let (dep, bound) = (from + BASE, from + BASE + p.limit);
        self.run(day, dep, bound);
        self.last = Some((dep, bound, rounds));
        on_departure(self.arrivals());
        Ok(())
    }

    /// The arrivals of the last departure searched.
    pub fn arrivals(&self) -> Arrivals<'_> {
        let (depart, bound, rounds) = self.last.expect("no search run yet");
        let top = self.row(rounds);
        Arrivals {
            arr: &self.arr[top..top + self.n],
            improved: &self.improved,
            depart,
            bound,
        }
    }

    #[inline(always)]
    fn touch(&mut self, s: usize) {
        if !self.touched.get(s) {
            self.touched.set(s);
            self.touched_list.push(s as u32);
        }
    }

    /// One departure, on labels that are valid upper bounds (empty, or left by a later
    /// departure of the same window).
    fn run(&mut self, day: &DayTimetable, dep: Seconds, bound: Seconds) {
        if self.parents {
            self.run_with::<true>(day, dep, bound);
        } else {
            self.run_with::<false>(day, dep, bound);
        }
    }

    /// [`RaptorWorkspace::run`], writing the parent labels when `P`.
    #[inline(always)]
    fn run_with<const P: bool>(&mut self, day: &DayTimetable, dep: Seconds, bound: Seconds) {
        let rounds = self.rounds;
        self.improved.clear();
        // Round 0: the access legs.
        for i in 0..self.access_copy.len() {
            let (s, a) = self.access_copy[i];
            let (s, t) = (s.idx(), dep + a);
            if t <= bound && t < self.veh[s] {
                self.veh[s] = t;
                if P {
                    self.veh_parent[s] = VehParent {
                        route: NONE,
                        trip: i as u32,
                        board: 0,
                    };
                }
                self.veh_marked.set(s);
                self.changed.set(s);
                self.touch(s);
                if t < self.arr[s] {
                    self.arr[s] = t;
                    if P {
                        self.arr_from[s] = s as u32;
                    }
                    self.improved.set(s);
                }
            }
        }
        if !P && !self.round0.is_empty() {
            self.relax_round0(dep, bound);
        } else {
            self.relax_transfers::<P>(day, 0, bound);
        }
        let mut k = 0;
        while k < rounds && !self.scan.is_empty() {
            k += 1;
            if !self.flat {
                std::mem::swap(&mut self.changed, &mut self.changed_prev);
                self.changed.clear();
                self.carry::<P>(k);
            }
            // Routes through the stops marked in round k - 1, from their earliest such stop.
            day.routes_through(&self.scan, &mut self.route_first, &mut self.route_list);
            self.scan.clear();
            for li in 0..self.route_list.len() {
                let r = self.route_list[li];
                let first = std::mem::replace(&mut self.route_first[r as usize], NONE);
                self.scan_route::<P>(day, k, r, first as usize, bound);
            }
            self.route_list.clear();
            self.relax_transfers::<P>(day, k, bound);
        }
        // Carry what changed in the last round up to the top round, so that every round holds
        // "at most k trips" for the next departure of a window and for the report (one row
        // holds them all when flat).
        while k < rounds && !self.flat {
            k += 1;
            std::mem::swap(&mut self.changed, &mut self.changed_prev);
            self.changed.clear();
            self.carry::<P>(k);
            if self.changed.is_empty() {
                // Nothing changed in round k, so rounds above it hold nothing to carry either
                // (they are at least as good as round k already).
                break;
            }
        }
        self.changed.clear();
        self.changed_prev.clear();
    }

    /// Copies the labels of the stops changed in round `k - 1` into round `k` where better
    /// (with their parents when `P`).
    #[inline(always)]
    fn carry<const P: bool>(&mut self, k: usize) {
        let n = self.n;
        let (lo, hi) = ((k - 1) * n, k * n);
        let Self {
            veh,
            ready,
            arr,
            veh_parent,
            ready_from,
            arr_from,
            changed_prev,
            changed,
            ..
        } = self;
        // Row k - 1 to read and row k to write, as slices whose pointers stay in registers.
        fn rows<T>(v: &mut [T], lo: usize, hi: usize, n: usize) -> (&[T], &mut [T]) {
            let (a, b) = v.split_at_mut(hi);
            (&a[lo..lo + n], &mut b[..n])
        }
        let (veh_lo, veh_hi) = rows(veh, lo, hi, n);
        let (ready_lo, ready_hi) = rows(ready, lo, hi, n);
        let (arr_lo, arr_hi) = rows(arr, lo, hi, n);
        if !P {
            // Labels only: the minimum of the two rows, without a branch per label.
            for s in changed_prev.ones() {
                let (v, r, a) = (veh_lo[s], ready_lo[s], arr_lo[s]);
                let any = (v < veh_hi[s]) | (r < ready_hi[s]) | (a < arr_hi[s]);
                veh_hi[s] = veh_hi[s].min(v);
                ready_hi[s] = ready_hi[s].min(r);
                arr_hi[s] = arr_hi[s].min(a);
                if any {
                    changed.set(s);
                }
            }
            return;
        }
        let (vp_lo, vp_hi) = rows(veh_parent, lo, hi, n);
        let (rf_lo, rf_hi) = rows(ready_from, lo, hi, n);
        let (af_lo, af_hi) = rows(arr_from, lo, hi, n);
        for s in changed_prev.ones() {
            let mut any = false;
            if veh_lo[s] < veh_hi[s] {
                veh_hi[s] = veh_lo[s];
                vp_hi[s] = vp_lo[s];
                any = true;
            }
            if ready_lo[s] < ready_hi[s] {
                ready_hi[s] = ready_lo[s];
                rf_hi[s] = rf_lo[s];
                any = true;
            }
            if arr_lo[s] < arr_hi[s] {
                arr_hi[s] = arr_lo[s];
                af_hi[s] = af_lo[s];
                any = true;
            }
            if any {
                changed.set(s);
            }
        }
    }

    /// Scans day route `r` in round `k` from stop position `first`.
    #[inline]
    fn scan_route<const P: bool>(
        &mut self,
        day: &DayTimetable,
        k: usize,
        r: u32,
        first: usize,
        bound: Seconds,
    ) {
        let n = self.n;
        let (prev, cur) = (self.row(k - 1), self.row(k));
        let Self {
            veh,
            ready,
            arr,
            veh_parent,
            arr_from,
            touched,
            touched_list,
            veh_marked,
            changed,
            improved,
            ..
        } = self;
        let prev_ready = &ready[prev..prev + n];
        let veh = &mut veh[cur..cur + n];
        let arr = &mut arr[cur..cur + n];
        let veh_parent = &mut veh_parent[cur..cur + n];
        let arr_from = &mut arr_from[cur..cur + n];
        let route = &day.routes()[r as usize];
        let stops = day.route_stops(route);
        let acc = day.route_access(route);
        let mut trip = NONE;
        let mut board = 0u32;
        for i in first..stops.len() {
            let s = stops[i].idx();
            if trip != NONE && acc[i] & access::ALIGHT != 0 {
                let t = day.arrivals_at(route, i)[trip as usize];
                if t <= bound && t < veh[s] {
                    veh[s] = t;
                    if P {
                        veh_parent[s] = VehParent {
                            route: r,
                            trip,
                            board,
                        };
                    }
                    veh_marked.set(s);
                    changed.set(s);
                    if !touched.get(s) {
                        touched.set(s);
                        touched_list.push(s as u32);
                    }
                    if t < arr[s] {
                        arr[s] = t;
                        if P {
                            arr_from[s] = s as u32;
                        }
                        improved.set(s);
                    }
                }
            }
            if acc[i] & access::BOARD != 0 {
                let rd = prev_ready[s];
                if rd <= bound {
                    let hi = if trip == NONE { route.n_trips } else { trip } as usize;
                    let deps = &day.departures_at(route, i)[..hi];
                    if hi > 0 && deps[hi - 1] >= rd {
                        trip = deps.partition_point(|&d| d < rd) as u32;
                        board = i as u32;
                    }
                }
            }
        }
    }

    /// After the vehicles of round `k`: changes at the stops they reached and footpaths from
    /// them (the day's compact footpaths when it has them).
    fn relax_transfers<const P: bool>(&mut self, day: &DayTimetable, k: usize, bound: Seconds) {
        if day.has_walks() {
            self.relax_with::<P, _>(day, k, bound, |s| day.walks_or_empty(s));
        } else {
            let tt = day.timetable();
            self.relax_with::<P, _>(day, k, bound, |s| tt.footpaths(StopIdx::from_idx(s)));
        }
    }

    #[inline(always)]
    fn relax_with<'d, const P: bool, W: WalkItem + 'd>(
        &mut self,
        day: &DayTimetable,
        k: usize,
        bound: Seconds,
        paths: impl Fn(usize) -> &'d [W],
    ) {
        let tt = day.timetable();
        let n = self.n;
        let cur = self.row(k);
        // Split borrows: the label rows of round k and the marks, so that the loops below keep
        // their pointers in registers (no reload through `self` after every store).
        let Self {
            veh,
            ready,
            arr,
            ready_from,
            arr_from,
            touched,
            touched_list,
            scan,
            veh_marked,
            changed,
            walk_cand,
            improved,
            ..
        } = self;
        let veh = &veh[cur..cur + n];
        let ready = &mut ready[cur..cur + n];
        let arr = &mut arr[cur..cur + n];
        let ready_from = &mut ready_from[cur..cur + n];
        let arr_from = &mut arr_from[cur..cur + n];
        // `bound` is an internal time, far below `Seconds::MAX`.
        let past = bound + 1;
        // A plain loop, not a closure, so that the buffers above stay in registers.
        for s in veh_marked.ones() {
            let t = veh[s];
            let change = if k == 0 {
                0
            } else {
                tt.min_change(StopIdx::from_idx(s))
            };
            let rt = t + change;
            if rt <= bound && rt < ready[s] {
                ready[s] = rt;
                if P {
                    ready_from[s] = s as u32;
                }
                scan.set(s);
                changed.set(s);
            }
            let ps = paths(s);
            if walk_cand.len() < ps.len() {
                walk_cand.resize(ps.len(), 0);
            }
            let cand = &mut walk_cand[..ps.len()];
            // First the walks that improve, without a branch per walk (most improve nothing:
            // `arr <= ready` at every stop, so a walk not earlier than `ready` and within the
            // bound is of no use), then those few.
            let mut m = 0;
            for (i, f) in ps.iter().enumerate() {
                let w = t + f.secs();
                cand[m] = i as u32;
                m += usize::from(w < ready[f.to()].min(past));
            }
            for &i in &cand[..m] {
                let f = ps[i as usize];
                let (w, q) = (t + f.secs(), f.to());
                if w >= ready[q] {
                    continue;
                }
                ready[q] = w;
                if P {
                    ready_from[q] = s as u32;
                }
                scan.set(q);
                if w < arr[q] {
                    arr[q] = w;
                    if P {
                        arr_from[q] = s as u32;
                    }
                    improved.set(q);
                }
                changed.set(q);
                if !touched.get(q) {
                    touched.set(q);
                    touched_list.push(q as u32);
                }
            }
        }
        veh_marked.clear();
    }

    /// The journey of the last search to stop `target` (or, with `egress`, to a destination
    /// reached from stops by egress legs). After a window, the journey is for its earliest
    /// departure; its first leg may leave later than that (waiting at the origin).
    pub fn journey(
        &self,
        day: &DayTimetable,
        target: StopIdx,
        egress: Option<&[(StopIdx, Seconds)]>,
    ) -> Option<Journey> {
        // A flat search is an arrivals-only one: no parents either.
        if !self.parents {
            return None;
        }
        let (dep, bound, rounds) = self.last?;
        let n = self.n;
        let top = rounds * n;
        let (stop, egress_secs) = match egress {
            None => (target.idx(), None),
            Some(eg) => {
                let (s, e) = eg
                    .iter()
                    .filter(|(s, _)| self.arr[top + s.idx()] != UNREACHED)
                    .min_by_key(|(s, e)| (self.arr[top + s.idx()] + e, s.0))?;
                (s.idx(), Some(*e))
            }
        };
        let best = self.arr[top + stop];
        if best > bound || egress_secs.is_some_and(|e| best + e > bound) {
            return None;
        }
        // The fewest rounds that reach the best arrival.
        let k = (0..=rounds).find(|&k| self.arr[k * n + stop] == best)?;
        let back = self.legs_back(day, stop, k)?;
        let (mut legs, mut t) = self.legs_forward(day, &back, dep - BASE)?;
        if let Some(e) = egress_secs {
            legs.push(Leg::Egress {
                from: StopIdx::from_idx(stop),
                depart: t,
                arrive: t + e,
            });
            t += e;
        }
        Some(Journey {
            depart: dep - BASE,
            arrive: t,
            legs,
        })
    }

    /// The legs of the journey to `stop` in round `k`, from the last to the first, read from
    /// the parent labels (`None` where a label has no parent).
    fn legs_back(&self, day: &DayTimetable, stop: usize, mut k: usize) -> Option<Vec<Back>> {
        let n = self.n;
        let mut back = Vec::new();
        let from = self.arr_from[k * n + stop] as usize;
        if from != stop {
            back.push(Back::Walk(from, stop));
        }
        let mut s = from;
        loop {
            let p = self.veh_parent[k * n + s];
            if k == 0 || p.route == NONE {
                back.push(Back::Access(s, p.trip));
                break;
            }
            back.push(Back::Ride(p.route, p.trip, p.board, s));
            let route = &day.routes()[p.route as usize];
            let b = day.route_stops(route)[p.board as usize].idx();
            k -= 1;
            let rf = self.ready_from[k * n + b];
            if rf == NONE {
                return None;
            }
            if rf as usize != b {
                back.push(Back::Walk(rf as usize, b));
            }
            s = rf as usize;
        }
        Some(back)
    }

    /// The legs of `back` in order with their times, leaving at `t` (seconds since the date's
    /// midnight), and the arrival of the last.
    fn legs_forward(
        &self,
        day: &DayTimetable,
        back: &[Back],
        mut t: Seconds,
    ) -> Option<(Vec<Leg>, Seconds)> {
        let tt = day.timetable();
        let mut legs = Vec::with_capacity(back.len() + 1);
        for b in back.iter().rev() {
            let leg = match *b {
                Back::Access(s, i) => Leg::Access {
                    to: StopIdx::from_idx(s),
                    depart: t,
                    arrive: t + self.access_copy[i as usize].1,
                },
                Back::Walk(a, b) => {
                    let d = tt
                        .footpaths(StopIdx::from_idx(a))
                        .iter()
                        .find(|f| f.to.idx() == b)
                        .map(|f| f.duration)?;
                    Leg::Walk {
                        from: StopIdx::from_idx(a),
                        to: StopIdx::from_idx(b),
                        depart: t,
                        arrive: t + d,
                    }
                }
                Back::Ride(r, j, board, to) => ride_leg(day, r, j, board, to)?,
            };
            t = leg.arrive();
            legs.push(leg);
        }
        Some((legs, t))
    }
}

/// A leg of a journey read backwards from the labels: the access entry reaching a stop, a ride
/// (day route, trip, boarding position, stop left at), or a walk between two stops.
enum Back {
    Access(usize, u32),
    Ride(u32, u32, u32, usize),
    Walk(usize, usize),
}

/// The ride on trip `j` of day route `r`, boarded at position `board`, left at stop `to`.
fn ride_leg(day: &DayTimetable, r: u32, j: u32, board: u32, to: usize) -> Option<Leg> {
    let tt = day.timetable();
    let route = &day.routes()[r as usize];
    let inst = day.instance(route, j);
    // The first stop after boarding where the trip reaches `to` and lets passengers off (a
    // loop may pass `to` more than once): the scan set the label there, as times do not
    // decrease along a trip.
    let acc = day.route_access(route);
    let pos = (board as usize + 1..route.n_stops as usize)
        .find(|&i| day.route_stops(route)[i].idx() == to && acc[i] & access::ALIGHT != 0)?;
    let d = day.departures_at(route, board as usize)[j as usize] - BASE;
    let a = day.arrivals_at(route, pos)[j as usize] - BASE;
    Some(Leg::Ride {
        route: tt.trip(inst.trip).route,
        trip: inst.trip,
        service_day: Day(day.date().0 + inst.day_offset as i32),
        from: day.route_stops(route)[board as usize],
        to: StopIdx::from_idx(to),
        depart: d,
        arrive: a,
    })
}

/// What `window_travel_times` samples: travel times over a departure window, for many
/// destinations and draws: for each destination (given by its egress legs), one sample per
/// (draw, departure), `UNREACHED` where the limit is not met. Each draw compiles its own day
/// (one draw suffices when no trip runs by non-exact frequencies).
#[derive(Clone, Copy, Debug)]
pub struct WindowSpec {
    /// The date departures are on.
    pub date: Day,
    /// First departure, seconds since the date's midnight.
    pub from: Seconds,
    /// Last departure (inclusive).
    pub to: Seconds,
    /// Seconds between departures.
    pub step: Seconds,
    /// Draws of the departures of non-exact frequency-based trips (at least one is made).
    pub draws: u32,
    /// The seed of the draws: the same in every scenario compared, so that draws are paired.
    pub seed: u64,
    /// Rounds and time limit of each search.
    pub params: RaptorParams,
}

/// Whether any trip runs by non-exact frequencies (so that draws differ).
pub fn needs_draws(tt: &Timetable) -> bool {
    (0..tt.trips().len()).any(|t| tt.bands(TripIdx::from_idx(t)).iter().any(|b| !b.exact))
}

/// The travel-time samples of `spec` from the access legs to each destination: `out[d]` gets
/// one value per (draw, departure), departures latest first within a draw.
pub fn window_travel_times(
    tt: &Timetable,
    spec: &WindowSpec,
    access: &[(StopIdx, Seconds)],
    destinations: &[Vec<(StopIdx, Seconds)>],
    ws: &mut RaptorWorkspace,
) -> Result<Vec<Vec<Seconds>>, RaptorError> {
    // Without non-exact frequencies every draw is the same: search once, repeat the samples,
    // so that results have the same shape (draws × departures) for every scenario.
    let draws = spec.draws.max(1);
    let searched = if needs_draws(tt) { draws } else { 1 };
    let mut out = vec![Vec::new(); destinations.len()];
    let horizon_end = (spec.to + spec.params.limit).min(MAX_HORIZON);
    for d in 0..searched {
        let draw = Draw {
            seed: spec.seed,
            index: d,
        };
        let day = DayTimetable::new(tt, spec.date, spec.from, horizon_end, draw);
        let w = Window {
            from: spec.from,
            to: spec.to,
            step: spec.step,
        };
        ws.window(&day, access, w, &spec.params, |a| {
            for (o, eg) in out.iter_mut().zip(destinations) {
                o.push(a.via(eg).map_or(UNREACHED, |t| t - a.depart()));
            }
        })?;
    }
    for o in &mut out {
        let one = o.len();
        for _ in searched..draws {
            o.extend_from_within(..one);
        }
    }
    Ok(out)
}

/// The `p`-th percentile (0..=100) of samples by the nearest-rank rule, `UNREACHED` counting as
/// longer than any time. Sorts `samples`.
pub fn percentile(samples: &mut [Seconds], p: f64) -> Seconds {
    if samples.is_empty() {
        return UNREACHED;
    }
    samples.sort_unstable();
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// The share (0..=1) of samples at most `limit`.
pub fn share_within(samples: &[Seconds], limit: Seconds) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.iter().filter(|&&s| s <= limit).count() as f64 / samples.len() as f64
}

const _: () = assert!(MAX_HORIZON + BASE < 3 * DAY + 1);
