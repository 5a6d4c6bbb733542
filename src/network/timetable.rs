//! A compact timetable: stops, routes, calendars, trip patterns and trips as flat arrays with
//! typed indices, built once by `TimetableBuilder` (which checks every input record and names
//! where it came from) and immutable afterwards.
//!
//! Glossary (the GTFS words, as nigiri and R5 use them):
//! - a *stop* is where vehicles stop (a GTFS stop or platform, `location_type` 0) or a
//!   *station* grouping platforms (`location_type` 1, no vehicle stops at it directly). A stop
//!   may hang under a station (`parent`); *places* are the stations and the stops without one.
//! - a *route* is a line as the public knows it (GTFS `routes.txt`).
//! - a *pattern* is one stop sequence of one route, with where boarding and alighting are
//!   allowed; every trip runs one pattern. Trips of a pattern are stored together, sorted by
//!   their first departure.
//! - a *trip* is one run of a vehicle along its pattern: either *scheduled* (its own arrival
//!   and departure at every stop) or *frequency-based* (a template of offsets from its first
//!   departure, run at every headway within one or more *bands*, GTFS `frequencies.txt`).
//! - a *calendar* (GTFS `service_id`) says on which dates a trip runs: weekdays within a date
//!   range, plus dates added and removed.
//! - a *service day* is the date a trip belongs to; its times are seconds since that day's
//!   midnight (noon minus 12 h, as GTFS says) and may pass 24:00 (a trip leaving at 25:10 runs
//!   at 01:10 on the next calendar day).
//! - a *footpath* is a walk from one stop to another with its duration; the *minimum change
//!   time* of a stop is the time needed to change vehicles without leaving it.
//!
//! Layout, in the way of nigiri's `timetable.h`: `pattern → its stops` is a span of
//! `pattern_stops`; `pattern → its trips` a span of `trips` (trips are ordered by pattern,
//! then first departure); `trip → its times` a span of `arrivals`/`departures`, one entry per
//! pattern stop; `stop → footpaths out of it` a CSR span of `footpaths`.

use std::collections::HashMap;
use std::fmt;

use crate::network::ids::{id_type, Seconds};
use crate::network::model::Origin;
use crate::network::problem::{Problem, Problems};

id_type!(
    /// Index of a stop or station in `Timetable::stops`.
    StopIdx, "stop#"
);
id_type!(
    /// Index of a route (a line as the public knows it) in `Timetable::routes`.
    RouteIdx, "route#"
);
id_type!(
    /// Index of a trip pattern (one stop sequence of one route) in `Timetable::patterns`.
    PatternIdx, "pattern#"
);
id_type!(
    /// Index of a trip in `Timetable::trips`; the trips of one pattern are consecutive.
    TripIdx, "trip#"
);
id_type!(
    /// Index of a calendar (a GTFS `service_id`) in `Timetable::calendars`.
    CalendarIdx, "calendar#"
);

/// Seconds in a day; service-day times may exceed it.
pub const DAY: Seconds = 86_400;

/// A contiguous run `start .. start + len` of some flat array.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// Index of the first element.
    pub start: u32,
    /// Number of elements.
    pub len: u32,
}

