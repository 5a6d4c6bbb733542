//! The routing core: time-bounded one-to-all shortest paths over a `Csr` graph, with a
//! reusable per-thread workspace, and parallel sweeps over many origins.
//!
//! Two queues, chosen on purpose:
//! - `Queue::Bucket` (Dial's algorithm): a circular array of buckets indexed by distance modulo
//!   a power of two above the largest arc weight. Costs are small integer seconds, so every
//!   push and pop is O(1) and the scan over empty buckets is bounded by the largest distance
//!   settled. This is the default.
//! - `Queue::Heap`: a binary heap of `dist << 32 | node` with lazy deletion, the plain
//!   textbook Dijkstra, kept as the in-house baseline and used when arc weights are too large
//!   for buckets.
//!
//! Both settle nodes in order of distance; distances are exact and identical. Nodes beyond the
//! bound are never queued, so a bounded search costs what it touches. Between queries only the
//! entries the last query touched are reset (one memset when it touched most of them).
//!
//! What makes the bucket search fast (measured in BENCHMARKS.md):
//! - two bucket layouts, chosen per graph by how many nodes share a bucket (`use_slabs`): on
//!   dense graphs (road grids, transit networks: tens or thousands of nodes per distance)
//!   each bucket is a fixed slab of 64 node slots drained front to back, so the queue is a
//!   few cache lines per bucket reused from one distance to the next and the next node to
//!   settle is known ahead; on sparse ones (the Guangzhou network: hours-long arcs make 8,192
//!   buckets for 2,600 nodes) the buckets are singly linked lists threaded through one flat
//!   `pool` written front to back, heads at its front, so the queue costs in proportion to
//!   what is pushed however many buckets there are;
//! - relaxation is branch-free: the slot or entry is always written and only kept when the
//!   arc improves its head, because that test is close to a coin toss;
//! - sweeps run on a `Checked` graph, validated once and borrowed for the sweep, so the loop
//!   indexes without bounds checks and reads compact 4-byte arc records (half the memory
//!   traffic of `graph::CsrArc`) whose weight field has a fixed width (8, 12 or 16 bits), so a
//!   record decodes with two immediate operations;
//! - the loop keeps few values alive (no popped counter: `nb` empty buckets in a row end the
//!   search; the pool is sized once for every entry a search can push, so no capacity check
//!   per pop; an empty bucket is 0; unbounded sweeps do not list what they settled), so the
//!   relaxation runs from registers (callgrind on grid 250k: 20 instructions per relaxed arc
//!   instead of 31, 30 % fewer instructions per search);
//! - each pop prefetches the label and the arcs of the node the next pop will (most likely)
//!   take, which overlaps the chain of dependent loads of one settle with the previous one.

// RAPTOR (issue 13) is new: its field-level docs are still to be written.
#[allow(missing_docs)]
pub mod raptor;

use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::graph::{Csr, CsrArc};
use crate::network::ids::{EdgeId, NodeId, Seconds, UNREACHED};

/// Which priority queue a search uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Dial's bucket queue (the default): O(1) pushes and pops for small integer weights.
    Bucket,
    /// Binary heap with lazy deletion: the textbook Dijkstra, for any weights.
    Heap,
}

impl Queue {
    /// The name used in output (`bucket` or `heap`).
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Bucket => "bucket",
            Queue::Heap => "heap",
        }
    }
}

/// CsrArc weights up to this use the bucket queue; above it `Queue::Bucket` falls back to the heap
/// (the bucket array and the scan over empty buckets grow with the largest weight).
pub const MAX_BUCKET_WEIGHT: Seconds = 1 << 20;

/// Whether the bucket queue can run on `g` from `sources`: weights up to `MAX_BUCKET_WEIGHT`,
/// start offsets spread over no more than that, and pool positions (bucket heads, then at
/// most one entry per arc and source) that fit in u32.
fn bucket_fits(g: &Csr, sources: &[(NodeId, Seconds)]) -> bool {
    let nb = bucket_count(g, sources);
    g.max_weight() <= MAX_BUCKET_WEIGHT
        && nb <= 2 * MAX_BUCKET_WEIGHT as usize
        && nb + g.num_arcs() + sources.len() < u32::MAX as usize
}

/// Buckets of the circular array: a power of two above the largest arc weight plus the spread
/// of the sources' start offsets.
fn bucket_count(g: &Csr, sources: &[(NodeId, Seconds)]) -> usize {
    let lo = sources.iter().map(|s| s.1).min().unwrap_or(0);
    let hi = sources.iter().map(|s| s.1).max().unwrap_or(0);
    (g.max_weight() as usize + (hi - lo) as usize + 1).next_power_of_two()
}

