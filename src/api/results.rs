//! What the [`super::Model`] hands back: typed results with the JSON the command line writes.

use std::sync::Arc;

use serde::Serialize;

use super::scenario_net::ScenarioNet;
use crate::analysis::json::{matrix_csv, matrix_json, timed_matrix_json, MatrixMeta};
use crate::analysis::round::round6;
use crate::analysis::timed::Timed;
use crate::analysis::timed_route::TimedRoute;
use crate::analysis::{Route, TimeMatrix};
use crate::graph::Profile;
use crate::network::model::{Network, Place, PlaceKind};
use crate::scenario::Scenario;

/// A scenario of the library, for lists.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioInfo {
    /// Name (what the other calls take).
    pub name: String,
    /// One-line title.
    pub title: String,
    /// Longer description.
    pub description: String,
    /// planned, under construction or opened (empty for horizons).
    pub status: String,
    /// Expected opening year.
    pub opening: Option<i32>,
    /// The project's name as written in the plan.
    pub project_zh: String,
    /// Scenarios applied before this one.
    pub extends: Vec<String>,
}

impl ScenarioInfo {
    /// The entry of a scenario file.
    pub fn of(s: &Scenario) -> ScenarioInfo {
        ScenarioInfo {
            name: s.name.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            status: s.status.clone(),
            opening: s.opening,
            project_zh: s.project_zh.clone(),
            extends: s.extends.clone(),
        }
    }

    /// The network as of its day without edits, when the library has no `today`.
    pub fn today(net: &Network) -> ScenarioInfo {
        ScenarioInfo {
            name: "today".into(),
            title: format!("{} as of its day", net.title),
            description: "The network as its files describe it on the day it is taken as of, no scenario applied.".into(),
            status: String::new(),
            opening: None,
            project_zh: String::new(),
            extends: vec![],
        }
    }
}

/// A place, for lists and maps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaceInfo {
    /// Place id.
    pub id: String,
    /// Name in English.
    pub name: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// `station`, `centre` or `zone`.
    pub kind: String,
    /// WGS84 longitude, degrees, 6 decimals.
    pub lon: f64,
    /// WGS84 latitude, degrees, 6 decimals.
    pub lat: f64,
    /// Zones: resident population.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// Centres: inside the metropolitan area (the one-hour target applies between these).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_area: Option<bool>,
}

impl PlaceInfo {
    /// The entry of a place.
    pub fn of(p: &Place) -> PlaceInfo {
        PlaceInfo {
            id: p.id.clone(),
            name: p.name.clone(),
            name_zh: p.name_zh.clone(),
            kind: p.kind.as_str().to_string(),
            lon: round6(p.lon),
            lat: round6(p.lat),
            population: (p.kind == PlaceKind::Zone).then_some(p.population),
            in_area: (p.kind == PlaceKind::Centre).then_some(p.in_area),
        }
    }
}

/// A door-to-door matrix of one scenario.
pub struct Matrix {
    /// The scenario's name.
    pub scenario: String,
    /// The travel profile.
    pub profile: Profile,
    /// The day the network is taken as of.
    pub date: Option<String>,
    /// The year the model was opened at, if any.
    pub year: Option<i32>,
    /// The target, minutes.
    pub limit_min: f64,
    /// Minutes (medians over the window in the timetable mode).
    pub minutes: TimeMatrix,
    /// The window's samples, percentiles and shares (timetable mode only).
    pub timed: Option<Timed>,
    /// The scenario's network.
    pub network: Arc<ScenarioNet>,
}

impl Matrix {
    /// The matrix as `onehour check --format json` (or `matrix --from --to`) writes it, byte
    /// for byte: places, minutes, verdicts, and in the timetable mode the percentiles, shares
    /// and window.
    pub fn to_json(&self) -> String {
        let meta = MatrixMeta {
            scenario: &self.scenario,
            profile: self.profile.as_str(),
            indicator: "door",
            date: self.date.clone(),
            year: self.year,
            limit_min: self.limit_min,
            via: None,
        };
        let net = self.network.net();
        match &self.timed {
            None => matrix_json(net, &self.minutes, &meta),
            Some(t) => timed_matrix_json(net, &self.minutes, &meta, t),
        }
    }

    /// [`Matrix::to_json`] as a value.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.to_json()).unwrap_or_default()
    }

    /// The matrix as CSV, as `--format csv` writes it.
    pub fn to_csv(&self) -> String {
        let net = self.network.net();
        match &self.timed {
            None => matrix_csv(net, &self.minutes, self.limit_min),
            Some(t) => t.csv(net, self.limit_min),
        }
    }
}

/// A route, static or on the timetables.
#[derive(Clone, Debug)]
pub enum RouteResult {
    /// The static model's fastest route.
    Static(Route),
    /// The earliest arrival on the timetables, with its JSON (as `route --depart --format
    /// json`).
    Timed {
        /// The route.
        route: TimedRoute,
        /// Its JSON document.
        json: serde_json::Value,
    },
}

impl RouteResult {
    /// Door-to-door minutes.
    pub fn minutes(&self) -> f64 {
        match self {
            RouteResult::Static(r) => r.total_minutes,
            RouteResult::Timed { route, .. } => (route.arrive - route.depart) as f64 / 60.0,
        }
    }

    /// The route as `onehour route --format json` writes it (with a trailing newline).
    pub fn to_json(&self) -> String {
        match self {
            RouteResult::Static(r) => crate::analysis::json::route_json(r),
            RouteResult::Timed { json, .. } => {
                serde_json::to_string_pretty(json).unwrap_or_default() + "\n"
            }
        }
    }

    /// [`RouteResult::to_json`] as a value.
    pub fn to_value(&self) -> serde_json::Value {
        match self {
            RouteResult::Static(r) => serde_json::to_value(r).unwrap_or_default(),
            RouteResult::Timed { json, .. } => json.clone(),
        }
    }
}
