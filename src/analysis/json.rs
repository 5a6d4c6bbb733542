//! JSON documents of results, as the CLI writes them (`--format json`) and the library API
//! and the server return them: matrices (with the timetable window's percentiles and shares),
//! routes (static and timetabled) and comparisons. One builder per document, so that every
//! front end writes the same bytes.

use serde::Serialize;

use crate::analysis::compare::Comparison;
use crate::analysis::explain::Route;
use crate::analysis::matrix::TimeMatrix;
use crate::analysis::round::{round1, round6};
use crate::analysis::timed::Timed;
use crate::analysis::timed_route::TimedRoute;
use crate::analysis::window::WindowOptions;
use crate::network::ids::format_clock;
use crate::network::ids::PlaceIdx;
use crate::network::model::Network;

/// A place in JSON output.
#[derive(Serialize)]
pub struct JsonPlace {
    /// Place id.
    pub id: String,
    /// Name in English.
    pub name: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// WGS84 longitude, degrees, rounded to 6 decimals.
    pub lon: f64,
    /// WGS84 latitude, degrees, rounded to 6 decimals.
    pub lat: f64,
}

/// A travel-time matrix in JSON output.
#[derive(Serialize)]
pub struct JsonMatrix {
    /// Name of the network.
    pub network: String,
    /// Name of the scenario applied (`today` for none).
    pub scenario: String,
    /// Travel profile (`transit` or `car`).
    pub profile: String,
    /// `door` (door to door) or `station` (rail between the centres' main stations).
    pub indicator: String,
    /// The day the network is taken as of.
    pub date: Option<String>,
    /// The `--year` given, if any.
    pub year: Option<i32>,
    /// The target, minutes.
    pub limit_minutes: f64,
    /// Origins (the rows), and the columns too when the matrix is square.
    pub places: Vec<JsonPlace>,
    /// Rows are origins, columns destinations; only a square matrix when rows == cols.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_places: Option<Vec<JsonPlace>>,
    /// Minutes from each row place to each column place, to 0.1; `null` if unreachable.
    pub minutes: Vec<Vec<Option<f64>>>,
    /// Whether each cell is within `limit_minutes`.
    pub within_limit: Vec<Vec<bool>>,
    /// Station indicator: the main stations of the fastest trip of each cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<crate::analysis::station::StationPairs>,
}

/// What a matrix is, for its JSON header.
pub struct MatrixMeta<'a> {
    /// Name of the scenario applied.
    pub scenario: &'a str,
    /// Travel profile (`transit` or `car`).
    pub profile: &'a str,
    /// Indicator (`door` or `station`).
    pub indicator: &'a str,
    /// The day the network is taken as of, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The `--year` given, if any.
    pub year: Option<i32>,
    /// The target, minutes.
    pub limit_min: f64,
    /// Station indicator: the main stations of the fastest trip of each cell.
    pub via: Option<&'a [crate::analysis::station::StationPairsRow]>,
}

/// Place `p` for JSON output, coordinates rounded to 6 decimals (about 0.1 m).
pub fn json_place(net: &Network, p: PlaceIdx) -> JsonPlace {
    let pl = net.place(p);
    JsonPlace {
        id: pl.id.clone(),
        name: pl.name.clone(),
        name_zh: pl.name_zh.clone(),
        lon: round6(pl.lon),
        lat: round6(pl.lat),
    }
}

/// A matrix as pretty-printed JSON ([`JsonMatrix`]), with a trailing newline.
pub fn matrix_json(net: &Network, m: &TimeMatrix, meta: &MatrixMeta<'_>) -> String {
    let limit_min = meta.limit_min;
    let j = JsonMatrix {
        network: net.name.clone(),
        scenario: meta.scenario.to_string(),
        profile: meta.profile.to_string(),
        indicator: meta.indicator.to_string(),
        date: meta.date.clone(),
        year: meta.year,
        limit_minutes: limit_min,
        via: meta.via.map(|v| v.to_vec()),
        places: m.rows.iter().map(|&p| json_place(net, p)).collect(),
        to_places: (m.rows != m.cols).then(|| m.cols.iter().map(|&p| json_place(net, p)).collect()),
        minutes: (0..m.rows.len())
            .map(|i| {
                (0..m.cols.len())
                    .map(|k| m.minutes(i, k).map(round1))
                    .collect()
            })
            .collect(),
        within_limit: (0..m.rows.len())
            .map(|i| {
                (0..m.cols.len())
                    .map(|k| m.minutes(i, k).is_some_and(|x| x <= limit_min))
                    .collect()
            })
            .collect(),
    };
    serde_json::to_string_pretty(&j).unwrap_or_default() + "\n"
}

