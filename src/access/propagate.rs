//! Propagation, the hot path of accessibility: from one origin point, range RAPTOR reaches the
//! stops at every departure of the window, and each destination's time is the minimum over the
//! stops that serve it of (arrival at the stop + its egress leg), or the direct leg if shorter
//! (R5's "propagation" from per-stop egress tables to a grid). Destinations are never graph
//! nodes.
//!
//! Range RAPTOR walks the departures from the latest to the earliest and its arrivals only
//! improve from one departure to the next, so the destination arrival labels are kept across
//! departures too: at each departure only the stops whose arrival improved push their egress
//! table (a min-plus update), and each improvement of a destination is logged as an event.
//! Nothing is written per destination and departure: a destination's arrival is constant
//! between two of its events, so its samples (departures × draws) are rebuilt in order from
//! its events at the end, and give the percentiles (nearest rank, unreached counting as
//! longest, as the place matrices do) and the share within a limit.
//! [`reference_times`] computes the same from scratch at every departure, for the tests.
//!
//! A window of one departure (a matrix at one minute, the common case of a large grid) takes
//! another path: origins are searched [`LANES`] at a time by the batched RAPTOR
//! ([`crate::engine::raptor::batch`]), neighbours together (ordered by the Morton code of the
//! stops they reach, so that a batch's searches mark mostly the same stops and routes), and
//! the egress tables are pushed once per batch for all its origins, with no events nor sorting
//! (one sample per destination): the same times as the origins searched one by one (tested on
//! random timetables and on Porto Alegre).

use rayon::prelude::*;

use super::links::PointLinks;
use crate::analysis::window::{compile_days, WindowOptions};
use crate::engine::raptor::batch::Lanes;
use crate::engine::raptor::{
    percentile, Arrivals, BatchWorkspace, DayTimetable, RaptorError, RaptorParams, RaptorWorkspace,
    Window, LANES,
};
use crate::graph::timetabled::Timetabled;
use crate::network::ids::{Seconds, UNREACHED};
use crate::network::timetable::{StopIdx, Timetable};

/// Travel times from one origin to every destination.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OriginTimes {
    /// `pct[k][d]`: the `k`-th requested percentile of the seconds to destination `d`
    /// (`UNREACHED` when that share of samples does not reach it within the bound).
    pub pct: Vec<Vec<Seconds>>,
    /// `share[d]`: the share of samples (departures × draws) reaching `d` within the limit,
    /// if a limit was asked for.
    pub share: Option<Vec<f32>>,
}

/// What a propagation computes.
#[derive(Clone, Debug, PartialEq)]
pub struct PropagationOptions {
    /// Date, window, draws and bound.
    pub window: WindowOptions,
    /// Percentiles to report, each in `0..=100`.
    pub percentiles: Vec<f64>,
    /// Also report the share of samples within this many seconds.
    pub limit: Option<Seconds>,
}

/// Per-thread buffers of the propagation (reused across origins).
#[derive(Debug, Default)]
pub struct PropagationWorkspace {
    raptor: RaptorWorkspace,
    buf: Buffers,
}

/// A destination's transit arrival improved: at sample `k` it became `arr`.
#[derive(Clone, Copy, Debug)]
struct Event {
    dest: u32,
    k: u32,
    arr: Seconds,
}

#[derive(Debug, Default)]
struct Buffers {
    /// Best arrival pushed from each stop so far (seconds since midnight).
    stop_arr: Vec<Seconds>,
    /// Best arrival at each destination so far, by transit.
    dest_arr: Vec<Seconds>,
    /// The origin's direct leg to each destination.
    direct: Vec<Seconds>,
    /// Whether a destination is touched (reached directly or by transit at some sample).
    seen: Vec<bool>,
    touched: Vec<u32>,
    /// Improvements in sample order: a destination's arrival is constant between two of its
    /// events (within a day), so its samples need no write per departure.
    events: Vec<Event>,
    /// Per destination: where its events start in `grouped` (and a counter while grouping).
    start: Vec<u32>,
    /// Events grouped by destination, in sample order: `(k, arr)`.
    grouped: Vec<(u32, Seconds)>,
    sort: Vec<Seconds>,
}

