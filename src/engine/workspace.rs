//! The per-thread search state and the choice of search for each query: which queue, which
//! view of the graph, and which checks the loop keeps.

use super::labels::Labels;
use super::queue::Queue;
use super::queue::{bucket_count, bucket_fits, use_slabs, Queues, SearchQueue};
use super::search::search;
use super::unchecked::{scope, Checked, Format, Graph, Wide};
use crate::graph::Csr;
use crate::network::ids::{EdgeId, NodeId, Seconds, UNREACHED};

/// Search state, reused across queries. Searches take `&mut self`, so each worker needs its
/// own: the sweeps give each rayon job one through `map_init` (about one per thread); it is
/// `Send` (and `Sync`, holding only plain vectors).
#[derive(Debug)]
pub struct Workspace {
    labels: Labels,
    queues: Queues,
}

/// The queue a search runs on.
#[derive(Clone, Copy)]
enum Kind {
    /// Linked buckets, `nb` of them.
    Linked(usize),
    /// Slab buckets, `nb` of them.
    Slabs(usize),
    Heap,
}

impl Kind {
    /// The queue for a search on `g` from `sources`: the bucket queue asked for runs on slabs
    /// or the linked pool by the graph's density, and falls back to the heap when weights or
    /// offsets are too large for buckets.
    fn of(g: &Csr, sources: &[(NodeId, Seconds)], queue: Queue) -> Kind {
        if queue == Queue::Heap || !bucket_fits(g, sources) {
            return Kind::Heap;
        }
        let nb = bucket_count(g, sources);
        if use_slabs(g, nb) {
            Kind::Slabs(nb)
        } else {
            Kind::Linked(nb)
        }
    }
}

impl Workspace {
    /// A workspace for graphs of up to `n` nodes.
    pub fn new(n: usize) -> Workspace {
        Workspace {
            labels: Labels::new(n),
            queues: Queues::default(),
        }
    }

    /// Distance of `v` found by the last search (`UNREACHED` if beyond the bound).
    #[inline]
    pub fn dist(&self, v: NodeId) -> Seconds {
        self.labels.dist(v)
    }

    /// All distances of the last search, indexed by node.
    pub fn distances(&self) -> &[Seconds] {
        self.labels.distances()
    }

    /// The arc by which the last search reached `v` (searches run with parents only).
    pub fn parent(&self, v: NodeId) -> Option<EdgeId> {
        self.labels.parent(v)
    }

    /// The nodes the last search reached, in the order it settled them; `None` after an
    /// unbounded `run_checked`, which does not keep the list (scan `distances` instead).
    pub fn reached(&self) -> Option<&[u32]> {
        self.labels.reached()
    }

    /// One-to-all shortest paths from `source`, settling nodes up to `bound` seconds
    /// (`UNREACHED` for no bound). With `parents`, records the arc reaching each node.
    pub fn run(&mut self, g: &Csr, source: NodeId, bound: Seconds, queue: Queue, parents: bool) {
        self.run_multi(g, &[(source, 0)], bound, queue, parents)
    }

    /// Like `run`, from several sources each with a start offset.
    pub fn run_multi(
        &mut self,
        g: &Csr,
        sources: &[(NodeId, Seconds)],
        bound: Seconds,
        queue: Queue,
        parents: bool,
    ) {
        self.labels.start(g.num_nodes(), parents);
        let kind = Kind::of(g, sources, queue);
        scope(|brand| {
            let view = Graph::<Wide, false>::unverified(brand, g.first_out(), g.arcs());
            if parents {
                self.on::<Wide, false, true, true, true>(&view, kind, sources, bound)
            } else {
                self.on::<Wide, false, false, true, true>(&view, kind, sources, bound)
            }
        })
    }

    /// `run` on a checked graph: the search loop skips bounds checks on graph indices and
    /// reads the packed arc records when the graph has them; unbounded searches do not list
    /// the nodes they settle.
    pub fn run_checked(&mut self, g: &Checked<'_>, source: NodeId, bound: Seconds, queue: Queue) {
        let csr = g.csr();
        self.labels.start(csr.num_nodes(), false);
        let src = [(source, 0)];
        let (nb, slabs) = match Kind::of(csr, &src, queue) {
            Kind::Linked(nb) => (nb, false),
            Kind::Slabs(nb) => (nb, true),
            Kind::Heap => {
                return scope(|brand| {
                    let view = Graph::<Wide, false>::unverified(brand, csr.first_out(), csr.arcs());
                    self.on::<Wide, false, false, true, true>(&view, Kind::Heap, &src, bound)
                })
            }
        };
        if bound == UNREACHED {
            self.verified::<false, false>(g, nb, slabs, &src, bound)
        } else {
            self.verified::<true, true>(g, nb, slabs, &src, bound)
        }
    }