impl Span {
    /// The span as a range of indices, for slicing its array.
    #[inline(always)]
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// A calendar date as a day number, days since 1970-01-01 (so that date ranges are integer
/// ranges and a weekday is a remainder).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    /// The day of a proleptic Gregorian date, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year } as i64;
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day((era * 146_097 + doe - 719_468) as i32))
    }

    /// Year, month (1..=12) and day of month.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400) as i32 + i32::from(m <= 2);
        (y, m, d)
    }

    /// Day of the week, 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u8 {
        (self.0 as i64 + 3).rem_euclid(7) as u8
    }

    /// Parses `YYYY-MM-DD` or GTFS's `YYYYMMDD`.
    pub fn parse(s: &str) -> Option<Day> {
        let s = s.trim();
        let (y, m, d) = match s.len() {
            8 if s.bytes().all(|b| b.is_ascii_digit()) => (&s[0..4], &s[4..6], &s[6..8]),
            10 if &s[4..5] == "-" && &s[7..8] == "-" => (&s[0..4], &s[5..7], &s[8..10]),
            _ => return None,
        };
        Day::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// The day after.
    pub fn next(self) -> Day {
        Day(self.0 + 1)
    }

    /// The day before.
    pub fn prev(self) -> Day {
        Day(self.0 - 1)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Formats seconds since a service day's midnight as `HH:MM:SS`; hours may pass 24.
pub fn clock(s: Seconds) -> String {
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Parses `HH:MM` or `HH:MM:SS` (hours may pass 24) into seconds since midnight.
pub fn parse_clock(s: &str) -> Option<Seconds> {
    let mut parts = s.trim().split(':');
    let h: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let sec: u32 = match parts.next() {
        Some(x) => x.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() || m > 59 || sec > 59 || h > 200 {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

/// What a stop is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopKind {
    /// Where vehicles stop: a GTFS stop, or a platform when it has a parent station.
    Stop,
    /// A station grouping platforms; no trip stops at it directly.
    Station,
}

/// A stop or station.
#[derive(Clone, Debug, PartialEq)]
pub struct Stop {
    /// External id (the GTFS `stop_id`, prefixed by its feed if ids collide across feeds).
    pub id: String,
    /// Name as the public knows it (GTFS `stop_name`; the GTFS import uses the id when it is
    /// empty).
    pub name: String,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    /// A stop where vehicles stop, or a station grouping them.
    pub kind: StopKind,
    /// The station a platform belongs to.
    pub parent: Option<StopIdx>,
}

/// A route: a line as the public knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// External id (the GTFS `route_id`, prefixed by its feed if ids collide across feeds).
    pub id: String,
    /// Short name (GTFS `route_short_name`, e.g. `"3"`), possibly empty.
    pub short_name: String,
    /// Long name (GTFS `route_long_name`), possibly empty.
    pub long_name: String,
    /// The operator's name.
    pub agency: String,
    /// GTFS `route_type` (0 tram, 1 metro, 2 rail, 3 bus, 4 ferry, … or an extended type).
    pub route_type: i16,
}

/// On which dates trips run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    /// External id (the GTFS `service_id`, prefixed by its feed if ids collide across feeds).
    pub id: String,
    /// Bit `d` set = runs on weekday `d` (0 = Monday .. 6 = Sunday) within `range`.
    pub weekdays: u8,
    /// First and last day (inclusive) of the weekly pattern; `None` for a calendar given by
    /// added dates only.
    pub range: Option<(Day, Day)>,
    /// Dates added to the weekly pattern (GTFS `calendar_dates` exception 1), sorted.
    pub added: Vec<Day>,
    /// Dates removed from it (exception 2), sorted; a date both added and removed is removed.
    pub removed: Vec<Day>,
}

impl Calendar {
    /// Whether trips of this calendar run on service day `day`.
    pub fn runs_on(&self, day: Day) -> bool {
        if self.removed.binary_search(&day).is_ok() {
            return false;
        }
        if self.added.binary_search(&day).is_ok() {
            return true;
        }
        match self.range {
            Some((a, b)) => a <= day && day <= b && self.weekdays & (1 << day.weekday()) != 0,
            None => false,
        }
    }
}

/// Boarding and alighting flags of one pattern stop.
pub mod access {
    /// Passengers may board here (GTFS `pickup_type` not 1).
    pub const BOARD: u8 = 1;
    /// Passengers may alight here (GTFS `drop_off_type` not 1).
    pub const ALIGHT: u8 = 2;
    /// Passengers may board and alight here (the usual case).
    pub const BOTH: u8 = BOARD | ALIGHT;
}

/// A trip pattern: one stop sequence of one route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// The route whose trips run it.
    pub route: RouteIdx,
    /// Its stops in `Timetable::pattern_stops` (and flags in `pattern_access`).
    pub stops: Span,
    /// Its trips, ordered by first departure.
    pub trips: Span,
}

/// One band of a frequency-based trip: departures from `start` (inclusive) to `end`
/// (exclusive) every `headway`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrequencyBand {
    /// First departure of the band, seconds since the service day's midnight.
    pub start: Seconds,
    /// End of the band (exclusive): no departure at or after it.
    pub end: Seconds,
    /// Seconds between departures (above 0).
    pub headway: Seconds,
    /// GTFS `exact_times` 1: departures exactly at `start + n * headway`. Otherwise the
    /// vehicles keep the headway but their times are not known, and searches draw them.
    pub exact: bool,
}

/// A trip.
#[derive(Clone, Debug, PartialEq)]
pub struct Trip {
    /// External id (the GTFS `trip_id`, prefixed by its feed if ids collide across feeds).
    pub id: String,
    /// Its route.
    pub route: RouteIdx,
    /// The pattern it runs.
    pub pattern: PatternIdx,
    /// The dates it runs on.
    pub calendar: CalendarIdx,
    /// Index of its first stop's times in `arrivals`/`departures`.
    pub times: u32,
    /// Its frequency bands in `Timetable::bands`; empty for a scheduled trip. The times of a
    /// frequency-based trip are offsets from its first departure (so the first departure is 0).
    pub bands: Span,
    /// A stable key for drawing the departures of a frequency-based trip (a hash of its id),
    /// so that the same trip gets the same draws in every scenario, whatever else changes.
    pub draw_key: u64,
}

impl Trip {
    /// Whether it is frequency-based (runs at a headway within bands) rather than scheduled.
    pub fn is_frequency(&self) -> bool {
        self.bands.len > 0
    }
}

/// A walk from one stop to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footpath {
    /// The stop it leads to.
    pub to: StopIdx,
    /// Seconds to walk it.
    pub duration: Seconds,
}

