//! The [`Model`]: a network as of its day, its scenario library, and each scenario's network
//! compiled once and shared.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::access_types::AccessCache;
use super::error::Error;
use super::request::{window_options, Origin, Window};
use super::results::{Matrix, PlaceInfo, RouteResult, ScenarioInfo};
use super::scenario_net::ScenarioNet;
use crate::analysis::json::TimedRouteMeta;
use crate::analysis::population::PopulationSurface;
use crate::analysis::timed::{timed_matrix, Timed};
use crate::analysis::window::{self, WindowOptions};
use crate::analysis::{self as an, Comparison};
use crate::engine::{Queue, Workspace};
use crate::geo::isochrone::{self, Frame, IsoParams, Isochrone, Projection};
use crate::graph::{Prepared, Profile};
use crate::network::bundled;
use crate::network::ids::{PlaceIdx, Seconds};
use crate::network::load::network_source;
use crate::network::model::{Date, Network, PlaceKind};
use crate::network::source::Source;
use crate::scenario::{apply, Library};

/// How to open a [`Model`]; the defaults are the command line's.
#[derive(Clone, Debug)]
pub struct Options {
    /// A network folder or its manifest (`None`: the bundled Guangzhou network).
    pub network: Option<PathBuf>,
    /// A scenario folder (`None`: the bundled scenarios for the bundled network, none for
    /// another network).
    pub scenarios: Option<PathBuf>,
    /// The day the network is taken as of (`None`: the end of `year`, else the network's
    /// `valid_on`).
    pub date: Option<Date>,
    /// Take the network as at the end of this year.
    pub year: Option<i32>,
    /// The travel profile (transit or car).
    pub profile: Profile,
    /// The target, minutes.
    pub limit_min: f64,
    /// The static model's wait assumption (`None`: the network's own setting).
    pub wait: Option<crate::network::model::WaitPolicy>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            network: None,
            scenarios: None,
            date: None,
            year: None,
            profile: Profile::Transit,
            limit_min: 60.0,
            wait: None,
        }
    }
}

type Cell = OnceLock<Result<Arc<ScenarioNet>, Error>>;

/// A network as of its day with its scenario library: what a server or a binding holds for
/// its lifetime. `Sync`: share one across threads (in an `Arc`).
pub struct Model {
    full: Option<Network>,
    base: Network,
    day: Option<Date>,
    year: Option<i32>,
    lib: Option<Library>,
    profile: Profile,
    limit_min: f64,
    warnings: Vec<String>,
    /// The base network (no scenario), then one cell per scenario of the library, filled on
    /// first use; the map itself never changes, so reading it takes no lock.
    base_cell: Cell,
    cells: HashMap<String, Cell>,
    proj: Projection,
    /// The network's population surface (`[population]` in its manifest), if it names one:
    /// compare and isochrones count its cells, as the command line does.
    population: Option<Arc<PopulationSurface>>,
    /// Where the network was read from, and its manifest's folder within it.
    src: Source,
    folder: String,
    /// Accessibility computed so far (`super::access`).
    access: AccessCache,
}

thread_local! {
    /// The search workspace of this thread (it grows to the largest graph searched).
    static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::new(0));
}

/// Runs `f` with this thread's search workspace.
fn with_workspace<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
    WORKSPACE.with(|w| match w.try_borrow_mut() {
        Ok(mut ws) => f(&mut ws),
        // Only if `f` itself asked for the workspace again: a fresh one then.
        Err(_) => f(&mut Workspace::new(0)),
    })
}

/// Up to five names of `names` closest to `q` (edit distance), best first.
fn closest<'a>(q: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut c: Vec<(usize, &str)> = names
        .map(|n| (strsim::levenshtein(&n.to_lowercase(), &q.to_lowercase()), n))
        .collect();
    c.sort();
    c.into_iter().take(5).map(|(_, n)| n.to_string()).collect()
}

