//! What planners ask: centre-to-centre matrices with verdicts, routes explained as legs,
//! scenario comparisons, zone population within reach, and rankings of projects.

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{sweep, Queue, Workspace};
use crate::graph::{ArcKind, Prepared, Profile};
use crate::network::ids::{seconds_to_minutes, EdgeId, NodeId, PlaceIdx, Seconds, UNREACHED};
use crate::network::model::{Network, PlaceKind};
use crate::network::problem::Problems;
use crate::scenario::{apply, apply_checked, Check, Library, Scenario};

/// Travel times from `rows` to `cols`, seconds (`UNREACHED` beyond the bound).
#[derive(Clone, Debug, PartialEq)]
pub struct TimeMatrix {
    pub rows: Vec<PlaceIdx>,
    pub cols: Vec<PlaceIdx>,
    pub secs: Vec<Vec<Seconds>>,
}

impl TimeMatrix {
    pub fn minutes(&self, i: usize, j: usize) -> Option<f64> {
        let s = self.secs[i][j];
        (s != UNREACHED).then(|| seconds_to_minutes(s))
    }
}

/// Door-to-door times between places, all origins in parallel.
pub fn time_matrix(
    p: &Prepared,
    rows: &[PlaceIdx],
    cols: &[PlaceIdx],
    bound: Seconds,
) -> TimeMatrix {
    let origins: Vec<NodeId> = rows.iter().map(|&r| p.graph.place_node(r)).collect();
    let targets: Vec<NodeId> = cols.iter().map(|&c| p.graph.place_node(c)).collect();
    let secs = sweep(&p.graph.csr, &origins, &targets, bound, Queue::Bucket);
    TimeMatrix {
        rows: rows.to_vec(),
        cols: cols.to_vec(),
        secs,
    }
}

/// Which time a matrix reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Indicator {
    /// Door to door, from one point per centre: walk or local access, stations, waits, rides,
    /// transfers and egress.
    Door,
    /// The plan's measure: rail (and metro) time between the centres' main stations: the
    /// expected wait for the first train, rides, dwells, transfers and their waits; no access or
    /// egress, no entrance-to-platform time at the first station.
    Station,
}

impl Indicator {
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::Door => "door",
            Indicator::Station => "station",
        }
    }
}

/// For each cell of a centre matrix, the main stations (origin, destination) of its fastest
/// trip; `None` where unreached or on the diagonal.
pub type StationPairs = Vec<StationPairsRow>;

/// One row of [`StationPairs`].
pub type StationPairsRow = Vec<Option<(String, String)>>;

/// Station-to-station times between centres: for each ordered pair the fastest trip from any
/// main station of the first centre to any main station of the second.
#[derive(Clone, Debug, PartialEq)]
pub struct StationMatrix {
    pub matrix: TimeMatrix,
    /// The station ids of the fastest trip of each cell (`None` where unreached or on the
    /// diagonal).
    pub via: StationPairs,
}

