//! `onehour import gtfs FEED... [--osm FILE.osm.pbf] --out DIR`: GTFS feeds as a network
//! folder of onehour's own format (the conversion is `io::gtfs_network`), with walking between
//! stops along the streets of an OpenStreetMap extract (`io::osm`); `onehour import osm
//! FILE.osm.pbf --out DIR`: a network folder of streets alone.

use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::cli::error::{check_out, write_error, UserError};
use crate::graph::streets::Streets;
use crate::io::gtfs_network::{import_network, toml_str, NetworkImportOptions};
use crate::io::osm::{
    read_streets, street_walk_links, streets_file, OsmSummary, StreetLinkOptions,
};

/// The name of the OpenStreetMap extract inside an imported network folder.
pub const STREETS_FILE: &str = "streets.osm.pbf";

/// What `onehour import` reads.
#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// GTFS feeds (zip files or folders; several merge) as a network folder: stations, one
    /// service per pattern, trips, bands, calendars and transfers (docs/timetables.md)
    Gtfs(GtfsImportArgs),
    /// An OpenStreetMap extract (.osm.pbf) as a network folder of streets alone (no stations
    /// or services): the walking and driving graphs for later use, docs/network-format.md,
    /// "Streets"
    Osm(OsmImportArgs),
}

/// Flags of `onehour import osm`.
#[derive(Args, Debug)]
pub struct OsmImportArgs {
    /// The OpenStreetMap extract
    #[arg(value_name = "FILE.osm.pbf")]
    pub osm: PathBuf,
    /// The network folder to write (atomically; an existing folder is replaced only if it is
    /// empty or an earlier output of onehour)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
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
    /// Streets from an OpenStreetMap extract: copied into the folder and named in its
    /// manifest; stops snap to the nearest street (a report lists those that fail or snap
    /// far) and walking between stops within the walking radius follows the streets
    #[arg(long, value_name = "FILE.osm.pbf")]
    pub osm: Option<PathBuf>,
    /// With --osm: stops farther than this from a usable street do not snap (metres)
    #[arg(long, value_name = "M", default_value_t = 250.0)]
    pub snap_max_m: f64,
}

/// Reads an extract for an import, printing what it holds; problems exit 2.
fn streets_of(path: &Path) -> Result<(Streets, OsmSummary, Vec<u8>, String)> {
    let t = Instant::now();
    let (st, sum) = read_streets(path)?;
    let bytes = std::fs::read(path)
        .map_err(|e| UserError(format!("{}: cannot read: {e}", path.display())))?;
    let said = format!(
        "{}: {} highway way(s): walking {} ways, {} nodes, {} edges ({:.0} km, {:.1} % of nodes in the largest piece); driving {} ways, {} segments, {} arcs ({:.0} km; {} ways with a numeric maxspeed, the others at class defaults){}; read in {:.2} s",
        path.display(),
        sum.highway_ways,
        sum.walk_ways,
        st.num_nodes(),
        st.num_walk_edges(),
        st.walk_km(),
        100.0 * st.walk_largest_piece_share(),
        sum.car_ways,
        st.num_car_edges(),
        st.num_car_arcs(),
        st.car_km(),
        sum.car_ways_maxspeed,
        if sum.missing_nodes > 0 {
            format!(
                "; {} node(s) of kept ways missing from the extract (their segments left out)",
                sum.missing_nodes
            )
        } else {
            String::new()
        },
        t.elapsed().as_secs_f64()
    );
    Ok((st, sum, bytes, said))
}

fn check_input(f: &Path, what: &str) -> Result<()> {
    if !f.exists() {
        return Err(UserError(format!("{}: no such file or folder ({what})", f.display())).into());
    }
    Ok(())
}

