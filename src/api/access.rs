//! Accessibility in the facade: the people (the network's population surface, `[population]`
//! in its manifest) each cell of a grid reaches within a cutoff over a departure window, for
//! one scenario or the difference between two — what `onehour access --opportunities SURFACE
//! --columns COLUMN --grid M --cutoffs C [--scenario A,B]` writes, byte for byte.
//!
//! A computation takes about a second on a 5 km grid (BENCHMARKS.md), so each is made once
//! per scenario and parameters and kept in the [`super::Model`]: the layout of a grid (its
//! cells and their people) once per cell size, the values once per scenario and parameters,
//! the files once per request. A lookup takes a read lock on a map for a moment; the
//! computation itself runs outside any lock.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};

use serde_json::json;

use super::model::{Model, ScenarioNet};
use super::{Error, Window, DEFAULT_DRAWS, DEFAULT_PERCENTILES};
use crate::access::compute::{access_values_on, destination_points, AccessQuery, AccessValues};
use crate::access::indicators::Spec;
use crate::access::links::Point;
use crate::access::report::{self, Origins, Results, Run};
use crate::analysis::window::WindowOptions;
use crate::geo::grid::Grid;
use crate::io::opportunities::{geojson_extent, parse_opportunity_geojson, Opportunities};
use crate::network::load::format_clock;

/// The default cell size of an accessibility grid, metres: about 4000 cells on the bundled
/// network, computed in about a second (BENCHMARKS.md).
pub const ACCESS_GRID_M: f64 = 5000.0;
/// The finest grid answered interactively, metres (finer grids take tens of seconds: use
/// `onehour access`).
pub const MIN_ACCESS_GRID_M: f64 = 4000.0;
/// The coarsest grid, metres.
pub const MAX_ACCESS_GRID_M: f64 = 50_000.0;
/// The default cutoff, minutes.
pub const ACCESS_CUTOFF_MIN: u32 = 60;

/// What an accessibility query asks: a cutoff, a grid, a departure window and a percentile
/// (the defaults are `onehour access`'s but for the grid).
#[derive(Clone, Debug, PartialEq)]
pub struct AccessParams {
    /// The cutoff, whole minutes (1 to 240).
    pub cutoff_min: u32,
    /// The cell size of the grid, metres ([`MIN_ACCESS_GRID_M`] to [`MAX_ACCESS_GRID_M`]).
    pub grid_m: f64,
    /// The departure window (its `percentiles` are not used; `percentile` is).
    pub window: Window,
    /// The percentile of each travel time over the window (50: the median).
    pub percentile: f64,
}

impl Default for AccessParams {
    fn default() -> AccessParams {
        AccessParams {
            cutoff_min: ACCESS_CUTOFF_MIN,
            grid_m: ACCESS_GRID_M,
            window: Window {
                from: 7 * 3600,
                to: 8 * 3600,
                draws: DEFAULT_DRAWS,
                seed: 1,
                percentiles: DEFAULT_PERCENTILES.to_vec(),
            },
            percentile: 50.0,
        }
    }
}

impl AccessParams {
    /// Checks the parameters, naming the one that is wrong and the fix.
    pub fn check(&self) -> Result<(), Error> {
        let max = crate::access::indicators::MAX_CUTOFF_MIN;
        if !(1..=max).contains(&self.cutoff_min) {
            return Err(Error::BadRequest(format!(
                "cutoff: {} minutes is outside 1..{max}; give whole minutes, e.g. 60",
                self.cutoff_min
            )));
        }
        let g = self.grid_m;
        if !g.is_finite() || g < MIN_ACCESS_GRID_M {
            return Err(Error::BadRequest(format!(
                "grid: {g} m cells are too fine to compute at a click (tens of seconds or more); give grid={MIN_ACCESS_GRID_M} or more (default {ACCESS_GRID_M}), or run `onehour access --grid {g}` for a finer grid"
            )));
        }
        if g > MAX_ACCESS_GRID_M {
            return Err(Error::BadRequest(format!(
                "grid: {g} m cells are coarser than {MAX_ACCESS_GRID_M} m; give grid={MIN_ACCESS_GRID_M} to {MAX_ACCESS_GRID_M} metres"
            )));
        }
        if !(0.0..=100.0).contains(&self.percentile) {
            return Err(Error::BadRequest(format!(
                "percentile: {} is not a percentile; give a number from 0 to 100",
                self.percentile
            )));
        }
        Ok(())
    }

    /// The key of these parameters in the caches.
    fn key(&self) -> String {
        let w = &self.window;
        format!(
            "{}|{}|{}-{}|{}|{}|{}",
            self.cutoff_min, self.grid_m, w.from, w.to, w.draws, w.seed, self.percentile
        )
    }
}

