//! The network model: plain data with stable string ids, as read from the network files.
//!
//! Glossary:
//! - *place*: anything a trip can start or end at or pass through: a station, a city centre, a
//!   zone (district with its population) or a road node.
//! - *service*: one stopping pattern of a line, run in one or both directions, with run times
//!   between consecutive stops, a dwell, a peak headway and an opening date.
//! - *link*: an explicit walking, access or transfer connection between two places.
//! - *road*: an expressway or arterial link between two road nodes (or any places).
//!
//! Nothing here knows a file format or a graph; `load` fills it, `validate` checks it,
//! `scenario` edits it and `graph` compiles it.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

use crate::network::ids::{PlaceIdx, ServiceIdx};

/// Where a record came from, for messages: the file, and the line (CSV) or record (TOML).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// Path of the file, as given or as bundled.
    pub file: String,
    /// 1-based line (CSV) or record number (TOML) in the file; `None` for the file as a whole.
    pub line: Option<usize>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}", self.file, l),
            None => write!(f, "{}", self.file),
        }
    }
}

/// A calendar date, with month and day optional (a year alone means "during that year").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    /// Year, e.g. 2025.
    pub year: i32,
    /// Month 1-12, or 0 when not given.
    pub month: u8,
    /// Day of the month 1-31, or 0 when not given.
    pub day: u8,
}

impl Date {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let mut parts = s.split('-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u8 = match parts.next() {
            Some(m) => m.parse().ok()?,
            None => 0,
        };
        let day: u8 = match parts.next() {
            Some(d) => d.parse().ok()?,
            None => 0,
        };
        if parts.next().is_some()
            || !(1800..=2200).contains(&year)
            || month > 12
            || (month == 0 && day != 0)
            || day > days_in_month(year, month.max(1))
        {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// A full date (`YYYY-MM-DD`), if `s` is one and it exists in the calendar.
    pub fn parse_full(s: &str) -> Option<Date> {
        Date::parse(s).filter(|d| d.is_full())
    }

    /// Whether month and day are both given.
    pub fn is_full(&self) -> bool {
        self.month != 0 && self.day != 0
    }

    /// The last day of the period this date names (a year alone: 31 December).
    pub fn last_day(&self) -> Date {
        let month = if self.month == 0 { 12 } else { self.month };
        let day = if self.day == 0 {
            days_in_month(self.year, month)
        } else {
            self.day
        };
        Date {
            year: self.year,
            month,
            day,
        }
    }

    /// The first day of the period this date names (a year alone: 1 January).
    pub fn first_day(&self) -> Date {
        Date {
            year: self.year,
            month: self.month.max(1),
            day: self.day.max(1),
        }
    }

    /// 31 December of `year`.
    pub fn end_of_year(year: i32) -> Date {
        Date {
            year,
            month: 12,
            day: 31,
        }
    }
}

/// Days in `month` (1-12) of `year` (Gregorian).
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether something opened on `opened` and last ran on `closed` runs on `day`. A partial
/// opening date counts from the last day of its period (a service that "opened in 2025" is not
/// claimed to run before 31 December 2025); a partial closing date ends at the first day of its
/// period (a pattern that "ended in 2019" is not claimed to run in 2019).
pub fn runs_on(opened: Option<Date>, closed: Option<Date>, day: Date) -> bool {
    opened.is_none_or(|o| o.last_day() <= day) && closed.is_none_or(|c| day <= c.first_day())
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (0, _) => write!(f, "{}", self.year),
            (m, 0) => write!(f, "{}-{:02}", self.year, m),
            (m, d) => write!(f, "{}-{:02}-{:02}", self.year, m, d),
        }
    }
}

/// Public-transport mode of a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// High-speed rail.
    Hsr,
    /// Conventional (non-high-speed) national rail.
    Conventional,
    /// Intercity (regional) rail.
    Intercity,
    /// Metro (subway) line.
    Metro,
    /// Tram or light rail.
    Tram,
    /// Bus route.
    Bus,
}

