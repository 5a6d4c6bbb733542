//! How GTFS values become network values: ids made valid and unique, route types as modes,
//! service days as dates, seconds as minutes, and the sources of records and feeds.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::io::gtfs::FeedSummary;
use crate::network::ids::Seconds;
use crate::network::model::{Date, Mode, Origin};
use crate::network::timetable::Day;

/// The window whose departures give each service's `headway_min`: 07:00 to 09:00.
pub const HEADWAY_WINDOW: (Seconds, Seconds) = (7 * 3600, 9 * 3600);

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
pub(super) struct Ids {
    pub(super) used: HashSet<String>,
    pub(super) renamed: usize,
}

impl Ids {
    pub(super) fn claim(&mut self, raw: &str) -> String {
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
pub(super) fn date_of(d: Day) -> Date {
    let (year, month, day) = d.ymd();
    Date {
        year,
        month: month as u8,
        day: day as u8,
    }
}

/// Minutes with at most four decimals (a third of a millisecond short of exact seconds, so
/// that `minutes × 60` rounds back to the seconds given).
pub(super) fn minutes(secs: f64) -> f64 {
    (secs / 60.0 * 10_000.0).round() / 10_000.0
}

/// Where a record came from, as a source: the feed file (with its feed_info), the file in it
/// and the line.
pub(super) fn source_of(desc: &HashMap<String, String>, o: &Origin) -> String {
    let (feed, file) = o.file.split_once('/').unwrap_or(("", o.file.as_str()));
    let d = desc.get(feed).cloned().unwrap_or_else(|| feed.to_string());
    match o.line {
        Some(l) => format!("{d}, {file} line {l}"),
        None => format!("{d}, {file}"),
    }
}

pub(super) fn feed_description(s: &FeedSummary) -> String {
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
