//! The files of an accessibility run (`docs/access.md`): `access.csv`, `access.geojson` and
//! `summary.json`, for one scenario or the difference between two.
//!
//! One scenario: a row (CSV) or feature (GeoJSON) per origin with its id, its lon/lat (a
//! cell's centre) and one column per indicator (`jobs_within_45`, `jobs_logistic_45`,
//! `minutes_to_100000_jobs`…; see [`Spec::indicators`]). Two scenarios: four columns per
//! indicator, `<indicator>_base`, `<indicator>_scenario`, `<indicator>_diff` (scenario −
//! base) and `<indicator>_pct` (the difference in percent of the base; empty where the base
//! is 0 or a value is missing). Values are rounded to two decimals; a dual measure not
//! reached is an empty CSV field and `null` in JSON. GeoJSON follows RFC 7946: WGS84
//! lon/lat to six decimals, grid cells as counter-clockwise polygons, other origins as
//! points.
//!
//! `summary.json` holds the caller's description of the run (`run`), the origins (how many,
//! their weight: the population column when there is one, else every origin counts 1), per
//! scenario and indicator the mean over origins and the weighted mean (population-weighted
//! when weighted by population), and for every dual measure `(column, N)` and cutoff the
//! weight (people) reaching `N` within the cutoff and its share. With two scenarios,
//! `difference` gives per indicator the weighted means and their change, and the weight
//! (people) gaining and losing at all and by at least [`GAIN_PCT`] % (for the dual measure,
//! fewer minutes is a gain; reaching `N` where it was not reached is a gain of any size).
//!
//! [`write()`] writes the files into a folder atomically (a temporary sibling folder renamed
//! into place, `io::write::write_folder_atomic`).

use std::path::Path;

use serde_json::{json, Map, Value};

use crate::access::indicators::{Indicator, Measure, Spec};
use crate::geo::grid::Grid;

/// The relative change, percent, from which an origin counts as gaining or losing in the
/// difference summary.
pub const GAIN_PCT: f64 = 10.0;

/// The origins of a run.
#[derive(Clone, Copy, Debug)]
pub struct Origins<'a> {
    /// Ids, one per origin.
    pub ids: &'a [String],
    /// WGS84 lon/lat of each origin (a cell's centre), degrees.
    pub lonlat: &'a [(f64, f64)],
    /// When the origins are grid cells: the grid and each origin's cell in it (the outputs
    /// draw them as polygons).
    pub cells: Option<(&'a Grid, &'a [u32])>,
    /// The weight of each origin in the summaries, e.g. its population: the column's name and
    /// one value per origin (finite, non-negative). `None`: every origin counts 1.
    pub weight: Option<(&'a str, &'a [f64])>,
}

/// The indicator values of one scenario.
#[derive(Clone, Copy, Debug)]
pub struct Results<'a> {
    /// The scenario's name, as the user gave it.
    pub scenario: &'a str,
    /// `values[o * k + i]`: origin `o`, indicator `i` of `k` (in the order of
    /// [`Spec::indicators`], as the evaluator writes them); `NaN` for a dual measure not
    /// reached.
    pub values: &'a [f64],
}

/// Everything the files of a run are made from.
#[derive(Clone, Debug)]
pub struct Run<'a> {
    /// The origins.
    pub origins: Origins<'a>,
    /// The indicators computed.
    pub spec: &'a Spec,
    /// The base scenario's values.
    pub base: Results<'a>,
    /// A second scenario to compare with the base.
    pub scenario: Option<Results<'a>>,
    /// The caller's description of the run (network, date, window, percentile,
    /// opportunities file…), written as `run` in `summary.json`.
    pub meta: Value,
}

/// Rounds to `d` decimals; `None` for NaN or infinity.
fn round(x: f64, d: i32) -> Option<f64> {
    let p = 10f64.powi(d);
    x.is_finite().then(|| {
        let r = (x * p).round() / p;
        if r == 0.0 {
            0.0
        } else {
            r
        }
    })
}

