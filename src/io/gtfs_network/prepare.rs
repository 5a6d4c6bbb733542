//! Before validation: the feeds' stops as places, their routes as lines and modes, their
//! trips as sequences of places grouped into patterns (the future services) with their ids,
//! and `transfers.txt` as links.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::io::gtfs::GtfsImport;
use crate::network::ids::Seconds;
use crate::network::model::{Link, LinkKind, Mode, Origin, Place, PlaceKind};
use crate::network::problem::Problem;
use crate::network::timetable::{self as tt, access, CalendarIdx, RouteIdx, Timetable, TripIdx};

use super::convert::{feed_description, minutes, mode_of_route_type, source_of, Ids};

/// A trip of the timetable as a sequence of places.
pub(super) struct PTrip {
    pub(super) ti: TripIdx,
    pub(super) route: RouteIdx,
    pub(super) calendar: CalendarIdx,
    /// Index into the network's places.
    pub(super) places: Vec<usize>,
    pub(super) arr: Vec<Seconds>,
    pub(super) dep: Vec<Seconds>,
    /// The stop_times.txt row of each kept stop.
    pub(super) rows: Vec<Origin>,
    /// Frequency bands, shifted to the first kept stop; empty for a scheduled trip.
    pub(super) bands: Vec<tt::FrequencyBand>,
    pub(super) band_rows: Vec<Origin>,
    pub(super) pattern: usize,
    /// The network id of a scheduled trip.
    pub(super) id: String,
}

impl PTrip {
    pub(super) fn duration(&self) -> Seconds {
        self.arr[self.arr.len() - 1] - self.dep[0]
    }
    /// Departures from the first stop on a service day.
    pub(super) fn departures(&self) -> Vec<Seconds> {
        if self.bands.is_empty() {
            return vec![self.dep[0]];
        }
        let mut out = Vec::new();
        for b in &self.bands {
            let mut t = b.start;
            while t < b.end && out.len() < 10_000 {
                out.push(t);
                t += b.headway.max(1);
            }
        }
        out
    }
}

/// A route and its place sequence (and, for frequency-based trips, their template times).
pub(super) struct Pattern {
    pub(super) route: RouteIdx,
    pub(super) frequency: bool,
    pub(super) trips: Vec<usize>,
    pub(super) id: String,
}

/// Everything fixed before validation: places, trips as places, patterns, ids.
pub(super) struct Prepared<'a> {
    pub(super) imp: &'a GtfsImport,
    pub(super) places: Vec<Place>,
    pub(super) ptrips: Vec<PTrip>,
    pub(super) patterns: Vec<Pattern>,
    pub(super) cal_ids: Vec<String>,
    pub(super) modes: Vec<(Mode, String)>,
    pub(super) lines: Vec<String>,
    pub(super) links: Vec<Link>,
    pub(super) feed_desc: HashMap<String, String>,
    pub(super) warnings: Vec<Problem>,
    pub(super) renamed: usize,
}

/// The origin of record `id` in `m`, else the file `what` without a line.
fn origin_or(m: &HashMap<String, Origin>, id: &str, what: &str) -> Origin {
    m.get(id).cloned().unwrap_or_else(|| Origin {
        file: what.to_string(),
        line: None,
    })
}

/// Places, lines, modes, trips grouped into patterns with their ids, and links, from the
/// feeds read.
pub(super) fn prepare(imp: &GtfsImport) -> Prepared<'_> {
    let t = &imp.timetable;
    let mut warnings = Vec::new();
    let feed_desc: HashMap<String, String> = imp
        .feeds
        .iter()
        .map(|f| (f.name.clone(), feed_description(f)))
        .collect();
    let (places, place_of, place_ids) = places(imp, &feed_desc);
    let lines = route_lines(t);
    let modes = route_modes(imp, &mut warnings);
    let mut cal_ids = Ids::default();
    let cal_id: Vec<String> = t.calendars().iter().map(|c| cal_ids.claim(&c.id)).collect();
    let mut grouped = group_trips(imp, &place_of, &mut warnings);
    let (sorted, service_ids) = name_patterns(t, grouped.patterns, &mut grouped.ptrips);
    let links = links(imp, &places, &place_of, &feed_desc, &mut warnings);
    Prepared {
        imp,
        links,
        renamed: place_ids.renamed
            + grouped.trip_ids.renamed
            + cal_ids.renamed
            + service_ids.renamed,
        places,
        ptrips: grouped.ptrips,
        patterns: sorted,
        cal_ids: cal_id,
        modes,
        lines,
        feed_desc,
        warnings,
    }
}