impl Mode {
    /// Every mode, in the order listed in the enum.
    pub const ALL: [Mode; 6] = [
        Mode::Hsr,
        Mode::Conventional,
        Mode::Intercity,
        Mode::Metro,
        Mode::Tram,
        Mode::Bus,
    ];

    /// The lowercase name used in the network files (`hsr`, `metro`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Hsr => "hsr",
            Mode::Conventional => "conventional",
            Mode::Intercity => "intercity",
            Mode::Metro => "metro",
            Mode::Tram => "tram",
            Mode::Bus => "bus",
        }
    }

    /// Plausible average speed between consecutive stops, straight-line km over scheduled
    /// minutes, in km/h. Outside this range a segment is almost certainly a data error
    /// (wrong station, minutes typed as hours, swapped coordinates).
    pub fn plausible_kmh(self) -> (f64, f64) {
        match self {
            Mode::Metro | Mode::Tram => (10.0, 120.0),
            Mode::Bus => (5.0, 90.0),
            Mode::Intercity => (20.0, 250.0),
            Mode::Conventional => (20.0, 200.0),
            Mode::Hsr => (30.0, 360.0),
        }
    }

    /// Minutes added to `km / speed` when a run time is estimated from a length: acceleration
    /// and braking.
    pub fn accel_min(self) -> f64 {
        match self {
            Mode::Metro | Mode::Tram | Mode::Bus => 0.5,
            _ => 2.0,
        }
    }

    /// Whether this is a rail mode (everything but bus).
    pub fn is_rail(self) -> bool {
        !matches!(self, Mode::Bus)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a place is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PlaceKind {
    /// A rail, metro, tram or bus station.
    Station,
    /// A city centre: the origins and destinations of the one-hour matrix.
    Centre,
    /// A zone (district) with its resident population.
    Zone,
    /// A node of the road network.
    RoadNode,
}

impl PlaceKind {
    /// The name used in messages (`station`, `centre`, `zone`, `road node`).
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Station => "station",
            PlaceKind::Centre => "centre",
            PlaceKind::Zone => "zone",
            PlaceKind::RoadNode => "road node",
        }
    }
}

/// A station, centre, zone or road node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// Unique place id (the string used by services, links and roads).
    pub id: String,
    /// What the place is.
    pub kind: PlaceKind,
    /// Name in English.
    pub name: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// City the place is in.
    pub city: String,
    /// District the place is in.
    pub district: String,
    /// WGS84 longitude, degrees.
    pub lon: f64,
    /// WGS84 latitude, degrees.
    pub lat: f64,
    /// Stations: minutes from the entrance (or an arriving platform) to a departing platform,
    /// paid at every boarding here.
    pub interchange_min: f64,
    /// Centres: inside the metropolitan area (the one-hour target applies between these).
    pub in_area: bool,
    /// Zones: resident population.
    pub population: u64,
    /// Zones: year of the population figure, if given.
    pub population_year: Option<i32>,
    /// Where the coordinates (and figures) come from.
    pub source: String,
    /// File and line this place was read from.
    pub origin: Origin,
}

/// One stop of a service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stop {
    /// Station id.
    pub at: String,
    /// Scheduled minutes from departure at the previous stop to arrival here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_min: Option<f64>,
    /// Segment length from the previous stop, km (used with the service's `speed_kmh` when no
    /// run time is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub km: Option<f64>,
    /// Dwell here, minutes (overrides the service's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dwell_min: Option<f64>,
}

/// Which directions a service runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Directions {
    /// Runs in the listed stop order and in reverse.
    #[default]
    Both,
    /// Runs only in the listed stop order.
    Forward,
}