/// Node slots per slab bucket before it spills into a vector: 64 holds the nodes of one
/// distance on the dense graphs measured (16 spilled often and was slower); 256 B per bucket.
const SLAB: usize = 64;

/// Whether a search on `g` uses slab buckets rather than the linked pool: when at least
/// `SLAB_DENSITY` nodes share a bucket on average. Road grids (250,000 nodes, 128 buckets) and
/// transit networks (50,000 nodes, 1,024 buckets) have many nodes at each distance and settle
/// 6–10 % faster on slabs, which they fill; the Guangzhou network (2,620 nodes, 8,192 buckets
/// for its hours-long arcs) settles 15–30 % slower on them, because the slabs of its sparse
/// buckets spread over megabytes, and keeps the pool, whose entries stay packed.
fn use_slabs(g: &Csr, nb: usize) -> bool {
    g.num_nodes() >= SLAB_DENSITY * nb
}

/// Whether a bucket search on `g` from `sources` runs on slab buckets (else on the linked
/// pool); for tests and benchmarks that must cover both.
pub fn uses_slab_buckets(g: &Csr, sources: &[(NodeId, Seconds)]) -> bool {
    bucket_fits(g, sources) && use_slabs(g, bucket_count(g, sources))
}

/// Average nodes per bucket from which slab buckets are used.
const SLAB_DENSITY: usize = 16;

/// No parent (the source, or an unreached node).
pub const NO_PARENT: u32 = u32::MAX;

/// Search state, reused across queries. Searches take `&mut self`, so each worker needs its
/// own: the sweeps give each rayon job one through `map_init` (about one per thread); it is
/// `Send` (and `Sync`, holding only plain vectors).
#[derive(Debug)]
pub struct Workspace {
    dist: Vec<Seconds>,
    parent: Vec<u32>,
    /// Whether `parent` holds entries of the last search (searches without parents skip
    /// resetting it).
    parents_set: bool,
    /// Nodes the last search reached, in the order it settled them (nondecreasing distance),
    /// when `recorded`; unbounded searches on a checked graph skip the list (they reach most
    /// of the graph, and the next reset is one memset anyway).
    touched: Vec<u32>,
    recorded: bool,
    /// Bucket queue: first the `nb` bucket heads (position of the bucket's newest entry, or
    /// `NIL`), then the entries, `next << 32 | node`: singly linked lists threaded through one
    /// flat array, written front to back, one entry per successful relaxation. A search
    /// relaxes each arc at most once, so `nb + m + sources` positions always suffice: the
    /// pool is allocated zeroed at that size (pages are mapped only as entries reach them)
    /// and kept. One array for heads and entries keeps one base pointer in a register.
    pool: Vec<u64>,
    heap: BinaryHeap<Reverse<u64>>,
    /// Slab buckets (`slab`): `nb` slabs of `SLAB` node slots, their counts, and per-bucket
    /// overflow vectors; sized for the graph's largest weight and kept for the next search.
    slab: Vec<u32>,
    cnt: Vec<u32>,
    spill: Vec<Vec<u32>>,
}

/// End of a bucket's list. Position 0 of the pool is a bucket head, never an entry, so an
/// empty bucket is zero (a test against an immediate, no constant held in a register).
const NIL: u32 = 0;

impl Workspace {
    /// A workspace for graphs of up to `n` nodes.
    pub fn new(n: usize) -> Workspace {
        Workspace {
            dist: vec![UNREACHED; n],
            parent: vec![NO_PARENT; n],
            parents_set: false,
            touched: Vec::with_capacity(n),
            recorded: true,
            pool: Vec::new(),
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            cnt: Vec::new(),
            spill: Vec::new(),
        }
    }

    /// Distance of `v` found by the last search (`UNREACHED` if beyond the bound).
    #[inline]
    pub fn dist(&self, v: NodeId) -> Seconds {
        self.dist[v.idx()]
    }

    /// All distances of the last search, indexed by node.
    pub fn distances(&self) -> &[Seconds] {
        &self.dist
    }

    /// The arc by which the last search reached `v` (searches run with parents only).
    pub fn parent(&self, v: NodeId) -> Option<EdgeId> {
        let p = self.parent[v.idx()];
        (p != NO_PARENT).then_some(EdgeId(p))
    }

    /// The nodes the last search reached, in the order it settled them; `None` after an
    /// unbounded `run_checked`, which does not keep the list (scan `distances` instead).
    pub fn reached(&self) -> Option<&[u32]> {
        self.recorded.then_some(&self.touched[..])
    }

