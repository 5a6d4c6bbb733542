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
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use gtfs_structures as gtfs;
use serde::de::DeserializeOwned;

use crate::network::ids::Seconds;
use crate::network::model::Origin;
use crate::network::problem::{Problem, Problems, Severity};
use crate::network::timetable::{
    access, haversine_m, Calendar, CalendarIdx, Day, FrequencyBand, Route, RouteIdx, Stop, StopIdx,
    StopKind, Timetable, TimetableBuilder, TripInput,
};

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

/// Where problems go: row problems are errors, or warnings when lenient.
struct Sink {
    lenient: bool,
    problems: Vec<Problem>,
}

impl Sink {
    fn row(&mut self, origin: Origin, record: String, message: String, fix: &str) {
        let mut p = Problem::error(&origin, record, message, fix);
        if self.lenient {
            p.severity = Severity::Warning;
        }
        self.problems.push(p);
    }
    fn warn(&mut self, origin: Origin, record: String, message: String, fix: &str) {
        self.problems
            .push(Problem::warning(&origin, record, message, fix));
    }
    fn fatal(&mut self, origin: Origin, message: String, fix: &str) {
        self.problems
            .push(Problem::error(&origin, String::new(), message, fix));
    }
}

/// A feed's files, from a zip or a folder. In a zip, files may sit in a subfolder.
enum Source {
    Dir(PathBuf),
    Zip(zip::ZipArchive<BufReader<File>>, HashMap<String, usize>),
}

impl Source {
    fn open(path: &Path) -> Result<Source, String> {
        if path.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        let f = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
        let zip = zip::ZipArchive::new(BufReader::new(f))
            .map_err(|e| format!("is neither a folder nor a readable zip file: {e}"))?;
        let mut names = HashMap::new();
        for i in 0..zip.len() {
            if let Some(name) = zip.name_for_index(i) {
                let base = name.rsplit('/').next().unwrap_or(name).to_string();
                names.entry(base).or_insert(i);
            }
        }
        Ok(Source::Zip(zip, names))
    }

    /// The bytes of `file`, `None` if the feed has no such file.
    fn read(&mut self, file: &str) -> Result<Option<Vec<u8>>, String> {
        let mut buf = Vec::new();
        match self {
            Source::Dir(dir) => {
                let p = dir.join(file);
                if !p.exists() {
                    return Ok(None);
                }
                File::open(&p)
                    .and_then(|mut f| f.read_to_end(&mut buf))
                    .map_err(|e| format!("cannot read: {e}"))?;
            }
            Source::Zip(zip, names) => {
                let Some(&i) = names.get(file) else {
                    return Ok(None);
                };
                zip.by_index(i)
                    .map_err(|e| format!("cannot unzip: {e}"))?
                    .read_to_end(&mut buf)
                    .map_err(|e| format!("cannot unzip: {e}"))?;
            }
        }
        Ok(Some(buf))
    }
}

/// The rows of one file that could be read, each with its line.
struct Table<T> {
    file: String,
    rows: Vec<(u32, T)>,
}

impl<T> Table<T> {
    fn origin(&self, line: u32) -> Origin {
        Origin {
            file: self.file.clone(),
            line: Some(line as usize),
        }
    }
}

/// The columns of the feed file `name` that the import uses (and those gtfs-structures' types
/// require); empty for a file whose columns are all read.
fn used_columns(name: &str) -> &'static [&'static str] {
    match name {
        "agency.txt" => &["agency_id", "agency_name", "agency_url", "agency_timezone"],
        "stops.txt" => &[
            "stop_id",
            "stop_name",
            "stop_lat",
            "stop_lon",
            "location_type",
            "parent_station",
        ],
        "routes.txt" => &[
            "route_id",
            "agency_id",
            "route_short_name",
            "route_long_name",
            "route_type",
        ],
        "trips.txt" => &["route_id", "service_id", "trip_id"],
        "stop_times.txt" => &[
            "trip_id",
            "arrival_time",
            "departure_time",
            "stop_id",
            "stop_sequence",
            "pickup_type",
            "drop_off_type",
            "shape_dist_traveled",
        ],
        "frequencies.txt" => &[
            "trip_id",
            "start_time",
            "end_time",
            "headway_secs",
            "exact_times",
        ],
        "feed_info.txt" => &[
            "feed_publisher_name",
            "feed_publisher_url",
            "feed_lang",
            "feed_start_date",
            "feed_end_date",
            "feed_version",
        ],
        "transfers.txt" => &[
            "from_stop_id",
            "to_stop_id",
            "transfer_type",
            "min_transfer_time",
        ],
        _ => &[],
    }
}

