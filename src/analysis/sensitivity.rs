//! How answers move with the estimated minutes: which figures are estimates, and the network
//! with them scaled.

use serde::Serialize;

use crate::network::model::{Network, PlaceKind};

/// How many figures a sensitivity run varies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Estimated {
    /// Stations whose interchange minutes are marked as an estimate.
    pub interchange: usize,
    /// Explicit links (access, transfer, walk with minutes) marked as an estimate.
    pub links: usize,
}

/// Whether a source text marks its figure as an estimate (the data convention: `estimate:`
/// and the method).
pub fn is_estimate(source: &str) -> bool {
    source.to_ascii_lowercase().contains("estimate")
}

/// The network with every estimated minute scaled by `factor`: station interchange minutes and
/// explicit link minutes whose source marks them as estimates, and the automatic zone access
/// legs (their speed divided by `factor`), which are estimates by construction.
pub fn scale_estimates(net: &Network, factor: f64) -> (Network, Estimated) {
    let mut n = net.clone();
    let mut e = Estimated::default();
    for p in &mut n.places {
        if p.kind == PlaceKind::Station && p.interchange_min > 0.0 && is_estimate(&p.source) {
            p.interchange_min *= factor;
            e.interchange += 1;
        }
    }
    for l in &mut n.links {
        if let Some(m) = l.minutes.as_mut() {
            if is_estimate(&l.source) {
                *m *= factor;
                e.links += 1;
            }
        }
    }
    n.settings.access.speed_kmh /= factor;
    (n, e)
}
