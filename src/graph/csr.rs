//! The compact graph: CSR arrays with a written invariant and a checker.

use crate::network::ids::{EdgeId, NodeId, Seconds};

/// One arc of the CSR graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct CsrArc {
    /// The node the arc leads to.
    pub head: u32,
    /// Its weight, whole seconds.
    pub weight: Seconds,
}

/// A compact directed graph with integer weights, in CSR form. `Sync`: one graph is shared by
/// all threads of a sweep.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Csr {
    first_out: Vec<u32>,
    arcs: Vec<CsrArc>,
    /// The largest arc weight (sizes the bucket queue).
    max_weight: Seconds,
}

impl Csr {
    /// Builds a CSR graph from `(tail, head, weight)` triples, keeping their order within each
    /// tail. Returns the permutation: `perm[i]` is the CSR position of input arc `i`.
    pub fn from_arcs(n: usize, arcs: &[(u32, u32, Seconds)]) -> (Csr, Vec<u32>) {
        assert!(n < u32::MAX as usize && arcs.len() < u32::MAX as usize);
        let mut first_out = vec![0u32; n + 1];
        for &(t, _, _) in arcs {
            first_out[t as usize + 1] += 1;
        }
        for i in 0..n {
            first_out[i + 1] += first_out[i];
        }
        let mut fill = first_out.clone();
        let mut out = vec![CsrArc { head: 0, weight: 0 }; arcs.len()];
        let mut perm = vec![0u32; arcs.len()];
        let mut max_weight = 0;
        for (i, &(t, h, w)) in arcs.iter().enumerate() {
            let pos = fill[t as usize];
            fill[t as usize] += 1;
            out[pos as usize] = CsrArc { head: h, weight: w };
            perm[i] = pos;
            max_weight = max_weight.max(w);
        }
        (
            Csr {
                first_out,
                arcs: out,
                max_weight,
            },
            perm,
        )
    }

    /// A graph from its arrays, checked: `first_out` has `n + 1` non-decreasing entries from 0
    /// to `arcs.len()`, and every head is a node. The error names the broken rule.
    pub fn new(first_out: Vec<u32>, arcs: Vec<CsrArc>) -> Result<Csr, String> {
        let max_weight = arcs.iter().map(|a| a.weight).max().unwrap_or(0);
        let g = Csr {
            first_out,
            arcs,
            max_weight,
        };
        g.check()?;
        Ok(g)
    }

    /// `first_out[v]..first_out[v + 1]` are the arcs leaving `v` (`n + 1` entries).
    #[inline(always)]
    pub fn first_out(&self) -> &[u32] {
        &self.first_out
    }

    /// The arcs, grouped by tail.
    #[inline(always)]
    pub fn arcs(&self) -> &[CsrArc] {
        &self.arcs
    }

    /// The largest arc weight (sizes the bucket queue).
    #[inline(always)]
    pub fn max_weight(&self) -> Seconds {
        self.max_weight
    }

    /// Number of nodes.
    #[inline(always)]
    pub fn num_nodes(&self) -> usize {
        self.first_out.len().saturating_sub(1)
    }

    /// Number of arcs.
    #[inline(always)]
    pub fn num_arcs(&self) -> usize {
        self.arcs.len()
    }

    /// The arcs leaving `v`, with the id of the first.
    #[inline(always)]
    pub fn out(&self, v: u32) -> (u32, &[CsrArc]) {
        let a = self.first_out[v as usize];
        let b = self.first_out[v as usize + 1];
        (a, &self.arcs[a as usize..b as usize])
    }

    /// The tail of arc `e` (binary search over `first_out`).
    pub fn tail(&self, e: EdgeId) -> NodeId {
        let i = self.first_out.partition_point(|&f| f <= e.0);
        NodeId::from_idx(i - 1)
    }

    /// Checks the CSR invariant, naming the first broken rule.
    pub fn check(&self) -> Result<(), String> {
        if self.first_out.is_empty() {
            return Err("first_out is empty (it needs n + 1 entries)".into());
        }
        if self.first_out[0] != 0 {
            return Err(format!("first_out[0] = {}, not 0", self.first_out[0]));
        }
        if *self.first_out.last().unwrap() as usize != self.arcs.len() {
            return Err(format!(
                "first_out ends at {}, but there are {} arcs",
                self.first_out.last().unwrap(),
                self.arcs.len()
            ));
        }
        if let Some(i) = self.first_out.windows(2).position(|w| w[0] > w[1]) {
            return Err(format!("first_out decreases at node {i}"));
        }
        let n = self.num_nodes() as u32;
        if let Some(e) = self.arcs.iter().position(|a| a.head >= n) {
            return Err(format!("arc {e} has head {} >= n = {n}", self.arcs[e].head));
        }
        if let Some(e) = self.arcs.iter().position(|a| a.weight == Seconds::MAX) {
            return Err(format!("arc {e} has the UNREACHED weight"));
        }
        let mw = self.arcs.iter().map(|a| a.weight).max().unwrap_or(0);
        if mw != self.max_weight {
            return Err(format!(
                "max_weight {} but the largest weight is {mw}",
                self.max_weight
            ));
        }
        Ok(())
    }
}
