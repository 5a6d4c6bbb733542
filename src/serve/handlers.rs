//! The JSON API: one function per endpoint that parses its query and answers with a JSON
//! value (synchronous, so that benchmarks and tests can call it directly), and the async
//! handlers that run them on the pool.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State as AxState};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use geo::{BooleanOps, ChamberlainDuquetteArea, MultiPolygon};
use serde_json::{json, Value};

use super::state::{on_pool, ApiError, State};
use crate::api::{Origin, Window};
use crate::geo::isochrone::{feature_collection, IsoParams, Isochrone};

/// A request's query parameters, checked against what the endpoint takes.
pub struct Params<'a> {
    map: &'a HashMap<String, String>,
}

impl<'a> Params<'a> {
    /// The parameters, or a 400 naming any the endpoint does not take.
    pub fn new(map: &'a HashMap<String, String>, allowed: &[&str]) -> Result<Self, ApiError> {
        let mut unknown: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !allowed.contains(k))
            .collect();
        unknown.sort();
        if let Some(k) = unknown.first() {
            return Err(ApiError::bad(format!(
                "unknown parameter '{k}': this endpoint takes {}",
                allowed.join(", ")
            )));
        }
        Ok(Params { map })
    }

    /// A text parameter (trimmed; empty counts as absent).
    pub fn str(&self, name: &str) -> Option<&'a str> {
        self.map
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// A text parameter that must be there.
    pub fn required(&self, name: &str, what: &str) -> Result<&'a str, ApiError> {
        self.str(name)
            .ok_or_else(|| ApiError::bad(format!("missing parameter '{name}': give {what}")))
    }

    /// A number, if given.
    pub fn f64(&self, name: &str, what: &str) -> Result<Option<f64>, ApiError> {
        self.str(name)
            .map(|s| {
                s.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| {
                        ApiError::bad(format!("parameter '{name}': '{s}' is not {what}"))
                    })
            })
            .transpose()
    }

    /// A comma-separated list of numbers, if given.
    pub fn list(&self, name: &str, what: &str) -> Result<Option<Vec<f64>>, ApiError> {
        self.str(name)
            .map(|s| {
                s.split(',')
                    .map(|x| {
                        x.trim()
                            .parse::<f64>()
                            .ok()
                            .filter(|v| v.is_finite())
                            .ok_or_else(|| {
                                ApiError::bad(format!(
                                    "parameter '{name}': '{}' is not a number; give {what}",
                                    x.trim()
                                ))
                            })
                    })
                    .collect()
            })
            .transpose()
    }

    /// The departure window (`depart`, with `draws`, `seed`, `percentiles`), if asked.
    pub fn window(&self) -> Result<Option<Window>, ApiError> {
        let Some(d) = self.str("depart") else {
            for p in ["draws", "seed", "percentiles"] {
                if self.str(p).is_some() {
                    return Err(ApiError::bad(format!(
                        "parameter '{p}' belongs to a departure window: give depart=HH:MM-HH:MM too"
                    )));
                }
            }
            return Ok(None);
        };
        // The facade's message names `depart`.
        let mut w = Window::parse(d).map_err(ApiError::from)?;
        if let Some(x) = self.f64("draws", "a number of draws")? {
            if !(1.0..=100.0).contains(&x) || x.fract() != 0.0 {
                return Err(ApiError::bad(format!(
                    "parameter 'draws': {x} is not a whole number from 1 to 100"
                )));
            }
            w.draws = x as u32;
        }
        if let Some(x) = self.f64("seed", "a whole number")? {
            if x < 0.0 || x.fract() != 0.0 {
                return Err(ApiError::bad(format!(
                    "parameter 'seed': {x} is not a whole number of 0 or more"
                )));
            }
            w.seed = x as u64;
        }
        if let Some(p) = self.list("percentiles", "percentiles from 0 to 100, e.g. 5,50,95")? {
            w.percentiles = p;
        }
        Ok(Some(w))
    }
}

