//! What each project of a horizon brings: reach of centres and zones, benefits, rankings.

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::matrix::{time_matrix, TimeMatrix};
use crate::analysis::population::{
    cell_links, cell_times, CellLinks, CellReach, PopulationSurface,
};
use crate::graph::{Prepared, Profile};
use crate::network::ids::{PlaceIdx, Seconds};
use crate::network::model::Network;
use crate::network::problem::Problems;
use crate::scenario::{apply, apply_checked, Check, Library, Scenario};

/// Centre-to-centre and centre-to-zone times of one network, and to the cells of a population
/// surface when there is one: the inputs of comparisons and rankings.
#[derive(Clone, Debug)]
pub struct Reach {
    /// The centres, in file order.
    pub centres: Vec<PlaceIdx>,
    /// The zones, in file order.
    pub zones: Vec<PlaceIdx>,
    /// centres x centres.
    pub cc: TimeMatrix,
    /// centres x zones.
    pub cz: TimeMatrix,
    /// centres x cells of the population surface, if one was given.
    pub cells: Option<CellReach>,
}

/// Computes `Reach` by one sweep per centre.
pub fn reach(p: &Prepared, bound: Seconds) -> Reach {
    reach_on(p, bound, None)
}

/// Computes `Reach` by one sweep per centre, with the cells of `surface` if given.
pub fn reach_on(p: &Prepared, bound: Seconds, surface: Option<&PopulationSurface>) -> Reach {
    let (centres, zones) = (p.net.centres(), p.net.zones());
    let links = surface.map(|s| (cell_links(&p.net, p.graph.profile, s), s));
    let cols = columns(&centres, &zones, links.as_ref().map(|l| &l.0));
    let all = time_matrix(p, &centres, &cols, bound);
    Reach::split(
        centres,
        zones,
        all.secs,
        links.as_ref().map(|(l, s)| (l, *s)),
    )
}

/// The columns of a reach search: the centres, the zones, then the places cells are linked to.
fn columns(centres: &[PlaceIdx], zones: &[PlaceIdx], links: Option<&CellLinks>) -> Vec<PlaceIdx> {
    centres
        .iter()
        .chain(zones)
        .chain(links.map_or(&[][..], |l| &l.places))
        .copied()
        .collect()
}

impl Reach {
    /// A `Reach` from rows of seconds to the centres, the zones, then the link places of the
    /// surface (if any).
    fn split(
        centres: Vec<PlaceIdx>,
        zones: Vec<PlaceIdx>,
        rows: Vec<Vec<Seconds>>,
        surface: Option<(&CellLinks, &PopulationSurface)>,
    ) -> Reach {
        let (nc, nz) = (centres.len(), zones.len());
        let (mut cc, mut cz, mut cells) = (Vec::new(), Vec::new(), Vec::new());
        for mut row in rows {
            let linked = row.split_off(nc + nz);
            if let Some((l, s)) = surface {
                cells.push(cell_times(&linked, l, s.len()));
            }
            cz.push(row.split_off(nc));
            cc.push(row);
        }
        Reach {
            cells: surface.map(|(_, s)| CellReach {
                people: s.people.clone(),
                secs: cells,
            }),
            cc: TimeMatrix {
                rows: centres.clone(),
                cols: centres.clone(),
                secs: cc,
            },
            cz: TimeMatrix {
                rows: centres.clone(),
                cols: zones.clone(),
                secs: cz,
            },
            centres,
            zones,
        }
    }
}

/// Benefit of one network over a reference, the measures used to rank projects.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Benefit {
    /// Ordered centre pairs within the limit in the variant but not in the reference.
    pub pairs_gained: i64,
    /// Ordered centre pairs within the limit in the reference but not in the variant.
    pub pairs_lost: i64,
    /// Sum over centres of the population-weighted mean minutes saved to the people (the
    /// cells of the population surface, else the zones; times beyond the search bound count
    /// as the bound).
    pub pop_weighted_minutes_saved: f64,
    /// Sum over centres of the people newly within the limit (surface cells, else zones).
    pub population_gained: u64,
    /// Largest saving between two centres, minutes.
    pub max_centre_saving_min: f64,
}

