//! One date of a timetable laid out for RAPTOR: the trip instances that run within a time
//! horizon of that date, grouped into *RAPTOR routes* (trips of one pattern that never overtake
//! each other), their times stored stop-major so that the trips passing one stop are one
//! sorted slice.
//!
//! A trip instance is a trip on one service day: trips of the day before (times past 24:00) and
//! of the day after are included when they run within the horizon. Frequency-based trips are
//! expanded into instances here: `exact_times` bands at `start + n * headway`, the others at
//! `start + offset + n * headway` with the offset drawn by `frequency_offset` for the draw this
//! day is compiled for.
//!
//! Times inside are *internal*: seconds since the midnight of the day before the date (`BASE`
//! added to clock times of the date), so that a trip of the day before, which may start before
//! the date's midnight, keeps exact, non-negative times.

use super::bitset::BitSet;
use crate::network::ids::Seconds;
use crate::network::timetable::{Day, Span};
use crate::network::timetable::{Pattern, PatternIdx, StopIdx, Timetable, TripIdx, DAY};

/// Added to a clock time of the compiled date to get an internal time.
pub const BASE: Seconds = DAY;

/// The latest horizon end a day can be compiled for, in seconds since the date's midnight:
/// internal times then stay below 3 days.
pub const MAX_HORIZON: Seconds = 2 * DAY;

/// Which random draw of the frequency-based departures a day is compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Draw {
    /// The seed of a comparison: every scenario uses the same seed, so each frequency-based trip
    /// gets the same offsets in every scenario (paired draws).
    pub seed: u64,
    /// Which draw, 0.. .
    pub index: u32,
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The offset in `0..headway` of the first departure of band `band` of the frequency-based trip
/// with key `trip_key` (`Trip::draw_key`) in draw `draw`: a counter-based generator, so a draw
/// depends only on (seed, trip, band, draw) and never on which other trips exist or in which
/// order they are drawn.
pub fn frequency_offset(
    seed: u64,
    trip_key: u64,
    band: u32,
    draw: u32,
    headway: Seconds,
) -> Seconds {
    let h =
        splitmix64(splitmix64(splitmix64(seed) ^ trip_key) ^ ((band as u64) << 32 | draw as u64));
    (h % headway.max(1) as u64) as Seconds
}

/// The departures (service-day seconds of the first stop) of every instance of trip `t` on one
/// service day, for draw `draw`: one for a scheduled trip, one per headway for a
/// frequency-based one.
pub fn trip_departures(tt: &Timetable, t: TripIdx, draw: Draw, out: &mut Vec<Seconds>) {
    out.clear();
    let trip = tt.trip(t);
    let bands = tt.bands(t);
    if bands.is_empty() {
        out.push(tt.departures(t)[0]);
        return;
    }
    for (bi, b) in bands.iter().enumerate() {
        let first = if b.exact {
            b.start
        } else {
            b.start + frequency_offset(draw.seed, trip.draw_key, bi as u32, draw.index, b.headway)
        };
        let mut d = first;
        while d < b.end {
            out.push(d);
            d += b.headway;
        }
    }
}

/// A trip instance in a compiled day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TripInstance {
    /// The trip it is an instance of.
    pub trip: TripIdx,
    /// The service day relative to the compiled date: -1, 0 or 1.
    pub day_offset: i8,
    /// Its first departure in seconds since its service day's midnight.
    pub start: Seconds,
}

/// Trips of one pattern that never overtake each other, laid out stop-major.
#[derive(Clone, Copy, Debug)]
pub struct DayRoute {
    /// The pattern its trips run.
    pub pattern: PatternIdx,
    /// Number of stops (the pattern's).
    pub n_stops: u32,
    /// Number of trip instances.
    pub n_trips: u32,
    /// Index of (stop 0, trip 0) in `arr`/`dep`: stop `i`, trip `j` is at
    /// `times + i * n_trips + j`.
    pub times: u32,
    /// Its first instance in `instances` (trip `j` is `instances[first_instance + j]`).
    pub first_instance: u32,
}

/// One date of a timetable laid out for RAPTOR (see the module documentation).
#[derive(Clone, Debug)]
pub struct DayTimetable<'a> {
    tt: &'a Timetable,
    date: Day,
    draw: Draw,
    /// Clock times of the date between which the trips were kept.
    horizon: (Seconds, Seconds),
    routes: Vec<DayRoute>,
    /// Internal times, stop-major per route.
    arr: Vec<Seconds>,
    dep: Vec<Seconds>,
    instances: Vec<TripInstance>,
    /// stop → (route, position of the stop in the route), CSR.
    stop_routes_first: Vec<u32>,
    stop_routes: Vec<(u32, u32)>,
    /// The footpaths in 4 bytes each, those no search of the day can use left out (see
    /// [`DayTimetable::walks`]); `None` when the stops or durations do not fit.
    walks: Option<Walks>,
}

