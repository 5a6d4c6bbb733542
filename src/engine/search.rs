//! The one search loop: Dijkstra over any `SearchQueue`, on any view of a graph.
//!
//! Const parameters pick what each instance does, so that every check it does not need is
//! compiled out: `PARENTS` records the arc reaching each node; `BOUNDED` compares each label
//! with the bound (without it the bound is `UNREACHED`, and a sum below the old label is below
//! `UNREACHED` too); `RECORD` lists the settled nodes. The view's `TRUSTED` says whether arc
//! ranges and heads were verified beforehand (`Checked`) or are checked as they are read.
//!
//! The loop is written for the register file: few values live across the relaxation (labels,
//! the queue's base and top or counts, the current distance, the graph), so the relaxation runs
//! from registers; each pop prefetches the label and the arcs of the node the next pop will
//! most likely take, which overlaps the chain of dependent loads of one settle with the
//! previous one.

use super::queue::SearchQueue;
use super::unchecked::{Format, Graph, Node, NodeMap, Settled};
use crate::network::ids::{NodeId, Seconds};

/// One-to-all shortest paths on `g` from `sources` (node, start offset), settling nodes up to
/// `bound` seconds, on the labels given (all `UNREACHED` and `NO_PARENT` on entry).
///
/// Panics if a source is not a node of `g`, or if an unverified view meets a broken arc.
#[allow(clippy::too_many_arguments)]
pub(super) fn search<
    'id,
    Q: SearchQueue<'id>,
    F: Format,
    const TRUSTED: bool,
    const PARENTS: bool,
    const BOUNDED: bool,
    const RECORD: bool,
>(
    g: &Graph<'id, '_, F, TRUSTED>,
    dist: &mut NodeMap<'id, '_, Seconds>,
    parent: &mut NodeMap<'id, '_, u32>,
    settled: &mut Settled,
    q: &mut Q,
    sources: &[(NodeId, Seconds)],
    bound: Seconds,
) {
    // `nd < min(old, bound + 1)` is `nd < old && nd <= bound`.
    let bound1 = bound.saturating_add(1) as u64;
    let mut queued = false;
    for &(s, d0) in sources {
        let Some(v) = g.node(s.0) else {
            panic!("source {s} is not a node of the graph ({} nodes)", g.n());
        };
        if (d0 as u64) < (dist.get(v) as u64).min(bound1) {
            dist.set(v, d0);
            q.push_source(v, d0);
            queued = true;
        }
    }
    if !queued {
        return; // no source within the bound
    }
    while let Some(cur) = q.next_distance() {
        while let Some((v, next)) = q.pop_at(cur) {
            // Start loading the label and the arcs of the next node while this one's arcs are
            // relaxed: it shortens the chain of dependent loads (entry → node → offsets →
            // arcs).
            if let Some(next) = next {
                dist.prefetch(next);
                g.prefetch_out(next);
            }
            if dist.get(v) as u64 != cur {
                continue; // stale: v was reached more cheaply since
            }
            if RECORD {
                settled.push(v.get());
            }
            q.offer(g.out(v), |e, h, w| {
                // In u64 the sum cannot overflow, and an improvement fits in u32.
                let nd = cur + w as u64;
                let better = relax::<Q, PARENTS, BOUNDED>(dist, parent, h, nd, bound1, e);
                (nd, better)
            });
        }
    }
}

/// Offers label `nd` to node `h` by arc `e` and says whether it improved. Under `BOUNDED`,
/// labels above the bound (`bound1 - 1`) are no improvement. For a queue that is
/// `BRANCH_FREE` the label is always written (the old one when `nd` is no better), for the
/// queue to keep or drop its entry without a branch.
#[inline(always)]
fn relax<'id, Q: SearchQueue<'id>, const PARENTS: bool, const BOUNDED: bool>(
    dist: &mut NodeMap<'id, '_, Seconds>,
    parent: &mut NodeMap<'id, '_, u32>,
    h: Node<'id>,
    nd: u64,
    bound1: u64,
    e: usize,
) -> bool {
    let old = dist.get(h);
    let better = if BOUNDED {
        nd < (old as u64).min(bound1)
    } else {
        nd < old as u64
    };
    if Q::BRANCH_FREE {
        dist.set(h, if better { nd as Seconds } else { old });
        if PARENTS && better {
            parent.set(h, e as u32);
        }
    } else if better {
        dist.set(h, nd as Seconds);
        if PARENTS {
            parent.set(h, e as u32);
        }
    }
    better
}
