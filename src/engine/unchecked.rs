//! Every `unsafe` of the engine, with the invariants that make it sound, in one file.
//!
//! The search loop reads labels, CSR offsets, arc records and queue slots by index a few times
//! per relaxed arc; bounds checks there cost about a tenth of its instructions and keep values
//! alive in registers. The types of this file let the loop skip them, each by an invariant
//! that is established and kept here, so that no code outside this file can break it with
//! safe calls:
//!
//! - [`Checked`]: a CSR graph verified once (O(n + m)): `first_out` has `n + 1` entries,
//!   non-decreasing from 0 to the number of arcs; every head is below `n`; every weight is at
//!   most `max_weight`. It also holds the arcs as compact records when they fit.
//! - [`Brand`] and [`Node`]: `scope` makes a fresh *brand*, an invariant lifetime `'id` that
//!   no other brand can equal, and a brand is spent to make exactly one [`Graph`] view. A
//!   `Node<'id>` is an index below the `n` of that one graph: nodes are made only by
//!   `Graph::node` (which checks), by [`Out::for_each`] from the graph's own arc records
//!   (verified by `Checked`, or checked one by one when the view is unverified), and from
//!   queue storage that only ever holds nodes of the same brand (`Linked`, `Slabs`, `Heap`).
//! - [`NodeMap`]: a slice of at least `n` entries of that graph, indexed by `Node<'id>`.
//! - [`Linked`] and [`Slabs`]: the two bucket layouts' storage, indexed by masked bucket
//!   numbers, positions below the pool's top and slot counts below `SLAB`.
//! - [`Settled`]: the settled nodes written into the spare capacity of a vector.
//! - [`prefetch`]: a cache hint.
//!
//! The tests at the end check each invariant these rely on (the verifier rejects each broken
//! rule, packed records decode to what was packed, a bucket drains exactly what was pushed,
//! the pool never needs more than its size, the settled list holds what was pushed).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

use crate::graph::{Csr, CsrArc};
use crate::network::ids::Seconds;

/// Hints the CPU to load the cache line of `p` (never faults, whatever the address).
#[inline(always)]
pub(super) fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 (SSE, part of every x86_64 CPU) is a hint: it changes no state the
    // program can observe and does not fault on any address, mapped or not.
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p as *const i8)
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

// ---------------------------------------------------------------------------------------------
// The verified graph

/// A `Csr` borrowed after checking that every arc head is a node, that `first_out` is
/// non-decreasing from 0 to `arcs.len()` and that no weight exceeds `max_weight` (O(n + m),
/// once per sweep). The borrow keeps the graph unchanged while the token lives, so searches on
/// it index without bounds checks.
///
/// It also holds the arcs as compact 4-byte records, `head << W | weight` with a weight field
/// of W = 8, 12 or 16 bits, when node ids and weights fit (road grids of up to 16 M nodes with
/// weights below 256 s; transit networks of up to 1 M nodes with weights below 4096 s; up to
/// 65,536 nodes with weights below 65,536 s): half the memory traffic per settled node, and
/// with W a constant the search decodes a record with two immediate operations.
#[derive(Clone, Debug)]
pub struct Checked<'a> {
    csr: &'a Csr,
    /// `csr`'s arcs as compact records, in the same order, and the width of their weight
    /// field.
    packed: Option<(Vec<u32>, u32)>,
}

/// Whether `first_out` and heads `arcs` (weights `weights`) form a CSR graph whose reads by a
/// `Node` need no check: at least one offset, offsets non-decreasing from 0 to `arcs.len()`,
/// every head below `n = first_out.len() - 1`, every weight at most `max_weight`.
fn verify(first_out: &[u32], arcs: &[CsrArc], max_weight: Seconds) -> bool {
    let Some(&last) = first_out.last() else {
        return false;
    };
    let n = first_out.len() - 1;
    first_out[0] == 0
        && last as usize == arcs.len()
        && first_out.windows(2).all(|w| w[0] <= w[1])
        && arcs
            .iter()
            .all(|a| (a.head as usize) < n && a.weight <= max_weight)
}

/// The weight-field width of the compact records for `g`, if its node ids and weights fit one
/// of the layouts: a head below `2^(32 - W)` and a weight below `2^W`.
fn packed_width(g: &Csr) -> Option<u32> {
    let bits = |x: u64| 64 - x.leading_zeros();
    let hbits = bits(g.num_nodes().saturating_sub(1) as u64);
    let wb = bits(g.max_weight() as u64);
    [8, 12, 16]
        .into_iter()
        .find(|&w| wb <= w && hbits <= 32 - w)
}

