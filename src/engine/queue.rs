//! The priority queues of the search, behind one small trait, and the choice between them.
//!
//! - `LinkedQueue` and `SlabQueue` are Dial's algorithm: a circular array of buckets indexed
//!   by distance modulo a power of two above the largest arc weight plus the spread of the
//!   sources' start offsets. Queued keys always lie in `[cur, cur + span]`, so `nb > span`
//!   buckets used circularly hold them without collision, and `nb` empty buckets in a row
//!   mean the queue is empty. Entries are never removed on decrease-key; a popped entry whose
//!   distance is no longer its node's label is stale and skipped by the search.
//!   - linked (sparse graphs such as the Guangzhou network: hours-long arcs make 8,192 buckets
//!     for 2,600 nodes): singly linked lists threaded through one flat pool written front to
//!     back, heads at its front, so the queue costs in proportion to what is pushed however
//!     many buckets there are; a bucket pops newest first;
//!   - slabs (dense graphs, at least `SLAB_DENSITY` nodes per bucket: road grids, transit
//!     networks): a fixed slab of `SLAB` node slots per bucket drained front to back, so the
//!     queue is a few cache lines per bucket reused from one distance to the next and the next
//!     node to settle is known ahead.
//! - `HeapQueue`: a binary heap of `dist << 32 | node` with lazy deletion, the textbook
//!   Dijkstra, kept as the in-house baseline and used when weights are too large for buckets.
//!
//! The storage (`Queues`) lives in the workspace and is reused; each search wraps it in a
//! queue of its graph's brand (see `unchecked`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::unchecked::{Format, Heap, Linked, Node, Out, Slabs};
use crate::graph::Csr;
use crate::network::ids::{NodeId, Seconds};

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

/// Arc weights up to this use the bucket queue; above it `Queue::Bucket` falls back to the
/// heap (the bucket array and the scan over empty buckets grow with the largest weight).
pub const MAX_BUCKET_WEIGHT: Seconds = 1 << 20;

/// Average nodes per bucket from which slab buckets are used.
const SLAB_DENSITY: usize = 16;

/// Whether the bucket queue can run on `g` from `sources`: weights up to `MAX_BUCKET_WEIGHT`,
/// start offsets spread over no more than that, and pool positions (bucket heads, then at
/// most one entry per arc and source) that fit in u32.
pub(super) fn bucket_fits(g: &Csr, sources: &[(NodeId, Seconds)]) -> bool {
    let nb = bucket_count(g, sources);
    g.max_weight() <= MAX_BUCKET_WEIGHT
        && nb <= 2 * MAX_BUCKET_WEIGHT as usize
        && nb + g.num_arcs() + sources.len() < u32::MAX as usize
}

/// Buckets of the circular array: a power of two above the largest arc weight plus the spread
/// of the sources' start offsets.
pub(super) fn bucket_count(g: &Csr, sources: &[(NodeId, Seconds)]) -> usize {
    let lo = sources.iter().map(|s| s.1).min().unwrap_or(0);
    let hi = sources.iter().map(|s| s.1).max().unwrap_or(0);
    (g.max_weight() as usize + (hi - lo) as usize + 1).next_power_of_two()
}

/// Whether a search on `g` with `nb` buckets uses slab buckets rather than the linked pool:
/// when at least `SLAB_DENSITY` nodes share a bucket on average. Road grids (250,000 nodes,
/// 128 buckets) and transit networks (50,000 nodes, 1,024 buckets) have many nodes at each
/// distance and settle 6–10 % faster on slabs, which they fill; the Guangzhou network (2,620
/// nodes, 8,192 buckets for its hours-long arcs) settles 15–30 % slower on them, because the
/// slabs of its sparse buckets spread over megabytes, and keeps the pool, whose entries stay
/// packed.
pub(super) fn use_slabs(g: &Csr, nb: usize) -> bool {
    g.num_nodes() >= SLAB_DENSITY * nb
}

