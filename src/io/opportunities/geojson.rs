//! GeoJSON features with numeric properties: the document, its features and columns, each
//! feature's values and polygons, spread over the grid.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::geo::grid::Grid;

use super::polygon::{
    check_overlaps, check_polygons, feature_polygons, project, spread_polygon, widen, Clip,
    LonLatPolygon, Projected, Zone, EMPTY_BOX,
};
use super::sink::{check_count, read_text, repeated, Sink, MAX_SHOWN};
use super::table::{Loaded, Opportunities};

/// How a feature is named in messages: `feature 3` (1-based), with its id if it has one.
pub(super) fn feature_name(k: usize, f: &Value) -> String {
    let id = f
        .get("id")
        .or_else(|| f.get("properties").and_then(|p| p.get("id")));
    match id {
        Some(Value::String(s)) => format!("feature {} (id {s})", k + 1),
        Some(Value::Number(n)) => format!("feature {} (id {n})", k + 1),
        _ => format!("feature {}", k + 1),
    }
}

pub(super) fn read_geojson(
    path: &Path,
    grid: &Grid,
    select: Option<&[String]>,
    sink: &mut Sink,
) -> Option<Loaded> {
    let text = read_text(path, sink, "GeoJSON file")?;
    parse_geojson(&text, grid, select, sink)
}

pub(super) fn parse_geojson(
    text: &str,
    grid: &Grid,
    select: Option<&[String]>,
    sink: &mut Sink,
) -> Option<Loaded> {
    let doc = geojson_doc(text, sink)?;
    let features = geojson_features(&doc, sink)?;
    let names = geojson_columns(&features, select, sink)?;
    let mut spread = Spread::new(names.len(), grid.len());
    let mut ids = HashMap::new();
    let mut zones = Vec::new();
    for (k, f) in features.iter().enumerate() {
        check_id(k, f, &mut ids, sink);
        if let Some(z) = spread_feature(k, f, &names, grid, &mut spread, sink) {
            zones.push(z);
        }
    }
    if !sink.has_errors() {
        check_overlaps(&zones, grid, sink);
    }
    if sink.has_errors() {
        return None;
    }
    spread.warn_outside(&names, sink);
    let columns = names.into_iter().zip(spread.cols).collect();
    Some(Loaded {
        opportunities: Opportunities::on_grid(grid, columns),
        totals: spread.totals,
        outside: spread.outside,
    })
}

/// The extent `[W, S, E, N]` of the polygons of a GeoJSON text of opportunities, read without
/// a grid: the document, its columns and every feature are checked as far as they can be
/// without one (values, ids, geometry types, rings and coordinates), so that a broken file is
/// reported feature by feature before a grid is laid over it. `None` after errors.
pub(super) fn geojson_extent_checked(
    text: &str,
    select: Option<&[String]>,
    sink: &mut Sink,
) -> Option<[f64; 4]> {
    let doc = geojson_doc(text, sink)?;
    let features = geojson_features(&doc, sink)?;
    let names = geojson_columns(&features, select, sink)?;
    let mut ids = HashMap::new();
    let mut b = EMPTY_BOX;
    for (k, f) in features.iter().enumerate() {
        check_id(k, f, &mut ids, sink);
        let Some(rf) = read_feature(k, f, &names, sink) else {
            continue;
        };
        for &(lon, lat) in rf.polys.iter().flatten().flatten() {
            b = widen(b, [lon, lat, lon, lat]);
        }
    }
    (!sink.has_errors() && b.iter().all(|x| x.is_finite())).then_some(b)
}

