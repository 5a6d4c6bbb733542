//! Reading a feed: its files from a zip or a folder, each read row by row into
//! gtfs-structures' types, every row that cannot be read reported with its line and field.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use gtfs_structures as gtfs;
use serde::de::DeserializeOwned;

use crate::network::model::Origin;
use crate::network::problem::{Problem, Severity};

/// Where problems go: row problems are errors, or warnings when lenient.
pub(super) struct Sink {
    pub(super) lenient: bool,
    pub(super) problems: Vec<Problem>,
}

impl Sink {
    pub(super) fn row(&mut self, origin: Origin, record: String, message: String, fix: &str) {
        let mut p = Problem::error(&origin, record, message, fix);
        if self.lenient {
            p.severity = Severity::Warning;
        }
        self.problems.push(p);
    }
    pub(super) fn warn(&mut self, origin: Origin, record: String, message: String, fix: &str) {
        self.problems
            .push(Problem::warning(&origin, record, message, fix));
    }
    pub(super) fn fatal(&mut self, origin: Origin, message: String, fix: &str) {
        self.problems
            .push(Problem::error(&origin, String::new(), message, fix));
    }
}

/// A feed's files, from a zip or a folder. In a zip, files may sit in a subfolder.
pub(super) enum Source {
    Dir(PathBuf),
    Zip(zip::ZipArchive<BufReader<File>>, HashMap<String, usize>),
}

impl Source {
    pub(super) fn open(path: &Path) -> Result<Source, String> {
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
    pub(super) fn read(&mut self, file: &str) -> Result<Option<Vec<u8>>, String> {
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
pub(super) struct Table<T> {
    pub(super) file: String,
    pub(super) rows: Vec<(u32, T)>,
}

impl<T> Table<T> {
    pub(super) fn origin(&self, line: u32) -> Origin {
        Origin {
            file: self.file.clone(),
            line: Some(line as usize),
        }
    }
}

/// The columns of the feed file `name` that the import uses (and those gtfs-structures' types
/// require); empty for a file whose columns are all read.
pub(super) fn required_columns(name: &str) -> &'static [&'static str] {
    match name {
        "stops.txt" => &["stop_id", "stop_lat", "stop_lon"],
        "routes.txt" => &["route_id", "route_type"],
        "trips.txt" => &["route_id", "service_id", "trip_id"],
        "stop_times.txt" => &["trip_id", "stop_id", "stop_sequence"],
        "calendar.txt" => &[
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
        ],
        "calendar_dates.txt" => &["service_id", "date", "exception_type"],
        "frequencies.txt" => &["trip_id", "start_time", "end_time", "headway_secs"],
        _ => &[],
    }
}

/// A value of a time or date column that is not one (`None` if it is, or is empty): GTFS
/// times are `H:MM:SS` with minutes and seconds below 60 (hours may pass 24), dates
/// `YYYYMMDD` of the calendar. gtfs-structures would carry 25:99:00 over into 26:39:00, and
/// reports a bad date without its column.
pub(super) fn bad_time_or_date(column: &str, v: &str) -> Option<(String, &'static str)> {
    if v.is_empty() {
        return None;
    }
    if matches!(
        column,
        "arrival_time" | "departure_time" | "start_time" | "end_time"
    ) {
        let ok = match v.split(':').collect::<Vec<_>>()[..] {
            [h, m, s] => {
                let num = |t: &str, max: u32| {
                    !t.is_empty()
                        && t.bytes().all(|b| b.is_ascii_digit())
                        && t.parse::<u32>().is_ok_and(|x| x <= max)
                };
                (1..=3).contains(&h.len())
                    && num(h, 999)
                    && m.len() == 2
                    && num(m, 59)
                    && s.len() == 2
                    && num(s, 59)
            }
            _ => false,
        };
        return (!ok).then(|| {
            (
                format!("'{v}' is not a time H:MM:SS with minutes and seconds from 00 to 59"),
                "write the time as HH:MM:SS (past midnight as 25:10:00)",
            )
        });
    }
    if matches!(column, "date" | "start_date" | "end_date") {
        let ok = v.len() == 8
            && v.bytes().all(|b| b.is_ascii_digit())
            && crate::network::model::Date::parse(&format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..]))
                .is_some();
        return (!ok).then(|| {
            (
                format!("'{v}' is not a date of the calendar as YYYYMMDD"),
                "write the date as YYYYMMDD, e.g. 20190301",
            )
        });
    }
    None
}