/// One stopping pattern of a line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Unique service id.
    pub id: String,
    /// Name of the line this pattern belongs to, in English.
    pub line: String,
    /// Name of the line in Chinese.
    pub line_zh: String,
    /// Public-transport mode.
    pub mode: Mode,
    /// Typical peak headway, minutes.
    pub headway_min: f64,
    /// Default dwell at intermediate stops, minutes.
    pub dwell_min: f64,
    /// Date the pattern opened (or opens); see [`runs_on`] for partial dates.
    pub opened: Date,
    /// Last date this pattern ran (e.g. an older, shorter pattern replaced by an extension);
    /// `None` if it still runs.
    pub closed: Option<Date>,
    /// Whether it runs in both directions or only forward.
    pub directions: Directions,
    /// Average running speed for stops given by length only, km/h.
    pub speed_kmh: Option<f64>,
    /// Stops in order, the first with no run time.
    pub stops: Vec<Stop>,
    /// Where the run times come from.
    pub source: String,
    /// Where the headway comes from, if not from `source`.
    pub headway_source: String,
    /// Where the opening date comes from, if not from `source`.
    pub opened_source: String,
    /// Which figures are estimated and how (required when run times come from km and speed).
    pub estimate: String,
    /// File and record this service was read from.
    pub origin: Origin,
}

impl Service {
    /// Run minutes from stop `i - 1` to stop `i` (`i >= 1`): the scheduled time, or the
    /// length-and-speed rule. `None` when neither is given (a validation error).
    pub fn run_min(&self, i: usize) -> Option<f64> {
        let s = &self.stops[i];
        match (s.run_min, s.km, self.speed_kmh) {
            (Some(r), _, _) => Some(r),
            (None, Some(km), Some(v)) if v > 0.0 => Some(km / v * 60.0 + self.mode.accel_min()),
            _ => None,
        }
    }

    /// Dwell at stop `i`, minutes.
    pub fn dwell_at(&self, i: usize) -> f64 {
        self.stops[i].dwell_min.unwrap_or(self.dwell_min)
    }
}

/// Kind of an explicit link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// A walk between two places.
    Walk,
    /// A transfer between platforms or stations.
    Transfer,
    /// An access leg between a place and a station by local bus, taxi or similar (not used by the station-to-station indicator).
    Access,
}

impl LinkKind {
    /// The lowercase name used in the network files (`walk`, `transfer`, `access`).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Walk => "walk",
            LinkKind::Transfer => "transfer",
            LinkKind::Access => "access",
        }
    }
}

/// An explicit, bidirectional link between two places.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Place id of one end.
    pub from: String,
    /// Place id of the other end.
    pub to: String,
    /// Minutes; `None` for a walk computed from the distance.
    pub minutes: Option<f64>,
    /// What kind of link it is.
    pub kind: LinkKind,
    /// Where the minutes come from.
    pub source: String,
    /// File and line this link was read from.
    pub origin: Origin,
}

/// A bidirectional road link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Road {
    /// Unique road id.
    pub id: String,
    /// Place id of one end (usually a road node).
    pub from: String,
    /// Place id of the other end (usually a road node).
    pub to: String,
    /// Name in English.
    pub name: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// Length, km.
    pub km: f64,
    /// Free-flow speed, km/h.
    pub speed_kmh: f64,
    /// Peak travel-time multiplier (>= 1).
    pub congestion: f64,
    /// Date the road opened; `None` if it predates the data.
    pub opened: Option<Date>,
    /// Where the figures come from.
    pub source: String,
    /// File and line this road was read from.
    pub origin: Origin,
}

impl Road {
    /// Peak driving minutes.
    pub fn minutes(&self) -> f64 {
        self.km / self.speed_kmh * 60.0 * self.congestion
    }
}

/// Walking links created automatically between nearby places.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WalkSettings {
    /// Walking speed, km/h.
    pub speed_kmh: f64,
    /// Ratio of street to straight-line distance (e.g. 1.3).
    pub detour: f64,
    /// Places within this straight-line distance, metres, are joined by a walk.
    pub radius_m: f64,
}

impl Default for WalkSettings {
    fn default() -> Self {
        WalkSettings {
            speed_kmh: 4.5,
            detour: 1.3,
            radius_m: 800.0,
        }
    }
}