/// Packs `arcs` as `head << w | weight`; every head must be below `2^(32 - w)` and every
/// weight below `2^w` (`packed_width` and `verify` ensure both), so `Packed::<w>::decode`
/// gives each arc back.
fn pack(arcs: &[CsrArc], w: u32) -> Vec<u32> {
    arcs.iter().map(|a| (a.head << w) | a.weight).collect()
}

impl<'a> Checked<'a> {
    /// `None` if `g` breaks the CSR invariant (`Csr::check` names the broken rule).
    pub fn new(g: &'a Csr) -> Option<Checked<'a>> {
        if !verify(g.first_out(), g.arcs(), g.max_weight()) {
            return None;
        }
        let packed = packed_width(g).map(|w| (pack(g.arcs(), w), w));
        Some(Checked { csr: g, packed })
    }

    /// The graph.
    pub fn csr(&self) -> &'a Csr {
        self.csr
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
        self.packed.as_ref().map(|p| p.1)
    }

    /// A verified view of the graph reading `CsrArc`s.
    pub(super) fn wide<'id>(&self, brand: Brand<'id>) -> Graph<'id, '_, Wide, true> {
        // `verify` passed on these very arrays, which the shared borrow keeps unchanged.
        Graph::new(brand, self.csr.first_out(), self.csr.arcs())
    }

    /// A verified view reading the compact records with a `W`-bit weight field; `None` unless
    /// the records have that width.
    pub(super) fn packed<'id, const W: u32>(
        &self,
        brand: Brand<'id>,
    ) -> Option<Graph<'id, '_, Packed<W>, true>> {
        match &self.packed {
            // `pack` wrote one record per verified arc, in order, with a width that holds
            // every head and weight: the records decode to the verified heads.
            Some((words, w)) if *w == W => Some(Graph::new(brand, self.csr.first_out(), words)),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Brands, nodes and graph views

/// An invariant lifetime marker (`'id` can be neither shortened nor lengthened).
type Invariant<'id> = PhantomData<fn(&'id ()) -> &'id ()>;

/// The brand of one graph view. Only `scope` makes one, with a lifetime `'id` of its own, and
/// making a view spends it: the nodes of a view cannot be used with another view's maps.
pub(super) struct Brand<'id>(Invariant<'id>);

/// Runs `f` with a fresh brand: `'id` is chosen inside `f` (a higher-ranked lifetime), so it
/// equals no other brand's.
#[inline(always)]
pub(super) fn scope<R>(f: impl for<'id> FnOnce(Brand<'id>) -> R) -> R {
    f(Brand(PhantomData))
}

/// A node of the graph branded `'id`: an index below its `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Node<'id> {
    v: u32,
    brand: Invariant<'id>,
}

impl<'id> Node<'id> {
    /// Only for indices known to be below the `n` of the graph branded `'id` (see the file's
    /// documentation for the three places that make nodes).
    #[inline(always)]
    fn trusted(v: u32) -> Node<'id> {
        Node {
            v,
            brand: PhantomData,
        }
    }

    /// The index.
    #[inline(always)]
    pub(super) fn get(self) -> u32 {
        self.v
    }

    /// The index as a `usize`.
    #[inline(always)]
    pub(super) fn idx(self) -> usize {
        self.v as usize
    }
}

/// How a kind of arc record gives its head and weight.
pub(super) trait Format {
    /// The record.
    type Rec: Copy;
    /// `(head, weight)` of a record.
    fn decode(r: Self::Rec) -> (u32, Seconds);
}

/// Records are the graph's own `CsrArc`s (8 bytes).
pub(super) struct Wide;

impl Format for Wide {
    type Rec = CsrArc;
    #[inline(always)]
    fn decode(r: CsrArc) -> (u32, Seconds) {
        (r.head, r.weight)
    }
}

/// Records are `head << W | weight` in a `u32`.
pub(super) struct Packed<const W: u32>;

impl<const W: u32> Format for Packed<W> {
    type Rec = u32;
    #[inline(always)]
    fn decode(r: u32) -> (u32, Seconds) {
        (r >> W, r & ((1 << W) - 1))
    }
}

/// A graph as a search reads it, branded `'id`. `TRUSTED` views come only from `Checked`
/// (offsets and heads verified); others check each arc range and head as they read it.
///
/// Invariant: `first_out.len() == n + 1` (or `n == 0`), so `first_out[v]` and
/// `first_out[v + 1]` exist for every `Node<'id>` `v`.
pub(super) struct Graph<'id, 'g, F: Format, const TRUSTED: bool> {
    first_out: &'g [u32],
    arcs: &'g [F::Rec],
    n: usize,
    _brand: Brand<'id>,
}

