//! Checks of a network against the world and itself: the fastest single ride between two
//! stations (fidelity tests), connectivity of centres, zones and stations.

use serde::Serialize;

use crate::graph::Prepared;
use crate::network::model::{Network, PlaceKind};

/// The fastest scheduled in-vehicle time from station `from` to station `to` on one service
/// (run times plus intermediate dwells), over every service and direction that calls at both
/// in that order: what a timetable's "fastest train" column gives. Returns the service id and
/// minutes.
pub fn fastest_ride(net: &Network, from: &str, to: &str) -> Option<(String, f64)> {
    let mut best: Option<(String, f64)> = None;
    for s in &net.services {
        let n = s.stops.len();
        let (Some(a), Some(b)) = (
            s.stops.iter().position(|x| x.at == from),
            s.stops.iter().position(|x| x.at == to),
        ) else {
            continue;
        };
        if a > b && s.directions == crate::network::model::Directions::Forward {
            continue;
        }
        let (lo, hi) = (a.min(b), a.max(b));
        let mut m = 0.0;
        for i in lo + 1..=hi {
            m += s.run_min(i).unwrap_or(f64::INFINITY);
            if i < hi {
                m += s.dwell_at(i);
            }
        }
        debug_assert!(hi < n);
        if best.as_ref().is_none_or(|(_, x)| m < *x) {
            best = Some((s.id.clone(), m));
        }
    }
    best
}

/// Connectivity of a compiled network, computed with petgraph (graph analysis, not the hot
/// path): how many weakly connected components the centres and zones fall into (1 in a
/// connected network), and for each centre the stations it cannot reach at all (no bound).
#[derive(Clone, Debug, Serialize)]
pub struct Connectivity {
    /// Weakly connected components holding at least one centre or zone.
    pub components: usize,
    /// (centre id, station ids it cannot reach)
    pub unreached: Vec<(String, Vec<String>)>,
}

/// Counts the components holding centres or zones and, per centre, the stations it cannot reach.
pub fn connectivity(p: &Prepared) -> Connectivity {
    use petgraph::visit::Dfs;
    let csr = &p.graph.csr;
    let mut g = petgraph::Graph::<(), u32>::with_capacity(csr.num_nodes(), csr.num_arcs());
    for _ in 0..csr.num_nodes() {
        g.add_node(());
    }
    for v in 0..csr.num_nodes() as u32 {
        for a in csr.out(v).1 {
            g.add_edge(v.into(), a.head.into(), a.weight);
        }
    }
    let mut uf = petgraph::unionfind::UnionFind::<u32>::new(csr.num_nodes());
    for e in g.raw_edges() {
        uf.union(e.source().index() as u32, e.target().index() as u32);
    }
    let labels: std::collections::HashSet<u32> = p
        .net
        .places
        .iter()
        .enumerate()
        .filter(|(_, pl)| matches!(pl.kind, PlaceKind::Centre | PlaceKind::Zone))
        .map(|(i, _)| uf.find(i as u32))
        .collect();
    let components = labels.len();
    // Only stations some service calls at count: a station without service on the network's
    // day (closed for rebuilding, or not yet served) is not a connectivity problem.
    let served = p.net.served_stations();
    let mut unreached = Vec::new();
    for c in p.net.centres() {
        let mut seen = vec![false; csr.num_nodes()];
        let mut dfs = Dfs::new(&g, (c.0).into());
        while let Some(v) = dfs.next(&g) {
            seen[v.index()] = true;
        }
        let missing: Vec<String> = p
            .net
            .places
            .iter()
            .enumerate()
            .filter(|(i, pl)| {
                pl.kind == PlaceKind::Station && !seen[*i] && served.contains(pl.id.as_str())
            })
            .map(|(_, pl)| pl.id.clone())
            .collect();
        if !missing.is_empty() {
            unreached.push((p.net.place(c).id.clone(), missing));
        }
    }
    Connectivity {
        components,
        unreached,
    }
}