pub(super) fn used_columns(name: &str) -> &'static [&'static str] {
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
pub(super) fn table_bytes(
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
pub(super) struct LineCounter<'a> {
    pub(super) body: &'a [u8],
    pub(super) seen: usize,
    pub(super) newlines: u32,
}

impl LineCounter<'_> {
    pub(super) fn at(&mut self, byte: u64) -> u32 {
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
pub(super) fn row_error<T: DeserializeOwned>(
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
pub(super) fn read_table<T: DeserializeOwned>(
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
    if let Ok(h) = rdr.headers() {
        let missing: Vec<&str> = required_columns(name)
            .iter()
            .copied()
            .filter(|c| !h.iter().any(|x| x == *c))
            .collect();
        if !missing.is_empty() {
            let has = if h.iter().all(str::is_empty) {
                "the file is empty".to_string()
            } else {
                format!(
                    "the header reads '{}'",
                    h.iter().collect::<Vec<_>>().join(",")
                )
            };
            sink.fatal(
                whole,
                format!("missing column(s) {}: {has}", missing.join(", ")),
                "give the file its header line with the columns the GTFS reference requires (gtfs.org/documentation/schedule/reference)",
            );
            return table;
        }
    }
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
    // The time and date columns, checked as written before gtfs-structures reads them.
    let checked: Vec<(usize, &str)> = headers
        .iter()
        .enumerate()
        .filter(|(_, c)| bad_time_or_date(c, "x").is_some())
        .collect();
    let mut records = 0usize;
    'rows: loop {
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
        records += 1;
        let line = rec.position().map_or(0, |p| lines.at(p.byte()));
        for &(i, column) in &checked {
            if let Some((message, fix)) = bad_time_or_date(column, rec.get(i).unwrap_or("")) {
                sink.row(table.origin(line), format!("field {column}"), message, fix);
                continue 'rows;
            }
        }
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
    if required && records == 0 {
        sink.fatal(
            whole,
            "a header and no rows".into(),
            "a feed needs rows in stops.txt, routes.txt, trips.txt and stop_times.txt",
        );
    }
    table
}

/// The column a row fails on, when the deserializer does not say (gtfs-structures' own field
/// parsers, e.g. for dates and coordinates, report no column): the first column whose value,
/// replaced by that of a row that was read (`good`), or else emptied, makes the row readable;
/// failing that, the first whose emptying changes the error.
pub(super) fn guess_field<T: DeserializeOwned>(
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
pub(super) fn deserialize_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
        _ => e.to_string(),
    }
}

/// The rows of one feed.
pub(super) struct Feed {
    pub(super) name: String,
    /// The file or folder name as given, without its directory.
    pub(super) file: String,
    pub(super) info: Table<gtfs::FeedInfo>,
    pub(super) agencies: Table<gtfs::Agency>,
    pub(super) stops: Table<gtfs::Stop>,
    pub(super) routes: Table<gtfs::Route>,
    pub(super) trips: Table<gtfs::RawTrip>,
    pub(super) stop_times: Table<gtfs::RawStopTime>,
    pub(super) calendar: Table<gtfs::Calendar>,
    pub(super) calendar_dates: Table<gtfs::CalendarDate>,
    pub(super) frequencies: Table<gtfs::RawFrequency>,
    pub(super) transfers: Table<gtfs::RawTransfer>,
}

pub(super) fn read_feed(path: &Path, name: String, sink: &mut Sink) -> Option<Feed> {
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

/// Reads every feed, named by its file or folder name (with `-<n>` when an earlier feed has
/// the same). A feed that cannot be read is reported and left out.
pub(super) fn read_feeds(paths: &[PathBuf], sink: &mut Sink) -> Vec<Feed> {
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