/// The id of a feature (its `id`, else its `id` property), as text.
fn feature_id(f: &Value) -> Option<String> {
    match f
        .get("id")
        .or_else(|| f.get("properties").and_then(|p| p.get("id")))
    {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// Feature `k`'s id, if it has one, must not repeat an earlier feature's (`seen`: the ids so
/// far and their features).
fn check_id(k: usize, f: &Value, seen: &mut HashMap<String, usize>, sink: &mut Sink) {
    let Some(id) = feature_id(f) else {
        return;
    };
    match seen.get(&id) {
        Some(&first) => sink.error(
            None,
            feature_name(k, f),
            format!("id {id} was already used by feature {}", first + 1),
            "give every feature a unique id (or none): a zone given twice would count its opportunities twice",
        ),
        None => {
            seen.insert(id, k);
        }
    }
}

/// The JSON document of a GeoJSON text (an empty text or invalid JSON is an error).
pub(super) fn geojson_doc(text: &str, sink: &mut Sink) -> Option<Value> {
    if text.trim().is_empty() {
        sink.error(
            None,
            "",
            "the file is empty",
            "give a GeoJSON FeatureCollection of Polygon or MultiPolygon features with numeric properties",
        );
        return None;
    }
    match serde_json::from_str(text) {
        Ok(v) => Some(v),
        Err(e) => {
            sink.error(
                Some(e.line()),
                "",
                format!("not valid JSON: {e}"),
                "save the file as GeoJSON (RFC 7946)",
            );
            None
        }
    }
}

/// The features of a FeatureCollection (or a lone Feature); at least one.
pub(super) fn geojson_features<'a>(doc: &'a Value, sink: &mut Sink) -> Option<Vec<&'a Value>> {
    let features: Vec<&Value> = match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => match doc.get("features").and_then(Value::as_array) {
            Some(f) => f.iter().collect(),
            None => {
                sink.error(
                    None,
                    "",
                    "the FeatureCollection has no \"features\" array",
                    "give the features in a \"features\" array",
                );
                return None;
            }
        },
        Some("Feature") => vec![doc],
        other => {
            sink.error(
                None,
                "",
                format!(
                    "the top-level object is {}, not a FeatureCollection",
                    other.map_or("untyped".to_string(), |t| format!("a {t}"))
                ),
                "give a FeatureCollection of polygons with numeric properties (a bare geometry has no values to spread)",
            );
            return None;
        }
    };
    if features.is_empty() {
        sink.error(
            None,
            "",
            "the FeatureCollection has no features",
            "add Polygon or MultiPolygon features with numeric properties",
        );
        return None;
    }
    Some(features)
}

/// The columns spread: those chosen, else every numeric property but `id`; each must be
/// held by some feature (a column no feature holds is a mistake, not a column of zeros).
pub(super) fn geojson_columns(
    features: &[&Value],
    select: Option<&[String]>,
    sink: &mut Sink,
) -> Option<Vec<String>> {
    let names: Vec<String> = match select {
        Some(s) => {
            if let Some(d) = repeated(s) {
                sink.error(
                    None,
                    "",
                    format!("the property {d} is chosen twice"),
                    "choose each property once",
                );
                return None;
            }
            s.to_vec()
        }
        None => {
            let mut n: Vec<String> = Vec::new();
            for f in features {
                if let Some(p) = f.get("properties").and_then(Value::as_object) {
                    for (k, v) in p {
                        if v.is_number() && !k.eq_ignore_ascii_case("id") && !n.contains(k) {
                            n.push(k.clone());
                        }
                    }
                }
            }
            if n.is_empty() {
                sink.error(
                    None,
                    "",
                    "no feature has a numeric property to spread",
                    "give each feature numeric properties such as \"population\": 1234",
                );
                return None;
            }
            n
        }
    };
    let holds = |n: &String| {
        features.iter().any(|f| {
            f.get("properties")
                .and_then(|p| p.get(n))
                .is_some_and(|v| !v.is_null())
        })
    };
    let absent: Vec<&str> = names
        .iter()
        .filter(|n| !holds(n))
        .map(|n| n.as_str())
        .collect();
    if !absent.is_empty() {
        sink.error(
            None,
            "",
            format!("no feature has a value for {}", absent.join(", ")),
            "name properties the features hold (property names are case-sensitive)",
        );
        return None;
    }
    Some(names)
}