    /// Forgets the last search in proportion to what it touched: entry by entry when it
    /// reached few nodes, one `fill` (a memset) when it reached many.
    fn reset(&mut self, n: usize) {
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
        self.parents_set = false;
        self.recorded = true;
        self.touched.clear();
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
        self.reset(g.num_nodes());
        self.parents_set = parents;
        let q = if !bucket_fits(g, sources) {
            Queue::Heap
        } else {
            queue
        };
        let arcs = g.arcs();
        match (q, parents) {
            (Queue::Bucket, true) if use_slabs(g, bucket_count(g, sources)) => {
                self.slab::<true, false, true, true, _>(g, arcs, sources, bound)
            }
            (Queue::Bucket, false) if use_slabs(g, bucket_count(g, sources)) => {
                self.slab::<false, false, true, true, _>(g, arcs, sources, bound)
            }
            (Queue::Bucket, true) => {
                self.bucket::<true, false, true, true, _>(g, arcs, sources, bound)
            }
            (Queue::Bucket, false) => {
                self.bucket::<false, false, true, true, _>(g, arcs, sources, bound)
            }
            (Queue::Heap, true) => self.heap::<true>(g, sources, bound),
            (Queue::Heap, false) => self.heap::<false>(g, sources, bound),
        }
    }

    /// `run` on a checked graph: the search loop skips bounds checks on graph indices and
    /// reads the packed arc records when the graph has them.
    pub fn run_checked(&mut self, g: &Checked<'_>, source: NodeId, bound: Seconds, queue: Queue) {
        let csr = g.csr;
        self.reset(csr.num_nodes());
        self.parents_set = false;
        let src = [(source, 0)];
        if queue == Queue::Bucket && bucket_fits(csr, &src) {
            match &g.packed {
                Some(p) => match p.wbits {
                    8 => self.bucket_on(csr, &Packed::<8>(&p.words), &src, bound),
                    12 => self.bucket_on(csr, &Packed::<12>(&p.words), &src, bound),
                    _ => self.bucket_on(csr, &Packed::<16>(&p.words), &src, bound),
                },
                None => self.bucket_on(csr, csr.arcs(), &src, bound),
            }
        } else {
            self.heap::<false>(csr, &src, bound);
        }
    }

    /// The bucket search on a checked graph, with the bound compare only when there is one.
    #[inline(always)]
    fn bucket_on<A: ArcRecords + ?Sized>(
        &mut self,
        g: &Csr,
        arcs: &A,
        sources: &[(NodeId, Seconds)],
        bound: Seconds,
    ) {
        let slabs = use_slabs(g, bucket_count(g, sources));
        match (bound == UNREACHED, slabs) {
            (true, true) => self.slab::<false, true, false, false, _>(g, arcs, sources, bound),
            (false, true) => self.slab::<false, true, true, true, _>(g, arcs, sources, bound),
            (true, false) => self.bucket::<false, true, false, false, _>(g, arcs, sources, bound),
            (false, false) => self.bucket::<false, true, true, true, _>(g, arcs, sources, bound),
        }
    }