/// The bytes of `name` in a feed (a byte-order mark dropped), or `None` when the file is absent
/// (a fatal problem if `required`) or cannot be read.
fn table_bytes(
    src: &mut Source,
    name: &str,
    required: bool,
    whole: &Origin,
    sink: &mut Sink,
) -> Option<Vec<u8>> {
    match src.read(name) {
        Ok(Some(b)) => Some(match b.strip_prefix(b"\xef\xbb\xbf") {
            Some(body) => body.to_vec(),
            None => b,
        }),
        Ok(None) => {
            if required {
                sink.fatal(
                    whole.clone(),
                    "the feed has no such file".into(),
                    "a GTFS feed needs it",
                );
            }
            None
        }
        Err(e) => {
            sink.fatal(whole.clone(), e, "check the file");
            None
        }
    }
}

/// 1-based line numbers of byte offsets met in increasing order. Lines are counted from byte
/// offsets: csv's own line numbers are one short in files with CRLF line ends.
struct LineCounter<'a> {
    body: &'a [u8],
    seen: usize,
    newlines: u32,
}

impl LineCounter<'_> {
    fn at(&mut self, byte: u64) -> u32 {
        let body = self.body;
        // A record's position may be the line end that precedes it (CRLF files).
        let mut b = (byte as usize).min(body.len());
        while b < body.len() && (body[b] == b'\n' || body[b] == b'\r') {
            b += 1;
        }
        if b > self.seen {
            self.newlines += body[self.seen..b].iter().filter(|&&c| c == b'\n').count() as u32;
            self.seen = b;
        }
        self.newlines + 1
    }
}

/// The record (`field …`) and message of a row that gtfs-structures' type `T` cannot be read
/// from; `good` is a row that was read, if any.
fn row_error<T: DeserializeOwned>(
    e: &csv::Error,
    rec: &csv::StringRecord,
    headers: &csv::StringRecord,
    good: Option<&csv::StringRecord>,
) -> (String, String) {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            match err
                .field()
                .map(|f| f as usize)
                .or_else(|| guess_field::<T>(rec, headers, &deserialize_message(e), good))
            {
                Some(f) => (
                    format!("field {}", headers.get(f).unwrap_or("?")),
                    format!("'{}': {}", rec.get(f).unwrap_or(""), err.kind()),
                ),
                None => (String::new(), err.kind().to_string()),
            }
        }
        _ => (String::new(), e.to_string()),
    }
}

/// Reads `name` of a feed into gtfs-structures' type `T`, row by row; a row that cannot be
/// read is reported with its line and field and left out.
fn read_table<T: DeserializeOwned>(
    src: &mut Source,
    feed: &str,
    name: &str,
    required: bool,
    sink: &mut Sink,
) -> Table<T> {
    // Only the columns the import uses (and those gtfs-structures' types require) are read;
    // the others are renamed out of serde's sight, so that a bad value where nothing reads
    // it (e.g. route_text_color `0` in the Porto Alegre bus feed) loses no row.
    let used = used_columns(name);
    let file = format!("{feed}/{name}");
    let mut table = Table {
        file: file.clone(),
        rows: Vec::new(),
    };
    let whole = Origin {
        file: file.clone(),
        line: None,
    };
    let Some(body) = table_bytes(src, name, required, &whole, sink) else {
        return table;
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(&body[..]);
    let headers = match rdr.headers() {
        Ok(h) if used.is_empty() => h.clone(),
        Ok(h) => h
            .iter()
            .map(|c| {
                if used.contains(&c) {
                    c.to_string()
                } else {
                    format!("(unused) {c}")
                }
            })
            .collect(),
        Err(e) => {
            sink.fatal(whole, format!("cannot read the header: {e}"), "");
            return table;
        }
    };
    let mut rec = csv::StringRecord::new();
    let mut good: Option<csv::StringRecord> = None;
    let mut lines = LineCounter {
        body: &body,
        seen: 0,
        newlines: 0,
    };
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| lines.at(p.byte()) as usize);
                sink.row(
                    Origin {
                        file: file.clone(),
                        line,
                    },
                    String::new(),
                    format!("cannot read the row: {e}"),
                    "write it as CSV in UTF-8",
                );
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        let line = rec.position().map_or(0, |p| lines.at(p.byte()));
        match rec.deserialize::<T>(Some(&headers)) {
            Ok(row) => {
                if good.is_none() {
                    good = Some(rec.clone());
                }
                table.rows.push((line, row))
            }
            Err(e) => {
                let (record, message) = row_error::<T>(&e, &rec, &headers, good.as_ref());
                sink.row(
                    table.origin(line),
                    record,
                    message,
                    "see the GTFS reference for this field",
                );
            }
        }
    }
    table
}

