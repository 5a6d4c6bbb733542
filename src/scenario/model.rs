//! A scenario as read from its file: the [`Scenario`] and its [`Edit`]s ([`EditOp`], with the
//! new stations, roads and links as written).

use serde::Deserialize;

use crate::network::load::RawService;
use crate::network::model::{LinkKind, Origin};

/// One edit of a scenario.
#[derive(Clone, Debug)]
pub struct Edit {
    /// What the edit does.
    pub op: EditOp,
    /// Where the edit's figures come from.
    pub source: String,
    /// A free note (why, caveats).
    pub note: String,
    /// The scenario file and line of the edit, for messages.
    pub origin: Origin,
    /// 1-based index of the edit in its file.
    pub index: usize,
}

/// A new station of `add_station`, as written (the columns of `stations.csv`).
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawStation {
    /// Station id, new in the network.
    pub id: String,
    /// English name.
    pub name: String,
    /// Chinese name.
    #[serde(default)]
    pub name_zh: String,
    /// City.
    #[serde(default)]
    pub city: String,
    /// District.
    #[serde(default)]
    pub district: String,
    /// WGS84 longitude, degrees.
    pub lon: f64,
    /// WGS84 latitude, degrees.
    pub lat: f64,
    /// Minutes from the entrance to a departing platform (default 5).
    #[serde(default = "default_interchange")]
    pub interchange_min: f64,
    /// Where the coordinates and minutes come from.
    pub source: String,
}

fn default_interchange() -> f64 {
    5.0
}

/// A new road node of `add_road` (the columns of `roads/nodes.csv`).
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawRoadNode {
    /// Road node id, new in the network.
    pub id: String,
    /// English name.
    pub name: String,
    /// Chinese name.
    #[serde(default)]
    pub name_zh: String,
    /// WGS84 longitude, degrees.
    pub lon: f64,
    /// WGS84 latitude, degrees.
    pub lat: f64,
    /// Where the coordinates come from.
    pub source: String,
}

/// A new road link of `add_road` (the columns of `roads/links.csv`).
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawRoad {
    /// Road id, new in the network.
    pub id: String,
    /// Place id of one end.
    pub from: String,
    /// Place id of the other end.
    pub to: String,
    /// English name.
    pub name: String,
    /// Chinese name.
    #[serde(default)]
    pub name_zh: String,
    /// Length, km.
    pub km: f64,
    /// Free-flow speed, km/h.
    pub speed_kmh: f64,
    /// Peak travel-time multiplier (>= 1; default 1).
    #[serde(default = "one")]
    pub congestion: f64,
    /// Opening year or date.
    #[serde(default)]
    pub opened: Option<toml::Value>,
    /// Where the figures come from.
    pub source: String,
}

fn one() -> f64 {
    1.0
}

/// A new link of `add_link` (the columns of `links.csv`).
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    /// Place id of one end.
    pub from: String,
    /// Place id of the other end.
    pub to: String,
    /// Minutes of the link (empty for a walk computed from the distance).
    #[serde(default)]
    pub minutes: Option<f64>,
    /// walk, transfer or access.
    pub kind: LinkKind,
    /// Where the minutes come from (default: the edit's source).
    pub source: String,
}

/// The edit commands.
#[derive(Deserialize, Clone, Debug)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum EditOp {
    /// A new station.
    AddStation {
        /// The station.
        station: RawStation,
    },
    /// A new service (stopping pattern).
    AddService {
        /// The service, as in a services file.
        service: Box<RawService>,
    },
    /// Removes a service.
    RemoveService {
        /// Service id.
        service: String,
    },
    /// Sets a service's peak headway.
    SetHeadway {
        /// Service id.
        service: String,
        /// The new headway, minutes.
        headway_min: f64,
    },
    /// Divides a service's run times by a factor.
    ScaleSpeed {
        /// Service id.
        service: String,
        /// Speed factor (run times are divided by it).
        factor: f64,
    },
    /// Sets a service's run times.
    SetRunTimes {
        /// Service id.
        service: String,
        /// Minutes from the previous stop, one per stop after the first.
        run_min: Vec<f64>,
    },
    /// Closes a station: services skip it, their run times joined.
    CloseStation {
        /// Station id.
        station: String,
    },
    /// A new road link, with any new road nodes.
    AddRoad {
        /// The road link.
        road: RawRoad,
        /// New road nodes it needs.
        #[serde(default)]
        nodes: Vec<RawRoadNode>,
    },
    /// Changes a road's speed or congestion.
    SetRoad {
        /// Road id.
        road: String,
        /// New free-flow speed, km/h.
        #[serde(default)]
        speed_kmh: Option<f64>,
        /// New peak travel-time multiplier.
        #[serde(default)]
        congestion: Option<f64>,
    },
    /// Sets a station's interchange minutes.
    SetInterchange {
        /// Station id.
        station: String,
        /// Minutes from the entrance to a departing platform.
        minutes: f64,
    },
    /// A new explicit link.
    AddLink {
        /// The link.
        link: RawLink,
    },
}

impl EditOp {
    /// The op as written in scenario files (`add_station`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            EditOp::AddStation { .. } => "add_station",
            EditOp::AddService { .. } => "add_service",
            EditOp::RemoveService { .. } => "remove_service",
            EditOp::SetHeadway { .. } => "set_headway",
            EditOp::ScaleSpeed { .. } => "scale_speed",
            EditOp::SetRunTimes { .. } => "set_run_times",
            EditOp::CloseStation { .. } => "close_station",
            EditOp::AddRoad { .. } => "add_road",
            EditOp::SetRoad { .. } => "set_road",
            EditOp::SetInterchange { .. } => "set_interchange",
            EditOp::AddLink { .. } => "add_link",
        }
    }
}

/// A scenario file.
#[derive(Clone, Debug, Default)]
pub struct Scenario {
    /// Name: the file stem, unique in the library.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// Longer description.
    pub description: String,
    /// The project's name as written in the plan.
    pub project_zh: String,
    /// Where the plan lists it (专栏1, 专栏3, ...).
    pub plan_box: String,
    /// planned, under construction or opened.
    pub status: String,
    /// Expected opening year.
    pub opening: Option<i32>,
    /// Where route, length, speed and opening come from.
    pub source: String,
    /// Scenarios applied before this one, in order.
    pub extends: Vec<String>,
    /// The edit commands.
    pub edits: Vec<Edit>,
    /// The file it was read from, for messages.
    pub file: String,
}
