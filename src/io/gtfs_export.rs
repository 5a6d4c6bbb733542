//! A network (scenario applied, taken as of a date) as a GTFS feed (`onehour export --format
//! gtfs`), so that R5, OpenTripPlanner or MOTIS can run the same plan.
//!
//! - `agency.txt`: one agency, the network (its title, the publisher's URL, the time zone);
//! - `stops.txt`: the stations the exported services call at (`location_type` 0, so that trips
//!   stop at them), with the network's ids;
//! - `routes.txt`: one route per line (and mode), `route_long_name` the line's name,
//!   `route_desc` its Chinese name; `route_type` 2 (rail) for hsr, conventional and intercity,
//!   1 metro, 0 tram, 3 bus (the basic types every consumer reads);
//! - `trips.txt`, `stop_times.txt`: every timetabled trip with its times (less calls at stations
//!   its service no longer serves, after a scenario's `close_station`); each band a template
//!   trip run by `frequencies.txt` with its `exact_times` (bands of one service, direction and
//!   calendar share a template while they do not overlap); a service with neither trips nor
//!   bands runs every `headway_min` (`exact_times` 0) from `[timetable] default_start` to
//!   `default_end`, in each direction it runs, on every day of a year from the export's date
//!   (calendar `every-day`); templates take the service's run and dwell times as the static
//!   engine does (whole seconds);
//! - `calendar.txt`, `calendar_dates.txt` (added: 1, removed: 2);
//! - `transfers.txt`: explicit links with minutes between two exported stations, both ways,
//!   `transfer_type` 2;
//! - `feed_info.txt`: the publisher, language `en` (names are the network's English names),
//!   the calendars' first and last day, and a version naming the network, scenario and date.
//!
//! The zip is written with fixed timestamps, so the same network gives the same bytes.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;

use crate::network::ids::{minutes_to_seconds, Seconds};
use crate::network::model::{BandDirection, Date, Directions, Mode, Network, PlaceKind, Service};
use crate::network::timetable::{clock, Day};

/// What the export needs beyond the network.
#[derive(Clone, Debug)]
pub struct GtfsExportOptions {
    /// IANA time zone of the clock times (`agency_timezone`).
    pub timezone: String,
    /// `agency_url` and `feed_publisher_url`.
    pub publisher_url: String,
    /// First day of the `every-day` calendar of services without trips or bands.
    pub day: Date,
    /// `feed_version`: the network, scenario and date.
    pub version: String,
}

/// GTFS `route_type` of a mode (basic types only).
pub fn route_type(m: Mode) -> u8 {
    match m {
        Mode::Tram => 0,
        Mode::Metro => 1,
        Mode::Hsr | Mode::Conventional | Mode::Intercity => 2,
        Mode::Bus => 3,
    }
}

fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
}

fn day_of(d: Date) -> Option<Day> {
    Day::from_ymd(d.year, d.month as u32, d.day as u32)
}

fn date_of(d: Day) -> Date {
    let (year, month, day) = d.ymd();
    Date {
        year,
        month: month as u8,
        day: day as u8,
    }
}

/// CSV text from a header and rows.
fn csv_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One call of a template trip: station index into the service's stops, arrival, departure.
type Call = (usize, Seconds, Seconds);

/// The calls of a service run forward or backward from `start`, with its run and dwell times
/// as the static engine takes them (whole seconds; dwell at intermediate stops).
fn template(s: &Service, backward: bool, start: Seconds) -> Vec<Call> {
    let n = s.stops.len();
    let run: Vec<Seconds> = (0..n)
        .map(|i| {
            if i == 0 {
                0
            } else {
                minutes_to_seconds(s.run_min(i).unwrap_or(0.0))
            }
        })
        .collect();
    let order: Vec<usize> = if backward {
        (0..n).rev().collect()
    } else {
        (0..n).collect()
    };
    let mut t = start;
    let mut out = vec![(order[0], t, t)];
    for pos in 1..n {
        let k = order[pos];
        let seg = if backward { order[pos - 1] } else { k };
        t += run[seg];
        let arr = t;
        if pos + 1 < n {
            t += minutes_to_seconds(s.dwell_at(k));
        }
        out.push((k, arr, t));
    }
    out
}

/// Unique ids, claimed in order (`-2`, `-3`, ... on a clash).
#[derive(Default)]
struct Ids(HashSet<String>);