    /// Dial's algorithm. Queued keys always lie in `[cur, cur + span]`, span covering the
    /// largest arc weight and the spread of the sources' start offsets, so `nb > span` buckets
    /// used circularly hold them without collision, and `nb` empty buckets in a row mean the
    /// queue is empty. Entries are never removed on decrease-key; a popped entry whose distance
    /// is no longer `cur` is stale and skipped.
    ///
    /// With `TRUSTED`, `g` has passed `Checked::new` (every head below `n`, offsets
    /// non-decreasing up to `arcs.len()`) and is borrowed for the whole search, so graph
    /// indices skip their bounds checks. Without `BOUNDED` the bound is `UNREACHED` and the
    /// relaxation drops its compare (a sum below the old label is below `UNREACHED` too).
    /// Without `RECORD` the settled nodes are not listed.
    ///
    /// The loop is written for the register file: few values live across the relaxation loop
    /// (labels, the pool that holds bucket heads and entries, its top, the mask, the current
    /// distance, the graph), so the relaxation runs from registers.
    fn bucket<
        const PARENTS: bool,
        const TRUSTED: bool,
        const BOUNDED: bool,
        const RECORD: bool,
        A: ArcRecords + ?Sized,
    >(
        &mut self,
        g: &Csr,
        arcs: &A,
        sources: &[(NodeId, Seconds)],
        bound: Seconds,
    ) {
        debug_assert!(BOUNDED || bound == UNREACHED);
        let nb = bucket_count(g, sources);
        let mask = nb - 1;
        // `pool[..nb]` are the bucket heads (the position of the bucket's newest entry, or
        // NIL); entries follow. Every entry is a source or a successful relaxation, and each
        // arc is relaxed at most once (from its tail, when the tail is settled).
        let need = nb + g.num_arcs() + sources.len();
        if self.pool.len() < need {
            self.pool = vec![NIL as u64; need];
        } else {
            self.pool[..nb].fill(NIL as u64);
        }
        let n = g.num_nodes();
        let dist = &mut self.dist[..n];
        let parent = &mut self.parent[..];
        // Settled nodes are written into the spare capacity of `touched` by index: a node is
        // settled at most once (when popped at its final distance, which nothing lowers
        // afterwards), so `n` slots hold them all; the count becomes the length at the end.
        let touched = &mut self.touched;
        touched.clear();
        if RECORD {
            touched.reserve(n);
        }
        let slots = touched.spare_capacity_mut();
        let mut settled = 0usize;
        let pool = &mut self.pool[..need];
        // `nd < min(old, bound + 1)` is `nd < old && nd <= bound`.
        let bound1 = bound.saturating_add(1) as u64;
        let mut top = nb;
        // The distance being settled, as u64 so that sums with a weight cannot overflow.
        let mut cur = u64::MAX;
        for &(s, d0) in sources {
            if (d0 as u64) < (dist[s.idx()] as u64).min(bound1) {
                dist[s.idx()] = d0;
                let b = d0 as usize & mask;
                pool[top] = (pool[b] << 32) | s.0 as u64;
                pool[b] = top as u64;
                top += 1;
                cur = cur.min(d0 as u64);
            }
        }
        if top == nb {
            return; // no source within the bound
        }
        let first_out = g.first_out();
        debug_assert_eq!(arcs.len(), g.num_arcs());
        // SAFETY for every `pool` access below: bucket indices are masked (`< nb`); entry
        // positions come from heads and entries, which only ever hold positions already
        // written (`< top <= need`), or are `top` itself, which stays below `need`: `top`
        // counts `nb` plus the entries kept, at most one per source and per arc.
        let pool = pool.as_mut_ptr();
        'search: loop {
            let mut bi = cur as usize & mask;
            if unsafe { *pool.add(bi) } == NIL as u64 {
                let stop = cur as usize + nb;
                loop {
                    cur += 1;
                    if cur as usize == stop {
                        break 'search; // nb empty buckets: nothing is queued
                    }
                    bi = cur as usize & mask;
                    if unsafe { *pool.add(bi) } != NIL as u64 {
                        break;
                    }
                }
            }
            let e0 = unsafe { *pool.add(bi) } as usize;
            debug_assert!(e0 < need);
            let entry = unsafe { *pool.add(e0) };
            let next = entry >> 32;
            unsafe { *pool.add(bi) = next };
            // Queued nodes are sources (checked above) or arc heads.
            let v = entry as u32 as usize;
            // The next pop is most likely the entry now at the head of this bucket: start
            // loading its node's offsets and label while this node's arcs are relaxed, which
            // shortens the chain of dependent loads (entry → node → offsets → arcs) per pop.
            if next != NIL as u64 {
                let nv = unsafe { *pool.add(next as usize) } as u32 as usize;
                prefetch(dist.as_ptr().wrapping_add(nv));
                arcs.prefetch(at::<TRUSTED, _>(first_out, nv) as usize);
            }
            if at::<TRUSTED, _>(dist, v) as u64 != cur {
                continue; // stale: v was reached more cheaply since
            }
            if RECORD {
                slots[settled].write(v as u32);
                settled += 1;
            }
            let a = at::<TRUSTED, _>(first_out, v) as usize;
            let b = at::<TRUSTED, _>(first_out, v + 1) as usize;
            debug_assert!(a <= b && b <= arcs.len());
            for (i, &rec) in arcs.records::<TRUSTED>(a, b).iter().enumerate() {
                // Branch-free relaxation: the entry is always written and only kept (by
                // advancing `top` and the bucket head) when the arc improves the head;
                // whether it does is close to a coin toss, which a branch would
                // mispredict. In u64 the sum cannot overflow, and `better` implies it
                // fits in u32.
                let (head, weight) = A::decode(arcs, rec);
                let h = head as usize;
                let nd = cur + weight as u64;
                let better = relax::<PARENTS, TRUSTED, BOUNDED>(dist, parent, h, nd, bound1, a + i);
                let bk = nd as usize & mask;
                let hd = unsafe { *pool.add(bk) };
                debug_assert!(top < need);
                let kept = if better { top as u64 } else { hd };
                unsafe { *pool.add(bk) = kept };
                unsafe { pool.add(top).write((hd << 32) | h as u64) };
                top += better as usize;
            }
        }
        if RECORD {
            // SAFETY: `slots[..settled]` were all written above; `slots` was the spare
            // capacity of the (empty) `touched`.
            unsafe { touched.set_len(settled) };
        }
        self.recorded = RECORD;
    }

    /// Dial's algorithm like `bucket`, for graphs with many nodes per bucket (`use_slabs`).
    ///
    /// Each bucket is a fixed slab of `SLAB` node slots, `slab[b * SLAB..][..cnt[b]]`, and
    /// overflows into its own `spill[b]` vector. A bucket is drained front to back, so the
    /// next nodes to settle are known ahead and their labels and arcs are prefetched one node
    /// ahead; the whole queue is a few cache lines per bucket, reused from one distance to the
    /// next, instead of a stream of new entries.
    ///
    /// With `TRUSTED`, `g` has passed `Checked::new` (every head below `n`, offsets
    /// non-decreasing up to `arcs.len()`) and is borrowed for the whole search, so graph
    /// indices skip their bounds checks. Without `BOUNDED` the bound is `UNREACHED` and the
    /// relaxation drops its compare (a sum below the old label is below `UNREACHED` too).
    /// Without `RECORD` the settled nodes are not listed.
    fn slab<
        const PARENTS: bool,
        const TRUSTED: bool,
        const BOUNDED: bool,
        const RECORD: bool,
        A: ArcRecords + ?Sized,
    >(
        &mut self,
        g: &Csr,
        arcs: &A,
        sources: &[(NodeId, Seconds)],
        bound: Seconds,
    ) {
        debug_assert!(BOUNDED || bound == UNREACHED);
        let nb = bucket_count(g, sources);
        let mask = nb - 1;
        if self.slab.len() < nb * SLAB {
            self.slab = vec![0; nb * SLAB];
        }
        self.cnt.clear();
        self.cnt.resize(nb, 0);
        if self.spill.len() < nb {
            self.spill.resize_with(nb, Vec::new);
        }
        let n = g.num_nodes();
        let dist = &mut self.dist[..n];
        let parent = &mut self.parent[..];
        // Settled nodes are written into the spare capacity of `touched` by index: a node is
        // settled at most once (when popped at its final distance, which nothing lowers
        // afterwards), so `n` slots hold them all; the count becomes the length at the end.
        let touched = &mut self.touched;
        touched.clear();
        if RECORD {
            touched.reserve(n);
        }
        let slots = touched.spare_capacity_mut();
        let mut settled = 0usize;
        let slab = &mut self.slab[..nb * SLAB];
        let cnt = &mut self.cnt[..nb];
        let spill = &mut self.spill[..nb];
        // Nodes in spill vectors, so that the scan for a non-empty bucket looks at them only
        // when there are some.
        let mut spilled = 0usize;
        // `nd < min(old, bound + 1)` is `nd < old && nd <= bound`.
        let bound1 = bound.saturating_add(1) as u64;
        // The distance being settled, as u64 so that sums with a weight cannot overflow.
        let mut cur = u64::MAX;
        for &(s, d0) in sources {
            if (d0 as u64) < (dist[s.idx()] as u64).min(bound1) {
                dist[s.idx()] = d0;
                let b = d0 as usize & mask;
                if (cnt[b] as usize) < SLAB {
                    slab[b * SLAB + cnt[b] as usize] = s.0;
                    cnt[b] += 1;
                } else {
                    spill[b].push(s.0);
                    spilled += 1;
                }
                cur = cur.min(d0 as u64);
            }
        }
        if cur == u64::MAX {
            return; // no source within the bound
        }
        let first_out = g.first_out();
        debug_assert_eq!(arcs.len(), g.num_arcs());
        // SAFETY for every access through `sp` and `cp` below: bucket indices are masked
        // (`< nb`, the length of `cnt`), counts never exceed `SLAB` (a slot is written only
        // when the count is below it), so `b * SLAB + c` with `c < SLAB` is below `nb * SLAB`,
        // the length of `slab`.
        let sp = slab.as_mut_ptr();
        let cp = cnt.as_mut_ptr();
        let empty = |b: usize, spill: &[Vec<u32>], spilled: usize| {
            (unsafe { *cp.add(b) }) == 0 && (spilled == 0 || spill[b].is_empty())
        };
        'search: loop {
            let mut bi = cur as usize & mask;
            if empty(bi, spill, spilled) {
                let stop = cur as usize + nb;
                loop {
                    cur += 1;
                    if cur as usize == stop {
                        break 'search; // nb empty buckets: nothing is queued
                    }
                    bi = cur as usize & mask;
                    if !empty(bi, spill, spilled) {
                        break;
                    }
                }
            }
            // Drain bucket `bi`. Arcs of weight 0 add to it while it drains, so its count is
            // read again at every step.
            let base = bi * SLAB;
            let mut j = 0usize;
            loop {
                let v = if j < unsafe { *cp.add(bi) } as usize {
                    let v = unsafe { *sp.add(base + j) } as usize;
                    j += 1;
                    // Start loading the label and the arcs of the next node of the bucket
                    // while this one's arcs are relaxed.
                    if j < unsafe { *cp.add(bi) } as usize {
                        let nv = unsafe { *sp.add(base + j) } as usize;
                        prefetch(dist.as_ptr().wrapping_add(nv));
                        arcs.prefetch(at::<TRUSTED, _>(first_out, nv) as usize);
                    }
                    v
                } else if let Some(v) = spill[bi].pop() {
                    spilled -= 1;
                    v as usize
                } else {
                    break;
                };
                // Queued nodes are sources (checked above) or arc heads.
                if at::<TRUSTED, _>(dist, v) as u64 != cur {
                    continue; // stale: v was reached more cheaply since
                }
                if RECORD {
                    slots[settled].write(v as u32);
                    settled += 1;
                }
                let a = at::<TRUSTED, _>(first_out, v) as usize;
                let b = at::<TRUSTED, _>(first_out, v + 1) as usize;
                debug_assert!(a <= b && b <= arcs.len());
                for (i, &rec) in arcs.records::<TRUSTED>(a, b).iter().enumerate() {
                    // Branch-free relaxation: the slot is always written and only kept (by
                    // advancing the count) when the arc improves the head; whether it does
                    // is close to a coin toss, which a branch would mispredict. In u64 the
                    // sum cannot overflow, and `better` implies it fits in u32.
                    let (head, weight) = A::decode(arcs, rec);
                    let h = head as usize;
                    let nd = cur + weight as u64;
                    let better =
                        relax::<PARENTS, TRUSTED, BOUNDED>(dist, parent, h, nd, bound1, a + i);
                    let bk = nd as usize & mask;
                    let c = unsafe { *cp.add(bk) } as usize;
                    if c < SLAB {
                        unsafe { *sp.add(bk * SLAB + c) = h as u32 };
                        unsafe { *cp.add(bk) = (c + better as usize) as u32 };
                    } else if better {
                        spill[bk].push(h as u32); // full slab: rare, predictable
                        spilled += 1;
                    }
                }
            }
            unsafe { *cp.add(bi) = 0 };
        }
        if RECORD {
            // SAFETY: `slots[..settled]` were all written above; `slots` was the spare
            // capacity of the (empty) `touched`.
            unsafe { touched.set_len(settled) };
        }
        self.recorded = RECORD;
    }

    /// The plain textbook Dijkstra: binary heap of `dist << 32 | node`, lazy deletion.
    fn heap<const PARENTS: bool>(
        &mut self,
        g: &Csr,
        sources: &[(NodeId, Seconds)],
        bound: Seconds,
    ) {
        let dist = &mut self.dist[..];
        let parent = &mut self.parent[..];
        let touched = &mut self.touched;
        let heap = &mut self.heap;
        heap.clear();
        for &(s, d0) in sources {
            if d0 <= bound && d0 < dist[s.idx()] {
                dist[s.idx()] = d0;
                heap.push(Reverse(((d0 as u64) << 32) | s.0 as u64));
            }
        }
        while let Some(Reverse(key)) = heap.pop() {
            let d = (key >> 32) as Seconds;
            let v = key as u32 as usize;
            if d != dist[v] {
                continue;
            }
            touched.push(v as u32);
            let (a, b) = (g.first_out()[v] as usize, g.first_out()[v + 1] as usize);
            for (e, arc) in g.arcs()[a..b].iter().enumerate() {
                let nd = d.saturating_add(arc.weight);
                let h = arc.head as usize;
                if nd < dist[h] && nd <= bound {
                    dist[h] = nd;
                    if PARENTS {
                        parent[h] = (a + e) as u32;
                    }
                    heap.push(Reverse(((nd as u64) << 32) | arc.head as u64));
                }
            }
        }
    }
}