/// The station-to-station indicator between `centres` on a network compiled with
/// [`Profile::Station`]. A centre without main stations (or whose main stations no service
/// calls at) has no times.
pub fn station_matrix(p: &Prepared, centres: &[PlaceIdx], bound: Seconds) -> StationMatrix {
    assert_eq!(
        p.graph.profile,
        Profile::Station,
        "compile with Profile::Station"
    );
    let idx = p.net.place_index();
    let stations_of = |c: PlaceIdx| -> Vec<PlaceIdx> {
        p.net
            .main_stations_of(&p.net.place(c).id)
            .into_iter()
            .filter_map(|s| idx.get(s).copied())
            .collect()
    };
    // One search per (origin centre, main station); each starts on the station's departure
    // platforms with the expected wait only (board arcs carry interchange + wait).
    let origins: Vec<(usize, PlaceIdx)> = centres
        .iter()
        .enumerate()
        .flat_map(|(i, &c)| stations_of(c).into_iter().map(move |s| (i, s)))
        .collect();
    let targets: Vec<Vec<PlaceIdx>> = centres.iter().map(|&c| stations_of(c)).collect();
    let g = &p.graph;
    let rows: Vec<Vec<(Seconds, PlaceIdx)>> = origins
        .par_iter()
        .map_init(
            || Workspace::new(g.csr.num_nodes()),
            |ws, &(_, s)| {
                let node = g.place_node(s);
                let entrance =
                    crate::network::ids::minutes_to_seconds(p.net.place(s).interchange_min);
                let (first, arcs) = g.csr.out(node.0);
                let mut sources = vec![(node, 0)];
                for (k, a) in arcs.iter().enumerate() {
                    if g.meta[first as usize + k].kind == ArcKind::Board {
                        sources.push((NodeId(a.head), a.weight.saturating_sub(entrance)));
                    }
                }
                ws.run_multi(&g.csr, &sources, bound, Queue::Bucket, false);
                targets
                    .iter()
                    .map(|ts| {
                        ts.iter()
                            .map(|&t| (ws.dist(g.place_node(t)), t))
                            .min_by_key(|&(d, t)| (d, t))
                            .unwrap_or((UNREACHED, s))
                    })
                    .collect()
            },
        )
        .collect();
    let n = centres.len();
    let mut secs = vec![vec![UNREACHED; n]; n];
    let mut via = vec![vec![None; n]; n];
    for (k, &(i, s)) in origins.iter().enumerate() {
        for j in 0..n {
            let (d, t) = rows[k][j];
            if i != j && d < secs[i][j] {
                secs[i][j] = d;
                via[i][j] = Some((p.net.place(s).id.clone(), p.net.place(t).id.clone()));
            }
        }
    }
    for (i, row) in secs.iter_mut().enumerate() {
        row[i] = 0;
    }
    StationMatrix {
        matrix: TimeMatrix {
            rows: centres.to_vec(),
            cols: centres.to_vec(),
            secs,
        },
        via,
    }
}

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

/// The kind of a leg of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LegKind {
    Walk,
    /// Local access by bus, taxi or bike (explicit access links, zone feeders).
    Access,
    Wait,
    Ride,
    Transfer,
    Drive,
}

/// One leg of a route.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Leg {
    pub kind: LegKind,
    pub minutes: f64,
    /// Service id and line of wait and ride legs; road names of drive legs.
    pub service: Option<String>,
    pub from: String,
    pub to: String,
    #[serde(skip)]
    pub secs: Seconds,
}

/// A route with its legs; the legs' minutes add up to the total.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Route {
    pub total_minutes: f64,
    pub legs: Vec<Leg>,
}

/// The fastest route from `from` to `to`, or `None` if not reachable within `bound`.
pub fn route(p: &Prepared, from: PlaceIdx, to: PlaceIdx, bound: Seconds) -> Option<Route> {
    let g = &p.graph;
    let mut ws = Workspace::new(g.csr.num_nodes());
    ws.run(&g.csr, g.place_node(from), bound, Queue::Bucket, true);
    explain(p, &ws, g.place_node(to))
}

/// Explains the path to `target` found by a search run with parents.
pub fn explain(p: &Prepared, ws: &Workspace, target: NodeId) -> Option<Route> {
    let g = &p.graph;
    let total = ws.dist(target);
    if total == UNREACHED {
        return None;
    }
    let mut edges: Vec<EdgeId> = Vec::new();
    let mut v = target;
    while let Some(e) = ws.parent(v) {
        edges.push(e);
        v = g.csr.tail(e);
    }
    edges.reverse();
    let name = |n: NodeId| p.net.place(g.node_place[n.idx()]).name.clone();
    let mut legs: Vec<Leg> = Vec::new();
    for e in edges {
        let m = g.meta[e.idx()];
        let tail = g.csr.tail(e);
        let head = NodeId(g.csr.arcs()[e.idx()].head);
        let w = g.csr.arcs()[e.idx()].weight;
        let service_label = |i: u32| {
            let s = &p.net.services[i as usize];
            format!("{} ({})", s.line, s.id)
        };
        let (kind, service, secs) = match m.kind {
            ArcKind::Alight => continue,
            ArcKind::Walk => (LegKind::Walk, None, w),
            ArcKind::Access => (LegKind::Access, None, w),
            ArcKind::Transfer => (LegKind::Transfer, None, w),
            ArcKind::Board => {
                // The board arc is the in-station walk to the platform, then the wait.
                let st = p.net.place(g.node_place[tail.idx()]);
                let walk = crate::network::ids::minutes_to_seconds(st.interchange_min).min(w);
                if walk > 0 {
                    push_leg(
                        &mut legs,
                        LegKind::Transfer,
                        None,
                        name(tail),
                        name(tail),
                        walk,
                    );
                }
                (LegKind::Wait, Some(service_label(m.what)), w - walk)
            }
            ArcKind::Ride => (LegKind::Ride, Some(service_label(m.what)), w),
            ArcKind::Drive => {
                let r = &p.net.roads[m.what as usize];
                (LegKind::Drive, Some(r.name.clone()), w)
            }
            ArcKind::Connector => (LegKind::Drive, Some("local streets and parking".into()), w),
        };
        push_leg(&mut legs, kind, service, name(tail), name(head), secs);
    }
    Some(Route {
        total_minutes: seconds_to_minutes(total),
        legs,
    })
}

