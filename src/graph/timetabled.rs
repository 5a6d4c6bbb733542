//! Compiling a network for the timetable modes: its services' trips, bands (and the default
//! band of services with neither) into a [`Timetable`] with one stop per station, and the
//! street part of its transit graph (walking, access and transfer links between places) from
//! which access, egress and footpath legs come.
//!
//! The rules mirror the static graph, so that the two modes differ only in how waits are
//! counted:
//! - boarding at a station costs its `interchange_min` (entrance to platform): it is added to
//!   every access leg and footpath that ends at a station, and it is the station's minimum
//!   change time between two vehicles;
//! - a band's trips run their service's stop pattern with its run and dwell times, as the
//!   static ride arcs do;
//! - the perceived boarding penalty of the static engine (`board_penalty_min`) is not added:
//!   the timetable modes report clock times.

use std::collections::HashMap;

use super::{ArcKind, Csr, NetGraph};
use crate::network::ids::{minutes_to_seconds, PlaceIdx, Seconds};
use crate::network::load::parse_clock;
use crate::network::model::*;
use crate::network::problem::Problems;
use crate::network::timetable::{
    access, Calendar, CalendarIdx, Day, FrequencyBand, Route, RouteIdx, Stop as TtStop, StopIdx,
    StopKind, Timetable, TimetableBuilder, TripInput,
};

/// A network compiled for the timetable modes.
#[derive(Clone, Debug)]
pub struct Timetabled {
    /// The trips of every service.
    pub tt: Timetable,
    /// The timetable stop of each place (stations only).
    pub stop_of_place: Vec<Option<StopIdx>>,
    /// The place of each timetable stop.
    pub place_of_stop: Vec<PlaceIdx>,
    /// Street arcs between places (walk, access, transfer links of the transit graph), as a
    /// CSR over place nodes.
    pub street: Csr,
    /// The same arcs reversed (for egress: from a destination back to the stations).
    pub street_rev: Csr,
    /// Seconds from a station's entrance to its platforms (its `interchange_min`), by place.
    pub interchange: Vec<Seconds>,
    /// Services that run on the default band (neither trips nor bands): their departures are
    /// an estimate.
    pub default_band: Vec<String>,
}

/// The day of a full date.
pub fn day_of(d: Date) -> Day {
    Day::from_ymd(d.year, d.month as u32, d.day as u32).unwrap_or(Day(0))
}

/// A network calendar as the timetable's [`Calendar`] (whose `runs_on` says which days run).
pub fn calendar_of(c: &ServiceCalendar) -> Calendar {
    let mut cal = Calendar {
        id: c.id.clone(),
        weekdays: c
            .weekdays
            .iter()
            .enumerate()
            .fold(0u8, |m, (i, &on)| if on { m | 1 << i } else { m }),
        range: Some((day_of(c.start), day_of(c.end))),
        added: c.added.iter().map(|&d| day_of(d)).collect(),
        removed: c.removed.iter().map(|&d| day_of(d)).collect(),
    };
    cal.added.sort_unstable();
    cal.removed.sort_unstable();
    cal
}

/// GTFS `route_type` of a mode.
pub fn route_type(m: Mode) -> i16 {
    match m {
        Mode::Tram => 0,
        Mode::Metro => 1,
        Mode::Hsr | Mode::Conventional | Mode::Intercity => 2,
        Mode::Bus => 3,
    }
}

/// The stop pattern of a band or default-band trip of service `s` in one direction: places,
/// and arrival and departure offsets (seconds) from the first departure, as the static ride
/// arcs count them.
pub fn pattern_times(s: &Service, backward: bool) -> (Vec<&str>, Vec<Seconds>, Vec<Seconds>) {
    let n = s.stops.len();
    let order: Vec<usize> = if backward {
        (0..n).rev().collect()
    } else {
        (0..n).collect()
    };
    let mut at = Vec::with_capacity(n);
    let mut arr = Vec::with_capacity(n);
    let mut dep = Vec::with_capacity(n);
    let mut t: Seconds = 0;
    for (pos, &k) in order.iter().enumerate() {
        if pos > 0 {
            let seg = if backward { k + 1 } else { k };
            t = t.saturating_add(minutes_to_seconds(s.run_min(seg).unwrap_or(0.0)));
        }
        at.push(s.stops[k].at.as_str());
        arr.push(t);
        if pos > 0 && pos + 1 < n {
            t = t.saturating_add(minutes_to_seconds(s.dwell_at(k)));
        }
        dep.push(t);
    }
    (at, arr, dep)
}

