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

use std::collections::{HashMap, HashSet};

use super::csr::Csr;
use super::net_graph::{ArcKind, NetGraph};
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
/// graph `g` (compiled for [`super::net_graph::Profile::Transit`]) for the timetable modes.
///
/// The steps add to one [`TimetableBuilder`] in a fixed order (stops and their change times,
/// footpaths, calendars, routes, then trips, bands and default bands), so that stop, calendar,
/// route and trip indices do not depend on anything but the network.
pub fn compile_timetabled(net: &Network, g: &NetGraph) -> Result<Timetabled, Problems> {
    let mut b = TimetableBuilder::new();
    let stops = add_stops(&mut b, net);
    let (street, street_rev) = add_street(&mut b, g, &stops);
    let calendars = add_calendars(&mut b, net);
    let patterns = Patterns {
        places: net.place_index(),
        stop_of_place: &stops.stop_of_place,
        route_of: add_routes(&mut b, net),
    };
    let mut timetabled = HashSet::new();
    add_trips(&mut b, net, &patterns, &calendars, &mut timetabled);
    add_bands(&mut b, net, &patterns, &calendars, &mut timetabled);
    let default_band = add_default_bands(&mut b, net, &patterns, &calendars, &timetabled);
    let (tt, _warnings) = b.build()?;
    Ok(Timetabled {
        tt,
        stop_of_place: stops.stop_of_place,
        place_of_stop: stops.place_of_stop,
        street,
        street_rev,
        interchange: stops.interchange,
        default_band,
    })
}

/// The stations of a network as timetable stops, both ways, with each place's seconds from
/// entrance to platform.
struct StopMaps {
    /// The stop of each place (stations only).
    stop_of_place: Vec<Option<StopIdx>>,
    /// The place of each stop.
    place_of_stop: Vec<PlaceIdx>,
    /// A station's `interchange_min` in seconds, 0 for other places.
    interchange: Vec<Seconds>,
}

/// Adds one stop per station of `net`, in place order, and its minimum change time (the
/// station's interchange).
fn add_stops(b: &mut TimetableBuilder, net: &Network) -> StopMaps {
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
    for (i, s) in stop_of_place.iter().enumerate() {
        if let Some(s) = *s {
            b.add_transfer(s, s, interchange[i]);
        }
    }
    StopMaps {
        stop_of_place,
        place_of_stop,
        interchange,
    }
}

/// The street part of the transit graph `g`: its walk, access and transfer arcs among places,
/// as a CSR and reversed. Each such arc between two stations is also a footpath of the
/// timetable, plus the interchange at the station walked to.
fn add_street(b: &mut TimetableBuilder, g: &NetGraph, stops: &StopMaps) -> (Csr, Csr) {
    let n = stops.stop_of_place.len();
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
            if let (Some(x), Some(y)) = (
                stops.stop_of_place[v as usize],
                stops.stop_of_place[a.head as usize],
            ) {
                let change = stops.interchange[a.head as usize];
                b.add_transfer(x, y, a.weight.saturating_add(change));
            }
        }
    }
    let (fwd, _) = Csr::from_arcs(n, &street);
    let rev: Vec<(u32, u32, Seconds)> = street.iter().map(|&(a, h, w)| (h, a, w)).collect();
    let (rev, _) = Csr::from_arcs(n, &rev);
    (fwd, rev)
}

/// The timetable's calendars: the network's by id, and one running every day (for the
/// default bands).
struct Calendars<'n> {
    /// The network's calendars by id.
    by_id: HashMap<&'n str, CalendarIdx>,
    /// A calendar that runs on every day.
    every_day: CalendarIdx,
}

/// Adds the network's calendars, in file order, then the every-day calendar.
fn add_calendars<'n>(b: &mut TimetableBuilder, net: &'n Network) -> Calendars<'n> {
    let mut by_id = HashMap::new();
    for c in &net.calendars {
        by_id.insert(c.id.as_str(), b.add_calendar(calendar_of(c)));
    }
    let every_day = b.add_calendar(Calendar {
        id: "every-day".into(),
        weekdays: 0x7f,
        range: Some((Day(i32::MIN / 2), Day(i32::MAX / 2))),
        added: vec![],
        removed: vec![],
    });
    Calendars { by_id, every_day }
}

/// Adds one route per service (its id, line and operator), in service order.
fn add_routes<'n>(b: &mut TimetableBuilder, net: &'n Network) -> HashMap<&'n str, RouteIdx> {
    let mut route_of = HashMap::new();
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
    route_of
}