/// Whether a bucket search on `g` from `sources` runs on slab buckets (else on the linked
/// pool); for tests and benchmarks that must cover both.
pub fn uses_slab_buckets(g: &Csr, sources: &[(NodeId, Seconds)]) -> bool {
    bucket_fits(g, sources) && use_slabs(g, bucket_count(g, sources))
}

/// A monotone priority queue of the nodes of the graph branded `'id`, as the search uses it:
/// sources first; then, distance by distance in increasing order, the entries queued at that
/// distance, each settled node offering one entry per arc (at that distance or later).
/// Entries may be stale (the search skips them).
pub(super) trait SearchQueue<'id> {
    /// Whether relaxation writes the label whether or not it improves, and hands every entry
    /// to `offer` with a keep flag (bucket queues: the test is a coin toss a branch would
    /// mispredict), or updates and offers improvements only (the heap).
    const BRANCH_FREE: bool;

    /// Queues source `v` at `d` (before the first `next_distance`).
    fn push_source(&mut self, v: Node<'id>, d: Seconds);

    /// The smallest distance queued, once the entries at the previous one are all popped
    /// (`None`: the queue is empty).
    fn next_distance(&mut self) -> Option<u64>;

    /// Removes an entry queued at `d`, the last `next_distance` (`None`: there are no more),
    /// with the node the next call will most likely return, when it is known cheaply (a hint
    /// for prefetching).
    fn pop_at(&mut self, d: u64) -> Option<(Node<'id>, Option<Node<'id>>)>;

    /// Offers one entry per arc of `out`, just settled at the current distance:
    /// `relax(arc, head, weight)` updates the head's label and gives the entry's distance and
    /// whether to keep it.
    fn offer<F: Format, const T: bool>(
        &mut self,
        out: Out<'id, '_, F, T>,
        relax: impl FnMut(usize, Node<'id>, Seconds) -> (u64, bool),
    );
}

/// The queues' storage, kept by a workspace from one search to the next.
#[derive(Debug, Default)]
pub(super) struct Queues {
    pool: Vec<u64>,
    heap: BinaryHeap<Reverse<u64>>,
    slab: Vec<u32>,
    cnt: Vec<u32>,
    spill: Vec<Vec<u32>>,
}

impl Queues {
    /// A linked bucket queue of `nb` buckets with room for `entries` entries.
    pub(super) fn linked<'id>(&mut self, nb: usize, entries: usize) -> LinkedQueue<'id, '_> {
        LinkedQueue {
            b: Linked::new(&mut self.pool, nb, entries),
            dial: Dial::new(nb),
        }
    }

    /// A slab bucket queue of `nb` buckets.
    pub(super) fn slabs<'id>(&mut self, nb: usize) -> SlabQueue<'id, '_> {
        SlabQueue {
            b: Slabs::new(&mut self.slab, &mut self.cnt, &mut self.spill, nb),
            dial: Dial::new(nb),
        }
    }

    /// A binary heap.
    pub(super) fn heap<'id>(&mut self) -> HeapQueue<'id, '_> {
        HeapQueue {
            h: Heap::new(&mut self.heap),
        }
    }
}

/// Dial's scan over `nb` buckets used circularly.
struct Dial {
    /// The distance being settled (`u64::MAX` before the first source).
    cur: u64,
    nb: u64,
}

impl Dial {
    fn new(nb: usize) -> Dial {
        Dial {
            cur: u64::MAX,
            nb: nb as u64,
        }
    }

    /// Takes source distance `d` into account.
    #[inline(always)]
    fn source(&mut self, d: Seconds) {
        self.cur = self.cur.min(d as u64);
    }

    /// The current distance if its bucket still holds entries, else the next one whose bucket
    /// does; `None` when all `nb` buckets are empty, so nothing is queued.
    #[inline(always)]
    fn next(&mut self, is_empty: impl Fn(usize) -> bool) -> Option<u64> {
        if !is_empty(self.cur as usize) {
            return Some(self.cur);
        }
        let stop = self.cur + self.nb;
        loop {
            self.cur += 1;
            if self.cur == stop {
                return None;
            }
            if !is_empty(self.cur as usize) {
                return Some(self.cur);
            }
        }
    }
}

