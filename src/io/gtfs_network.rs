//! GTFS feeds → a network folder in onehour's own format (`onehour import gtfs`).
//!
//! The feeds are read by [`crate::io::gtfs::import_gtfs`] (every problem with its file, line
//! and field); this module turns the timetable into the network model and its files:
//!
//! - **places**: GTFS stations (`location_type` 1) and stops without a parent station, each a
//!   station of the network with the GTFS `stop_id` as its id (made a valid id by
//!   [`sanitise_id`] where it is not one); platforms collapse onto their station;
//! - **services**: one per pattern, a route and its sequence of places (a frequency-based trip's
//!   template times are part of its pattern, since a band runs its service's times), running
//!   forward only; run and dwell times from the pattern's median trip by running time; the
//!   headway is the median gap between departures from the first stop from 07:00 to 09:00 on
//!   the feeds' busiest service date; the mode from `route_type` ([`mode_of_route_type`]);
//! - **trips** (`trips.csv`): every scheduled trip with its times as given; **bands**
//!   (`bands.csv`): every `frequencies.txt` row, `exact_times` kept; **calendars**
//!   (`calendars.csv`): `calendar.txt` and `calendar_dates.txt` in one row each;
//! - **links** (`links.csv`): `transfers.txt` rows between different places;
//! - every record's `source` names the feed file (and `feed_info.txt`'s version and dates when
//!   the feed has one), the file in it and the line.
//!
//! The network is validated in memory before anything is written, with the rules `validate`
//! applies to every network; problems name the feed's file and line. A strict import fails on
//! any error; a lenient one leaves out the trips at fault (and reports each as a warning).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::io::gtfs::{import_gtfs, FeedSummary, GtfsImport, GtfsOptions};
use crate::network::ids::Seconds;
use crate::network::load::{format_clock, format_weekdays};
use crate::network::model::{
    haversine_m, Band, BandDirection, Date, Directions, Link, LinkKind, Mode, Network, Origin,
    Place, PlaceKind, Service, ServiceCalendar, Settings, TimetableSettings, Trip, TripStop,
    ValidationSettings,
};
use crate::network::problem::{Problem, Problems, Severity};
use crate::network::timetable::{self as tt, access, CalendarIdx, Day, RouteIdx, TripIdx};
use crate::network::validate;

/// The window whose departures give each service's `headway_min`: 07:00 to 09:00.
pub const HEADWAY_WINDOW: (Seconds, Seconds) = (7 * 3600, 9 * 3600);

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct NetworkImportOptions {
    /// Leave out rows and trips with problems (each reported as a warning) instead of failing.
    pub lenient: bool,
}

/// A network made from GTFS feeds, with the files of its folder.
#[derive(Clone, Debug)]
pub struct NetworkImport {
    /// The network; its records' origins are the feed rows they came from.
    pub network: Network,
    /// The files of the network folder: name and contents.
    pub files: Vec<(String, Vec<u8>)>,
    /// What each feed brought in.
    pub feeds: Vec<FeedSummary>,
    /// Warnings, and under `lenient` the problems of what was left out.
    pub warnings: Vec<Problem>,
    /// The feeds' busiest service date and its number of departures.
    pub busiest: Option<(Day, usize)>,
    /// GTFS trips left out (lenient) because the network's validation rejects them.
    pub dropped_trips: usize,
    /// Ids that had to be changed to be valid network ids.
    pub renamed_ids: usize,
}

/// The network id for a GTFS id: ASCII letters lowercased, digits, `_` and `-` kept, every
/// other character written `_` (one per character); an empty id becomes `_`. Two GTFS ids that
/// give the same network id are told apart by `-2`, `-3`, ... in the order they are met.
pub fn sanitise_id(raw: &str) -> String {
    let s: String = raw
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '_' | '-' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    if s.is_empty() {
        "_".into()
    } else {
        s
    }
}

/// Unique network ids of one kind, claimed in order.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    renamed: usize,
}

impl Ids {
    fn claim(&mut self, raw: &str) -> String {
        let base = sanitise_id(raw);
        if base != raw {
            self.renamed += 1;
        }
        if self.used.insert(base.clone()) {
            return base;
        }
        self.renamed += usize::from(base == raw);
        (2..)
            .map(|k| format!("{base}-{k}"))
            .find(|c| self.used.insert(c.clone()))
            .unwrap_or(base)
    }
}

