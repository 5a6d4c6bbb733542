//! Two networks compared centre by centre.

use serde::Serialize;

use crate::analysis::matrix::population_within;
use crate::analysis::rank::{benefit, reach, Benefit, Reach};
use crate::graph::Prepared;
use crate::network::ids::Seconds;
use crate::network::model::Network;

/// A comparison of two networks (same centres and zones).
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// Centre place ids, the order of the rows and columns.
    pub centres: Vec<String>,
    /// Base minutes, other minutes and the difference (other - base), centre by centre.
    pub base_minutes: Vec<Vec<Option<f64>>>,
    /// Minutes in the other network, centre by centre (`None` if unreached).
    pub other_minutes: Vec<Vec<Option<f64>>>,
    /// Other minus base, minutes (negative = faster; `None` if either is unreached).
    pub delta_minutes: Vec<Vec<Option<f64>>>,
    /// Ordered pairs (from, to) that newly meet the limit, and that newly miss it.
    pub newly_within: Vec<(String, String)>,
    /// Ordered pairs of centre ids that newly miss the limit.
    pub newly_over: Vec<(String, String)>,
    /// The largest savings: (from, to, base, other) sorted by saving.
    pub largest_gains: Vec<(String, String, Option<f64>, Option<f64>)>,
    /// Where the people counted come from: `surface` (the cells of the network's population
    /// surface, reached within the limit) or `zones` (zones whose point is reached).
    pub population_from: &'static str,
    /// People within the limit of each centre in the base network.
    pub population_base: Vec<u64>,
    /// People within the limit of each centre in the other network.
    pub population_other: Vec<u64>,
    /// Benefit of the other network over the base.
    pub benefit: Benefit,
}

/// Compares `other` with `base`: centre times, pairs that cross `limit` (seconds) and population within it, searching up to `bound` (seconds).
pub fn compare(base: &Prepared, other: &Prepared, limit: Seconds, bound: Seconds) -> Comparison {
    let rb = reach(base, bound);
    let ro = reach(other, bound);
    compare_reach(&base.net, &other.net, &rb, &ro, limit, bound)
}

/// The people within `limit` of each centre: on the population surface's cells when the
/// reach has them, else the zones' populations.
fn people_within(net: &Network, r: &Reach, limit: Seconds) -> Vec<u64> {
    match &r.cells {
        Some(c) => c.population_within(limit),
        None => population_within(net, &r.cz, limit),
    }
}

/// Compares two networks from their [`Reach`] (by either timing).
pub fn compare_reach(
    base: &Network,
    other: &Network,
    rb: &Reach,
    ro: &Reach,
    limit: Seconds,
    bound: Seconds,
) -> Comparison {
    let ids: Vec<String> = rb
        .centres
        .iter()
        .map(|&c| base.place(c).id.clone())
        .collect();
    let n = ids.len();
    let mins = |r: &Reach| -> Vec<Vec<Option<f64>>> {
        (0..n)
            .map(|i| (0..n).map(|j| r.cc.minutes(i, j)).collect())
            .collect()
    };
    let (bm, om) = (mins(rb), mins(ro));
    let mut delta = vec![vec![None; n]; n];
    let mut newly_within = Vec::new();
    let mut newly_over = Vec::new();
    let mut gains = Vec::new();
    let capped = |x: Option<f64>| x.unwrap_or(bound as f64 / 60.0);
    for i in 0..n {
        for j in 0..n {
            delta[i][j] = match (bm[i][j], om[i][j]) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            if i == j {
                continue;
            }
            let (b, o) = (rb.cc.secs[i][j], ro.cc.secs[i][j]);
            if o <= limit && b > limit {
                newly_within.push((ids[i].clone(), ids[j].clone()));
            }
            if b <= limit && o > limit {
                newly_over.push((ids[i].clone(), ids[j].clone()));
            }
            let saving = capped(bm[i][j]) - capped(om[i][j]);
            if saving > 0.05 {
                gains.push((saving, ids[i].clone(), ids[j].clone(), bm[i][j], om[i][j]));
            }
        }
    }
    gains.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    Comparison {
        centres: ids,
        base_minutes: bm,
        other_minutes: om,
        delta_minutes: delta,
        newly_within,
        newly_over,
        largest_gains: gains
            .into_iter()
            .take(10)
            .map(|g| (g.1, g.2, g.3, g.4))
            .collect(),
        population_from: if rb.cells.is_some() && ro.cells.is_some() {
            "surface"
        } else {
            "zones"
        },
        population_base: people_within(base, rb, limit),
        population_other: people_within(other, ro, limit),
        benefit: benefit(base, rb, ro, limit, bound),
    }
}