impl Model {
    /// Loads the network, takes it as of its day and loads the scenario library. The
    /// network's warnings are kept ([`Model::warnings`]).
    pub fn open(opts: &Options) -> Result<Model, Error> {
        if !(opts.limit_min > 0.0 && opts.limit_min <= 24.0 * 60.0) {
            return Err(Error::BadRequest(format!(
                "limit: {} minutes is not a target; give minutes from 1 to 1440",
                opts.limit_min
            )));
        }
        let (src, manifest) = network_source(opts.network.as_deref()).map_err(Error::BadRequest)?;
        // An imported folder's compiled-model cache is read if valid, never written.
        let (mut full, warnings) = crate::io::cache::load_network_reading_cache(&src, &manifest)?;
        if let Some(w) = opts.wait {
            full.settings.routing.wait = w;
        }
        let day = opts
            .date
            .or(opts.year.map(Date::end_of_year))
            .or(full.valid_on);
        let (full, base) = match day {
            Some(d) => {
                let base = full.as_on(d);
                (Some(full), base)
            }
            None => (None, full),
        };
        let lib = match &opts.scenarios {
            Some(d) if !d.is_dir() => {
                return Err(Error::BadRequest(format!(
                    "scenarios: {}: no such folder (give the folder that holds the scenario files)",
                    d.display()
                )))
            }
            Some(d) => Some(Library::load(Source::Disk(d.clone()))?),
            None if opts.network.is_none() => Some(Library::load(bundled::scenarios())?),
            None => None,
        };
        let cells = lib
            .iter()
            .flat_map(|l| l.names.iter())
            .map(|n| (n.clone(), Cell::new()))
            .collect();
        let proj = Projection::for_network(&base);
        let mut warnings: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
        let population = match crate::access::population::surface_of(&base)? {
            None => None,
            Some((s, w)) => {
                warnings.extend(w.iter().map(|w| w.to_string()));
                Some(Arc::new(s))
            }
        };
        Ok(Model {
            full,
            base,
            day,
            year: opts.year,
            lib,
            profile: opts.profile,
            limit_min: opts.limit_min,
            warnings,
            base_cell: Cell::new(),
            cells,
            proj,
            population,
            folder: manifest
                .rsplit_once('/')
                .map(|(d, _)| d.to_string())
                .unwrap_or_default(),
            src,
            access: Default::default(),
        })
    }

    /// The accessibility kept so far.
    pub(super) fn access_cache(&self) -> &AccessCache {
        &self.access
    }

    /// The bundled Guangzhou network and scenarios with the command line's defaults.
    pub fn bundled() -> Result<Model, Error> {
        Model::open(&Options::default())
    }