/// A value for CSV: two decimals without trailing zeros, empty when missing.
fn cell(x: f64) -> String {
    match round(x, 2) {
        None => String::new(),
        Some(r) => {
            let s = format!("{r:.2}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            s.to_string()
        }
    }
}

/// A value for JSON: two decimals, `null` when missing.
fn num(x: f64, d: i32) -> Value {
    round(x, d).map_or(Value::Null, Value::from)
}

/// A table of named columns over the origins: `values[o * names.len() + k]`.
struct Table {
    names: Vec<String>,
    values: Vec<f64>,
}

/// How a value compares between two scenarios.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Change {
    diff: f64,
    pct: f64,
    gain: bool,
    loss: bool,
    gain_big: bool,
    loss_big: bool,
}

/// Compares `b` (base) and `s` (scenario); `higher` says whether a larger value is better.
fn change(b: f64, s: f64, higher: bool) -> Change {
    let (bn, sn) = (b.is_nan(), s.is_nan());
    let diff = s - b;
    let pct = if b != 0.0 && !bn && !sn {
        100.0 * diff / b
    } else {
        f64::NAN
    };
    // Missing values only occur for the dual measure (lower is better): reaching where it
    // was not reached is a gain of any size.
    if bn || sn {
        let gain = bn && !sn;
        let loss = sn && !bn;
        return Change {
            diff,
            pct,
            gain,
            loss,
            gain_big: gain,
            loss_big: loss,
        };
    }
    // Differences within rounding noise are no change; the 10 % thresholds allow the same.
    let tol = 1e-9 * b.abs().max(s.abs()).max(1.0);
    let better = if higher { diff > tol } else { diff < -tol };
    let worse = if higher { diff < -tol } else { diff > tol };
    let f = GAIN_PCT / 100.0;
    // Values are non-negative: a fall implies a positive base.
    let rise_big = b <= 0.0 || diff >= f * b - tol;
    let fall_big = -diff >= f * b - tol;
    let (gain_big, loss_big) = if higher {
        (better && rise_big, worse && fall_big)
    } else {
        (better && fall_big, worse && rise_big)
    };
    Change {
        diff,
        pct,
        gain: better,
        loss: worse,
        gain_big,
        loss_big,
    }
}

impl Run<'_> {
    fn n(&self) -> usize {
        self.origins.ids.len()
    }

    /// Checks that the parts fit together.
    fn check(&self) -> Result<Vec<Indicator>, String> {
        self.spec.check()?;
        let n = self.n();
        let inds = self.spec.indicators();
        if self.origins.lonlat.len() != n {
            return Err(format!(
                "{} coordinates for {n} origins",
                self.origins.lonlat.len()
            ));
        }
        if let Some((grid, cells)) = self.origins.cells {
            if cells.len() != n || cells.iter().any(|&c| c as usize >= grid.len()) {
                return Err("the origins' cells do not match the grid".into());
            }
        }
        if let Some((name, w)) = self.origins.weight {
            if w.len() != n {
                return Err(format!("{} values of {name} for {n} origins", w.len()));
            }
            if let Some(v) = w.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                return Err(format!(
                    "weight {name} holds {v}; weights must be finite and non-negative"
                ));
            }
        }
        for r in std::iter::once(&self.base).chain(self.scenario.as_ref()) {
            if r.values.len() != n * inds.len() {
                return Err(format!(
                    "scenario {}: {} values for {n} origins × {} indicators",
                    r.scenario,
                    r.values.len(),
                    inds.len()
                ));
            }
        }
        Ok(inds)
    }

    /// The per-origin table: the indicators, or with two scenarios base, scenario,
    /// difference and percent change of each.
    fn table(&self, inds: &[Indicator]) -> Table {
        let k = inds.len();
        let Some(sc) = &self.scenario else {
            return Table {
                names: inds.iter().map(|i| i.name.clone()).collect(),
                values: self.base.values.to_vec(),
            };
        };
        let mut names = Vec::with_capacity(4 * k);
        for i in inds {
            for suffix in ["base", "scenario", "diff", "pct"] {
                names.push(format!("{}_{suffix}", i.name));
            }
        }
        let mut values = Vec::with_capacity(self.n() * 4 * k);
        for o in 0..self.n() {
            for (j, ind) in inds.iter().enumerate() {
                let (b, s) = (self.base.values[o * k + j], sc.values[o * k + j]);
                let c = change(b, s, ind.higher_is_better());
                values.extend([b, s, c.diff, c.pct]);
            }
        }
        Table { names, values }
    }

    fn weights(&self) -> Vec<f64> {
        match self.origins.weight {
            Some((_, w)) => w.to_vec(),
            None => vec![1.0; self.n()],
        }
    }
}

