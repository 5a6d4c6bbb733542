//! Writing an imported network as the files of a network folder: one function per file, and
//! the manifest that lists them.

use std::fmt::Write as _;

use rayon::prelude::*;

use crate::io::gtfs::FeedSummary;
use crate::network::columns;
use crate::network::ids::{format_clock, write_clock};
use crate::network::load::format_weekdays;
use crate::network::model::{Date, Network};

use super::convert::{feed_description, minutes};

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A CSV file: `header`, then the rows `write` gives (fields borrowed, so a row costs no
/// copies of its strings).
fn csv_bytes(header: &[&str], write: impl FnOnce(&mut csv::Writer<Vec<u8>>)) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    write(&mut w);
    w.into_inner().unwrap_or_default()
}

fn num(x: f64) -> String {
    format!("{x}")
}

/// The files of a network folder for `net` (places are stations only, as an import makes
/// them): `network.toml`, `stations.csv`, `services.toml`, `calendars.csv`, and `trips.csv`,
/// `bands.csv` and `links.csv` when there is something to put in them.
pub fn network_files(net: &Network, feeds: &[FeedSummary]) -> Vec<(String, Vec<u8>)> {
    // The files are independent: made side by side (trips.csv and links.csv are the big ones).
    let ((stations, services), ((calendars, trips), (bands, links))) = rayon::join(
        || rayon::join(|| stations_csv(net), || services_toml(net).into_bytes()),
        || {
            rayon::join(
                || rayon::join(|| calendars_csv(net), || trips_csv(net)),
                || rayon::join(|| bands_csv(net), || links_csv(net)),
            )
        },
    );
    let mut files = Vec::new();
    let mut m = manifest_head(net, feeds);
    let mut list = |key: &str, file: &str, bytes: Vec<u8>, has: bool| {
        if has {
            let _ = writeln!(m, "{key} = [\"{file}\"]");
            files.push((file.to_string(), bytes));
        }
    };
    list("stations", "stations.csv", stations, !net.places.is_empty());
    list(
        "services",
        "services.toml",
        services,
        !net.services.is_empty(),
    );
    list(
        "calendars",
        "calendars.csv",
        calendars,
        !net.calendars.is_empty(),
    );
    list("trips", "trips.csv", trips, !net.trips.is_empty());
    list("bands", "bands.csv", bands, !net.bands.is_empty());
    list("links", "links.csv", links, !net.links.is_empty());
    manifest_settings(net, &mut m);
    files.insert(0, ("network.toml".to_string(), m.into_bytes()));
    files
}

/// `stations.csv`: every place, a station.
fn stations_csv(net: &Network) -> Vec<u8> {
    csv_bytes(columns::STATIONS, |w| {
        for p in &net.places {
            let _ = w.write_record([
                p.id.as_str(),
                &p.name,
                &p.name_zh,
                &p.city,
                &p.district,
                &num(p.lon),
                &num(p.lat),
                &num(p.interchange_min),
                &p.source,
            ]);
        }
    })
}

/// `services.toml`: every service with its stops.
fn services_toml(net: &Network) -> String {
    let mut services = String::from(
        "# Services imported from GTFS by `onehour import gtfs`: one per pattern (a route and its\n\
         # sequence of places), run and dwell times from the pattern's median trip by running time,\n\
         # headway_min the median gap between departures from the first stop from 07:00 to 09:00 on\n\
         # the feeds' busiest service date (each service's headway_source says which).\n",
    );
    for s in &net.services {
        services.push_str("\n[[service]]\n");
        let kv = |out: &mut String, k: &str, v: String| {
            let _ = writeln!(out, "{k} = {v}");
        };
        kv(&mut services, "id", toml_str(&s.id));
        kv(&mut services, "line", toml_str(&s.line));
        kv(&mut services, "mode", toml_str(s.mode.as_str()));
        kv(&mut services, "headway_min", num(s.headway_min));
        kv(&mut services, "dwell_min", num(s.dwell_min));
        kv(&mut services, "opened", toml_str(&s.opened.to_string()));
        kv(&mut services, "directions", toml_str("forward"));
        kv(&mut services, "source", toml_str(&s.source));
        kv(&mut services, "headway_source", toml_str(&s.headway_source));
        kv(&mut services, "opened_source", toml_str(&s.opened_source));
        if !s.estimate.is_empty() {
            kv(&mut services, "estimate", toml_str(&s.estimate));
        }
        services.push_str("stops = [\n");
        for st in &s.stops {
            let mut parts = vec![format!("at = {}", toml_str(&st.at))];
            if let Some(r) = st.run_min {
                parts.push(format!("run_min = {}", num(r)));
            }
            if let Some(d) = st.dwell_min {
                parts.push(format!("dwell_min = {}", num(d)));
            }
            let _ = writeln!(services, "  {{ {} }},", parts.join(", "));
        }
        services.push_str("]\n");
    }
    services
}

/// `calendars.csv`.
fn calendars_csv(net: &Network) -> Vec<u8> {
    let dates = |v: &[Date]| v.iter().map(Date::to_string).collect::<Vec<_>>().join(" ");
    csv_bytes(columns::CALENDARS, |w| {
        for c in &net.calendars {
            let _ = w.write_record([
                c.id.as_str(),
                &format_weekdays(&c.weekdays),
                &c.start.to_string(),
                &c.end.to_string(),
                &dates(&c.added),
                &dates(&c.removed),
                &c.source,
            ]);
        }
    })
}