impl Buffers {
    fn prepare(&mut self, stops: usize, dests: usize) {
        for (v, len) in [
            (&mut self.stop_arr, stops),
            (&mut self.dest_arr, dests),
            (&mut self.direct, dests),
        ] {
            v.clear();
            v.resize(len, UNREACHED);
        }
        if self.seen.len() != dests {
            self.seen.clear();
            self.seen.resize(dests, false);
            self.start.clear();
            self.start.resize(dests, 0);
        }
        for &d in &self.touched {
            self.seen[d as usize] = false;
        }
        self.touched.clear();
        self.events.clear();
    }

    #[inline]
    fn touch(&mut self, d: usize) {
        if !self.seen[d] {
            self.seen[d] = true;
            self.touched.push(d as u32);
        }
    }

    /// The arrivals of sample `k` pushed through the egress tables: each stop whose arrival
    /// improved updates its destinations, logging an event for each destination that improved.
    /// Only the stops the search says may have improved are looked at (in increasing order,
    /// as a pass over every stop would: the events are the same).
    #[inline]
    fn push_departure(&mut self, links: &PointLinks, k: u32, a: &Arrivals<'_>) {
        for s in a.improved() {
            let Some(t) = a.at(s) else {
                continue;
            };
            let s = s.idx();
            if s >= links.egress.len() {
                continue;
            }
            if t >= self.stop_arr[s] {
                continue;
            }
            self.stop_arr[s] = t;
            for &(d, e) in &links.egress[s] {
                let x = t.saturating_add(e);
                let du = d as usize;
                if x < self.dest_arr[du] {
                    self.dest_arr[du] = x;
                    self.touch(du);
                    self.events.push(Event { dest: d, k, arr: x });
                }
            }
        }
    }

    /// Groups the events by destination (a counting sort that keeps sample order).
    fn group(&mut self) {
        for &d in &self.touched {
            self.start[d as usize] = 0;
        }
        for e in &self.events {
            self.start[e.dest as usize] += 1;
        }
        let mut at = 0;
        for &d in &self.touched {
            let c = self.start[d as usize];
            self.start[d as usize] = at;
            at += c;
        }
        self.grouped.clear();
        self.grouped.resize(self.events.len(), (0, 0));
        for e in &self.events {
            let i = &mut self.start[e.dest as usize];
            self.grouped[*i as usize] = (e.k, e.arr);
            *i += 1;
        }
        // `start[d]` is now the end of d's events; the start is the previous end.
    }
}

/// Sample indices (0-based, nearest rank as [`percentile`]) of the percentiles `ps` among `n`
/// samples, with the position of each in `ps`, ascending by index.
fn ranks(ps: &[f64], n: usize) -> Vec<(usize, usize)> {
    let mut r: Vec<(usize, usize)> = ps
        .iter()
        .enumerate()
        .map(|(k, &p)| {
            let rank = ((p / 100.0) * n as f64).ceil() as usize;
            (rank.clamp(1, n.max(1)) - 1, k)
        })
        .collect();
    r.sort_unstable();
    r
}