/// The column a row fails on, when the deserializer does not say (gtfs-structures' own field
/// parsers, e.g. for dates and coordinates, report no column): the first column whose value,
/// replaced by that of a row that was read (`good`), or else emptied, makes the row readable;
/// failing that, the first whose emptying changes the error.
fn guess_field<T: DeserializeOwned>(
    rec: &csv::StringRecord,
    headers: &csv::StringRecord,
    error: &str,
    good: Option<&csv::StringRecord>,
) -> Option<usize> {
    let with = |i: usize, v: &str| {
        let changed: csv::StringRecord = rec
            .iter()
            .enumerate()
            .map(|(j, f)| if j == i { v } else { f })
            .collect();
        changed
            .deserialize::<T>(Some(headers))
            .map_err(|e| deserialize_message(&e))
    };
    let candidates = || (0..rec.len()).filter(|&i| !rec[i].is_empty());
    candidates()
        .find(|&i| {
            good.and_then(|g| g.get(i))
                .is_some_and(|v| with(i, v).is_ok())
        })
        .or_else(|| candidates().find(|&i| with(i, "").is_ok()))
        .or_else(|| candidates().find(|&i| with(i, "").err().as_deref() != Some(error)))
}

/// What a row's deserialization error says, without the position (which differs between a
/// row read from the file and a copy of it).
fn deserialize_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
        _ => e.to_string(),
    }
}

/// The rows of one feed.
struct Feed {
    name: String,
    /// The file or folder name as given, without its directory.
    file: String,
    info: Table<gtfs::FeedInfo>,
    agencies: Table<gtfs::Agency>,
    stops: Table<gtfs::Stop>,
    routes: Table<gtfs::Route>,
    trips: Table<gtfs::RawTrip>,
    stop_times: Table<gtfs::RawStopTime>,
    calendar: Table<gtfs::Calendar>,
    calendar_dates: Table<gtfs::CalendarDate>,
    frequencies: Table<gtfs::RawFrequency>,
    transfers: Table<gtfs::RawTransfer>,
}

fn read_feed(path: &Path, name: String, sink: &mut Sink) -> Option<Feed> {
    let mut src = match Source::open(path) {
        Ok(s) => s,
        Err(e) => {
            sink.fatal(
                Origin {
                    file: path.display().to_string(),
                    line: None,
                },
                e,
                "give a GTFS zip file or a folder of GTFS files",
            );
            return None;
        }
    };
    let n = name.as_str();
    let feed = Feed {
        agencies: read_table(&mut src, n, "agency.txt", false, sink),
        stops: read_table(&mut src, n, "stops.txt", true, sink),
        routes: read_table(&mut src, n, "routes.txt", true, sink),
        trips: read_table(&mut src, n, "trips.txt", true, sink),
        stop_times: read_table(&mut src, n, "stop_times.txt", true, sink),
        calendar: read_table(&mut src, n, "calendar.txt", false, sink),
        calendar_dates: read_table(&mut src, n, "calendar_dates.txt", false, sink),
        frequencies: read_table(&mut src, n, "frequencies.txt", false, sink),
        transfers: read_table(&mut src, n, "transfers.txt", false, sink),
        info: read_table(&mut src, n, "feed_info.txt", false, sink),
        file: path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.clone()),
        name,
    };
    if matches!(src.read("calendar.txt"), Ok(None))
        && matches!(src.read("calendar_dates.txt"), Ok(None))
    {
        sink.fatal(
            Origin {
                file: format!("{}/calendar.txt", feed.name),
                line: None,
            },
            "the feed has neither calendar.txt nor calendar_dates.txt".into(),
            "a GTFS feed needs one of them",
        );
    }
    Some(feed)
}

