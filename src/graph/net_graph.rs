//! A network compiled for one profile ([`NetGraph`]): the graph and what each arc and node
//! is, the profiles, and the largest arc weight.

use super::csr::Csr;
use crate::network::ids::{NodeId, PlaceIdx, RoadIdx, Seconds, ServiceIdx, UNREACHED};

/// The largest arc weight a compiled graph holds: one second below `UNREACHED` (about 136
/// years). Weights from the network are clamped to it (`minutes_to_seconds` does), and sums of
/// them saturate at it instead of wrapping.
pub const MAX_ARC_SECONDS: Seconds = UNREACHED - 1;

/// A travel profile: which parts of the network a traveller uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Walking plus all public transport.
    Transit,
    /// Driving on the road network, with connectors from places onto it.
    Car,
    /// Rail and metro between stations only: the public-transport graph without centres, zones
    /// and access links (walking only between stations). The plan's station-to-station
    /// indicator runs on it.
    Station,
}

impl Profile {
    /// The profile's name in outputs (`transit`, `car`, `station`).
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Transit => "transit",
            Profile::Car => "car",
            Profile::Station => "station",
        }
    }
}

/// What an arc of a network graph is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArcKind {
    /// Walking between places (automatic or explicit).
    Walk,
    /// Access by local bus, taxi or bike (explicit access links, zone feeders).
    Access,
    /// An explicit in-station or between-station transfer.
    Transfer,
    /// Place to platform: interchange walk + expected wait + boarding penalty.
    Board,
    /// Platform to the next platform of the same service: run time plus dwell.
    Ride,
    /// Platform to its station.
    Alight,
    /// A road link.
    Drive,
    /// Place to road node (or back): local streets and parking.
    Connector,
}

/// The service or road an arc belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArcOf {
    /// Board, ride and alight arcs: their service.
    Service(ServiceIdx),
    /// Drive arcs: their road.
    Road(RoadIdx),
    /// Walking, access, transfer and connector arcs.
    Nothing,
}

/// What an arc is, for explaining routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArcMeta {
    /// What the arc is.
    pub kind: ArcKind,
    /// The service or road it belongs to.
    pub what: ArcOf,
}

/// A network compiled for one profile.
#[derive(Clone, Debug)]
pub struct NetGraph {
    /// The profile it was compiled for.
    pub profile: Profile,
    /// The graph.
    pub csr: Csr,
    /// What each arc is, by arc index (kept apart from the hot arrays).
    pub meta: Vec<ArcMeta>,
    /// Number of place nodes; nodes `0..n_places` are the places.
    pub n_places: u32,
    /// For every node, its place (platform nodes: their station).
    pub node_place: Vec<PlaceIdx>,
    /// For every node, its service (`None` for place nodes).
    pub node_service: Vec<Option<ServiceIdx>>,
}

impl NetGraph {
    /// The node of place `p` (places are the first nodes, in network order).
    pub fn place_node(&self, p: PlaceIdx) -> NodeId {
        NodeId(p.0)
    }
}