/// A footpath of [`DayTimetable::walks`]: the stop it leads to and its seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walk {
    /// The stop it leads to.
    pub to: u16,
    /// Seconds to walk it.
    pub secs: u16,
}

/// The compact footpaths of a day: stop `s` has `items[first[s]..first[s + 1]]`.
#[derive(Clone, Debug, Default)]
struct Walks {
    first: Vec<u32>,
    items: Vec<Walk>,
}

impl Walks {
    /// The footpaths of `tt` no longer than `max_s`, if every stop and kept duration fits in
    /// 16 bits.
    fn new(tt: &Timetable, max_s: Seconds) -> Option<Walks> {
        let ns = tt.stops().len();
        if ns > 1 << 16 {
            return None;
        }
        let mut first = Vec::with_capacity(ns + 1);
        let mut items = Vec::new();
        first.push(0);
        for s in 0..ns {
            for f in tt.footpaths(StopIdx::from_idx(s)) {
                if f.duration <= max_s {
                    items.push(Walk {
                        to: u16::try_from(f.to.idx()).ok()?,
                        secs: u16::try_from(f.duration).ok()?,
                    });
                }
            }
            first.push(u32::try_from(items.len()).ok()?);
        }
        Some(Walks { first, items })
    }
}

impl<'a> DayTimetable<'a> {
    /// Lays out the trip instances that run on `date` (trips of the day before and after
    /// included) and touch the clock-time horizon `from..=to` of the date. A search may depart
    /// at `from` or later and must end by `to` (`to` at most `MAX_HORIZON`).
    pub fn new(tt: &'a Timetable, date: Day, from: Seconds, to: Seconds, draw: Draw) -> Self {
        assert!(
            from <= to && to <= MAX_HORIZON,
            "horizon {from}..{to} out of range"
        );
        let days = [date.prev(), date, date.next()];
        let on: Vec<Vec<bool>> = days.iter().map(|&d| tt.calendars_on(d)).collect();
        let (lo, hi) = (from + BASE, to + BASE);
        let mut me = DayTimetable {
            tt,
            date,
            draw,
            horizon: (from, to),
            routes: Vec::new(),
            arr: Vec::new(),
            dep: Vec::new(),
            instances: Vec::new(),
            stop_routes_first: Vec::new(),
            stop_routes: Vec::new(),
            // A search departs at `from` or later and ends by `to`: a longer walk is of no use.
            walks: Walks::new(tt, to - from),
        };
        let mut cand: Vec<Candidate> = Vec::new();
        let mut deps = Vec::new();
        let mut open: Vec<Vec<usize>> = Vec::new();
        for (pi, p) in tt.patterns().iter().enumerate() {
            pattern_instances(tt, p, &on, draw, (lo, hi), &mut deps, &mut cand);
            if cand.is_empty() {
                continue;
            }
            cand.sort_unstable_by_key(|&(f, l, i, _)| (f, l, i.trip, i.day_offset, i.start));
            split_without_overtaking(tt, &cand, p.stops.len as usize, &mut open);
            me.push_routes(PatternIdx::from_idx(pi), &cand, &open);
        }
        me.index_stop_routes();
        me
    }

    /// Appends a route of pattern `pattern` for each group of `open` (indices into `cand`): its
    /// times stop-major, then its instances.
    fn push_routes(&mut self, pattern: PatternIdx, cand: &[Candidate], open: &[Vec<usize>]) {
        let tt = self.tt;
        let n = tt.pattern(pattern).stops.len as usize;
        for r in open {
            let route = DayRoute {
                pattern,
                n_stops: n as u32,
                n_trips: r.len() as u32,
                times: self.arr.len() as u32,
                first_instance: self.instances.len() as u32,
            };
            for i in 0..n {
                for &ci in r {
                    let (a, d) = candidate_times(tt, &cand[ci], i);
                    self.arr.push(a);
                    self.dep.push(d);
                }
            }
            self.instances.extend(r.iter().map(|&ci| cand[ci].2));
            self.routes.push(route);
        }
    }