/// Automatic access links from each zone to every station within `radius_km` (feeder bus,
/// taxi, bike).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessSettings {
    /// Access speed (feeder bus, taxi, bike), km/h.
    pub speed_kmh: f64,
    /// Ratio of road to straight-line distance (e.g. 1.3).
    pub detour: f64,
    /// Stations within this straight-line distance of a zone, km, get an access link.
    pub radius_km: f64,
    /// Points and grid cells (accessibility): the longest leg by this local mode to or from a
    /// station, minutes (0: points reach stations on foot only, within the walking radius).
    pub point_max_min: f64,
}

impl Default for AccessSettings {
    fn default() -> Self {
        AccessSettings {
            speed_kmh: 15.0,
            detour: 1.3,
            radius_km: 8.0,
            point_max_min: 0.0,
        }
    }
}

/// Automatic connectors from places onto the road network, for the car profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CarSettings {
    /// Local driving speed on connectors, km/h.
    pub speed_kmh: f64,
    /// Ratio of street to straight-line distance on connectors (e.g. 1.4).
    pub detour: f64,
    /// Road nodes within this straight-line distance of a place, km, get a connector.
    pub radius_km: f64,
    /// Minutes added for parking at the end of a car trip.
    pub park_min: f64,
    /// Road nodes are joined to every other road node within this radius by local
    /// roads (at `speed_kmh` and `detour`, no parking): a new expressway whose end nodes lie
    /// near the existing skeleton joins it without listing every slip road.
    pub junction_radius_km: f64,
}

impl Default for CarSettings {
    fn default() -> Self {
        CarSettings {
            speed_kmh: 25.0,
            detour: 1.4,
            radius_km: 15.0,
            park_min: 5.0,
            junction_radius_km: 10.0,
        }
    }
}

/// How the expected wait at a boarding is charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum WaitPolicy {
    /// Half the headway: random arrivals at a regular service.
    #[default]
    Half,
    /// The full headway: the worst case.
    Full,
    /// Half the headway, capped at `cap_min` (travellers time their arrival at infrequent
    /// services).
    Capped,
}

/// How waits and boardings are charged and how far searches go.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingSettings {
    /// How the expected wait at a boarding is charged.
    pub wait: WaitPolicy,
    /// Cap on the expected wait under [`WaitPolicy::Capped`], minutes.
    pub cap_min: f64,
    /// Perceived minutes added to every boarding.
    pub board_penalty_min: f64,
    /// Searches stop beyond this many minutes.
    pub bound_min: f64,
}

impl Default for RoutingSettings {
    fn default() -> Self {
        RoutingSettings {
            wait: WaitPolicy::Half,
            cap_min: 10.0,
            board_penalty_min: 1.0,
            bound_min: 150.0,
        }
    }
}

impl RoutingSettings {
    /// Expected wait for a service with this headway, minutes.
    pub fn wait_min(&self, headway_min: f64) -> f64 {
        match self.wait {
            WaitPolicy::Half => headway_min / 2.0,
            WaitPolicy::Full => headway_min,
            WaitPolicy::Capped => (headway_min / 2.0).min(self.cap_min),
        }
    }
}

/// All settings of a network.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Settings {
    /// Automatic walking links.
    pub walking: WalkSettings,
    /// Automatic access links from zones to stations.
    pub access: AccessSettings,
    /// The car profile's connectors onto the road network.
    pub car: CarSettings,
    /// Waits, boarding penalty and search bound.
    pub routing: RoutingSettings,
    /// Service hours of services without trips or bands, in the timetable modes.
    pub timetable: TimetableSettings,
    /// Thresholds of checks that depend on where the data come from.
    pub validation: ValidationSettings,
}