    /// A bucket search on the verified view of `g` that reads its compact records when it has
    /// them.
    fn verified<const BOUNDED: bool, const RECORD: bool>(
        &mut self,
        g: &Checked<'_>,
        nb: usize,
        slabs: bool,
        sources: &[(NodeId, Seconds)],
        bound: Seconds,
    ) {
        debug_assert!(BOUNDED || bound == UNREACHED);
        const WIDTH: &str = "Checked::weight_bits names the records' width";
        scope(|brand| match g.weight_bits() {
            Some(8) => {
                let view = g.packed::<8>(brand).expect(WIDTH);
                self.buckets::<_, true, false, BOUNDED, RECORD>(&view, nb, slabs, sources, bound)
            }
            Some(12) => {
                let view = g.packed::<12>(brand).expect(WIDTH);
                self.buckets::<_, true, false, BOUNDED, RECORD>(&view, nb, slabs, sources, bound)
            }
            Some(_) => {
                let view = g.packed::<16>(brand).expect(WIDTH);
                self.buckets::<_, true, false, BOUNDED, RECORD>(&view, nb, slabs, sources, bound)
            }
            None => {
                let view = g.wide(brand);
                self.buckets::<_, true, false, BOUNDED, RECORD>(&view, nb, slabs, sources, bound)
            }
        })
    }

    /// A search on `g` with the queue of `kind`.
    fn on<
        F: Format,
        const T: bool,
        const PARENTS: bool,
        const BOUNDED: bool,
        const RECORD: bool,
    >(
        &mut self,
        g: &Graph<'_, '_, F, T>,
        kind: Kind,
        sources: &[(NodeId, Seconds)],
        bound: Seconds,
    ) {
        match kind {
            Kind::Heap => {
                let mut q = self.queues.heap();
                with_labels::<_, _, T, PARENTS, BOUNDED, RECORD>(
                    &mut self.labels,
                    g,
                    &mut q,
                    sources,
                    bound,
                )
            }
            Kind::Linked(nb) => {
                self.buckets::<F, T, PARENTS, BOUNDED, RECORD>(g, nb, false, sources, bound)
            }
            Kind::Slabs(nb) => {
                self.buckets::<F, T, PARENTS, BOUNDED, RECORD>(g, nb, true, sources, bound)
            }
        }
    }

    /// A bucket search on `g` with `nb` buckets, on slabs or linked.
    fn buckets<
        F: Format,
        const T: bool,
        const PARENTS: bool,
        const BOUNDED: bool,
        const RECORD: bool,
    >(
        &mut self,
        g: &Graph<'_, '_, F, T>,
        nb: usize,
        slabs: bool,
        sources: &[(NodeId, Seconds)],
        bound: Seconds,
    ) {
        let labels = &mut self.labels;
        if slabs {
            let mut q = self.queues.slabs(nb);
            with_labels::<_, _, T, PARENTS, BOUNDED, RECORD>(labels, g, &mut q, sources, bound)
        } else {
            // Every entry is a source or a successful relaxation, and each arc is relaxed at
            // most once (from its tail, when the tail is settled).
            let mut q = self.queues.linked(nb, g.m() + sources.len());
            with_labels::<_, _, T, PARENTS, BOUNDED, RECORD>(labels, g, &mut q, sources, bound)
        }
    }
}

/// Runs `search` on `labels` (started for this search) with queue `q`, and finishes them.
fn with_labels<
    'id,
    Q: SearchQueue<'id>,
    F: Format,
    const T: bool,
    const PARENTS: bool,
    const BOUNDED: bool,
    const RECORD: bool,
>(
    labels: &mut Labels,
    g: &Graph<'id, '_, F, T>,
    q: &mut Q,
    sources: &[(NodeId, Seconds)],
    bound: Seconds,
) {
    let mut settled = labels.settled(g.n(), RECORD);
    let mut dist = g.map(&mut labels.dist[..]);
    let mut parent = g.map(&mut labels.parent[..]);
    search::<Q, F, T, PARENTS, BOUNDED, RECORD>(
        g,
        &mut dist,
        &mut parent,
        &mut settled,
        q,
        sources,
        bound,
    );
    labels.finish(settled, RECORD);
}

#[cfg(test)]
mod tests {
    //! Every kind of search on small graphs against Bellman–Ford: small enough for Miri
    //! (`cargo +nightly miri test --lib engine::`), which checks the unchecked accesses too.
    use super::*;
    use crate::engine::queue::uses_slab_buckets;

    /// Distances by Bellman–Ford.
    fn reference(n: usize, arcs: &[(u32, u32, Seconds)], s: &[(NodeId, Seconds)]) -> Vec<u64> {
        let mut d = vec![u64::MAX; n];
        for &(v, d0) in s {
            d[v.idx()] = d[v.idx()].min(d0 as u64);
        }
        for _ in 0..n {
            for &(a, b, w) in arcs {
                if d[a as usize] != u64::MAX {
                    d[b as usize] = d[b as usize].min(d[a as usize] + w as u64);
                }
            }
        }
        d
    }

