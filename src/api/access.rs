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

use std::sync::Arc;

use serde_json::json;

use super::access_types::{AccessLayout, AccessParams, AccessResult};
use super::error::Error;
use super::model::Model;
use super::scenario_net::ScenarioNet;
use crate::access::compute::{access_values_on, destination_points, AccessQuery, AccessValues};
use crate::access::indicators::Spec;
use crate::access::report::{self, Origins, Results, Run};
use crate::analysis::window::WindowOptions;
use crate::geo::grid::Grid;
use crate::io::opportunities::{parse_opportunity_geojson, parse_opportunity_geojson_extent};
use crate::network::ids::format_clock;

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
            let select = std::slice::from_ref(&f.column);
            let extent = parse_opportunity_geojson_extent(&f.text, &f.surface, Some(select))?;
            let grid = Grid::covering(extent, grid_m)
                .map_err(|e| Error::BadRequest(format!("grid: {e}")))?;
            let (loaded, _) = parse_opportunity_geojson(
                &f.text,
                &f.surface,
                &grid,
                Some(select),
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
