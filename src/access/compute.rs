//! Accessibility of one network: from every origin point, travel times to every destination
//! at one percentile of the departure window ([`super::propagate`]), read off as the
//! indicators of a [`Spec`] ([`super::indicators::Evaluator`]), origin by origin and in
//! parallel, without holding the travel-time matrix.

use crate::access::indicators::{Evaluator, Spec};
use crate::access::links::{point_links, Point};
use crate::access::propagate::{for_each_origin_with, PropagationOptions};
use crate::analysis::window::{self, WindowOptions};
use crate::graph::timetabled::{idle_on, Timetabled};
use crate::io::opportunities::Opportunities;
use crate::network::model::{Network, Origin};
use crate::network::problem::{Problem, Problems};

/// What to compute.
#[derive(Clone, Debug)]
pub struct AccessQuery<'a> {
    /// Origins.
    pub origins: &'a [Point],
    /// Destinations and their opportunities.
    pub destinations: &'a Opportunities,
    /// The indicators.
    pub spec: &'a Spec,
    /// Date, departure window, draws, search bound.
    pub window: WindowOptions,
    /// The percentile of each travel time over the window's samples (Conveyal: 50 is the
    /// median; lower is a luckier traveller).
    pub percentile: f64,
}

/// Indicator values of one network.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessValues {
    /// `values[o * k + i]`: origin `o`, indicator `i` of `k` (in the order of
    /// [`Spec::indicators`]).
    pub values: Vec<f64>,
    /// How points reach stops (a sentence).
    pub links_model: String,
    /// Services on the default band (estimated departures).
    pub default_band: Vec<String>,
    /// Services with trips or bands none of which runs on the date.
    pub idle: Vec<String>,
    /// Origins that reach no stop (only their neighbours directly).
    pub origins_without_stop: usize,
    /// Along streets: what snapping the points did.
    pub snap_report: Option<String>,
}

/// The points of the destinations of `q`.
pub fn destination_points(d: &Opportunities) -> Vec<Point> {
    d.ids
        .iter()
        .zip(&d.lonlat)
        .map(|(id, &(lon, lat))| Point {
            id: id.clone(),
            lon,
            lat,
        })
        .collect()
}

/// Computes the indicators of `q` on `net`; `progress` is called once per origin.
pub fn access_values(
    net: &Network,
    q: &AccessQuery<'_>,
    progress: &(dyn Fn() + Sync),
) -> Result<AccessValues, Problems> {
    access_values_on(net, &window::compile(net)?, q, progress)
}

/// [`access_values`] on `net` whose timetables are compiled already (`t` is
/// [`window::compile`]'s for `net`): for callers that keep the compiled network.
pub fn access_values_on(
    net: &Network,
    t: &Timetabled,
    q: &AccessQuery<'_>,
    progress: &(dyn Fn() + Sync),
) -> Result<AccessValues, Problems> {
    let cols: Vec<&[f64]> = q
        .spec
        .columns
        .iter()
        .map(|c| q.destinations.column(c).unwrap_or(&[]))
        .collect();
    let ev = Evaluator::new(q.spec, &cols).map_err(|e| {
        Problems(vec![Problem::error(
            &Origin::default(),
            "indicators",
            e,
            "choose columns the opportunities file has, and valid cutoffs and decays",
        )])
    })?;
    let dests = destination_points(q.destinations);
    let nl = point_links(net, t, q.origins, &dests)?;
    let (links, links_model, snap_report) = (nl.links, nl.model, nl.snap_report);
    let k = ev.indicators().len();
    let po = PropagationOptions {
        window: WindowOptions {
            bound: q.window.bound.min(ev.bound_seconds()),
            ..q.window.clone()
        },
        percentiles: vec![q.percentile],
        limit: None,
    };
    let rows = for_each_origin_with(
        t,
        &links,
        &po,
        || ev.scratch(),
        |scratch, _, r| {
            let mut out = vec![0.0; k];
            ev.evaluate(scratch, &r.pct[0], &mut out);
            progress();
            out
        },
    )
    .map_err(window::as_problems)?;
    Ok(AccessValues {
        values: rows.concat(),
        links_model,
        default_band: t.default_band.clone(),
        idle: idle_on(net, q.window.date),
        origins_without_stop: links.access.iter().filter(|a| a.is_empty()).count(),
        snap_report,
    })
}