/// The accessibility of one scenario, or the difference between two, on a grid: the files
/// `onehour access` writes.
#[derive(Clone, Debug)]
pub struct AccessResult {
    /// The (base) scenario.
    pub scenario: String,
    /// The scenario compared with it.
    pub compare: Option<String>,
    /// The parameters.
    pub params: AccessParams,
    /// The origins (grid cells with anyone living in them).
    pub cells: usize,
    /// The value columns of the cells, e.g. `population_within_60` (with `compare`:
    /// `population_within_60_base`, `_scenario`, `_diff`, `_pct`).
    pub columns: Vec<String>,
    /// `access.csv`.
    pub csv: String,
    /// `access.geojson`: the cells as polygons with their values.
    pub geojson: String,
    /// `summary.json`: population-weighted means, and with `compare` the change and the
    /// people gaining and losing.
    pub summary: serde_json::Value,
}

impl AccessResult {
    /// One JSON document: `scenario`, `compare`, `cutoff_minutes`, `grid_m`, `cells`,
    /// `columns`, `summary` and `cells_geojson` (the FeatureCollection).
    pub fn to_json(&self) -> String {
        let head = json!({
            "scenario": self.scenario,
            "compare": self.compare,
            "cutoff_minutes": self.params.cutoff_min,
            "grid_m": self.params.grid_m,
            "cells": self.cells,
            "columns": self.columns,
            "summary": self.summary,
        })
        .to_string();
        format!(
            "{},\"cells_geojson\":{}}}",
            &head[..head.len() - 1],
            self.geojson.trim_end()
        )
    }
}

/// Where accessibility is measured on one grid: its cells holding anyone, their people.
pub(crate) struct AccessLayout {
    grid: Grid,
    dests: Opportunities,
    origins: Vec<Point>,
    cells: Vec<u32>,
    people: Vec<f64>,
    column: String,
    source: String,
    totals: Vec<f64>,
    outside: Vec<f64>,
}

/// Results computed once per key and kept. The map holds at most [`Memo::MAX`] keys (then it
/// starts again), so that a stream of distinct queries cannot fill the memory.
///
/// The computation runs outside the lock and nobody waits for it: computations run on the
/// rayon pool, where a thread waiting for a result (a `OnceLock` being filled) could take up
/// the very request that fills it and never return. Two identical first requests at the same
/// moment may therefore both compute (the first result kept is shared from then on).
pub(crate) struct Memo<K, T> {
    map: RwLock<HashMap<K, Result<Arc<T>, Error>>>,
}

