//! The network from the prepared trips (those not left out): the busiest service date, one
//! service per pattern with its median trip's run and dwell times, its headway, opening date
//! and mode; the trips and bands; the calendars in use.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::network::ids::Seconds;
use crate::network::model::{
    haversine_m, Band, BandDirection, Date, Directions, Mode, Network, Origin, Service,
    ServiceCalendar, Stop, Trip, TripStop,
};
use crate::network::timetable::{self as tt, CalendarIdx, Day, Timetable};
use crate::network::validate;

use super::convert::{date_of, minutes, source_of, HEADWAY_WINDOW};
use super::prepare::{PTrip, Pattern, Prepared};

/// The network built from the trips not in `dropped`, with where each service's figures came
/// from (its median trip).
pub(super) struct Built {
    pub(super) net: Network,
    /// Service id → (its trips, its median trip), indices into `ptrips`.
    pub(super) services: HashMap<String, (Vec<usize>, usize)>,
    pub(super) busiest: Option<(Day, usize)>,
}

/// The median of a sorted, non-empty list.
fn median(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The median positive gap between sorted departures, in seconds, if there are two or more.
fn median_gap(mut deps: Vec<Seconds>) -> Option<(f64, usize)> {
    deps.sort_unstable();
    deps.dedup();
    let mut gaps: Vec<f64> = deps.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
    gaps.sort_by(f64::total_cmp);
    (!gaps.is_empty()).then(|| (median(&gaps), deps.len()))
}

/// The first and last day a calendar names (its range's ends and its added dates).
fn bounds(c: &tt::Calendar) -> (Option<Day>, Option<Day>) {
    let mut days: Vec<Day> = c.added.clone();
    if let Some((a, b)) = c.range {
        days.extend([a, b]);
    }
    (days.iter().min().copied(), days.iter().max().copied())
}

/// With `only` (indices into `patterns`), the network holds the services, trips and bands of
/// those patterns alone (and the calendars they use, no links): enough to validate what
/// leaving trips out changed, at a fraction of the cost.
pub(super) fn build(
    p: &Prepared,
    dropped: &HashSet<usize>,
    only: Option<&HashSet<usize>>,
) -> Built {
    let t = &p.imp.timetable;
    let live = |i: &usize| !dropped.contains(i);
    let busiest = busiest_date(p, &live);
    let mut net = Network {
        places: p.places.clone(),
        ..Network::default()
    };
    let mut services = HashMap::new();
    let mut used_cals: Vec<bool> = vec![false; t.calendars().len()];
    // Each pattern's service, trips and bands, side by side; then put together in order.
    let pieces: Vec<_> = p
        .patterns
        .par_iter()
        .enumerate()
        .filter(|(k, _)| only.is_none_or(|o| o.contains(k)))
        .filter_map(|(_, pat)| {
            let trips: Vec<usize> = pat.trips.iter().copied().filter(|i| live(i)).collect();
            if trips.is_empty() {
                return None;
            }
            let (service, mi) = service(p, pat, &trips, busiest);
            let mut piece = Piece::default();
            trips_and_bands(p, pat, &trips, &mut piece);
            Some((pat, service, trips, mi, piece))
        })
        .collect();
    for (pat, service, trips, mi, piece) in pieces {
        net.services.push(service);
        services.insert(pat.id.clone(), (trips, mi));
        net.trips.extend(piece.trips);
        net.bands.extend(piece.bands);
        for c in piece.calendars {
            used_cals[c] = true;
        }
    }
    net.calendars = calendars(p, &used_cals);
    if only.is_none() {
        net.links = p.links.clone();
    }
    Built {
        net,
        services,
        busiest,
    }
}

/// The busiest service date: the most departures (a frequency trip counts each), over at
/// most ten years from the first day of the calendars in use.
fn busiest_date(p: &Prepared, live: &dyn Fn(&usize) -> bool) -> Option<(Day, usize)> {
    let t = &p.imp.timetable;
    let mut weight = vec![0usize; t.calendars().len()];
    for pt in p
        .ptrips
        .iter()
        .enumerate()
        .filter(|(i, _)| live(i))
        .map(|x| x.1)
    {
        weight[pt.calendar.idx()] += pt.departures().len();
    }
    let used: Vec<usize> = (0..weight.len()).filter(|&c| weight[c] > 0).collect();
    let first = used
        .iter()
        .filter_map(|&c| bounds(t.calendar(CalendarIdx::from_idx(c))).0)
        .min();
    let last = used
        .iter()
        .filter_map(|&c| bounds(t.calendar(CalendarIdx::from_idx(c))).1)
        .max();
    let mut busiest: Option<(Day, usize)> = None;
    if let (Some(a), Some(b)) = (first, last) {
        let mut d = a;
        // At most ten years of days are looked at.
        while d <= b && d.0 - a.0 < 3660 {
            let n: usize = used
                .iter()
                .filter(|&&c| t.calendar(CalendarIdx::from_idx(c)).runs_on(d))
                .map(|&c| weight[c])
                .sum();
            if busiest.is_none_or(|(_, m)| n > m) {
                busiest = Some((d, n));
            }
            d = d.next();
        }
    }
    busiest
}

/// The median trip of `trips` by running time (ties: earlier first departure, then id).
fn median_trip(p: &Prepared, trips: &[usize]) -> usize {
    let t = &p.imp.timetable;
    let mut by_time = trips.to_vec();
    by_time.sort_by(|&a, &b| {
        let (x, y) = (&p.ptrips[a], &p.ptrips[b]);
        (x.duration(), x.dep[0], &t.trip(x.ti).id).cmp(&(y.duration(), y.dep[0], &t.trip(y.ti).id))
    });
    by_time[(by_time.len() - 1) / 2]
}

/// The straight-line distance of hop `k` (from call `k - 1` to call `k`) of trip `m`, metres.
fn hop_m(p: &Prepared, m: &PTrip, k: usize) -> f64 {
    let (a, b) = (&p.places[m.places[k - 1]], &p.places[m.places[k]]);
    haversine_m(a.lon, a.lat, b.lon, b.lat)
}

/// Run times of trip `m`, seconds per call (0 at the first), and how many were spread: hops
/// timed to the same minute as the stop before share the time of the next timed hop (or the
/// one before, at the end) by straight-line distance.
fn run_times(p: &Prepared, m: &PTrip) -> (Vec<f64>, usize) {
    let n = m.places.len();
    let dist = |k: usize| hop_m(p, m, k);
    let mut run: Vec<f64> = (0..n)
        .map(|k| {
            if k == 0 {
                0.0
            } else {
                (m.arr[k] - m.dep[k - 1]) as f64
            }
        })
        .collect();
    let mut spread = 0;
    let mut k = 1;
    while k < n {
        if run[k] > 0.0 {
            k += 1;
            continue;
        }
        let a = k;
        while k < n && run[k] == 0.0 {
            k += 1;
        }
        // Zero hops a..k; the timed hop k after them, or a - 1 before them.
        let donor = if k < n {
            Some(k)
        } else if a > 1 {
            Some(a - 1)
        } else {
            None
        };
        let Some(donor) = donor else { break };
        let hops: Vec<usize> = (a..k).chain([donor]).collect();
        let total: f64 = run[donor];
        let d: Vec<f64> = hops.iter().map(|&h| dist(h)).collect();
        let sum: f64 = d.iter().sum();
        if sum <= 0.0 {
            continue;
        }
        let mut acc = 0.0;
        let mut given = 0.0;
        for (j, &h) in hops.iter().enumerate() {
            acc += d[j];
            let upto = (total * acc / sum).round();
            run[h] = upto - given;
            given = upto;
        }
        spread += k - a;
        k += 1;
    }
    (run, spread)
}

/// A service's headway in seconds and where it came from: the median gap between the
/// departures of `trips` from the first stop in [`HEADWAY_WINDOW`] on the busiest date (else
/// over that whole day, else once a day).
fn headway(p: &Prepared, trips: &[usize], busiest: Option<(Day, usize)>) -> (f64, String) {
    let t = &p.imp.timetable;
    let deps_on = |d: Day| -> Vec<Seconds> {
        trips
            .iter()
            .map(|&i| &p.ptrips[i])
            .filter(|pt| t.calendar(pt.calendar).runs_on(d))
            .flat_map(PTrip::departures)
            .collect()
    };
    let (w0, w1) = HEADWAY_WINDOW;
    let (headway_s, headway_source) = match busiest {
        None => (86_400.0, "no service date found: once a day".to_string()),
        Some((day, total)) => {
            let all = deps_on(day);
            let window: Vec<Seconds> = all
                .iter()
                .copied()
                .filter(|&x| (w0..w1).contains(&x))
                .collect();
            let busy = format!("{day}, the feeds' busiest service date ({total} departures)");
            if let Some((g, k)) = median_gap(window) {
                (g, format!("median gap between the {k} departures from the first stop from 07:00 to 09:00 on {busy}"))
            } else if let Some((g, k)) = median_gap(all) {
                (g, format!("median gap between the {k} departures from the first stop over the whole of {busy} (fewer than two from 07:00 to 09:00)"))
            } else {
                (
                    86_400.0,
                    format!("at most one departure on {busy}: once a day"),
                )
            }
        }
    };
    (headway_s.min(86_400.0), headway_source)
}

/// The mode of a pattern's service and a note when it is not its route type's: rail (route_type
/// 2) whose median trip `m` runs faster than conventional rail's plausible 200 km/h over a hop
/// of 1.5 km or more is high-speed rail.
fn service_mode(p: &Prepared, pat: &Pattern, m: &PTrip) -> (Mode, String) {
    let route = p.imp.timetable.route(pat.route);
    let (mut mode, mut mode_note) = p.modes[pat.route.idx()].clone();
    if route.route_type == 2 {
        let dist = |k: usize| hop_m(p, m, k);
        let fastest = (1..m.places.len())
            .filter(|&k| dist(k) >= validate::SHORT_HOP_KM * 1000.0 && m.arr[k] > m.dep[k - 1])
            .map(|k| dist(k) / 1000.0 / ((m.arr[k] - m.dep[k - 1]) as f64 / 3600.0))
            .fold(0.0, f64::max);
        if fastest > Mode::Conventional.plausible_kmh().1 {
            mode = Mode::Hsr;
            mode_note = format!(
                "mode hsr: route_type 2 (rail) whose median trip runs at up to {fastest:.0} km/h"
            );
        }
    }
    (mode, mode_note)
}

/// The service of pattern `pat` run by `trips` (its live trips), with its median trip.
fn service(
    p: &Prepared,
    pat: &Pattern,
    trips: &[usize],
    busiest: Option<(Day, usize)>,
) -> (Service, usize) {
    let t = &p.imp.timetable;
    let src = |or: &Origin| source_of(&p.feed_desc, or);
    let route = t.route(pat.route);
    let route_origin = p
        .imp
        .origins
        .routes
        .get(&route.id)
        .cloned()
        .unwrap_or_default();
    let mi = median_trip(p, trips);
    let m = &p.ptrips[mi];
    let n = m.places.len();
    let (run, spread) = run_times(p, m);
    let dwell: Vec<f64> = (0..n).map(|k| (m.dep[k] - m.arr[k]) as f64).collect();
    let mut inner: Vec<f64> = dwell[1..n - 1].to_vec();
    inner.sort_by(f64::total_cmp);
    let dwell_default = if inner.is_empty() {
        0.0
    } else {
        median(&inner)
    };
    let (headway_s, headway_source) = headway(p, trips, busiest);
    // Opened: the earliest first day of its trips' calendars.
    let opened = trips
        .iter()
        .filter_map(|&i| bounds(t.calendar(p.ptrips[i].calendar)).0)
        .min()
        .map(date_of)
        .unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        });
    let (mode, mode_note) = service_mode(p, pat, m);
    let median_rows = match (m.rows.first(), m.rows.last()) {
        (Some(a), Some(b)) => format!(
            "{} to {}",
            src(a),
            b.line.map(|l| l.to_string()).unwrap_or_default()
        ),
        _ => String::new(),
    };
    let mut estimate = Vec::new();
    if spread > 0 {
        estimate.push(format!("{spread} run time(s) where the median trip gives a stop the same minute as the stop before share the next timed hop's minutes by straight-line distance"));
    }
    if !mode_note.is_empty() {
        estimate.push(mode_note);
    }
    if pat.frequency {
        estimate.push(
            "bands run these run and dwell times, the template of its frequencies.txt trips".into(),
        );
    }
    let stops = (0..n)
        .map(|k| Stop {
            at: p.places[m.places[k]].id.clone(),
            run_min: (k > 0).then(|| minutes(run[k])),
            km: None,
            dwell_min: (k > 0 && k + 1 < n && dwell[k] != dwell_default).then(|| minutes(dwell[k])),
        })
        .collect();
    let kind = if pat.frequency {
        "frequency-based trip(s)"
    } else {
        "trip(s)"
    };
    let service = Service {
        id: pat.id.clone(),
        line: p.lines[pat.route.idx()].clone(),
        line_zh: String::new(),
        mode,
        headway_min: minutes(headway_s).max(crate::network::validate::MIN_HEADWAY_MIN),
        dwell_min: minutes(dwell_default),
        opened,
        closed: None,
        directions: Directions::Forward,
        speed_kmh: None,
        stops,
        source: format!(
            "{}, route_id {}{}; {} {kind} along these stops; run and dwell times of trip_id {}, the median by running time ({median_rows})",
            src(&route_origin),
            route.id,
            if route.agency.is_empty() { String::new() } else { format!(" of {}", route.agency) },
            trips.len(),
            t.trip(m.ti).id,
        ),
        headway_source,
        opened_source: "the first day of the earliest calendar of its trips (calendar.txt, calendar_dates.txt); the feed does not say when the line opened".into(),
        estimate: estimate.join("; "),
        origin: m.rows.first().cloned().unwrap_or_default(),
    };
    (service, mi)
}