/// The values of `names` in feature `f` (a missing or null value is 0, reported as a
/// blank), and whether all were valid counts (errors go to `sink`).
pub(super) fn feature_values(
    f: &Value,
    names: &[String],
    record: &str,
    sink: &mut Sink,
) -> (Vec<f64>, bool) {
    let props = f.get("properties").and_then(Value::as_object);
    let mut vals = Vec::with_capacity(names.len());
    let mut ok = true;
    for n in names {
        let v = props.and_then(|p| p.get(n));
        let r = match v {
            None | Some(Value::Null) => {
                sink.blank(n, record.to_string());
                Ok(0.0)
            }
            Some(Value::Number(x)) => check_count(x.as_f64().unwrap_or(f64::NAN), n),
            Some(Value::String(s)) => Err((
                format!("property \"{n}\" is the string \"{s}\", not a number"),
                "write the value as a JSON number, without quotes".into(),
            )),
            Some(other) => Err((
                format!("property \"{n}\" is {other}, not a number"),
                "write the value as a JSON number".into(),
            )),
        };
        match r {
            Ok(x) => vals.push(x),
            Err((m, fix)) => {
                sink.error(None, record.to_string(), m, fix);
                ok = false;
            }
        }
    }
    (vals, ok)
}

/// A feature read without a grid: its name in messages, its values (`ok`: all valid), its
/// polygons in lon/lat.
pub(super) struct ReadFeature {
    pub(super) record: String,
    pub(super) vals: Vec<f64>,
    pub(super) ok: bool,
    pub(super) polys: Vec<LonLatPolygon>,
}

/// Feature `k`: a Feature, its values checked, its geometry read (errors go to `sink`);
/// `None` if it is not a Feature or its geometry cannot be read.
pub(super) fn read_feature(
    k: usize,
    f: &Value,
    names: &[String],
    sink: &mut Sink,
) -> Option<ReadFeature> {
    let record = feature_name(k, f);
    if f.get("type").and_then(Value::as_str) != Some("Feature") {
        sink.error(
            None,
            record,
            "not a GeoJSON Feature (\"type\": \"Feature\")",
            "give every member of \"features\" as a Feature with geometry and properties",
        );
        return None;
    }
    let (vals, ok) = feature_values(f, names, &record, sink);
    let polys = match f.get("geometry") {
        None | Some(Value::Null) => Err((
            "the feature has no geometry".to_string(),
            "give the feature the Polygon or MultiPolygon outline of its area".to_string(),
        )),
        Some(g) => feature_polygons(g),
    };
    match polys {
        Ok(polys) => Some(ReadFeature {
            record,
            vals,
            ok,
            polys,
        }),
        Err((m, fix)) => {
            sink.error(None, record, m, fix);
            None
        }
    }
}

/// The polygons of a feature in the grid's projection, checked (errors go to `sink`).
pub(super) fn feature_geometry(
    polys: &[LonLatPolygon],
    grid: &Grid,
    record: &str,
    sink: &mut Sink,
) -> Option<Vec<Projected>> {
    let projected: Vec<Projected> = polys.iter().map(|p| project(p, grid)).collect();
    if let Err(m) = check_polygons(&projected, grid) {
        sink.error(
            None,
            record.to_string(),
            format!("the geometry is not valid: {m}"),
            "repair the geometry (e.g. QGIS: Vector > Geometry Tools > Fix Geometries, or PostGIS ST_MakeValid)",
        );
        return None;
    }
    Some(projected)
}

/// The columns spread over the grid so far, their totals, what fell outside.
pub(super) struct Spread {
    pub(super) cols: Vec<Vec<f64>>,
    pub(super) totals: Vec<f64>,
    pub(super) outside: Vec<f64>,
    /// Features partly outside the grid.
    pub(super) partly: usize,
    /// Features wholly outside the grid.
    pub(super) wholly: usize,
    pub(super) clip: Clip,
    pub(super) acc: Vec<(usize, f64)>,
}

