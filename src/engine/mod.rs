//! The routing core: time-bounded one-to-all shortest paths over a `Csr` graph, with a
//! reusable per-thread workspace, and parallel sweeps over many origins.
//!
//! Two queues, chosen on purpose ([`Queue`]):
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
//! The parts, one role per file:
//! - `workspace`: [`Workspace`], the per-thread state, and which search each query runs;
//! - `labels`: distances, parents and the settled list, and their reset;
//! - `queue`: [`Queue`], and the queues behind one small trait (`SearchQueue`): linked
//!   buckets, slab buckets and the heap, and the choice between them;
//! - `search`: the one search loop, generic over the queue and the graph view;
//! - `unchecked`: every `unsafe` of the engine, each with the invariant that makes it sound
//!   kept in that file ([`Checked`] graphs, branded node indices, queue storage), and tests of
//!   those invariants;
//! - `sweep`: parallel sweeps over many origins;
//! - [`raptor`]: the timetable engine (round-based, over trips instead of a graph).
//!
//! What makes the bucket search fast (measured in BENCHMARKS.md):
//! - two bucket layouts, chosen per graph by how many nodes share a bucket: on dense graphs
//!   (road grids, transit networks: tens or thousands of nodes per distance) each bucket is a
//!   fixed slab of 64 node slots drained front to back, so the queue is a few cache lines per
//!   bucket reused from one distance to the next and the next node to settle is known ahead;
//!   on sparse ones (the Guangzhou network: hours-long arcs make 8,192 buckets for 2,600
//!   nodes) the buckets are singly linked lists threaded through one flat pool written front
//!   to back, heads at its front, so the queue costs in proportion to what is pushed however
//!   many buckets there are;
//! - relaxation is branch-free: the slot or entry is always written and only kept when the
//!   arc improves its head, because that test is close to a coin toss;
//! - sweeps run on a [`Checked`] graph, validated once and borrowed for the sweep, so the loop
//!   indexes without bounds checks and reads compact 4-byte arc records (half the memory
//!   traffic of `graph::CsrArc`) whose weight field has a fixed width (8, 12 or 16 bits), so a
//!   record decodes with two immediate operations;
//! - the loop keeps few values alive (no popped counter: `nb` empty buckets in a row end the
//!   search; the pool is sized once for every entry a search can push, so its room is checked
//!   once per settled node, not per entry; an empty bucket is 0; unbounded sweeps do not list
//!   what they settled), so the relaxation runs from registers (callgrind on grid 250k: 20
//!   instructions per relaxed arc instead of 31, 30 % fewer instructions per search);
//! - each pop prefetches the label and the arcs of the node the next pop will (most likely)
//!   take, which overlaps the chain of dependent loads of one settle with the previous one.

pub mod raptor;

mod labels;
mod queue;
mod search;
mod sweep;
mod unchecked;
mod workspace;

pub use labels::NO_PARENT;
pub use queue::{uses_slab_buckets, Queue, MAX_BUCKET_WEIGHT};
pub use sweep::{sweep, sweep_with, sweep_with_checked, with_threads};
pub use unchecked::Checked;
pub use workspace::Workspace;
