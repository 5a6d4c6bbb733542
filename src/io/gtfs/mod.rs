//! GTFS import: one or more feeds (zip files or folders) into one `Timetable`.
//!
//! The field parsers are gtfs-structures' (times past 24:00, dates, enumerations, colours):
//! each row is deserialized into its `Stop`, `Route`, `RawTrip`, `RawStopTime`, `Calendar`,
//! `CalendarDate`, `RawFrequency`, `RawTransfer` and `Agency` types. Its readers
//! (`RawGtfs`, `Gtfs`) are not used: they stop at the first bad row of a file, report neither
//! its line nor its field, and `Gtfs` stops at the first dangling reference. Here the csv reader
//! is driven row by row, so that every problem names the file, the line and the field, and all
//! of them are reported at once.
//!
//! Rules (docs/timetables.md gives the whole list):
//! - places are stations (`location_type` 1) and stops without a parent station; platforms
//!   hang under their station; entrances, generic nodes and boarding areas are not read.
//! - empty intermediate `arrival_time`/`departure_time` are interpolated by distance along the
//!   trip (`shape_dist_traveled` where every stop of the gap has it, else the straight-line
//!   distance between consecutive stops), as the GTFS reference allows; the first and last stop
//!   of a trip need times.
//! - `frequencies.txt` bands are kept with `exact_times`; times past 24:00 are kept as they are.
//! - `transfers.txt`: a transfer from a stop to itself is its minimum change time; between two
//!   stops it is a footpath (`min_transfer_time`, else 0 for a timed transfer, else the
//!   walking time); a station stands for each of its platforms; types 3 (not possible), 4 and
//!   5 (in-seat) are not modelled and are reported as warnings.
//! - several feeds: an id (stop, route, trip, service, agency) found in more than one feed is
//!   written `<feed>:<id>` in each of them; ids found in one feed only are kept as they are.
//! - a row with a problem is left out; strict imports (the default) then fail with every
//!   problem, lenient ones go on with the problems as warnings.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::network::problem::Problems;
use crate::network::timetable::TimetableBuilder;

mod ids;
mod import_types;
mod importer;
mod read;
mod trip_times;

pub use import_types::{
    FeedInfo, FeedSummary, GivenTransfer, GtfsImport, GtfsOptions, GtfsOrigins,
};

use ids::{count_ids, FeedIds};
use importer::Importer;
use read::{read_feeds, Sink};

/// Imports GTFS feeds (zip files or folders) into one timetable. Every problem names the file,
/// the line and the field; any error fails the import unless `opts.lenient`.
pub fn import_gtfs(paths: &[PathBuf], opts: &GtfsOptions) -> Result<GtfsImport, Problems> {
    let mut sink = Sink {
        lenient: opts.lenient,
        problems: Vec::new(),
    };
    let feeds = read_feeds(paths, &mut sink);
    let counts = count_ids(&feeds);
    let mut im = Importer {
        opts,
        b: TimetableBuilder::new(),
        sink,
        given_pairs: HashSet::new(),
        children: HashMap::new(),
        timezones: Vec::new(),
        origins: GtfsOrigins::default(),
    };
    let summaries = feeds
        .iter()
        .map(|feed| {
            im.feed(
                feed,
                &FeedIds {
                    name: &feed.name,
                    counts: &counts,
                },
            )
        })
        .collect();
    im.warn_timezones();
    im.add_station_paths();
    im.finish(summaries)
}