/// The timetable. Built by `TimetableBuilder::build`, which checks it; immutable afterwards.
#[derive(Clone, Debug, Default)]
pub struct Timetable {
    stops: Vec<Stop>,
    routes: Vec<Route>,
    calendars: Vec<Calendar>,
    patterns: Vec<Pattern>,
    /// pattern → its stops.
    pattern_stops: Vec<StopIdx>,
    /// pattern → boarding/alighting flags per stop (`access::*`).
    pattern_access: Vec<u8>,
    /// Ordered by (pattern, first departure, id).
    trips: Vec<Trip>,
    /// trip → its times, one per pattern stop.
    arrivals: Vec<Seconds>,
    departures: Vec<Seconds>,
    bands: Vec<FrequencyBand>,
    /// stop → minimum change time between two vehicles at that stop.
    min_change: Vec<Seconds>,
    /// stop → its footpaths (CSR: `footpath_first` has one entry per stop plus one).
    footpath_first: Vec<u32>,
    footpaths: Vec<Footpath>,
    stop_ids: HashMap<String, StopIdx>,
    trip_ids: HashMap<String, TripIdx>,
}

impl Timetable {
    /// All stops and stations, by index.
    pub fn stops(&self) -> &[Stop] {
        &self.stops
    }
    /// Stop or station `s`.
    pub fn stop(&self, s: StopIdx) -> &Stop {
        &self.stops[s.idx()]
    }
    /// The stop or station with external id `id`.
    pub fn stop_by_id(&self, id: &str) -> Option<StopIdx> {
        self.stop_ids.get(id).copied()
    }
    /// Stations and stops without a parent station: what a user would call a place.
    pub fn places(&self) -> impl Iterator<Item = StopIdx> + '_ {
        self.stops
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == StopKind::Station || s.parent.is_none())
            .map(|(i, _)| StopIdx::from_idx(i))
    }
    /// All routes, by index.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }
    /// Route `r`.
    pub fn route(&self, r: RouteIdx) -> &Route {
        &self.routes[r.idx()]
    }
    /// All calendars, by index.
    pub fn calendars(&self) -> &[Calendar] {
        &self.calendars
    }
    /// Calendar `c`.
    pub fn calendar(&self, c: CalendarIdx) -> &Calendar {
        &self.calendars[c.idx()]
    }
    /// All patterns, by index (in order of their first trip in the input).
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }
    /// Pattern `p`.
    pub fn pattern(&self, p: PatternIdx) -> &Pattern {
        &self.patterns[p.idx()]
    }
    /// The stops of pattern `p`, in order (never stations).
    pub fn pattern_stops(&self, p: PatternIdx) -> &[StopIdx] {
        &self.pattern_stops[self.patterns[p.idx()].stops.range()]
    }
    /// The boarding and alighting flags (`access::*`) of each stop of pattern `p`.
    pub fn pattern_access(&self, p: PatternIdx) -> &[u8] {
        &self.pattern_access[self.patterns[p.idx()].stops.range()]
    }
    /// All trips, by index: ordered by pattern, then first departure, then id.
    pub fn trips(&self) -> &[Trip] {
        &self.trips
    }
    /// Trip `t`.
    pub fn trip(&self, t: TripIdx) -> &Trip {
        &self.trips[t.idx()]
    }
    /// The trip with external id `id`.
    pub fn trip_by_id(&self, id: &str) -> Option<TripIdx> {
        self.trip_ids.get(id).copied()
    }
    fn trip_times(&self, t: TripIdx) -> std::ops::Range<usize> {
        let trip = &self.trips[t.idx()];
        let n = self.patterns[trip.pattern.idx()].stops.len as usize;
        trip.times as usize..trip.times as usize + n
    }
    /// Arrival at each stop of the trip's pattern (offsets for a frequency-based trip).
    pub fn arrivals(&self, t: TripIdx) -> &[Seconds] {
        &self.arrivals[self.trip_times(t)]
    }
    /// Departure from each stop of the trip's pattern (offsets for a frequency-based trip).
    pub fn departures(&self, t: TripIdx) -> &[Seconds] {
        &self.departures[self.trip_times(t)]
    }
    /// The frequency bands of trip `t` (empty for a scheduled trip).
    pub fn bands(&self, t: TripIdx) -> &[FrequencyBand] {
        &self.bands[self.trips[t.idx()].bands.range()]
    }
    /// Number of (trip, stop) time entries, scheduled and template.
    pub fn num_stop_times(&self) -> usize {
        self.arrivals.len()
    }
    /// The minimum change time at stop `s`: seconds needed to leave one vehicle and board
    /// another there (0 unless a transfer from the stop to itself gives one).
    pub fn min_change(&self, s: StopIdx) -> Seconds {
        self.min_change[s.idx()]
    }
    /// The footpaths leaving stop `s`, sorted by destination.
    pub fn footpaths(&self, s: StopIdx) -> &[Footpath] {
        let a = self.footpath_first[s.idx()] as usize;
        let b = self.footpath_first[s.idx() + 1] as usize;
        &self.footpaths[a..b]
    }
    /// Number of footpaths, all stops together.
    pub fn num_footpaths(&self) -> usize {
        self.footpaths.len()
    }
    /// Which calendars run on service day `day`, by calendar index.
    pub fn calendars_on(&self, day: Day) -> Vec<bool> {
        self.calendars.iter().map(|c| c.runs_on(day)).collect()
    }
    /// Whether trip `t` runs on service day `day`.
    pub fn trip_runs_on(&self, t: TripIdx, day: Day) -> bool {
        self.calendars[self.trips[t.idx()].calendar.idx()].runs_on(day)
    }
    /// The trips that run on service day `day`.
    pub fn trips_on(&self, day: Day) -> Vec<TripIdx> {
        let on = self.calendars_on(day);
        (0..self.trips.len())
            .map(TripIdx::from_idx)
            .filter(|&t| on[self.trips[t.idx()].calendar.idx()])
            .collect()
    }

    /// Checks every invariant of the layout and returns a problem per broken one (none for a
    /// timetable made by `TimetableBuilder::build`, which runs this in debug builds and tests).
    pub fn check(&self) -> Vec<Problem> {
        let origin = Origin {
            file: "timetable".into(),
            line: None,
        };
        let mut out = Vec::new();
        let mut bad = |record: String, message: String| {
            out.push(Problem::error(
                &origin,
                record,
                message,
                "a bug in the builder",
            ))
        };
        let ns = self.stops.len();
        for (i, s) in self.stops.iter().enumerate() {
            if let Some(p) = s.parent {
                if p.idx() >= ns || self.stops[p.idx()].kind != StopKind::Station {
                    bad(
                        format!("stop {}", s.id),
                        format!("parent {p} is not a station"),
                    );
                }
            }
            if self.stop_ids.get(&s.id) != Some(&StopIdx::from_idx(i)) {
                bad(
                    format!("stop {}", s.id),
                    "id not indexed or not unique".into(),
                );
            }
        }
        if self.footpath_first.len() != ns + 1
            || self.footpath_first.first() != Some(&0)
            || self.footpath_first.last().map(|&x| x as usize) != Some(self.footpaths.len())
            || self.footpath_first.windows(2).any(|w| w[0] > w[1])
            || self.min_change.len() != ns
        {
            bad("footpaths".into(), "CSR arrays inconsistent".into());
        }
        if self.footpaths.iter().any(|f| f.to.idx() >= ns) {
            bad("footpaths".into(), "a footpath leads to no stop".into());
        }
        let mut next_trip = 0u32;
        for (pi, p) in self.patterns.iter().enumerate() {
            let rec = format!("pattern {pi}");
            if p.route.idx() >= self.routes.len() {
                bad(rec.clone(), "unknown route".into());
            }
            if p.stops.len < 2 || p.stops.range().end > self.pattern_stops.len() {
                bad(
                    rec.clone(),
                    "fewer than 2 stops or span out of range".into(),
                );
                continue;
            }
            if self.pattern_stops[p.stops.range()]
                .iter()
                .any(|s| s.idx() >= ns || self.stops[s.idx()].kind != StopKind::Stop)
            {
                bad(rec.clone(), "a pattern stop is a station or no stop".into());
            }
            if p.trips.start != next_trip || p.trips.len == 0 {
                bad(rec.clone(), "trips not consecutive by pattern".into());
            }
            next_trip = p.trips.start + p.trips.len;
            let mut last_first = 0;
            for t in p.trips.range() {
                let Some(trip) = self.trips.get(t) else {
                    bad(rec.clone(), "trip span out of range".into());
                    break;
                };
                let r = format!("trip {}", trip.id);
                if trip.pattern.idx() != pi || trip.route != p.route {
                    bad(r.clone(), "pattern or route mismatch".into());
                }
                if trip.calendar.idx() >= self.calendars.len() {
                    bad(r.clone(), "unknown calendar".into());
                }
                if self.trip_ids.get(&trip.id) != Some(&TripIdx::from_idx(t)) {
                    bad(r.clone(), "id not indexed or not unique".into());
                }
                let range = trip.times as usize..trip.times as usize + p.stops.len as usize;
                if range.end > self.arrivals.len() || self.departures.len() != self.arrivals.len() {
                    bad(r.clone(), "times out of range".into());
                    continue;
                }
                let (arr, dep) = (&self.arrivals[range.clone()], &self.departures[range]);
                if (0..arr.len()).any(|i| arr[i] > dep[i])
                    || (1..arr.len()).any(|i| dep[i - 1] > arr[i])
                {
                    bad(r.clone(), "times decrease along the trip".into());
                }
                let bands = &self.bands[trip.bands.range()];
                if !bands.is_empty() && dep[0] != 0 {
                    bad(r.clone(), "a frequency template does not start at 0".into());
                }
                if bands.iter().any(|b| b.headway == 0 || b.start >= b.end) {
                    bad(r.clone(), "an empty band or a zero headway".into());
                }
                let first = bands.first().map_or(dep[0], |b| b.start);
                if first < last_first {
                    bad(r, "trips not sorted by first departure".into());
                }
                last_first = first;
            }
        }
        if next_trip as usize != self.trips.len() {
            bad("trips".into(), "trips outside every pattern".into());
        }
        out
    }
}