impl<'id, 'g, F: Format> Graph<'id, 'g, F, false> {
    /// A view of arrays nobody verified: arc ranges and heads are checked as they are read
    /// (a broken graph panics, it never reads out of bounds).
    pub(super) fn unverified(brand: Brand<'id>, first_out: &'g [u32], arcs: &'g [F::Rec]) -> Self {
        Graph::new(brand, first_out, arcs)
    }
}

impl<'id, 'g, F: Format, const TRUSTED: bool> Graph<'id, 'g, F, TRUSTED> {
    /// Private: `TRUSTED` views are made only by `Checked`, from verified arrays.
    fn new(brand: Brand<'id>, first_out: &'g [u32], arcs: &'g [F::Rec]) -> Self {
        Graph {
            first_out,
            arcs,
            n: first_out.len().saturating_sub(1),
            _brand: brand,
        }
    }

    /// Number of nodes.
    #[inline(always)]
    pub(super) fn n(&self) -> usize {
        self.n
    }

    /// Number of arcs.
    #[inline(always)]
    pub(super) fn m(&self) -> usize {
        self.arcs.len()
    }

    /// Node `v`, if it is one.
    #[inline(always)]
    pub(super) fn node(&self, v: u32) -> Option<Node<'id>> {
        ((v as usize) < self.n).then(|| Node::trusted(v))
    }

    /// The offsets of `v`'s arcs, `first_out[v]..first_out[v + 1]`.
    #[inline(always)]
    fn range(&self, v: Node<'id>) -> (usize, usize) {
        debug_assert!(v.idx() + 1 < self.first_out.len());
        // SAFETY: `v < n` (a `Node<'id>` of this view) and `first_out.len() == n + 1` (the
        // view's invariant), so both indices are in bounds.
        unsafe {
            (
                *self.first_out.get_unchecked(v.idx()) as usize,
                *self.first_out.get_unchecked(v.idx() + 1) as usize,
            )
        }
    }

    /// The arcs leaving `v`.
    #[inline(always)]
    pub(super) fn out(&self, v: Node<'id>) -> Out<'id, 'g, F, TRUSTED> {
        let (a, b) = self.range(v);
        let recs = if TRUSTED {
            debug_assert!(a <= b && b <= self.arcs.len());
            // SAFETY: a `TRUSTED` view comes from `Checked`, whose `verify` found `first_out`
            // non-decreasing and ending at `arcs.len()`: `a <= b <= arcs.len()`.
            unsafe { self.arcs.get_unchecked(a..b) }
        } else {
            &self.arcs[a..b]
        };
        Out {
            first: a,
            recs,
            n: self.n,
            brand: PhantomData,
        }
    }

    /// Starts loading the first arc record of `v`.
    #[inline(always)]
    pub(super) fn prefetch_out(&self, v: Node<'id>) {
        prefetch(self.arcs.as_ptr().wrapping_add(self.range(v).0));
    }

    /// `s` as a map over this graph's nodes; panics if it has fewer than `n` entries.
    #[inline(always)]
    pub(super) fn map<'a, T: Copy>(&self, s: &'a mut [T]) -> NodeMap<'id, 'a, T> {
        assert!(s.len() >= self.n, "a node map needs {} entries", self.n);
        NodeMap {
            s,
            brand: PhantomData,
        }
    }
}

/// The arcs leaving one node of the graph branded `'id`.
pub(super) struct Out<'id, 'g, F: Format, const TRUSTED: bool> {
    /// Id of the first arc.
    first: usize,
    recs: &'g [F::Rec],
    n: usize,
    brand: Invariant<'id>,
}

impl<'id, F: Format, const TRUSTED: bool> Out<'id, '_, F, TRUSTED> {
    /// Number of arcs: `for_each` calls its function exactly this many times.
    #[inline(always)]
    pub(super) fn len(&self) -> usize {
        self.recs.len()
    }

    /// Calls `f(arc id, head, weight)` for each arc, in order.
    #[inline(always)]
    pub(super) fn for_each(self, mut f: impl FnMut(usize, Node<'id>, Seconds)) {
        for (i, &r) in self.recs.iter().enumerate() {
            let (h, w) = F::decode(r);
            // Heads of a `TRUSTED` view's records were verified below `n`; others are checked.
            if !TRUSTED {
                assert!((h as usize) < self.n, "arc head {h} is not a node");
            }
            f(self.first + i, Node::trusted(h), w)
        }
    }
}