/// The onehour mode of a GTFS `route_type` (basic and extended types), `None` when there is
/// none: tram, cable tram, aerial lift, funicular (0, 5, 6, 7; 900–906, 1300–1307, 1400) →
/// tram; metro and monorail (1, 12; 400–405) → metro; rail (2) → conventional (or hsr, see
/// the import); bus, trolleybus, coach (3, 11; 200–209, 700–716, 800) → bus; high-speed rail
/// (101) → hsr; inter-regional, regional and suburban rail (103, 106, 109) → intercity; other
/// railway services (100–117) → conventional. Ferries, air, taxis and the rest have none.
pub fn mode_of_route_type(t: i16) -> Option<Mode> {
    Some(match t {
        0 | 5 | 6 | 7 | 900..=906 | 1300..=1307 | 1400 => Mode::Tram,
        1 | 12 | 400..=405 => Mode::Metro,
        2 => Mode::Conventional,
        3 | 11 | 200..=209 | 700..=716 | 800 => Mode::Bus,
        101 => Mode::Hsr,
        103 | 106 | 109 => Mode::Intercity,
        100..=117 => Mode::Conventional,
        _ => return None,
    })
}

/// A date of the network model from a timetable day.
fn date_of(d: Day) -> Date {
    let (year, month, day) = d.ymd();
    Date {
        year,
        month: month as u8,
        day: day as u8,
    }
}

/// Minutes with at most four decimals (a third of a millisecond short of exact seconds, so
/// that `minutes × 60` rounds back to the seconds given).
fn minutes(secs: f64) -> f64 {
    (secs / 60.0 * 10_000.0).round() / 10_000.0
}

/// A trip of the timetable as a sequence of places.
struct PTrip {
    ti: TripIdx,
    route: RouteIdx,
    calendar: CalendarIdx,
    /// Index into the network's places.
    places: Vec<usize>,
    arr: Vec<Seconds>,
    dep: Vec<Seconds>,
    /// The stop_times.txt row of each kept stop.
    rows: Vec<Origin>,
    /// Frequency bands, shifted to the first kept stop; empty for a scheduled trip.
    bands: Vec<tt::FrequencyBand>,
    band_rows: Vec<Origin>,
    pattern: usize,
    /// The network id of a scheduled trip.
    id: String,
}