/// One trip as given to the builder: its stops and times in order.
#[derive(Clone, Debug)]
pub struct TripInput {
    /// External id (unique among the trips given).
    pub id: String,
    /// Its route (added to the builder before).
    pub route: RouteIdx,
    /// Its calendar (added to the builder before).
    pub calendar: CalendarIdx,
    /// The stops it serves, in order (stops, never stations; at least two).
    pub stops: Vec<StopIdx>,
    /// Seconds since the service day's midnight (for a frequency-based trip, any start: the
    /// builder keeps only the offsets from the first departure).
    pub arrivals: Vec<Seconds>,
    /// Departure from each stop, like `arrivals` (never before the arrival at the same stop,
    /// never after the arrival at the next).
    pub departures: Vec<Seconds>,
    /// `access::*` flags per stop.
    pub access: Vec<u8>,
    /// Its frequency bands; empty for a scheduled trip.
    pub bands: Vec<FrequencyBand>,
    /// Where the trip came from (its first stop time), for problems.
    pub origin: Origin,
}

/// Collects stops, routes, calendars, trips and transfers; `build` groups trips into patterns
/// and lays everything out flat.
#[derive(Debug, Default)]
pub struct TimetableBuilder {
    stops: Vec<Stop>,
    routes: Vec<Route>,
    calendars: Vec<Calendar>,
    trips: Vec<TripInput>,
    /// (from, to, seconds); from == to is a minimum change time.
    transfers: Vec<(StopIdx, StopIdx, Seconds)>,
    problems: Vec<Problem>,
}