/// A slice with at least `n` entries of the graph branded `'id`, read and written by node
/// without bounds checks.
pub(super) struct NodeMap<'id, 'a, T> {
    s: &'a mut [T],
    brand: Invariant<'id>,
}

impl<'id, T: Copy> NodeMap<'id, '_, T> {
    /// The entry of `v`.
    #[inline(always)]
    pub(super) fn get(&self, v: Node<'id>) -> T {
        debug_assert!(v.idx() < self.s.len());
        // SAFETY: `v < n <= s.len()` (a `Node<'id>`; `Graph::map` checked the length).
        unsafe { *self.s.get_unchecked(v.idx()) }
    }

    /// Sets the entry of `v`.
    #[inline(always)]
    pub(super) fn set(&mut self, v: Node<'id>, x: T) {
        debug_assert!(v.idx() < self.s.len());
        // SAFETY: as in `get`.
        unsafe { *self.s.get_unchecked_mut(v.idx()) = x }
    }

    /// Starts loading the entry of `v`.
    #[inline(always)]
    pub(super) fn prefetch(&self, v: Node<'id>) {
        prefetch(self.s.as_ptr().wrapping_add(v.idx()));
    }
}

// ---------------------------------------------------------------------------------------------
// The settled list

/// The nodes a search settles, written into the spare capacity of a vector reserved for all of
/// them (the count stays in a register; a full list panics, it never writes out of bounds).
pub(super) struct Settled {
    list: Vec<u32>,
    len: usize,
}

impl Settled {
    /// An empty list with room for `capacity` nodes, reusing `list`'s allocation.
    pub(super) fn new(mut list: Vec<u32>, capacity: usize) -> Settled {
        list.clear();
        list.reserve(capacity);
        Settled { list, len: 0 }
    }

    /// Appends `v`.
    #[inline(always)]
    pub(super) fn push(&mut self, v: u32) {
        // Bounds-checked: `len` below the spare capacity.
        self.list.spare_capacity_mut()[self.len] = MaybeUninit::new(v);
        self.len += 1;
    }

    /// The list.
    pub(super) fn finish(mut self) -> Vec<u32> {
        debug_assert!(self.len <= self.list.capacity());
        // SAFETY: `list` was cleared in `new` and never pushed to since, so its spare capacity
        // began at 0; `push` wrote its entries `0..len` in turn (each write checked against the
        // spare capacity, so `len <= capacity`).
        unsafe { self.list.set_len(self.len) };
        self.list
    }
}

// ---------------------------------------------------------------------------------------------
// Queue storage

/// End of a bucket's list. Position 0 of the pool is a bucket head, never an entry, so an
/// empty bucket is zero (a test against an immediate, no constant held in a register).
const NIL: u64 = 0;

/// The linked bucket layout: singly linked lists threaded through one flat `pool`, first the
/// `nb` bucket heads (position of the bucket's newest entry, or `NIL`), then the entries,
/// `next << 32 | node`, written front to back.
///
/// Invariant: every bucket head and every `next` of an entry reachable from one is `NIL` or a
/// position in `nb..top`, below the pool's length; the entries there were written by this
/// view, with nodes of brand `'id`. Positions `>= top` are scratch (an entry not kept is
/// written there and dropped).
pub(super) struct Linked<'id, 'q> {
    pool: &'q mut [u64],
    mask: usize,
    top: usize,
    brand: Invariant<'id>,
}

impl<'id, 'q> Linked<'id, 'q> {
    /// Empty buckets `0..nb` (`nb` a power of two) in `pool`, with room for `entries` entries:
    /// the pool is resized to `nb + entries` (allocated zeroed, so pages are mapped only as
    /// entries reach them) and kept for the next search.
    pub(super) fn new(pool: &'q mut Vec<u64>, nb: usize, entries: usize) -> Self {
        assert!(nb.is_power_of_two());
        let need = nb + entries;
        if pool.len() < need {
            *pool = vec![NIL; need];
        } else {
            pool[..nb].fill(NIL);
        }
        Linked {
            pool: &mut pool[..need],
            mask: nb - 1,
            top: nb,
            brand: PhantomData,
        }
    }

    /// Reads pool position `i`.
    #[inline(always)]
    fn at(&self, i: usize) -> u64 {
        debug_assert!(i < self.pool.len());
        // SAFETY: every caller passes a masked bucket (`< nb <= len`) or a position read from
        // a head or entry (`NIL`, or below `top <= len`, the invariant).
        unsafe { *self.pool.get_unchecked(i) }
    }