/// `access.csv`: `id,lon,lat` and the table's columns, one row per origin.
fn csv_text(run: &Run, t: &Table) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = ["id", "lon", "lat"]
        .into_iter()
        .map(String::from)
        .chain(t.names.iter().cloned());
    w.write_record(header).map_err(|e| e.to_string())?;
    let k = t.names.len();
    for o in 0..run.n() {
        let (lon, lat) = run.origins.lonlat[o];
        let mut rec = vec![
            run.origins.ids[o].clone(),
            format!("{lon:.6}"),
            format!("{lat:.6}"),
        ];
        rec.extend(t.values[o * k..(o + 1) * k].iter().map(|&v| cell(v)));
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// `access.geojson`: a FeatureCollection, one feature per line (cells as polygons, other
/// origins as points), with `id` and the table's columns as properties.
fn geojson_text(run: &Run, t: &Table) -> String {
    let k = t.names.len();
    let pos = |(lon, lat): (f64, f64)| json!([num(lon, 6), num(lat, 6)]);
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for o in 0..run.n() {
        let geometry = match run.origins.cells {
            Some((grid, cells)) => {
                let p = grid.polygon(cells[o] as usize);
                let ring: Vec<Value> = p.exterior().0.iter().map(|c| pos((c.x, c.y))).collect();
                json!({"type": "Polygon", "coordinates": [ring]})
            }
            None => json!({"type": "Point", "coordinates": pos(run.origins.lonlat[o])}),
        };
        let mut props = Map::new();
        props.insert("id".into(), json!(run.origins.ids[o]));
        for (name, &v) in t.names.iter().zip(&t.values[o * k..(o + 1) * k]) {
            props.insert(name.clone(), num(v, 2));
        }
        let f = json!({"type": "Feature", "properties": props, "geometry": geometry});
        s.push_str(&f.to_string());
        s.push_str(if o + 1 < run.n() { ",\n" } else { "\n" });
    }
    s.push_str("]}\n");
    s
}

/// Weighted mean of the finite values (`None` without weight).
fn weighted_mean(v: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (mut sw, mut swv) = (0.0, 0.0);
    for (w, x) in v {
        if x.is_finite() {
            sw += w;
            swv += w * x;
        }
    }
    if sw > 0.0 {
        swv / sw
    } else {
        f64::NAN
    }
}

/// What an indicator measures, for the summary.
fn describe(ind: &Indicator, spec: &Spec) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("name".into(), json!(ind.name));
    m.insert("column".into(), json!(spec.columns[ind.column]));
    match ind.measure {
        Measure::Cumulative { cutoff_min } => {
            m.insert("measure".into(), json!("cumulative"));
            m.insert("cutoff_min".into(), json!(cutoff_min));
        }
        Measure::Decayed { decay, cutoff_min } => {
            m.insert("measure".into(), json!("decay"));
            m.insert("decay".into(), json!(decay.name()));
            if decay.uses_cutoff() {
                m.insert("cutoff_min".into(), json!(cutoff_min));
            }
            use crate::access::indicators::Decay;
            match decay {
                Decay::Linear { width_min } => {
                    m.insert("width_min".into(), json!(width_min));
                }
                Decay::Logistic { sd_min } => {
                    m.insert("sd_min".into(), json!(sd_min));
                }
                Decay::FixedExponential { per_second } => {
                    m.insert("per_second".into(), json!(per_second));
                }
                Decay::Step | Decay::Exponential => {}
            }
        }
        Measure::Dual { n } => {
            m.insert("measure".into(), json!("dual_minutes"));
            m.insert("n".into(), json!(n));
        }
    }
    m
}

