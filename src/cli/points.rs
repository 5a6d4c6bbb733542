//! `matrix --points FILE [--to-points FILE]`: door-to-door times between arbitrary points over
//! a departure window, in the JSON shape of the place matrices (`places`, `to_places`,
//! `minutes` as medians, `within_limit`, `percentiles`, `share_within_limit`, `window`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use crate::access::links::Point;
use crate::access::points::points_matrix_on;
pub use crate::access::points::PointsMatrix;
use crate::analysis::window::{self, WindowOptions};
use crate::cli::check::{percentiles, MAIN_WINDOW};
use crate::cli::opts::{NetOpts, OutOpts, TimeOpts};
use crate::cli::output::{emit, progress, Format};
use crate::cli::session::Session;
use crate::graph::streets::Streets;
use crate::io::opportunities::load_points;
use crate::network::ids::Seconds;
use crate::network::model::Network;

/// What a points matrix is asked for.
pub struct PointsRequest<'a> {
    /// Origins file.
    pub points: &'a Path,
    /// Destinations file (default: the origins).
    pub to_points: Option<&'a PathBuf>,
    /// Scenario applied.
    pub scenario: Option<String>,
}

/// Computes the matrix of `req` over the window of `o` (median first, then `pct`), with a
/// progress bar, printing what snapping the points did.
pub fn points_matrix(
    net: &Network,
    rows: Vec<Point>,
    cols: Vec<Point>,
    o: &WindowOptions,
    pct: &[f64],
    limit: Seconds,
) -> Result<PointsMatrix> {
    // The timetable and the street graphs (from the cache) are independent: side by side.
    let (t, streets) = rayon::join(|| window::compile(net), || Streets::from_network(net));
    let t = t?;
    let streets = streets.transpose()?;
    let pb = progress(rows.len() as u64, "origins");
    let out = points_matrix_on(net, &t, streets.as_ref(), rows, cols, o, pct, limit, || {
        pb.inc(1)
    })?;
    pb.finish_and_clear();
    if let Some(r) = &out.snap_report {
        eprintln!("{r}");
    }
    Ok(out.matrix)
}

/// The most pairs a points matrix computes in one run. It is held in memory and written as
/// one file, about 95 bytes a pair at the peak (its times, then its text): 50 million pairs
/// take some 5 GB.
pub const MAX_PAIRS: usize = 50_000_000;

/// A points matrix over [`MAX_PAIRS`] is refused before any work, with how to split it.
fn check_size(req: &PointsRequest<'_>, rows: usize, cols: usize) -> Result<()> {
    let pairs = rows.saturating_mul(cols);
    if pairs <= MAX_PAIRS {
        return Ok(());
    }
    let part = (MAX_PAIRS / cols.max(1)).max(1);
    Err(crate::cli::error::UserError(format!(
        "{}: {rows} x {cols} points make {pairs} pairs, more than the {MAX_PAIRS} a matrix holds in memory (about {:.0} GB); split the origins into files of at most {part} points and run each with --to-points {}, or for counts of opportunities within reach use `onehour access`",
        req.points.display(),
        pairs as f64 * 95e-9,
        req.to_points.map(|p| p.as_path()).unwrap_or(req.points).display(),
    ))
    .into())
}

/// The `matrix --points` command.
pub fn points_cmd(
    net: &NetOpts,
    req: PointsRequest<'_>,
    time: &TimeOpts,
    out: &OutOpts,
) -> Result<ExitCode> {
    let mut s = Session::open(net)?;
    let o = s.timetable_window(time, MAIN_WINDOW, "matrix --points")?;
    let time = TimeOpts {
        depart: Some((o.from, o.to)),
        ..time.clone()
    };
    let rows = load_points(req.points)?;
    let cols = match req.to_points {
        Some(p) => load_points(p)?,
        None => rows.clone(),
    };
    check_size(&req, rows.len(), cols.len())?;
    let n = s.take_network(req.scenario.as_deref())?;
    let m = points_matrix(&n, rows, cols, &o, &percentiles(&time), s.limit_s())?;
    let scenario = req.scenario.as_deref().unwrap_or("today");
    let limit = s.opts.limit;
    let text = match out.format {
        Format::Json => m.json(&n, scenario, limit),
        Format::Csv => m.csv(limit),
        Format::Table => m.table(limit),
    };
    emit(&out.out, &text)?;
    // The process ends here: the operating system takes the memory back at once, freeing the
    // network, its timetable and the matrix piece by piece would only cost time.
    std::mem::forget((s, n, m, text));
    Ok(ExitCode::SUCCESS)
}