/// A propagation's reduction to percentiles and shares. Each touched destination's samples
/// are rebuilt in order from its events (its arrival is constant between two events, and
/// resets at each draw), then each percentile is found by selection (`select_nth_unstable`,
/// linear), ascending so that each selection works right of the previous one.
fn reduce(b: &mut Buffers, dests: usize, draws: usize, o: &PropagationOptions) -> OriginTimes {
    let wo = &o.window;
    let per_day = wo.departures();
    let n = per_day * draws;
    let latest = wo.from + (wo.to - wo.from) / wo.step * wo.step;
    let mut pct = vec![vec![UNREACHED; dests]; o.percentiles.len()];
    let mut share = o.limit.map(|_| vec![0f32; dests]);
    let order = ranks(&o.percentiles, n);
    b.group();
    let mut begin = 0usize;
    for i in 0..b.touched.len() {
        let d = b.touched[i] as usize;
        let end = b.start[d] as usize;
        let ev = &b.grouped[begin..end];
        begin = end;
        let direct = b.direct[d];
        b.sort.clear();
        let mut e = 0;
        for day in 0..draws {
            let mut cur = UNREACHED;
            for j in 0..per_day {
                let k = (day * per_day + j) as u32;
                while e < ev.len() && ev[e].0 == k {
                    cur = ev[e].1;
                    e += 1;
                }
                let dep = latest - j as Seconds * wo.step;
                let by_transit = cur
                    .checked_sub(dep)
                    .filter(|&x| x <= wo.bound)
                    .unwrap_or(UNREACHED);
                b.sort.push(by_transit.min(direct));
            }
        }
        if let (Some(share), Some(limit)) = (share.as_mut(), o.limit) {
            let within = b.sort.iter().filter(|&&x| x <= limit).count();
            share[d] = within as f32 / n as f32;
        }
        let mut lo = 0;
        for &(idx, k) in &order {
            let (_, v, _) = b.sort[lo..].select_nth_unstable(idx - lo);
            pct[k][d] = *v;
            lo = idx;
        }
    }
    OriginTimes { pct, share }
}