impl Ids {
    fn claim(&mut self, base: &str) -> String {
        if self.0.insert(base.to_string()) {
            return base.to_string();
        }
        (2..)
            .map(|k| format!("{base}-{k}"))
            .find(|c| self.0.insert(c.clone()))
            .unwrap_or_default()
    }
}

/// The files of the feed (name, text), in the order they are zipped.
pub fn gtfs_files(net: &Network, o: &GtfsExportOptions) -> Vec<(String, String)> {
    let mut x = Export::new(net);
    x.timetabled_trips();
    x.band_trips();
    x.default_band_trips();
    let cals = x.calendars(o);
    let stops = x.stops();
    let transfers = transfers(net, &stops);
    x.files(o, &cals, &stops, &transfers)
}

/// A feed being written: the network, and the rows of its files so far.
struct Export<'n> {
    net: &'n Network,
    places: HashMap<&'n str, crate::network::ids::PlaceIdx>,
    /// The one agency: the network.
    agency_id: String,
    /// One route per line and mode, in service order.
    route_of: HashMap<(&'n str, Mode), String>,
    routes: Vec<Vec<String>>,
    service_of: HashMap<&'n str, &'n Service>,
    /// Trip ids in use (the network's, then those of band templates).
    trip_ids: Ids,
    /// Calendar ids in use (the network's, then `every-day`).
    cal_ids: Ids,
    trips: Vec<Vec<String>>,
    stop_times: Vec<Vec<String>>,
    frequencies: Vec<Vec<String>>,
    /// Calendars some trip runs on.
    used_cals: HashSet<&'n str>,
    /// Stations some trip calls at.
    served: HashSet<&'n str>,
    /// The calendar of the default bands, if a service runs on one.
    every_day: Option<String>,
}

/// The calendar files' rows, and the first and last day any calendar runs.
struct Calendars {
    calendar: Vec<Vec<String>>,
    dates: Vec<Vec<String>>,
    first: Option<Date>,
    last: Option<Date>,
}

