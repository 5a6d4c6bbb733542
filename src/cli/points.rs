//! `matrix --points FILE [--to-points FILE]`: door-to-door times between arbitrary points over
//! a departure window, in the JSON shape of the place matrices (`places`, `to_places`,
//! `minutes` as medians, `within_limit`, `percentiles`, `share_within_limit`, `window`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::access::links::{point_links, Point};
use crate::access::propagate::{for_each_origin, OriginTimes, PropagationOptions};
use crate::analysis::rank::Timing;
use crate::analysis::window::{self, WindowOptions};
use crate::cli::args::{NetOpts, OutOpts, TimeOpts};
use crate::cli::check::{percentiles, MAIN_WINDOW};
use crate::cli::output::{round1, round6, Format};
use crate::cli::session::Session;
use crate::cli::timed::{pct_key, weekday};
use crate::cli::{emit, progress};
use crate::graph::timetabled::idle_on;
use crate::io::points::load_points;
use crate::network::ids::{seconds_to_minutes, Seconds, UNREACHED};
use crate::network::load::format_clock;
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

/// Times between points: every row with its percentiles and shares.
pub struct PointsMatrix {
    /// Origins.
    pub rows: Vec<Point>,
    /// Destinations.
    pub cols: Vec<Point>,
    /// The window.
    pub opts: WindowOptions,
    /// Percentiles asked for (the median is always computed, first).
    pub percentiles: Vec<f64>,
    /// One result per origin: `pct[0]` the median, then the asked percentiles.
    pub times: Vec<OriginTimes>,
    /// How points reach stops.
    pub links_model: String,
    /// Services on the default band (estimated departures).
    pub default_band: Vec<String>,
    /// Whether some trips run by inexact headways (else one draw is searched).
    pub needs_draws: bool,
    /// Services with trips or bands none of which runs on the date.
    pub idle: Vec<String>,
}

/// Computes the matrix of `req` over the window of `o` (median first, then `pct`).
pub fn points_matrix(
    net: &Network,
    rows: Vec<Point>,
    cols: Vec<Point>,
    o: &WindowOptions,
    pct: &[f64],
    limit: Seconds,
) -> Result<PointsMatrix> {
    let t = window::compile(net)?;
    let nl = point_links(net, &t, &rows, &cols)?;
    if let Some(r) = &nl.snap_report {
        eprintln!("{r}");
    }
    let (links, links_model) = (nl.links, nl.model);
    let mut all = vec![50.0];
    all.extend_from_slice(pct);
    let po = PropagationOptions {
        window: o.clone(),
        percentiles: all,
        limit: Some(limit),
    };
    let pb = progress(rows.len() as u64, "origins");
    let times = for_each_origin(&t, &links, &po, |_, r| {
        pb.inc(1);
        r.clone()
    })
    .map_err(window::as_problems)?;
    pb.finish_and_clear();
    Ok(PointsMatrix {
        rows,
        cols,
        opts: o.clone(),
        percentiles: pct.to_vec(),
        times,
        links_model,
        default_band: t.default_band.clone(),
        needs_draws: crate::engine::raptor::needs_draws(&t.tt),
        idle: idle_on(net, o.date),
    })
}

fn minutes(s: Seconds) -> Option<f64> {
    (s != UNREACHED).then(|| round1(seconds_to_minutes(s)))
}

impl PointsMatrix {
    fn draws(&self) -> u32 {
        if self.needs_draws {
            self.opts.draws.max(1)
        } else {
            1
        }
    }

