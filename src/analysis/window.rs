//! Travel times on timetables: one departure or a window of departures (range RAPTOR), door
//! to door, with access and egress over the street part of the transit graph; percentiles and
//! the share of departures within a limit.
//!
//! A door-to-door time for one departure minute is the earliest arrival at the destination
//! minus that minute: walking or local access to a station (plus its entrance-to-platform
//! minutes), waiting for a trip that actually leaves, rides, changes, and the way from the
//! last station to the door; or the way without any vehicle, if shorter. Samples are taken at
//! every `step` of the window and, where trips run by inexact headways, for every draw of
//! their departures ([`crate::engine::raptor::day::Draw`]): draws are keyed by the seed and
//! each trip's id, so two scenarios compared with one seed share them (paired draws).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::engine::raptor::{
    needs_draws, percentile, share_within, DayTimetable, Draw, Journey, RaptorError, RaptorParams,
    RaptorWorkspace, Window, MAX_HORIZON,
};
use crate::graph::timetabled::{day_of, Timetabled};
use crate::graph::Csr;
use crate::network::ids::{PlaceIdx, Seconds, UNREACHED};
use crate::network::model::Date;
use crate::network::timetable::StopIdx;

/// What a timetable query covers.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowOptions {
    /// The service date.
    pub date: Date,
    /// First departure, seconds since midnight.
    pub from: Seconds,
    /// Last departure (inclusive; equal to `from` for one departure).
    pub to: Seconds,
    /// Seconds between departures sampled (60: every minute).
    pub step: Seconds,
    /// Draws of the departures of trips that run by inexact headways.
    pub draws: u32,
    /// Seed of the draws.
    pub seed: u64,
    /// Search bound: arrivals later than departure plus this are unreached.
    pub bound: Seconds,
    /// The most vehicle trips in a journey.
    pub max_trips: u8,
}

impl WindowOptions {
    /// Number of departures sampled per draw.
    pub fn departures(&self) -> usize {
        ((self.to - self.from) / self.step.max(1)) as usize + 1
    }
}

/// Samples of door-to-door seconds between places over a window.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowMatrix {
    /// Origins.
    pub rows: Vec<PlaceIdx>,
    /// Destinations.
    pub cols: Vec<PlaceIdx>,
    /// `samples[i][j]`: one travel time per (draw, departure), `UNREACHED` past the bound;
    /// within a draw, departures latest first.
    pub samples: Vec<Vec<Vec<Seconds>>>,
    /// Departures per draw.
    pub departures: usize,
    /// Draws (1 when no trip runs by inexact headways in this network, repeated to `draws`
    /// samples so that every scenario's samples have the same shape).
    pub draws: u32,
}

impl WindowMatrix {
    /// The `p`-th percentile (nearest rank, unreached counting as longest) of pair `(i, j)`.
    pub fn percentile(&self, i: usize, j: usize, p: f64) -> Seconds {
        let mut v = self.samples[i][j].clone();
        percentile(&mut v, p)
    }

    /// The share of samples of pair `(i, j)` at most `limit` seconds.
    pub fn share_within(&self, i: usize, j: usize, limit: Seconds) -> f64 {
        share_within(&self.samples[i][j], limit)
    }

    /// The matrix of the `p`-th percentiles.
    pub fn percentile_matrix(&self, p: f64) -> Vec<Vec<Seconds>> {
        (0..self.rows.len())
            .map(|i| {
                (0..self.cols.len())
                    .map(|j| self.percentile(i, j, p))
                    .collect()
            })
            .collect()
    }
}

/// Plain Dijkstra over the (small) street graph of places, bounded.
pub fn street_times(g: &Csr, source: PlaceIdx, bound: Seconds) -> Vec<Seconds> {
    let mut dist = vec![UNREACHED; g.num_nodes()];
    let mut heap = BinaryHeap::new();
    dist[source.idx()] = 0;
    heap.push(Reverse((0, source.0)));
    while let Some(Reverse((d, v))) = heap.pop() {
        if d > dist[v as usize] {
            continue;
        }
        for a in g.out(v).1 {
            let nd = d.saturating_add(a.weight);
            if nd <= bound && nd < dist[a.head as usize] {
                dist[a.head as usize] = nd;
                heap.push(Reverse((nd, a.head)));
            }
        }
    }
    dist
}

/// Access legs from place `o`: every station reached on the streets within the bound, with its
/// entrance-to-platform minutes; and the street times to every place.
pub fn access_legs(
    t: &Timetabled,
    o: PlaceIdx,
    bound: Seconds,
) -> (Vec<(StopIdx, Seconds)>, Vec<Seconds>) {
    let d = street_times(&t.street, o, bound);
    let legs = d
        .iter()
        .enumerate()
        .filter(|&(_, &s)| s != UNREACHED)
        .filter_map(|(p, &s)| t.stop_of_place[p].map(|st| (st, s.saturating_add(t.interchange[p]))))
        .filter(|&(_, s)| s <= bound)
        .collect();
    (legs, d)
}