impl TimetableBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a stop; a parent must have been added before.
    pub fn add_stop(&mut self, stop: Stop) -> StopIdx {
        self.stops.push(stop);
        StopIdx::from_idx(self.stops.len() - 1)
    }
    /// Number of stops and stations added so far.
    pub fn num_stops(&self) -> usize {
        self.stops.len()
    }
    /// Stop or station `s`, as added.
    pub fn stop(&self, s: StopIdx) -> &Stop {
        &self.stops[s.idx()]
    }
    /// Adds a route.
    pub fn add_route(&mut self, route: Route) -> RouteIdx {
        self.routes.push(route);
        RouteIdx::from_idx(self.routes.len() - 1)
    }
    /// Adds a calendar (its added and removed dates sorted and deduplicated).
    pub fn add_calendar(&mut self, mut cal: Calendar) -> CalendarIdx {
        cal.added.sort_unstable();
        cal.added.dedup();
        cal.removed.sort_unstable();
        cal.removed.dedup();
        self.calendars.push(cal);
        CalendarIdx::from_idx(self.calendars.len() - 1)
    }
    /// Adds a trip; `build` checks it (a trip with a problem is left out and named).
    pub fn add_trip(&mut self, trip: TripInput) {
        self.trips.push(trip);
    }
    /// A footpath from one stop to another, or (`from == to`) the minimum change time at a
    /// stop. Given twice, the shorter counts.
    pub fn add_transfer(&mut self, from: StopIdx, to: StopIdx, duration: Seconds) {
        self.transfers.push((from, to, duration));
    }
    /// Adds footpaths between every two stops (not stations) closer than `radius_m`, walked
    /// at `speed_m_s` in a straight line, except where a transfer is already given. Slow
    /// (all pairs within a grid cell and its neighbours) but done once per import.
    pub fn add_walking_transfers(&mut self, radius_m: f64, speed_m_s: f64) {
        if radius_m <= 0.0 || speed_m_s <= 0.0 {
            return;
        }
        let given: std::collections::HashSet<(StopIdx, StopIdx)> =
            self.transfers.iter().map(|&(a, b, _)| (a, b)).collect();
        // Grid of cells about `radius_m` wide (degrees of latitude; longitude scaled by the
        // cosine of the mean latitude).
        let stops: Vec<usize> = (0..self.stops.len())
            .filter(|&i| self.stops[i].kind == StopKind::Stop && self.stops[i].lat.is_finite())
            .collect();
        if stops.is_empty() {
            return;
        }
        let mean_lat = stops.iter().map(|&i| self.stops[i].lat).sum::<f64>() / stops.len() as f64;
        let cell_deg = radius_m / 111_320.0;
        let kx = mean_lat.to_radians().cos().max(0.01);
        let cell = |s: &Stop| {
            (
                (s.lon * kx / cell_deg).floor() as i64,
                (s.lat / cell_deg).floor() as i64,
            )
        };
        let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        for &i in &stops {
            grid.entry(cell(&self.stops[i])).or_default().push(i);
        }
        let mut add = Vec::new();
        for &i in &stops {
            let (cx, cy) = cell(&self.stops[i]);
            for dx in -1..=1 {
                for dy in -1..=1 {
                    for &j in grid.get(&(cx + dx, cy + dy)).map_or(&[][..], |v| v) {
                        if i == j {
                            continue;
                        }
                        let (a, b) = (StopIdx::from_idx(i), StopIdx::from_idx(j));
                        if given.contains(&(a, b)) {
                            continue;
                        }
                        let d = haversine_m(&self.stops[i], &self.stops[j]);
                        if d <= radius_m {
                            add.push((a, b, (d / speed_m_s).ceil() as Seconds));
                        }
                    }
                }
            }
        }
        self.transfers.extend(add);
    }

    /// Groups the trips into patterns, orders them, lays everything out and checks it.
    /// Problems name the trip and where it came from; a trip with a problem is left out, and
    /// any problem that is an error makes the result `Err`.
    pub fn build(mut self) -> Result<(Timetable, Vec<Problem>), Problems> {
        let ns = self.stops.len();
        let mut problems = std::mem::take(&mut self.problems);
        let stop_ids = check_stops(&self.stops, &mut problems);
        let mut inputs = std::mem::take(&mut self.trips);
        self.keep_valid_trips(&mut inputs, &mut problems);
        let mut tt = Timetable {
            stops: std::mem::take(&mut self.stops),
            routes: std::mem::take(&mut self.routes),
            calendars: std::mem::take(&mut self.calendars),
            ..Timetable::default()
        };
        tt.trip_ids = lay_out_trips(&mut tt, &inputs);
        transfers(&mut tt, ns, &self.transfers, &mut problems);
        tt.stop_ids = stop_ids;
        debug_assert!(tt.check().is_empty(), "{:?}", tt.check());
        match crate::network::problem::into_result(problems) {
            Ok(warnings) => Ok((tt, warnings)),
            Err(e) => Err(e),
        }
    }

    /// Keeps the trips that pass [`check_trip`] and whose id is not used before (problems
    /// for the others).
    fn keep_valid_trips(&self, inputs: &mut Vec<TripInput>, problems: &mut Vec<Problem>) {
        let ns = self.stops.len();
        inputs.retain(
            |t| match check_trip(t, ns, &self.stops, &self.routes, &self.calendars) {
                Ok(()) => true,
                Err(p) => {
                    problems.push(p);
                    false
                }
            },
        );
        let mut seen = std::collections::HashSet::with_capacity(inputs.len());
        inputs.retain(|t| {
            if seen.insert(t.id.clone()) {
                true
            } else {
                problems.push(Problem::error(
                    &t.origin,
                    format!("trip {}", t.id),
                    "the id is used twice",
                    "give each trip its own id",
                ));
                false
            }
        });
    }
}