/// Places: stations and stops without a parent, in file order; and the place of every stop
/// (a platform's is its station's).
fn places(imp: &GtfsImport, feed_desc: &HashMap<String, String>) -> (Vec<Place>, Vec<usize>, Ids) {
    let t = &imp.timetable;
    let mut place_ids = Ids::default();
    let mut places = Vec::new();
    let mut place_of = vec![usize::MAX; t.stops().len()];
    for s in t.places() {
        let st = t.stop(s);
        let origin = origin_or(&imp.origins.stops, &st.id, "stops.txt");
        place_of[s.idx()] = places.len();
        places.push(Place {
            id: place_ids.claim(&st.id),
            kind: PlaceKind::Station,
            name: st.name.clone(),
            name_zh: String::new(),
            city: String::new(),
            district: String::new(),
            lon: st.lon,
            lat: st.lat,
            interchange_min: 0.0,
            in_area: false,
            population: 0,
            population_year: None,
            source: format!(
                "{}, stop_id {}; interchange_min 0: the feed gives no entrance-to-platform time",
                source_of(feed_desc, &origin),
                st.id
            ),
            origin,
        });
    }
    for (i, st) in t.stops().iter().enumerate() {
        if let Some(p) = st.parent {
            place_of[i] = place_of[p.idx()];
        }
    }
    (places, place_of, place_ids)
}

/// The line name of each route: its short and long names (the route id if it has neither),
/// with the route id added where two routes would share a name.
fn route_lines(t: &Timetable) -> Vec<String> {
    let mut lines: Vec<String> = t
        .routes()
        .iter()
        .map(|r| {
            let (s, l) = (r.short_name.trim(), r.long_name.trim());
            match (s.is_empty(), l.is_empty()) {
                (false, false) if l.starts_with(s) => l.to_string(),
                (false, false) => format!("{s} {l}"),
                (false, true) => s.to_string(),
                (true, false) => l.to_string(),
                (true, true) => r.id.clone(),
            }
        })
        .collect();
    let mut count: HashMap<String, usize> = HashMap::new();
    for l in &lines {
        *count.entry(l.clone()).or_default() += 1;
    }
    for (l, r) in lines.iter_mut().zip(t.routes()) {
        if count[l.as_str()] > 1 {
            *l = format!("{l} ({})", r.id);
        }
    }
    lines
}

/// The mode of each route, with a note (and a warning) where its `route_type` has none and
/// bus is assumed.
fn route_modes(imp: &GtfsImport, warnings: &mut Vec<Problem>) -> Vec<(Mode, String)> {
    imp.timetable
        .routes()
        .iter()
        .map(|r| match mode_of_route_type(r.route_type) {
            Some(m) => (m, String::new()),
            None => {
                warnings.push(Problem::warning(
                    &origin_or(&imp.origins.routes, &r.id, "routes.txt"),
                    format!("field route_type of route_id {}", r.id),
                    format!("{} has no onehour mode; imported as bus", r.route_type),
                    "check the mode of the imported services (services.toml)",
                ));
                (
                    Mode::Bus,
                    format!("mode bus: route_type {} has no onehour mode", r.route_type),
                )
            }
        })
        .collect()
}

/// The trips as places, grouped into patterns.
struct Grouped {
    ptrips: Vec<PTrip>,
    patterns: Vec<Pattern>,
    trip_ids: Ids,
}

/// What turning stop times into calls changed, counted for the warnings.
#[derive(Default)]
struct CallCounts {
    /// Stop times with neither pickup nor drop-off (left out).
    passed: usize,
    /// Stop times allowing only boarding or only alighting (both allowed).
    one_way: usize,
    /// Calls at the place just called at (merged).
    merged: usize,
}