    /// Writes pool position `i`.
    #[inline(always)]
    fn put(&mut self, i: usize, x: u64) {
        debug_assert!(i < self.pool.len());
        // SAFETY: every caller passes a masked bucket (`< nb <= len`) or `top`, which the
        // caller checked below `len`.
        unsafe { *self.pool.get_unchecked_mut(i) = x }
    }

    /// Whether bucket `b` (masked) is empty.
    #[inline(always)]
    pub(super) fn is_empty(&self, b: usize) -> bool {
        self.at(b & self.mask) == NIL
    }

    /// Removes the newest node of bucket `b` (masked), with the node that a next `take(b)`
    /// would return, if any (a hint for prefetching).
    #[inline(always)]
    pub(super) fn take(&mut self, b: usize) -> Option<(Node<'id>, Option<Node<'id>>)> {
        let b = b & self.mask;
        let e = self.at(b);
        if e == NIL {
            return None;
        }
        let entry = self.at(e as usize);
        let next = entry >> 32;
        self.put(b, next);
        let hint = (next != NIL).then(|| Node::trusted(self.at(next as usize) as u32));
        Some((Node::trusted(entry as u32), hint))
    }

    /// Writes `v` as the newest entry of bucket `b` (masked), at position `top` (which the
    /// caller checked below the length); keeps it only if `keep`, without a branch.
    #[inline(always)]
    fn push_at_top(&mut self, b: usize, v: Node<'id>, keep: bool) {
        let b = b & self.mask;
        let hd = self.at(b);
        let kept = if keep { self.top as u64 } else { hd };
        self.put(b, kept);
        self.put(self.top, (hd << 32) | v.get() as u64);
        self.top += keep as usize;
    }

    /// Queues `v` in bucket `b` (masked); panics if the pool is full.
    #[inline(always)]
    pub(super) fn push(&mut self, b: usize, v: Node<'id>) {
        assert!(self.top < self.pool.len(), "bucket pool full");
        self.push_at_top(b, v, true);
    }

    /// Offers one entry per arc of `out`: `f(arc, head, weight)` gives the bucket and whether
    /// to keep the entry. One check of the room per node, none per arc.
    #[inline(always)]
    pub(super) fn offer<F: Format, const T: bool>(
        &mut self,
        out: Out<'id, '_, F, T>,
        mut f: impl FnMut(usize, Node<'id>, Seconds) -> (usize, bool),
    ) {
        // `for_each` calls back exactly `out.len()` times and each call raises `top` by at
        // most one, so every `top` written below stays below `top + out.len() <= len`.
        assert!(out.len() <= self.pool.len() - self.top, "bucket pool full");
        out.for_each(|e, h, w| {
            let (b, keep) = f(e, h, w);
            self.push_at_top(b, h, keep);
        });
    }
}

/// Node slots per slab bucket before it spills into a vector: 64 holds the nodes of one
/// distance on the dense graphs measured (16 spilled often and was slower); 256 B per bucket.
pub(super) const SLAB: usize = 64;

/// The slab bucket layout: bucket `b` is `slab[b * SLAB..][..cnt[b]]` and overflows into
/// `spill[b]`; the bucket being drained is read front to back from slot `j`.
///
/// Invariant: `slab.len() == nb * SLAB`, `cnt.len() == spill.len() == nb`, `mask == nb - 1`,
/// every `cnt[b] <= SLAB`, `j <= SLAB`; the slots below `cnt[b]` and the spills hold nodes
/// written by this view, of brand `'id`; `spilled` counts the nodes in spills.
pub(super) struct Slabs<'id, 'q> {
    slab: &'q mut [u32],
    cnt: &'q mut [u32],
    spill: &'q mut [Vec<u32>],
    spilled: usize,
    mask: usize,
    j: usize,
    brand: Invariant<'id>,
}

impl<'id, 'q> Slabs<'id, 'q> {
    /// `nb` empty buckets (`nb` a power of two) in the storage given, grown as needed and
    /// kept for the next search.
    pub(super) fn new(
        slab: &'q mut Vec<u32>,
        cnt: &'q mut Vec<u32>,
        spill: &'q mut Vec<Vec<u32>>,
        nb: usize,
    ) -> Self {
        assert!(nb.is_power_of_two());
        if slab.len() < nb * SLAB {
            *slab = vec![0; nb * SLAB];
        }
        cnt.clear();
        cnt.resize(nb, 0);
        if spill.len() < nb {
            spill.resize_with(nb, Vec::new);
        }
        let spill = &mut spill[..nb];
        for s in spill.iter_mut() {
            s.clear();
        }
        Slabs {
            slab: &mut slab[..nb * SLAB],
            cnt: &mut cnt[..nb],
            spill,
            spilled: 0,
            mask: nb - 1,
            j: 0,
            brand: PhantomData,
        }
    }

