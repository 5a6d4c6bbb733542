//! `onehour isochrones`: the bands of every origin in every scenario as GeoJSON, with a summary;
//! also the helpers `map` shares (scenario list, origins, the batch of isochrones).

use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::analysis::find_origin;
use crate::cli::error::UserError;
use crate::cli::opts::NetOpts;
use crate::cli::output;
use crate::cli::output::{emit, progress};
use crate::cli::session::Session;
use crate::engine::Workspace;
use crate::geo::isochrone::{self, Frame, IsoParams, Isochrone, Projection};
use crate::graph::Prepared;
use crate::network::ids::PlaceIdx;

/// Flags of `onehour isochrones`.
#[derive(Args, Debug, Clone)]
pub struct IsochronesArgs {
    /// Network, date, profile and routing options.
    #[command(flatten)]
    pub net: NetOpts,
    /// Origins: `centres` (every centre), or ids / names, comma-separated
    #[arg(long, value_delimiter = ',', default_value = "centres")]
    pub origins: Vec<String>,
    /// Scenarios, repeated or comma-separated (default: today's network)
    #[arg(long, value_delimiter = ',')]
    pub scenario: Vec<String>,
    /// Thresholds, grid and access options.
    #[command(flatten)]
    pub iso: IsoOpts,
    /// Timetable mode: each place's time is a percentile over the window's departures (the
    /// first of --percentiles; default the median)
    #[command(flatten)]
    pub time: crate::cli::opts::TimeOpts,
    /// Output folder: one GeoJSON file per origin and scenario, all.geojson with every band,
    /// and summary.csv (area and population of every band)
    #[arg(long, value_name = "DIR", default_value = "isochrones")]
    pub out: PathBuf,
}

/// Flags shared by `isochrones` and `map`.
#[derive(Args, Debug, Clone)]
pub struct IsoOpts {
    /// Thresholds, minutes, increasing
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "15,30,45,60",
        value_name = "MIN,..."
    )]
    pub thresholds: Vec<f64>,
    /// Grid cell size, metres
    #[arg(long, default_value_t = 250.0, value_name = "M")]
    pub cell: f64,
    /// Maximum access distance from a reached place, metres (default: the walking radius for
    /// transit, the car connector radius for car)
    #[arg(long, value_name = "M")]
    pub access_m: Option<f64>,
    /// Do not interpolate contours between grid points
    #[arg(long)]
    pub no_smooth: bool,
}

impl IsoOpts {
    /// The isochrone parameters these flags give, or an error if a value is out of range.
    pub fn params(&self) -> Result<IsoParams> {
        let p = IsoParams {
            thresholds_min: self.thresholds.clone(),
            cell_m: self.cell,
            max_access_m: self.access_m,
            smooth: !self.no_smooth,
        };
        p.check().map_err(UserError)?;
        Ok(p)
    }
}

/// The scenarios named on the command line, as (label, scenario to apply): none given means
/// today's network; `today` is the base network when the library has no such scenario.
pub fn scenario_list(s: &Session, names: &[String]) -> Vec<(String, Option<String>)> {
    if names.is_empty() {
        return vec![("today".into(), None)];
    }
    names
        .iter()
        .map(|n| {
            let known = s.lib.as_ref().is_some_and(|l| l.get(n).is_some());
            (n.clone(), (known || n != "today").then(|| n.clone()))
        })
        .collect()
}

/// Origins on one network: `centres`, or ids and names.
pub fn origins_of(p: &Prepared, names: &[String]) -> Result<Vec<PlaceIdx>> {
    let mut out = Vec::new();
    for n in names {
        if n.trim() == "centres" {
            out.extend(p.net.centres());
        } else {
            out.push(find_origin(&p.net, n).map_err(UserError)?);
        }
    }
    if out.is_empty() {
        return Err(UserError("no origins: give --origins centres or place ids".into()).into());
    }
    out.dedup();
    Ok(out)
}

