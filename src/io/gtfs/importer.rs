//! The timetable built from the rows of each feed: agencies, stops, routes, calendars, trips
//! with their stop times and frequencies, transfers; references checked.

use std::collections::{HashMap, HashSet};

use gtfs_structures as gtfs;

use crate::network::ids::Seconds;
use crate::network::model::Origin;
use crate::network::problem::Problems;
use crate::network::timetable::{
    access, haversine_m, Calendar, CalendarIdx, Day, FrequencyBand, Route, RouteIdx, Stop, StopIdx,
    StopKind, TimetableBuilder, TripInput,
};

use super::ids::{FeedIds, Ns};
use super::import_types::{
    FeedInfo, FeedSummary, GivenTransfer, GtfsImport, GtfsOptions, GtfsOrigins,
};
use super::read::{Feed, Sink, Table};
use super::trip_times::trip_times;

pub(super) fn route_type_number(t: gtfs::RouteType) -> i16 {
    use gtfs::RouteType::*;
    match t {
        Tramway => 0,
        Subway => 1,
        Rail => 2,
        Bus => 3,
        Ferry => 4,
        CableCar => 5,
        Gondola => 6,
        Funicular => 7,
        Extended(e) => e as i16,
        Other(i) => i,
    }
}

/// A day from gtfs-structures' date parts (their date type is jiff's, not a dependency here).
pub(super) fn day_of(year: i16, month: i8, day: i8) -> Option<Day> {
    Day::from_ymd(year as i32, month as u32, day as u32)
}

/// References to ids that exist nowhere, gathered so that 10,000 trips of one missing route
/// make one problem.
#[derive(Default)]
pub(super) struct Dangling {
    /// (file, field, id, file it should be in) → (count, first line), in order of first sight.
    pub(super) seen: HashMap<(String, &'static str, String, &'static str), (usize, u32)>,
    pub(super) order: Vec<(String, &'static str, String, &'static str)>,
}

impl Dangling {
    pub(super) fn add(
        &mut self,
        file: &str,
        field: &'static str,
        id: &str,
        line: u32,
        target: &'static str,
    ) {
        let key = (file.to_string(), field, id.to_string(), target);
        match self.seen.get_mut(&key) {
            Some(e) => e.0 += 1,
            None => {
                self.seen.insert(key.clone(), (1, line));
                self.order.push(key);
            }
        }
    }
    pub(super) fn report(self, sink: &mut Sink) {
        for key in self.order {
            let (count, line) = self.seen[&key];
            let (file, field, id, target) = key;
            let rows = if count == 1 {
                "1 row".to_string()
            } else {
                format!("{count} rows, the first here")
            };
            sink.row(
                Origin {
                    file,
                    line: Some(line as usize),
                },
                format!("field {field}"),
                format!("'{id}' is not in {target} ({rows}); left out"),
                "add it there or correct the reference",
            );
        }
    }
}

/// The trips of one feed that have a route and a calendar.
pub(super) struct FeedTrips<'f> {
    /// Their positions in `rows`, by trip id.
    pub(super) index: HashMap<&'f str, usize>,
    /// Line, trip, route and calendar.
    pub(super) rows: Vec<(u32, &'f gtfs::RawTrip, RouteIdx, CalendarIdx)>,
    /// Trips left out with a problem already reported: their stop times and frequencies say
    /// nothing new.
    pub(super) dropped: HashSet<&'f str>,
}

/// The timetable being built from the feeds, with what the steps of each feed share.
pub(super) struct Importer<'o> {
    pub(super) opts: &'o GtfsOptions,
    pub(super) b: TimetableBuilder,
    pub(super) sink: Sink,
    /// Stop pairs a transfers.txt gives (platforms of a station are linked on foot where none
    /// is given).
    pub(super) given_pairs: HashSet<(StopIdx, StopIdx)>,
    /// The platforms of each station.
    pub(super) children: HashMap<StopIdx, Vec<StopIdx>>,
    /// Each time zone, with the first feed that uses it.
    pub(super) timezones: Vec<(String, String)>,
    pub(super) origins: GtfsOrigins,
}

