//! `onehour access`: accessibility to opportunities from every cell of a grid (or from
//! points), over a departure window, for one scenario or the difference between two.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use crate::access::compute::{access_values, AccessQuery, AccessValues};
use crate::access::indicators::{Decay, Dual, Spec};
use crate::access::links::Point;
use crate::access::report::{self, Origins, Results, Run};
use crate::analysis::rank::Timing;
use crate::analysis::window::WindowOptions;
use crate::cli::args::{parse_depart, NetOpts, TimeOpts};
use crate::cli::session::Session;
use crate::cli::{progress, write_error, UserError};
use crate::geo::grid::Grid;
use crate::io::opportunities::{load_opportunities, Opportunities};
use crate::io::points::load_points;
use crate::network::load::format_clock;

/// The default window of `access`: an hour of the weekday morning peak.
pub const ACCESS_WINDOW: (u32, u32) = (7 * 3600, 8 * 3600);

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
    #[arg(long, default_value_t = 50.0, value_parser = crate::cli::args::parse_percentile)]
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

/// `W,S,E,N` in degrees.
pub fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            format!("'{s}': write four numbers W,S,E,N in degrees, e.g. 112.2,22.5,114.1,24.3")
        })?;
    match v[..] {
        [w, so, e, n] => Ok([w, so, e, n]),
        _ => Err(format!(
            "'{s}': write four numbers W,S,E,N in degrees, e.g. 112.2,22.5,114.1,24.3"
        )),
    }
}

fn user(msg: String) -> anyhow::Error {
    UserError(msg).into()
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

/// The extent of the opportunities file, read cheaply: every coordinate in it.
fn extent_of(path: &std::path::Path) -> Result<[f64; 4]> {
    let text = crate::network::load::read_regular(path)
        .map_err(|e| user(format!("{}: {e}; {}", path.display(), e.fix())))?;
    let b = if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        crate::io::opportunities::geojson_extent(&v)
    } else {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in load_points(path)? {
            b = [
                b[0].min(p.lon),
                b[1].min(p.lat),
                b[2].max(p.lon),
                b[3].max(p.lat),
            ];
        }
        Some(b).filter(|b| b.iter().all(|x| x.is_finite()))
    };
    b.ok_or_else(|| {
        user(format!(
            "{}: no coordinate found to lay a grid over; give --bbox W,S,E,N",
            path.display()
        ))
    })
}

/// Origins and destinations of a run: the grid (if any), the destinations with their
/// opportunities, and the origins (with their cell in the grid when they are cells).
pub struct Layout {
    /// The grid, if the origins or destinations are its cells.
    pub grid: Option<Grid>,
    /// Destinations with their opportunities (those above zero).
    pub dests: Opportunities,
    /// Origins.
    pub origins: Vec<Point>,
    /// Each origin's cell in the grid, when origins are cells.
    pub origin_cells: Option<Vec<u32>>,
    /// Opportunities of each origin (for weights), when origins are the destinations.
    pub origin_columns: Option<Vec<(String, Vec<f64>)>>,
    /// Total of each column in the file.
    pub totals: Vec<f64>,
    /// Part of each column left outside the grid.
    pub outside: Vec<f64>,
}

impl Layout {
    /// The column weighting the summaries' means and its value at each origin: `name`, else
    /// `population` if the origins have it, else none. Weights come from the opportunities at
    /// the origins, so a `name` is an error with origins given as points.
    pub fn weight(&self, name: Option<&str>) -> Result<Option<(String, Vec<f64>)>> {
        let column = |n: &str| {
            self.origin_columns
                .as_ref()
                .and_then(|c| c.iter().find(|(c, _)| c == n))
        };
        match name {
            None => Ok(column("population").map(|(n, v)| (n.clone(), v.clone()))),
            Some(w) => match column(w) {
                Some((_, v)) => Ok(Some((w.to_string(), v.clone()))),
                None => Err(user(format!(
                    "--weight {w}: the origins have no such column (weights come from the opportunities at the origins; with --origins there are none)"
                ))),
            },
        }
    }

