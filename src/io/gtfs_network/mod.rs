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
use std::path::PathBuf;

use crate::io::gtfs::{import_gtfs, FeedSummary, GtfsOptions};
use crate::network::model::{Network, Origin, Settings, TimetableSettings, ValidationSettings};
use crate::network::problem::{Problem, Problems, Severity};
use crate::network::timetable::Day;
use crate::network::validate;

mod build;
mod convert;
mod files;
mod prepare;

pub use convert::{mode_of_route_type, sanitise_id, HEADWAY_WINDOW};
pub use files::{network_files, toml_str};

use build::{build, Built};
use convert::date_of;
use prepare::{prepare, Prepared};

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct NetworkImportOptions {
    /// Leave out rows and trips with problems (each reported as a warning) instead of failing.
    pub lenient: bool,
    /// Build and validate the whole network in every round of a lenient import, not only
    /// the patterns the last round changed: the plain reference the tests hold the default
    /// to (the same network and warnings, more slowly).
    pub full_rounds: bool,
}

/// A network made from GTFS feeds; [`NetworkImport::files`] gives the files of its folder.
#[derive(Clone, Debug)]
pub struct NetworkImport {
    /// The network; its records' origins are the feed rows they came from.
    pub network: Network,
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

impl NetworkImport {
    /// The files of the network folder (name and contents), made from the network as it is
    /// now (a caller may have added to it, e.g. walking links along streets).
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        network_files(&self.network, &self.feeds)
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
    // Leaving trips out changes only their patterns (unless it moves the busiest date, which
    // sets every headway): after a full round, the rounds that follow build and validate the
    // patterns just changed, and a last full round checks the whole network.
    let mut pattern_of: Vec<Option<usize>> = vec![None; prep.ptrips.len()];
    for (k, pat) in prep.patterns.iter().enumerate() {
        for &i in &pat.trips {
            pattern_of[i] = Some(k);
        }
    }
    let mut only: Option<HashSet<usize>> = None;
    let mut full_busiest = None;
    let (built, problems) = loop {
        let mut built = build(&prep, &dropped, only.as_ref());
        let day = built.busiest.map(|(d, _)| d);
        if only.is_none() {
            full_busiest = day;
        } else if day != full_busiest {
            only = None;
            continue;
        }
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
            if only.take().is_none() {
                break (built, problems);
            }
            continue;
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
        let before = dropped.clone();
        let blamed = blame(&prep, &built, &problems, round, &mut dropped);
        only = (!opts.full_rounds).then(|| {
            dropped
                .difference(&before)
                .filter_map(|&i| pattern_of[i])
                .collect()
        });
        for e in problems.iter().filter(|e| e.is_error()) {
            left_out.push(Problem {
                severity: Severity::Warning,
                message: format!("{}; its trip left out (--lenient)", e.message),
                ..e.clone()
            });
        }
        if !blamed || dropped.len() == before.len() || round > 50 {
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
    Ok(NetworkImport {
        feeds: imp.feeds.clone(),
        warnings,
        busiest: built.busiest,
        dropped_trips: dropped.len(),
        renamed_ids: prep.renamed,
        network: built.net,
    })
}