/// A `Csr` borrowed after checking that every arc head is a node and that `first_out` is
/// non-decreasing from 0 to `arcs.len()` (O(n + m), once per sweep). The borrow keeps the graph
/// unchanged while the token lives, so searches on it may index without bounds checks.
///
/// It also holds the arcs as compact 4-byte records, `head << W | weight` with a weight field
/// of W = 8, 12 or 16 bits, when node ids and weights fit (road grids of up to 16 M nodes with
/// weights below 256 s; transit networks of up to 1 M nodes with weights below 4096 s; up to
/// 65,536 nodes with weights below 65,536 s): half the memory traffic per settled node, and
/// with W a constant the search decodes a record with two immediate operations.
#[derive(Clone, Debug)]
pub struct Checked<'a> {
    csr: &'a Csr,
    packed: Option<PackedArcs>,
}

impl<'a> Checked<'a> {
    /// `None` if `g` breaks the CSR invariant (`Csr::check` names the broken rule).
    pub fn new(g: &'a Csr) -> Option<Checked<'a>> {
        let n = g.num_nodes();
        let fo = g.first_out();
        let ok = !fo.is_empty()
            && fo[0] == 0
            && fo[n] as usize == g.arcs().len()
            && fo.windows(2).all(|w| w[0] <= w[1])
            && g.arcs().iter().fold(0u32, |m, a| m.max(a.head)) < n as u32
            && g.arcs().iter().all(|a| a.weight <= g.max_weight());
        ok.then(|| Checked {
            csr: g,
            packed: PackedArcs::new(g),
        })
    }

    /// Bytes per arc of the records the bucket search reads.
    pub fn arc_bytes(&self) -> usize {
        if self.packed.is_some() {
            4
        } else {
            std::mem::size_of::<CsrArc>()
        }
    }

    /// Bits of the weight field of the compact records (`None`: the search reads `CsrArc`s).
    pub fn weight_bits(&self) -> Option<u32> {
        self.packed.as_ref().map(|p| p.wbits)
    }
}

/// Arcs as `u32` records, `head << wbits | weight`.
#[derive(Clone, Debug)]
pub struct PackedArcs {
    words: Vec<u32>,
    /// 8, 12 or 16: each is its own instance of the search, with the field width a constant.
    wbits: u32,
}

impl PackedArcs {
    /// `None` unless node ids and weights fit one of the layouts.
    fn new(g: &Csr) -> Option<PackedArcs> {
        let bits = |x: u64| 64 - x.leading_zeros();
        let (hbits, wb) = (
            bits(g.num_nodes().saturating_sub(1) as u64),
            bits(g.max_weight() as u64),
        );
        let wbits = [8, 12, 16]
            .into_iter()
            .find(|&w| wb <= w && hbits <= 32 - w)?;
        let words = g
            .arcs()
            .iter()
            .map(|a| (a.head << wbits) | a.weight)
            .collect();
        Some(PackedArcs { words, wbits })
    }
}

/// The records of a `PackedArcs` with a `W`-bit weight field.
struct Packed<'a, const W: u32>(&'a [u32]);