/// Stops: ids unique, parents are stations added earlier. The index of each id.
fn check_stops(stops: &[Stop], problems: &mut Vec<Problem>) -> HashMap<String, StopIdx> {
    let mut stop_ids = HashMap::with_capacity(stops.len());
    for (i, s) in stops.iter().enumerate() {
        let o = Origin {
            file: "stops".into(),
            line: None,
        };
        if stop_ids
            .insert(s.id.clone(), StopIdx::from_idx(i))
            .is_some()
        {
            problems.push(Problem::error(
                &o,
                format!("stop {}", s.id),
                "the id is used twice",
                "give each stop its own id",
            ));
        }
        if let Some(p) = s.parent {
            if p.idx() >= i || stops[p.idx()].kind != StopKind::Station {
                problems.push(Problem::error(
                    &o,
                    format!("stop {}", s.id),
                    format!("its parent {p} is not a station added before it"),
                    "make the parent a station (location_type 1)",
                ));
            }
        }
    }
    stop_ids
}

/// Groups `inputs` into patterns (route, stops and access) in order of first appearance, so
/// that the layout does not depend on hashing; lays the patterns and then their trips (by
/// first departure, then id) into `tt`. The index of each trip id.
fn lay_out_trips(tt: &mut Timetable, inputs: &[TripInput]) -> HashMap<String, TripIdx> {
    let mut pattern_of: HashMap<(RouteIdx, &[StopIdx], &[u8]), u32> = HashMap::new();
    let mut pattern_keys: Vec<(RouteIdx, &[StopIdx], &[u8])> = Vec::new();
    let mut trip_pattern = Vec::with_capacity(inputs.len());
    for t in inputs {
        let key = (t.route, &t.stops[..], &t.access[..]);
        let next = pattern_keys.len() as u32;
        let p = *pattern_of.entry(key).or_insert(next);
        if p == next {
            pattern_keys.push(key);
        }
        trip_pattern.push(p);
    }
    let first_departure = |t: &TripInput| t.bands.first().map_or(t.departures[0], |b| b.start);
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by(|&a, &b| {
        (trip_pattern[a], first_departure(&inputs[a]), &inputs[a].id).cmp(&(
            trip_pattern[b],
            first_departure(&inputs[b]),
            &inputs[b].id,
        ))
    });
    for &(route, stops, acc) in &pattern_keys {
        let start = tt.pattern_stops.len() as u32;
        tt.pattern_stops.extend_from_slice(stops);
        tt.pattern_access.extend_from_slice(acc);
        tt.patterns.push(Pattern {
            route,
            stops: Span {
                start,
                len: stops.len() as u32,
            },
            trips: Span::default(),
        });
    }
    let total: usize = inputs.iter().map(|t| t.stops.len()).sum();
    tt.arrivals.reserve(total);
    tt.departures.reserve(total);
    let mut trip_ids: HashMap<String, TripIdx> = HashMap::with_capacity(inputs.len());
    for &i in &order {
        let idx = lay_out_trip(tt, &inputs[i], trip_pattern[i] as usize);
        trip_ids.insert(inputs[i].id.clone(), idx);
    }
    trip_ids
}

