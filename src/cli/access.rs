//! `onehour access`: accessibility to opportunities from every cell of a grid (or from
//! points), over a departure window, for one scenario or the difference between two.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use crate::access::compute::{access_values, AccessQuery, AccessValues};
use crate::access::indicators::{Decay, Dual, Spec};
use crate::access::report::{self, Origins, Results, Run};
use crate::analysis::window::WindowOptions;
use crate::cli::error::{write_error, UserError};
use crate::cli::layout::Layout;
use crate::cli::opts::{parse_bbox, parse_depart, NetOpts, TimeOpts, ACCESS_WINDOW};
use crate::cli::output::progress;
use crate::cli::session::Session;
use crate::network::ids::format_clock;

/// Flags of `onehour access`.
#[derive(Args, Debug)]
pub struct AccessArgs {
    /// Network, date and threads.
    #[command(flatten)]
    pub net: NetOpts,
    /// Scenario, or two scenarios to compare (base,scenario); default: today
    #[arg(long, value_delimiter = ',', num_args = 1..=2)]
    pub scenario: Vec<String>,
    /// Opportunities: a CSV of points (id,lon,lat and numeric columns such as population,jobs)
    /// or GeoJSON polygons with numeric properties (spread over the grid's cells by area)
    #[arg(long, value_name = "FILE")]
    pub opportunities: PathBuf,
    /// Opportunity columns to measure (default: every numeric column)
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// Cell size of the grid, metres: origins are its cells (and so are the destinations when
    /// the opportunities are polygons)
    #[arg(long, value_name = "METRES")]
    pub grid: Option<f64>,
    /// Area the grid covers, WGS84 degrees (default: the opportunities' extent)
    #[arg(long, value_name = "W,S,E,N", value_parser = parse_bbox, allow_hyphen_values = true)]
    pub bbox: Option<[f64; 4]>,
    /// Origins as points (CSV id,lon,lat) instead of the default: every point of a points
    /// file, or the grid's cells that hold any opportunity
    #[arg(long, value_name = "CSV")]
    pub origins: Option<PathBuf>,
    /// Cutoffs, minutes
    #[arg(long, value_delimiter = ',', default_value = "30,45,60")]
    pub cutoffs: Vec<u32>,
    /// Decay functions besides the cumulative count: step, linear:WIDTH_MIN, logistic:SD_MIN,
    /// exponential, fixed_exponential:PER_SECOND (Conveyal's definitions)
    #[arg(long, value_delimiter = ',')]
    pub decay: Vec<String>,
    /// Dual measure: minutes to reach N of a column, as N:COLUMN (e.g. 1000000:population)
    #[arg(long, value_delimiter = ',')]
    pub dual: Vec<String>,
    /// Departure window HH:MM-HH:MM on --date (default 07:00-08:00, every minute)
    #[arg(long, value_name = "HH:MM-HH:MM", value_parser = parse_depart)]
    pub depart: Option<(u32, u32)>,
    /// Percentile of each travel time over the window (50: median)
    #[arg(long, default_value_t = 50.0, value_parser = crate::cli::opts::parse_percentile)]
    pub percentile: f64,
    /// Draws of the departures of trips that run by average headways (default 10)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub draws: Option<u32>,
    /// Seed of the draws (default 1)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Column weighting the summaries' means (default: population, if a column has that name)
    #[arg(long)]
    pub weight: Option<String>,
    /// Output folder (written all at once: access.csv, access.geojson, summary.json)
    #[arg(long, value_name = "DIR", default_value = "access")]
    pub out: PathBuf,
}

fn user(msg: String) -> anyhow::Error {
    UserError(msg).into()
}

/// The scenarios of a run: `today`, one scenario, or a base and a scenario to compare (the
/// outputs hold one difference, `docs/access.md`); more, or the same one twice, is refused.
fn scenarios_of(given: &[String]) -> Result<Vec<String>> {
    match given {
        [] => Ok(vec!["today".into()]),
        [a, b, c, ..] => Err(user(format!(
            "--scenario {}: access compares two scenarios at a time (a base and a scenario); run it once per pair, e.g. --scenario {a},{b} then --scenario {a},{c}",
            given.join(","),
        ))),
        [a, b] if a == b => Err(user(format!(
            "--scenario {a},{b}: the same scenario twice has no difference to show; give two different scenarios, or one"
        ))),
        _ => Ok(given.to_vec()),
    }
}