/// Thresholds of validation checks that depend on where the data come from (`[validation]`
/// in the root manifest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidationSettings {
    /// Stations with different names closer than this, metres, are an error (a coordinate
    /// copied from another station); 0 turns the check off (imported GTFS stops: an
    /// operator's stops on either side of a street are distinct places, often a few metres
    /// apart).
    pub station_separation_m: f64,
}

impl Default for ValidationSettings {
    fn default() -> Self {
        ValidationSettings {
            station_separation_m: 50.0,
        }
    }
}

/// A whole network: what the files say, with string ids.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Network {
    /// Short name of the network (its folder name).
    pub name: String,
    /// Human-readable title (the name if the manifest gives none).
    pub title: String,
    /// lon_min, lat_min, lon_max, lat_max.
    pub bbox: [f64; 4],
    /// The plan's base year, if the manifest gives one.
    pub base_year: Option<i32>,
    /// The day the data describe (`valid_on` in the manifest): commands without a date use the
    /// network as it runs on this day.
    pub valid_on: Option<Date>,
    /// Walking, access, car and routing settings.
    pub settings: Settings,
    /// Stations, centres, zones and road nodes.
    pub places: Vec<Place>,
    /// Stopping patterns of every line.
    pub services: Vec<Service>,
    /// Road links.
    pub roads: Vec<Road>,
    /// Explicit walk, transfer and access links.
    pub links: Vec<Link>,
    /// The main stations of each centre (the plan's station-to-station indicator).
    pub main_stations: Vec<MainStation>,
    /// Calendars of timetabled trips and bands.
    pub calendars: Vec<ServiceCalendar>,
    /// Timetabled trips (explicit times).
    pub trips: Vec<Trip>,
    /// Headway bands.
    pub bands: Vec<Band>,
    /// The street data the network names (`[streets]` in the root manifest), if any: walking
    /// and driving graphs from an OpenStreetMap extract (`io::osm`). Networks without it keep
    /// the straight-line walking model.
    pub streets: Option<StreetsFile>,
    /// The population surface the network names (`[population]` in the root manifest), if
    /// any: the people counted by `compare`, the centre `rank` and the isochrones' bands
    /// (networks without one count the zones' populations).
    pub population: Option<PopulationFile>,
}

/// A population surface: GeoJSON polygons with a count of people each, spread uniformly
/// over each polygon (`[population] surface = "..."`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationFile {
    /// The path as written in the manifest (relative to it).
    pub surface: String,
    /// The property holding the people of each polygon.
    pub column: String,
    /// The cell size of the grid the polygons are spread over, metres.
    pub cell_m: f64,
    /// The file's text (read when the network is loaded; parsed when it is used).
    #[serde(with = "shared_text")]
    pub text: std::sync::Arc<str>,
    /// The manifest (and line) that names it.
    pub origin: Origin,
}

impl std::fmt::Debug for PopulationFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PopulationFile")
            .field("surface", &self.surface)
            .field("column", &self.column)
            .field("cell_m", &self.cell_m)
            .field("text_bytes", &self.text.len())
            .field("origin", &self.origin)
            .finish()
    }
}

/// A shared text written and read as a plain string (the compiled-model cache).
mod shared_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(text: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
        Ok(Arc::from(String::deserialize(d)?))
    }
}

/// The OpenStreetMap extract a network names (`[streets] osm = "..."`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StreetsFile {
    /// The path as written in the manifest (relative to it).
    pub osm: String,
    /// The file on disk, resolved against the network folder.
    pub path: std::path::PathBuf,
    /// The manifest (and line) that names it.
    pub origin: Origin,
    /// Read the street graphs through the compiled-model cache beside the extract
    /// (`io::cache`, which may write `.onehour-cache/` in the folder). Set only by the command
    /// line's cached loading of an imported folder; a network loaded by the library (the
    /// server, the Python package) reads the extract and writes nothing.
    #[serde(default)]
    pub cache: bool,
}