/// Appends trip `t` of pattern `p` to `tt` (its times, and a template's offsets from its first
/// departure).
fn lay_out_trip(tt: &mut Timetable, t: &TripInput, p: usize) -> TripIdx {
    let idx = TripIdx::from_idx(tt.trips.len());
    let pat = &mut tt.patterns[p];
    if pat.trips.len == 0 {
        pat.trips.start = idx.0;
    }
    pat.trips.len += 1;
    let shift = if t.bands.is_empty() {
        0
    } else {
        t.departures[0]
    };
    let times = tt.arrivals.len() as u32;
    // A template's arrival at its first stop is of no use (nobody alights where the
    // trip starts) and may precede the departure the offsets count from.
    tt.arrivals.push(t.arrivals[0].max(shift) - shift);
    tt.arrivals
        .extend(t.arrivals[1..].iter().map(|&a| a - shift));
    tt.departures
        .extend(t.departures.iter().map(|&d| d - shift));
    let bands = Span {
        start: tt.bands.len() as u32,
        len: t.bands.len() as u32,
    };
    tt.bands.extend_from_slice(&t.bands);
    tt.trips.push(Trip {
        id: t.id.clone(),
        route: t.route,
        pattern: PatternIdx(p as u32),
        calendar: t.calendar,
        times,
        bands,
        draw_key: stable_hash(t.id.as_bytes()),
    });
    idx
}

/// Transfers into `tt`: minimum change times and a CSR of footpaths, the shorter of
/// duplicates; a transfer naming no stop is a problem.
fn transfers(
    tt: &mut Timetable,
    ns: usize,
    given: &[(StopIdx, StopIdx, Seconds)],
    problems: &mut Vec<Problem>,
) {
    let mut change: Vec<Option<Seconds>> = vec![None; ns];
    let mut paths: Vec<(StopIdx, StopIdx, Seconds)> = Vec::new();
    for &(a, b, d) in given {
        if a.idx() >= ns || b.idx() >= ns {
            problems.push(Problem::error(
                &Origin {
                    file: "transfers".into(),
                    line: None,
                },
                format!("transfer {a} -> {b}"),
                "names no stop",
                "use stops of the timetable",
            ));
        } else if a == b {
            let c = &mut change[a.idx()];
            *c = Some(c.map_or(d, |c| c.min(d)));
        } else {
            paths.push((a, b, d));
        }
    }
    tt.min_change = change.into_iter().map(|c| c.unwrap_or(0)).collect();
    paths.sort_unstable();
    paths.dedup_by(|later, first| later.0 == first.0 && later.1 == first.1);
    tt.footpath_first = vec![0; ns + 1];
    for &(a, _, _) in &paths {
        tt.footpath_first[a.idx() + 1] += 1;
    }
    for i in 0..ns {
        tt.footpath_first[i + 1] += tt.footpath_first[i];
    }
    tt.footpaths = paths
        .iter()
        .map(|&(_, to, duration)| Footpath { to, duration })
        .collect();
}