/// The trips, bands and calendars (indices) of one pattern.
#[derive(Default)]
struct Piece {
    trips: Vec<Trip>,
    bands: Vec<Band>,
    calendars: Vec<usize>,
}

/// The trips (scheduled) and bands (frequency-based) of pattern `pat`, and their calendars,
/// added to `piece`.
fn trips_and_bands(p: &Prepared, pat: &Pattern, trips: &[usize], piece: &mut Piece) {
    let t = &p.imp.timetable;
    let src = |or: &Origin| source_of(&p.feed_desc, or);
    for &i in trips {
        let pt = &p.ptrips[i];
        piece.calendars.push(pt.calendar.idx());
        let gtfs_id = &t.trip(pt.ti).id;
        let calendar = p.cal_ids[pt.calendar.idx()].clone();
        if pt.bands.is_empty() {
            let (a, b) = (pt.rows.first(), pt.rows.iter().filter_map(|r| r.line).max());
            piece.trips.push(Trip {
                id: pt.id.clone(),
                service: pat.id.clone(),
                calendar,
                stops: (0..pt.places.len())
                    .map(|k| TripStop {
                        at: p.places[pt.places[k]].id.clone(),
                        arrive: pt.arr[k],
                        depart: pt.dep[k],
                        origin: pt.rows[k].clone(),
                    })
                    .collect(),
                source: format!(
                    "{}{}, trip_id {gtfs_id}",
                    a.map(src).unwrap_or_default(),
                    b.map(|l| format!(" to {l}")).unwrap_or_default()
                ),
                origin: a.cloned().unwrap_or_default(),
            });
        } else {
            for (k, b) in pt.bands.iter().enumerate() {
                let row = pt.band_rows.get(k).cloned().unwrap_or_default();
                piece.bands.push(Band {
                    service: pat.id.clone(),
                    calendar: calendar.clone(),
                    direction: BandDirection::Forward,
                    start: b.start,
                    end: b.end,
                    headway_s: b.headway,
                    exact: b.exact,
                    source: format!(
                        "{}, trip_id {gtfs_id}, exact_times {}",
                        src(&row),
                        u8::from(b.exact)
                    ),
                    origin: row,
                });
            }
        }
    }
}