impl PTrip {
    fn duration(&self) -> Seconds {
        self.arr[self.arr.len() - 1] - self.dep[0]
    }
    /// Departures from the first stop on a service day.
    fn departures(&self) -> Vec<Seconds> {
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
struct Pattern {
    route: RouteIdx,
    frequency: bool,
    trips: Vec<usize>,
    id: String,
}

/// Everything fixed before validation: places, trips as places, patterns, ids.
struct Prepared<'a> {
    imp: &'a GtfsImport,
    places: Vec<Place>,
    ptrips: Vec<PTrip>,
    patterns: Vec<Pattern>,
    cal_ids: Vec<String>,
    modes: Vec<(Mode, String)>,
    lines: Vec<String>,
    links: Vec<Link>,
    feed_desc: HashMap<String, String>,
    warnings: Vec<Problem>,
    renamed: usize,
}

/// Where a record came from, as a source: the feed file (with its feed_info), the file in it
/// and the line.
fn source_of(desc: &HashMap<String, String>, o: &Origin) -> String {
    let (feed, file) = o.file.split_once('/').unwrap_or(("", o.file.as_str()));
    let d = desc.get(feed).cloned().unwrap_or_else(|| feed.to_string());
    match o.line {
        Some(l) => format!("{d}, {file} line {l}"),
        None => format!("{d}, {file}"),
    }
}

fn feed_description(s: &FeedSummary) -> String {
    let mut d = format!("GTFS feed {}", s.file);
    if let Some(i) = &s.info {
        let mut parts = vec![format!("published by {}", i.publisher)];
        if let Some(v) = &i.version {
            parts.push(format!("version {v}"));
        }
        match (i.start, i.end) {
            (Some(a), Some(b)) => parts.push(format!("valid {a} to {b}")),
            (Some(a), None) => parts.push(format!("valid from {a}")),
            (None, Some(b)) => parts.push(format!("valid to {b}")),
            (None, None) => {}
        }
        let _ = write!(d, " (feed_info: {})", parts.join(", "));
    }
    d
}

fn prepare(imp: &GtfsImport) -> Prepared<'_> {
    let t = &imp.timetable;
    let o = &imp.origins;
    let mut warnings = Vec::new();
    let feed_desc: HashMap<String, String> = imp
        .feeds
        .iter()
        .map(|f| (f.name.clone(), feed_description(f)))
        .collect();
    let origin_or = |m: &HashMap<String, Origin>, id: &str, what: &str| {
        m.get(id).cloned().unwrap_or_else(|| Origin {
            file: what.to_string(),
            line: None,
        })
    };
    // Places: stations and stops without a parent, in file order.
    let mut place_ids = Ids::default();
    let mut places = Vec::new();
    let mut place_of = vec![usize::MAX; t.stops().len()];
    for s in t.places() {
        let st = t.stop(s);
        let origin = origin_or(&o.stops, &st.id, "stops.txt");
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
                source_of(&feed_desc, &origin),
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
    // Lines and modes of the routes.
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
    let modes: Vec<(Mode, String)> = t
        .routes()
        .iter()
        .map(|r| match mode_of_route_type(r.route_type) {
            Some(m) => (m, String::new()),
            None => {
                warnings.push(Problem::warning(
                    &origin_or(&o.routes, &r.id, "routes.txt"),
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
        .collect();
    // Calendar ids.
    let mut cal_ids = Ids::default();
    let cal_id: Vec<String> = t.calendars().iter().map(|c| cal_ids.claim(&c.id)).collect();
    // Trips as places.
    let (mut passed, mut one_way, mut merged) = (0usize, 0usize, 0usize);
    let mut trip_ids = Ids::default();
    let mut ptrips = Vec::new();
    let mut keys: HashMap<(RouteIdx, Vec<usize>, Vec<Seconds>), usize> = HashMap::new();
    let mut patterns: Vec<Pattern> = Vec::new();
    for (i, trip) in t.trips().iter().enumerate() {
        let ti = TripIdx::from_idx(i);
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
                passed += 1; // neither boarding nor alighting: the vehicle passes
                continue;
            }
            if acc[k] != access::BOTH {
                one_way += 1;
            }
            let p = place_of[s.idx()];
            let (a, d) = (t.arrivals(ti)[k], t.departures(ti)[k]);
            if pt.places.last() == Some(&p) {
                // Two platforms of one station in a row: one call.
                merged += 1;
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
        if pt.places.len() < 2 {
            warnings.push(Problem::warning(
                &o.trips.get(&trip.id).cloned().unwrap_or_default(),
                format!("trip_id {}", trip.id),
                "calls at fewer than two places where passengers may board or alight; left out"
                    .to_string(),
                "",
            ));
            continue;
        }
        let mut key_times = Vec::new();
        if trip.is_frequency() {
            let shift = pt.dep[0];
            for x in pt.arr.iter_mut().chain(pt.dep.iter_mut()) {
                *x = x.saturating_sub(shift);
            }
            pt.arr[0] = 0;
            pt.bands = t
                .bands(ti)
                .iter()
                .map(|b| tt::FrequencyBand {
                    start: b.start + shift,
                    end: b.end + shift,
                    ..*b
                })
                .collect();
            key_times = pt.arr.iter().chain(&pt.dep).copied().collect();
            key_times.push(1); // frequency patterns never share with scheduled ones
        } else {
            pt.id = trip_ids.claim(&trip.id);
        }
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
        passed,
        "stop time(s) with neither pickup nor drop-off are left out of their trips (the vehicle passes)",
        "",
        &mut warnings,
    );
    any(
        one_way,
        "stop time(s) allow only boarding or only alighting: the network format does not carry this, both are allowed",
        "check the trips that pick up or set down only",
        &mut warnings,
    );
    if merged > 0 {
        warnings.push(Problem::warning(
            &Origin {
                file: "stop_times.txt".into(),
                line: None,
            },
            "",
            format!("{merged} call(s) at the place just called at (another platform of the station, or the same stop twice) are merged into one call"),
            "",
        ));
    }
    // Patterns ordered by route, then first appearance; ids route-1, route-2, ...
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
    for pt in &mut ptrips {
        pt.pattern = new_index[pt.pattern];
    }
    let links = links(imp, &places, &place_of, &feed_desc, &mut warnings);
    Prepared {
        imp,
        links,
        renamed: place_ids.renamed + trip_ids.renamed + cal_ids.renamed + service_ids.renamed,
        places,
        ptrips,
        patterns: sorted,
        cal_ids: cal_id,
        modes,
        lines,
        feed_desc,
        warnings,
    }
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

/// The network built from the trips not in `dropped`, with where each service's figures came
/// from (its median trip).
struct Built {
    net: Network,
    /// Service id → (its trips, its median trip), indices into `ptrips`.
    services: HashMap<String, (Vec<usize>, usize)>,
    busiest: Option<(Day, usize)>,
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

fn build(p: &Prepared, dropped: &HashSet<usize>) -> Built {
    let imp = p.imp;
    let t = &imp.timetable;
    let o = &imp.origins;
    let live = |i: &usize| !dropped.contains(i);
    let src = |or: &Origin| source_of(&p.feed_desc, or);
    // The busiest service date: the most departures (a frequency trip counts each).
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
    let bounds = |c: &tt::Calendar| {
        let mut days: Vec<Day> = c.added.clone();
        if let Some((a, b)) = c.range {
            days.extend([a, b]);
        }
        (days.iter().min().copied(), days.iter().max().copied())
    };
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
    let mut net = Network {
        places: p.places.clone(),
        ..Network::default()
    };
    let mut services = HashMap::new();
    let mut used_cals: Vec<bool> = vec![false; t.calendars().len()];
    for pat in &p.patterns {
        let trips: Vec<usize> = pat.trips.iter().copied().filter(|i| live(i)).collect();
        if trips.is_empty() {
            continue;
        }
        let route = t.route(pat.route);
        let route_origin = o.routes.get(&route.id).cloned().unwrap_or_default();
        // The median trip by running time (ties: earlier first departure, then id).
        let mut by_time = trips.clone();
        by_time.sort_by(|&a, &b| {
            let (x, y) = (&p.ptrips[a], &p.ptrips[b]);
            (x.duration(), x.dep[0], &t.trip(x.ti).id).cmp(&(
                y.duration(),
                y.dep[0],
                &t.trip(y.ti).id,
            ))
        });
        let mi = by_time[(by_time.len() - 1) / 2];
        let m = &p.ptrips[mi];
        let n = m.places.len();
        let place = |k: usize| &p.places[m.places[k]];
        let dist = |k: usize| {
            let (a, b) = (place(k - 1), place(k));
            haversine_m(a.lon, a.lat, b.lon, b.lat)
        };
        // Run times; hops timed to the same minute as the stop before share the time of the
        // next timed hop (or the one before, at the end) by straight-line distance.
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
        let dwell: Vec<f64> = (0..n).map(|k| (m.dep[k] - m.arr[k]) as f64).collect();
        let mut inner: Vec<f64> = dwell[1..n - 1].to_vec();
        inner.sort_by(f64::total_cmp);
        let dwell_default = if inner.is_empty() {
            0.0
        } else {
            median(&inner)
        };
        // Headway.
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
        let headway_s = headway_s.min(86_400.0);
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
        // Mode: rail (route_type 2) whose median trip runs faster than conventional rail's
        // plausible 200 km/h over a hop of 1.5 km or more is high-speed rail.
        let (mut mode, mut mode_note) = p.modes[pat.route.idx()].clone();
        if route.route_type == 2 {
            let fastest = (1..n)
                .filter(|&k| dist(k) >= validate::SHORT_HOP_KM * 1000.0 && m.arr[k] > m.dep[k - 1])
                .map(|k| dist(k) / 1000.0 / ((m.arr[k] - m.dep[k - 1]) as f64 / 3600.0))
                .fold(0.0, f64::max);
            if fastest > Mode::Conventional.plausible_kmh().1 {
                mode = Mode::Hsr;
                mode_note = format!("mode hsr: route_type 2 (rail) whose median trip runs at up to {fastest:.0} km/h");
            }
        }
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
                "bands run these run and dwell times, the template of its frequencies.txt trips"
                    .into(),
            );
        }
        let stops = (0..n)
            .map(|k| crate::network::model::Stop {
                at: p.places[m.places[k]].id.clone(),
                run_min: (k > 0).then(|| minutes(run[k])),
                km: None,
                dwell_min: (k > 0 && k + 1 < n && dwell[k] != dwell_default)
                    .then(|| minutes(dwell[k])),
            })
            .collect();
        let kind = if pat.frequency {
            "frequency-based trip(s)"
        } else {
            "trip(s)"
        };
        net.services.push(Service {
            id: pat.id.clone(),
            line: p.lines[pat.route.idx()].clone(),
            line_zh: String::new(),
            mode,
            headway_min: minutes(headway_s).max(0.0001),
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
        });
        services.insert(pat.id.clone(), (trips.clone(), mi));
        // Its trips or bands.
        for &i in &trips {
            let pt = &p.ptrips[i];
            used_cals[pt.calendar.idx()] = true;
            let gtfs_id = &t.trip(pt.ti).id;
            let calendar = p.cal_ids[pt.calendar.idx()].clone();
            if pt.bands.is_empty() {
                let (a, b) = (pt.rows.first(), pt.rows.iter().filter_map(|r| r.line).max());
                net.trips.push(Trip {
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
                    net.bands.push(Band {
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
    // Calendars in use.
    for (c, cal) in t.calendars().iter().enumerate() {
        if !used_cals[c] {
            continue;
        }
        let origin = o.calendars.get(&cal.id).cloned().unwrap_or_default();
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
        net.calendars.push(ServiceCalendar {
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
    net.links = p.links.clone();
    Built {
        net,
        services,
        busiest,
    }
}

/// The network's settings and manifest values, for `net` made from `feeds`.
fn finish(net: &mut Network, feeds: &[FeedSummary], busiest: Option<(Day, usize)>) {
    let names: Vec<String> = feeds.iter().map(|f| sanitise_id(&f.name)).collect();
    net.name = names.join("-");
    net.title = format!(
        "GTFS import of {}",
        feeds
            .iter()
            .map(|f| f.file.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let (mut x0, mut y0, mut x1, mut y1) = (180.0f64, 90.0f64, -180.0f64, -90.0f64);
    for p in &net.places {
        x0 = x0.min(p.lon);
        x1 = x1.max(p.lon);
        y0 = y0.min(p.lat);
        y1 = y1.max(p.lat);
    }
    if x0 > x1 {
        (x0, y0, x1, y1) = (-1.0, -1.0, 1.0, 1.0);
    }
    // A margin of 5 % of the extent, at least 0.01° (about a kilometre), rounded outward.
    let mx = ((x1 - x0) * 0.05).max(0.01);
    let my = ((y1 - y0) * 0.05).max(0.01);
    let down = |v: f64| (v * 1000.0).floor() / 1000.0;
    let up = |v: f64| (v * 1000.0).ceil() / 1000.0;
    net.bbox = [
        down(x0 - mx).max(-180.0),
        down(y0 - my).max(-90.0),
        up(x1 + mx).min(180.0),
        up(y1 + my).min(90.0),
    ];
    net.valid_on = busiest.map(|(d, _)| date_of(d));
    let publisher = feeds
        .iter()
        .filter_map(|f| f.info.as_ref().map(|i| i.publisher_url.clone()))
        .chain(feeds.iter().filter_map(|f| f.agency_url.clone()))
        .find(|u| u.starts_with("http://") || u.starts_with("https://"));
    net.settings = Settings {
        timetable: TimetableSettings {
            timezone: feeds.iter().find_map(|f| f.timezone.clone()),
            publisher_url: publisher,
            ..TimetableSettings::default()
        },
        validation: ValidationSettings {
            station_separation_m: 0.0,
        },
        ..Settings::default()
    };
}

/// Problems about a trip name it by its GTFS `trip_id` too (their origin is its feed row).
fn name_gtfs_trips(p: &Prepared, problems: &mut [Problem]) {
    let gtfs: HashMap<&str, &str> = p
        .ptrips
        .iter()
        .filter(|pt| !pt.id.is_empty())
        .map(|pt| (pt.id.as_str(), p.imp.timetable.trip(pt.ti).id.as_str()))
        .collect();
    for e in problems.iter_mut() {
        if let Some(id) = e.record.strip_prefix("trip ") {
            if let Some(g) = gtfs.get(id).filter(|g| **g != id) {
                e.record = format!("trip {id} (trip_id {g})");
            }
        }
    }
}

/// The trips of `p` that validation `problems` blame, and whether every error could be
/// blamed on some.
fn blame(
    p: &Prepared,
    b: &Built,
    problems: &[Problem],
    round: usize,
    dropped: &mut HashSet<usize>,
) -> bool {
    let trip_of: HashMap<&str, usize> = p
        .ptrips
        .iter()
        .enumerate()
        .filter(|(_, pt)| !pt.id.is_empty())
        .map(|(i, pt)| (pt.id.as_str(), i))
        .collect();
    let mut all = true;
    for e in problems.iter().filter(|e| e.is_error()) {
        let service = |s: &str| s.split([',', ' ']).next().unwrap_or("").to_string();
        if let Some(id) = e.record.strip_prefix("trip ") {
            let id = id.split(' ').next().unwrap_or(id);
            match trip_of.get(id) {
                Some(&i) => {
                    dropped.insert(i);
                }
                None => all = false,
            }
        } else if let Some(rest) = e.record.strip_prefix("service ") {
            match b.services.get(&service(rest)) {
                // First the median trip its figures came from, then (after two rounds) all.
                Some((_, median)) if round < 2 => {
                    dropped.insert(*median);
                }
                Some((trips, _)) => dropped.extend(trips),
                None => all = false,
            }
        } else if let Some(rest) = e.record.strip_prefix("band of ") {
            match b.services.get(&service(rest)) {
                Some((trips, _)) => dropped.extend(trips),
                None => all = false,
            }
        } else {
            all = false;
        }
    }
    all
}

/// Imports GTFS feeds (zip files or folders) into a network of onehour's own format. Every
/// problem names the feed's file and line; any error fails the import unless
/// `opts.lenient`, which leaves out what is at fault and reports it as warnings.
pub fn import_network(
    paths: &[PathBuf],
    opts: &NetworkImportOptions,
) -> Result<NetworkImport, Problems> {
    let imp = import_gtfs(
        paths,
        &GtfsOptions {
            lenient: opts.lenient,
            ..GtfsOptions::default()
        },
    )?;
    let prep = prepare(&imp);
    let mut dropped: HashSet<usize> = HashSet::new();
    let mut left_out: Vec<Problem> = Vec::new();
    let mut round = 0;
    let (built, problems) = loop {
        let mut built = build(&prep, &dropped);
        finish(&mut built.net, &imp.feeds, built.busiest);
        let mut problems = validate::validate(&built.net);
        problems.extend(validate::check_settings(&built.net.settings, &|_, _| {
            Origin {
                file: "network.toml".into(),
                line: None,
            }
        }));
        problems.extend(validate::check_bbox(built.net.bbox, &Origin::default()));
        if !problems.iter().any(Problem::is_error) {
            break (built, problems);
        }
        name_gtfs_trips(&prep, &mut problems);
        let feeds = Origin {
            file: imp
                .feeds
                .iter()
                .map(|f| f.file.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            line: None,
        };
        if !opts.lenient {
            let mut all = imp.warnings.clone();
            all.extend(prep.warnings.iter().cloned());
            all.extend(problems);
            all.push(Problem::error(
                &feeds,
                "",
                "the network made from the feeds does not pass validation",
                "correct the feeds, or import with --lenient to leave out the trips at fault",
            ));
            return Err(Problems(all));
        }
        let before = dropped.len();
        let blamed = blame(&prep, &built, &problems, round, &mut dropped);
        for e in problems.iter().filter(|e| e.is_error()) {
            left_out.push(Problem {
                severity: Severity::Warning,
                message: format!("{}; its trip left out (--lenient)", e.message),
                ..e.clone()
            });
        }
        if !blamed || dropped.len() == before || round > 50 {
            let mut all = left_out;
            all.extend(problems);
            return Err(Problems(all));
        }
        round += 1;
    };
    if built.net.services.is_empty() {
        return Err(Problems(vec![Problem::error(
            &Origin {
                file: imp
                    .feeds
                    .iter()
                    .map(|f| f.file.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                line: None,
            },
            "",
            "the feeds hold no trip that the network can carry",
            "import feeds with trips (trips.txt and stop_times.txt)",
        )]));
    }
    let mut warnings = imp.warnings.clone();
    warnings.extend(prep.warnings.iter().cloned());
    warnings.extend(left_out);
    warnings.extend(problems);
    let files = network_files(&built.net, &imp.feeds);
    Ok(NetworkImport {
        files,
        feeds: imp.feeds.clone(),
        warnings,
        busiest: built.busiest,
        dropped_trips: dropped.len(),
        renamed_ids: prep.renamed,
        network: built.net,
    })
}

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

fn num(x: f64) -> String {
    format!("{x}")
}

/// The files of a network folder for `net` (places are stations only, as an import makes
/// them): `network.toml`, `stations.csv`, `services.toml`, `calendars.csv`, and `trips.csv`,
/// `bands.csv` and `links.csv` when there is something to put in them.
pub fn network_files(net: &Network, feeds: &[FeedSummary]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let stations = csv_bytes(
        &[
            "id",
            "name",
            "name_zh",
            "city",
            "district",
            "lon",
            "lat",
            "interchange_min",
            "source",
        ],
        net.places.iter().map(|p| {
            vec![
                p.id.clone(),
                p.name.clone(),
                p.name_zh.clone(),
                p.city.clone(),
                p.district.clone(),
                num(p.lon),
                num(p.lat),
                num(p.interchange_min),
                p.source.clone(),
            ]
        }),
    );
    let mut services = String::from(
        "# Services imported from GTFS by `onehour import gtfs`: one per pattern (a route and its\n\
         # sequence of places), run and dwell times from the pattern's median trip by running time,\n\
         # headway_min the median gap between departures from the first stop from 07:00 to 09:00 on\n\
         # the feeds' busiest service date (each service's headway_source says which).\n",
    );
    for s in &net.services {
        services.push_str("\n[[service]]\n");
        let kv = |out: &mut String, k: &str, v: String| {
            let _ = writeln!(out, "{k} = {v}");
        };
        kv(&mut services, "id", toml_str(&s.id));
        kv(&mut services, "line", toml_str(&s.line));
        kv(&mut services, "mode", toml_str(s.mode.as_str()));
        kv(&mut services, "headway_min", num(s.headway_min));
        kv(&mut services, "dwell_min", num(s.dwell_min));
        kv(&mut services, "opened", toml_str(&s.opened.to_string()));
        kv(&mut services, "directions", toml_str("forward"));
        kv(&mut services, "source", toml_str(&s.source));
        kv(&mut services, "headway_source", toml_str(&s.headway_source));
        kv(&mut services, "opened_source", toml_str(&s.opened_source));
        if !s.estimate.is_empty() {
            kv(&mut services, "estimate", toml_str(&s.estimate));
        }
        services.push_str("stops = [\n");
        for st in &s.stops {
            let mut parts = vec![format!("at = {}", toml_str(&st.at))];
            if let Some(r) = st.run_min {
                parts.push(format!("run_min = {}", num(r)));
            }
            if let Some(d) = st.dwell_min {
                parts.push(format!("dwell_min = {}", num(d)));
            }
            let _ = writeln!(services, "  {{ {} }},", parts.join(", "));
        }
        services.push_str("]\n");
    }
    let dates = |v: &[Date]| v.iter().map(Date::to_string).collect::<Vec<_>>().join(" ");
    let calendars = csv_bytes(
        &["id", "days", "start", "end", "added", "removed", "source"],
        net.calendars.iter().map(|c| {
            vec![
                c.id.clone(),
                format_weekdays(&c.weekdays),
                c.start.to_string(),
                c.end.to_string(),
                dates(&c.added),
                dates(&c.removed),
                c.source.clone(),
            ]
        }),
    );
    let trips = csv_bytes(
        &[
            "service", "trip", "calendar", "stop", "arrive", "depart", "source",
        ],
        net.trips.iter().flat_map(|t| {
            t.stops.iter().enumerate().map(move |(k, s)| {
                vec![
                    t.service.clone(),
                    t.id.clone(),
                    t.calendar.clone(),
                    s.at.clone(),
                    format_clock(s.arrive),
                    format_clock(s.depart),
                    if k == 0 {
                        t.source.clone()
                    } else {
                        String::new()
                    },
                ]
            })
        }),
    );
    let bands = csv_bytes(
        &[
            "service",
            "calendar",
            "direction",
            "start",
            "end",
            "headway_min",
            "exact",
            "source",
        ],
        net.bands.iter().map(|b| {
            vec![
                b.service.clone(),
                b.calendar.clone(),
                "forward".into(),
                format_clock(b.start),
                format_clock(b.end),
                num(minutes(b.headway_s as f64)),
                b.exact.to_string(),
                b.source.clone(),
            ]
        }),
    );
    let links = csv_bytes(
        &["from", "to", "minutes", "kind", "source"],
        net.links.iter().map(|l| {
            vec![
                l.from.clone(),
                l.to.clone(),
                l.minutes.map(num).unwrap_or_default(),
                l.kind.as_str().into(),
                l.source.clone(),
            ]
        }),
    );
    // The manifest.
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# A network imported from GTFS by `onehour import gtfs` (docs/timetables.md, \"GTFS import\")."
    );
    for f in feeds {
        let _ = writeln!(m, "# {}", feed_description(f));
    }
    let _ = writeln!(m, "# No centres, zones or roads: `matrix` and `route` take station ids; add centres.csv for `check`.");
    let _ = writeln!(m, "name = {}", toml_str(&net.name));
    let _ = writeln!(m, "title = {}", toml_str(&net.title));
    let _ = writeln!(
        m,
        "# The stops' extent with a margin of 5 % (at least 0.01°)."
    );
    let b = net.bbox;
    let _ = writeln!(m, "bbox = [{}, {}, {}, {}]", b[0], b[1], b[2], b[3]);
    if let Some(d) = net.valid_on {
        let _ = writeln!(
            m,
            "# The feeds' busiest service date (the most departures); its departures from 07:00 to\n# 09:00 give each service's headway_min."
        );
        let _ = writeln!(m, "valid_on = \"{d}\"");
    }
    let mut list = |key: &str, file: &str, bytes: Vec<u8>, has: bool| {
        if has {
            let _ = writeln!(m, "{key} = [\"{file}\"]");
            files.push((file.to_string(), bytes));
        }
    };
    list("stations", "stations.csv", stations, !net.places.is_empty());
    list(
        "services",
        "services.toml",
        services.into_bytes(),
        !net.services.is_empty(),
    );
    list(
        "calendars",
        "calendars.csv",
        calendars,
        !net.calendars.is_empty(),
    );
    list("trips", "trips.csv", trips, !net.trips.is_empty());
    list("bands", "bands.csv", bands, !net.bands.is_empty());
    list("links", "links.csv", links, !net.links.is_empty());
    let tt = &net.settings.timetable;
    m.push_str("\n[timetable]\n# Every imported service has trips or bands: these hours apply only to services added later\n# without them.\n");
    let _ = writeln!(m, "default_start = {}", toml_str(&tt.default_start));
    let _ = writeln!(m, "default_end = {}", toml_str(&tt.default_end));
    if let Some(z) = &tt.timezone {
        let _ = writeln!(
            m,
            "timezone = {}  # agency.txt agency_timezone",
            toml_str(z)
        );
    }
    if let Some(u) = &tt.publisher_url {
        let _ = writeln!(
            m,
            "publisher_url = {}  # feed_info.txt feed_publisher_url, else agency.txt agency_url",
            toml_str(u)
        );
    }
    m.push_str("\n[validation]\n# GTFS stops of one operator on either side of a street are distinct places, often a few metres\n# apart with different names: the check for differently named stations closer than 50 m is off.\n");
    let _ = writeln!(
        m,
        "station_separation_m = {}",
        num(net.settings.validation.station_separation_m)
    );
    if let Some(st) = &net.streets {
        m.push_str("\n[streets]\n# The OpenStreetMap extract of the area (© OpenStreetMap contributors, ODbL 1.0): walking\n# between stops within [walking] radius_m follows its streets (links.csv rows whose source\n# names it; pairs where a stop did not snap keep the straight-line model). See\n# docs/network-format.md, \"Streets\".\n");
        let _ = writeln!(m, "osm = {}", toml_str(&st.osm));
    }
    files.insert(0, ("network.toml".to_string(), m.into_bytes()));
    files
}