/// Travel times from origin `origin` of `links`, on days compiled by [`compile_days`] for the
/// same window options.
pub fn origin_times(
    days: &[DayTimetable<'_>],
    links: &PointLinks,
    origin: usize,
    o: &PropagationOptions,
    ws: &mut PropagationWorkspace,
) -> Result<OriginTimes, RaptorError> {
    let wo = &o.window;
    let dests = links.destinations;
    let per_day = wo.departures();
    let stops = links.egress.len();
    let PropagationWorkspace { raptor, buf: b } = ws;
    b.prepare(stops, dests);
    for &(d, s) in &links.direct[origin] {
        if s <= wo.bound {
            b.direct[d as usize] = s;
            b.touch(d as usize);
        }
    }
    let p = RaptorParams {
        max_trips: wo.max_trips,
        limit: wo.bound,
    };
    let w = Window {
        from: wo.from,
        to: wo.to,
        step: wo.step,
    };
    for (day_i, day) in days.iter().enumerate() {
        if day_i > 0 {
            b.stop_arr.fill(UNREACHED);
            for &d in &b.touched {
                b.dest_arr[d as usize] = UNREACHED;
            }
        }
        let mut k = (day_i * per_day) as u32;
        raptor.window_arrivals(day, &links.access[origin], w, &p, |a| {
            b.push_departure(links, k, &a);
            k += 1;
        })?;
    }
    Ok(reduce(b, dests, days.len(), o))
}

/// [`origin_times`] for the origins `batch`, searched [`LANES`] at a time by the batched
/// RAPTOR, on the one day of `days` for a window of one departure: the same times, in the
/// order of `batch` (put neighbours next to each other: a batch costs what the union of its
/// origins' searches reaches). With one sample per destination, every percentile is that sample and
/// the share within the limit 0 or 1, so the egress tables are pushed once for the whole batch
/// ([`crate::engine::raptor::BatchArrivals::via_egress`]) and nothing is sorted.
///
/// # Errors
/// [`RaptorError::BadWindow`] when the window has more than one departure or `days` is not
/// one day (search those with [`origin_times`]); the search's own errors.
pub fn batch_origin_times(
    days: &[DayTimetable<'_>],
    links: &PointLinks,
    batch: &[usize],
    o: &PropagationOptions,
    ws: &mut BatchPropagationWorkspace,
) -> Result<Vec<OriginTimes>, RaptorError> {
    let wo = &o.window;
    let day = match days {
        [day] if wo.departures() == 1 => day,
        _ => {
            return Err(RaptorError::BadWindow {
                from: wo.from,
                to: wo.to,
            })
        }
    };
    let dests = links.destinations;
    let p = RaptorParams {
        max_trips: wo.max_trips,
        limit: wo.bound,
    };
    let mut out = Vec::with_capacity(batch.len());
    for chunk in batch.chunks(LANES) {
        let access: Vec<&[(StopIdx, Seconds)]> =
            chunk.iter().map(|&i| links.access[i].as_slice()).collect();
        let a = ws.raptor.one_departure(day, &access, wo.from, &p)?;
        a.via_egress(&links.egress, dests, &mut ws.dest);
        for (lane, &origin) in chunk.iter().enumerate() {
            // Arrivals within the bound (`via_egress` checks) less the departure.
            let mut sample: Vec<Seconds> = ws
                .dest
                .iter()
                .map(|v| match v[lane] {
                    UNREACHED => UNREACHED,
                    x => x - wo.from,
                })
                .collect();
            for &(d, s) in &links.direct[origin] {
                if s <= wo.bound {
                    let x = &mut sample[d as usize];
                    *x = (*x).min(s);
                }
            }
            let share = o.limit.map(|l| {
                sample
                    .iter()
                    .map(|&x| if x <= l { 1.0 } else { 0.0 })
                    .collect()
            });
            let pct = vec![sample; o.percentiles.len()];
            out.push(OriginTimes { pct, share });
        }
    }
    Ok(out)
}

/// Per-thread buffers of [`batch_origin_times`] (reused across batches).
#[derive(Debug, Default)]
pub struct BatchPropagationWorkspace {
    raptor: BatchWorkspace,
    /// Arrivals at the destinations, by origin of the batch.
    dest: Vec<Lanes>,
}

/// The origins of `links` in an order that keeps neighbours together: by the Morton code of
/// the mean position of the stops each reaches (origins reaching none last, where they cost
/// nothing).
fn spatial_order(tt: &Timetable, links: &PointLinks) -> Vec<usize> {
    let centre = |acc: &[(StopIdx, Seconds)]| -> Option<(f64, f64)> {
        if acc.is_empty() {
            return None;
        }
        let (mut x, mut y) = (0.0, 0.0);
        for &(s, _) in acc {
            let st = tt.stop(s);
            x += st.lon;
            y += st.lat;
        }
        Some((x / acc.len() as f64, y / acc.len() as f64))
    };
    let centres: Vec<Option<(f64, f64)>> = links.access.iter().map(|a| centre(a)).collect();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in centres.iter().flatten() {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    let cell = |v: f64, lo: f64, hi: f64| -> u64 {
        if hi > lo {
            ((v - lo) / (hi - lo) * 65535.0).round() as u64
        } else {
            0
        }
    };
    let spread = |mut v: u64| {
        v = (v | (v << 8)) & 0x00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    };
    let mut keyed: Vec<(u64, usize)> = centres
        .iter()
        .enumerate()
        .map(|(i, c)| match *c {
            Some((x, y)) => (spread(cell(x, x0, x1)) | spread(cell(y, y0, y1)) << 1, i),
            None => (u64::MAX, i),
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// [`origin_times`] for every origin of `links`, in parallel (one workspace per thread), each
/// result mapped by `f(origin, &times)` as soon as it is computed (so that a large grid never
/// holds every row at once).
pub fn for_each_origin<R: Send>(
    t: &Timetabled,
    links: &PointLinks,
    o: &PropagationOptions,
    f: impl Fn(usize, &OriginTimes) -> R + Sync,
) -> Result<Vec<R>, RaptorError> {
    for_each_origin_with(t, links, o, || (), |_, i, r| f(i, r))
}

/// [`for_each_origin`] with per-thread state made by `init` and handed to `f` (e.g. the
/// scratch memory of an indicator evaluator).
pub fn for_each_origin_with<S, R: Send>(
    t: &Timetabled,
    links: &PointLinks,
    o: &PropagationOptions,
    init: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut S, usize, &OriginTimes) -> R + Sync,
) -> Result<Vec<R>, RaptorError> {
    check(o)?;
    let days = compile_days(t, &o.window);
    if days.len() == 1 && o.window.departures() == 1 && links.origins() > 1 {
        // One departure: origins go through RAPTOR in batches of `LANES`, neighbours together
        // (their searches mark mostly the same stops and routes).
        let order = spatial_order(&t.tt, links);
        let batches: Vec<Vec<(usize, R)>> = order
            .par_chunks(LANES)
            .map_init(
                || (BatchPropagationWorkspace::default(), init()),
                |(ws, state), batch| {
                    let times = batch_origin_times(&days, links, batch, o, ws)?;
                    Ok(batch
                        .iter()
                        .zip(&times)
                        .map(|(&i, r)| (i, f(state, i, r)))
                        .collect())
                },
            )
            .collect::<Result<_, RaptorError>>()?;
        let mut out: Vec<Option<R>> = (0..links.origins()).map(|_| None).collect();
        for (i, r) in batches.into_iter().flatten() {
            out[i] = Some(r);
        }
        return Ok(out.into_iter().flatten().collect());
    }
    (0..links.origins())
        .into_par_iter()
        .map_init(
            || (PropagationWorkspace::default(), init()),
            |(ws, state), i| origin_times(&days, links, i, o, ws).map(|r| f(state, i, &r)),
        )
        .collect()
}

fn check(o: &PropagationOptions) -> Result<(), RaptorError> {
    let w = &o.window;
    if w.from > w.to
        || w.step == 0
        || w.to.saturating_add(w.bound) > crate::engine::raptor::MAX_HORIZON
    {
        return Err(RaptorError::BadWindow {
            from: w.from,
            to: w.to,
        });
    }
    Ok(())
}

/// The plain reference: for every departure a fresh one-departure search, and every
/// destination's time the minimum over every stop of arrival + egress, or direct. Slow; for
/// tests.
pub fn reference_times(
    days: &[DayTimetable<'_>],
    links: &PointLinks,
    origin: usize,
    o: &PropagationOptions,
) -> Result<OriginTimes, RaptorError> {
    check(o)?;
    let wo = &o.window;
    let dests = links.destinations;
    let mut egress_to: Vec<Vec<(StopIdx, Seconds)>> = vec![Vec::new(); dests];
    for (s, v) in links.egress.iter().enumerate() {
        for &(d, e) in v {
            egress_to[d as usize].push((StopIdx(s as u32), e));
        }
    }
    let mut direct = vec![UNREACHED; dests];
    for &(d, s) in &links.direct[origin] {
        if s <= wo.bound {
            direct[d as usize] = direct[d as usize].min(s);
        }
    }
    let p = RaptorParams {
        max_trips: wo.max_trips,
        limit: wo.bound,
    };
    let mut samples: Vec<Vec<Seconds>> = vec![Vec::new(); dests];
    let mut ws = RaptorWorkspace::new();
    for day in days {
        let mut dep = wo.from + (wo.to - wo.from) / wo.step * wo.step;
        loop {
            let a = ws.one_departure(day, &links.access[origin], dep, &p)?;
            for d in 0..dests {
                let by_transit = a.via(&egress_to[d]).map_or(UNREACHED, |x| x - dep);
                samples[d].push(by_transit.min(direct[d]));
            }
            if dep < wo.from + wo.step {
                break;
            }
            dep -= wo.step;
        }
    }
    let n = samples.first().map_or(0, Vec::len).max(1);
    let pct = o
        .percentiles
        .iter()
        .map(|&q| {
            samples
                .iter()
                .map(|s| percentile(&mut s.clone(), q))
                .collect()
        })
        .collect();
    let share = o.limit.map(|l| {
        samples
            .iter()
            .map(|s| s.iter().filter(|&&x| x <= l).count() as f32 / n as f32)
            .collect()
    });
    Ok(OriginTimes { pct, share })
}