    /// A file of the network's folder (e.g. `population/districts.geojson`), if it has one.
    pub fn network_file(&self, rel: &str) -> Option<String> {
        let path = if self.folder.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.folder)
        };
        self.src.read(&path).ok()
    }

    /// The network's warnings when it was loaded (one line each).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The network as of the model's day, without scenario.
    pub fn base(&self) -> &Network {
        &self.base
    }

    /// The day the network is taken as of (`None`: an undated network).
    pub fn day(&self) -> Option<Date> {
        self.day
    }

    /// The travel profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The target, minutes.
    pub fn limit_min(&self) -> f64 {
        self.limit_min
    }

    /// The network's population surface (`[population]` in its manifest), if it names one:
    /// the people compare, rank and isochrones count.
    pub fn population(&self) -> Option<&PopulationSurface> {
        self.population.as_deref()
    }

    /// The projection the isochrones' grids use (the base network's).
    pub fn projection(&self) -> &Projection {
        &self.proj
    }

    /// The scenarios of the library in file order (with `today`, the network without edits,
    /// first when the library has no scenario of that name).
    pub fn scenarios(&self) -> Vec<ScenarioInfo> {
        let mut out = Vec::new();
        let names: &[String] = self.lib.as_ref().map(|l| &l.names[..]).unwrap_or(&[]);
        if !names.iter().any(|n| n == "today") {
            out.push(ScenarioInfo::today(&self.base));
        }
        if let Some(l) = &self.lib {
            out.extend(l.names.iter().map(|n| ScenarioInfo::of(&l.scenarios[n])));
        }
        out
    }

    /// Every place of the base network but road nodes, in network order.
    pub fn places(&self) -> Vec<PlaceInfo> {
        self.base
            .places
            .iter()
            .filter(|p| p.kind != PlaceKind::RoadNode)
            .map(PlaceInfo::of)
            .collect()
    }

    /// The network of `scenario` compiled for the model's profile: `None` or `today` (when
    /// the library has no `today`) is the network as of the day; compiled on first use, then
    /// shared. Unknown names get the closest ones.
    pub fn scenario(&self, scenario: Option<&str>) -> Result<Arc<ScenarioNet>, Error> {
        let name = scenario.map(str::trim);
        let (cell, name) = match name {
            None => (&self.base_cell, None),
            Some(n) => match self.cells.get(n) {
                Some(c) => (c, Some(n)),
                None if n == "today" => (&self.base_cell, None),
                None => {
                    let suggestions = closest(n, self.cells.keys().map(String::as_str));
                    let message = if self.lib.is_none() {
                        format!("unknown scenario '{n}': this network has no scenario folder")
                    } else {
                        format!(
                            "unknown scenario '{n}'; closest: {}",
                            suggestions.join(", ")
                        )
                    };
                    return Err(Error::NotFound {
                        message,
                        suggestions,
                    });
                }
            },
        };
        cell.get_or_init(|| {
            let net = match name {
                None => self.base.clone(),
                Some(n) => self.apply(n)?,
            };
            Ok(Arc::new(ScenarioNet::new(
                name.unwrap_or("today").to_string(),
                Prepared::new(net, self.profile),
            )))
        })
        .clone()
    }

    /// The base network with the scenario `name` applied (as the command line's session).
    fn apply(&self, name: &str) -> Result<Network, Error> {
        let lib = self.lib.as_ref().ok_or_else(|| {
            Error::BadRequest("this network has no scenario folder: give one".into())
        })?;
        let chain = lib.chain(name)?;
        apply(&self.base, &chain).map_err(|mut e| {
            let undated = self.day.zip(self.full.as_ref());
            if let Some((d, Ok(_))) = undated.map(|(d, f)| (d, apply(f, &chain))) {
                e.0.push(crate::network::problem::Problem::error(
                    &crate::network::model::Origin::default(),
                    format!("scenario {name}"),
                    format!("it edits lines or stations that do not run on {d}, the day the network is taken as of"),
                    "choose a later date or year, or a scenario written for that day",
                ));
            }
            Error::from(e)
        })
    }

    /// The limit, seconds.
    pub(super) fn limit_s(&self) -> Seconds {
        (self.limit_min * 60.0).round() as Seconds
    }

    /// The search bound of the static model on `p`: its `bound_min`, at least the limit.
    fn bound_s(&self, p: &Prepared) -> Seconds {
        p.default_bound().max(self.limit_s())
    }

    /// The search bound of the timetable modes: the base network's `bound_min`, at least the
    /// limit.
    fn base_bound_s(&self) -> Seconds {
        ((self.base.settings.routing.bound_min * 60.0) as Seconds).max(self.limit_s())
    }

    /// The options of a timetable query over `w` on the model's day.
    pub fn window_options(&self, w: &Window) -> Result<WindowOptions, Error> {
        if self.profile != Profile::Transit {
            return Err(Error::BadRequest(
                "depart: the timetables are public transport's; open the model with the transit profile".into(),
            ));
        }
        let date = self.day.ok_or_else(|| {
            Error::BadRequest(
                "depart: this network declares no valid_on; open the model with a date".into(),
            )
        })?;
        window_options(w, date, self.base_bound_s())
    }

    /// The door-to-door matrix between the centres of `scenario`: the static model, or over
    /// the departure window `window` (medians, with its percentiles and shares). Its JSON is
    /// `onehour check --format json`'s ([`Matrix::to_json`]).
    pub fn centre_matrix(
        &self,
        scenario: Option<&str>,
        window: Option<&Window>,
    ) -> Result<Matrix, Error> {
        let sn = self.scenario(scenario)?;
        let c = sn.net().centres();
        self.matrix_of(sn, &c, &c, window)
    }

    /// The door-to-door matrix between named places (ids or names), as `onehour matrix --from
    /// ... --to ...`.
    pub fn matrix(
        &self,
        scenario: Option<&str>,
        from: &[&str],
        to: &[&str],
        window: Option<&Window>,
    ) -> Result<Matrix, Error> {
        let sn = self.scenario(scenario)?;
        let rows = from
            .iter()
            .map(|q| sn.origin(q))
            .collect::<Result<Vec<_>, _>>()?;
        let cols = to
            .iter()
            .map(|q| sn.place(q))
            .collect::<Result<Vec<_>, _>>()?;
        self.matrix_of(sn, &rows, &cols, window)
    }

    fn matrix_of(
        &self,
        sn: Arc<ScenarioNet>,
        rows: &[PlaceIdx],
        cols: &[PlaceIdx],
        window: Option<&Window>,
    ) -> Result<Matrix, Error> {
        let (minutes, timed) = match window {
            None => {
                let p = &sn.prepared;
                (an::time_matrix(p, rows, cols, self.bound_s(p)), None)
            }
            Some(w) => {
                let o = self.window_options(w)?;
                let t = sn.timetable()?;
                let timed: Timed = timed_matrix(sn.net(), &t, rows, cols, &o, &w.percentiles)?;
                (timed.medians(), Some(timed))
            }
        };
        Ok(Matrix {
            scenario: sn.name.clone(),
            profile: self.profile,
            date: self.day.map(|d| d.to_string()),
            year: self.year,
            limit_min: self.limit_min,
            minutes,
            timed,
            network: sn,
        })
    }

    /// The fastest route from `from` to `to` (ids or names), leg by leg: the static model, or
    /// on the timetables leaving at `depart` (seconds after midnight).
    pub fn route(
        &self,
        scenario: Option<&str>,
        from: &str,
        to: &str,
        depart: Option<Seconds>,
    ) -> Result<RouteResult, Error> {
        let sn = self.scenario(scenario)?;
        let (a, b) = (sn.origin(from)?, sn.place(to)?);
        let net = sn.net();
        let unreachable = |extra: String| Error::NotFound {
            message: format!(
                "{} is not reachable from {}{extra}",
                net.place(b).name,
                net.place(a).name
            ),
            suggestions: vec![],
        };
        match depart {
            None => {
                let p = &sn.prepared;
                let bound = self.bound_s(p);
                let g = &p.graph;
                let r = with_workspace(|ws| {
                    ws.run(&g.csr, g.place_node(a), bound, Queue::Bucket, true);
                    an::explain(p, ws, g.place_node(b))
                });
                let r = r.ok_or_else(|| unreachable(format!(" within {} minutes", bound / 60)))?;
                Ok(RouteResult::Static(r))
            }
            Some(t) => {
                let o = self.window_options(&Window {
                    from: t,
                    to: t,
                    ..Window::morning_peak()
                })?;
                let tt = sn.timetable()?;
                let r = an::timed_route::timed_route(net, &tt, a, b, &o)
                    .map_err(|e| Error::from(window::as_problems(e)))?;
                let r = r.ok_or_else(|| {
                    unreachable(format!(
                        " within {} minutes of {} on {}",
                        o.bound / 60,
                        crate::network::ids::format_clock(o.from),
                        o.date
                    ))
                })?;
                let json = crate::analysis::json::timed_route_value(
                    net,
                    &TimedRouteMeta {
                        from: a,
                        to: b,
                        scenario: &sn.name,
                        opts: &o,
                    },
                    &r,
                );
                Ok(RouteResult::Timed { route: r, json })
            }
        }
    }

    /// The isochrone of `origin` in `scenario` with `params` (thresholds, grid, access): the
    /// static model, or (from a place) each place's time the `percentile` (default the
    /// median) over the departures of `window`. As `onehour isochrones` computes it; its
    /// GeoJSON is [`crate::geo::isochrone::feature_collection`]'s.
    pub fn isochrone(
        &self,
        scenario: Option<&str>,
        origin: &Origin,
        params: &IsoParams,
        window: Option<(&Window, f64)>,
    ) -> Result<Isochrone, Error> {
        self.isochrone_in(scenario, origin, params, window)
            .map_err(|e| match e {
                // The grid would be too large: the caller's parameter, in the caller's terms.
                Error::Failed(m) if m.contains("--cell") => {
                    Error::BadRequest(format!("cell: {}", m.replace("--cell", "cell")))
                }
                e => e,
            })
    }

    fn isochrone_in(
        &self,
        scenario: Option<&str>,
        origin: &Origin,
        params: &IsoParams,
        window: Option<(&Window, f64)>,
    ) -> Result<Isochrone, Error> {
        super::request::check_iso_params(params)?;
        let sn = self.scenario(scenario)?;
        let p = &sn.prepared;
        let frame = Frame {
            proj: self.proj,
            params: params.clone(),
            population: self.population.clone(),
        };
        match (origin, window) {
            (Origin::Place(q), None) => {
                let o = sn.origin(q)?;
                with_workspace(|ws| isochrone::isochrone(p, ws, o, &frame, &sn.name))
                    .map_err(Error::Failed)
            }
            (Origin::Place(q), Some((w, pct))) => {
                check_percentile(pct)?;
                let origin = sn.origin(q)?;
                let t = sn.timetable()?;
                let all: Vec<PlaceIdx> = (0..p.net.places.len()).map(PlaceIdx::from_idx).collect();
                let o = WindowOptions {
                    bound: (params.max_threshold_s().ceil() as u32).max(60),
                    ..self.window_options(w)?
                };
                let wm = window::window_matrix(&t, &[origin], &all, &o)
                    .map_err(|e| Error::from(window::as_problems(e)))?;
                let times: Vec<_> = (0..all.len()).map(|j| wm.percentile(0, j, pct)).collect();
                isochrone::isochrone_from_times(p, &times, origin, &frame, &sn.name)
                    .map_err(Error::Failed)
            }
            (&Origin::Point { lon, lat }, None) => {
                self.check_point(lon, lat)?;
                let seeds = self.point_seeds(p, lon, lat);
                let (id, name) = point_names(lon, lat);
                with_workspace(|ws| {
                    isochrone::isochrone_from_point(
                        p,
                        ws,
                        (lon, lat),
                        &seeds,
                        (&id, &name),
                        &frame,
                        &sn.name,
                    )
                })
                .map_err(Error::Failed)
            }
            (&Origin::Point { lon, lat }, Some((w, pct))) => {
                check_percentile(pct)?;
                self.check_point(lon, lat)?;
                if p.graph.profile != Profile::Transit {
                    return Err(Error::BadRequest(
                        "depart: the timetables are public transport's; open the model with the transit profile".into(),
                    ));
                }
                let seeds = self.point_seeds(p, lon, lat);
                let t = sn.timetable()?;
                let all: Vec<PlaceIdx> = (0..p.net.places.len()).map(PlaceIdx::from_idx).collect();
                let o = WindowOptions {
                    bound: (params.max_threshold_s().ceil() as u32).max(60),
                    ..self.window_options(w)?
                };
                let samples = window::window_from_seeds(&t, &seeds, &all, &o)
                    .map_err(|e| Error::from(window::as_problems(e)))?;
                let times: Vec<Seconds> = samples
                    .into_iter()
                    .map(|mut s| crate::engine::raptor::percentile(&mut s, pct))
                    .collect();
                let (id, name) = point_names(lon, lat);
                isochrone::isochrone_from_point_times(
                    p,
                    (lon, lat),
                    &times,
                    (&id, &name),
                    &frame,
                    &sn.name,
                )
                .map_err(Error::Failed)
            }
        }
    }

    /// A point must be valid WGS84 and near the network (within half a degree of its places).
    fn check_point(&self, lon: f64, lat: f64) -> Result<(), Error> {
        if !(-180.0..=180.0).contains(&lon) || !(-89.0..=89.0).contains(&lat) {
            return Err(Error::BadRequest(format!(
                "lon/lat: ({lon}, {lat}) is not a WGS84 point; give degrees, longitude first"
            )));
        }
        let b = self.bbox();
        let m = 0.5;
        if lon < b[0] - m || lon > b[2] + m || lat < b[1] - m || lat > b[3] + m {
            return Err(Error::BadRequest(format!(
                "lon/lat: ({lon}, {lat}) is outside the network's area ({:.3},{:.3} to {:.3},{:.3}); click on the network",
                b[0], b[1], b[2], b[3]
            )));
        }
        Ok(())
    }

    /// West, south, east, north of the base network's places, degrees.
    pub fn bbox(&self) -> [f64; 4] {
        self.base.places.iter().fold(
            [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ],
            |b, p| {
                [
                    b[0].min(p.lon),
                    b[1].min(p.lat),
                    b[2].max(p.lon),
                    b[3].max(p.lat),
                ]
            },
        )
    }

    /// The places a point reaches without the graph, with seconds: stations by the straight
    /// line model of `matrix --points` (on foot or by local access, capped at `[access]
    /// point_max_min`) on transit; road nodes by the car connectors' local streets, after
    /// walking to the car, on the car profile.
    fn point_seeds(&self, p: &Prepared, lon: f64, lat: f64) -> Vec<(PlaceIdx, Seconds)> {
        let net = &p.net;
        match p.graph.profile {
            Profile::Car => {
                let c = &net.settings.car;
                let s_per_m = c.detour / (c.speed_kmh / 3.6);
                let max_m = c.radius_km * 1000.0;
                net.places
                    .iter()
                    .enumerate()
                    .filter(|(_, pl)| pl.kind == PlaceKind::RoadNode)
                    .filter_map(|(i, pl)| {
                        let d = crate::network::model::haversine_m(lon, lat, pl.lon, pl.lat);
                        (d <= max_m).then(|| {
                            let s = c.park_min * 60.0 + d * s_per_m;
                            (PlaceIdx::from_idx(i), s.round() as Seconds)
                        })
                    })
                    .collect()
            }
            Profile::Transit | Profile::Station => {
                let m = crate::access::links::StraightLine::for_network(
                    net,
                    net.settings.access.point_max_min,
                );
                let reach = m.reach_m();
                net.places
                    .iter()
                    .enumerate()
                    .filter(|(_, pl)| pl.kind == PlaceKind::Station)
                    .filter_map(|(i, pl)| {
                        let d = crate::network::model::haversine_m(lon, lat, pl.lon, pl.lat);
                        if d > reach {
                            return None;
                        }
                        m.leg_s(d).map(|s| (PlaceIdx::from_idx(i), s))
                    })
                    .collect()
            }
        }
    }

    /// `other` compared with `base`, centre by centre (as `onehour compare BASE OTHER`): the
    /// static model, or the medians over `window`.
    pub fn compare(
        &self,
        base: &str,
        other: &str,
        window: Option<&Window>,
    ) -> Result<Comparison, Error> {
        let (sb, so) = (self.scenario(Some(base))?, self.scenario(Some(other))?);
        let bound = self.base_bound_s();
        let surface = self.population.as_deref();
        let (rb, ro) = match window {
            None => (
                an::rank::reach_on(&sb.prepared, bound, surface),
                an::rank::reach_on(&so.prepared, bound, surface),
            ),
            Some(w) => {
                let o = self.window_options(w)?;
                let reach = |sn: &ScenarioNet| -> Result<an::Reach, Error> {
                    let t = sn.timetable()?;
                    Ok(an::rank::reach_on_timetable(
                        sn.net(),
                        &t,
                        self.profile,
                        bound,
                        &o,
                        surface,
                    )?)
                };
                (reach(&sb)?, reach(&so)?)
            }
        };
        Ok(an::compare_reach(
            sb.net(),
            so.net(),
            &rb,
            &ro,
            self.limit_s(),
            bound,
        ))
    }
}