/// Egress legs to place `dst`: every station from which it is reached on the streets within
/// the bound.
pub fn egress_legs(t: &Timetabled, dst: PlaceIdx, bound: Seconds) -> Vec<(StopIdx, Seconds)> {
    let d = street_times(&t.street_rev, dst, bound);
    d.iter()
        .enumerate()
        .filter(|&(_, &s)| s != UNREACHED)
        .filter_map(|(p, &s)| t.stop_of_place[p].map(|st| (st, s)))
        .collect()
}

fn params(o: &WindowOptions) -> RaptorParams {
    RaptorParams {
        max_trips: o.max_trips,
        limit: o.bound,
    }
}

fn check_window(o: &WindowOptions) -> Result<(), RaptorError> {
    if o.from > o.to || o.step == 0 || o.to.saturating_add(o.bound) > MAX_HORIZON {
        return Err(RaptorError::BadWindow {
            from: o.from,
            to: o.to,
        });
    }
    Ok(())
}

/// The compiled days of a query, one per draw searched.
pub fn compile_days<'a>(t: &'a Timetabled, o: &WindowOptions) -> Vec<DayTimetable<'a>> {
    let searched = if needs_draws(&t.tt) {
        o.draws.max(1)
    } else {
        1
    };
    let end = (o.to + o.bound).min(MAX_HORIZON);
    (0..searched)
        .map(|d| {
            DayTimetable::new(
                &t.tt,
                day_of(o.date),
                o.from,
                end,
                Draw {
                    seed: o.seed,
                    index: d,
                },
            )
        })
        .collect()
}

/// Door-to-door samples between places over the window, origins in parallel (one RAPTOR
/// workspace per thread).
pub fn window_matrix(
    t: &Timetabled,
    rows: &[PlaceIdx],
    cols: &[PlaceIdx],
    o: &WindowOptions,
) -> Result<WindowMatrix, RaptorError> {
    check_window(o)?;
    let days = compile_days(t, o);
    window_matrix_on(t, &days, rows, cols, o)
}