    /// The people at each origin (the `population` column), else 1 per origin.
    pub fn population_or_ones(&self) -> Vec<f64> {
        self.origin_columns
            .as_ref()
            .and_then(|c| c.iter().find(|(n, _)| n == "population"))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| vec![1.0; self.origins.len()])
    }
}

fn layout(a: &AccessArgs) -> Result<Layout> {
    layout_of(
        &a.opportunities,
        a.columns.as_deref(),
        a.grid,
        a.bbox,
        a.origins.as_ref(),
    )
}

/// Where to measure: the grid (cell size `grid`, over `bbox` or the opportunities' extent),
/// the destinations with their opportunities (columns `columns`, default all), the origins.
pub fn layout_of(
    opportunities: &std::path::Path,
    columns: Option<&[String]>,
    grid: Option<f64>,
    bbox: Option<[f64; 4]>,
    origins: Option<&PathBuf>,
) -> Result<Layout> {
    let polygons = opportunities
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"));
    let cell_m = match (grid, polygons) {
        (Some(m), _) => Some(m),
        (None, true) => Some(1000.0),
        (None, false) => None,
    };
    let grid = match cell_m {
        None => None,
        Some(m) => {
            let b = match bbox {
                Some(b) => b,
                None => extent_of(opportunities)?,
            };
            Some(Grid::covering(b, m).map_err(|e| user(format!("--grid: {e}")))?)
        }
    };
    let (loaded, warnings) = load_opportunities(opportunities, grid.as_ref(), columns)?;
    for w in &warnings {
        eprintln!("{w}");
    }
    let mut dests = loaded.opportunities;
    if let (Some(g), false) = (&grid, dests.cells.is_some()) {
        // Points summed into the grid's cells.
        let (on, _, _) = dests.to_grid(g);
        dests = on;
    }
    // Origins: the user's points, every one; or the grid's cells that hold any opportunity
    // (a cell where nobody lives or works has nobody to measure from).
    let all_points = grid.is_none().then(|| dests.clone());
    let dests = dests.nonzero();
    if dests.is_empty() {
        return Err(user(format!(
            "{}: no opportunity above zero{}",
            opportunities.display(),
            if grid.is_some() {
                " inside the grid (check --bbox)"
            } else {
                ""
            }
        )));
    }
    let (origins, origin_cells, origin_columns) = match origins {
        Some(p) => (load_points(p)?, None, None),
        None => {
            let o = all_points.as_ref().unwrap_or(&dests);
            (
                crate::access::compute::destination_points(o),
                o.cells.clone(),
                Some(o.columns.clone()),
            )
        }
    };
    Ok(Layout {
        grid,
        dests,
        origins,
        origin_cells,
        origin_columns,
        totals: loaded.totals,
        outside: loaded.outside,
    })
}

/// Runs `onehour access`: the flags become a window, a layout and indicators, the library
/// computes each scenario's values ([`scenario_values`]), the report is written.
pub fn run(a: AccessArgs) -> Result<ExitCode> {
    let s = Session::open(&a.net)?;
    let time = TimeOpts {
        depart: Some(a.depart.unwrap_or(ACCESS_WINDOW)),
        percentiles: None,
        draws: a.draws,
        seed: a.seed,
    };
    let Timing::Timetable(o) = s.timing(&time)? else {
        return Err(user("access runs on timetables: give --depart".into()));
    };
    let l = layout(&a)?;
    let columns: Vec<String> = l.dests.columns.iter().map(|(n, _)| n.clone()).collect();
    let spec = spec(&a, columns)?;
    let scenarios: Vec<String> = if a.scenario.is_empty() {
        vec!["today".into()]
    } else {
        a.scenario.clone()
    };
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