fn route_type_number(t: gtfs::RouteType) -> i16 {
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
fn day_of(year: i16, month: i8, day: i8) -> Option<Day> {
    Day::from_ymd(year as i32, month as u32, day as u32)
}

/// Which kind of id, for prefixing ids that collide across feeds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Ns {
    Stop,
    Route,
    Trip,
    Service,
    Agency,
}

/// How often an id occurs across feeds, per kind.
type IdCounts<'a> = HashMap<(Ns, &'a str), u32>;

fn count_ids<'a>(feeds: &'a [Feed]) -> IdCounts<'a> {
    let mut counts: IdCounts = HashMap::new();
    for f in feeds {
        let mut mine: HashSet<(Ns, &str)> = HashSet::new();
        mine.extend(f.stops.rows.iter().map(|(_, s)| (Ns::Stop, s.id.as_str())));
        mine.extend(
            f.routes
                .rows
                .iter()
                .map(|(_, r)| (Ns::Route, r.id.as_str())),
        );
        mine.extend(f.trips.rows.iter().map(|(_, t)| (Ns::Trip, t.id.as_str())));
        mine.extend(
            f.calendar
                .rows
                .iter()
                .map(|(_, c)| (Ns::Service, c.id.as_str())),
        );
        mine.extend(
            f.calendar_dates
                .rows
                .iter()
                .map(|(_, c)| (Ns::Service, c.service_id.as_str())),
        );
        mine.extend(
            f.agencies
                .rows
                .iter()
                .filter_map(|(_, a)| a.id.as_deref().map(|id| (Ns::Agency, id))),
        );
        for k in mine {
            *counts.entry(k).or_default() += 1;
        }
    }
    counts
}

/// References to ids that exist nowhere, gathered so that 10,000 trips of one missing route
/// make one problem.
#[derive(Default)]
struct Dangling {
    /// (file, field, id, file it should be in) → (count, first line), in order of first sight.
    seen: HashMap<(String, &'static str, String, &'static str), (usize, u32)>,
    order: Vec<(String, &'static str, String, &'static str)>,
}

impl Dangling {
    fn add(&mut self, file: &str, field: &'static str, id: &str, line: u32, target: &'static str) {
        let key = (file.to_string(), field, id.to_string(), target);
        match self.seen.get_mut(&key) {
            Some(e) => e.0 += 1,
            None => {
                self.seen.insert(key.clone(), (1, line));
                self.order.push(key);
            }
        }
    }
    fn report(self, sink: &mut Sink) {
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

/// Reads every feed, named by its file or folder name (with `-<n>` when an earlier feed has
/// the same). A feed that cannot be read is reported and left out.
fn read_feeds(paths: &[PathBuf], sink: &mut Sink) -> Vec<Feed> {
    let mut names: Vec<String> = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("feed{}", i + 1));
        let name = if names.contains(&stem) {
            format!("{stem}-{}", i + 1)
        } else {
            stem
        };
        names.push(name);
    }
    paths
        .iter()
        .zip(names)
        .filter_map(|(p, n)| read_feed(p, n, sink))
        .collect()
}

/// The ids of one feed as the timetable names them: as written, or prefixed with the feed's
/// name where another feed uses the same id.
struct FeedIds<'a> {
    name: &'a str,
    counts: &'a IdCounts<'a>,
}

impl FeedIds<'_> {
    /// The timetable's id for `id` of kind `ns`.
    fn ext(&self, ns: Ns, id: &str) -> String {
        if self.counts.get(&(ns, id)).copied().unwrap_or(0) > 1 {
            format!("{}:{id}", self.name)
        } else {
            id.to_string()
        }
    }
}