/// [`window_matrix`] on days compiled beforehand by [`compile_days`] for the same options.
pub fn window_matrix_on(
    t: &Timetabled,
    days: &[DayTimetable<'_>],
    rows: &[PlaceIdx],
    cols: &[PlaceIdx],
    o: &WindowOptions,
) -> Result<WindowMatrix, RaptorError> {
    check_window(o)?;
    let egress: Vec<Vec<(StopIdx, Seconds)>> =
        cols.iter().map(|&c| egress_legs(t, c, o.bound)).collect();
    let p = params(o);
    let w = Window {
        from: o.from,
        to: o.to,
        step: o.step,
    };
    let samples: Result<Vec<Vec<Vec<Seconds>>>, RaptorError> = rows
        .par_iter()
        .map_init(RaptorWorkspace::new, |ws, &r| {
            let (access, street) = access_legs(t, r, o.bound);
            let direct: Vec<Seconds> = cols.iter().map(|c| street[c.idx()]).collect();
            row_samples(ws, days, &access, &direct, &egress, w, &p, o)
        })
        .collect();
    Ok(WindowMatrix {
        rows: rows.to_vec(),
        cols: cols.to_vec(),
        samples: samples?,
        departures: o.departures(),
        draws: o.draws.max(1),
    })
}

/// One origin's door-to-door samples over the window, one list per column: for every day and
/// departure, the best of transit (access legs, RAPTOR, the column's egress legs) and the
/// column's `direct` street time; days fewer than the draws are repeated in order.
#[allow(clippy::too_many_arguments)]
fn row_samples(
    ws: &mut RaptorWorkspace,
    days: &[DayTimetable<'_>],
    access: &[(StopIdx, Seconds)],
    direct: &[Seconds],
    egress: &[Vec<(StopIdx, Seconds)>],
    w: Window,
    p: &RaptorParams,
    o: &WindowOptions,
) -> Result<Vec<Vec<Seconds>>, RaptorError> {
    let draws = o.draws.max(1);
    let mut out: Vec<Vec<Seconds>> =
        vec![Vec::with_capacity(draws as usize * o.departures()); direct.len()];
    for day in days {
        ws.window_arrivals(day, access, w, p, |a| {
            for (j, eg) in egress.iter().enumerate() {
                let by_transit = a.via(eg).map_or(UNREACHED, |x| x - a.depart());
                out[j].push(by_transit.min(direct[j]));
            }
        })?;
    }
    for s in &mut out {
        let one = s.len();
        for _ in days.len() as u32..draws {
            s.extend_from_within(..one);
        }
    }
    Ok(out)
}

/// Door-to-door samples from a point that is no place over the window: the point reaches the
/// places of `seeds` on its own (stations on foot or by local access, with seconds, as a
/// point's isochrone reaches them), then the streets between places and the timetables
/// from there, as a place's row of [`window_matrix`]. `samples[j]` is column `j`'s samples.
pub fn window_from_seeds(
    t: &Timetabled,
    seeds: &[(PlaceIdx, Seconds)],
    cols: &[PlaceIdx],
    o: &WindowOptions,
) -> Result<Vec<Vec<Seconds>>, RaptorError> {
    check_window(o)?;
    let days = compile_days(t, o);
    let egress: Vec<Vec<(StopIdx, Seconds)>> =
        cols.iter().map(|&c| egress_legs(t, c, o.bound)).collect();
    let street = street_times_from(&t.street, seeds, o.bound);
    let access: Vec<(StopIdx, Seconds)> = street
        .iter()
        .enumerate()
        .filter(|&(_, &s)| s != UNREACHED)
        .filter_map(|(p, &s)| t.stop_of_place[p].map(|st| (st, s.saturating_add(t.interchange[p]))))
        .filter(|&(_, s)| s <= o.bound)
        .collect();
    let p = params(o);
    let w = Window {
        from: o.from,
        to: o.to,
        step: o.step,
    };
    let direct: Vec<Seconds> = cols.iter().map(|c| street[c.idx()]).collect();
    row_samples(
        &mut RaptorWorkspace::new(),
        &days,
        &access,
        &direct,
        &egress,
        w,
        &p,
        o,
    )
}

/// [`street_times`] from several places, each reached at its own time (those past the bound
/// left out).
pub fn street_times_from(g: &Csr, sources: &[(PlaceIdx, Seconds)], bound: Seconds) -> Vec<Seconds> {
    let mut dist = vec![UNREACHED; g.num_nodes()];
    let mut heap = BinaryHeap::new();
    for &(s, t) in sources {
        if t <= bound && t < dist[s.idx()] {
            dist[s.idx()] = t;
            heap.push(Reverse((t, s.0)));
        }
    }
    while let Some(Reverse((d, v))) = heap.pop() {
        if d > dist[v as usize] {
            continue;
        }
        for a in g.out(v).1 {
            let nd = d.saturating_add(a.weight);
            if nd <= bound && nd < dist[a.head as usize] {
                dist[a.head as usize] = nd;
                heap.push(Reverse((nd, a.head)));
            }
        }
    }
    dist
}

/// The journey from `from` to `to` leaving at `o.from` (draw 0), leg by leg, or `None` if the
/// destination is not reached within the bound by transit. Also returns the street-only time.
pub fn journey(
    t: &Timetabled,
    from: PlaceIdx,
    to: PlaceIdx,
    o: &WindowOptions,
) -> Result<(Option<Journey>, Seconds), RaptorError> {
    check_window(o)?;
    let one = WindowOptions {
        to: o.from,
        draws: 1,
        ..o.clone()
    };
    let days = compile_days(t, &one);
    let (access, street) = access_legs(t, from, o.bound);
    let egress = egress_legs(t, to, o.bound);
    let mut ws = RaptorWorkspace::new();
    ws.one_departure(&days[0], &access, o.from, &params(o))?;
    let stop = egress.first().map(|e| e.0).unwrap_or(StopIdx(0));
    Ok((ws.journey(&days[0], stop, Some(&egress)), street[to.idx()]))
}

/// A network compiled for the timetable modes: its transit graph and its timetable.
pub fn compile(
    net: &crate::network::model::Network,
) -> Result<Timetabled, crate::network::problem::Problems> {
    let g = crate::graph::compile(net, crate::graph::Profile::Transit);
    crate::graph::timetabled::compile_timetabled(net, &g)
}

/// An error of a timetable query as problems (for commands).
pub fn as_problems(e: RaptorError) -> crate::network::problem::Problems {
    crate::network::problem::Problems(vec![crate::network::problem::Problem::error(
        &crate::network::model::Origin::default(),
        "departure window",
        e.to_string(),
        "choose a window that ends, with the search bound, before 48:00",
    )])
}

/// `HH:MM` or `HH:MM-HH:MM` (clock times of the service day, up to 47:59) as seconds.
pub fn parse_depart(s: &str) -> Result<(u32, u32), String> {
    let clock = |t: &str| {
        crate::network::load::parse_clock(t)
            .ok_or_else(|| format!("'{t}' is not a clock time: write HH:MM (hours 0..47)"))
    };
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (clock(a)?, clock(b)?),
        None => {
            let a = clock(s)?;
            (a, a)
        }
    };
    if b < a {
        return Err(format!(
            "'{s}': the window ends before it starts (write the earlier time first, e.g. 07:00-09:00)"
        ));
    }
    if b - a > 24 * 3600 {
        return Err(format!("'{s}': a window is at most 24 hours"));
    }
    Ok((a, b))
}