    fn lcg(x: &mut u64) -> u64 {
        *x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *x >> 33
    }

    #[test]
    fn every_search_matches_bellman_ford() {
        let mut x = 7;
        let mut ws = Workspace::new(0);
        // (nodes, max weight): linked buckets, slabs (with spills: a hub reaches 150 nodes at
        // one distance), packed records of 8 and 16 bits, wide records, and the heap fallback.
        let cases: &[(u32, Seconds)] = if cfg!(miri) {
            &[
                (40, 900),
                (100, 1),
                (40, 60_000),
                (20, 70_000),
                (10, 5_000_000),
            ]
        } else {
            &[
                (40, 900),
                (300, 1),
                (200, 60_000),
                (60, 70_000),
                (30, 5_000_000),
            ]
        };
        for &(n, max_w) in cases {
            let mut arcs: Vec<(u32, u32, Seconds)> = (0..3 * n)
                .map(|_| {
                    let w = lcg(&mut x) % (max_w as u64 + 1);
                    let w = if w % 7 == 0 { 0 } else { w };
                    (lcg(&mut x) as u32 % n, lcg(&mut x) as u32 % n, w as Seconds)
                })
                .collect();
            arcs.extend((1..n.min(151)).map(|v| (0, v, 1))); // a crowded bucket
            let (g, _) = Csr::from_arcs(n as usize, &arcs);
            let checked = Checked::new(&g).unwrap();
            for (s, bound) in [(0, UNREACHED), (3, UNREACHED), (0, max_w), (n - 1, 2)] {
                let src = [(NodeId(s), 0)];
                let want: Vec<Seconds> = reference(n as usize, &arcs, &src)
                    .into_iter()
                    .map(|d| {
                        if d <= bound as u64 {
                            d as Seconds
                        } else {
                            UNREACHED
                        }
                    })
                    .collect();
                for q in [Queue::Bucket, Queue::Heap] {
                    let ctx = format!("n {n} max {max_w} s {s} bound {bound} {q:?}");
                    for parents in [false, true] {
                        ws.run(&g, NodeId(s), bound, q, parents);
                        assert_eq!(&ws.distances()[..n as usize], want, "{ctx}");
                        let reached = ws.reached().unwrap();
                        assert_eq!(
                            reached.len(),
                            want.iter().filter(|&&d| d != UNREACHED).count()
                        );
                        if parents {
                            for v in 0..n {
                                if let Some(e) = ws.parent(NodeId(v)) {
                                    let a = g.arcs()[e.idx()];
                                    assert_eq!(a.head, v);
                                    assert_eq!(ws.dist(g.tail(e)) + a.weight, want[v as usize]);
                                }
                            }
                        }
                    }
                    ws.run_checked(&checked, NodeId(s), bound, q);
                    assert_eq!(&ws.distances()[..n as usize], want, "{ctx} checked");
                }
                let multi = [(NodeId(s), 5), (NodeId(n / 2), 0)];
                ws.run_multi(&g, &multi, bound, Queue::Bucket, true);
                let want: Vec<Seconds> = reference(n as usize, &arcs, &multi)
                    .into_iter()
                    .map(|d| {
                        if d <= bound as u64 {
                            d as Seconds
                        } else {
                            UNREACHED
                        }
                    })
                    .collect();
                assert_eq!(&ws.distances()[..n as usize], want, "multi {n} {max_w}");
            }
            let _ = uses_slab_buckets(&g, &[(NodeId(0), 0)]);
        }
    }

    #[test]
    fn the_graphs_above_cover_every_layout() {
        let g = |n: usize, w| Csr::from_arcs(n, &[(0, 1, w)]).0;
        let src = [(NodeId(0), 0)];
        for n in [300, 100] {
            assert!(uses_slab_buckets(&g(n, 1), &src));
            assert_eq!(Checked::new(&g(n, 1)).unwrap().weight_bits(), Some(8));
        }
        assert!(!uses_slab_buckets(&g(40, 900), &src));
        assert_eq!(Checked::new(&g(40, 900)).unwrap().weight_bits(), Some(12));
        for n in [200, 40] {
            assert_eq!(Checked::new(&g(n, 60_000)).unwrap().weight_bits(), Some(16));
        }
        for n in [60, 20] {
            assert_eq!(Checked::new(&g(n, 70_000)).unwrap().weight_bits(), None);
        }
        for n in [30, 10] {
            assert!(!bucket_fits(&g(n, 5_000_000), &src));
        }
    }

    #[test]
    #[should_panic(expected = "not a node")]
    fn a_source_outside_the_graph_panics() {
        let (g, _) = Csr::from_arcs(3, &[(0, 1, 1)]);
        Workspace::new(3).run(&g, NodeId(3), UNREACHED, Queue::Bucket, false);
    }
}