    /// JSON in the shape of the place matrices.
    pub fn json(&self, net: &Network, scenario: &str, limit_min: f64) -> String {
        let pts = |v: &[Point]| -> Vec<serde_json::Value> {
            v.iter()
                .map(|p| json!({"id": p.id, "lon": round6(p.lon), "lat": round6(p.lat)}))
                .collect()
        };
        let med: Vec<Vec<Option<f64>>> = self
            .times
            .iter()
            .map(|r| r.pct[0].iter().map(|&s| minutes(s)).collect())
            .collect();
        let within: Vec<Vec<bool>> = med
            .iter()
            .map(|r| {
                r.iter()
                    .map(|m| m.is_some_and(|x| x <= limit_min))
                    .collect()
            })
            .collect();
        let mut pct = serde_json::Map::new();
        for (k, &p) in self.percentiles.iter().enumerate() {
            let m: Vec<Vec<Option<f64>>> = self
                .times
                .iter()
                .map(|r| r.pct[k + 1].iter().map(|&s| minutes(s)).collect())
                .collect();
            pct.insert(pct_key(p), json!(m));
        }
        let share: Vec<Vec<f64>> = self
            .times
            .iter()
            .map(|r| {
                r.share
                    .as_deref()
                    .unwrap_or(&[])
                    .iter()
                    .map(|&x| (x as f64 * 1000.0).round() / 1000.0)
                    .collect()
            })
            .collect();
        let o = &self.opts;
        let square = self.rows == self.cols;
        let mut j = json!({
            "network": net.name,
            "scenario": scenario,
            "profile": "transit",
            "indicator": "door",
            "date": o.date.to_string(),
            "limit_minutes": limit_min,
            "places": pts(&self.rows),
            "minutes": med,
            "within_limit": within,
            "percentiles": pct,
            "share_within_limit": share,
            "window": {
                "date": o.date.to_string(),
                "weekday": weekday(o),
                "from": format_clock(o.from),
                "to": format_clock(o.to),
                "step_minutes": o.step / 60,
                "departures": o.departures(),
                "draws": o.draws,
                "seed": o.seed,
                "minutes_are": "median over the samples (departures x draws)",
                "default_band_services": self.default_band,
                "services_not_running": self.idle,
            },
            "access": self.links_model,
        });
        if !square {
            j["to_places"] = json!(pts(&self.cols));
        }
        serde_json::to_string_pretty(&j).unwrap_or_default() + "\n"
    }

    /// CSV: `from,to,minutes,within_limit,share_within_limit,p5,...`, one row per pair.
    pub fn csv(&self, limit_min: f64) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut head = vec![
            "from".to_string(),
            "to".into(),
            "minutes".into(),
            "within_limit".into(),
            "share_within_limit".into(),
        ];
        head.extend(self.percentiles.iter().map(|&p| format!("p{}", pct_key(p))));
        let _ = w.write_record(&head);
        let f = |s: Seconds| minutes(s).map_or(String::new(), |m| format!("{m:.1}"));
        for (i, r) in self.times.iter().enumerate() {
            for (j, c) in self.cols.iter().enumerate() {
                let m = minutes(r.pct[0][j]);
                let mut rec = vec![
                    self.rows[i].id.clone(),
                    c.id.clone(),
                    f(r.pct[0][j]),
                    m.is_some_and(|x| x <= limit_min).to_string(),
                    format!("{:.3}", r.share.as_ref().map_or(0.0, |s| s[j])),
                ];
                rec.extend((0..self.percentiles.len()).map(|k| f(r.pct[k + 1][j])));
                let _ = w.write_record(&rec);
            }
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// A summary for the terminal: what was computed, pairs reached and within the limit, and
    /// the median distribution.
    pub fn table(&self, limit_min: f64) -> String {
        let o = &self.opts;
        let pairs = self.rows.len() * self.cols.len();
        let mut reached: Vec<f64> = self
            .times
            .iter()
            .flat_map(|r| r.pct[0].iter().filter_map(|&s| minutes(s)))
            .collect();
        reached.sort_by(f64::total_cmp);
        let within = reached.iter().filter(|&&m| m <= limit_min).count();
        let q = |p: f64| {
            reached
                .get(((p * reached.len() as f64).ceil() as usize).saturating_sub(1))
                .map_or("-".to_string(), |m| format!("{m:.0}"))
        };
        format!(
            "{} origins × {} destinations, {} {} {}–{} every {} min, {} draw(s); access: {}\n\
             pairs reached (median within the bound): {} of {}; within {} min: {}\n\
             median minutes over reached pairs: p25 {}, p50 {}, p75 {}\n\
             (use --format csv or json for every pair)\n",
            self.rows.len(),
            self.cols.len(),
            o.date,
            weekday(o),
            format_clock(o.from),
            format_clock(o.to),
            o.step / 60,
            self.draws(),
            self.links_model,
            reached.len(),
            pairs,
            limit_min,
            within,
            q(0.25),
            q(0.5),
            q(0.75),
        )
    }
}

/// The `matrix --points` command.
pub fn points_cmd(
    net: &NetOpts,
    req: PointsRequest<'_>,
    time: &TimeOpts,
    out: &OutOpts,
) -> Result<ExitCode> {
    let mut s = Session::open(net)?;
    let time = TimeOpts {
        depart: time.depart.or(Some(MAIN_WINDOW)),
        ..time.clone()
    };
    let Timing::Timetable(o) = s.timing(&time)? else {
        return Err(crate::cli::UserError(
            "matrix --points runs on timetables: give --depart".into(),
        )
        .into());
    };
    let rows = load_points(req.points)?;
    let cols = match req.to_points {
        Some(p) => load_points(p)?,
        None => rows.clone(),
    };
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