/// A matrix as CSV: one `from,to,minutes,within_limit` row per pair, place ids, minutes to 0.1 (empty if unreachable).
pub fn matrix_csv(net: &Network, m: &TimeMatrix, limit_min: f64) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["from", "to", "minutes", "within_limit"]);
    for (i, &r) in m.rows.iter().enumerate() {
        for (j, &c) in m.cols.iter().enumerate() {
            let mins = m.minutes(i, j);
            let _ = w.write_record([
                net.place(r).id.as_str(),
                net.place(c).id.as_str(),
                &mins.map(|x| format!("{x:.1}")).unwrap_or_default(),
                &mins.is_some_and(|x| x <= limit_min).to_string(),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A matrix over a departure window as pretty-printed JSON: [`matrix_json`]'s members and
/// the window's ([`Timed::json_members`]: `percentiles`, `share_within_limit`, `window`), with a
/// trailing newline.
pub fn timed_matrix_json(
    net: &Network,
    m: &TimeMatrix,
    meta: &MatrixMeta<'_>,
    t: &Timed,
) -> String {
    let text = matrix_json(net, m, meta);
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if let (Some(o), serde_json::Value::Object(extra)) =
        (v.as_object_mut(), t.json_members(meta.limit_min))
    {
        o.extend(extra);
    }
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// A route ([`crate::analysis::explain::route`]) as pretty-printed JSON, with a trailing newline.
pub fn route_json(r: &Route) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

/// What a timetabled route answers: the places, the scenario and the window it was asked on.
pub struct TimedRouteMeta<'a> {
    /// Where the route starts.
    pub from: PlaceIdx,
    /// Where it ends.
    pub to: PlaceIdx,
    /// The scenario's name (`today` for none).
    pub scenario: &'a str,
    /// The date and the departure.
    pub opts: &'a WindowOptions,
}

/// A timetabled route as a JSON value: places, scenario, date, departure, arrival, minutes and
/// the legs with clock times.
pub fn timed_route_value(
    net: &Network,
    meta: &TimedRouteMeta<'_>,
    route: &TimedRoute,
) -> serde_json::Value {
    let total = (route.arrive - route.depart) as f64 / 60.0;
    let legs: Vec<serde_json::Value> = route
        .legs
        .iter()
        .map(|l| {
            serde_json::json!({
                "kind": l.kind.as_str(), "from": l.from, "to": l.to,
                "depart": format_clock(l.depart), "arrive": format_clock(l.arrive),
                "minutes": ((l.arrive - l.depart) as f64 / 6.0).round() / 10.0,
                "service": l.service,
            })
        })
        .collect();
    serde_json::json!({
        "from": net.place(meta.from).id, "to": net.place(meta.to).id,
        "scenario": meta.scenario,
        "date": meta.opts.date.to_string(),
        "depart": format_clock(route.depart),
        "arrive": format_clock(route.arrive),
        "minutes": (total * 10.0).round() / 10.0,
        "legs": legs,
    })
}

/// [`timed_route_value`] pretty-printed, with a trailing newline.
pub fn timed_route_json(net: &Network, meta: &TimedRouteMeta<'_>, route: &TimedRoute) -> String {
    serde_json::to_string_pretty(&timed_route_value(net, meta, route)).unwrap_or_default() + "\n"
}

/// The window of a timetable comparison, for JSON.
pub fn window_json(o: &WindowOptions) -> serde_json::Value {
    serde_json::json!({
        "date": o.date.to_string(),
        "from": format_clock(o.from),
        "to": format_clock(o.to),
        "step_minutes": o.step / 60,
        "draws": o.draws,
        "seed": o.seed,
        "minutes_are": "median over the samples (departures x draws)",
    })
}

/// A comparison as a JSON value: the [`Comparison`]'s members, and `timing` (the window) in
/// the timetable mode.
pub fn compare_value(c: &Comparison, window: Option<&WindowOptions>) -> serde_json::Value {
    let mut v = serde_json::to_value(c).unwrap_or_default();
    if let Some(o) = window {
        v["timing"] = window_json(o);
    }
    v
}

/// A comparison as pretty-printed JSON ([`compare_value`]), with a trailing newline.
pub fn compare_json(c: &Comparison, window: Option<&WindowOptions>) -> String {
    match window {
        None => serde_json::to_string_pretty(c).unwrap_or_default() + "\n",
        Some(_) => {
            serde_json::to_string_pretty(&compare_value(c, window)).unwrap_or_default() + "\n"
        }
    }
}