/// Compares two `Reach` of networks with the same centres and zones (in the same order).
pub fn benefit(
    p_zones: &Network,
    reference: &Reach,
    variant: &Reach,
    limit: Seconds,
    bound: Seconds,
) -> Benefit {
    let mut b = Benefit::default();
    let cap = |s: Seconds| s.min(bound) as f64 / 60.0;
    for (i, row) in variant.cc.secs.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if i == j {
                continue;
            }
            let r = reference.cc.secs[i][j];
            if v <= limit && r > limit {
                b.pairs_gained += 1;
            }
            if r <= limit && v > limit {
                b.pairs_lost += 1;
            }
            b.max_centre_saving_min = b.max_centre_saving_min.max(cap(r) - cap(v));
        }
    }
    // People: the surface's cells when both reaches have them, else the zones' points.
    let (people, var_rows, ref_rows): (Vec<f64>, &[Vec<Seconds>], &[Vec<Seconds>]) =
        match (&variant.cells, &reference.cells) {
            (Some(v), Some(r)) => (v.people.to_vec(), v.secs.as_slice(), r.secs.as_slice()),
            _ => (
                variant
                    .zones
                    .iter()
                    .map(|&z| p_zones.place(z).population as f64)
                    .collect(),
                variant.cz.secs.as_slice(),
                reference.cz.secs.as_slice(),
            ),
        };
    let total_pop: f64 = people.iter().sum();
    let mut gained = 0.0;
    for (i, row) in var_rows.iter().enumerate() {
        let mut saved = 0.0;
        for (j, &v) in row.iter().enumerate() {
            let r = ref_rows[i][j];
            saved += people[j] * (cap(r) - cap(v));
            if v <= limit && r > limit {
                gained += people[j];
            }
        }
        if total_pop > 0.0 {
            b.pop_weighted_minutes_saved += saved / total_pop;
        }
    }
    b.population_gained = gained.round() as u64;
    b
}

/// One project's benefit, added alone to the base and removed alone from the horizon.
#[derive(Clone, Debug, Serialize)]
pub struct Ranked {
    /// Name of the project's scenario.
    pub project: String,
    /// Name of the project in Chinese.
    pub project_zh: String,
    /// Status from the scenario file: `planned`, `under construction` or `opened`.
    pub status: String,
    /// Expected opening year, if the scenario gives one.
    pub opening: Option<i32>,
    /// Benefit of the project added alone to the base.
    pub added_alone: Benefit,
    /// Benefit lost when the project alone is left out of the horizon.
    pub leave_one_out: Benefit,
}

/// The projects of a horizon: every scenario in its chain that has edits.
pub fn projects_of<'a>(lib: &'a Library, horizon: &str) -> Result<Vec<&'a Scenario>, Problems> {
    Ok(lib
        .chain(horizon)?
        .into_iter()
        .filter(|s| !s.edits.is_empty())
        .collect())
}

/// The two networks a project is judged on: the base with the project added alone (with
/// whatever it extends), and the horizon without it (and without what depends on it).
pub fn variants(
    net: &Network,
    lib: &Library,
    base_chain: &[&Scenario],
    full_chain: &[&Scenario],
    proj: &Scenario,
) -> Result<(Network, Network), Problems> {
    let mut chain: Vec<&Scenario> = base_chain.to_vec();
    for s in lib.chain(&proj.name)? {
        if !chain.iter().any(|c| c.name == s.name) {
            chain.push(s);
        }
    }
    let alone = apply_checked(net, &chain, Check::End)?;
    let mut loo: Vec<&Scenario> = Vec::new();
    for s in full_chain {
        let deps = lib.chain(&s.name)?;
        if !deps.iter().any(|d| d.name == proj.name) {
            loo.push(s);
        }
    }
    let without = apply_checked(net, &loo, Check::End)?;
    Ok((alone, without))
}