/// A percentile must lie in 0..=100 (the caller's `percentile` parameter).
fn check_percentile(pct: f64) -> Result<(), Error> {
    if (0.0..=100.0).contains(&pct) {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "percentile: {pct} is not a percentile; give a number from 0 to 100"
        )))
    }
}

/// The id and display name of a clicked point's isochrone.
fn point_names(lon: f64, lat: f64) -> (String, String) {
    (
        format!("point:{lon:.6},{lat:.6}"),
        format!("{lon:.5}, {lat:.5}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> &'static Model {
        static M: OnceLock<Model> = OnceLock::new();
        M.get_or_init(|| Model::bundled().unwrap())
    }

    #[test]
    fn model_is_shared_across_threads() {
        fn assert_sync<T: Send + Sync>() {}
        assert_sync::<Model>();
        assert_sync::<ScenarioNet>();
    }

    #[test]
    fn a_scenario_is_compiled_once() {
        let m = model();
        let a = m.scenario(Some("plan-2030")).unwrap();
        let b = m.scenario(Some("plan-2030")).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let t = m.scenario(None).unwrap();
        assert_eq!(t.name, "today");
    }

    #[test]
    fn unknown_names_get_the_closest() {
        let m = model();
        let e = m.scenario(Some("plan-2031")).err().unwrap();
        assert!(matches!(e, Error::NotFound { .. }), "{e}");
        assert!(e.suggestions().iter().any(|s| s == "plan-2030"), "{e:?}");
        let e = m
            .route(None, "c_foshan", "c_guangzhou_tianh", None)
            .err()
            .unwrap();
        assert!(
            e.suggestions().iter().any(|s| s == "c_guangzhou_tianhe"),
            "{e:?}"
        );
    }

    #[test]
    fn bad_arguments_are_bad_requests() {
        let m = model();
        let far = Origin::Point { lon: 0.0, lat: 0.0 };
        let e = m.isochrone(None, &far, &IsoParams::default(), None);
        assert!(
            matches!(e, Err(Error::BadRequest(ref s)) if s.contains("outside")),
            "{e:?}"
        );
        assert!(matches!(
            Window::parse("09:00-07:00"),
            Err(Error::BadRequest(_))
        ));
        let params = IsoParams {
            thresholds_min: vec![30.0, 15.0],
            ..IsoParams::default()
        };
        let o = Origin::Place("c_foshan".into());
        assert!(matches!(
            m.isochrone(None, &o, &params, None),
            Err(Error::BadRequest(_))
        ));
    }

    #[test]
    fn messages_name_the_callers_parameter_not_a_flag() {
        let m = model();
        let o = Origin::Place("c_foshan".into());
        let msg = |e: Result<Isochrone, Error>| e.err().unwrap().message();
        let cases = [
            (vec![], 250.0, "thresholds:"),
            (vec![30.0, 15.0], 250.0, "thresholds:"),
            (vec![-5.0], 250.0, "thresholds:"),
            (vec![30.0], 5.0, "cell:"),
            (vec![600.0], 10.0, "cell:"),
        ];
        for (t, cell, start) in cases {
            let p = IsoParams {
                thresholds_min: t,
                cell_m: cell,
                ..IsoParams::default()
            };
            let e = msg(m.isochrone(None, &o, &p, None));
            assert!(e.starts_with(start) && !e.contains("--"), "{e}");
        }
        let e = Window::parse("7am").err().unwrap().message();
        assert!(e.starts_with("depart:") && e.contains("HH:MM"), "{e}");
    }

    #[test]
    fn a_point_on_a_centre_is_about_as_fast_as_the_centre() {
        // A point at a centre's coordinates walks to the same stations the centre's links
        // reach: its bands cover at least the centre's walking disc and are of like size.
        let m = model();
        let sn = m.scenario(None).unwrap();
        let c = sn.place("c_guangzhou_tianhe").unwrap();
        let pl = sn.net().place(c);
        let params = IsoParams::default();
        let at_point = m
            .isochrone(
                None,
                &Origin::Point {
                    lon: pl.lon,
                    lat: pl.lat,
                },
                &params,
                None,
            )
            .unwrap();
        let at_place = m
            .isochrone(None, &Origin::Place(pl.id.clone()), &params, None)
            .unwrap();
        let (a, b) = (
            at_point.bands.last().unwrap().area_km2,
            at_place.bands.last().unwrap().area_km2,
        );
        assert!(a > 0.5 * b && a < 2.0 * b, "point {a} km², centre {b} km²");
        assert!(at_point.origin.starts_with("point:"));
    }

    #[test]
    fn a_zone_is_a_destination_not_an_origin() {
        let m = model();
        let e = m.route(None, "z_tianhe", "c_foshan", None).unwrap_err();
        assert!(matches!(e, Error::BadRequest(_)), "{e:?}");
        assert!(e.message().contains("is a zone"), "{e}");
        let Err(e) = m.matrix(None, &["Tianhe"], &["c_foshan"], None) else {
            panic!("a matrix from a zone");
        };
        assert!(e.message().contains("named by 'Tianhe'"), "{e}");
        // Into a zone is what zones are for.
        assert!(m
            .route(None, "c_guangzhou_tianhe", "z_tianhe", None)
            .is_ok());
    }

    #[test]
    fn a_static_route_adds_up() {
        let r = model()
            .route(Some("plan-2030"), "c_guangzhou_tianhe", "c_zhaoqing", None)
            .unwrap();
        let RouteResult::Static(r) = r else {
            panic!("static route expected")
        };
        let sum: f64 = r.legs.iter().map(|l| l.minutes).sum();
        assert!((sum - r.total_minutes).abs() < 0.01);
    }

    #[test]
    fn comparing_a_scenario_with_itself_changes_nothing() {
        let c = model().compare("today", "today", None).unwrap();
        assert!(c.newly_within.is_empty() && c.newly_over.is_empty());
        assert!(c
            .delta_minutes
            .iter()
            .flatten()
            .all(|d| d.is_none_or(|d| d == 0.0)));
    }
}