/// Appends a leg, merging it into the previous one when it continues it (same kind and
/// service, e.g. consecutive rides on one train or consecutive road links of one road).
fn push_leg(
    legs: &mut Vec<Leg>,
    kind: LegKind,
    service: Option<String>,
    from: String,
    to: String,
    secs: Seconds,
) {
    if let Some(last) = legs.last_mut() {
        if last.kind == kind && last.service == service && kind != LegKind::Wait {
            last.to = to;
            last.secs += secs;
            last.minutes = seconds_to_minutes(last.secs);
            return;
        }
    }
    legs.push(Leg {
        kind,
        minutes: seconds_to_minutes(secs),
        service,
        from,
        to,
        secs,
    });
}

/// Resident population of the zones reached within `limit` seconds of each row origin.
pub fn population_within(p: &Prepared, m: &TimeMatrix, limit: Seconds) -> Vec<u64> {
    m.secs
        .iter()
        .map(|row| {
            row.iter()
                .zip(&m.cols)
                .filter(|(&s, _)| s <= limit)
                .map(|(_, &z)| p.net.place(z).population)
                .sum()
        })
        .collect()
}

/// Centre-to-centre and centre-to-zone times of one network: the inputs of comparisons and
/// rankings.
#[derive(Clone, Debug)]
pub struct Reach {
    pub centres: Vec<PlaceIdx>,
    pub zones: Vec<PlaceIdx>,
    /// centres x centres.
    pub cc: TimeMatrix,
    /// centres x zones.
    pub cz: TimeMatrix,
}