/// The first problem of one trip input, if any.
fn check_trip(
    t: &TripInput,
    ns: usize,
    stops: &[Stop],
    routes: &[Route],
    calendars: &[Calendar],
) -> Result<(), Problem> {
    let rec = format!("trip {}", t.id);
    let err = |msg: String, fix: &str| Err(Problem::error(&t.origin, rec.clone(), msg, fix));
    let n = t.stops.len();
    if n < 2 {
        return err(
            format!("it has {n} stop time(s)"),
            "give every trip at least two stops",
        );
    }
    if t.arrivals.len() != n || t.departures.len() != n || t.access.len() != n {
        return err(
            "stops, times and access flags differ in length".into(),
            "a bug in the caller",
        );
    }
    if t.route.idx() >= routes.len() {
        return err(format!("unknown route {}", t.route), "a bug in the caller");
    }
    if t.calendar.idx() >= calendars.len() {
        return err(
            format!("unknown calendar {}", t.calendar),
            "a bug in the caller",
        );
    }
    for (i, s) in t.stops.iter().enumerate() {
        if s.idx() >= ns {
            return err(format!("stop {i} is {s}, no stop"), "a bug in the caller");
        }
        if stops[s.idx()].kind == StopKind::Station {
            return err(
                format!(
                    "stop_id {} (stop {}) is a station; trips stop at platforms",
                    stops[s.idx()].id,
                    i + 1
                ),
                "use one of the station's platforms",
            );
        }
    }
    for i in 0..n {
        if t.arrivals[i] > t.departures[i] {
            return err(
                format!(
                    "departure_time {} at stop {} ({}) is before its arrival_time {}",
                    clock(t.departures[i]),
                    i + 1,
                    stops[t.stops[i].idx()].id,
                    clock(t.arrivals[i])
                ),
                "departure must not be before arrival",
            );
        }
        if i > 0 && t.departures[i - 1] > t.arrivals[i] {
            return err(
                format!(
                    "arrival_time {} at stop {} ({}) is before the departure_time {} of the stop before",
                    clock(t.arrivals[i]),
                    i + 1,
                    stops[t.stops[i].idx()].id,
                    clock(t.departures[i - 1])
                ),
                "times must not decrease along a trip",
            );
        }
    }
    for b in &t.bands {
        if b.headway == 0 || b.start >= b.end {
            return err(
                format!(
                    "frequency {}-{} every {} s is empty",
                    clock(b.start),
                    clock(b.end),
                    b.headway
                ),
                "start_time must be before end_time and headway_secs above 0",
            );
        }
    }
    Ok(())
}

/// FNV-1a, 64 bits: a hash that is the same on every platform and in every Rust version, for
/// keys that must not change between runs.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Great-circle distance in metres between two stops.
pub fn haversine_m(a: &Stop, b: &Stop) -> f64 {
    crate::network::model::haversine_m(a.lon, a.lat, b.lon, b.lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_weekdays() {
        assert_eq!(Day::from_ymd(1970, 1, 1), Some(Day(0)));
        assert_eq!(Day(0).weekday(), 3); // Thursday
        let d = Day::parse("2019-05-13").unwrap(); // a Monday
        assert_eq!(d.weekday(), 0);
        assert_eq!(Day::parse("20190513"), Some(d));
        assert_eq!(d.to_string(), "2019-05-13");
        assert_eq!(Day::parse("201912313"), None);
        assert_eq!(Day::parse("2019-02-29"), None);
        assert_eq!(Day::parse("2020-02-29").unwrap().next().ymd(), (2020, 3, 1));
        for n in -800_000..800_000 {
            let (y, m, dd) = Day(n).ymd();
            assert_eq!(Day::from_ymd(y, m, dd), Some(Day(n)));
        }
    }

    #[test]
    fn calendars_resolve_dates() {
        let mon = Day::parse("2024-06-03").unwrap();
        let c = Calendar {
            id: "wk".into(),
            weekdays: 0b1_1111,
            range: Some((mon, Day(mon.0 + 13))),
            added: vec![Day(mon.0 + 5)],
            removed: vec![Day(mon.0 + 2)],
        };
        let runs: Vec<bool> = (0..15).map(|i| c.runs_on(Day(mon.0 + i))).collect();
        let want = [1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0];
        assert_eq!(runs, want.map(|x| x == 1));
    }

    #[test]
    fn clocks() {
        assert_eq!(clock(25 * 3600 + 61), "25:01:01");
        assert_eq!(parse_clock("07:42"), Some(7 * 3600 + 42 * 60));
        assert_eq!(parse_clock("25:10:05"), Some(25 * 3600 + 605));
        assert_eq!(parse_clock("7:60"), None);
    }
}
