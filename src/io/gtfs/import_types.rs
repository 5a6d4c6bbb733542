//! What a GTFS import takes ([`GtfsOptions`]) and gives ([`GtfsImport`]: the timetable with
//! what each feed brought in, where its stops came from and the transfers the feeds gave).

use std::collections::HashMap;

use crate::network::ids::Seconds;
use crate::network::model::Origin;
use crate::network::problem::Problem;
use crate::network::timetable::{Day, StopIdx, Timetable};

/// How to import.
#[derive(Clone, Debug)]
pub struct GtfsOptions {
    /// Leave out rows with problems and go on, reporting them as warnings (default: fail).
    pub lenient: bool,
    /// Footpaths are added between stops closer than this (straight line), where the feeds
    /// give none; 0 for none. Platforms of one station are always linked.
    pub walk_radius_m: f64,
    /// Walking speed for footpaths made from distances.
    pub walk_speed_m_s: f64,
}

impl Default for GtfsOptions {
    fn default() -> Self {
        GtfsOptions {
            lenient: false,
            walk_radius_m: 0.0,
            walk_speed_m_s: 1.2,
        }
    }
}

/// Counts of what one feed brought in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedSummary {
    /// The feed's name, the prefix of colliding ids: its file or folder name without
    /// extension, with `-<n>` appended (`n` its position among the paths, from 1) when an
    /// earlier feed has the same.
    pub name: String,
    /// Rows of `agency.txt`.
    pub agencies: usize,
    /// Stations kept (`location_type` 1).
    pub stations: usize,
    /// Stops and platforms kept (`location_type` 0).
    pub stops: usize,
    /// Routes kept.
    pub routes: usize,
    /// Trips kept, scheduled and frequency-based.
    pub trips: usize,
    /// Of those, the trips with `frequencies.txt` bands.
    pub frequency_trips: usize,
    /// Stop times of the trips kept.
    pub stop_times: usize,
    /// Stop times whose arrival and departure were both empty, filled by interpolation.
    pub interpolated: usize,
    /// Calendars (service ids) kept, from `calendar.txt` and `calendar_dates.txt` together.
    pub calendars: usize,
    /// Rows of `transfers.txt` kept (a row naming a station stands for each of its
    /// platforms).
    pub transfers: usize,
    /// The feed's file or folder name as given (no directory), for sources.
    pub file: String,
    /// `feed_info.txt`, when the feed has one.
    pub info: Option<FeedInfo>,
    /// The first agency's `agency_url`.
    pub agency_url: Option<String>,
    /// The first agency's `agency_timezone`.
    pub timezone: Option<String>,
}

/// What a feed's `feed_info.txt` says of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedInfo {
    /// `feed_publisher_name`.
    pub publisher: String,
    /// `feed_publisher_url`.
    pub publisher_url: String,
    /// `feed_version`, if given.
    pub version: Option<String>,
    /// `feed_start_date`, if given.
    pub start: Option<Day>,
    /// `feed_end_date`, if given.
    pub end: Option<Day>,
}

/// Where the records of an import came from (file and line in their feed), keyed by the ids
/// of the timetable, for messages and sources that name the feed's rows.
#[derive(Clone, Debug, Default)]
pub struct GtfsOrigins {
    /// Stop or station id → its `stops.txt` row.
    pub stops: HashMap<String, Origin>,
    /// Route id → its `routes.txt` row.
    pub routes: HashMap<String, Origin>,
    /// Calendar id → its `calendar.txt` row (or first `calendar_dates.txt` row).
    pub calendars: HashMap<String, Origin>,
    /// Trip id → the `stop_times.txt` row of each of its stops, in order.
    pub trip_stops: HashMap<String, Vec<Origin>>,
    /// Trip id → the `frequencies.txt` row of each of its bands, in order.
    pub trip_bands: HashMap<String, Vec<Origin>>,
    /// Trip id → its `trips.txt` row.
    pub trips: HashMap<String, Origin>,
    /// The rows of `transfers.txt` that were modelled, as given (a station not expanded).
    pub transfers: Vec<GivenTransfer>,
}

/// One modelled row of `transfers.txt`.
#[derive(Clone, Debug)]
pub struct GivenTransfer {
    /// `from_stop_id`.
    pub from: StopIdx,
    /// `to_stop_id`.
    pub to: StopIdx,
    /// `min_transfer_time`, 0 for a timed transfer, `None` for a recommended one without time.
    pub seconds: Option<Seconds>,
    /// Its row in `transfers.txt`.
    pub origin: Origin,
}

/// An imported timetable, with what each feed brought and the warnings.
#[derive(Clone, Debug)]
pub struct GtfsImport {
    /// The timetable of all feeds together.
    pub timetable: Timetable,
    /// What each feed brought, in the order of the paths given.
    pub feeds: Vec<FeedSummary>,
    /// Problems that did not fail the import: warnings, and in a lenient import the rows left
    /// out; each names file, line and field.
    pub warnings: Vec<Problem>,
    /// Where each record came from in its feed.
    pub origins: GtfsOrigins,
}
