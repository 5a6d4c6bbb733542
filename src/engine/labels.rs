//! The labels of a search: distances, parent arcs and the settled list, kept from one search to
//! the next and forgotten in proportion to what the last search touched.

use super::unchecked::Settled;
use crate::network::ids::{EdgeId, NodeId, Seconds, UNREACHED};

/// No parent (the source, or an unreached node).
pub const NO_PARENT: u32 = u32::MAX;

/// Distances, parents and the settled nodes of the last search.
#[derive(Debug)]
pub(super) struct Labels {
    pub(super) dist: Vec<Seconds>,
    pub(super) parent: Vec<u32>,
    /// Whether `parent` holds entries of the last search (searches without parents skip
    /// resetting it).
    parents_set: bool,
    /// Nodes the last search reached, in the order it settled them (nondecreasing distance),
    /// when `recorded`; unbounded searches on a checked graph skip the list (they reach most
    /// of the graph, and the next reset is one memset anyway).
    touched: Vec<u32>,
    recorded: bool,
}

impl Labels {
    /// Labels for graphs of up to `n` nodes.
    pub(super) fn new(n: usize) -> Labels {
        Labels {
            dist: vec![UNREACHED; n],
            parent: vec![NO_PARENT; n],
            parents_set: false,
            touched: Vec::with_capacity(n),
            recorded: true,
        }
    }

    /// Distance of `v` (`UNREACHED` if beyond the bound).
    #[inline]
    pub(super) fn dist(&self, v: NodeId) -> Seconds {
        self.dist[v.idx()]
    }

    /// All distances, indexed by node.
    pub(super) fn distances(&self) -> &[Seconds] {
        &self.dist
    }

    /// The arc by which `v` was reached.
    pub(super) fn parent(&self, v: NodeId) -> Option<EdgeId> {
        let p = self.parent[v.idx()];
        (p != NO_PARENT).then_some(EdgeId(p))
    }

    /// The settled nodes, if the last search listed them.
    pub(super) fn reached(&self) -> Option<&[u32]> {
        self.recorded.then_some(&self.touched[..])
    }

    /// Forgets the last search in proportion to what it touched (entry by entry when it
    /// reached few nodes, one `fill`, a memset, when it reached many) and prepares for one on
    /// `n` nodes, with parents or not. Until `finish`, the labels count as unlisted, so a
    /// search that does not finish (a panic on a broken graph) is forgotten by a memset.
    pub(super) fn start(&mut self, n: usize, parents: bool) {
        if self.dist.len() < n {
            self.dist.resize(n, UNREACHED);
            self.parent.resize(n, NO_PARENT);
        }
        if !self.recorded || self.touched.len() > self.dist.len() / 8 {
            self.dist.fill(UNREACHED);
            if self.parents_set {
                self.parent.fill(NO_PARENT);
            }
        } else {
            for &v in &self.touched {
                self.dist[v as usize] = UNREACHED;
            }
            if self.parents_set {
                for &v in &self.touched {
                    self.parent[v as usize] = NO_PARENT;
                }
            }
        }
        self.touched.clear();
        self.parents_set = parents;
        self.recorded = false;
    }

    /// The settled list for the search, with room for `n` nodes when it `records`.
    pub(super) fn settled(&mut self, n: usize, records: bool) -> Settled {
        Settled::new(
            std::mem::take(&mut self.touched),
            if records { n } else { 0 },
        )
    }

    /// Ends the search: its settled list, complete if it `records`.
    pub(super) fn finish(&mut self, settled: Settled, records: bool) {
        self.touched = settled.finish();
        self.recorded = records;
    }
}
