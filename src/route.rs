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
//! - the buckets are singly linked lists threaded through one flat `pool` written front to
//!   back, so a push is two stores into memory that is already in cache;
//! - relaxation is branch-free: the entry is always written and only kept when the arc
//!   improves its head, because that test is close to a coin toss;
//! - sweeps run on a `Checked` graph, validated once and borrowed for the sweep, so the loop
//!   indexes without bounds checks and reads compact 4-byte arc records (half the memory
//!   traffic of `graph::Arc`) when node ids and weights fit in 32 bits;
//! - each pop prefetches the label and the arcs of the node the next pop will most likely
//!   take, which overlaps the chain of dependent loads of one settle with the previous one.

use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::graph::{Arc, Csr};
use crate::ids::{EdgeId, NodeId, Seconds, UNREACHED};

/// Which priority queue a search uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Queue {
    Bucket,
    Heap,
}

impl Queue {
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Bucket => "bucket",
            Queue::Heap => "heap",
        }
    }
}

/// Arc weights up to this use the bucket queue; above it `Queue::Bucket` falls back to the heap
/// (the bucket array and the scan over empty buckets grow with the largest weight).
pub const MAX_BUCKET_WEIGHT: Seconds = 1 << 20;

/// No parent (the source, or an unreached node).
pub const NO_PARENT: u32 = u32::MAX;

/// Per-thread search state, reused across queries. Not `Sync`: one per thread.
#[derive(Debug)]
pub struct Workspace {
    dist: Vec<Seconds>,
    parent: Vec<u32>,
    /// Whether `parent` holds entries of the last search (searches without parents skip
    /// resetting it).
    parents_set: bool,
    /// Nodes the last search reached, in the order it settled them (nondecreasing distance).
    touched: Vec<u32>,
    /// Bucket queue: `heads[d & mask]` is the newest entry of that bucket in `pool`, or `NIL`.
    heads: Vec<u32>,
    /// Bucket entries, `next << 32 | node`: singly linked lists threaded through one flat
    /// array, written front to back, one entry per successful relaxation. It grows before a
    /// node's arcs are relaxed when they might not fit, and keeps its size for the next search.
    pool: Vec<u64>,
    heap: BinaryHeap<Reverse<u64>>,
}

/// End of a bucket's list.
const NIL: u32 = u32::MAX;