/// The trips of one feed that have a route and a calendar.
struct FeedTrips<'f> {
    /// Their positions in `rows`, by trip id.
    index: HashMap<&'f str, usize>,
    /// Line, trip, route and calendar.
    rows: Vec<(u32, &'f gtfs::RawTrip, RouteIdx, CalendarIdx)>,
    /// Trips left out with a problem already reported: their stop times and frequencies say
    /// nothing new.
    dropped: HashSet<&'f str>,
}

/// The timetable being built from the feeds, with what the steps of each feed share.
struct Importer<'o> {
    opts: &'o GtfsOptions,
    b: TimetableBuilder,
    sink: Sink,
    /// Stop pairs a transfers.txt gives (platforms of a station are linked on foot where none
    /// is given).
    given_pairs: HashSet<(StopIdx, StopIdx)>,
    /// The platforms of each station.
    children: HashMap<StopIdx, Vec<StopIdx>>,
    /// Each time zone, with the first feed that uses it.
    timezones: Vec<(String, String)>,
    origins: GtfsOrigins,
}

impl Importer<'_> {
    /// Adds one feed: agencies, stops, routes, calendars, trips with their stop times and
    /// frequencies, transfers. Returns what it held.
    fn feed(&mut self, feed: &Feed, ids: &FeedIds) -> FeedSummary {
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
    fn agencies<'f>(&mut self, feed: &'f Feed, sum: &mut FeedSummary) -> HashMap<&'f str, &'f str> {
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
    fn stops<'f>(
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
    fn stop_kind(
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
    fn stop_position(
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
    fn stop_parent(
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
    fn routes<'f>(
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
    fn calendars<'f>(
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
    fn trips<'f>(
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
    fn stop_times(
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
    fn frequencies(
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
    fn add_trips(
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
    fn transfers(&mut self, feed: &Feed, stops: &HashMap<&str, StopIdx>, sum: &mut FeedSummary) {
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
    fn warn_timezones(&mut self) {
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
    fn add_station_paths(&mut self) {
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
    fn finish(self, summaries: Vec<FeedSummary>) -> Result<GtfsImport, Problems> {
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
struct TripParts {
    /// Its rows of stop_times.txt.
    stop_times: Vec<Vec<usize>>,
    /// Left out: it calls at an unknown stop or at a station.
    bad: Vec<bool>,
    /// Its frequency bands, and the line of each.
    bands: Vec<Vec<FrequencyBand>>,
    band_lines: Vec<Vec<Origin>>,
}

fn walk_secs(a: &Stop, b: &Stop, speed: f64) -> Seconds {
    (haversine_m(a, b) / speed.max(0.1)).ceil() as Seconds
}

/// Arrival and departure at each stop of one trip (rows sorted by stop_sequence), empty times
/// interpolated by distance, checked not to decrease. `None` after reporting a problem.
fn trip_times(
    rows: &[usize],
    st: &Table<gtfs::RawStopTime>,
    b: &TimetableBuilder,
    stop_of: &dyn Fn(usize) -> StopIdx,
    sink: &mut Sink,
) -> Option<(Vec<Seconds>, Vec<Seconds>, usize)> {
    let n = rows.len();
    let row = |i: usize| &st.rows[rows[i]].1;
    let line = |i: usize| st.rows[rows[i]].0;
    let mut arr: Vec<Option<Seconds>> = Vec::with_capacity(n);
    let mut dep: Vec<Option<Seconds>> = Vec::with_capacity(n);
    for i in 0..n {
        let r = row(i);
        arr.push(r.arrival_time.or(r.departure_time));
        dep.push(r.departure_time.or(r.arrival_time));
    }
    for (i, what) in [(0, "first"), (n - 1, "last")] {
        if arr[i].is_none() {
            sink.row(
                st.origin(line(i)),
                format!(
                    "fields arrival_time, departure_time of trip_id {}",
                    row(i).trip_id
                ),
                format!("are empty at the trip's {what} stop; trip left out"),
                "give times at the first and last stop of every trip",
            );
            return None;
        }
    }
    let filled = interpolate(&mut arr, &mut dep, |a, z| {
        gap_distances(a, z, rows, st, b, stop_of)
    });
    let arr: Vec<Seconds> = arr.into_iter().map(Option::unwrap).collect();
    let dep: Vec<Seconds> = dep.into_iter().map(Option::unwrap).collect();
    if !times_in_order(&arr, &dep, rows, st, sink) {
        return None;
    }
    Some((arr, dep, filled))
}

/// Distance along a trip from its stop `a` to each stop up to `z` (positions in `rows`):
/// shape_dist_traveled where the whole gap has it, else straight lines between consecutive
/// stops.
fn gap_distances(
    a: usize,
    z: usize,
    rows: &[usize],
    st: &Table<gtfs::RawStopTime>,
    b: &TimetableBuilder,
    stop_of: &dyn Fn(usize) -> StopIdx,
) -> Vec<f64> {
    let shape: Option<Vec<f64>> = (a..=z)
        .map(|k| st.rows[rows[k]].1.shape_dist_traveled.map(f64::from))
        .collect();
    match shape {
        Some(d) if d[d.len() - 1] > d[0] => d.iter().map(|x| x - d[0]).collect(),
        _ => {
            let mut c = vec![0.0];
            for k in a + 1..=z {
                let d = haversine_m(b.stop(stop_of(rows[k - 1])), b.stop(stop_of(rows[k])));
                c.push(c[c.len() - 1] + d);
            }
            c
        }
    }
}

/// Fills each run of empty times between known ones (the first and last are known) in
/// proportion to the distance along the trip, `distances(a, z)` from stop `a` to each stop up
/// to `z`. Returns how many stops were filled.
fn interpolate(
    arr: &mut [Option<Seconds>],
    dep: &mut [Option<Seconds>],
    distances: impl Fn(usize, usize) -> Vec<f64>,
) -> usize {
    let n = arr.len();
    let mut filled = 0;
    let mut i = 0;
    while i < n {
        if arr[i].is_some() {
            i += 1;
            continue;
        }
        let a = i - 1;
        let mut z = i;
        while arr[z].is_none() {
            z += 1;
        }
        let cum = distances(a, z);
        let total = cum[cum.len() - 1];
        let (t0, t1) = (dep[a].unwrap(), arr[z].unwrap());
        for k in a + 1..z {
            let frac = if total > 0.0 {
                cum[k - a] / total
            } else {
                (k - a) as f64 / (z - a) as f64
            };
            let t = t0 as f64 + (t1 as f64 - t0 as f64).max(0.0) * frac;
            let t = t.round() as Seconds;
            arr[k] = Some(t);
            dep[k] = Some(t);
            filled += 1;
        }
        i = z + 1;
    }
    filled
}

/// Checks that a trip's times do not decrease: departure at or after arrival at each stop,
/// arrival at or after the departure from the stop before. Reports the first problem.
fn times_in_order(
    arr: &[Seconds],
    dep: &[Seconds],
    rows: &[usize],
    st: &Table<gtfs::RawStopTime>,
    sink: &mut Sink,
) -> bool {
    let row = |i: usize| &st.rows[rows[i]].1;
    let line = |i: usize| st.rows[rows[i]].0;
    let clock = crate::network::timetable::clock;
    for i in 0..arr.len() {
        if dep[i] < arr[i] {
            sink.row(
                st.origin(line(i)),
                format!("field departure_time of trip_id {}", row(i).trip_id),
                format!(
                    "{} is before the arrival_time {}; trip left out",
                    clock(dep[i]),
                    clock(arr[i])
                ),
                "depart at or after arriving",
            );
            return false;
        }
        if i > 0 && arr[i] < dep[i - 1] {
            sink.row(
                st.origin(line(i)),
                format!("field arrival_time of trip_id {}", row(i).trip_id),
                format!(
                    "{} is before the departure_time {} of the stop before; trip left out",
                    clock(arr[i]),
                    clock(dep[i - 1])
                ),
                "times must not decrease along a trip",
            );
            return false;
        }
    }
    true
}