    /// The count of bucket `b` (masked).
    #[inline(always)]
    fn count(&self, b: usize) -> usize {
        debug_assert!(b < self.cnt.len());
        // SAFETY: callers pass masked buckets, `b <= mask < nb == cnt.len()`.
        (unsafe { *self.cnt.get_unchecked(b) }) as usize
    }

    /// Sets the count of bucket `b` (masked) to `c <= SLAB`.
    #[inline(always)]
    fn set_count(&mut self, b: usize, c: usize) {
        debug_assert!(b < self.cnt.len() && c <= SLAB);
        // SAFETY: as in `count`.
        unsafe { *self.cnt.get_unchecked_mut(b) = c as u32 }
    }

    /// Slot `i < SLAB` of bucket `b` (masked).
    #[inline(always)]
    fn slot(&self, b: usize, i: usize) -> u32 {
        debug_assert!(i < SLAB && b * SLAB + i < self.slab.len());
        // SAFETY: `b < nb` and `i < SLAB` (callers compare it with a count, which is at most
        // `SLAB`), so `b * SLAB + i < nb * SLAB == slab.len()`.
        unsafe { *self.slab.get_unchecked(b * SLAB + i) }
    }

    /// Whether bucket `b` is empty (for buckets not being drained).
    #[inline(always)]
    pub(super) fn is_empty(&self, b: usize) -> bool {
        let b = b & self.mask;
        self.count(b) == 0 && (self.spilled == 0 || self.spill[b].is_empty())
    }

    /// Removes the next node of bucket `b`, the one being drained: its slots front to back,
    /// then its spill; with the node of the next slot, if any (a hint for prefetching). When
    /// the bucket is empty, it is reset for its next distance.
    #[inline(always)]
    pub(super) fn take(&mut self, b: usize) -> Option<(Node<'id>, Option<Node<'id>>)> {
        let b = b & self.mask;
        let c = self.count(b);
        if self.j < c {
            let v = self.slot(b, self.j);
            self.j += 1;
            let hint = (self.j < c).then(|| Node::trusted(self.slot(b, self.j)));
            Some((Node::trusted(v), hint))
        } else if let Some(v) = self.spill[b].pop() {
            self.spilled -= 1;
            Some((Node::trusted(v), None))
        } else {
            self.set_count(b, 0);
            self.j = 0;
            None
        }
    }

    /// Writes `v` into the next slot of bucket `b` (masked) and keeps it only if `keep`,
    /// without a branch; a full slab spills (kept entries only).
    #[inline(always)]
    pub(super) fn push(&mut self, b: usize, v: Node<'id>, keep: bool) {
        let b = b & self.mask;
        let c = self.count(b);
        if c < SLAB {
            debug_assert!(b * SLAB + c < self.slab.len());
            // SAFETY: `b < nb` and `c < SLAB`, so `b * SLAB + c < nb * SLAB == slab.len()`.
            unsafe { *self.slab.get_unchecked_mut(b * SLAB + c) = v.get() };
            self.set_count(b, c + keep as usize);
        } else if keep {
            self.spill[b].push(v.get()); // full slab: rare, predictable
            self.spilled += 1;
        }
    }
}

/// The binary heap's storage, `dist << 32 | node` keys, holding nodes of brand `'id`.
pub(super) struct Heap<'id, 'q> {
    heap: &'q mut BinaryHeap<Reverse<u64>>,
    brand: Invariant<'id>,
}

impl<'id, 'q> Heap<'id, 'q> {
    /// An empty heap in `heap`'s allocation.
    pub(super) fn new(heap: &'q mut BinaryHeap<Reverse<u64>>) -> Self {
        heap.clear();
        Heap {
            heap,
            brand: PhantomData,
        }
    }

    /// Queues `v` at `d`.
    #[inline(always)]
    pub(super) fn push(&mut self, v: Node<'id>, d: Seconds) {
        self.heap.push(Reverse(((d as u64) << 32) | v.get() as u64));
    }

    /// The smallest distance queued.
    #[inline(always)]
    pub(super) fn min(&self) -> Option<u64> {
        self.heap.peek().map(|k| k.0 >> 32)
    }