/// The summary of one scenario: per indicator and per (dual, cutoff).
fn scenario_summary(run: &Run, inds: &[Indicator], r: &Results, w: &[f64]) -> Value {
    let k = inds.len();
    let n = run.n();
    let total_w: f64 = w.iter().sum();
    let col = |j: usize| (0..n).map(move |o| r.values[o * k + j]);
    let mut out = Vec::with_capacity(k);
    for (j, ind) in inds.iter().enumerate() {
        let mut m = describe(ind, run.spec);
        let finite: Vec<f64> = col(j).filter(|v| v.is_finite()).collect();
        let mean = if finite.is_empty() {
            f64::NAN
        } else {
            finite.iter().sum::<f64>() / finite.len() as f64
        };
        m.insert("mean".into(), num(mean, 2));
        m.insert(
            "weighted_mean".into(),
            num(weighted_mean(w.iter().copied().zip(col(j))), 2),
        );
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        m.insert("min".into(), num(min, 2));
        m.insert("max".into(), num(max, 2));
        if ind.higher_is_better() {
            m.insert(
                "origins_above_zero".into(),
                json!(finite.iter().filter(|&&v| v > 0.0).count()),
            );
        } else {
            let reached_w: f64 = col(j)
                .zip(w)
                .filter(|(v, _)| v.is_finite())
                .map(|(_, w)| w)
                .sum();
            m.insert("origins_reaching".into(), json!(finite.len()));
            m.insert("weight_reaching".into(), num(reached_w, 2));
            m.insert("share_reaching".into(), num(reached_w / total_w, 4));
        }
        out.push(Value::Object(m));
    }
    // The weight reaching N of a column within each cutoff, for every dual measure.
    let mut reach = Vec::new();
    for ind in inds {
        let Measure::Dual { n: target } = ind.measure else {
            continue;
        };
        for &c in &run.spec.cutoffs_min {
            let Some(j) = inds.iter().position(|i| {
                i.column == ind.column && i.measure == Measure::Cumulative { cutoff_min: c }
            }) else {
                continue;
            };
            let (mut wr, mut or) = (0.0, 0usize);
            for (v, wo) in col(j).zip(w) {
                if v >= target {
                    wr += wo;
                    or += 1;
                }
            }
            reach.push(json!({
                "column": run.spec.columns[ind.column],
                "n": target,
                "cutoff_min": c,
                "origins_reaching": or,
                "weight_reaching": num(wr, 2),
                "share_reaching": num(wr / total_w, 4),
            }));
        }
    }
    json!({"scenario": r.scenario, "indicators": out, "reach": reach})
}

/// The difference between two scenarios, per indicator.
fn difference_summary(run: &Run, inds: &[Indicator], b: &Results, s: &Results, w: &[f64]) -> Value {
    let k = inds.len();
    let total_w: f64 = w.iter().sum();
    let mut out = Vec::with_capacity(k);
    for (j, ind) in inds.iter().enumerate() {
        let mut m = describe(ind, run.spec);
        let pairs: Vec<(f64, f64, f64)> = (0..run.n())
            .map(|o| (w[o], b.values[o * k + j], s.values[o * k + j]))
            .collect();
        let both = || pairs.iter().filter(|p| p.1.is_finite() && p.2.is_finite());
        m.insert(
            "weighted_mean_base".into(),
            num(weighted_mean(both().map(|p| (p.0, p.1))), 2),
        );
        m.insert(
            "weighted_mean_scenario".into(),
            num(weighted_mean(both().map(|p| (p.0, p.2))), 2),
        );
        m.insert(
            "weighted_mean_change".into(),
            num(weighted_mean(both().map(|p| (p.0, p.2 - p.1))), 2),
        );
        let mut groups = [(0.0, 0usize); 4];
        for &(wo, bv, sv) in &pairs {
            let c = change(bv, sv, ind.higher_is_better());
            for (g, hit) in groups
                .iter_mut()
                .zip([c.gain, c.loss, c.gain_big, c.loss_big])
            {
                if hit {
                    g.0 += wo;
                    g.1 += 1;
                }
            }
        }
        for (key, (gw, go)) in ["gaining", "losing", "gaining_10pct", "losing_10pct"]
            .iter()
            .zip(groups)
        {
            m.insert(
                (*key).into(),
                json!({"weight": num(gw, 2), "share": num(gw / total_w, 4), "origins": go}),
            );
        }
        out.push(Value::Object(m));
    }
    json!({
        "base": b.scenario,
        "scenario": s.scenario,
        "gain_pct": GAIN_PCT,
        "indicators": out,
    })
}