/// The arc records a search reads: `(head, weight)` of each record.
trait ArcRecords {
    type Rec: Copy;
    fn len(&self) -> usize;
    /// Records `a..b`, without bounds check when `TRUSTED` (`a <= b <= first_out[n] = len`,
    /// see `Checked`).
    fn records<const TRUSTED: bool>(&self, a: usize, b: usize) -> &[Self::Rec];
    fn decode(&self, r: Self::Rec) -> (u32, Seconds);
    fn prefetch(&self, e: usize);
}

/// `&s[a..b]`, without the bounds check when `TRUSTED`.
#[inline(always)]
fn range<const TRUSTED: bool, T>(s: &[T], a: usize, b: usize) -> &[T] {
    if TRUSTED {
        debug_assert!(a <= b && b <= s.len());
        // SAFETY: see `Checked`: `first_out` is non-decreasing up to `arcs.len()`.
        unsafe { s.get_unchecked(a..b) }
    } else {
        &s[a..b]
    }
}

impl ArcRecords for [CsrArc] {
    type Rec = CsrArc;
    #[inline(always)]
    fn len(&self) -> usize {
        <[CsrArc]>::len(self)
    }
    #[inline(always)]
    fn records<const TRUSTED: bool>(&self, a: usize, b: usize) -> &[CsrArc] {
        range::<TRUSTED, _>(self, a, b)
    }
    #[inline(always)]
    fn decode(&self, r: CsrArc) -> (u32, Seconds) {
        (r.head, r.weight)
    }
    #[inline(always)]
    fn prefetch(&self, e: usize) {
        prefetch(self.as_ptr().wrapping_add(e));
    }
}