/// Ranks the projects of `horizon` against `base` (scenario names), in parallel. `progress` is
/// called once per finished variant.
#[allow(clippy::too_many_arguments)]
pub fn rank(
    net: &Network,
    lib: &Library,
    base: &str,
    horizon: &str,
    profile: Profile,
    limit: Seconds,
    bound: Seconds,
    timing: &Timing,
    surface: Option<&PopulationSurface>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Ranked>, Problems> {
    let reach = |n: Network| reach_of(n, profile, bound, timing, surface);
    let base_chain = lib.chain(base)?;
    let full_chain = lib.chain(horizon)?;
    let projects = projects_of(lib, horizon)?;
    let base_net = apply(net, &base_chain)?;
    let full_net = apply(net, &full_chain)?;
    let base_reach = reach(base_net.clone())?;
    let full_reach = reach(full_net)?;
    progress();
    let results: Vec<Result<Ranked, Problems>> = projects
        .par_iter()
        .map(|proj| {
            let (alone, without) = variants(net, lib, &base_chain, &full_chain, proj)?;
            let r_alone = reach(alone)?;
            progress();
            let r_without = reach(without)?;
            progress();
            Ok(Ranked {
                project: proj.name.clone(),
                project_zh: proj.project_zh.clone(),
                status: proj.status.clone(),
                opening: proj.opening,
                added_alone: benefit(&base_net, &base_reach, &r_alone, limit, bound),
                leave_one_out: benefit(&base_net, &r_without, &full_reach, limit, bound),
            })
        })
        .collect();
    let mut out = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    out.sort_by(|a, b| {
        (b.added_alone.pairs_gained + b.leave_one_out.pairs_gained)
            .cmp(&(a.added_alone.pairs_gained + a.leave_one_out.pairs_gained))
            .then(
                (b.added_alone.pop_weighted_minutes_saved
                    + b.leave_one_out.pop_weighted_minutes_saved)
                    .total_cmp(
                        &(a.added_alone.pop_weighted_minutes_saved
                            + a.leave_one_out.pop_weighted_minutes_saved),
                    ),
            )
            .then(a.project.cmp(&b.project))
    });
    Ok(out)
}

/// How travel times are counted: the static model (expected waits from headways) or
/// timetables over a departure window (the median over the window's samples).
#[derive(Clone, Debug, PartialEq)]
pub enum Timing {
    /// Expected waits from headways ([`crate::network::model::WaitPolicy`]).
    Static,
    /// Range RAPTOR over the window; times are medians.
    Timetable(crate::analysis::window::WindowOptions),
}

/// [`Reach`] of `net` by either timing (window: the medians), with the cells of `surface`
/// if given (a cell's time in a window: its best linked place's median plus the leg).
pub fn reach_of(
    net: crate::network::model::Network,
    profile: crate::graph::Profile,
    bound: Seconds,
    timing: &Timing,
    surface: Option<&PopulationSurface>,
) -> Result<Reach, crate::network::problem::Problems> {
    match timing {
        Timing::Static => Ok(reach_on(
            &crate::graph::Prepared::new(net, profile),
            bound,
            surface,
        )),
        Timing::Timetable(o) => {
            let t = crate::analysis::window::compile(&net)?;
            reach_on_timetable(&net, &t, profile, bound, o, surface)
        }
    }
}

/// [`Reach`] of `net` on its compiled timetable `t` over the window `o` (the medians),
/// searching up to `bound` seconds.
pub fn reach_on_timetable(
    net: &crate::network::model::Network,
    t: &crate::graph::timetabled::Timetabled,
    profile: crate::graph::Profile,
    bound: Seconds,
    o: &crate::analysis::window::WindowOptions,
    surface: Option<&PopulationSurface>,
) -> Result<Reach, crate::network::problem::Problems> {
    let (centres, zones) = (net.centres(), net.zones());
    let links = surface.map(|s| (cell_links(net, profile, s), s));
    let cols = columns(&centres, &zones, links.as_ref().map(|l| &l.0));
    let o = crate::analysis::window::WindowOptions { bound, ..o.clone() };
    let wm = crate::analysis::window::window_matrix(t, &centres, &cols, &o)
        .map_err(crate::analysis::window::as_problems)?;
    Ok(Reach::split(
        centres,
        zones,
        wm.percentile_matrix(50.0),
        links.as_ref().map(|(l, s)| (l, *s)),
    ))
}