/// What turns a service's stop pattern into timetable trips: the stop of each station id and
/// the route of each service.
struct Patterns<'n> {
    /// Places by id.
    places: HashMap<&'n str, PlaceIdx>,
    /// The stop of each place.
    stop_of_place: &'n [Option<StopIdx>],
    /// The route of each service id.
    route_of: HashMap<&'n str, RouteIdx>,
}

impl Patterns<'_> {
    /// The stop of station `id` (`None` for an unknown id or a place that is no station).
    fn stop(&self, id: &str) -> Option<StopIdx> {
        self.places
            .get(id)
            .and_then(|p| self.stop_of_place[p.idx()])
    }

    /// Adds frequency-based trip `t` of service `s`: its stop pattern in `t`'s direction with
    /// the static run and dwell times ([`pattern_times`]). A pattern with a stop that is not a
    /// station is left out.
    fn add_band_trip(&self, b: &mut TimetableBuilder, s: &Service, t: BandTrip) {
        let (at, arr, dep) = pattern_times(s, t.backward);
        let stops: Option<Vec<StopIdx>> = at.iter().map(|a| self.stop(a)).collect();
        let Some(stops) = stops else { return };
        let k = stops.len();
        b.add_trip(TripInput {
            id: t.id,
            route: self.route_of[s.id.as_str()],
            calendar: t.calendar,
            stops,
            arrivals: arr,
            departures: dep,
            access: vec![access::BOTH; k],
            bands: t.bands,
            origin: t.origin,
        });
    }
}

/// A frequency-based trip of one service in one direction.
struct BandTrip {
    /// Trip id: service, direction, and calendar id or `default`.
    id: String,
    /// Against the service's stop order.
    backward: bool,
    /// The calendar it runs on.
    calendar: CalendarIdx,
    /// When and how often it runs.
    bands: Vec<FrequencyBand>,
    /// Where its figures come from, for messages.
    origin: Origin,
}

/// Adds the network's timetabled trips, in file order, and records their services in
/// `timetabled`. A trip of an unknown service or calendar, or calling at a place that is no
/// station, is left out (validation reports it).
fn add_trips<'n>(
    b: &mut TimetableBuilder,
    net: &'n Network,
    pat: &Patterns,
    cals: &Calendars,
    timetabled: &mut HashSet<&'n str>,
) {
    for t in &net.trips {
        let (Some(&route), Some(&calendar)) = (
            pat.route_of.get(t.service.as_str()),
            cals.by_id.get(t.calendar.as_str()),
        ) else {
            continue;
        };
        timetabled.insert(t.service.as_str());
        let stops: Option<Vec<StopIdx>> = t.stops.iter().map(|s| pat.stop(&s.at)).collect();
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
}

/// Adds the network's bands as frequency-based trips: one per service, direction and
/// calendar (in the order each first appears), with all its bands, so that its draws are keyed
/// by that and nothing else. Records their services in `timetabled`.
fn add_bands<'n>(
    b: &mut TimetableBuilder,
    net: &'n Network,
    pat: &Patterns,
    cals: &Calendars,
    timetabled: &mut HashSet<&'n str>,
) {
    type Key<'k> = (&'k str, BandDirection, &'k str);
    let mut groups: Vec<(Key, Vec<&Band>)> = Vec::new();
    let mut group_of: HashMap<Key, usize> = HashMap::new();
    for band in &net.bands {
        timetabled.insert(band.service.as_str());
        let key = (
            band.service.as_str(),
            band.direction,
            band.calendar.as_str(),
        );
        let g = *group_of.entry(key).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(band);
    }
    let by_id = net.service_index();
    for ((sid, dir, cid), bands) in groups {
        let (Some(si), Some(&calendar)) = (by_id.get(sid), cals.by_id.get(cid)) else {
            continue;
        };
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
        let t = BandTrip {
            id,
            backward,
            calendar,
            bands: fb,
            origin: bands[0].origin.clone(),
        };
        pat.add_band_trip(b, &net.services[si.idx()], t);
    }
}

/// Adds the default band of every service with neither trips nor bands (not in
/// `timetabled`): every `headway_min` over the network's default hours, every day, in each
/// direction it runs. Returns those services' ids: their departures are an estimate.
fn add_default_bands(
    b: &mut TimetableBuilder,
    net: &Network,
    pat: &Patterns,
    cals: &Calendars,
    timetabled: &HashSet<&str>,
) -> Vec<String> {
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
            let t = BandTrip {
                id,
                backward,
                calendar: cals.every_day,
                bands: vec![band],
                origin: s.origin.clone(),
            };
            pat.add_band_trip(b, s, t);
        }
    }
    default_band
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