    /// stop → routes: the CSR of (route, position) pairs of every stop.
    fn index_stop_routes(&mut self) {
        let tt = self.tt;
        let ns = tt.stops().len();
        let mut first = vec![0u32; ns + 1];
        for r in &self.routes {
            for s in tt.pattern_stops(r.pattern) {
                first[s.idx() + 1] += 1;
            }
        }
        for i in 0..ns {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        self.stop_routes = vec![(0, 0); first[ns] as usize];
        for (ri, r) in self.routes.iter().enumerate() {
            for (pos, s) in tt.pattern_stops(r.pattern).iter().enumerate() {
                self.stop_routes[fill[s.idx()] as usize] = (ri as u32, pos as u32);
                fill[s.idx()] += 1;
            }
        }
        self.stop_routes_first = first;
    }

    /// The footpaths leaving stop `s` that a search of the day can use (those no longer than
    /// the horizon), 4 bytes each, in the timetable's order; `None` for a timetable whose stops
    /// or footpath durations do not fit in 16 bits (then use [`Timetable::footpaths`]).
    #[inline(always)]
    pub fn walks(&self, s: usize) -> Option<&[Walk]> {
        let w = self.walks.as_ref()?;
        w.first.get(s + 1)?;
        Some(&w.items[w.first[s] as usize..w.first[s + 1] as usize])
    }

    /// The same day without its compact footpaths: searches then read the timetable's
    /// ([`Timetable::footpaths`], every one of them). For tests and comparisons.
    pub fn without_walks(mut self) -> Self {
        self.walks = None;
        self
    }

    /// Whether [`DayTimetable::walks`] holds the footpaths.
    pub fn has_walks(&self) -> bool {
        self.walks.is_some()
    }

    #[inline(always)]
    fn walks_of(&self, s: usize) -> &[Walk] {
        match &self.walks {
            Some(w) => &w.items[w.first[s] as usize..w.first[s + 1] as usize],
            None => &[],
        }
    }

    /// The compact footpaths of stop `s` (empty without them), for the search's inner loop.
    #[inline(always)]
    pub(crate) fn walks_or_empty(&self, s: usize) -> &[Walk] {
        self.walks_of(s)
    }

    /// The timetable it was compiled from.
    pub fn timetable(&self) -> &'a Timetable {
        self.tt
    }
    /// The date it was compiled for.
    pub fn date(&self) -> Day {
        self.date
    }
    /// The draw of frequency-based departures it was compiled for.
    pub fn draw(&self) -> Draw {
        self.draw
    }
    /// The clock times of the date between which trips were kept.
    pub fn horizon(&self) -> (Seconds, Seconds) {
        self.horizon
    }
    /// Its RAPTOR routes.
    pub fn routes(&self) -> &[DayRoute] {
        &self.routes
    }
    /// Number of trip instances kept, all routes together.
    pub fn num_instances(&self) -> usize {
        self.instances.len()
    }
    /// Number of stops (the timetable's, whether any trip of the day serves them or not).
    pub fn num_stops(&self) -> usize {
        self.tt.stops().len()
    }
    #[inline(always)]
    pub(crate) fn route_stops(&self, r: &DayRoute) -> &'a [StopIdx] {
        self.tt.pattern_stops(r.pattern)
    }
    #[inline(always)]
    pub(crate) fn route_access(&self, r: &DayRoute) -> &'a [u8] {
        self.tt.pattern_access(r.pattern)
    }
    /// Internal arrival times of all trips at stop position `i` of `r`.
    #[inline(always)]
    pub(crate) fn arrivals_at(&self, r: &DayRoute, i: usize) -> &[Seconds] {
        let a = r.times as usize + i * r.n_trips as usize;
        &self.arr[a..a + r.n_trips as usize]
    }
    /// Internal departure times of all trips at stop position `i` of `r`, non-decreasing.
    #[inline(always)]
    pub(crate) fn departures_at(&self, r: &DayRoute, i: usize) -> &[Seconds] {
        let a = r.times as usize + i * r.n_trips as usize;
        &self.dep[a..a + r.n_trips as usize]
    }
    /// Trip instance `j` of route `r` (instances are ordered by departure, as the times).
    pub fn instance(&self, r: &DayRoute, j: u32) -> TripInstance {
        self.instances[(r.first_instance + j) as usize]
    }
    /// The routes through stop `s`, with the stop's position in each.
    #[inline(always)]
    pub(crate) fn stop_routes(&self, s: usize) -> &[(u32, u32)] {
        let span = Span {
            start: self.stop_routes_first[s],
            len: self.stop_routes_first[s + 1] - self.stop_routes_first[s],
        };
        &self.stop_routes[span.range()]
    }

    /// The routes through the stops of `marked`, each once in `list` with its earliest
    /// position among them in `first[route]` (entries `u32::MAX` for routes not listed: the
    /// caller resets those it reads back): what a RAPTOR round scans.
    #[inline]
    pub(crate) fn routes_through(&self, marked: &BitSet, first: &mut [u32], list: &mut Vec<u32>) {
        marked.for_each(|s| {
            for &(r, pos) in self.stop_routes(s) {
                let f = &mut first[r as usize];
                if *f == u32::MAX {
                    list.push(r);
                    *f = pos;
                } else if pos < *f {
                    *f = pos;
                }
            }
        });
    }
}