/// `summary.json` of a run (see the module documentation).
fn summary_value(run: &Run, inds: &[Indicator]) -> Value {
    let w = run.weights();
    let total_w: f64 = w.iter().sum();
    let mut scenarios = vec![scenario_summary(run, inds, &run.base, &w)];
    if let Some(s) = &run.scenario {
        scenarios.push(scenario_summary(run, inds, s, &w));
    }
    let mut v = json!({
        "run": run.meta,
        "origins": {
            "count": run.n(),
            "cells": run.origins.cells.is_some(),
            "weight": run.origins.weight.map_or("origins".to_string(), |(n, _)| n.to_string()),
            "total_weight": num(total_w, 2),
            "with_weight": w.iter().filter(|&&x| x > 0.0).count(),
        },
        "scenarios": scenarios,
    });
    if let Some(s) = &run.scenario {
        v["difference"] = difference_summary(run, inds, &run.base, s, &w);
    }
    v
}

/// The files of a run: `access.csv`, `access.geojson`, `summary.json`, as (name, bytes).
/// Errors if the parts do not fit together (lengths, cells outside the grid, bad weights).
pub fn files(run: &Run) -> Result<Vec<(String, Vec<u8>)>, String> {
    let inds = run.check()?;
    let t = run.table(&inds);
    let summary =
        serde_json::to_string_pretty(&summary_value(run, &inds)).map_err(|e| e.to_string())? + "\n";
    Ok(vec![
        ("access.csv".into(), csv_text(run, &t)?.into_bytes()),
        ("access.geojson".into(), geojson_text(run, &t).into_bytes()),
        ("summary.json".into(), summary.into_bytes()),
    ])
}