impl Workspace {
    /// A workspace for graphs of up to `n` nodes.
    pub fn new(n: usize) -> Workspace {
        Workspace {
            dist: vec![UNREACHED; n],
            parent: vec![NO_PARENT; n],
            parents_set: false,
            touched: Vec::with_capacity(n),
            heads: Vec::new(),
            pool: Vec::new(),
            heap: BinaryHeap::new(),
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

    /// The nodes the last search reached, in the order it settled them.
    pub fn reached(&self) -> &[u32] {
        &self.touched
    }

    /// Forgets the last search in proportion to what it touched: entry by entry when it
    /// reached few nodes, one `fill` (a memset) when it reached many.
    fn reset(&mut self, n: usize) {
        if self.dist.len() < n {
            self.dist.resize(n, UNREACHED);
            self.parent.resize(n, NO_PARENT);
        }
        if self.touched.len() > self.dist.len() / 8 {
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
        let q = if g.max_weight > MAX_BUCKET_WEIGHT {
            Queue::Heap
        } else {
            queue
        };
        match (q, parents) {
            (Queue::Bucket, true) => self.bucket::<true, false, _>(g, &g.arcs[..], sources, bound),
            (Queue::Bucket, false) => {
                self.bucket::<false, false, _>(g, &g.arcs[..], sources, bound)
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
        if queue == Queue::Bucket && csr.max_weight <= MAX_BUCKET_WEIGHT {
            match &g.packed {
                Some(p) => self.bucket::<false, true, _>(csr, p, &src, bound),
                None => self.bucket::<false, true, _>(csr, &csr.arcs[..], &src, bound),
            }
        } else {
            self.heap::<false>(csr, &src, bound);
        }
    }

    /// Dial's algorithm. Queued keys always lie in `[cur, cur + span]`, span covering the
    /// largest arc weight and the spread of the sources' start offsets, so `nb > span` buckets
    /// used circularly hold them without collision. Entries are never removed on
    /// decrease-key; a popped entry whose distance is no longer `cur` is stale and skipped.
    ///
    /// With `TRUSTED`, `g` has passed `Checked::new` (every head below `n`, offsets
    /// non-decreasing up to `arcs.len()`) and is borrowed for the whole search, so graph
    /// indices skip their bounds checks.
    fn bucket<const PARENTS: bool, const TRUSTED: bool, A: ArcRecords + ?Sized>(
        &mut self,
        g: &Csr,
        arcs: &A,
        sources: &[(NodeId, Seconds)],
        bound: Seconds,
    ) {
        let lo = sources.iter().map(|s| s.1).min().unwrap_or(0);
        let hi = sources.iter().map(|s| s.1).max().unwrap_or(0);
        let nb = (g.max_weight as usize + (hi - lo) as usize + 1).next_power_of_two();
        let mask = nb - 1;
        self.heads.clear();
        self.heads.resize(nb, NIL);
        if self.pool.len() <= sources.len() {
            self.pool.resize(sources.len() + 1, 0);
        }
        let n = g.num_nodes();
        let dist = &mut self.dist[..n];
        let parent = &mut self.parent[..];
        let touched = &mut self.touched;
        let heads = &mut self.heads[..nb];
        let pool = &mut self.pool;
        // `nd < min(old, bound + 1)` is `nd < old && nd <= bound`; with no bound, `nd` can
        // only reach `UNREACHED` by saturating, and then `nd < old` fails anyway.
        let bound1 = bound.saturating_add(1);
        let (mut top, mut popped) = (0usize, 0usize);
        let mut cur = Seconds::MAX;
        for &(s, d0) in sources {
            if d0 < dist[s.idx()].min(bound1) {
                dist[s.idx()] = d0;
                let b = d0 as usize & mask;
                pool[top] = ((heads[b] as u64) << 32) | s.0 as u64;
                heads[b] = top as u32;
                top += 1;
                cur = cur.min(d0);
            }
        }
        let first_out = &g.first_out[..];
        debug_assert_eq!(arcs.len(), g.num_arcs());
        while popped < top {
            let mut bi = cur as usize & mask;
            // SAFETY (here and below for `heads`): `bi`, `bk` are masked by `mask < nb`.
            while unsafe { *heads.get_unchecked(bi) } == NIL {
                cur += 1;
                bi = cur as usize & mask;
            }
            let e0 = unsafe { *heads.get_unchecked(bi) } as usize;
            let entry = pool[e0];
            unsafe { *heads.get_unchecked_mut(bi) = (entry >> 32) as u32 };
            popped += 1;
            // Queued nodes are sources (checked above) or arc heads.
            let v = entry as u32 as usize;
            // The next pop is most likely the entry now at the head of this bucket: start
            // loading its node's offsets and label while this node's arcs are relaxed, which
            // shortens the chain of dependent loads (entry → node → offsets → arcs) per pop.
            let next = (entry >> 32) as u32;
            if next != NIL {
                let nv = pool[next as usize] as u32 as usize;
                prefetch(dist.as_ptr().wrapping_add(nv));
                if let Some(&fa) = first_out.get(nv) {
                    arcs.prefetch(fa as usize);
                }
            }
            if at::<TRUSTED, _>(dist, v) != cur {
                continue; // stale: v was reached more cheaply since
            }
            touched.push(v as u32);
            let a = at::<TRUSTED, _>(first_out, v) as usize;
            let b = at::<TRUSTED, _>(first_out, v + 1) as usize;
            debug_assert!(a <= b && b <= arcs.len());
            // Relaxing writes one entry at `top` per arc and advances `top` by at most one per
            // arc: room for `b - a` more entries keeps every write in bounds.
            if top + (b - a) >= pool.len() {
                let len = (top + (b - a) + 1).max(2 * pool.len());
                pool.resize(len, 0);
            }
            for e in a..b {
                // Branch-free relaxation: the entry is always written and only kept (by
                // advancing `top` and the bucket head) when the arc improves the head node;
                // whether it does is close to a coin toss, which a branch would mispredict.
                // In u64 the sum cannot overflow, and `better` implies it fits in u32.
                // (`e < b <= arcs.len()`: see `Checked` when `TRUSTED`.)
                let (head, weight) = arcs.get::<TRUSTED>(e);
                let h = head as usize;
                let nd = cur as u64 + weight as u64;
                let old = at::<TRUSTED, _>(dist, h);
                let better = nd < old.min(bound1) as u64;
                set::<TRUSTED, _>(dist, h, if better { nd as Seconds } else { old });
                if PARENTS && better {
                    parent[h] = e as u32;
                }
                let bk = nd as usize & mask;
                let head = unsafe { *heads.get_unchecked(bk) };
                debug_assert!(top < pool.len());
                // SAFETY: `top < pool.len()`: see the room made before the loop.
                unsafe { *pool.get_unchecked_mut(top) = ((head as u64) << 32) | h as u64 };
                unsafe { *heads.get_unchecked_mut(bk) = if better { top as u32 } else { head } };
                top += better as usize;
            }
        }
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
            let (a, b) = (g.first_out[v] as usize, g.first_out[v + 1] as usize);
            for (e, arc) in g.arcs[a..b].iter().enumerate() {
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
/// It also holds the arcs as compact 4-byte records, `weight << head_bits | head`, when node
/// ids and weights fit together in 32 bits (they do for road grids of millions of nodes and
/// transit networks, whose weights are minutes of seconds): half the memory traffic per
/// settled node, which is what a one-to-all search on a large graph waits for.
#[derive(Clone, Debug)]
pub struct Checked<'a> {
    csr: &'a Csr,
    packed: Option<PackedArcs>,
}

impl<'a> Checked<'a> {
    /// `None` if `g` breaks the CSR invariant (`Csr::check` names the broken rule).
    pub fn new(g: &'a Csr) -> Option<Checked<'a>> {
        let n = g.num_nodes();
        let fo = &g.first_out;
        let ok = !fo.is_empty()
            && fo[0] == 0
            && fo[n] as usize == g.arcs.len()
            && fo.windows(2).all(|w| w[0] <= w[1])
            && g.arcs.iter().fold(0u32, |m, a| m.max(a.head)) < n as u32
            && g.arcs.iter().all(|a| a.weight <= g.max_weight);
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
            std::mem::size_of::<Arc>()
        }
    }
}

/// Arcs as `u32` records: head in the low `shift` bits, weight above.
#[derive(Clone, Debug)]
pub struct PackedArcs {
    words: Vec<u32>,
    shift: u32,
    /// `(1 << shift) - 1`, or all ones when `shift` is 32 (then every weight is 0).
    head_mask: u32,
}

impl PackedArcs {
    fn new(g: &Csr) -> Option<PackedArcs> {
        let bits = |x: u32| 32 - x.leading_zeros();
        let shift = bits(g.num_nodes().saturating_sub(1) as u32).max(1);
        if shift + bits(g.max_weight) > 32 {
            return None;
        }
        let words = g
            .arcs
            .iter()
            .map(|a| a.weight.checked_shl(shift).unwrap_or(0) | a.head)
            .collect();
        let head_mask = 1u32.checked_shl(shift).map_or(u32::MAX, |x| x - 1);
        Some(PackedArcs {
            words,
            shift,
            head_mask,
        })
    }
}

/// The arc records a search reads: `(head, weight)` of arc `e`.
trait ArcRecords {
    fn len(&self) -> usize;
    /// Without bounds check when `TRUSTED` (`e` below `first_out[n] = len`, see `Checked`).
    fn get<const TRUSTED: bool>(&self, e: usize) -> (u32, Seconds);
    fn prefetch(&self, e: usize);
}

impl ArcRecords for [Arc] {
    #[inline(always)]
    fn len(&self) -> usize {
        <[Arc]>::len(self)
    }
    #[inline(always)]
    fn get<const TRUSTED: bool>(&self, e: usize) -> (u32, Seconds) {
        let a = at::<TRUSTED, _>(self, e);
        (a.head, a.weight)
    }
    #[inline(always)]
    fn prefetch(&self, e: usize) {
        prefetch(self.as_ptr().wrapping_add(e));
    }
}

impl ArcRecords for PackedArcs {
    #[inline(always)]
    fn len(&self) -> usize {
        self.words.len()
    }
    #[inline(always)]
    fn get<const TRUSTED: bool>(&self, e: usize) -> (u32, Seconds) {
        let w = at::<TRUSTED, _>(&self.words, e);
        (w & self.head_mask, w.checked_shr(self.shift).unwrap_or(0))
    }
    #[inline(always)]
    fn prefetch(&self, e: usize) {
        prefetch(self.words.as_ptr().wrapping_add(e));
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