/// The routes of the API under `/api/`.
pub fn routes(r: Router<Arc<State>>) -> Router<Arc<State>> {
    r.route("/api/info", get(|s: AxState<Arc<State>>| async move { json_ok(info(&s.0)) }))
        .route("/api/scenarios", get(scenarios_h))
        .route("/api/places", get(places_h))
        .route("/api/matrix", get(matrix_h))
        .route("/api/route", get(route_h))
        .route("/api/isochrones", get(isochrones_h))
        .route("/api/access", get(access_h))
        .route("/api/layers/network", get(network_h))
        .route("/api/layers/districts", get(districts_h))
        .fallback(|| async {
            ApiError {
                status: 404,
                message: "no such page: the API is under /api/ (info, scenarios, places, matrix, route, isochrones, access, layers/network, layers/districts)".into(),
                suggestions: vec![],
            }
        })
}

type Q = Query<HashMap<String, String>>;

fn json_ok(v: Value) -> Response {
    axum::Json(v).into_response()
}

/// An endpoint: the state and the query to the JSON text of the answer.
pub type Endpoint = fn(&State, &HashMap<String, String>) -> Result<String, ApiError>;

/// Runs an endpoint's function on the pool and answers its JSON.
async fn answer(s: Arc<State>, q: HashMap<String, String>, f: Endpoint) -> Response {
    match on_pool(move || f(&s, &q)).await {
        Ok(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A value as JSON text.
fn text(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

async fn scenarios_h(s: AxState<Arc<State>>, q: Q) -> Response {
    answer(s.0, q.0, scenarios).await
}
async fn places_h(s: AxState<Arc<State>>, q: Q) -> Response {
    answer(s.0, q.0, places).await
}
async fn matrix_h(s: AxState<Arc<State>>, q: Q) -> Response {
    answer(s.0, q.0, matrix).await
}
async fn route_h(s: AxState<Arc<State>>, q: Q) -> Response {
    answer(s.0, q.0, route).await
}
async fn isochrones_h(s: AxState<Arc<State>>, q: Q) -> Response {
    answer(s.0, q.0, isochrones).await
}
async fn access_h(s: AxState<Arc<State>>, q: Q) -> Response {
    match on_pool(move || access_file(&s.0, &q.0)).await {
        Ok((kind, name, body)) => {
            let mut r = ([(header::CONTENT_TYPE, kind)], body).into_response();
            if let Some(v) = name.and_then(|n| {
                header::HeaderValue::from_str(&format!("attachment; filename=\"{n}\"")).ok()
            }) {
                r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            r
        }
        Err(e) => e.into_response(),
    }
}
async fn network_h(s: AxState<Arc<State>>, q: Q) -> Response {
    answer(s.0, q.0, network_layer).await
}
async fn districts_h(s: AxState<Arc<State>>) -> Response {
    let text = s.0.model.network_file("population/districts.geojson");
    let body = text.unwrap_or_else(|| "{\"type\":\"FeatureCollection\",\"features\":[]}".into());
    ([(header::CONTENT_TYPE, "application/geo+json")], body).into_response()
}

/// `/api/info`: the network, its day, the target, the map's extent and the defaults.
pub fn info(s: &State) -> Value {
    let m = &s.model;
    let net = m.base();
    let b = m.bbox();
    json!({
        "network": net.name,
        "title": net.title,
        "date": m.day().map(|d| d.to_string()),
        "profile": m.profile().as_str(),
        "limit_minutes": m.limit_min(),
        "bbox": b,
        "timetables": m.day().is_some() && m.profile() == crate::graph::Profile::Transit,
        "default_window": "07:00-09:00",
        "thresholds": IsoParams::default().thresholds_min,
        "access": {
            "available": net.population.is_some() && m.day().is_some() && m.profile() == crate::graph::Profile::Transit,
            "grid_m": crate::api::ACCESS_GRID_M,
            "min_grid_m": crate::api::MIN_ACCESS_GRID_M,
            "cutoff_minutes": crate::api::ACCESS_CUTOFF_MIN,
            "window": "07:00-08:00",
        },
        "cell_m": IsoParams::default().cell_m,
        "warnings": m.warnings(),
    })
}

/// `/api/scenarios`: the scenarios, `today` first.
pub fn scenarios(s: &State, q: &HashMap<String, String>) -> Result<String, ApiError> {
    Params::new(q, &[])?;
    Ok(text(&s.model.scenarios()))
}

/// `/api/places[?kind=centre|station|zone]`: the places.
pub fn places(s: &State, q: &HashMap<String, String>) -> Result<String, ApiError> {
    let p = Params::new(q, &["kind"])?;
    let kind = p.str("kind");
    if let Some(k) = kind {
        if !["centre", "station", "zone"].contains(&k) {
            return Err(ApiError::bad(format!(
                "parameter 'kind': '{k}' is no kind of place; give centre, station or zone"
            )));
        }
    }
    let list: Vec<_> = s
        .model
        .places()
        .into_iter()
        .filter(|pl| kind.is_none_or(|k| pl.kind == k))
        .collect();
    Ok(text(&list))
}

/// `/api/matrix?scenario=A[&compare=B][&depart=HH:MM-HH:MM&draws=&seed=&percentiles=]`: the
/// centre matrix of A (as `check --format json`, with the window's percentiles and shares),
/// and with `compare` B's and the comparison (as `compare A B --format json`: differences,
/// pairs newly within or over the limit, largest gains, population within the limit).
pub fn matrix(s: &State, q: &HashMap<String, String>) -> Result<String, ApiError> {
    let p = Params::new(
        q,
        &[
            "scenario",
            "compare",
            "depart",
            "draws",
            "seed",
            "percentiles",
        ],
    )?;
    let (a, b) = (p.str("scenario"), p.str("compare"));
    let w = p.window()?;
    let m = &s.model;
    let run = |sc: Option<&str>| m.centre_matrix(sc, w.as_ref()).map(|x| x.to_value());
    let mut out = json!({ "scenario": run(a)? });
    if let Some(b) = b {
        let (mb, c) = rayon::join(
            || run(Some(b)),
            || m.compare(a.unwrap_or("today"), b, w.as_ref()),
        );
        out["compare"] = mb?;
        let window = match &w {
            Some(w) => Some(m.window_options(w)?),
            None => None,
        };
        out["comparison"] = crate::analysis::json::compare_value(&c?, window.as_ref());
    }
    Ok(text(&out))
}

/// `/api/route?from=&to=&scenario=[&depart=HH:MM]`: the route's legs (as `route --format
/// json`).
pub fn route(s: &State, q: &HashMap<String, String>) -> Result<String, ApiError> {
    let p = Params::new(q, &["from", "to", "scenario", "depart"])?;
    let from = p.required("from", "the place the route starts at (id or name)")?;
    let to = p.required("to", "the place the route ends at (id or name)")?;
    let depart = match p.str("depart") {
        None => None,
        Some(d) => {
            let (a, b) = crate::analysis::window::parse_depart(d)
                .map_err(|e| ApiError::bad(format!("parameter 'depart': {e}")))?;
            if a != b {
                return Err(ApiError::bad(
                    "parameter 'depart': a route leaves at one time (HH:MM), not a window",
                ));
            }
            Some(a)
        }
    };
    Ok(text(
        &s.model
            .route(p.str("scenario"), from, to, depart)?
            .to_value(),
    ))
}

/// `/api/isochrones?(place=ID | lon=&lat=)&scenario=A[&compare=B][&thresholds=15,30,45,60]
/// [&cell=250][&depart=HH:MM-HH:MM&percentile=50&draws=&seed=]`: the bands of A as a GeoJSON
/// FeatureCollection (as `onehour isochrones` writes them); with `compare`, B's too, and the
/// difference: per threshold, the area B reaches and A does not (`gained`) and the reverse
/// (`lost`), with a summary of areas and population.
pub fn isochrones(s: &State, q: &HashMap<String, String>) -> Result<String, ApiError> {
    let p = Params::new(
        q,
        &[
            "place",
            "lon",
            "lat",
            "scenario",
            "compare",
            "thresholds",
            "cell",
            "depart",
            "draws",
            "seed",
            "percentile",
        ],
    )?;
    let origin =
        match (
            p.str("place"),
            p.f64("lon", "a longitude in degrees")?,
            p.f64("lat", "a latitude in degrees")?,
        ) {
            (Some(pl), None, None) => Origin::Place(pl.to_string()),
            (None, Some(lon), Some(lat)) => Origin::Point { lon, lat },
            (Some(_), _, _) => {
                return Err(ApiError::bad("give either place=ID or lon=&lat=, not both"))
            }
            _ => return Err(ApiError::bad(
                "missing origin: give place=ID (a place id or name) or lon=LON&lat=LAT (degrees)",
            )),
        };
    let mut params = IsoParams::default();
    if let Some(t) = p.list("thresholds", "increasing minutes, e.g. 15,30,45,60")? {
        params.thresholds_min = t;
    }
    if let Some(c) = p.f64("cell", "a grid cell size in metres")? {
        if !(50.0..=5000.0).contains(&c) {
            return Err(ApiError::bad(format!(
                "parameter 'cell': {c} m is outside 50..5000; give a grid cell size in metres"
            )));
        }
        params.cell_m = c;
    }
    params
        .check()
        .map_err(|e| ApiError::bad(format!("parameter 'thresholds': {e}")))?;
    if params.thresholds_min.len() > 12 {
        return Err(ApiError::bad(
            "parameter 'thresholds': give at most 12 thresholds",
        ));
    }
    let w = p.window()?;
    let pct = p.f64("percentile", "a percentile from 0 to 100")?;
    if pct.is_some() && w.is_none() {
        return Err(ApiError::bad(
            "parameter 'percentile' belongs to a departure window: give depart=HH:MM-HH:MM too",
        ));
    }
    let window = w.as_ref().map(|w| (w, pct.unwrap_or(50.0)));
    let m = &s.model;
    let (a, b) = (p.str("scenario"), p.str("compare"));
    let run = |sc: Option<&str>| m.isochrone(sc, &origin, &params, window);
    let (ia, ib) = match b {
        None => (run(a)?, None),
        Some(b) => {
            let (x, y) = rayon::join(|| run(a), || run(Some(b)));
            (x?, Some(y?))
        }
    };
    // The bands are written as text straight away (they are most of the answer).
    let mut out = format!(
        "{{\"origin\":{},\"scenario\":{}",
        text(&json!({ "id": ia.origin, "name": ia.origin_name })),
        fc_text(&ia)
    );
    let mut summary = summary_rows(&ia);
    if let Some(ib) = &ib {
        out.push_str(&format!(
            ",\"compare\":{},\"difference\":{}",
            fc_text(ib),
            text(&difference(&ia, ib))
        ));
        summary.extend(summary_rows(ib));
    }
    out.push_str(&format!(",\"summary\":{}}}", text(&summary)));
    Ok(out)
}

/// `/api/access?scenario=A[&compare=B][&cutoff=60][&grid=5000][&depart=HH:MM-HH:MM&draws=
/// &seed=][&percentile=50][&format=json|csv|geojson]`: the people of the population surface
/// each cell of the grid reaches within the cutoff over the window (default 07:00-08:00), as
/// `onehour access` computes them; with `compare`, both scenarios and the difference per cell.
/// JSON (default): `scenario`, `compare`, `cutoff_minutes`, `grid_m`, `cells`, `columns`,
/// `summary` (summary.json) and `cells_geojson` (access.geojson); `csv` and `geojson` answer
/// the file itself, as a download.
pub fn access(s: &State, q: &HashMap<String, String>) -> Result<String, ApiError> {
    access_file(s, q).map(|(_, _, body)| body)
}

/// [`access`]: the content type, the file name of a download and the body.
fn access_file(
    s: &State,
    q: &HashMap<String, String>,
) -> Result<(&'static str, Option<String>, String), ApiError> {
    let p = Params::new(
        q,
        &[
            "scenario",
            "compare",
            "cutoff",
            "grid",
            "depart",
            "draws",
            "seed",
            "percentile",
            "format",
        ],
    )?;
    let mut params = crate::api::AccessParams::default();
    if let Some(c) = p.f64("cutoff", "a number of minutes")? {
        if c.fract() != 0.0 || !(1.0..=1000.0).contains(&c) {
            return Err(ApiError::bad(format!(
                "parameter 'cutoff': {c} is not whole minutes; give e.g. cutoff=60"
            )));
        }
        params.cutoff_min = c as u32;
    }
    if let Some(g) = p.f64("grid", "a cell size in metres")? {
        params.grid_m = g;
    }
    if let Some(w) = p.window()? {
        params.window = w;
    }
    if let Some(pct) = p.f64("percentile", "a percentile from 0 to 100")? {
        params.percentile = pct;
    }
    let format = p.str("format").unwrap_or("json");
    if !["json", "csv", "geojson"].contains(&format) {
        return Err(ApiError::bad(format!(
            "parameter 'format': '{format}' is no format here; give json, csv or geojson"
        )));
    }
    let r = s
        .model
        .access(p.str("scenario"), p.str("compare"), &params)?;
    let name = |ext: &str| {
        let mut n = format!("access-{}", r.scenario);
        if let Some(c) = &r.compare {
            n.push_str(&format!("-vs-{c}"));
        }
        format!("{n}-{}min-{}m.{ext}", params.cutoff_min, params.grid_m)
    };
    Ok(match format {
        "csv" => ("text/csv; charset=utf-8", Some(name("csv")), r.csv.clone()),
        "geojson" => (
            "application/geo+json",
            Some(name("geojson")),
            r.geojson.clone(),
        ),
        _ => ("application/json", None, r.to_json()),
    })
}

/// The bands of an isochrone as GeoJSON text (as `onehour isochrones` writes its files).
fn fc_text(iso: &Isochrone) -> String {
    crate::geo::isochrone::to_geojson_text(&feature_collection(std::slice::from_ref(iso)))
}

fn summary_rows(iso: &Isochrone) -> Vec<Value> {
    iso.bands
        .iter()
        .map(|b| {
            json!({
                "scenario": iso.scenario,
                "minutes": b.minutes,
                "area_km2": (b.area_km2 * 100.0).round() / 100.0,
                "population": b.population,
            })
        })
        .collect()
}

/// Per threshold, where `b` reaches and `a` does not (`gained`) and the reverse (`lost`), as
/// a FeatureCollection (largest threshold first).
pub fn difference(a: &Isochrone, b: &Isochrone) -> Value {
    let mut features = Vec::new();
    for (ba, bb) in a.bands.iter().zip(&b.bands).rev() {
        for (change, g) in [
            ("gained", bb.geometry.difference(&ba.geometry)),
            ("lost", ba.geometry.difference(&bb.geometry)),
        ] {
            if g.0.is_empty() {
                continue;
            }
            let area = g.chamberlain_duquette_unsigned_area() / 1e6;
            features.push(json!({
                "type": "Feature",
                "geometry": multipolygon_json(&g),
                "properties": {
                    "minutes": ba.minutes,
                    "change": change,
                    "from": a.scenario,
                    "to": b.scenario,
                    "area_km2": (area * 100.0).round() / 100.0,
                },
            }));
        }
    }
    json!({ "type": "FeatureCollection", "features": features })
}

fn multipolygon_json(mp: &MultiPolygon<f64>) -> Value {
    let ring = |ls: &geo::LineString<f64>| -> Vec<[f64; 2]> {
        ls.0.iter()
            .map(|c| [(c.x * 1e6).round() / 1e6, (c.y * 1e6).round() / 1e6])
            .collect()
    };
    let polys: Vec<Vec<Vec<[f64; 2]>>> =
        mp.0.iter()
            .map(|p| {
                std::iter::once(ring(p.exterior()))
                    .chain(p.interiors().iter().map(ring))
                    .collect()
            })
            .collect();
    json!({ "type": "MultiPolygon", "coordinates": polys })
}

/// `/api/layers/network[?scenario=A]`: the network's stations, centres, lines and roads as
/// GeoJSON (as `onehour export` writes them, without zones and road nodes).
pub fn network_layer(s: &State, q: &HashMap<String, String>) -> Result<String, ApiError> {
    let p = Params::new(q, &["scenario"])?;
    let sn = s.model.scenario(p.str("scenario"))?;
    let mut fc = crate::geo::network_geojson::network_features(sn.net());
    fc.features.retain(|f| {
        let kind = f
            .properties
            .as_ref()
            .and_then(|p| p.get("kind"))
            .and_then(Value::as_str);
        !matches!(kind, Some("zone") | Some("road node"))
    });
    Ok(fc.to_string())
}