/// Writes the files of a run into folder `dir`, all at once or not at all
/// (`io::write::write_folder_atomic`: an existing `dir` is replaced only if it is empty or an
/// earlier output of onehour).
pub fn write(dir: &Path, run: &Run) -> std::io::Result<()> {
    let f = files(run).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    crate::io::write::write_folder_atomic(dir, &f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::indicators::{Decay, Dual};

    fn spec() -> Spec {
        Spec {
            columns: vec!["population".into(), "jobs".into()],
            cutoffs_min: vec![30, 60],
            decays: vec![Decay::Linear { width_min: 10.0 }],
            duals: vec![Dual {
                column: 1,
                n: 100.0,
            }],
        }
    }

    struct Fixture {
        grid: Grid,
        ids: Vec<String>,
        lonlat: Vec<(f64, f64)>,
        cells: Vec<u32>,
        pop: Vec<f64>,
    }

    fn fixture() -> Fixture {
        let grid = Grid::covering([113.0, 23.0, 113.03, 23.01], 1000.0).unwrap();
        let cells = vec![0u32, 1, 2];
        Fixture {
            ids: cells.iter().map(|&c| grid.id(c as usize)).collect(),
            lonlat: cells.iter().map(|&c| grid.centroid(c as usize)).collect(),
            cells,
            pop: vec![100.0, 300.0, 0.0],
            grid,
        }
    }

    // Indicators: population_within_30, population_within_60, jobs_within_30, jobs_within_60,
    // population_linear_30, population_linear_60, jobs_linear_30, jobs_linear_60,
    // minutes_to_100_jobs.
    const BASE: [f64; 27] = [
        400.0,
        400.0,
        50.0,
        120.0,
        390.0,
        400.0,
        45.5,
        118.25,
        41.5, //
        400.0,
        400.0,
        80.0,
        200.0,
        400.0,
        400.0,
        80.0,
        190.0,
        35.0, //
        0.0,
        100.0,
        0.0,
        10.0,
        0.0,
        90.0,
        0.0,
        8.0,
        f64::NAN,
    ];
    const SCEN: [f64; 27] = [
        400.0, 400.0, 60.0, 120.0, 390.0, 400.0, 45.5, 118.25, 30.0, //
        400.0, 400.0, 76.0, 150.0, 400.0, 400.0, 80.0, 190.0, 38.5, //
        0.0, 100.0, 5.0, 10.0, 0.0, 90.0, 0.0, 8.0, 59.0,
    ];

    fn run<'a>(f: &'a Fixture, s: &'a Spec, two: bool, cells: bool) -> Run<'a> {
        Run {
            origins: Origins {
                ids: &f.ids,
                lonlat: &f.lonlat,
                cells: cells.then_some((&f.grid, f.cells.as_slice())),
                weight: Some(("population", &f.pop)),
            },
            spec: s,
            base: Results {
                scenario: "today",
                values: &BASE,
            },
            scenario: two.then_some(Results {
                scenario: "plan-2030",
                values: &SCEN,
            }),
            meta: json!({"network": "test"}),
        }
    }

    fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
        let f = files.iter().find(|f| f.0 == name).unwrap();
        std::str::from_utf8(&f.1).unwrap()
    }

    #[test]
    fn one_scenario_csv_and_geojson() {
        let (f, s) = (fixture(), spec());
        let files = files(&run(&f, &s, false, true)).unwrap();
        let csv = file(&files, "access.csv");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "id,lon,lat,population_within_30,population_within_60,jobs_within_30,jobs_within_60,population_linear_30,population_linear_60,jobs_linear_30,jobs_linear_60,minutes_to_100_jobs"
        );
        let (lon, lat) = f.lonlat[0];
        assert_eq!(
            lines[1],
            format!("r0c0,{lon:.6},{lat:.6},400,400,50,120,390,400,45.5,118.25,41.5")
        );
        assert!(lines[3].ends_with(",0,100,0,10,0,90,0,8,"), "{}", lines[3]);
        assert_eq!(lines.len(), 4);

        let gj: Value = serde_json::from_str(file(&files, "access.geojson")).unwrap();
        assert_eq!(gj["type"], "FeatureCollection");
        let feats = gj["features"].as_array().unwrap();
        assert_eq!(feats.len(), 3);
        assert_eq!(feats[0]["geometry"]["type"], "Polygon");
        assert_eq!(feats[0]["properties"]["id"], "r0c0");
        assert_eq!(feats[0]["properties"]["jobs_linear_60"], 118.25);
        assert_eq!(feats[2]["properties"]["minutes_to_100_jobs"], Value::Null);
        // The ring: closed, counter-clockwise, around the cell's centre.
        let ring = feats[1]["geometry"]["coordinates"][0].as_array().unwrap();
        assert_eq!(ring.len(), 5);
        assert_eq!(ring[0], ring[4]);
        let pts: Vec<(f64, f64)> = ring
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        let area2: f64 = pts
            .windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum();
        assert!(area2 > 0.0);
        let (clon, clat) = f.lonlat[1];
        assert!(pts[0].0 < clon && pts[2].0 > clon && pts[0].1 < clat && pts[2].1 > clat);
        // Points when the origins are not cells.
        let files = super::files(&run(&f, &s, false, false)).unwrap();
        let gj: Value = serde_json::from_str(file(&files, "access.geojson")).unwrap();
        assert_eq!(gj["features"][0]["geometry"]["type"], "Point");
    }

    #[test]
    fn one_scenario_summary_by_hand() {
        let (f, s) = (fixture(), spec());
        let files = files(&run(&f, &s, false, true)).unwrap();
        let v: Value = serde_json::from_str(file(&files, "summary.json")).unwrap();
        assert_eq!(v["run"]["network"], "test");
        assert_eq!(v["origins"]["count"], 3);
        assert_eq!(v["origins"]["weight"], "population");
        assert_eq!(v["origins"]["total_weight"], 400.0);
        assert_eq!(v["origins"]["with_weight"], 2);
        let sc = &v["scenarios"][0];
        assert_eq!(sc["scenario"], "today");
        let ind = |name: &str| {
            sc["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["name"] == name)
                .unwrap()
                .clone()
        };
        // jobs_within_60: 120, 200, 10 weighted 100, 300, 0 → (12000 + 60000) / 400 = 180.
        let j60 = ind("jobs_within_60");
        assert_eq!(j60["weighted_mean"], 180.0);
        assert_eq!(j60["mean"], 110.0);
        assert_eq!(j60["measure"], "cumulative");
        assert_eq!(j60["cutoff_min"], 60);
        assert_eq!(ind("jobs_linear_30")["width_min"], 10.0);
        // Dual: reached by the first two origins (all the weight): (41.5·100 + 35·300) / 400.
        let d = ind("minutes_to_100_jobs");
        assert_eq!(d["weighted_mean"], 36.63);
        assert_eq!(d["origins_reaching"], 2);
        assert_eq!(d["share_reaching"], 1.0);
        // 100 jobs within 30 min: nobody; within 60: origins 1 and 2 (400 people).
        let reach = sc["reach"].as_array().unwrap();
        assert_eq!(reach.len(), 2);
        assert_eq!(reach[0]["cutoff_min"], 30);
        assert_eq!(reach[0]["weight_reaching"], 0.0);
        assert_eq!(reach[1]["cutoff_min"], 60);
        assert_eq!(reach[1]["weight_reaching"], 400.0);
        assert_eq!(reach[1]["origins_reaching"], 2);
        assert_eq!(reach[1]["share_reaching"], 1.0);
    }

    #[test]
    fn two_scenarios_differences_by_hand() {
        let (f, s) = (fixture(), spec());
        let files = files(&run(&f, &s, true, true)).unwrap();
        let csv = file(&files, "access.csv");
        let mut rdr = csv::Reader::from_reader(csv.as_bytes());
        let h = rdr.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
        let get =
            |o: usize, name: &str| rows[o][h.iter().position(|x| x == name).unwrap()].to_string();
        assert_eq!(h.len(), 3 + 4 * 9);
        assert_eq!(get(0, "jobs_within_30_base"), "50");
        assert_eq!(get(0, "jobs_within_30_scenario"), "60");
        assert_eq!(get(0, "jobs_within_30_diff"), "10");
        assert_eq!(get(0, "jobs_within_30_pct"), "20");
        assert_eq!(get(1, "jobs_within_60_pct"), "-25");
        assert_eq!(
            get(2, "jobs_within_30_pct"),
            "",
            "no percentage of a zero base"
        );
        assert_eq!(get(0, "minutes_to_100_jobs_diff"), "-11.5");
        assert_eq!(
            get(2, "minutes_to_100_jobs_diff"),
            "",
            "not reached in the base"
        );

        let v: Value = serde_json::from_str(file(&files, "summary.json")).unwrap();
        assert_eq!(v["scenarios"].as_array().unwrap().len(), 2);
        let d = &v["difference"];
        assert_eq!(d["base"], "today");
        assert_eq!(d["scenario"], "plan-2030");
        let ind = |name: &str| {
            d["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["name"] == name)
                .unwrap()
                .clone()
        };
        // jobs_within_30: +20 % (100 people), −5 % (300 people), 0 → 5 (0 people).
        let j = ind("jobs_within_30");
        assert_eq!(j["gaining"]["weight"], 100.0);
        assert_eq!(j["gaining"]["origins"], 2);
        assert_eq!(j["gaining_10pct"]["weight"], 100.0);
        assert_eq!(
            j["gaining_10pct"]["origins"], 2,
            "from zero counts as a large gain"
        );
        assert_eq!(j["losing"]["weight"], 300.0);
        assert_eq!(j["losing_10pct"]["weight"], 0.0, "−5 % is not a 10 % loss");
        assert_eq!(j["gaining"]["share"], 0.25);
        // Weighted mean change: (10·100 − 4·300) / 400 = −0.5.
        assert_eq!(j["weighted_mean_change"], -0.5);
        // jobs_within_60: −25 % for 300 people.
        let j = ind("jobs_within_60");
        assert_eq!(j["losing_10pct"]["weight"], 300.0);
        assert_eq!(j["weighted_mean_change"], -37.5);
        // Unchanged.
        let p = ind("population_within_30");
        assert_eq!(p["gaining"]["origins"], 0);
        assert_eq!(p["losing"]["origins"], 0);
        assert_eq!(p["weighted_mean_change"], 0.0);
        // Dual: 41.5 → 30 (−28 %, a gain, 100 people), 35 → 38.5 (+10 %, a 10 % loss, 300
        // people), unreached → 59 (a gain, no people).
        let m = ind("minutes_to_100_jobs");
        assert_eq!(m["gaining_10pct"]["weight"], 100.0);
        assert_eq!(m["gaining_10pct"]["origins"], 2);
        assert_eq!(m["losing_10pct"]["weight"], 300.0);
        // Over origins reached in both: (−11.5·100 + 3.5·300) / 400 = −0.25.
        assert_eq!(m["weighted_mean_change"], -0.25);
    }

    #[test]
    fn mismatched_parts_are_refused() {
        let (f, s) = (fixture(), spec());
        let mut r = run(&f, &s, false, true);
        r.base.values = &BASE[..26];
        assert!(files(&r)
            .unwrap_err()
            .contains("26 values for 3 origins × 9 indicators"));
        let r = Run {
            origins: Origins {
                weight: Some(("population", &[1.0, -1.0, 0.0])),
                ..run(&f, &s, false, true).origins
            },
            ..run(&f, &s, false, true)
        };
        assert!(files(&r).unwrap_err().contains("non-negative"));
        let bad = [0u32, 1, 99_999];
        let r = Run {
            origins: Origins {
                cells: Some((&f.grid, &bad)),
                ..run(&f, &s, false, true).origins
            },
            ..run(&f, &s, false, true)
        };
        assert!(files(&r).unwrap_err().contains("do not match the grid"));
    }

    #[test]
    fn write_puts_the_files_in_a_folder_at_once() {
        let (f, s) = (fixture(), spec());
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("access");
        write(&out, &run(&f, &s, true, true)).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                ".onehour-output",
                "access.csv",
                "access.geojson",
                "summary.json"
            ]
        );
        // A second run replaces the folder; a folder of the user's is not replaced.
        write(&out, &run(&f, &s, false, true)).unwrap();
        let user = d.path().join("mine");
        std::fs::create_dir(&user).unwrap();
        std::fs::write(user.join("notes.txt"), "keep").unwrap();
        assert!(write(&user, &run(&f, &s, false, true)).is_err());
        assert_eq!(
            std::fs::read_to_string(user.join("notes.txt")).unwrap(),
            "keep"
        );
        // Nothing is left beside the outputs.
        let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(left.len(), 2);
    }

    #[test]
    fn values_round_to_two_decimals() {
        assert_eq!(cell(1234.5678), "1234.57");
        assert_eq!(cell(2.0), "2");
        assert_eq!(cell(-0.001), "0");
        assert_eq!(cell(f64::NAN), "");
        assert_eq!(cell(0.1), "0.1");
        assert_eq!(num(f64::INFINITY, 2), Value::Null);
    }

    /// The evaluator's output fits the writers: names and order.
    #[test]
    fn evaluator_output_goes_straight_to_the_files() {
        use crate::access::indicators::Evaluator;
        let (f, s) = (fixture(), spec());
        let jobs = [60.0, 40.0, 5.0];
        let pop = [100.0, 300.0, 0.0];
        let ev = Evaluator::new(&s, &[&pop, &jobs]).unwrap();
        let mut sc = ev.scratch();
        let k = ev.indicators().len();
        let mut values = vec![0.0; 3 * k];
        let times = [[0u32, 1200, 3000], [1200, 0, 4000], [3000, 4000, 0]];
        for (o, t) in times.iter().enumerate() {
            ev.evaluate(&mut sc, t, &mut values[o * k..(o + 1) * k]);
        }
        let r = Run {
            base: Results {
                scenario: "today",
                values: &values,
            },
            ..run(&f, &s, false, true)
        };
        let files = files(&r).unwrap();
        let csv = file(&files, "access.csv");
        // Origin 0: within 30 min itself and origin 1 (100 + 300 people, 100 jobs); 100 jobs
        // reached at 20 minutes.
        let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
        assert_eq!(&row[3..7], ["400", "400", "100", "105"]);
        assert_eq!(row[11], "20");
    }
}