/// `trips.csv`: one row per call, the source on a trip's first row. Blocks of trips are
/// written side by side and joined in order (the header on the first).
fn trips_csv(net: &Network) -> Vec<u8> {
    let blocks: Vec<Vec<u8>> = net
        .trips
        .par_chunks(512)
        .enumerate()
        .map(|(b, trips)| {
            let mut w = csv::Writer::from_writer(Vec::new());
            if b == 0 {
                let _ = w.write_record(columns::TRIPS);
            }
            let (mut arrive, mut depart) = (String::new(), String::new());
            for t in trips {
                for (k, s) in t.stops.iter().enumerate() {
                    arrive.clear();
                    write_clock(&mut arrive, s.arrive);
                    depart.clear();
                    write_clock(&mut depart, s.depart);
                    let _ = w.write_record([
                        t.service.as_str(),
                        &t.id,
                        &t.calendar,
                        &s.at,
                        &arrive,
                        &depart,
                        if k == 0 { &t.source } else { "" },
                    ]);
                }
            }
            w.into_inner().unwrap_or_default()
        })
        .collect();
    if blocks.is_empty() {
        return csv_bytes(columns::TRIPS, |_| {});
    }
    blocks.concat()
}

/// `bands.csv`.
fn bands_csv(net: &Network) -> Vec<u8> {
    csv_bytes(columns::BANDS, |w| {
        for b in &net.bands {
            let _ = w.write_record([
                b.service.as_str(),
                &b.calendar,
                "forward",
                &format_clock(b.start),
                &format_clock(b.end),
                &num(minutes(b.headway_s as f64)),
                &b.exact.to_string(),
                &b.source,
            ]);
        }
    })
}

/// `links.csv`.
fn links_csv(net: &Network) -> Vec<u8> {
    csv_bytes(columns::LINKS, |w| {
        for l in &net.links {
            let _ = w.write_record([
                l.from.as_str(),
                &l.to,
                &l.minutes.map(num).unwrap_or_default(),
                l.kind.as_str(),
                &l.source,
            ]);
        }
    })
}

/// The manifest's comments, name, title, bbox and date (the file lists follow).
fn manifest_head(net: &Network, feeds: &[FeedSummary]) -> String {
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# A network imported from GTFS by `onehour import gtfs` (docs/timetables.md, \"GTFS import\")."
    );
    for f in feeds {
        let _ = writeln!(m, "# {}", feed_description(f));
    }
    let _ = writeln!(m, "# No centres, zones or roads: `matrix` and `route` take station ids; add centres.csv for `check`.");
    let _ = writeln!(m, "name = {}", toml_str(&net.name));
    let _ = writeln!(m, "title = {}", toml_str(&net.title));
    let _ = writeln!(
        m,
        "# The stops' extent with a margin of 5 % (at least 0.01°)."
    );
    let b = net.bbox;
    let _ = writeln!(m, "bbox = [{}, {}, {}, {}]", b[0], b[1], b[2], b[3]);
    if let Some(d) = net.valid_on {
        let _ = writeln!(
            m,
            "# The feeds' busiest service date (the most departures); its departures from 07:00 to\n# 09:00 give each service's headway_min."
        );
        let _ = writeln!(m, "valid_on = \"{d}\"");
    }
    m
}

/// The manifest's sections after the file lists: `[timetable]`, `[validation]`, `[streets]`.
fn manifest_settings(net: &Network, m: &mut String) {
    let tt = &net.settings.timetable;
    m.push_str("\n[timetable]\n# Every imported service has trips or bands: these hours apply only to services added later\n# without them.\n");
    let _ = writeln!(m, "default_start = {}", toml_str(&tt.default_start));
    let _ = writeln!(m, "default_end = {}", toml_str(&tt.default_end));
    if let Some(z) = &tt.timezone {
        let _ = writeln!(
            m,
            "timezone = {}  # agency.txt agency_timezone",
            toml_str(z)
        );
    }
    if let Some(u) = &tt.publisher_url {
        let _ = writeln!(
            m,
            "publisher_url = {}  # feed_info.txt feed_publisher_url, else agency.txt agency_url",
            toml_str(u)
        );
    }
    m.push_str("\n[validation]\n# GTFS stops of one operator on either side of a street are distinct places, often a few metres\n# apart with different names: the check for differently named stations closer than 50 m is off.\n");
    let _ = writeln!(
        m,
        "station_separation_m = {}",
        num(net.settings.validation.station_separation_m)
    );
    if let Some(st) = &net.streets {
        m.push_str("\n[streets]\n# The OpenStreetMap extract of the area (© OpenStreetMap contributors, ODbL 1.0): walking\n# between stops within [walking] radius_m follows its streets (links.csv rows whose source\n# names it; pairs where a stop did not snap keep the straight-line model). See\n# docs/network-format.md, \"Streets\".\n");
        let _ = writeln!(m, "osm = {}", toml_str(&st.osm));
    }
}