/// Computes `Reach` by one sweep per centre.
pub fn reach(p: &Prepared, bound: Seconds) -> Reach {
    let centres = p.net.centres();
    let zones = p.net.zones();
    let mut cols = centres.clone();
    cols.extend(&zones);
    let all = time_matrix(p, &centres, &cols, bound);
    let nc = centres.len();
    let (mut cc, mut cz) = (Vec::new(), Vec::new());
    for row in all.secs {
        cc.push(row[..nc].to_vec());
        cz.push(row[nc..].to_vec());
    }
    Reach {
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

/// Benefit of one network over a reference, the measures used to rank projects.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Benefit {
    /// Ordered centre pairs within the limit in the variant but not in the reference.
    pub pairs_gained: i64,
    /// Ordered centre pairs within the limit in the reference but not in the variant.
    pub pairs_lost: i64,
    /// Sum over centres of the population-weighted mean minutes saved to the zones (times
    /// beyond the search bound count as the bound).
    pub pop_weighted_minutes_saved: f64,
    /// Sum over centres of zone population newly within the limit.
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
    let total_pop: f64 = variant
        .zones
        .iter()
        .map(|&z| p_zones.place(z).population as f64)
        .sum();
    for (i, row) in variant.cz.secs.iter().enumerate() {
        let mut saved = 0.0;
        for (j, &v) in row.iter().enumerate() {
            let r = reference.cz.secs[i][j];
            let pop = p_zones.place(variant.zones[j]).population;
            saved += pop as f64 * (cap(r) - cap(v));
            if v <= limit && r > limit {
                b.population_gained += pop;
            }
        }
        if total_pop > 0.0 {
            b.pop_weighted_minutes_saved += saved / total_pop;
        }
    }
    b
}

/// One project's benefit, added alone to the base and removed alone from the horizon.
#[derive(Clone, Debug, Serialize)]
pub struct Ranked {
    pub project: String,
    pub project_zh: String,
    pub status: String,
    pub opening: Option<i32>,
    pub added_alone: Benefit,
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
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Ranked>, Problems> {
    let base_chain = lib.chain(base)?;
    let full_chain = lib.chain(horizon)?;
    let projects = projects_of(lib, horizon)?;
    let base_net = apply(net, &base_chain)?;
    let full_net = apply(net, &full_chain)?;
    let base_reach = reach(&Prepared::new(base_net.clone(), profile), bound);
    let full_reach = reach(&Prepared::new(full_net, profile), bound);
    progress();
    let results: Vec<Result<Ranked, Problems>> = projects
        .par_iter()
        .map(|proj| {
            // Added alone: the base, then the project with whatever it extends.
            let mut chain = base_chain.clone();
            for s in lib.chain(&proj.name)? {
                if !chain.iter().any(|c| c.name == s.name) {
                    chain.push(s);
                }
            }
            let alone = apply_checked(net, &chain, Check::End)?;
            let r_alone = reach(&Prepared::new(alone, profile), bound);
            progress();
            // Left out: the horizon without the project and without what depends on it.
            let mut loo: Vec<&Scenario> = Vec::new();
            for s in &full_chain {
                let deps = lib.chain(&s.name)?;
                if !deps.iter().any(|d| d.name == proj.name) {
                    loo.push(s);
                }
            }
            let without = apply_checked(net, &loo, Check::End)?;
            let r_without = reach(&Prepared::new(without, profile), bound);
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

/// The place named `q`: an exact id wins; then an exact English (case-insensitive) or Chinese
/// name; several places of that name are ambiguous. Close candidates appear only in the error.
pub fn find_place(net: &Network, q: &str) -> Result<PlaceIdx, String> {
    let qt = q.trim();
    let ql = qt.to_lowercase();
    if let Some(i) = net.places.iter().position(|p| p.id == qt || p.id == ql) {
        return Ok(PlaceIdx::from_idx(i));
    }
    let exact: Vec<usize> = net
        .places
        .iter()
        .enumerate()
        .filter(|(_, p)| p.name.to_lowercase() == ql || p.name_zh == qt)
        .map(|(i, _)| i)
        .collect();
    let show = |i: &usize| {
        let p = &net.places[*i];
        format!("{} ({} {}, {})", p.id, p.name, p.name_zh, p.kind.as_str())
    };
    match exact.len() {
        1 => Ok(PlaceIdx::from_idx(exact[0])),
        0 => {
            let mut cand: Vec<(usize, usize)> = net
                .places
                .iter()
                .enumerate()
                .filter(|(_, p)| p.kind != PlaceKind::RoadNode)
                .map(|(i, p)| {
                    let d = strsim::levenshtein(&p.id, &ql)
                        .min(strsim::levenshtein(&p.name.to_lowercase(), &ql))
                        .min(if !qt.is_empty() && p.name_zh.contains(qt) {
                            0
                        } else {
                            strsim::levenshtein(&p.name_zh, qt)
                        });
                    (d, i)
                })
                .collect();
            cand.sort();
            let list: Vec<String> = cand.iter().take(5).map(|(_, i)| show(i)).collect();
            Err(format!("unknown place '{q}'; closest: {}", list.join("; ")))
        }
        _ => Err(format!(
            "'{q}' is ambiguous: {}; name it by id",
            exact.iter().map(show).collect::<Vec<_>>().join("; ")
        )),
    }
}

/// A comparison of two networks (same centres and zones).
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub centres: Vec<String>,
    /// Base minutes, other minutes and the difference (other - base), centre by centre.
    pub base_minutes: Vec<Vec<Option<f64>>>,
    pub other_minutes: Vec<Vec<Option<f64>>>,
    pub delta_minutes: Vec<Vec<Option<f64>>>,
    /// Ordered pairs (from, to) that newly meet the limit, and that newly miss it.
    pub newly_within: Vec<(String, String)>,
    pub newly_over: Vec<(String, String)>,
    /// The largest savings: (from, to, base, other) sorted by saving.
    pub largest_gains: Vec<(String, String, Option<f64>, Option<f64>)>,
    /// Zone population within the limit of each centre, before and after.
    pub population_base: Vec<u64>,
    pub population_other: Vec<u64>,
    pub benefit: Benefit,
}

pub fn compare(base: &Prepared, other: &Prepared, limit: Seconds, bound: Seconds) -> Comparison {
    let rb = reach(base, bound);
    let ro = reach(other, bound);
    let ids: Vec<String> = rb
        .centres
        .iter()
        .map(|&c| base.net.place(c).id.clone())
        .collect();
    let n = ids.len();
    let mins = |r: &Reach| -> Vec<Vec<Option<f64>>> {
        (0..n)
            .map(|i| (0..n).map(|j| r.cc.minutes(i, j)).collect())
            .collect()
    };
    let (bm, om) = (mins(&rb), mins(&ro));
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
        population_base: population_within(base, &rb.cz, limit),
        population_other: population_within(other, &ro.cz, limit),
        benefit: benefit(&base.net, &rb, &ro, limit, bound),
    }
}

/// The fastest scheduled in-vehicle time from station `from` to station `to` on one service
/// (run times plus intermediate dwells), over every service and direction that calls at both
/// in that order: what a timetable's "fastest train" column gives. Returns the service id and
/// minutes.
pub fn fastest_ride(net: &Network, from: &str, to: &str) -> Option<(String, f64)> {
    let mut best: Option<(String, f64)> = None;
    for s in &net.services {
        let n = s.stops.len();
        let (Some(a), Some(b)) = (
            s.stops.iter().position(|x| x.at == from),
            s.stops.iter().position(|x| x.at == to),
        ) else {
            continue;
        };
        if a > b && s.directions == crate::network::model::Directions::Forward {
            continue;
        }
        let (lo, hi) = (a.min(b), a.max(b));
        let mut m = 0.0;
        for i in lo + 1..=hi {
            m += s.run_min(i).unwrap_or(f64::INFINITY);
            if i < hi {
                m += s.dwell_at(i);
            }
        }
        debug_assert!(hi < n);
        if best.as_ref().is_none_or(|(_, x)| m < *x) {
            best = Some((s.id.clone(), m));
        }
    }
    best
}

/// Connectivity of a compiled network, computed with petgraph (graph analysis, not the hot
/// path): how many weakly connected components the centres and zones fall into (1 in a
/// connected network), and for each centre the stations it cannot reach at all (no bound).
#[derive(Clone, Debug, Serialize)]
pub struct Connectivity {
    /// Weakly connected components holding at least one centre or zone.
    pub components: usize,
    /// (centre id, station ids it cannot reach)
    pub unreached: Vec<(String, Vec<String>)>,
}

pub fn connectivity(p: &Prepared) -> Connectivity {
    use petgraph::visit::Dfs;
    let csr = &p.graph.csr;
    let mut g = petgraph::Graph::<(), u32>::with_capacity(csr.num_nodes(), csr.num_arcs());
    for _ in 0..csr.num_nodes() {
        g.add_node(());
    }
    for v in 0..csr.num_nodes() as u32 {
        for a in csr.out(v).1 {
            g.add_edge(v.into(), a.head.into(), a.weight);
        }
    }
    let mut uf = petgraph::unionfind::UnionFind::<u32>::new(csr.num_nodes());
    for e in g.raw_edges() {
        uf.union(e.source().index() as u32, e.target().index() as u32);
    }
    let labels: std::collections::HashSet<u32> = p
        .net
        .places
        .iter()
        .enumerate()
        .filter(|(_, pl)| matches!(pl.kind, PlaceKind::Centre | PlaceKind::Zone))
        .map(|(i, _)| uf.find(i as u32))
        .collect();
    let components = labels.len();
    // Only stations some service calls at count: a station without service on the network's
    // day (closed for rebuilding, or not yet served) is not a connectivity problem.
    let served: std::collections::HashSet<&str> = p
        .net
        .services
        .iter()
        .flat_map(|s| s.stops.iter().map(|st| st.at.as_str()))
        .collect();
    let mut unreached = Vec::new();
    for c in p.net.centres() {
        let mut seen = vec![false; csr.num_nodes()];
        let mut dfs = Dfs::new(&g, (c.0).into());
        while let Some(v) = dfs.next(&g) {
            seen[v.index()] = true;
        }
        let missing: Vec<String> = p
            .net
            .places
            .iter()
            .enumerate()
            .filter(|(i, pl)| {
                pl.kind == PlaceKind::Station && !seen[*i] && served.contains(pl.id.as_str())
            })
            .map(|(_, pl)| pl.id.clone())
            .collect();
        if !missing.is_empty() {
            unreached.push((p.net.place(c).id.clone(), missing));
        }
    }
    Connectivity {
        components,
        unreached,
    }
}