/// A file-name-safe form of an id or scenario name.
pub fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Computes the isochrones of every origin in every scenario, all jobs in parallel on the
/// rayon pool (one search workspace per thread), results in (scenario, origin) order.
pub fn batch(
    s: &Session,
    scenarios: &[(String, Option<String>)],
    origin_names: &[String],
    params: &IsoParams,
    timing: &crate::analysis::Timing,
    percentile: Option<f64>,
) -> Result<(Vec<Isochrone>, f64)> {
    use rayon::prelude::*;
    let frame = Frame {
        proj: Projection::for_network(&s.base),
        params: params.clone(),
        population: crate::cli::session::population_surface(&s.base)?.map(std::sync::Arc::new),
    };
    let prepared: Vec<Prepared> = scenarios
        .iter()
        .map(|(_, sc)| s.prepared(sc.as_deref()))
        .collect::<Result<_>>()?;
    let mut jobs: Vec<(usize, PlaceIdx)> = Vec::new();
    for (k, p) in prepared.iter().enumerate() {
        jobs.extend(origins_of(p, origin_names)?.into_iter().map(|o| (k, o)));
    }
    let nodes = prepared
        .iter()
        .map(|p| p.graph.csr.num_nodes())
        .max()
        .unwrap_or(0);
    let pb = progress(jobs.len() as u64, "isochrones");
    let t0 = Instant::now();
    if let crate::analysis::Timing::Timetable(o) = timing {
        // One window search per origin (origins in parallel inside), then its surface.
        let pct = percentile.unwrap_or(50.0);
        let mut out = Vec::with_capacity(jobs.len());
        let compiled: Vec<_> = prepared
            .iter()
            .map(|p| crate::analysis::window::compile(&p.net))
            .collect::<Result<_, _>>()?;
        for &(k, origin) in &jobs {
            let p = &prepared[k];
            let all: Vec<PlaceIdx> = (0..p.net.places.len()).map(PlaceIdx::from_idx).collect();
            let o = crate::analysis::WindowOptions {
                bound: (params.max_threshold_s().ceil() as u32).max(60),
                ..o.clone()
            };
            let wm = crate::analysis::window::window_matrix(&compiled[k], &[origin], &all, &o)
                .map_err(crate::analysis::window::as_problems)?;
            let times: Vec<_> = (0..all.len()).map(|j| wm.percentile(0, j, pct)).collect();
            out.push(
                isochrone::isochrone_from_times(p, &times, origin, &frame, &scenarios[k].0)
                    .map_err(iso_error)?,
            );
            pb.inc(1);
        }
        pb.finish_and_clear();
        return Ok((out, t0.elapsed().as_secs_f64()));
    }
    let isos: Result<Vec<Isochrone>, String> = jobs
        .par_iter()
        .map_init(
            || Workspace::new(nodes),
            |ws, &(k, o)| {
                let r = isochrone::isochrone(&prepared[k], ws, o, &frame, &scenarios[k].0);
                pb.inc(1);
                r
            },
        )
        .collect();
    let secs = t0.elapsed().as_secs_f64();
    pb.finish_and_clear();
    Ok((isos.map_err(iso_error)?, secs))
}

/// An isochrone's error: a grid too large for the reached area is the user's `--cell` (exit
/// 2), anything else a failure of the computation.
fn iso_error(e: String) -> anyhow::Error {
    if e.contains("--cell") {
        UserError(format!("isochrone: {e}")).into()
    } else {
        anyhow::anyhow!("isochrone failed: {e}")
    }
}

/// Warns when the grid is too coarse for the access distance: the walking discs around
/// stations then fall between grid points and the bands thin out or vanish.
pub fn warn_coarse(s: &Session, params: &IsoParams) {
    let access =
        isochrone::AccessModel::for_profile(&s.base, s.opts.profile(), params.max_access_m);
    if params.cell_m * 1.5 > access.max_m {
        eprintln!(
            "warning: a {} m grid is coarse for a {} m access distance: bands may be blocky or empty; use --cell {} or less",
            params.cell_m,
            access.max_m,
            (access.max_m / 3.0).floor().max(10.0)
        );
    }
}