impl<'n> Export<'n> {
    /// The feed's routes (one per line and mode, in service order) and the ids in use.
    fn new(net: &'n Network) -> Export<'n> {
        let agency_id = crate::io::gtfs_network::sanitise_id(&net.name);
        let mut route_ids = Ids::default();
        let mut route_of: HashMap<(&str, Mode), String> = HashMap::new();
        let mut routes = Vec::new();
        for s in &net.services {
            route_of
                .entry((s.line.as_str(), s.mode))
                .or_insert_with(|| {
                    let id = route_ids.claim(&crate::io::gtfs_network::sanitise_id(&s.line));
                    routes.push(vec![
                        id.clone(),
                        agency_id.clone(),
                        String::new(),
                        s.line.clone(),
                        s.line_zh.clone(),
                        route_type(s.mode).to_string(),
                    ]);
                    id
                });
        }
        let mut trip_ids = Ids::default();
        for t in &net.trips {
            trip_ids.0.insert(t.id.clone());
        }
        let mut cal_ids = Ids::default();
        for c in &net.calendars {
            cal_ids.0.insert(c.id.clone());
        }
        Export {
            net,
            places: net.place_index(),
            agency_id,
            route_of,
            routes,
            service_of: net.services.iter().map(|s| (s.id.as_str(), s)).collect(),
            trip_ids,
            cal_ids,
            trips: Vec::new(),
            stop_times: Vec::new(),
            frequencies: Vec::new(),
            used_cals: HashSet::new(),
            served: HashSet::new(),
            every_day: None,
        }
    }

    /// A place's name (its Chinese name if it has no other).
    fn name_of(&self, id: &str) -> String {
        self.places
            .get(id)
            .map(|&p| {
                let pl = self.net.place(p);
                if pl.name.is_empty() {
                    pl.name_zh.clone()
                } else {
                    pl.name.clone()
                }
            })
            .unwrap_or_default()
    }

    /// Adds trip `trip_id` of service `s` with its calls (station, arrival, departure).
    fn push_trip(
        &mut self,
        trip_id: &str,
        s: &Service,
        calendar: &str,
        backward: bool,
        calls: &[(&'n str, Seconds, Seconds)],
    ) {
        self.trips.push(vec![
            self.route_of[&(s.line.as_str(), s.mode)].clone(),
            calendar.to_string(),
            trip_id.to_string(),
            calls.last().map(|c| self.name_of(c.0)).unwrap_or_default(),
            u8::from(backward).to_string(),
        ]);
        for (k, (at, a, d)) in calls.iter().enumerate() {
            self.stop_times.push(vec![
                trip_id.to_string(),
                clock(*a),
                clock(*d),
                at.to_string(),
                (k + 1).to_string(),
            ]);
        }
        self.served.extend(calls.iter().map(|c| c.0));
    }

    /// The network's timetabled trips. Calls at stations the service no longer serves (a
    /// scenario's close_station) are left out; a trip left with fewer than two is dropped.
    fn timetabled_trips(&mut self) {
        let net = self.net;
        for t in &net.trips {
            let Some(&s) = self.service_of.get(t.service.as_str()) else {
                continue;
            };
            let calls: Vec<(&str, Seconds, Seconds)> = t
                .stops
                .iter()
                .filter(|ts| s.stops.iter().any(|x| x.at == ts.at))
                .map(|ts| (ts.at.as_str(), ts.arrive, ts.depart))
                .collect();
            if calls.len() < 2 {
                continue;
            }
            let mut it = s.stops.iter();
            let forward = calls.iter().all(|c| it.any(|x| x.at == c.0));
            self.used_cals.insert(t.calendar.as_str());
            self.push_trip(&t.id, s, &t.calendar, !forward, &calls);
        }
    }

    /// Adds a template trip of service `s` leaving at the first band's start, and a
    /// frequencies.txt row per band.
    fn add_template(
        &mut self,
        s: &'n Service,
        backward: bool,
        calendar: &str,
        base: &str,
        bands: &[(Seconds, Seconds, Seconds, bool)],
    ) {
        let id = self.trip_ids.claim(base);
        let calls: Vec<(&str, Seconds, Seconds)> = template(s, backward, bands[0].0)
            .iter()
            .map(|&(k, a, d)| (s.stops[k].at.as_str(), a, d))
            .collect();
        self.push_trip(&id, s, calendar, backward, &calls);
        for &(start, end, headway, exact) in bands {
            self.frequencies.push(vec![
                id.clone(),
                clock(start),
                clock(end),
                headway.to_string(),
                u8::from(exact).to_string(),
            ]);
        }
    }

    /// The network's bands: one template per service, direction and calendar while the
    /// bands do not overlap (a new template where one starts before the previous ends).
    fn band_trips(&mut self) {
        let net = self.net;
        // (service, direction, calendar) → the bands' indices, in order of first sight.
        type Group<'a> = ((&'a str, BandDirection, &'a str), Vec<usize>);
        let mut groups: Vec<Group> = Vec::new();
        let mut group_of: HashMap<(&str, BandDirection, &str), usize> = HashMap::new();
        for (i, b) in net.bands.iter().enumerate() {
            if !self.service_of.contains_key(b.service.as_str()) {
                continue;
            }
            let key = (b.service.as_str(), b.direction, b.calendar.as_str());
            let g = *group_of.entry(key).or_insert_with(|| {
                groups.push((key, Vec::new()));
                groups.len() - 1
            });
            groups[g].1.push(i);
        }
        for ((service, dir, calendar), idx) in &groups {
            let s = self.service_of[service];
            let mut bands: Vec<(Seconds, Seconds, Seconds, bool)> = idx
                .iter()
                .map(|&i| {
                    let b = &net.bands[i];
                    (b.start, b.end, b.headway_s.max(1), b.exact)
                })
                .collect();
            bands.sort_unstable();
            self.used_cals.insert(calendar);
            let backward = *dir == BandDirection::Backward;
            let base = format!(
                "{service}-{}-{calendar}",
                if backward { "backward" } else { "forward" }
            );
            let mut from = 0;
            for k in 1..=bands.len() {
                if k == bands.len() || bands[k].0 < bands[k - 1].1 {
                    self.add_template(s, backward, calendar, &base, &bands[from..k]);
                    from = k;
                }
            }
        }
    }

    /// Services with neither trips nor bands: every `headway_min` over the network's default
    /// hours, every day (calendar `every-day`), in each direction they run.
    fn default_band_trips(&mut self) {
        let net = self.net;
        let with_timetable: HashSet<&str> = net
            .trips
            .iter()
            .map(|t| t.service.as_str())
            .chain(net.bands.iter().map(|b| b.service.as_str()))
            .collect();
        let tt = &net.settings.timetable;
        let parse =
            |v: &str, fallback: Seconds| crate::network::load::parse_clock(v).unwrap_or(fallback);
        let (d0, d1) = (
            parse(&tt.default_start, 6 * 3600),
            parse(&tt.default_end, 23 * 3600),
        );
        let every_day = self.cal_ids.claim("every-day");
        for s in &net.services {
            if with_timetable.contains(s.id.as_str()) || s.stops.len() < 2 {
                continue;
            }
            self.every_day = Some(every_day.clone());
            let headway = minutes_to_seconds(s.headway_min).max(1);
            let dirs: &[bool] = match s.directions {
                Directions::Both => &[false, true],
                Directions::Forward => &[false],
            };
            for &backward in dirs {
                let base = format!("{}-{}", s.id, if backward { "backward" } else { "forward" });
                let band = [(d0, d1.max(d0 + 1), headway, false)];
                self.add_template(s, backward, &every_day, &base, &band);
            }
        }
    }

    /// The calendars some trip runs on, with their added and removed days; `every-day` from
    /// `o.day` for a year.
    fn calendars(&self, o: &GtfsExportOptions) -> Calendars {
        let mut c_out = Calendars {
            calendar: Vec::new(),
            dates: Vec::new(),
            first: None,
            last: None,
        };
        let span = |a: Date, b: Date, c: &mut Calendars| {
            c.first = Some(c.first.map_or(a, |f| f.min(a)));
            c.last = Some(c.last.map_or(b, |l| l.max(b)));
        };
        for c in self
            .net
            .calendars
            .iter()
            .filter(|c| self.used_cals.contains(c.id.as_str()))
        {
            let mut row = vec![c.id.clone()];
            row.extend(c.weekdays.iter().map(|&w| u8::from(w).to_string()));
            row.push(ymd(c.start));
            row.push(ymd(c.end));
            c_out.calendar.push(row);
            span(c.start, c.end, &mut c_out);
            for d in &c.added {
                c_out.dates.push(vec![c.id.clone(), ymd(*d), "1".into()]);
                span(*d, *d, &mut c_out);
            }
            for d in &c.removed {
                c_out.dates.push(vec![c.id.clone(), ymd(*d), "2".into()]);
            }
        }
        if let Some(every_day) = &self.every_day {
            let end = day_of(o.day).map_or(o.day, |d| date_of(Day(d.0 + 364)));
            let mut row = vec![every_day.clone()];
            row.extend((0..7).map(|_| "1".to_string()));
            row.push(ymd(o.day));
            row.push(ymd(end));
            c_out.calendar.push(row);
            span(o.day, end, &mut c_out);
        }
        c_out
    }

    /// The stations some trip calls at, in network order, as stops.txt rows.
    fn stops(&self) -> Vec<Vec<String>> {
        self.net
            .places
            .iter()
            .filter(|p| p.kind == PlaceKind::Station && self.served.contains(p.id.as_str()))
            .map(|p| {
                vec![
                    p.id.clone(),
                    if p.name.is_empty() {
                        p.name_zh.clone()
                    } else {
                        p.name.clone()
                    },
                    format!("{}", p.lat),
                    format!("{}", p.lon),
                    "0".into(),
                ]
            })
            .collect()
    }

    /// The feed's files from its rows, in the order they are zipped (calendar_dates.txt,
    /// frequencies.txt and transfers.txt only when they have rows).
    fn files(
        &self,
        o: &GtfsExportOptions,
        cals: &Calendars,
        stops: &[Vec<String>],
        transfers: &[Vec<String>],
    ) -> Vec<(String, String)> {
        let net = self.net;
        let agency = [vec![
            self.agency_id.clone(),
            net.title.clone(),
            o.publisher_url.clone(),
            o.timezone.clone(),
        ]];
        let mut info = vec![net.title.clone(), o.publisher_url.clone(), "en".to_string()];
        info.push(cals.first.map(ymd).unwrap_or_default());
        info.push(cals.last.map(ymd).unwrap_or_default());
        info.push(o.version.clone());
        let info = [info];
        let tables: [FileTable; 10] = [
            ("agency.txt", header::AGENCY, &agency, true),
            ("stops.txt", header::STOPS, stops, true),
            ("routes.txt", header::ROUTES, &self.routes, true),
            ("trips.txt", header::TRIPS, &self.trips, true),
            ("stop_times.txt", header::STOP_TIMES, &self.stop_times, true),
            ("calendar.txt", header::CALENDAR, &cals.calendar, true),
            (
                "calendar_dates.txt",
                header::CALENDAR_DATES,
                &cals.dates,
                false,
            ),
            (
                "frequencies.txt",
                header::FREQUENCIES,
                &self.frequencies,
                false,
            ),
            ("transfers.txt", header::TRANSFERS, transfers, false),
            ("feed_info.txt", header::FEED_INFO, &info, true),
        ];
        tables
            .into_iter()
            .filter(|&(_, _, rows, always)| always || !rows.is_empty())
            .map(|(name, header, rows, _)| (name.to_string(), csv_text(header, rows)))
            .collect()
    }
}

/// A file of the feed: its name, header and rows, and whether it is written without rows.
type FileTable<'a> = (
    &'static str,
    &'static [&'static str],
    &'a [Vec<String>],
    bool,
);

/// The header line of each file of an exported feed.
mod header {
    pub const AGENCY: &[&str] = &["agency_id", "agency_name", "agency_url", "agency_timezone"];
    pub const STOPS: &[&str] = &[
        "stop_id",
        "stop_name",
        "stop_lat",
        "stop_lon",
        "location_type",
    ];
    pub const ROUTES: &[&str] = &[
        "route_id",
        "agency_id",
        "route_short_name",
        "route_long_name",
        "route_desc",
        "route_type",
    ];
    pub const TRIPS: &[&str] = &[
        "route_id",
        "service_id",
        "trip_id",
        "trip_headsign",
        "direction_id",
    ];
    pub const STOP_TIMES: &[&str] = &[
        "trip_id",
        "arrival_time",
        "departure_time",
        "stop_id",
        "stop_sequence",
    ];
    pub const CALENDAR: &[&str] = &[
        "service_id",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "start_date",
        "end_date",
    ];
    pub const CALENDAR_DATES: &[&str] = &["service_id", "date", "exception_type"];
    pub const FREQUENCIES: &[&str] = &[
        "trip_id",
        "start_time",
        "end_time",
        "headway_secs",
        "exact_times",
    ];
    pub const TRANSFERS: &[&str] = &[
        "from_stop_id",
        "to_stop_id",
        "transfer_type",
        "min_transfer_time",
    ];
    pub const FEED_INFO: &[&str] = &[
        "feed_publisher_name",
        "feed_publisher_url",
        "feed_lang",
        "feed_start_date",
        "feed_end_date",
        "feed_version",
    ];
}

/// The network's links with minutes between two exported stops, as transfers of type 2
/// (minimum time) both ways.
fn transfers(net: &Network, stops: &[Vec<String>]) -> Vec<Vec<String>> {
    let exported: HashSet<&str> = stops.iter().map(|r| r[0].as_str()).collect();
    let mut transfers = Vec::new();
    for l in &net.links {
        let (Some(m), true) = (
            l.minutes,
            exported.contains(l.from.as_str()) && exported.contains(l.to.as_str()),
        ) else {
            continue;
        };
        let secs = minutes_to_seconds(m).to_string();
        transfers.push(vec![l.from.clone(), l.to.clone(), "2".into(), secs.clone()]);
        transfers.push(vec![l.to.clone(), l.from.clone(), "2".into(), secs]);
    }
    transfers
}

/// The feed as zip bytes (deflated, timestamps fixed at 1980-01-01 so that the same network
/// gives the same bytes).
pub fn gtfs_zip(files: &[(String, String)]) -> std::io::Result<Vec<u8>> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::DEFAULT
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (name, text) in files {
        z.start_file(name.as_str(), opts)
            .map_err(std::io::Error::other)?;
        z.write_all(text.as_bytes())?;
    }
    let cursor = z.finish().map_err(std::io::Error::other)?;
    Ok(cursor.into_inner())
}

/// The data rows (lines after the header) of the feed's file `name`, 0 if there is none.
pub fn rows(files: &[(String, String)], name: &str) -> usize {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map_or(0, |(_, t)| t.lines().count().saturating_sub(1))
}

/// A short description of the feed for messages: trips, templates, frequencies, stops.
pub fn describe(files: &[(String, String)]) -> String {
    let rows = |name: &str| rows(files, name);
    let mut s = String::new();
    let _ = write!(
        s,
        "{} stops, {} routes, {} trips ({} frequencies.txt rows), {} stop times, {} calendars",
        rows("stops.txt"),
        rows("routes.txt"),
        rows("trips.txt"),
        rows("frequencies.txt"),
        rows("stop_times.txt"),
        rows("calendar.txt")
    );
    s
}
