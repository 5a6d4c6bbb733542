//! The accessibility queries of the facade, their results and the caches a [`super::Model`]
//! keeps of them (below the model, which holds the caches, and `access`, which fills them).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};

use serde_json::json;

use super::error::Error;
use super::request::{Window, DEFAULT_DRAWS, DEFAULT_PERCENTILES};
use crate::access::compute::AccessValues;
use crate::access::links::Point;
use crate::geo::grid::Grid;
use crate::io::opportunities::Opportunities;

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
    pub(super) fn key(&self) -> String {
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
    pub(super) grid: Grid,
    pub(super) dests: Opportunities,
    pub(super) origins: Vec<Point>,
    pub(super) cells: Vec<u32>,
    pub(super) people: Vec<f64>,
    pub(super) column: String,
    pub(super) source: String,
    pub(super) totals: Vec<f64>,
    pub(super) outside: Vec<f64>,
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
    pub(super) fn get_or(
        &self,
        k: &K,
        f: impl FnOnce() -> Result<T, Error>,
    ) -> Result<Arc<T>, Error> {
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
    pub(super) layouts: Memo<u64, AccessLayout>,
    pub(super) values: Memo<String, AccessValues>,
    pub(super) results: Memo<String, AccessResult>,
}