/// Days on which timetabled trips and bands run (a row of a `calendars` CSV; GTFS
/// `calendar.txt` and `calendar_dates.txt` in one record).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceCalendar {
    /// Calendar id, unique in the network.
    pub id: String,
    /// Running weekdays, Monday first.
    pub weekdays: [bool; 7],
    /// First day of the range (a full date).
    pub start: Date,
    /// Last day of the range, inclusive (a full date).
    pub end: Date,
    /// Extra running days (holiday timetables, special days).
    pub added: Vec<Date>,
    /// Days removed from the range.
    pub removed: Vec<Date>,
    /// Where the calendar comes from (the timetable's validity as published).
    pub source: String,
    /// File and line.
    pub origin: Origin,
}

/// One stop of a timetabled trip. Times are seconds since the service day's midnight and may
/// pass 24:00.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TripStop {
    /// Station id; a station of the trip's service, in the service's order or its reverse.
    pub at: String,
    /// Arrival, seconds since midnight of the service day.
    pub arrive: u32,
    /// Departure, seconds since midnight of the service day (>= `arrive`).
    pub depart: u32,
    /// File and line of this row.
    pub origin: Origin,
}

/// One scheduled run of a service (rows of a `trips` CSV). Its stops are a subsequence of
/// its service's stops, forward or (for services running both ways) backward: a timetable
/// may skip stations that the service pattern serves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trip {
    /// Trip id (a train number), unique in the network.
    pub id: String,
    /// Service id this trip belongs to.
    pub service: String,
    /// Calendar id.
    pub calendar: String,
    /// Stops in running order, at least two.
    pub stops: Vec<TripStop>,
    /// Where its times come from (timetable, date).
    pub source: String,
    /// File and line of its first row.
    pub origin: Origin,
}

/// Direction of a band along its service's stop list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BandDirection {
    /// In the listed stop order.
    Forward,
    /// Against it (only for services running both ways).
    Backward,
}

/// Departures every headway within a time band (a row of a `bands` CSV; GTFS
/// `frequencies.txt`). Trips run the service's full stop pattern with its run and dwell times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Service id.
    pub service: String,
    /// Calendar id.
    pub calendar: String,
    /// Which way along the service's stops.
    pub direction: BandDirection,
    /// First departure from the first stop, seconds since midnight of the service day.
    pub start: u32,
    /// End of the band, exclusive: departures are before this.
    pub end: u32,
    /// Headway, seconds.
    pub headway_s: u32,
    /// `true`: departures exactly at `start + n * headway`; `false`: the headway is an average
    /// and departures are drawn (see the timetable engine's draws).
    pub exact: bool,
    /// Where the band comes from.
    pub source: String,
    /// File and line.
    pub origin: Origin,
}

/// Timetable settings (`[timetable]` in the root manifest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimetableSettings {
    /// Services with neither trips nor bands run, in the timetable modes, as a band of their
    /// `headway_min` (inexact) from `default_start` ...
    pub default_start: String,
    /// ... to `default_end` (exclusive), every day. An estimate, said in outputs.
    pub default_end: String,
    /// The IANA time zone of the clock times of trips and bands (e.g. `Asia/Shanghai`), for
    /// the GTFS export; optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The web page of whoever publishes the timetables (GTFS `agency_url` and
    /// `feed_publisher_url` of an export); optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher_url: Option<String>,
}

/// Whether `tz` has the form of an IANA time zone name: one of the database's areas, then
/// `/` and a location of letters, digits and `_-+/` (`Asia/Shanghai`,
/// `America/Argentina/Buenos_Aires`, `Etc/GMT+8`). Whether the zone exists is not checked.
pub fn iana_zone_form(tz: &str) -> bool {
    const AREAS: [&str; 11] = [
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
        "Etc",
    ];
    tz.split_once('/').is_some_and(|(area, place)| {
        AREAS.contains(&area)
            && !place.is_empty()
            && place
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
    })
}

impl Default for TimetableSettings {
    fn default() -> Self {
        TimetableSettings {
            default_start: "06:00".into(),
            default_end: "23:00".into(),
            timezone: None,
            publisher_url: None,
        }
    }
}