/// `onehour isochrones`.
pub fn isochrones(a: IsochronesArgs) -> Result<ExitCode> {
    let params = a.iso.params()?;
    crate::cli::error::check_out(&a.out, true)?;
    let s = Session::open(&a.net)?;
    let scenarios = scenario_list(&s, &a.scenario);
    warn_coarse(&s, &params);
    let timing = s.timing(&a.time)?;
    let pct = a
        .time
        .percentiles
        .as_ref()
        .and_then(|p| p.0.first().copied());
    let (isos, secs) = batch(&s, &scenarios, &a.origins, &params, &timing, pct)?;
    let profile = a.net.profile().as_str();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for iso in &isos {
        let name = format!(
            "{}_{}_{}.geojson",
            safe(&iso.origin),
            safe(&iso.scenario),
            profile
        );
        let text =
            isochrone::to_geojson_text(&isochrone::feature_collection(std::slice::from_ref(iso)));
        files.push((name, text.into_bytes()));
    }
    let text = isochrone::to_geojson_text(&isochrone::feature_collection(&isos));
    files.push(("all.geojson".into(), text.into_bytes()));
    files.push(("summary.csv".into(), summary_csv(&isos).into_bytes()));
    // The folder appears whole or not at all, never a mix of new and stale files.
    crate::io::write::write_folder_atomic(&a.out, &files)
        .map_err(|e| crate::cli::error::write_error(&a.out, e))?;
    let people = if s.base.population.is_some() {
        "population (census surface cells, millions)"
    } else {
        "zone population (millions)"
    };
    let mut t = format!(
        "Isochrones, {profile} profile, {} m grid: area km² / {people} within each threshold\n",
        params.cell_m
    );
    if let crate::analysis::Timing::Timetable(o) = &timing {
        t.push_str(&format!(
            "Timetables: each place's time is the {}th percentile over departures; {}\n",
            crate::cli::timed::pct_key(pct.unwrap_or(50.0)),
            crate::cli::session::window_text(o)
        ));
    }
    t.push_str(&summary_table(&isos, &params.thresholds_min));
    t.push_str(&change_table(&isos));
    t.push_str(&format!(
        "{} isochrones ({} origins × {} scenarios × {} thresholds) in {:.2} s; written to {}\n",
        isos.len(),
        isos.len() / scenarios.len().max(1),
        scenarios.len(),
        params.thresholds_min.len(),
        secs,
        a.out.display()
    ));
    emit(&None, &t)?;
    Ok(ExitCode::SUCCESS)
}

/// One row per band: origin, scenario, profile, minutes, area, population.
pub fn summary_csv(isos: &[Isochrone]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "origin",
        "origin_name",
        "scenario",
        "profile",
        "minutes",
        "area_km2",
        "population",
    ]);
    for iso in isos {
        for b in &iso.bands {
            let _ = w.write_record([
                iso.origin.clone(),
                iso.origin_name.clone(),
                iso.scenario.clone(),
                iso.profile.as_str().to_string(),
                b.minutes.to_string(),
                format!("{:.2}", b.area_km2),
                b.population.to_string(),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Area and population per threshold, one row per origin and scenario.
pub fn summary_table(isos: &[Isochrone], thresholds: &[f64]) -> String {
    let ow = isos
        .iter()
        .map(|i| output::width(&i.origin_name))
        .max()
        .unwrap_or(6)
        .max(6);
    let sw = isos
        .iter()
        .map(|i| output::width(&i.scenario))
        .max()
        .unwrap_or(8)
        .max(8);
    let mut t = format!(
        "{} {}",
        output::pad("origin", ow),
        output::pad("scenario", sw)
    );
    for m in thresholds {
        t.push_str(&output::lpad(&format!("{m} min"), 16));
    }
    t.push('\n');
    for iso in isos {
        t.push_str(&format!(
            "{} {}",
            output::pad(&iso.origin_name, ow),
            output::pad(&iso.scenario, sw)
        ));
        for b in &iso.bands {
            t.push_str(&output::lpad(
                &format!("{:.0} / {:.2}", b.area_km2, b.population as f64 / 1e6),
                16,
            ));
        }
        t.push('\n');
    }
    t
}

/// For each origin, the change of the largest band from the first scenario to each other one:
/// what a planner compares. Empty with a single scenario.
pub fn change_table(isos: &[Isochrone]) -> String {
    let Some(first) = isos.first().map(|i| i.scenario.clone()) else {
        return String::new();
    };
    let base: Vec<&Isochrone> = isos.iter().filter(|i| i.scenario == first).collect();
    let others: Vec<&Isochrone> = isos.iter().filter(|i| i.scenario != first).collect();
    if others.is_empty() {
        return String::new();
    }
    let last = |i: &Isochrone| {
        i.bands
            .last()
            .map(|b| (b.minutes, b.area_km2, b.population))
    };
    let minutes = base
        .first()
        .and_then(|i| last(i))
        .map(|x| x.0)
        .unwrap_or(0.0);
    let ow = isos
        .iter()
        .map(|i| output::width(&i.origin_name))
        .max()
        .unwrap_or(6);
    let mut t =
        format!("Change from {first} within {minutes} min: area km² / population (millions)\n");
    for o in &others {
        let Some(b) = base.iter().find(|b| b.origin == o.origin) else {
            continue;
        };
        if let (Some((_, a0, p0)), Some((_, a1, p1))) = (last(b), last(o)) {
            t.push_str(&format!(
                "{} {}  {:+.1} / {:+.2}\n",
                output::pad(&o.origin_name, ow),
                output::pad(&o.scenario, 12),
                a1 - a0,
                (p1 as f64 - p0 as f64) / 1e6
            ));
        }
    }
    t
}
