//! `onehour rank`: the projects of a horizon ranked by benefit.

use anyhow::Result;
use std::process::ExitCode;

use crate::access::rank::{rank_by_access, AccessRankQuery, AccessRanked};
use crate::analysis;
use crate::cli::layout::Layout;
use crate::cli::opts::{NetOpts, OutOpts, TimeOpts};
use crate::cli::output::Format;
use crate::cli::output::{emit, progress};
use crate::cli::session::Session;
use crate::network::ids::Seconds;

/// What `rank` ranks by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RankIndicator {
    /// Centre pairs brought within the limit, and the people newly within it (the population
    /// surface, else the zones) (the plan's target)
    #[default]
    Centres,
    /// Population-weighted accessibility gain over a grid of cells (who gains)
    Access,
}

/// Flags of `rank --indicator access`.
#[derive(clap::Args, Debug, Clone)]
pub struct RankAccessOpts {
    /// centres: centre pairs and people reached (population surface, else zones); access:
    /// accessibility to opportunities from
    /// every cell of a grid, weighted by the people there
    #[arg(long, value_enum, default_value_t = RankIndicator::Centres)]
    pub indicator: RankIndicator,
    /// With --indicator access: the opportunities (CSV points or GeoJSON polygons, as for
    /// `access`)
    #[arg(long, value_name = "FILE", required_if_eq("indicator", "access"))]
    pub opportunities: Option<std::path::PathBuf>,
    /// With --indicator access: the opportunity column measured (default: population)
    #[arg(long)]
    pub column: Option<String>,
    /// With --indicator access: the cutoff, minutes (default 60)
    #[arg(long)]
    pub cutoff: Option<u32>,
    /// With --indicator access: grid cell size, metres (default 5000 for polygons)
    #[arg(long, value_name = "METRES")]
    pub grid: Option<f64>,
    /// With --indicator access: area the grid covers, W,S,E,N degrees
    #[arg(long, value_name = "W,S,E,N", value_parser = crate::cli::opts::parse_bbox, allow_hyphen_values = true)]
    pub bbox: Option<[f64; 4]>,
    /// With --indicator access: percentile of each travel time over the window (default 50)
    #[arg(long = "access-percentile", value_parser = crate::cli::opts::parse_percentile)]
    pub percentile: Option<f64>,
}

impl RankAccessOpts {
    /// The flags given that only `--indicator access` reads.
    pub fn access_flags_given(&self) -> Vec<&'static str> {
        [
            ("--opportunities", self.opportunities.is_some()),
            ("--column", self.column.is_some()),
            ("--cutoff", self.cutoff.is_some()),
            ("--grid", self.grid.is_some()),
            ("--bbox", self.bbox.is_some()),
            ("--access-percentile", self.percentile.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, given)| given.then_some(f))
        .collect()
    }
}

/// Runs `onehour rank --indicator access`.
pub fn run_access(
    base: String,
    projects: String,
    net: NetOpts,
    time: TimeOpts,
    a: RankAccessOpts,
    out: OutOpts,
) -> Result<ExitCode> {
    if let Some(p) = &out.out {
        crate::cli::error::check_out(p, false)?;
    }
    let s = Session::open(&net)?;
    let o = s.timetable_window(
        &time,
        crate::cli::opts::ACCESS_WINDOW,
        "rank --indicator access",
    )?;
    let Some(opp) = &a.opportunities else {
        return Err(crate::cli::error::UserError(
            "rank --indicator access needs --opportunities FILE".into(),
        )
        .into());
    };
    let polygons = opp
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"));
    let grid = a.grid.or(polygons.then_some(5000.0));
    let cols = vec![a.column.clone().unwrap_or_else(|| "population".into())];
    let l = crate::cli::layout::layout_of(opp, Some(cols.as_slice()), grid, a.bbox, None)?;
    let column = l
        .dests
        .columns
        .first()
        .map(|(n, _)| n.clone())
        .unwrap_or_default();
    let weight = l.population_or_ones();
    let q = AccessRankQuery {
        origins: &l.origins,
        weight: &weight,
        destinations: &l.dests,
        column: &column,
        cutoff_min: a.cutoff.unwrap_or(60),
        window: o.clone(),
        percentile: a.percentile.unwrap_or(50.0),
    };
    q.spec()
        .check()
        .map_err(|e| crate::cli::error::UserError(format!("rank --indicator access: {e}")))?;
    let lib = s.library()?;
    let n = analysis::projects_of(lib, &projects)?.len();
    let pb = progress(2 * n as u64 + 2, "ranking projects");
    let ranked = rank_by_access(&s.base, lib, &base, &projects, &q, &|| pb.inc(1))?;
    pb.finish_and_clear();
    let text = match out.format {
        Format::Json => access_json(&q, &l, &ranked)?,
        Format::Csv => access_csv(&ranked),
        Format::Table => access_table(&q, &l, &ranked, &base, &projects),
    };
    emit(&out.out, &text)?;
    Ok(ExitCode::SUCCESS)
}