impl<const W: u32> ArcRecords for Packed<'_, W> {
    type Rec = u32;
    #[inline(always)]
    fn len(&self) -> usize {
        self.0.len()
    }
    #[inline(always)]
    fn records<const TRUSTED: bool>(&self, a: usize, b: usize) -> &[u32] {
        range::<TRUSTED, _>(self.0, a, b)
    }
    #[inline(always)]
    fn decode(&self, r: u32) -> (u32, Seconds) {
        (r >> W, r & ((1 << W) - 1))
    }
    #[inline(always)]
    fn prefetch(&self, e: usize) {
        prefetch(self.0.as_ptr().wrapping_add(e));
    }
}

/// Hints the CPU to load the cache line of `p` (never faults, whatever the address).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch has no architectural effect and does not fault.
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p as *const i8)
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Offers label `nd` to node `h` by arc `e`, branch-free: the label is always written (the
/// old one when `nd` is no better) and whether it improved is returned, for the caller to keep
/// or drop its queue entry without a branch. Under `BOUNDED`, labels above the bound
/// (`bound1 - 1`) are no improvement. In u64 the sum `nd` cannot overflow, and an improvement
/// fits in u32.
#[inline(always)]
fn relax<const PARENTS: bool, const TRUSTED: bool, const BOUNDED: bool>(
    dist: &mut [Seconds],
    parent: &mut [u32],
    h: usize,
    nd: u64,
    bound1: u64,
    e: usize,
) -> bool {
    let old = at::<TRUSTED, _>(dist, h);
    let better = if BOUNDED {
        nd < (old as u64).min(bound1)
    } else {
        nd < old as u64
    };
    set::<TRUSTED, _>(dist, h, if better { nd as Seconds } else { old });
    if PARENTS && better {
        parent[h] = e as u32;
    }
    better
}

/// `s[i]`, without the bounds check when `TRUSTED` (the caller holds a `Checked` graph).
#[inline(always)]
fn at<const TRUSTED: bool, T: Copy>(s: &[T], i: usize) -> T {
    if TRUSTED {
        debug_assert!(i < s.len());
        // SAFETY: see `Checked`: `i` is a node below `n` (dist, first_out) or an arc position
        // below `first_out[n] = arcs.len()`.
        unsafe { *s.get_unchecked(i) }
    } else {
        s[i]
    }
}

/// `s[i] = x`, like `at`.
#[inline(always)]
fn set<const TRUSTED: bool, T>(s: &mut [T], i: usize, x: T) {
    if TRUSTED {
        debug_assert!(i < s.len());
        // SAFETY: as in `at`.
        unsafe { *s.get_unchecked_mut(i) = x }
    } else {
        s[i] = x
    }
}

/// One search from `o` for a sweep: checked graph when it passed the check.
fn sweep_run(
    ws: &mut Workspace,
    g: &Csr,
    checked: Option<&Checked<'_>>,
    o: NodeId,
    bound: Seconds,
    queue: Queue,
) {
    match checked {
        Some(c) => ws.run_checked(c, o, bound, queue),
        None => ws.run(g, o, bound, queue, false),
    }
}

/// Runs `f` on a rayon pool of `threads` threads (`None`: rayon's default pool).
pub fn with_threads<R: Send>(threads: Option<usize>, f: impl FnOnce() -> R + Send) -> R {
    match threads {
        None => f(),
        Some(t) => match rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build()
        {
            Ok(pool) => pool.install(f),
            Err(_) => f(),
        },
    }
}

/// One-to-all searches from every origin, in parallel, keeping the distances to `targets`.
/// Row `i` belongs to `origins[i]` whatever the number of threads, so the result is identical
/// for 1 and N threads.
pub fn sweep(
    g: &Csr,
    origins: &[NodeId],
    targets: &[NodeId],
    bound: Seconds,
    queue: Queue,
) -> Vec<Vec<Seconds>> {
    let checked = Checked::new(g);
    let checked = checked.as_ref();
    origins
        .par_iter()
        .map_init(
            || Workspace::new(g.num_nodes()),
            |ws, &o| {
                sweep_run(ws, g, checked, o, bound, queue);
                targets.iter().map(|&t| ws.dist(t)).collect()
            },
        )
        .collect()
}

/// Like `sweep`, calling `f` with each origin's finished workspace instead of collecting
/// target rows (for callers that need whole distance arrays).
pub fn sweep_with<T: Send>(
    g: &Csr,
    origins: &[NodeId],
    bound: Seconds,
    queue: Queue,
    f: impl Fn(usize, &Workspace) -> T + Sync + Send,
) -> Vec<T> {
    let checked = Checked::new(g);
    let checked = checked.as_ref();
    origins
        .par_iter()
        .enumerate()
        .map_init(
            || Workspace::new(g.num_nodes()),
            |ws, (i, &o)| {
                sweep_run(ws, g, checked, o, bound, queue);
                f(i, ws)
            },
        )
        .collect()
}

/// `sweep_with` on a graph checked (and packed) beforehand, for callers that sweep the same
/// graph many times or time the sweep apart from that O(n + m) preparation.
pub fn sweep_with_checked<T: Send>(
    g: &Checked<'_>,
    origins: &[NodeId],
    bound: Seconds,
    queue: Queue,
    f: impl Fn(usize, &Workspace) -> T + Sync + Send,
) -> Vec<T> {
    origins
        .par_iter()
        .enumerate()
        .map_init(
            || Workspace::new(g.csr.num_nodes()),
            |ws, (i, &o)| {
                ws.run_checked(g, o, bound, queue);
                f(i, ws)
            },
        )
        .collect()
}