/// The indicators asked for.
fn spec(a: &AccessArgs, columns: Vec<String>) -> Result<Spec> {
    let decays = a
        .decay
        .iter()
        .map(|d| Decay::parse(d).map_err(|e| user(format!("--decay: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    let duals = a
        .dual
        .iter()
        .map(|d| {
            let (n, col) = d.split_once(':').ok_or_else(|| {
                user(format!(
                    "--dual '{d}': write N:COLUMN, e.g. 1000000:population"
                ))
            })?;
            let n: f64 = n
                .trim()
                .parse()
                .map_err(|_| user(format!("--dual '{d}': '{n}' is not a number")))?;
            let column = columns
                .iter()
                .position(|c| c == col.trim())
                .ok_or_else(|| {
                    user(format!(
                        "--dual '{d}': no opportunity column '{col}' (columns: {})",
                        columns.join(", ")
                    ))
                })?;
            Ok(Dual { column, n })
        })
        .collect::<Result<Vec<_>>>()?;
    let s = Spec {
        columns,
        cutoffs_min: a.cutoffs.clone(),
        decays,
        duals,
    };
    s.check().map_err(|e| user(format!("indicators: {e}")))?;
    Ok(s)
}

fn layout(a: &AccessArgs) -> Result<Layout> {
    crate::cli::layout::layout_of(
        &a.opportunities,
        a.columns.as_deref(),
        a.grid,
        a.bbox,
        a.origins.as_ref(),
    )
}

/// Runs `onehour access`: the flags become a window, a layout and indicators, the library
/// computes each scenario's values (`scenario_values`), the report is written.
pub fn run(a: AccessArgs) -> Result<ExitCode> {
    let scenarios = scenarios_of(&a.scenario)?;
    crate::cli::error::check_out(&a.out, true)?;
    let s = Session::open(&a.net)?;
    let time = TimeOpts {
        depart: a.depart,
        percentiles: None,
        draws: a.draws,
        seed: a.seed,
    };
    let o = s.timetable_window(&time, ACCESS_WINDOW, "access")?;
    let l = layout(&a)?;
    let columns: Vec<String> = l.dests.columns.iter().map(|(n, _)| n.clone()).collect();
    let spec = spec(&a, columns)?;
    let runs = scenario_values(&s, &l, &spec, &o, a.percentile, &scenarios)?;
    let weight = l.weight(a.weight.as_deref())?;
    let ids: Vec<String> = l.origins.iter().map(|p| p.id.clone()).collect();
    let lonlat: Vec<(f64, f64)> = l.origins.iter().map(|p| (p.lon, p.lat)).collect();
    let cells = match (&l.grid, &l.origin_cells) {
        (Some(g), Some(c)) => Some((g, c.as_slice())),
        _ => None,
    };
    let run = Run {
        origins: Origins {
            ids: &ids,
            lonlat: &lonlat,
            cells,
            weight: weight.as_ref().map(|(n, v)| (n.as_str(), v.as_slice())),
        },
        spec: &spec,
        base: Results {
            scenario: &scenarios[0],
            values: &runs[0].values,
        },
        scenario: runs.get(1).map(|r| Results {
            scenario: &scenarios[1],
            values: &r.values,
        }),
        meta: meta(&a, &s.base.name, &o, &l, &runs[0]),
    };
    report::write(&a.out, &run).map_err(|e| write_error(&a.out, e))?;
    eprintln!(
        "access: {} origins × {} destinations, {} scenario(s), window {}–{} on {}; wrote {}",
        l.origins.len(),
        l.dests.len(),
        scenarios.len(),
        format_clock(o.from),
        format_clock(o.to),
        o.date,
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The indicator values of each scenario (`today` is the base network), with a progress bar;
/// the first run's snapping report is printed.
fn scenario_values(
    s: &Session,
    l: &Layout,
    spec: &Spec,
    window: &WindowOptions,
    percentile: f64,
    scenarios: &[String],
) -> Result<Vec<AccessValues>> {
    let pb = progress((l.origins.len() * scenarios.len()) as u64, "origins");
    let mut runs: Vec<AccessValues> = Vec::new();
    for sc in scenarios {
        let net = s.network((sc != "today").then_some(sc.as_str()))?;
        let q = AccessQuery {
            origins: &l.origins,
            destinations: &l.dests,
            spec,
            window: window.clone(),
            percentile,
        };
        let r = access_values(&net, &q, &|| pb.inc(1))?;
        if let (Some(rep), true) = (&r.snap_report, runs.is_empty()) {
            pb.suspend(|| eprintln!("{rep}"));
        }
        runs.push(r);
    }
    pb.finish_and_clear();
    Ok(runs)
}

/// The run's description in summary.json: network, window, inputs and the base run's notes.
fn meta(
    a: &AccessArgs,
    network: &str,
    o: &WindowOptions,
    l: &Layout,
    first: &AccessValues,
) -> serde_json::Value {
    json!({
        "network": network,
        "date": o.date.to_string(),
        "window": {"from": format_clock(o.from), "to": format_clock(o.to), "step_minutes": o.step / 60, "draws": o.draws, "seed": o.seed},
        "percentile": a.percentile,
        "opportunities": a.opportunities.display().to_string(),
        "opportunity_totals": l.dests.columns.iter().zip(&l.totals).map(|((n, _), t)| json!({"column": n, "in_file": t})).collect::<Vec<_>>(),
        "left_outside_grid": l.outside,
        "grid_m": l.grid.as_ref().map(|g| g.cell_m()),
        "origins": l.origins.len(),
        "destinations": l.dests.len(),
        "access": first.links_model,
        "origins_without_stop": first.origins_without_stop,
        "default_band_services": first.default_band,
        "services_not_running": first.idle,
    })
}