impl Importer<'_> {
    /// Adds one feed: agencies, stops, routes, calendars, trips with their stop times and
    /// frequencies, transfers. Returns what it held.
    pub(super) fn feed(&mut self, feed: &Feed, ids: &FeedIds) -> FeedSummary {
        let mut sum = FeedSummary {
            name: feed.name.clone(),
            file: feed.file.clone(),
            info: feed.info.rows.first().map(|(_, i)| FeedInfo {
                publisher: i.name.clone(),
                publisher_url: i.url.clone(),
                version: i.version.clone().filter(|v| !v.is_empty()),
                start: i
                    .start_date
                    .and_then(|d| day_of(d.year(), d.month(), d.day())),
                end: i
                    .end_date
                    .and_then(|d| day_of(d.year(), d.month(), d.day())),
            }),
            agency_url: feed.agencies.rows.first().map(|(_, a)| a.url.clone()),
            timezone: feed.agencies.rows.first().map(|(_, a)| a.timezone.clone()),
            ..FeedSummary::default()
        };
        let agencies = self.agencies(feed, &mut sum);
        let stops = self.stops(feed, ids, &mut sum);
        let routes = self.routes(feed, ids, &agencies, &mut sum);
        let calendars = self.calendars(feed, ids, &mut sum);
        let trips = self.trips(feed, &routes, &calendars);
        let (by_trip, bad_trip) = self.stop_times(feed, &trips, &stops);
        let (bands, band_lines) = self.frequencies(feed, &trips);
        self.add_trips(
            feed,
            ids,
            &trips,
            TripParts {
                stop_times: by_trip,
                bad: bad_trip,
                bands,
                band_lines,
            },
            &stops,
            &mut sum,
        );
        self.transfers(feed, &stops, &mut sum);
        sum
    }

    /// The feed's agency names by id (`""` for an agency without one); notes its time zones.
    pub(super) fn agencies<'f>(
        &mut self,
        feed: &'f Feed,
        sum: &mut FeedSummary,
    ) -> HashMap<&'f str, &'f str> {
        let mut agencies: HashMap<&str, &str> = HashMap::new();
        for (_, a) in &feed.agencies.rows {
            agencies.insert(a.id.as_deref().unwrap_or(""), a.name.as_str());
            if !self.timezones.iter().any(|(_, tz)| *tz == a.timezone) {
                self.timezones.push((feed.name.clone(), a.timezone.clone()));
            }
        }
        sum.agencies = feed.agencies.rows.len();
        agencies
    }

    /// Adds the feed's stations, then its stops and platforms (so that these can name their
    /// station); entrances, generic nodes and boarding areas are left out (no pathways).
    /// Returns the stops added, by the feed's id.
    pub(super) fn stops<'f>(
        &mut self,
        feed: &'f Feed,
        ids: &FeedIds,
        sum: &mut FeedSummary,
    ) -> HashMap<&'f str, StopIdx> {
        let mut stops: HashMap<&str, StopIdx> = HashMap::new();
        let t = &feed.stops;
        for station_pass in [true, false] {
            for (line, s) in &t.rows {
                let Some(is_station) = self.stop_kind(t, *line, s, station_pass) else {
                    continue;
                };
                if is_station != station_pass {
                    continue;
                }
                if stops.contains_key(s.id.as_str()) {
                    self.sink.row(
                        t.origin(*line),
                        format!("field stop_id {}", s.id),
                        "the id is used by an earlier row; left out".into(),
                        "give each stop its own id",
                    );
                    continue;
                }
                let Some((lat, lon)) = self.stop_position(t, *line, s) else {
                    continue;
                };
                let parent = self.stop_parent(t, *line, s, is_station, &stops);
                let name = s
                    .name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| s.id.clone());
                let idx = self.b.add_stop(Stop {
                    id: ids.ext(Ns::Stop, &s.id),
                    name,
                    lon,
                    lat,
                    kind: if is_station {
                        StopKind::Station
                    } else {
                        StopKind::Stop
                    },
                    parent,
                });
                if let Some(p) = parent {
                    self.children.entry(p).or_default().push(idx);
                }
                self.origins
                    .stops
                    .insert(self.b.stop(idx).id.clone(), t.origin(*line));
                stops.insert(s.id.as_str(), idx);
                if is_station {
                    sum.stations += 1;
                } else {
                    sum.stops += 1;
                }
            }
        }
        stops
    }

    /// Whether the stop `s` (at `line` of `t`) is a station (`Some(true)`) or a stop or
    /// platform (`Some(false)`); `None` for the kinds left out. An unknown location type is
    /// reported once, in the stations' pass.
    pub(super) fn stop_kind(
        &mut self,
        t: &Table<gtfs::Stop>,
        line: u32,
        s: &gtfs::Stop,
        station_pass: bool,
    ) -> Option<bool> {
        match s.location_type {
            gtfs::LocationType::StopArea => Some(true),
            gtfs::LocationType::StopPoint => Some(false),
            gtfs::LocationType::Unknown(n) => {
                if station_pass {
                    self.sink.row(
                        t.origin(line),
                        format!("field location_type of stop_id {}", s.id),
                        format!("'{n}' is no location type"),
                        "use 0 (stop or platform), 1 (station), 2, 3 or 4",
                    );
                }
                None
            }
            // Entrances, generic nodes and boarding areas: pathways are not modelled.
            _ => None,
        }
    }

    /// The latitude and longitude of the stop `s`, or `None` (reported) when one is missing or
    /// off the globe.
    pub(super) fn stop_position(
        &mut self,
        t: &Table<gtfs::Stop>,
        line: u32,
        s: &gtfs::Stop,
    ) -> Option<(f64, f64)> {
        let (Some(lat), Some(lon)) = (s.latitude, s.longitude) else {
            self.sink.row(
                t.origin(line),
                format!(
                    "field {} of stop_id {}",
                    if s.latitude.is_none() {
                        "stop_lat"
                    } else {
                        "stop_lon"
                    },
                    s.id
                ),
                "is empty; stops and stations need coordinates; left out".into(),
                "give WGS84 degrees",
            );
            return None;
        };
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            self.sink.row(
                t.origin(line),
                format!("fields stop_lat, stop_lon of stop_id {}", s.id),
                format!("{lat}, {lon} is not a WGS84 position; left out"),
                "give latitude and longitude in degrees",
            );
            return None;
        }
        Some((lat, lon))
    }

    /// The station of the stop `s` among the `stops` added, if it names one; a parent that is
    /// no station of the feed, or given to a station, is reported and ignored.
    pub(super) fn stop_parent(
        &mut self,
        t: &Table<gtfs::Stop>,
        line: u32,
        s: &gtfs::Stop,
        is_station: bool,
        stops: &HashMap<&str, StopIdx>,
    ) -> Option<StopIdx> {
        let p = s.parent_station.as_deref().filter(|p| !p.is_empty())?;
        match stops.get(p) {
            Some(&pi) if !is_station => Some(pi),
            _ => {
                self.sink.row(
                    t.origin(line),
                    format!("field parent_station of stop_id {}", s.id),
                    if is_station {
                        format!("'{p}': a station cannot have a parent station")
                    } else {
                        format!("'{p}' is not a station (location_type 1) of this feed")
                    },
                    "name a station, or leave the field empty",
                );
                None
            }
        }
    }

    /// Adds the feed's routes, each with its agency's name (the feed's only agency when it
    /// names none). Returns them by the feed's id.
    pub(super) fn routes<'f>(
        &mut self,
        feed: &'f Feed,
        ids: &FeedIds,
        agencies: &HashMap<&str, &str>,
        sum: &mut FeedSummary,
    ) -> HashMap<&'f str, RouteIdx> {
        let only_agency =
            (feed.agencies.rows.len() == 1).then(|| feed.agencies.rows[0].1.name.as_str());
        let mut routes = HashMap::new();
        for (line, r) in &feed.routes.rows {
            if routes.contains_key(r.id.as_str()) {
                self.sink.row(
                    feed.routes.origin(*line),
                    format!("field route_id {}", r.id),
                    "the id is used by an earlier row; left out".into(),
                    "give each route its own id",
                );
                continue;
            }
            let agency = match r.agency_id.as_deref().filter(|a| !a.is_empty()) {
                Some(a) => match agencies.get(a) {
                    Some(n) => n.to_string(),
                    None => {
                        self.sink.row(
                            feed.routes.origin(*line),
                            format!("field agency_id of route_id {}", r.id),
                            format!("'{a}' is not in agency.txt"),
                            "add the agency or correct the reference",
                        );
                        String::new()
                    }
                },
                None => only_agency.unwrap_or("").to_string(),
            };
            let idx = self.b.add_route(Route {
                id: ids.ext(Ns::Route, &r.id),
                short_name: r.short_name.clone().unwrap_or_default(),
                long_name: r.long_name.clone().unwrap_or_default(),
                agency,
                route_type: route_type_number(r.route_type),
            });
            routes.insert(r.id.as_str(), idx);
            self.origins
                .routes
                .insert(ids.ext(Ns::Route, &r.id), feed.routes.origin(*line));
        }
        sum.routes = routes.len();
        routes
    }

    /// Adds the feed's calendars: calendar.txt, then the services that only
    /// calendar_dates.txt names. Returns them by the feed's service id.
    pub(super) fn calendars<'f>(
        &mut self,
        feed: &'f Feed,
        ids: &FeedIds,
        sum: &mut FeedSummary,
    ) -> HashMap<&'f str, CalendarIdx> {
        let mut cals: Vec<(&str, Calendar)> = Vec::new();
        let mut cal_of: HashMap<&str, usize> = HashMap::new();
        for (line, c) in &feed.calendar.rows {
            let o = feed.calendar.origin(*line);
            let (Some(a), Some(z)) = (
                day_of(
                    c.start_date.year(),
                    c.start_date.month(),
                    c.start_date.day(),
                ),
                day_of(c.end_date.year(), c.end_date.month(), c.end_date.day()),
            ) else {
                continue;
            };
            if a > z {
                self.sink.row(
                    o,
                    format!("fields start_date, end_date of service_id {}", c.id),
                    format!("start {a} is after end {z}; left out"),
                    "swap them",
                );
                continue;
            }
            if cal_of.contains_key(c.id.as_str()) {
                self.sink.row(
                    o,
                    format!("field service_id {}", c.id),
                    "the id is used by an earlier row; left out".into(),
                    "give each service one row",
                );
                continue;
            }
            let days = [
                c.monday,
                c.tuesday,
                c.wednesday,
                c.thursday,
                c.friday,
                c.saturday,
                c.sunday,
            ];
            let weekdays = days
                .iter()
                .enumerate()
                .fold(0u8, |m, (i, &on)| m | (u8::from(on) << i));
            cal_of.insert(c.id.as_str(), cals.len());
            self.origins
                .calendars
                .insert(ids.ext(Ns::Service, &c.id), o.clone());
            cals.push((
                c.id.as_str(),
                Calendar {
                    id: ids.ext(Ns::Service, &c.id),
                    weekdays,
                    range: Some((a, z)),
                    added: vec![],
                    removed: vec![],
                },
            ));
        }
        for (line, c) in &feed.calendar_dates.rows {
            let Some(d) = day_of(c.date.year(), c.date.month(), c.date.day()) else {
                continue;
            };
            self.origins
                .calendars
                .entry(ids.ext(Ns::Service, &c.service_id))
                .or_insert_with(|| feed.calendar_dates.origin(*line));
            let i = *cal_of.entry(c.service_id.as_str()).or_insert_with(|| {
                cals.push((
                    c.service_id.as_str(),
                    Calendar {
                        id: ids.ext(Ns::Service, &c.service_id),
                        weekdays: 0,
                        range: None,
                        added: vec![],
                        removed: vec![],
                    },
                ));
                cals.len() - 1
            });
            match c.exception_type {
                gtfs::Exception::Added => cals[i].1.added.push(d),
                gtfs::Exception::Deleted => cals[i].1.removed.push(d),
            }
        }
        sum.calendars = cals.len();
        cals.into_iter()
            .map(|(id, c)| (id, self.b.add_calendar(c)))
            .collect()
    }

    /// The feed's trips that have a known route and calendar and an id of their own.
    pub(super) fn trips<'f>(
        &mut self,
        feed: &'f Feed,
        routes: &HashMap<&str, RouteIdx>,
        calendars: &HashMap<&str, CalendarIdx>,
    ) -> FeedTrips<'f> {
        let mut dangling = Dangling::default();
        let mut out = FeedTrips {
            index: HashMap::new(),
            rows: Vec::new(),
            dropped: HashSet::new(),
        };
        for (line, t) in &feed.trips.rows {
            let route = routes.get(t.route_id.as_str());
            let cal = calendars.get(t.service_id.as_str());
            if route.is_none() {
                dangling.add(
                    &feed.trips.file,
                    "route_id",
                    &t.route_id,
                    *line,
                    "routes.txt",
                );
            }
            if cal.is_none() {
                dangling.add(
                    &feed.trips.file,
                    "service_id",
                    &t.service_id,
                    *line,
                    "calendar.txt nor calendar_dates.txt",
                );
            }
            let (Some(&route), Some(&cal)) = (route, cal) else {
                out.dropped.insert(t.id.as_str());
                continue;
            };
            if out.index.contains_key(t.id.as_str()) {
                self.sink.row(
                    feed.trips.origin(*line),
                    format!("field trip_id {}", t.id),
                    "the id is used by an earlier row; left out".into(),
                    "give each trip its own id",
                );
                continue;
            }
            out.index.insert(t.id.as_str(), out.rows.len());
            out.rows.push((*line, t, route, cal));
        }
        dangling.report(&mut self.sink);
        out
    }

    /// The rows of stop_times.txt of each trip (positions in the table), and the trips that
    /// call at an unknown stop or at a station (left out).
    pub(super) fn stop_times(
        &mut self,
        feed: &Feed,
        trips: &FeedTrips,
        stops: &HashMap<&str, StopIdx>,
    ) -> (Vec<Vec<usize>>, Vec<bool>) {
        let mut dangling = Dangling::default();
        let mut by_trip: Vec<Vec<usize>> = vec![Vec::new(); trips.rows.len()];
        let st = &feed.stop_times;
        let mut bad_trip = vec![false; trips.rows.len()];
        for (ri, (line, r)) in st.rows.iter().enumerate() {
            let Some(&ti) = trips.index.get(r.trip_id.as_str()) else {
                if trips.dropped.contains(r.trip_id.as_str()) {
                    continue;
                }
                dangling.add(&st.file, "trip_id", &r.trip_id, *line, "trips.txt");
                continue;
            };
            match stops.get(r.stop_id.as_str()) {
                None => {
                    dangling.add(&st.file, "stop_id", &r.stop_id, *line, "stops.txt");
                    bad_trip[ti] = true;
                }
                Some(&s) if self.b.stop(s).kind == StopKind::Station => {
                    self.sink.row(
                        st.origin(*line),
                        format!("field stop_id of trip_id {}", r.trip_id),
                        format!(
                            "'{}' is a station; trips stop at its platforms; trip left out",
                            r.stop_id
                        ),
                        "name a platform (location_type 0)",
                    );
                    bad_trip[ti] = true;
                }
                Some(_) => by_trip[ti].push(ri),
            }
        }
        dangling.report(&mut self.sink);
        (by_trip, bad_trip)
    }

    /// The frequency bands of each trip, with the line of each.
    pub(super) fn frequencies(
        &mut self,
        feed: &Feed,
        trips: &FeedTrips,
    ) -> (Vec<Vec<FrequencyBand>>, Vec<Vec<Origin>>) {
        let mut dangling = Dangling::default();
        let mut bands: Vec<Vec<FrequencyBand>> = vec![Vec::new(); trips.rows.len()];
        let mut band_lines: Vec<Vec<Origin>> = vec![Vec::new(); trips.rows.len()];
        for (line, f) in &feed.frequencies.rows {
            let Some(&ti) = trips.index.get(f.trip_id.as_str()) else {
                if trips.dropped.contains(f.trip_id.as_str()) {
                    continue;
                }
                dangling.add(
                    &feed.frequencies.file,
                    "trip_id",
                    &f.trip_id,
                    *line,
                    "trips.txt",
                );
                continue;
            };
            if f.headway_secs == 0 || f.start_time >= f.end_time {
                self.sink.row(
                    feed.frequencies.origin(*line),
                    format!(
                        "fields start_time, end_time, headway_secs of trip_id {}",
                        f.trip_id
                    ),
                    format!(
                        "{}-{} every {} s is empty; left out",
                        crate::network::timetable::clock(f.start_time),
                        crate::network::timetable::clock(f.end_time),
                        f.headway_secs
                    ),
                    "start before end, headway above 0",
                );
                continue;
            }
            band_lines[ti].push(feed.frequencies.origin(*line));
            bands[ti].push(FrequencyBand {
                start: f.start_time,
                end: f.end_time,
                headway: f.headway_secs,
                exact: matches!(f.exact_times, Some(gtfs::ExactTimes::ScheduleBased)),
            });
        }
        dangling.report(&mut self.sink);
        (bands, band_lines)
    }

    /// Adds each trip with its stop times (ordered by stop_sequence, missing times
    /// interpolated), pick-up and drop-off and frequency bands; a trip with a stop_sequence
    /// used twice or fewer than two stop times is left out.
    pub(super) fn add_trips(
        &mut self,
        feed: &Feed,
        ids: &FeedIds,
        trips: &FeedTrips,
        mut parts: TripParts,
        stops: &HashMap<&str, StopIdx>,
        sum: &mut FeedSummary,
    ) {
        let st = &feed.stop_times;
        for (ti, rows) in parts.stop_times.iter_mut().enumerate() {
            let (tline, trip, route, cal) = trips.rows[ti];
            if parts.bad[ti] {
                continue;
            }
            rows.sort_by_key(|&ri| st.rows[ri].1.stop_sequence);
            if let Some(w) = rows
                .windows(2)
                .find(|w| st.rows[w[0]].1.stop_sequence == st.rows[w[1]].1.stop_sequence)
            {
                let (line, r) = &st.rows[w[1]];
                self.sink.row(
                    st.origin(*line),
                    format!("field stop_sequence of trip_id {}", r.trip_id),
                    format!(
                        "{} is used twice in this trip; trip left out",
                        r.stop_sequence
                    ),
                    "number the stops of a trip in increasing order",
                );
                continue;
            }
            if rows.len() < 2 {
                self.sink.warn(
                    feed.trips.origin(tline),
                    format!("trip_id {}", trip.id),
                    format!("has {} stop time(s); left out", rows.len()),
                    "a trip needs at least two stop times",
                );
                continue;
            }
            let stop_of = |ri: usize| stops[st.rows[ri].1.stop_id.as_str()];
            let Some((arrivals, departures, filled)) =
                trip_times(rows, st, &self.b, &stop_of, &mut self.sink)
            else {
                continue;
            };
            sum.interpolated += filled;
            let acc = rows
                .iter()
                .map(|&ri| {
                    let r = &st.rows[ri].1;
                    let mut a = 0;
                    if r.pickup_type != gtfs::PickupDropOffType::NotAvailable {
                        a |= access::BOARD;
                    }
                    if r.drop_off_type != gtfs::PickupDropOffType::NotAvailable {
                        a |= access::ALIGHT;
                    }
                    a
                })
                .collect();
            sum.trips += 1;
            sum.stop_times += rows.len();
            if !parts.bands[ti].is_empty() {
                sum.frequency_trips += 1;
            }
            let id = ids.ext(Ns::Trip, &trip.id);
            self.origins.trip_stops.insert(
                id.clone(),
                rows.iter().map(|&ri| st.origin(st.rows[ri].0)).collect(),
            );
            self.origins
                .trip_bands
                .insert(id.clone(), std::mem::take(&mut parts.band_lines[ti]));
            self.origins
                .trips
                .insert(id.clone(), feed.trips.origin(tline));
            self.b.add_trip(TripInput {
                id,
                route,
                calendar: cal,
                stops: rows.iter().map(|&ri| stop_of(ri)).collect(),
                arrivals,
                departures,
                access: acc,
                bands: std::mem::take(&mut parts.bands[ti]),
                origin: st.origin(st.rows[rows[0]].0),
            });
        }
    }

    /// Adds the feed's transfers (types 0, 1 and 2; a station stands for each of its
    /// platforms; a recommended transfer without a time is walked); types 3 to 5 are not
    /// modelled, with one warning.
    pub(super) fn transfers(
        &mut self,
        feed: &Feed,
        stops: &HashMap<&str, StopIdx>,
        sum: &mut FeedSummary,
    ) {
        let (mut not_modelled, mut first_nm) = (0, 0);
        let tr = &feed.transfers;
        for (line, x) in &tr.rows {
            let ends = [
                (&x.from_stop_id, "from_stop_id"),
                (&x.to_stop_id, "to_stop_id"),
            ]
            .map(|(id, field)| {
                let s = stops.get(id.as_str()).copied();
                if s.is_none() {
                    self.sink.row(
                        tr.origin(*line),
                        format!("field {field}"),
                        format!("'{id}' is not in stops.txt; left out"),
                        "add the stop or correct the reference",
                    );
                }
                s
            });
            let [Some(from), Some(to)] = ends else {
                continue;
            };
            let duration = match x.transfer_type {
                gtfs::TransferType::Recommended => x.min_transfer_time,
                gtfs::TransferType::Timed => Some(0),
                gtfs::TransferType::MinTime => match x.min_transfer_time {
                    Some(t) => Some(t),
                    None => {
                        self.sink.row(
                            tr.origin(*line),
                            "field min_transfer_time".into(),
                            "is empty, but transfer_type 2 needs it; left out".into(),
                            "give the minimum time in seconds",
                        );
                        continue;
                    }
                },
                _ => {
                    not_modelled += 1;
                    if first_nm == 0 {
                        first_nm = *line;
                    }
                    continue;
                }
            };
            // A station stands for each of its platforms.
            let expand = |s: StopIdx, b: &TimetableBuilder| -> Vec<StopIdx> {
                match self.children.get(&s) {
                    Some(c) if b.stop(s).kind == StopKind::Station => c.clone(),
                    _ => vec![s],
                }
            };
            let (froms, tos) = (expand(from, &self.b), expand(to, &self.b));
            for &a in &froms {
                for &z in &tos {
                    let d = duration.unwrap_or_else(|| {
                        walk_secs(self.b.stop(a), self.b.stop(z), self.opts.walk_speed_m_s)
                    });
                    if a != z || duration.is_some() {
                        self.b.add_transfer(a, z, d);
                        self.given_pairs.insert((a, z));
                    }
                }
            }
            self.origins.transfers.push(GivenTransfer {
                from,
                to,
                seconds: duration,
                origin: tr.origin(*line),
            });
            sum.transfers += 1;
        }
        if not_modelled > 0 {
            self.sink.warn(
                tr.origin(first_nm),
                "field transfer_type".into(),
                format!("{not_modelled} transfer(s) of type 3 (not possible), 4 or 5 (in-seat) are not modelled, the first here"),
                "",
            );
        }
    }

    /// A warning when the feeds use more than one time zone (times are read as they are).
    pub(super) fn warn_timezones(&mut self) {
        if self.timezones.len() > 1 {
            self.sink.warn(
                Origin {
                    file: format!("{}/agency.txt", self.timezones[1].0),
                    line: None,
                },
                "field agency_timezone".into(),
                format!(
                    "feeds use different time zones ({}); times are read as they are, in one",
                    self.timezones
                        .iter()
                        .map(|(_, t)| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "import feeds of one time zone together",
            );
        }
    }

    /// Links the platforms of one station on foot where the feeds give no transfer, then
    /// every two stops within the walking radius.
    pub(super) fn add_station_paths(&mut self) {
        let mut station_paths = Vec::new();
        for platforms in self.children.values() {
            for &a in platforms {
                for &z in platforms {
                    if a != z && !self.given_pairs.contains(&(a, z)) {
                        station_paths.push((
                            a,
                            z,
                            walk_secs(self.b.stop(a), self.b.stop(z), self.opts.walk_speed_m_s),
                        ));
                    }
                }
            }
        }
        station_paths.sort_unstable();
        for (a, z, d) in station_paths {
            self.b.add_transfer(a, z, d);
        }
        self.b
            .add_walking_transfers(self.opts.walk_radius_m, self.opts.walk_speed_m_s);
    }

    /// Builds the timetable: the import, or every problem (the builder's too).
    pub(super) fn finish(self, summaries: Vec<FeedSummary>) -> Result<GtfsImport, Problems> {
        let mut problems = self.sink.problems;
        match self.b.build() {
            Ok((timetable, warnings)) => {
                problems.extend(warnings);
                match crate::network::problem::into_result(problems) {
                    Ok(warnings) => Ok(GtfsImport {
                        timetable,
                        origins: self.origins,
                        feeds: summaries,
                        warnings,
                    }),
                    Err(e) => Err(e),
                }
            }
            Err(Problems(more)) => {
                problems.extend(more);
                Err(Problems(problems))
            }
        }
    }
}

/// What [`Importer::add_trips`] takes of each trip, by its position in [`FeedTrips::rows`].
pub(super) struct TripParts {
    /// Its rows of stop_times.txt.
    pub(super) stop_times: Vec<Vec<usize>>,
    /// Left out: it calls at an unknown stop or at a station.
    pub(super) bad: Vec<bool>,
    /// Its frequency bands, and the line of each.
    pub(super) bands: Vec<Vec<FrequencyBand>>,
    pub(super) band_lines: Vec<Vec<Origin>>,
}

pub(super) fn walk_secs(a: &Stop, b: &Stop, speed: f64) -> Seconds {
    (haversine_m(a, b) / speed.max(0.1)).ceil() as Seconds
}