/// One trip as a sequence of places: calls where nobody may board or alight are left out,
/// two calls in a row at one place are merged.
fn trip_calls(imp: &GtfsImport, ti: TripIdx, place_of: &[usize], counts: &mut CallCounts) -> PTrip {
    let (t, o) = (&imp.timetable, &imp.origins);
    let trip = t.trip(ti);
    let stops = t.pattern_stops(trip.pattern);
    let acc = t.pattern_access(trip.pattern);
    let rows = o.trip_stops.get(&trip.id).cloned().unwrap_or_default();
    let mut pt = PTrip {
        ti,
        route: trip.route,
        calendar: trip.calendar,
        places: Vec::new(),
        arr: Vec::new(),
        dep: Vec::new(),
        rows: Vec::new(),
        bands: Vec::new(),
        band_rows: o.trip_bands.get(&trip.id).cloned().unwrap_or_default(),
        pattern: 0,
        id: String::new(),
    };
    for (k, &s) in stops.iter().enumerate() {
        if acc[k] == 0 {
            counts.passed += 1; // neither boarding nor alighting: the vehicle passes
            continue;
        }
        if acc[k] != access::BOTH {
            counts.one_way += 1;
        }
        let p = place_of[s.idx()];
        let (a, d) = (t.arrivals(ti)[k], t.departures(ti)[k]);
        if pt.places.last() == Some(&p) {
            // Two platforms of one station in a row: one call.
            counts.merged += 1;
            if let Some(last) = pt.dep.last_mut() {
                *last = d;
            }
            continue;
        }
        pt.places.push(p);
        pt.arr.push(a);
        pt.dep.push(d);
        pt.rows.push(rows.get(k).cloned().unwrap_or_default());
    }
    pt
}

/// A frequency-based trip's times made offsets from its first departure, and its bands
/// shifted to match; the times are then part of its pattern's key.
fn shift_to_template(t: &Timetable, pt: &mut PTrip) -> Vec<Seconds> {
    let shift = pt.dep[0];
    for x in pt.arr.iter_mut().chain(pt.dep.iter_mut()) {
        *x = x.saturating_sub(shift);
    }
    pt.arr[0] = 0;
    pt.bands = t
        .bands(pt.ti)
        .iter()
        .map(|b| tt::FrequencyBand {
            start: b.start + shift,
            end: b.end + shift,
            ..*b
        })
        .collect();
    let mut key_times: Vec<Seconds> = pt.arr.iter().chain(&pt.dep).copied().collect();
    key_times.push(1); // frequency patterns never share with scheduled ones
    key_times
}

/// Every trip as places (those calling at fewer than two are left out, with a warning),
/// grouped into patterns by route, places and (frequency-based trips) template times.
fn group_trips(imp: &GtfsImport, place_of: &[usize], warnings: &mut Vec<Problem>) -> Grouped {
    let t = &imp.timetable;
    let mut counts = CallCounts::default();
    let mut trip_ids = Ids::default();
    let mut ptrips = Vec::new();
    let mut keys: HashMap<(RouteIdx, Vec<usize>, Vec<Seconds>), usize> = HashMap::new();
    let mut patterns: Vec<Pattern> = Vec::new();
    for (i, trip) in t.trips().iter().enumerate() {
        let ti = TripIdx::from_idx(i);
        let mut pt = trip_calls(imp, ti, place_of, &mut counts);
        if pt.places.len() < 2 {
            warnings.push(Problem::warning(
                &imp.origins.trips.get(&trip.id).cloned().unwrap_or_default(),
                format!("trip_id {}", trip.id),
                "calls at fewer than two places where passengers may board or alight; left out"
                    .to_string(),
                "",
            ));
            continue;
        }
        let key_times = if trip.is_frequency() {
            shift_to_template(t, &mut pt)
        } else {
            pt.id = trip_ids.claim(&trip.id);
            Vec::new()
        };
        let key = (pt.route, pt.places.clone(), key_times);
        let pi = *keys.entry(key).or_insert_with(|| {
            patterns.push(Pattern {
                route: pt.route,
                frequency: trip.is_frequency(),
                trips: Vec::new(),
                id: String::new(),
            });
            patterns.len() - 1
        });
        pt.pattern = pi;
        patterns[pi].trips.push(ptrips.len());
        ptrips.push(pt);
    }
    call_warnings(&counts, warnings);
    Grouped {
        ptrips,
        patterns,
        trip_ids,
    }
}

