//! Projects ranked by who gains accessibility: each project of a horizon added alone to the
//! base and left out of the horizon (the same two variants as the centre ranking,
//! [`crate::analysis::rank::variants`]), judged by one cumulative indicator (opportunities
//! within a cutoff) at every origin, weighted by the people there. A project that changes
//! nobody's trips between centres still registers when it changes anyone's access.

use serde::Serialize;

use crate::access::compute::{access_values, AccessQuery};
use crate::access::indicators::Spec;
use crate::access::links::Point;
use crate::analysis::rank::{projects_of, variants};
use crate::analysis::window::WindowOptions;
use crate::io::opportunities::Opportunities;
use crate::network::model::Network;
use crate::network::problem::Problems;
use crate::scenario::{apply, Library};

/// What a project changes in one comparison (a variant against its reference).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AccessBenefit {
    /// Weighted mean change of the indicator over the origins (opportunities per person).
    pub weighted_mean_gain: f64,
    /// Weight (people) at origins whose indicator rose.
    pub weight_gaining: f64,
    /// Weight (people) at origins whose indicator rose by at least 10 %.
    pub weight_gaining_10pct: f64,
    /// Weight (people) at origins whose indicator fell.
    pub weight_losing: f64,
}

/// One project's accessibility benefit.
#[derive(Clone, Debug, Serialize)]
pub struct AccessRanked {
    /// Name of the project's scenario.
    pub project: String,
    /// Name of the project in Chinese.
    pub project_zh: String,
    /// Status from the scenario file.
    pub status: String,
    /// Expected opening year, if given.
    pub opening: Option<i32>,
    /// Added alone to the base.
    pub added_alone: AccessBenefit,
    /// Left out of the horizon (what the horizon loses without it).
    pub leave_one_out: AccessBenefit,
}

/// Compares indicator values `v` against `reference`, origin by origin, with `weight`.
pub fn benefit(reference: &[f64], v: &[f64], weight: &[f64]) -> AccessBenefit {
    let total: f64 = weight.iter().sum();
    let mut b = AccessBenefit::default();
    let mut sum = 0.0;
    for ((&r, &x), &w) in reference.iter().zip(v).zip(weight) {
        let d = x - r;
        sum += w * d;
        let tol = 1e-9 * r.abs().max(x.abs()).max(1.0);
        if d > tol {
            b.weight_gaining += w;
            if r <= 0.0 || d >= 0.1 * r - tol {
                b.weight_gaining_10pct += w;
            }
        } else if d < -tol {
            b.weight_losing += w;
        }
    }
    if total > 0.0 {
        b.weighted_mean_gain = sum / total;
    }
    b
}

/// Ranks the projects of `horizon` against `base` by the first indicator of `q.spec` (a
/// cumulative count: give one column and one cutoff), each origin weighted by `weight`
/// (people; one value per origin). `progress` is called once per network computed.
pub fn rank_access(
    net: &Network,
    lib: &Library,
    base: &str,
    horizon: &str,
    q: &AccessQuery<'_>,
    weight: &[f64],
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<AccessRanked>, Problems> {
    let k = q.spec.indicators().len().max(1);
    let first = |v: Vec<f64>| -> Vec<f64> { v.chunks(k).map(|c| c[0]).collect() };
    let values = |n: &Network| -> Result<Vec<f64>, Problems> {
        let r = access_values(n, q, &|| {})?;
        progress();
        Ok(first(r.values))
    };
    let base_chain = lib.chain(base)?;
    let full_chain = lib.chain(horizon)?;
    let base_v = values(&apply(net, &base_chain)?)?;
    let full_v = values(&apply(net, &full_chain)?)?;
    let mut out = Vec::new();
    for proj in projects_of(lib, horizon)? {
        let (alone, without) = variants(net, lib, &base_chain, &full_chain, proj)?;
        let a = values(&alone)?;
        let w = values(&without)?;
        out.push(AccessRanked {
            project: proj.name.clone(),
            project_zh: proj.project_zh.clone(),
            status: proj.status.clone(),
            opening: proj.opening,
            added_alone: benefit(&base_v, &a, weight),
            leave_one_out: benefit(&w, &full_v, weight),
        });
    }
    out.sort_by(|a, b| {
        (b.added_alone.weighted_mean_gain + b.leave_one_out.weighted_mean_gain)
            .total_cmp(&(a.added_alone.weighted_mean_gain + a.leave_one_out.weighted_mean_gain))
            .then(a.project.cmp(&b.project))
    });
    Ok(out)
}

/// A ranking by accessibility asked for: one opportunity column within one cutoff, from
/// origins weighted by the people there, over a departure window.
pub struct AccessRankQuery<'a> {
    /// Origins.
    pub origins: &'a [Point],
    /// Weight of each origin (people there; 1 each when nobody is counted).
    pub weight: &'a [f64],
    /// Destinations and their opportunities.
    pub destinations: &'a Opportunities,
    /// The opportunity column measured.
    pub column: &'a str,
    /// The cutoff, minutes.
    pub cutoff_min: u32,
    /// Date, departure window, draws, search bound.
    pub window: WindowOptions,
    /// The percentile of each travel time over the window's samples.
    pub percentile: f64,
}

impl AccessRankQuery<'_> {
    /// The one cumulative indicator measured (check it with [`Spec::check`]).
    pub fn spec(&self) -> Spec {
        Spec {
            columns: vec![self.column.to_string()],
            cutoffs_min: vec![self.cutoff_min],
            decays: vec![],
            duals: vec![],
        }
    }

    /// The indicator's name, `<column>_within_<cutoff>`.
    pub fn indicator(&self) -> String {
        format!("{}_within_{}", self.column, self.cutoff_min)
    }
}

/// Ranks the projects of `horizon` against `base` by the indicator of `q` ([`rank_access`]
/// on its one column and cutoff). `progress` is called once per network computed.
pub fn rank_by_access(
    net: &Network,
    lib: &Library,
    base: &str,
    horizon: &str,
    q: &AccessRankQuery<'_>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<AccessRanked>, Problems> {
    let spec = q.spec();
    let query = AccessQuery {
        origins: q.origins,
        destinations: q.destinations,
        spec: &spec,
        window: q.window.clone(),
        percentile: q.percentile,
    };
    rank_access(net, lib, base, horizon, &query, q.weight, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benefit_weighs_gains_and_losses() {
        let b = benefit(
            &[100.0, 100.0, 0.0, 50.0],
            &[105.0, 120.0, 3.0, 40.0],
            &[1.0, 2.0, 3.0, 4.0],
        );
        assert_eq!(b.weight_gaining, 6.0);
        assert_eq!(b.weight_gaining_10pct, 5.0);
        assert_eq!(b.weight_losing, 4.0);
        let mean = (5.0 + 2.0 * 20.0 + 3.0 * 3.0 - 4.0 * 10.0) / 10.0;
        assert!((b.weighted_mean_gain - mean).abs() < 1e-12);
    }
}
