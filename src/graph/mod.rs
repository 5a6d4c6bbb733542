//! Compiling a network into a compact graph for one profile.
//!
//! The graph is a CSR (compressed sparse row) structure:
//! - `first_out` has `n + 1` entries; the arcs leaving node `v` are
//!   `arcs[first_out[v] .. first_out[v + 1]]`, so `first_out` is non-decreasing, starts at 0
//!   and ends at `arcs.len()`;
//! - each `CsrArc` is 8 bytes: head node and weight in whole seconds;
//! - `meta[e]` (kept apart from the hot arrays) says what arc `e` is, so routes can be explained.
//!
//! Node numbering: node `p` is place `p` for every place of the network; platform nodes follow,
//! one per (service, direction, stop), consecutive along each service so that a ride touches
//! neighbouring memory.
//!
//! [`streets`] holds the street graphs read from OpenStreetMap (walking and driving between
//! arbitrary points), apart from the network graph; `io::osm` builds them.

mod compile;
mod csr;
mod net_graph;
pub mod streets;
pub mod timetabled;

pub use compile::compile;
pub use csr::{Csr, CsrArc};
pub use net_graph::{ArcKind, ArcMeta, ArcOf, NetGraph, Profile, MAX_ARC_SECONDS};

use crate::network::ids::Seconds;
use crate::network::model::Network;

/// A network compiled for one profile, ready for queries.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The network as compiled.
    pub net: Network,
    /// Its graph.
    pub graph: NetGraph,
}

impl Prepared {
    /// Compiles `net` for `profile`.
    pub fn new(net: Network, profile: Profile) -> Prepared {
        let graph = compile(&net, profile);
        Prepared { net, graph }
    }

    /// Search bound from the network's routing settings, seconds.
    pub fn default_bound(&self) -> Seconds {
        (self.net.settings.routing.bound_min * 60.0) as Seconds
    }
}