/// `onehour import osm`: a network folder of streets alone.
fn run_osm(a: OsmImportArgs) -> Result<ExitCode> {
    check_input(&a.osm, "give an OpenStreetMap .osm.pbf extract")?;
    check_out(&a.out, true)?;
    let (st, _, bytes, said) = streets_of(&a.osm)?;
    eprintln!("{said}");
    let b = st.bbox().unwrap_or([-1.0, -1.0, 1.0, 1.0]);
    let (mx, my) = (
        ((b[2] - b[0]) * 0.05).max(0.01),
        ((b[3] - b[1]) * 0.05).max(0.01),
    );
    let down = |v: f64| (v * 1000.0).floor() / 1000.0;
    let up = |v: f64| (v * 1000.0).ceil() / 1000.0;
    let file = a
        .osm
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = file.split('.').next().unwrap_or("streets");
    let name = crate::io::gtfs_network::sanitise_id(stem);
    let manifest = format!(
        "# Streets imported from OpenStreetMap by `onehour import osm` (docs/network-format.md, \"Streets\"):\n\
         # {file} copied as {STREETS_FILE}, © OpenStreetMap contributors, ODbL 1.0.\n\
         # No stations, services or centres: routing commands have no places to route between;\n\
         # the streets serve walking and driving between arbitrary points (and a later\n\
         # `onehour import gtfs ... --osm` adds stations).\n\
         name = {}\ntitle = {}\n\
         # The street nodes' extent with a margin of 5 % (at least 0.01°).\n\
         bbox = [{}, {}, {}, {}]\n\n[streets]\nosm = \"{STREETS_FILE}\"\n",
        toml_str(&name),
        toml_str(&format!("Streets of {file}")),
        down(b[0] - mx).max(-180.0),
        down(b[1] - my).max(-90.0),
        up(b[2] + mx).min(180.0),
        up(b[3] + my).min(90.0),
    );
    let files = vec![
        ("network.toml".to_string(), manifest.into_bytes()),
        (STREETS_FILE.to_string(), bytes),
    ];
    crate::io::write::write_folder_atomic(&a.out, &files).map_err(|e| write_error(&a.out, e))?;
    eprintln!("-> {}", a.out.display());
    Ok(ExitCode::SUCCESS)
}

/// Runs `onehour import`.
pub fn run(cmd: ImportCmd) -> Result<ExitCode> {
    let a = match cmd {
        ImportCmd::Gtfs(a) => a,
        ImportCmd::Osm(a) => return run_osm(a),
    };
    for f in &a.feeds {
        check_input(f, "give a GTFS zip file or a folder of GTFS files")?;
    }
    if let Some(osm) = &a.osm {
        check_input(osm, "give an OpenStreetMap .osm.pbf extract")?;
        if !(a.snap_max_m.is_finite() && a.snap_max_m > 0.0 && a.snap_max_m <= 5000.0) {
            return Err(UserError(format!(
                "--snap-max-m {}: give a distance in metres in (0, 5000], e.g. 250",
                a.snap_max_m
            ))
            .into());
        }
    }
    check_out(&a.out, true)?;
    let t = Instant::now();
    // The extract and the feeds are read side by side; the streets' line is printed first,
    // and a bad extract is reported before any problem of the feeds.
    let (streets, imp) = rayon::join(
        || a.osm.as_deref().map(streets_of).transpose(),
        || {
            import_network(
                &a.feeds,
                &NetworkImportOptions {
                    lenient: a.lenient,
                    ..NetworkImportOptions::default()
                },
            )
        },
    );
    let streets = streets?;
    if let Some((.., said)) = &streets {
        eprintln!("{said}");
    }
    let mut imp = imp?;
    let mut streets_bytes = None;
    for w in &imp.warnings {
        eprintln!("{w}");
    }
    if let Some((st, _, bytes, _)) = streets {
        let net = &mut imp.network;
        net.streets = Some(streets_file(STREETS_FILE, &a.out));
        let sl = street_walk_links(
            net,
            &st,
            &StreetLinkOptions {
                osm_name: STREETS_FILE.into(),
                snap_max_m: a.snap_max_m,
            },
        );
        eprintln!(
            "stops: {}",
            sl.report
                .describe(10, |_, i| net.places[i as usize].id.clone())
        );
        eprintln!(
            "walking between stops within {} m: {} pair(s) along streets, {} left to the straight-line model (a stop did not snap, or the streets do not connect them), {} keep the feed's transfer time",
            net.settings.walking.radius_m, sl.street_pairs, sl.straight_pairs, sl.transfer_pairs
        );
        net.links = sl.links;
        // Only the links changed since the import validated the whole network: the checks
        // that read links run again (the folder is validated in full when it is loaded).
        let problems = crate::network::validate::validate_links(net);
        if problems.iter().any(|p| p.is_error()) {
            return Err(crate::network::problem::Problems(problems).into());
        }
        streets_bytes = Some(bytes);
    }
    let mut files = imp.files();
    if let Some(bytes) = streets_bytes {
        files.push((STREETS_FILE.to_string(), bytes));
    }
    crate::io::write::write_folder_atomic(&a.out, &files).map_err(|e| write_error(&a.out, e))?;
    let n = &imp.network;
    eprintln!(
        "{}: {} stations, {} services, {} trips, {} bands, {} calendars, {} links{}{}{} -> {} ({:.1} s)",
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
        a.out.display(),
        t.elapsed().as_secs_f64()
    );
    // The process ends here: the operating system takes the memory back at once, freeing the
    // network and its files piece by piece would only cost time.
    std::mem::forget((imp, files));
    Ok(ExitCode::SUCCESS)
}