/// The calendars in use, in the feeds' order; one with added dates only becomes a one-day
/// range (its first date) plus the others added.
fn calendars(p: &Prepared, used_cals: &[bool]) -> Vec<ServiceCalendar> {
    let t: &Timetable = &p.imp.timetable;
    let src = |or: &Origin| source_of(&p.feed_desc, or);
    let mut out = Vec::new();
    for (c, cal) in t.calendars().iter().enumerate() {
        if !used_cals[c] {
            continue;
        }
        let origin = p
            .imp
            .origins
            .calendars
            .get(&cal.id)
            .cloned()
            .unwrap_or_default();
        let added: Vec<Day> = cal
            .added
            .iter()
            .copied()
            .filter(|d| !cal.removed.contains(d))
            .collect();
        let mut source = format!("{}, service_id {}", src(&origin), cal.id);
        let weekdays: [bool; 7] = std::array::from_fn(|d| cal.weekdays & (1 << d) != 0);
        let (weekdays, start, end, added, removed) = match cal.range {
            Some((a, b)) if weekdays.iter().any(|&x| x) => {
                (weekdays, a, b, added, cal.removed.clone())
            }
            _ => {
                // Added dates only: the first added date as a one-day range.
                let Some((&first, rest)) = added.split_first() else {
                    continue; // never runs: its trips were counted above but run on no day
                };
                source.push_str(" (added dates only: the first as a one-day range)");
                let mut w = [false; 7];
                w[first.weekday() as usize] = true;
                (w, first, first, rest.to_vec(), vec![])
            }
        };
        out.push(ServiceCalendar {
            id: p.cal_ids[c].clone(),
            weekdays,
            start: date_of(start),
            end: date_of(end),
            added: added.into_iter().map(date_of).collect(),
            removed: removed.into_iter().map(date_of).collect(),
            source,
            origin,
        });
    }
    out
}