/// The ranking by accessibility as JSON: what was measured, then the projects.
fn access_json(q: &AccessRankQuery, l: &Layout, ranked: &[AccessRanked]) -> Result<String> {
    Ok(serde_json::to_string_pretty(&serde_json::json!({
        "indicator": q.indicator(),
        "weight": "population at the origin (1 per origin if none)",
        "origins": l.origins.len(),
        "grid_m": l.grid.as_ref().map(|g| g.cell_m()),
        "window": crate::cli::session::window_text(&q.window),
        "projects": ranked,
    }))? + "\n")
}

/// The ranking by accessibility as CSV, one project a row.
fn access_csv(ranked: &[AccessRanked]) -> String {
    let mut t = String::from("project,alone_mean_gain,alone_people_gaining,alone_people_gaining_10pct,left_out_mean_gain,left_out_people_gaining,left_out_people_gaining_10pct\n");
    for r in ranked {
        t.push_str(&format!(
            "{},{:.1},{:.0},{:.0},{:.1},{:.0},{:.0}\n",
            r.project,
            r.added_alone.weighted_mean_gain,
            r.added_alone.weight_gaining,
            r.added_alone.weight_gaining_10pct,
            r.leave_one_out.weighted_mean_gain,
            r.leave_one_out.weight_gaining,
            r.leave_one_out.weight_gaining_10pct
        ));
    }
    t
}

/// The ranking by accessibility as a table for the terminal.
fn access_table(
    q: &AccessRankQuery,
    l: &Layout,
    ranked: &[AccessRanked],
    base: &str,
    projects: &str,
) -> String {
    let column = q.column;
    let mut t = format!(
        "Projects of {projects} ranked by accessibility: added alone to {base} | left out of {projects}\n\
         indicator: {column} within {} min ({}), at {} origins ({}), weighted by the people there; transit only (road projects register nothing here)\n\
         gain = weighted mean change ({column} reached per person); ppl = people (millions) whose access rises; 10% = rises by at least 10 %\n",
        q.cutoff_min,
        crate::cli::session::window_text(&q.window),
        l.origins.len(),
        l.grid.as_ref().map_or("points".to_string(), |g| format!("{} m cells", g.cell_m())),
    );
    t.push_str(&format!(
        "{:<40} {:>10} {:>6} {:>6} | {:>10} {:>6} {:>6}  {}\n",
        "project", "gain", "ppl", "10%", "gain", "ppl", "10%", "plan name"
    ));
    for r in ranked {
        t.push_str(&format!(
            "{:<40} {:>10.0} {:>6.2} {:>6.2} | {:>10.0} {:>6.2} {:>6.2}  {}\n",
            r.project,
            r.added_alone.weighted_mean_gain,
            r.added_alone.weight_gaining / 1e6,
            r.added_alone.weight_gaining_10pct / 1e6,
            r.leave_one_out.weighted_mean_gain,
            r.leave_one_out.weight_gaining / 1e6,
            r.leave_one_out.weight_gaining_10pct / 1e6,
            r.project_zh
        ));
    }
    t
}