/// Compiles `net` (validated, as of its day and with scenario edits applied) and its transit
/// graph `g` (compiled for [`super::Profile::Transit`]) for the timetable modes.
pub fn compile_timetabled(net: &Network, g: &NetGraph) -> Result<Timetabled, Problems> {
    let places = net.place_index();
    let mut b = TimetableBuilder::new();
    let mut stop_of_place = vec![None; net.places.len()];
    let mut place_of_stop = Vec::new();
    for (i, p) in net.places.iter().enumerate() {
        if p.kind == PlaceKind::Station {
            let s = b.add_stop(TtStop {
                id: p.id.clone(),
                name: p.name.clone(),
                lon: p.lon,
                lat: p.lat,
                kind: StopKind::Stop,
                parent: None,
            });
            stop_of_place[i] = Some(s);
            place_of_stop.push(PlaceIdx::from_idx(i));
        }
    }
    let interchange: Vec<Seconds> = net
        .places
        .iter()
        .map(|p| {
            if p.kind == PlaceKind::Station {
                minutes_to_seconds(p.interchange_min)
            } else {
                0
            }
        })
        .collect();
    // Minimum change times: the station's interchange.
    for (i, s) in stop_of_place.iter().enumerate() {
        if let Some(s) = *s {
            b.add_transfer(s, s, interchange[i]);
        }
    }
    // Street arcs among places, and footpaths between stations (plus the interchange at the
    // station walked to).
    let n = net.places.len();
    let mut street = Vec::new();
    for v in 0..n as u32 {
        let (first, arcs) = g.csr.out(v);
        for (k, a) in arcs.iter().enumerate() {
            let e = first as usize + k;
            let kind = g.meta[e].kind;
            if a.head >= g.n_places
                || !matches!(kind, ArcKind::Walk | ArcKind::Access | ArcKind::Transfer)
            {
                continue;
            }
            street.push((v, a.head, a.weight));
            if let (Some(x), Some(y)) = (stop_of_place[v as usize], stop_of_place[a.head as usize])
            {
                b.add_transfer(x, y, a.weight.saturating_add(interchange[a.head as usize]));
            }
        }
    }
    let (street_csr, _) = Csr::from_arcs(n, &street);
    let rev: Vec<(u32, u32, Seconds)> = street.iter().map(|&(a, h, w)| (h, a, w)).collect();
    let (street_rev, _) = Csr::from_arcs(n, &rev);

    // Calendars: the network's, and one for every day (default bands).
    let mut cal_idx: HashMap<&str, CalendarIdx> = HashMap::new();
    for c in &net.calendars {
        let ix = b.add_calendar(calendar_of(c));
        cal_idx.insert(c.id.as_str(), ix);
    }
    let every_day = b.add_calendar(Calendar {
        id: "every-day".into(),
        weekdays: 0x7f,
        range: Some((Day(i32::MIN / 2), Day(i32::MAX / 2))),
        added: vec![],
        removed: vec![],
    });

    let mut route_of: HashMap<&str, RouteIdx> = HashMap::new();
    for s in &net.services {
        let r = b.add_route(Route {
            id: s.id.clone(),
            short_name: s.id.clone(),
            long_name: s.line.clone(),
            agency: s.line_zh.clone(),
            route_type: route_type(s.mode),
        });
        route_of.insert(s.id.as_str(), r);
    }
    let stop = |id: &str| places.get(id).and_then(|p| stop_of_place[p.idx()]);
    let mut timetabled: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for t in &net.trips {
        let (Some(&route), Some(&calendar)) = (
            route_of.get(t.service.as_str()),
            cal_idx.get(t.calendar.as_str()),
        ) else {
            continue;
        };
        timetabled.insert(t.service.as_str());
        let stops: Option<Vec<StopIdx>> = t.stops.iter().map(|s| stop(&s.at)).collect();
        let Some(stops) = stops else { continue };
        let k = stops.len();
        b.add_trip(TripInput {
            id: t.id.clone(),
            route,
            calendar,
            stops,
            arrivals: t.stops.iter().map(|s| s.arrive).collect(),
            departures: t.stops.iter().map(|s| s.depart).collect(),
            access: vec![access::BOTH; k],
            bands: vec![],
            origin: t.origin.clone(),
        });
    }
    // Bands: one frequency-based trip per service, direction and calendar, with all its
    // bands (so its draws are keyed by that and nothing else).
    type Key<'k> = (&'k str, BandDirection, &'k str);
    let mut groups: Vec<(Key, Vec<&Band>)> = Vec::new();
    for band in &net.bands {
        timetabled.insert(band.service.as_str());
        let key = (
            band.service.as_str(),
            band.direction,
            band.calendar.as_str(),
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(band),
            None => groups.push((key, vec![band])),
        }
    }
    let by_id = net.service_index();
    let add_band_trip = |b: &mut TimetableBuilder,
                         s: &Service,
                         backward: bool,
                         id: String,
                         calendar: CalendarIdx,
                         bands: Vec<FrequencyBand>,
                         origin: Origin| {
        let (at, arr, dep) = pattern_times(s, backward);
        let stops: Option<Vec<StopIdx>> = at.iter().map(|a| stop(a)).collect();
        let Some(stops) = stops else { return };
        let k = stops.len();
        b.add_trip(TripInput {
            id,
            route: route_of[s.id.as_str()],
            calendar,
            stops,
            arrivals: arr,
            departures: dep,
            access: vec![access::BOTH; k],
            bands,
            origin,
        });
    };
    for ((sid, dir, cid), bands) in groups {
        let (Some(si), Some(&calendar)) = (by_id.get(sid), cal_idx.get(cid)) else {
            continue;
        };
        let s = &net.services[si.idx()];
        let backward = dir == BandDirection::Backward;
        let fb = bands
            .iter()
            .map(|x| FrequencyBand {
                start: x.start,
                end: x.end,
                headway: x.headway_s,
                exact: x.exact,
            })
            .collect();
        let id = format!(
            "{sid}:{}:{cid}",
            if backward { "backward" } else { "forward" }
        );
        add_band_trip(
            &mut b,
            s,
            backward,
            id,
            calendar,
            fb,
            bands[0].origin.clone(),
        );
    }
    // Services with neither trips nor bands: every headway_min over the default hours.
    let hours = &net.settings.timetable;
    let start = parse_clock(&hours.default_start).unwrap_or(6 * 3600);
    let end = parse_clock(&hours.default_end).unwrap_or(23 * 3600);
    let mut default_band = Vec::new();
    for s in &net.services {
        if timetabled.contains(s.id.as_str()) {
            continue;
        }
        default_band.push(s.id.clone());
        let headway = minutes_to_seconds(s.headway_min).max(1);
        let dirs: &[bool] = match s.directions {
            Directions::Both => &[false, true],
            Directions::Forward => &[false],
        };
        for &backward in dirs {
            let id = format!(
                "{}:{}:default",
                s.id,
                if backward { "backward" } else { "forward" }
            );
            let band = FrequencyBand {
                start,
                end,
                headway,
                exact: false,
            };
            add_band_trip(
                &mut b,
                s,
                backward,
                id,
                every_day,
                vec![band],
                s.origin.clone(),
            );
        }
    }
    let (tt, _warnings) = b.build()?;
    Ok(Timetabled {
        tt,
        stop_of_place,
        place_of_stop,
        street: street_csr,
        street_rev,
        interchange,
        default_band,
    })
}

/// Services of `net` that have trips or bands, none of which runs on `date` (their calendars
/// do not cover it): in the timetable modes they do not run that day.
pub fn idle_on(net: &Network, date: Date) -> Vec<String> {
    let day = day_of(date);
    let runs: HashMap<&str, bool> = net
        .calendars
        .iter()
        .map(|c| (c.id.as_str(), calendar_of(c).runs_on(day)))
        .collect();
    let mut has: HashMap<&str, bool> = HashMap::new();
    for (svc, cal) in net
        .trips
        .iter()
        .map(|t| (t.service.as_str(), t.calendar.as_str()))
        .chain(
            net.bands
                .iter()
                .map(|b| (b.service.as_str(), b.calendar.as_str())),
        )
    {
        let on = runs.get(cal).copied().unwrap_or(false);
        *has.entry(svc).or_insert(false) |= on;
    }
    let mut idle: Vec<String> = has
        .into_iter()
        .filter(|&(_, on)| !on)
        .map(|(s, _)| s.to_string())
        .collect();
    idle.sort();
    idle
}
