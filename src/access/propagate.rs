//! Propagation, the hot path of accessibility: from one origin point, range RAPTOR reaches the
//! stops at every departure of the window, and each destination's time is the minimum over the
//! stops that serve it of (arrival at the stop + its egress leg), or the direct leg if shorter
//! (R5's "propagation" from per-stop egress tables to a grid). Destinations are never graph
//! nodes.
//!
//! Range RAPTOR walks the departures from the latest to the earliest and its arrivals only
//! improve from one departure to the next, so the destination arrival labels are kept across
//! departures too: at each departure only the stops whose arrival improved push their egress
//! table (a min-plus update), and every destination touched so far records one sample. The
//! per-destination samples (departures × draws) then give the percentiles (nearest rank,
//! unreached counting as longest, as the place matrices do) and the share within a limit.
//! [`reference_times`] computes the same from scratch at every departure, for the tests.

use rayon::prelude::*;

use super::links::PointLinks;
use crate::analysis::window::{compile_days, WindowOptions};
use crate::engine::raptor::{
    percentile, DayTimetable, RaptorError, RaptorParams, RaptorWorkspace, Window,
};
use crate::graph::timetabled::Timetabled;
use crate::network::ids::{Seconds, UNREACHED};
use crate::network::timetable::StopIdx;

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

#[derive(Debug, Default)]
struct Buffers {
    /// Best arrival pushed from each stop so far (seconds since midnight).
    stop_arr: Vec<Seconds>,
    /// Best arrival at each destination so far, by transit.
    dest_arr: Vec<Seconds>,
    /// The origin's direct leg to each destination.
    direct: Vec<Seconds>,
    /// First sample index of each destination (`u32::MAX`: untouched).
    first: Vec<u32>,
    touched: Vec<u32>,
    /// Samples, destination-major: `samples[d * n + k]`.
    samples: Vec<Seconds>,
    sort: Vec<Seconds>,
}

impl Buffers {
    fn prepare(&mut self, stops: usize, dests: usize, n: usize) {
        for (v, len) in [
            (&mut self.stop_arr, stops),
            (&mut self.dest_arr, dests),
            (&mut self.direct, dests),
        ] {
            v.clear();
            v.resize(len, UNREACHED);
        }
        self.first.clear();
        self.first.resize(dests, u32::MAX);
        self.touched.clear();
        if self.samples.len() != dests * n {
            self.samples.clear();
            self.samples.resize(dests * n, UNREACHED);
        }
    }

    #[inline]
    fn touch(&mut self, d: usize, k: u32) {
        if self.first[d] == u32::MAX {
            self.first[d] = k;
            self.touched.push(d as u32);
        }
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

/// A propagation's reduction of samples to percentiles and shares: each percentile by
/// selection (`select_nth_unstable`, linear) rather than a sort, ascending so that each
/// selection works on what is right of the previous one.
fn reduce(b: &mut Buffers, dests: usize, n: usize, o: &PropagationOptions) -> OriginTimes {
    let mut pct = vec![vec![UNREACHED; dests]; o.percentiles.len()];
    let mut share = o.limit.map(|_| vec![0f32; dests]);
    let order = ranks(&o.percentiles, n);
    for i in 0..b.touched.len() {
        let d = b.touched[i] as usize;
        let first = b.first[d] as usize;
        let s = &b.samples[d * n..(d + 1) * n];
        if let (Some(share), Some(limit)) = (share.as_mut(), o.limit) {
            let within = s[first..].iter().filter(|&&x| x <= limit).count();
            share[d] = within as f32 / n as f32;
        }
        b.sort.clear();
        b.sort.resize(first, UNREACHED);
        b.sort.extend_from_slice(&s[first..]);
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
    let n = per_day * days.len();
    let stops = links.egress.len();
    let PropagationWorkspace { raptor, buf: b } = ws;
    b.prepare(stops, dests, n);
    for &(d, s) in &links.direct[origin] {
        if s <= wo.bound {
            b.direct[d as usize] = s;
            b.touch(d as usize, 0);
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
        raptor.window(day, &links.access[origin], w, &p, |a| {
            for s in 0..stops {
                let Some(t) = a.at(StopIdx(s as u32)) else {
                    continue;
                };
                if t >= b.stop_arr[s] {
                    continue;
                }
                b.stop_arr[s] = t;
                for &(d, e) in &links.egress[s] {
                    let x = t.saturating_add(e);
                    let d = d as usize;
                    if x < b.dest_arr[d] {
                        b.dest_arr[d] = x;
                        b.touch(d, k);
                    }
                }
            }
            let dep = a.depart();
            for &d in &b.touched {
                let d = d as usize;
                let by_transit = b.dest_arr[d]
                    .checked_sub(dep)
                    .filter(|&x| x <= wo.bound)
                    .unwrap_or(UNREACHED);
                b.samples[d * n + k as usize] = by_transit.min(b.direct[d]);
            }
            k += 1;
        })?;
    }
    Ok(reduce(b, dests, n, o))
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
    check(o)?;
    let days = compile_days(t, &o.window);
    (0..links.origins())
        .into_par_iter()
        .map_init(PropagationWorkspace::default, |ws, i| {
            origin_times(&days, links, i, o, ws).map(|r| f(i, &r))
        })
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
