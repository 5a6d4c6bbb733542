//! `onehour export`: the network as GeoJSON or as a GTFS feed, or its compiled graph as DIMACS.

use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::error::{write_error, UserError};
use crate::cli::opts::NetOpts;
use crate::cli::output::emit;
use crate::cli::session::Session;
use crate::geo::isochrone::{self};
use crate::geo::network_geojson;
use crate::graph::Prepared;
use crate::io::dimacs;
use crate::io::gtfs_export;
use crate::network::model::Network;

/// Export formats of the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// RFC 7946 GeoJSON: places as points, services, roads and links as lines
    Geojson,
    /// The compiled graph of the chosen profile as a 9th DIMACS challenge `.gr` file (1-based
    /// node ids, weights in seconds), for other shortest-path tools
    Dimacs,
    /// A GTFS feed (zip): stations, one route per line, timetabled trips, bands and services
    /// without timetables as frequencies.txt, calendars (needs --out)
    Gtfs,
}

/// Flags of `onehour export`.
#[derive(Args, Debug, Clone)]
pub struct ExportArgs {
    /// Network, date, profile and routing options.
    #[command(flatten)]
    pub net: NetOpts,
    /// Scenario to apply first
    #[arg(long)]
    pub scenario: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ExportFormat::Geojson)]
    pub format: ExportFormat,
    /// Write to this file (atomically) instead of standard output
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// GTFS: the IANA time zone of the timetables (default: `timetable.timezone` in
    /// network.toml)
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,
    /// GTFS: the web address of whoever publishes the feed, its agency_url and
    /// feed_publisher_url (default: `timetable.publisher_url` in network.toml)
    #[arg(long, value_name = "URL")]
    pub publisher_url: Option<String>,
}

/// `onehour export`.
pub fn run(a: ExportArgs) -> Result<ExitCode> {
    let s = Session::open(&a.net)?;
    let net = s.network(a.scenario.as_deref())?;
    if a.format == ExportFormat::Gtfs {
        return export_gtfs(&a, &s, &net);
    }
    let text = match a.format {
        ExportFormat::Geojson => {
            isochrone::to_geojson_text(&network_geojson::network_features(&net))
        }
        ExportFormat::Gtfs => unreachable!("handled above"),
        ExportFormat::Dimacs => export_dimacs(
            &crate::graph::Prepared::new(net, s.opts.profile()),
            a.scenario.as_deref().unwrap_or("today"),
        )?,
    };
    emit(&a.out, &text)?;
    Ok(ExitCode::SUCCESS)
}

/// `onehour export --format gtfs`: the network of the session's day and scenario as a GTFS zip.
fn export_gtfs(a: &ExportArgs, s: &Session, net: &Network) -> Result<ExitCode> {
    let Some(out) = &a.out else {
        return Err(
            UserError("--format gtfs writes a zip file: give --out FEED.zip".into()).into(),
        );
    };
    let tt = &net.settings.timetable;
    let timezone = a.timezone.clone().or(tt.timezone.clone()).ok_or_else(|| {
        UserError("GTFS needs the time zone of the timetables: give --timezone (e.g. Asia/Shanghai) or set timezone in network.toml's [timetable]".into())
    })?;
    let publisher_url = a.publisher_url.clone().or(tt.publisher_url.clone()).ok_or_else(|| {
        UserError("GTFS needs the web address of whoever publishes the feed (agency_url, feed_publisher_url): give --publisher-url or set publisher_url in network.toml's [timetable]".into())
    })?;
    if !(publisher_url.starts_with("http://") || publisher_url.starts_with("https://")) {
        return Err(UserError(format!(
            "--publisher-url {publisher_url}: not an http:// or https:// address"
        ))
        .into());
    }
    if !crate::network::model::iana_zone_form(&timezone) {
        return Err(UserError(format!(
            "--timezone {timezone}: not an IANA time zone name such as Asia/Shanghai"
        ))
        .into());
    }
    let Some(day) = s.day else {
        return Err(UserError("the network has no valid_on date: give --date YYYY-MM-DD (the first day of the exported calendar of services without timetables)".into()).into());
    };
    let files = gtfs_export::gtfs_files(
        net,
        &gtfs_export::GtfsExportOptions {
            timezone,
            publisher_url,
            day,
            version: format!(
                "onehour export of {}, scenario {}, as of {day}",
                net.name,
                a.scenario.as_deref().unwrap_or("none")
            ),
        },
    );
    if gtfs_export::rows(&files, "trips.txt") == 0 {
        return Err(UserError(format!(
            "no service of {} runs on {day}: the feed would be empty; give a --date on which the network runs (its valid_on is {})",
            net.name,
            net.valid_on.map_or("not set".to_string(), |d| d.to_string())
        ))
        .into());
    }
    let bytes = gtfs_export::gtfs_zip(&files)?;
    crate::io::write::write_atomic(out, &bytes).map_err(|e| write_error(out, e))?;
    eprintln!("{}: {}", out.display(), gtfs_export::describe(&files));
    Ok(ExitCode::SUCCESS)
}

/// The compiled graph as DIMACS `.gr` text; comments say what the nodes are.
pub fn export_dimacs(p: &Prepared, scenario: &str) -> Result<String> {
    let g = &p.graph;
    let comments = vec![
        format!(
            "{} - onehour graph, {} profile, scenario {scenario}",
            p.net.title,
            g.profile.as_str()
        ),
        "weights are whole seconds".to_string(),
        format!(
            "nodes 1..={} are the places in network order (first: {}), the rest platform nodes",
            g.n_places,
            p.net.places.first().map(|x| x.id.as_str()).unwrap_or("-")
        ),
    ];
    let mut buf = Vec::new();
    dimacs::write_gr(&g.csr, &comments, &mut buf)?;
    Ok(String::from_utf8(buf)?)
}