    /// Removes an entry of the smallest distance (ties: the smallest node).
    #[inline(always)]
    pub(super) fn pop(&mut self) -> Option<(Node<'id>, u64)> {
        let Reverse(key) = self.heap.pop()?;
        Some((Node::trusted(key as u32), key >> 32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arc(head: u32, weight: Seconds) -> CsrArc {
        CsrArc { head, weight }
    }

    #[test]
    fn verify_rejects_each_broken_rule() {
        let arcs = [arc(1, 5), arc(0, 7)];
        assert!(verify(&[0, 1, 2], &arcs, 7));
        assert!(verify(&[0], &[], 0), "no nodes, no arcs");
        assert!(!verify(&[], &[], 0), "first_out needs n + 1 entries");
        assert!(!verify(&[1, 1, 2], &arcs, 7), "must start at 0");
        assert!(!verify(&[0, 1, 1], &arcs, 7), "must end at arcs.len()");
        assert!(!verify(&[0, 2, 1, 2], &arcs, 7), "must not decrease");
        assert!(
            !verify(&[0, 1, 2], &[arc(2, 5), arc(0, 7)], 7),
            "head 2 is no node"
        );
        assert!(!verify(&[0, 1, 2], &arcs, 6), "weight above max_weight");
        // Every graph `Csr::new` accepts passes, and `Checked` exists exactly for them.
        let g = Csr::new(vec![0, 1, 2], arcs.to_vec()).unwrap();
        assert!(Checked::new(&g).is_some());
    }

    #[test]
    #[cfg_attr(miri, ignore = "graphs of 2^24 nodes; no unsafe code")]
    fn packed_records_decode_to_their_arcs() {
        fn round_trip<const W: u32>(n: u32, max_w: Seconds) {
            let arcs: Vec<CsrArc> = (0..n)
                .step_by((n as usize / 97).max(1))
                .chain([n - 1])
                .map(|h| arc(h, (h.wrapping_mul(2654435761)) % (max_w + 1)))
                .chain([arc(n - 1, max_w), arc(0, 0)])
                .collect();
            let g = Csr::from_arcs(
                n as usize,
                &arcs
                    .iter()
                    .map(|a| (0, a.head, a.weight))
                    .collect::<Vec<_>>(),
            )
            .0;
            assert_eq!(packed_width(&g), Some(W), "n {n} max weight {max_w}");
            for (&r, a) in pack(g.arcs(), W).iter().zip(g.arcs()) {
                assert_eq!(Packed::<W>::decode(r), (a.head, a.weight));
            }
        }
        round_trip::<8>(1 << 24, 255);
        round_trip::<12>(1 << 20, 4095);
        round_trip::<12>(1 << 20, 256);
        round_trip::<16>(1 << 16, 65_535);
        let too_big = Csr::from_arcs((1 << 16) + 1, &[(0, 1 << 16, 4096)]).0;
        assert_eq!(packed_width(&too_big), None, "17 + 13 bits do not fit");
    }

    #[test]
    fn views_check_what_was_not_verified() {
        let first_out = [0u32, 1, 2];
        let arcs = [arc(1, 5), arc(9, 7)];
        scope(|b| {
            let g = Graph::<Wide, false>::unverified(b, &first_out, &arcs);
            assert_eq!(g.n(), 2);
            assert!(g.node(2).is_none());
            let v0 = g.node(0).unwrap();
            let mut heads = Vec::new();
            g.out(v0).for_each(|e, h, w| heads.push((e, h.get(), w)));
            assert_eq!(heads, [(0, 1, 5)]);
            let v1 = g.node(1).unwrap();
            let bad = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                g.out(v1).for_each(|_, _, _| {})
            }));
            assert!(bad.is_err(), "head 9 of an unverified graph panics");
        });
        // An offset past the arcs panics in an unverified view.
        let first_out = [0u32, 3];
        scope(|b| {
            let g = Graph::<Wide, false>::unverified(b, &first_out, &arcs);
            let v = g.node(0).unwrap();
            let bad = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.out(v).len()));
            assert!(bad.is_err());
        });
        // No offsets: no nodes.
        scope(|b| {
            assert!(Graph::<Wide, false>::unverified(b, &[], &[])
                .node(0)
                .is_none())
        });
    }

    #[test]
    fn node_maps_need_n_entries() {
        let first_out = [0u32, 0, 0, 0];
        scope(|b| {
            let g = Graph::<Wide, false>::unverified(b, &first_out, &[]);
            let mut short = [0u32; 2];
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                g.map(&mut short);
            }));
            assert!(r.is_err());
            let mut s = [0u32; 3];
            let mut m = g.map(&mut s);
            m.set(g.node(2).unwrap(), 7);
            assert_eq!(m.get(g.node(2).unwrap()), 7);
        });
    }

    #[test]
    fn settled_list_holds_what_was_pushed() {
        let mut s = Settled::new(vec![9, 9, 9, 9, 9], 3);
        for v in [4, 1, 3] {
            s.push(v);
        }
        assert_eq!(s.finish(), [4, 1, 3]);
        let full = std::panic::catch_unwind(|| {
            let mut s = Settled::new(Vec::new(), 0);
            let room = s.list.capacity();
            for v in 0..=room as u32 {
                s.push(v);
            }
        });
        assert!(full.is_err(), "a push beyond the capacity panics");
    }

    /// A graph of `n` nodes and no arcs, for minting nodes in tests.
    fn with_nodes<R>(n: usize, f: impl for<'id> FnOnce(&Graph<'id, '_, Wide, false>) -> R) -> R {
        let first_out = vec![0u32; n + 1];
        scope(|b| f(&Graph::unverified(b, &first_out, &[])))
    }

    #[test]
    fn linked_buckets_are_lifo_and_reset() {
        let mut pool = vec![77u64; 3]; // stale content, too short: reallocated
        with_nodes(10, |g| {
            let v = |i| g.node(i).unwrap();
            let mut q = Linked::new(&mut pool, 4, 6);
            assert_eq!(q.pool.len(), 10);
            assert!((0..4).all(|b| q.is_empty(b)));
            q.push(1, v(3));
            q.push(5, v(4)); // bucket 5 & 3 = 1
            q.push_at_top(2, v(9), false); // written, not kept
            assert!(q.is_empty(2));
            assert_eq!(q.take(1), Some((v(4), Some(v(3)))));
            assert_eq!(q.take(1), Some((v(3), None)));
            assert_eq!(q.take(1), None);
        });
        with_nodes(10, |g| {
            // Reused: every head is empty again, whatever the entries hold.
            let q = Linked::new(&mut pool, 4, 6);
            assert!((0..4).all(|b| q.is_empty(b)));
            let _ = g;
        });
    }

    #[test]
    fn linked_pool_refuses_more_entries_than_its_room() {
        let first_out = [0u32, 2, 2];
        let arcs = [arc(1, 1), arc(1, 2)];
        let mut pool = Vec::new();
        scope(|b| {
            let g = Graph::<Wide, false>::unverified(b, &first_out, &arcs);
            let v0 = g.node(0).unwrap();
            let mut q = Linked::new(&mut pool, 2, 2);
            q.offer(g.out(v0), |_, _, w| (w as usize, true));
            assert_eq!(q.top, 4);
            // Two more entries do not fit: refused before anything is written.
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                q.offer(g.out(v0), |_, _, w| (w as usize, true))
            }));
            assert!(r.is_err());
        });
    }

    #[test]
    fn slabs_drain_in_order_then_spill() {
        let (mut slab, mut cnt, mut spill) = (Vec::new(), Vec::new(), vec![vec![5u32, 6]]);
        with_nodes(200, |g| {
            let v = |i| g.node(i).unwrap();
            let mut q = Slabs::new(&mut slab, &mut cnt, &mut spill, 2);
            assert!(q.is_empty(0) && q.is_empty(1), "old spills are cleared");
            for i in 0..SLAB as u32 + 3 {
                q.push(0, v(i), true);
                q.push(0, v(199), false); // written to the next slot, not kept
            }
            assert_eq!(q.spilled, 3);
            let mut got = Vec::new();
            let mut hints = 0;
            while let Some((x, hint)) = q.take(2) {
                got.push(x.get());
                if let Some(h) = hint {
                    assert_eq!(h, v(x.get() + 1), "the hint is the next slot");
                    hints += 1;
                }
            }
            assert_eq!(hints, SLAB - 1, "no hint past the slots");
            let mut want: Vec<u32> = (0..SLAB as u32).collect();
            want.extend([SLAB as u32 + 2, SLAB as u32 + 1, SLAB as u32]);
            assert_eq!(got, want);
            assert!(q.is_empty(0) && q.j == 0 && q.spilled == 0);
        });
    }

    #[test]
    fn heap_pops_by_distance_then_node() {
        let mut h = BinaryHeap::new();
        h.push(Reverse(u64::MAX)); // stale content is cleared
        with_nodes(10, |g| {
            let v = |i| g.node(i).unwrap();
            let mut q = Heap::new(&mut h);
            q.push(v(5), 3);
            q.push(v(2), 3);
            q.push(v(9), 1);
            let order: Vec<(u32, u64)> = std::iter::from_fn(|| q.pop())
                .map(|(n, d)| (n.get(), d))
                .collect();
            assert_eq!(order, [(9, 1), (2, 3), (5, 3)]);
        });
    }
}