/// The warnings about stop times changed into calls.
fn call_warnings(c: &CallCounts, warnings: &mut Vec<Problem>) {
    let any = |n: usize, what: &str, fix: &str, w: &mut Vec<Problem>| {
        if n > 0 {
            w.push(Problem::warning(
                &Origin {
                    file: "stop_times.txt".into(),
                    line: None,
                },
                "fields pickup_type, drop_off_type",
                format!("{n} {what}"),
                fix,
            ));
        }
    };
    any(
        c.passed,
        "stop time(s) with neither pickup nor drop-off are left out of their trips (the vehicle passes)",
        "",
        warnings,
    );
    any(
        c.one_way,
        "stop time(s) allow only boarding or only alighting: the network format does not carry this, both are allowed",
        "check the trips that pick up or set down only",
        warnings,
    );
    if c.merged > 0 {
        warnings.push(Problem::warning(
            &Origin {
                file: "stop_times.txt".into(),
                line: None,
            },
            "",
            format!("{} call(s) at the place just called at (another platform of the station, or the same stop twice) are merged into one call", c.merged),
            "",
        ));
    }
}

/// Patterns ordered by route, then first appearance, with ids route-1, route-2, ...; the
/// trips' pattern indices follow the new order.
fn name_patterns(
    t: &Timetable,
    mut patterns: Vec<Pattern>,
    ptrips: &mut [PTrip],
) -> (Vec<Pattern>, Ids) {
    let mut order: Vec<usize> = (0..patterns.len()).collect();
    order.sort_by_key(|&p| (patterns[p].route, p));
    let mut service_ids = Ids::default();
    let mut per_route: HashMap<RouteIdx, usize> = HashMap::new();
    for &p in &order {
        let n = per_route.entry(patterns[p].route).or_default();
        *n += 1;
        let r = t.route(patterns[p].route);
        patterns[p].id = service_ids.claim(&format!("{}-{n}", r.id));
    }
    let mut sorted: Vec<Pattern> = Vec::with_capacity(patterns.len());
    let mut new_index = vec![0; patterns.len()];
    let mut slots: Vec<Option<Pattern>> = patterns.into_iter().map(Some).collect();
    for (k, &p) in order.iter().enumerate() {
        new_index[p] = k;
        sorted.push(slots[p].take().expect("each pattern once"));
    }
    for pt in ptrips.iter_mut() {
        pt.pattern = new_index[pt.pattern];
    }
    (sorted, service_ids)
}

/// Links from the rows of `transfers.txt` between different places: a time given (type 2,
/// or 0 with a time) makes a `transfer` link of that time, a recommended transfer without time
/// a `walk` link timed by distance; rows between platforms of one place, and timed transfers
/// (0 s, which a link cannot have), are left out and counted in a warning. A pair given more
/// than once (both ways, several platforms) takes the longest time.
fn links(
    imp: &GtfsImport,
    places: &[Place],
    place_of: &[usize],
    desc: &HashMap<String, String>,
    warnings: &mut Vec<Problem>,
) -> Vec<Link> {
    let t = &imp.timetable;
    let mut links: Vec<Link> = Vec::new();
    let mut at: HashMap<(usize, usize, LinkKind), usize> = HashMap::new();
    let (mut within, mut timed) = (0, 0);
    for x in &imp.origins.transfers {
        let (a, b) = (place_of[x.from.idx()], place_of[x.to.idx()]);
        if a == b {
            within += 1;
            continue;
        }
        if x.seconds == Some(0) {
            timed += 1;
            continue;
        }
        let kind = if x.seconds.is_some() {
            LinkKind::Transfer
        } else {
            LinkKind::Walk
        };
        let mins = x.seconds.map(|s| minutes(s as f64));
        let key = (a.min(b), a.max(b), kind);
        let what = format!(
            "{} (from_stop_id {}, to_stop_id {}{})",
            source_of(desc, &x.origin),
            t.stop(x.from).id,
            t.stop(x.to).id,
            x.seconds
                .map(|s| format!(", min_transfer_time {s}"))
                .unwrap_or_default()
        );
        match at.get(&key) {
            Some(&li) => {
                let l = &mut links[li];
                if mins > l.minutes {
                    l.minutes = mins;
                }
                let _ = write!(l.source, "; the longest of this and {what}");
            }
            None => {
                at.insert(key, links.len());
                links.push(Link {
                    from: places[a].id.clone(),
                    to: places[b].id.clone(),
                    minutes: mins,
                    kind,
                    source: what,
                    origin: x.origin.clone(),
                });
            }
        }
    }
    if within + timed > 0 {
        warnings.push(Problem::warning(
            &Origin {
                file: "transfers.txt".into(),
                line: None,
            },
            "",
            format!("{within} transfer(s) within one place and {timed} timed transfer(s) of 0 s are not carried into links.csv (a link joins two places and takes some time)"),
            "",
        ));
    }
    links
}