/// Dial's algorithm on linked buckets.
pub(super) struct LinkedQueue<'id, 'q> {
    b: Linked<'id, 'q>,
    dial: Dial,
}

impl<'id> SearchQueue<'id> for LinkedQueue<'id, '_> {
    const BRANCH_FREE: bool = true;

    #[inline(always)]
    fn push_source(&mut self, v: Node<'id>, d: Seconds) {
        self.b.push(d as usize, v);
        self.dial.source(d);
    }

    #[inline(always)]
    fn next_distance(&mut self) -> Option<u64> {
        let b = &self.b;
        self.dial.next(|i| b.is_empty(i))
    }

    #[inline(always)]
    fn pop_at(&mut self, d: u64) -> Option<(Node<'id>, Option<Node<'id>>)> {
        self.b.take(d as usize)
    }

    #[inline(always)]
    fn offer<F: Format, const T: bool>(
        &mut self,
        out: Out<'id, '_, F, T>,
        mut relax: impl FnMut(usize, Node<'id>, Seconds) -> (u64, bool),
    ) {
        self.b.offer(out, |e, h, w| {
            let (nd, keep) = relax(e, h, w);
            (nd as usize, keep)
        });
    }
}

/// Dial's algorithm on slab buckets.
pub(super) struct SlabQueue<'id, 'q> {
    b: Slabs<'id, 'q>,
    dial: Dial,
}

impl<'id> SearchQueue<'id> for SlabQueue<'id, '_> {
    const BRANCH_FREE: bool = true;

    #[inline(always)]
    fn push_source(&mut self, v: Node<'id>, d: Seconds) {
        self.b.push(d as usize, v, true);
        self.dial.source(d);
    }

    #[inline(always)]
    fn next_distance(&mut self) -> Option<u64> {
        let b = &self.b;
        self.dial.next(|i| b.is_empty(i))
    }

    #[inline(always)]
    fn pop_at(&mut self, d: u64) -> Option<(Node<'id>, Option<Node<'id>>)> {
        // Arcs of weight 0 add to the bucket while it drains; `take` sees them.
        self.b.take(d as usize)
    }

    #[inline(always)]
    fn offer<F: Format, const T: bool>(
        &mut self,
        out: Out<'id, '_, F, T>,
        mut relax: impl FnMut(usize, Node<'id>, Seconds) -> (u64, bool),
    ) {
        out.for_each(|e, h, w| {
            let (nd, keep) = relax(e, h, w);
            self.b.push(nd as usize, h, keep);
        });
    }
}

/// The textbook binary heap with lazy deletion.
pub(super) struct HeapQueue<'id, 'q> {
    h: Heap<'id, 'q>,
}

impl<'id> SearchQueue<'id> for HeapQueue<'id, '_> {
    const BRANCH_FREE: bool = false;

    #[inline(always)]
    fn push_source(&mut self, v: Node<'id>, d: Seconds) {
        self.h.push(v, d);
    }

    #[inline(always)]
    fn next_distance(&mut self) -> Option<u64> {
        self.h.min()
    }

    #[inline(always)]
    fn pop_at(&mut self, d: u64) -> Option<(Node<'id>, Option<Node<'id>>)> {
        match self.h.min() {
            Some(m) if m == d => self.h.pop().map(|(v, _)| (v, None)),
            _ => None,
        }
    }

    #[inline(always)]
    fn offer<F: Format, const T: bool>(
        &mut self,
        out: Out<'id, '_, F, T>,
        mut relax: impl FnMut(usize, Node<'id>, Seconds) -> (u64, bool),
    ) {
        out.for_each(|e, h, w| {
            let (nd, keep) = relax(e, h, w);
            if keep {
                // An improvement is below the old label, so it fits in u32.
                self.h.push(h, nd as Seconds);
            }
        });
    }
}