/// A main station of a centre: rail trips of the station-to-station indicator start and end at
/// the main stations of the two centres.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MainStation {
    /// Place id of the centre.
    pub centre: String,
    /// Place id of the station.
    pub station: String,
    /// Why this is a main station of the centre.
    pub source: String,
    /// File and line this record was read from.
    pub origin: Origin,
}

impl Network {
    /// Map from place id to index. Later duplicates are ignored (validation reports them).
    pub fn place_index(&self) -> HashMap<&str, PlaceIdx> {
        let mut m = HashMap::with_capacity(self.places.len());
        for (i, p) in self.places.iter().enumerate() {
            m.entry(p.id.as_str()).or_insert(PlaceIdx::from_idx(i));
        }
        m
    }

    /// Map from service id to index. Later duplicates are ignored (validation reports them).
    pub fn service_index(&self) -> HashMap<&str, ServiceIdx> {
        let mut m = HashMap::with_capacity(self.services.len());
        for (i, s) in self.services.iter().enumerate() {
            m.entry(s.id.as_str()).or_insert(ServiceIdx::from_idx(i));
        }
        m
    }

    /// The place at index `p`.
    pub fn place(&self, p: PlaceIdx) -> &Place {
        &self.places[p.idx()]
    }

    /// The centres, in file order.
    pub fn centres(&self) -> Vec<PlaceIdx> {
        self.places_of(PlaceKind::Centre)
    }

    /// The zones, in file order.
    pub fn zones(&self) -> Vec<PlaceIdx> {
        self.places_of(PlaceKind::Zone)
    }

    /// The places of one kind, in file order.
    pub fn places_of(&self, kind: PlaceKind) -> Vec<PlaceIdx> {
        self.places
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == kind)
            .map(|(i, _)| PlaceIdx::from_idx(i))
            .collect()
    }

    /// The network as it was at the end of `year` (see [`Network::as_on`]).
    pub fn as_of(&self, year: i32) -> Network {
        self.as_on(Date::end_of_year(year))
    }

    /// The network as it runs on `day`: services and roads that open later, and patterns that
    /// last ran before it, are dropped ([`runs_on`] says how partial dates count). Places are
    /// kept (an unserved station is harmless).
    pub fn as_on(&self, day: Date) -> Network {
        self.clone().into_as_on(day)
    }

    /// [`Network::as_on`] without a copy: the network itself, taken as of `day`.
    pub fn into_as_on(mut self, day: Date) -> Network {
        self.services
            .retain(|s| runs_on(Some(s.opened), s.closed, day));
        self.roads.retain(|r| runs_on(r.opened, None, day));
        self.drop_orphan_timetables();
        self
    }

    /// Drops the trips and bands of services that are no longer in the network (after a
    /// date filter or a removal).
    pub fn drop_orphan_timetables(&mut self) {
        let ids: std::collections::HashSet<&str> =
            self.services.iter().map(|s| s.id.as_str()).collect();
        self.trips.retain(|t| ids.contains(t.service.as_str()));
        self.bands.retain(|b| ids.contains(b.service.as_str()));
    }

    /// The ids of the stations some service calls at.
    pub fn served_stations(&self) -> std::collections::HashSet<&str> {
        self.services
            .iter()
            .flat_map(|s| s.stops.iter().map(|st| st.at.as_str()))
            .collect()
    }

    /// The station ids listed as main stations of centre `centre` (an id), in file order.
    pub fn main_stations_of(&self, centre: &str) -> Vec<&str> {
        self.main_stations
            .iter()
            .filter(|m| m.centre == centre)
            .map(|m| m.station.as_str())
            .collect()
    }
}

/// The mean Earth radius of [`haversine_m`], metres.
const EARTH_R_M: f64 = 6_371_008.8;

/// Great-circle distance in metres (haversine, mean Earth radius).
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_R_M * a.sqrt().asin()
}

