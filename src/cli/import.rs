//! `onehour import gtfs FEED... --out DIR`: GTFS feeds as a network folder of onehour's own
//! format (the conversion is `io::gtfs_network`).

use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::{write_error, UserError};
use crate::io::gtfs_network::{import_network, NetworkImportOptions};

/// What `onehour import` reads.
#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// GTFS feeds (zip files or folders; several merge) as a network folder: stations, one
    /// service per pattern, trips, bands, calendars and transfers (docs/timetables.md)
    Gtfs(GtfsImportArgs),
}

/// Flags of `onehour import gtfs`.
#[derive(Args, Debug)]
pub struct GtfsImportArgs {
    /// GTFS feeds: zip files or folders
    #[arg(required = true, value_name = "FEED")]
    pub feeds: Vec<PathBuf>,
    /// The network folder to write (atomically; an existing folder is replaced only if it is
    /// empty or an earlier output of onehour)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Leave out rows and trips with problems, reporting each as a warning, instead of failing
    #[arg(long)]
    pub lenient: bool,
    /// Streets from OpenStreetMap: not yet (the accessibility issue, 14)
    #[arg(long, value_name = "FILE.osm.pbf")]
    pub osm: Option<PathBuf>,
}

/// Runs `onehour import`.
pub fn run(cmd: ImportCmd) -> Result<ExitCode> {
    let ImportCmd::Gtfs(a) = cmd;
    if let Some(osm) = &a.osm {
        return Err(UserError(format!(
            "--osm {}: streets from OpenStreetMap are not read yet; they come with the accessibility issue (14). Import without --osm: footpaths are straight lines between nearby stops",
            osm.display()
        ))
        .into());
    }
    for f in &a.feeds {
        if !f.exists() {
            return Err(UserError(format!(
                "{}: no such file or folder (give a GTFS zip file or a folder of GTFS files)",
                f.display()
            ))
            .into());
        }
    }
    // A path through a regular file cannot become a folder.
    if let Some(file) = a.out.ancestors().skip(1).find(|p| p.is_file()) {
        return Err(UserError(format!(
            "--out {}: {} is a file, not a folder",
            a.out.display(),
            file.display()
        ))
        .into());
    }
    let imp = import_network(&a.feeds, &NetworkImportOptions { lenient: a.lenient })?;
    for w in &imp.warnings {
        eprintln!("{w}");
    }
    crate::io::write::write_folder_atomic(&a.out, &imp.files)
        .map_err(|e| write_error(&a.out, e))?;
    let n = &imp.network;
    eprintln!(
        "{}: {} stations, {} services, {} trips, {} bands, {} calendars, {} links{}{}{} -> {}",
        imp.feeds
            .iter()
            .map(|f| f.file.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        n.places.len(),
        n.services.len(),
        n.trips.len(),
        n.bands.len(),
        n.calendars.len(),
        n.links.len(),
        imp.busiest
            .map(|(d, k)| format!("; valid_on {d}, the busiest service date ({k} departures)"))
            .unwrap_or_default(),
        if imp.dropped_trips > 0 {
            format!("; {} trip(s) left out (--lenient)", imp.dropped_trips)
        } else {
            String::new()
        },
        if imp.renamed_ids > 0 {
            format!("; {} id(s) made valid network ids", imp.renamed_ids)
        } else {
            String::new()
        },
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
