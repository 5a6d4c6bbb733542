//! Parallel sweeps: one-to-all searches from many origins on a rayon pool, one workspace per
//! rayon job, rows in origin order whatever the number of threads.

use rayon::prelude::*;

use super::queue::Queue;
use super::unchecked::Checked;
use super::workspace::Workspace;
use crate::graph::Csr;
use crate::network::ids::{NodeId, Seconds};

/// One search from `o` for a sweep: on the checked graph when it passed the check.
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
            || Workspace::new(g.csr().num_nodes()),
            |ws, (i, &o)| {
                ws.run_checked(g, o, bound, queue);
                f(i, ws)
            },
        )
        .collect()
}