/// Distance between two places, metres.
pub fn place_distance_m(a: &Place, b: &Place) -> f64 {
    haversine_m(a.lon, a.lat, b.lon, b.lat)
}

/// Every pair (i in `from`, j in `to`, i != j) of places closer than `radius_m`, with the
/// distance in metres, sorted by (i, j). Places without a valid WGS84 coordinate are skipped.
///
/// A grid of cells at least `radius_m` wide in both directions: cells are `radius_m` tall in
/// latitude, and in longitude widened by 1 / cos of the largest latitude involved (a degree of
/// longitude is shorter than one of latitude), so the 3 x 3 cells around a place hold every
/// place within the radius. Shared, with [`pairs_among`] (each pair of one set once), by the
/// automatic links of `graph`, the station separation check of `validate` and the import's
/// street links.
///
/// Automatic links use "everything within a radius" rather than "the k nearest" on purpose:
/// adding a place then only ever adds links, so adding a project can never lengthen a trip.
pub fn pairs_within(
    net: &Network,
    from: &[usize],
    to: &[usize],
    radius_m: f64,
) -> Vec<(usize, usize, f64)> {
    pairs_kept(net, from, to, radius_m, |i, j| i != j)
}

/// The pairs of [`pairs_within`] among `among` with i < j only: each pair once, at half the
/// distance computations (the distance is symmetric to the bit, so these are exactly the pairs
/// and distances of `pairs_within(net, among, among, radius_m)` with i < j, in the same order).
pub fn pairs_among(net: &Network, among: &[usize], radius_m: f64) -> Vec<(usize, usize, f64)> {
    pairs_kept(net, among, among, radius_m, |i, j| i < j)
}

/// [`pairs_within`] over the pairs (i, j) that `keep` accepts.
fn pairs_kept(
    net: &Network,
    from: &[usize],
    to: &[usize],
    radius_m: f64,
    keep: impl Fn(usize, usize) -> bool + Sync,
) -> Vec<(usize, usize, f64)> {
    let ok = |i: &&usize| {
        let p = &net.places[**i];
        (-180.0..=180.0).contains(&p.lon) && (-89.0..=89.0).contains(&p.lat)
    };
    let from: Vec<usize> = from.iter().filter(ok).copied().collect();
    let to: Vec<usize> = to.iter().filter(ok).copied().collect();
    let dlat = radius_m / 110_000.0; // a degree of latitude is at least 110.5 km
    if dlat.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return vec![];
    }
    let max_lat = from
        .iter()
        .chain(&to)
        .map(|&i| net.places[i].lat.abs())
        .fold(0.0, f64::max);
    let dlon = dlat / max_lat.to_radians().cos();
    let cell = |p: &Place| ((p.lon / dlon).floor() as i64, (p.lat / dlat).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for &j in &to {
        grid.entry(cell(&net.places[j])).or_default().push(j);
    }
    // A great circle is never shorter than the difference of latitude along a meridian:
    // pairs farther apart than that in latitude alone skip the haversine (with a margin for
    // rounding, so no pair within the radius is ever skipped).
    let max_dlat = (radius_m * (1.0 + 1e-9) + 1e-6) / EARTH_R_M;
    let near = |i: usize| {
        let a = &net.places[i];
        let (cx, cy) = cell(a);
        let mut v = Vec::new();
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &j in grid
                    .get(&(cx + dx, cy + dy))
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    let b = &net.places[j];
                    if keep(i, j) && (b.lat - a.lat).to_radians().abs() <= max_dlat {
                        let d = place_distance_m(a, b);
                        if d <= radius_m {
                            v.push((i, j, d));
                        }
                    }
                }
            }
        }
        v
    };
    // Side by side over the origins (thousands of stops make this a visible part of loading
    // or importing a network); the sort makes the order independent of the threads.
    let mut out: Vec<(usize, usize, f64)> = from.par_iter().flat_map_iter(|&i| near(i)).collect();
    out.par_sort_by_key(|x| (x.0, x.1));
    out
}