impl<K: Eq + Hash + Clone, T> Default for Memo<K, T> {
    fn default() -> Self {
        Memo {
            map: RwLock::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, T> Memo<K, T> {
    const MAX: usize = 64;

    /// The value of `k`, computed by `f` if it is not kept yet.
    fn get_or(&self, k: &K, f: impl FnOnce() -> Result<T, Error>) -> Result<Arc<T>, Error> {
        if let Some(r) = self.map.read().unwrap_or_else(|e| e.into_inner()).get(k) {
            return r.clone();
        }
        let r = f().map(Arc::new);
        let mut m = self.map.write().unwrap_or_else(|e| e.into_inner());
        if m.len() >= Self::MAX && !m.contains_key(k) {
            m.clear();
        }
        m.entry(k.clone()).or_insert(r).clone()
    }
}

/// The caches of accessibility kept by a model.
#[derive(Default)]
pub(crate) struct AccessCache {
    layouts: Memo<u64, AccessLayout>,
    values: Memo<String, AccessValues>,
    results: Memo<String, AccessResult>,
}

impl Model {
    /// The people of the population surface each cell of a grid reaches within the cutoff
    /// in `scenario` (`None`: today), and with `compare` the same in that scenario and the
    /// difference per cell with its summary (population-weighted means, people gaining). As
    /// `onehour access --opportunities SURFACE --columns COLUMN --grid M --cutoffs C
    /// --scenario A[,B]` writes it; computed once per scenario and parameters, then kept.
    pub fn access(
        &self,
        scenario: Option<&str>,
        compare: Option<&str>,
        params: &AccessParams,
    ) -> Result<Arc<AccessResult>, Error> {
        params.check()?;
        let o = self.window_options(&params.window)?;
        let sa = self.scenario(scenario)?;
        let sb = compare.map(|c| self.scenario(Some(c))).transpose()?;
        let key = format!(
            "{}|{}|{}",
            sa.name,
            sb.as_ref().map_or("", |s| &s.name),
            params.key()
        );
        self.access_cache().results.get_or(&key, || {
            let layout = self.access_layout(params.grid_m)?;
            let (va, vb) = match &sb {
                None => (self.access_values_of(&sa, &layout, params, &o)?, None),
                Some(sb) => {
                    let (a, b) = rayon::join(
                        || self.access_values_of(&sa, &layout, params, &o),
                        || self.access_values_of(sb, &layout, params, &o),
                    );
                    (a?, Some(b?))
                }
            };
            self.access_files(
                &layout,
                params,
                &o,
                (&sa.name, &va),
                sb.as_ref().map(|s| &s.name[..]).zip(vb.as_deref()),
            )
        })
    }

    /// The grid of `grid_m` metres over the population surface's extent, its cells with
    /// anyone and their people (as `onehour access` lays out polygons of opportunities).
    fn access_layout(&self, grid_m: f64) -> Result<Arc<AccessLayout>, Error> {
        self.access_cache().layouts.get_or(&grid_m.to_bits(), || {
            let f = self.base().population.as_ref().ok_or_else(|| {
                Error::BadRequest(
                    "access: this network names no population surface to count people on; add [population] surface = \"FILE\" to its network.toml (docs/network-format.md)".into(),
                )
            })?;
            let doc: serde_json::Value = serde_json::from_str(&f.text)
                .map_err(|e| Error::Data(format!("{}: not valid JSON: {e}", f.surface)))?;
            let extent = geojson_extent(&doc)
                .ok_or_else(|| Error::Data(format!("{}: the file holds no coordinate", f.surface)))?;
            let grid = Grid::covering(extent, grid_m)
                .map_err(|e| Error::BadRequest(format!("grid: {e}")))?;
            let (loaded, _) = parse_opportunity_geojson(
                &f.text,
                &f.surface,
                &grid,
                Some(std::slice::from_ref(&f.column)),
            )?;
            let dests = loaded.opportunities.nonzero();
            if dests.is_empty() {
                return Err(Error::Data(format!(
                    "{}: nobody lives inside the grid",
                    f.surface
                )));
            }
            Ok(AccessLayout {
                origins: destination_points(&dests),
                cells: dests.cells.clone().unwrap_or_default(),
                people: dests.columns[0].1.clone(),
                grid,
                dests,
                column: f.column.clone(),
                source: f.surface.clone(),
                totals: loaded.totals,
                outside: loaded.outside,
            })
        })
    }

    /// The values of one scenario (computed once per scenario and parameters).
    fn access_values_of(
        &self,
        sn: &ScenarioNet,
        layout: &AccessLayout,
        params: &AccessParams,
        o: &WindowOptions,
    ) -> Result<Arc<AccessValues>, Error> {
        let key = format!("{}|{}", sn.name, params.key());
        self.access_cache().values.get_or(&key, || {
            let t = sn.timetable()?;
            let spec = Self::access_spec(layout, params);
            let q = AccessQuery {
                origins: &layout.origins,
                destinations: &layout.dests,
                spec: &spec,
                window: o.clone(),
                percentile: params.percentile,
            };
            Ok(access_values_on(sn.net(), &t, &q, &|| {})?)
        })
    }

    fn access_spec(layout: &AccessLayout, params: &AccessParams) -> Spec {
        Spec {
            columns: vec![layout.column.clone()],
            cutoffs_min: vec![params.cutoff_min],
            decays: vec![],
            duals: vec![],
        }
    }

    /// The files of a run, as `onehour access` writes them.
    fn access_files(
        &self,
        l: &AccessLayout,
        params: &AccessParams,
        o: &WindowOptions,
        (a, va): (&str, &AccessValues),
        b: Option<(&str, &AccessValues)>,
    ) -> Result<AccessResult, Error> {
        let spec = Self::access_spec(l, params);
        let ids: Vec<String> = l.origins.iter().map(|p| p.id.clone()).collect();
        let lonlat: Vec<(f64, f64)> = l.origins.iter().map(|p| (p.lon, p.lat)).collect();
        let meta = json!({
            "network": self.base().name,
            "date": o.date.to_string(),
            "window": {"from": format_clock(o.from), "to": format_clock(o.to), "step_minutes": o.step / 60, "draws": o.draws, "seed": o.seed},
            "percentile": params.percentile,
            "opportunities": l.source,
            "opportunity_totals": l.dests.columns.iter().zip(&l.totals).map(|((n, _), t)| json!({"column": n, "in_file": t})).collect::<Vec<_>>(),
            "left_outside_grid": l.outside,
            "grid_m": l.grid.cell_m(),
            "origins": l.origins.len(),
            "destinations": l.dests.len(),
            "access": va.links_model,
            "origins_without_stop": va.origins_without_stop,
            "default_band_services": va.default_band,
            "services_not_running": va.idle,
        });
        let run = Run {
            origins: Origins {
                ids: &ids,
                lonlat: &lonlat,
                cells: Some((&l.grid, &l.cells)),
                weight: Some((&l.column, &l.people)),
            },
            spec: &spec,
            base: Results {
                scenario: a,
                values: &va.values,
            },
            scenario: b.map(|(name, v)| Results {
                scenario: name,
                values: &v.values,
            }),
            meta,
        };
        let files = report::files(&run).map_err(Error::Failed)?;
        let file = |name: &str| {
            files
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        };
        let csv = file("access.csv");
        let columns = csv
            .lines()
            .next()
            .unwrap_or_default()
            .split(',')
            .skip(3)
            .map(str::to_string)
            .collect();
        Ok(AccessResult {
            scenario: a.to_string(),
            compare: b.map(|(n, _)| n.to_string()),
            params: params.clone(),
            cells: l.origins.len(),
            columns,
            summary: serde_json::from_str(&file("summary.json")).unwrap_or_default(),
            geojson: file("access.geojson"),
            csv,
        })
    }
}