/// Runs `onehour rank`.
pub fn run(
    base: String,
    projects: String,
    net: NetOpts,
    time: TimeOpts,
    out: OutOpts,
) -> Result<ExitCode> {
    if let Some(p) = &out.out {
        crate::cli::error::check_out(p, false)?;
    }
    let s = Session::open(&net)?;
    let timing = s.timing(&time)?;
    let lib = s.library()?;
    let n = analysis::projects_of(lib, &projects)?.len();
    let pb = progress(2 * n as u64 + 1, "ranking projects");
    let base_net = s.base.clone();
    let surface = crate::cli::session::population_surface(&base_net)?;
    let bound = (base_net.settings.routing.bound_min * 60.0) as Seconds;
    let ranked = analysis::rank(
        &base_net,
        lib,
        &base,
        &projects,
        s.opts.profile(),
        s.limit_s(),
        bound.max(s.limit_s()),
        &timing,
        surface.as_ref(),
        &|| pb.inc(1),
    )?;
    pb.finish_and_clear();
    let text = match out.format {
        Format::Json => serde_json::to_string_pretty(&ranked)? + "\n",
        Format::Csv => rank_csv(&ranked),
        Format::Table => {
            let mut t = String::new();
            if let crate::analysis::Timing::Timetable(o) = &timing {
                t.push_str(&format!(
                    "Timetables: {}\n",
                    crate::cli::session::window_text(o)
                ));
            }
            t + &rank_table(&ranked, &base, &projects, s.opts.limit, surface.is_some())
        }
    };
    emit(&out.out, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn rank_table(
    r: &[analysis::Ranked],
    base: &str,
    horizon: &str,
    limit: f64,
    surface: bool,
) -> String {
    let people = if surface {
        "people (census surface)"
    } else {
        "zone population"
    };
    let mut t = format!(
        "Projects of {horizon} ranked by benefit: added alone to {base} | left out of {horizon}\n\
         pairs = centre pairs brought within {limit} min; min = population-weighted minutes saved (summed over centres); pop = {people} newly within {limit} min (summed over centres, millions)\n"
    );
    t.push_str(&format!(
        "{:<40} {:>6} {:>8} {:>7} | {:>6} {:>8} {:>7}  {}\n",
        "project", "pairs", "min", "pop", "pairs", "min", "pop", "plan name"
    ));
    for x in r {
        t.push_str(&format!(
            "{:<40} {:>6} {:>8.1} {:>7.2} | {:>6} {:>8.1} {:>7.2}  {}\n",
            x.project,
            x.added_alone.pairs_gained,
            x.added_alone.pop_weighted_minutes_saved,
            x.added_alone.population_gained as f64 / 1e6,
            x.leave_one_out.pairs_gained,
            x.leave_one_out.pop_weighted_minutes_saved,
            x.leave_one_out.population_gained as f64 / 1e6,
            x.project_zh
        ));
    }
    t
}

fn rank_csv(r: &[analysis::Ranked]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "project",
        "project_zh",
        "status",
        "opening",
        "alone_pairs",
        "alone_pop_weighted_minutes",
        "alone_population",
        "loo_pairs",
        "loo_pop_weighted_minutes",
        "loo_population",
    ]);
    for x in r {
        let _ = w.write_record([
            x.project.clone(),
            x.project_zh.clone(),
            x.status.clone(),
            x.opening.map(|y| y.to_string()).unwrap_or_default(),
            x.added_alone.pairs_gained.to_string(),
            format!("{:.2}", x.added_alone.pop_weighted_minutes_saved),
            x.added_alone.population_gained.to_string(),
            x.leave_one_out.pairs_gained.to_string(),
            format!("{:.2}", x.leave_one_out.pop_weighted_minutes_saved),
            x.leave_one_out.population_gained.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