impl Spread {
    pub(super) fn new(ncol: usize, cells: usize) -> Spread {
        Spread {
            cols: vec![vec![0.0; cells]; ncol],
            totals: vec![0.0; ncol],
            outside: vec![0.0; ncol],
            partly: 0,
            wholly: 0,
            clip: Clip::default(),
            acc: Vec::new(),
        }
    }

    /// One warning for the features partly or wholly outside the grid, with what was lost.
    pub(super) fn warn_outside(&self, names: &[String], sink: &mut Sink) {
        if self.partly + self.wholly == 0 {
            return;
        }
        let lost: Vec<String> = names
            .iter()
            .zip(&self.outside)
            .zip(&self.totals)
            .map(|((n, o), t)| {
                let pct = if *t > 0.0 { 100.0 * o / t } else { 0.0 };
                format!("{o:.1} {n} ({pct:.2} %)")
            })
            .collect();
        sink.warning(
            None,
            "",
            format!(
                "{} feature(s) lie partly and {} wholly outside the grid: {} left out",
                self.partly,
                self.wholly,
                lost.join(", ")
            ),
            "cover the whole area of the opportunities with the grid to keep them",
        );
    }
}

/// Feature `k`: its values checked, its geometry checked, then its values spread over the
/// cells in proportion to the area of each cell it covers. The feature as a zone (name and
/// projected polygons) when it was spread, for the check of overlaps.
pub(super) fn spread_feature(
    k: usize,
    f: &Value,
    names: &[String],
    grid: &Grid,
    sp: &mut Spread,
    sink: &mut Sink,
) -> Option<Zone> {
    let ReadFeature {
        record,
        vals,
        ok,
        polys,
    } = read_feature(k, f, names, sink)?;
    let projected = feature_geometry(&polys, grid, &record, sink)?;
    if !ok {
        return None;
    }
    for (t, v) in sp.totals.iter_mut().zip(&vals) {
        *t += v;
    }
    let area: f64 = projected.iter().map(|p| p.area).sum();
    if area <= 0.0 {
        if vals.iter().any(|&v| v > 0.0) {
            sink.error(
                None,
                record,
                "the geometry has no area, so its values cannot be spread over cells",
                "give the feature's real outline, or give it as a point in a CSV",
            );
        }
        return None;
    }
    sp.acc.clear();
    for p in &projected {
        spread_polygon(p, grid, &mut sp.clip, &mut sp.acc);
    }
    // Rings that cross at a vertex (which `check_polygons` lets pass as a touch) wind part
    // of the polygon the wrong way: a negative area in some cell.
    if let Some(&(cell, _)) = sp.acc.iter().find(|x| x.1 < -1e-9 * area) {
        sink.error(
            None,
            record,
            format!(
                "the geometry is not valid: its rings cross at a vertex, in cell {}",
                grid.id(cell)
            ),
            "repair the geometry (e.g. QGIS: Vector > Geometry Tools > Fix Geometries, or PostGIS ST_MakeValid)",
        );
        return None;
    }
    let mut share_in = 0.0;
    for &(cell, a) in &sp.acc {
        let share = a.max(0.0) / area;
        share_in += share;
        for (c, v) in vals.iter().enumerate() {
            sp.cols[c][cell] += v * share;
        }
    }
    let share_out = (1.0 - share_in).max(0.0);
    if share_out > 1e-9 {
        for (o, v) in sp.outside.iter_mut().zip(&vals) {
            *o += v * share_out;
        }
        if sp.acc.is_empty() {
            sp.wholly += 1;
            if sp.wholly <= MAX_SHOWN {
                sink.warning(
                    None,
                    record.clone(),
                    "lies outside the grid: its values are left out",
                    "cover the feature with the grid, or leave it out of the file",
                );
            }
        } else {
            sp.partly += 1;
        }
    }
    Some(Zone {
        record,
        polys: projected,
        area,
        vals,
    })
}