/// A trip instance that may run within a day's horizon: (first departure, last arrival, the
/// instance, shift of the trip's times to internal times).
type Candidate = (Seconds, Seconds, TripInstance, Seconds);

/// The instances of pattern `p`'s trips on the days before, of and after the date (`on[o]`:
/// the calendars running on each) whose times overlap `lo..=hi` (internal times), into `cand`
/// (cleared first); `deps` is scratch memory for a trip's drawn departures.
fn pattern_instances(
    tt: &Timetable,
    p: &Pattern,
    on: &[Vec<bool>],
    draw: Draw,
    (lo, hi): (Seconds, Seconds),
    deps: &mut Vec<Seconds>,
    cand: &mut Vec<Candidate>,
) {
    cand.clear();
    let n = p.stops.len as usize;
    for t in p.trips.range() {
        let t = TripIdx::from_idx(t);
        let cal = tt.trip(t).calendar.idx();
        let (a0, an) = (tt.departures(t)[0], tt.arrivals(t)[n - 1]);
        let base = tt.departures(t)[0];
        let mut drawn = false;
        for (o, on_day) in on.iter().enumerate() {
            if !on_day[cal] {
                continue;
            }
            if !drawn {
                trip_departures(tt, t, draw, deps);
                drawn = true;
            }
            for &d in deps.iter() {
                // Internal time of the instance's first departure.
                let first = d - base + a0 + o as Seconds * DAY;
                let last = d - base + an + o as Seconds * DAY;
                if last < lo || first > hi {
                    continue;
                }
                let inst = TripInstance {
                    trip: t,
                    day_offset: o as i8 - 1,
                    start: d,
                };
                cand.push((first, last, inst, d - base + o as Seconds * DAY));
            }
        }
    }
}

/// Arrival and departure of candidate `c` at stop position `i`, internal times.
fn candidate_times(tt: &Timetable, c: &Candidate, i: usize) -> (Seconds, Seconds) {
    (
        tt.arrivals(c.2.trip)[i] + c.3,
        tt.departures(c.2.trip)[i] + c.3,
    )
}

/// Greedy split of sorted candidates (of one pattern, `n` stops) into routes without
/// overtaking: each instance joins the first route whose last instance it does not overtake
/// at any stop. `open` gets the routes as indices into `cand`.
fn split_without_overtaking(
    tt: &Timetable,
    cand: &[Candidate],
    n: usize,
    open: &mut Vec<Vec<usize>>,
) {
    open.clear();
    for ci in 0..cand.len() {
        let fits = |r: &Vec<usize>| {
            let last = &cand[*r.last().unwrap()];
            (0..n).all(|i| {
                let (a, d) = candidate_times(tt, &cand[ci], i);
                let (la, ld) = candidate_times(tt, last, i);
                a >= la && d >= ld
            })
        };
        match open.iter_mut().find(|r| fits(r)) {
            Some(r) => r.push(ci),
            None => open.push(vec![ci]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_paired_and_spread() {
        let a = frequency_offset(7, 42, 0, 3, 600);
        assert_eq!(a, frequency_offset(7, 42, 0, 3, 600));
        assert!(a < 600);
        // Different draws, bands, trips or seeds give (nearly always) different offsets; over
        // many draws the offsets cover the headway.
        let mut seen = [false; 10];
        for d in 0..200 {
            seen[(frequency_offset(7, 42, 0, d, 600) / 60) as usize] = true;
        }
        assert!(seen.iter().all(|&x| x));
        assert_ne!(
            (0..8)
                .map(|d| frequency_offset(7, 42, 0, d, 600))
                .collect::<Vec<_>>(),
            (0..8)
                .map(|d| frequency_offset(8, 42, 0, d, 600))
                .collect::<Vec<_>>()
        );
    }
}
