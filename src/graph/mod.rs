//! Compiling a network into a compact graph for one profile.
//!
//! The graph is a CSR (compressed sparse row) structure:
//! - `first_out` has `n + 1` entries; the arcs leaving node `v` are
//!   `arcs[first_out[v] .. first_out[v + 1]]`, so `first_out` is non-decreasing, starts at 0
//!   and ends at `arcs.len()`;
//! - each `CsrArc` is 8 bytes: head node and weight in whole seconds;
//! - `meta[e]` (kept apart from the hot arrays) says what arc `e` is, so routes can be explained.
//!
//! Node numbering: node `p` is place `p` for every place of the network; platform nodes follow,
//! one per (service, direction, stop), consecutive along each service so that a ride touches
//! neighbouring memory.

use std::collections::HashSet;

use crate::network::ids::{minutes_to_seconds, EdgeId, NodeId, PlaceIdx, Seconds};
use crate::network::model::*;

/// A travel profile: which parts of the network a traveller uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Walking plus all public transport.
    Transit,
    /// Driving on the road network, with connectors from places onto it.
    Car,
    /// Rail and metro between stations only: the public-transport graph without centres, zones
    /// and access links (walking only between stations). The plan's station-to-station
    /// indicator runs on it.
    Station,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Transit => "transit",
            Profile::Car => "car",
            Profile::Station => "station",
        }
    }
}

/// One arc of the CSR graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct CsrArc {
    pub head: u32,
    pub weight: Seconds,
}

/// A compact directed graph with integer weights, in CSR form. `Sync`: one graph is shared by
/// all threads of a sweep.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Csr {
    first_out: Vec<u32>,
    arcs: Vec<CsrArc>,
    /// The largest arc weight (sizes the bucket queue).
    max_weight: Seconds,
}

impl Csr {
    /// Builds a CSR graph from `(tail, head, weight)` triples, keeping their order within each
    /// tail. Returns the permutation: `perm[i]` is the CSR position of input arc `i`.
    pub fn from_arcs(n: usize, arcs: &[(u32, u32, Seconds)]) -> (Csr, Vec<u32>) {
        assert!(n < u32::MAX as usize && arcs.len() < u32::MAX as usize);
        let mut first_out = vec![0u32; n + 1];
        for &(t, _, _) in arcs {
            first_out[t as usize + 1] += 1;
        }
        for i in 0..n {
            first_out[i + 1] += first_out[i];
        }
        let mut fill = first_out.clone();
        let mut out = vec![CsrArc { head: 0, weight: 0 }; arcs.len()];
        let mut perm = vec![0u32; arcs.len()];
        let mut max_weight = 0;
        for (i, &(t, h, w)) in arcs.iter().enumerate() {
            let pos = fill[t as usize];
            fill[t as usize] += 1;
            out[pos as usize] = CsrArc { head: h, weight: w };
            perm[i] = pos;
            max_weight = max_weight.max(w);
        }
        (
            Csr {
                first_out,
                arcs: out,
                max_weight,
            },
            perm,
        )
    }

    /// A graph from its arrays, checked: `first_out` has `n + 1` non-decreasing entries from 0
    /// to `arcs.len()`, and every head is a node. The error names the broken rule.
    pub fn new(first_out: Vec<u32>, arcs: Vec<CsrArc>) -> Result<Csr, String> {
        let max_weight = arcs.iter().map(|a| a.weight).max().unwrap_or(0);
        let g = Csr {
            first_out,
            arcs,
            max_weight,
        };
        g.check()?;
        Ok(g)
    }

    /// `first_out[v]..first_out[v + 1]` are the arcs leaving `v` (`n + 1` entries).
    #[inline(always)]
    pub fn first_out(&self) -> &[u32] {
        &self.first_out
    }

    /// The arcs, grouped by tail.
    #[inline(always)]
    pub fn arcs(&self) -> &[CsrArc] {
        &self.arcs
    }

    /// The largest arc weight (sizes the bucket queue).
    #[inline(always)]
    pub fn max_weight(&self) -> Seconds {
        self.max_weight
    }

    /// Number of nodes.
    #[inline(always)]
    pub fn num_nodes(&self) -> usize {
        self.first_out.len().saturating_sub(1)
    }

    #[inline(always)]
    pub fn num_arcs(&self) -> usize {
        self.arcs.len()
    }

    /// The arcs leaving `v`, with the id of the first.
    #[inline(always)]
    pub fn out(&self, v: u32) -> (u32, &[CsrArc]) {
        let a = self.first_out[v as usize];
        let b = self.first_out[v as usize + 1];
        (a, &self.arcs[a as usize..b as usize])
    }

    /// The tail of arc `e` (binary search over `first_out`).
    pub fn tail(&self, e: EdgeId) -> NodeId {
        let i = self.first_out.partition_point(|&f| f <= e.0);
        NodeId::from_idx(i - 1)
    }

    /// Checks the CSR invariant, naming the first broken rule.
    pub fn check(&self) -> Result<(), String> {
        if self.first_out.is_empty() {
            return Err("first_out is empty (it needs n + 1 entries)".into());
        }
        if self.first_out[0] != 0 {
            return Err(format!("first_out[0] = {}, not 0", self.first_out[0]));
        }
        if *self.first_out.last().unwrap() as usize != self.arcs.len() {
            return Err(format!(
                "first_out ends at {}, but there are {} arcs",
                self.first_out.last().unwrap(),
                self.arcs.len()
            ));
        }
        if let Some(i) = self.first_out.windows(2).position(|w| w[0] > w[1]) {
            return Err(format!("first_out decreases at node {i}"));
        }
        let n = self.num_nodes() as u32;
        if let Some(e) = self.arcs.iter().position(|a| a.head >= n) {
            return Err(format!("arc {e} has head {} >= n = {n}", self.arcs[e].head));
        }
        if let Some(e) = self.arcs.iter().position(|a| a.weight == Seconds::MAX) {
            return Err(format!("arc {e} has the UNREACHED weight"));
        }
        let mw = self.arcs.iter().map(|a| a.weight).max().unwrap_or(0);
        if mw != self.max_weight {
            return Err(format!(
                "max_weight {} but the largest weight is {mw}",
                self.max_weight
            ));
        }
        Ok(())
    }
}

/// What an arc of a network graph is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArcKind {
    /// Walking between places (automatic or explicit).
    Walk,
    /// Access by local bus, taxi or bike (explicit access links, zone feeders).
    Access,
    /// An explicit in-station or between-station transfer.
    Transfer,
    /// Place to platform: interchange walk + expected wait + boarding penalty.
    Board,
    /// Platform to the next platform of the same service: run time plus dwell.
    Ride,
    /// Platform to its station.
    Alight,
    /// A road link.
    Drive,
    /// Place to road node (or back): local streets and parking.
    Connector,
}

/// What an arc is, for explaining routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArcMeta {
    pub kind: ArcKind,
    /// Service of a board or ride arc, road index of a drive arc; `u32::MAX` otherwise.
    pub what: u32,
}

/// A network compiled for one profile.
#[derive(Clone, Debug)]
pub struct NetGraph {
    pub profile: Profile,
    pub csr: Csr,
    pub meta: Vec<ArcMeta>,
    /// Number of place nodes; nodes `0..n_places` are the places.
    pub n_places: u32,
    /// For every node, its place (platform nodes: their station).
    pub node_place: Vec<PlaceIdx>,
    /// For every node, its service (`u32::MAX` for place nodes).
    pub node_service: Vec<u32>,
}

impl NetGraph {
    pub fn place_node(&self, p: PlaceIdx) -> NodeId {
        NodeId(p.0)
    }
}

/// Compiles a (validated) network into a graph for `profile`. Unknown ids are skipped here
/// (validation reports them).
pub fn compile(net: &Network, profile: Profile) -> NetGraph {
    let places = net.place_index();
    let n_places = net.places.len();
    let mut arcs: Vec<(u32, u32, Seconds)> = Vec::new();
    let mut meta: Vec<ArcMeta> = Vec::new();
    let mut node_place: Vec<PlaceIdx> = (0..n_places).map(PlaceIdx::from_idx).collect();
    let mut node_service: Vec<u32> = vec![u32::MAX; n_places];
    let none = u32::MAX;
    // Zones are destinations only: arcs lead into a zone, never out of it, so that no trip
    // passes through a zone's feeder links as a shortcut between stations.
    let is_zone: Vec<bool> = net
        .places
        .iter()
        .map(|p| p.kind == PlaceKind::Zone)
        .collect();
    let mut both =
        |arcs: &mut Vec<(u32, u32, Seconds)>, a: usize, b: usize, w: Seconds, m: ArcMeta| {
            if !is_zone[a] {
                arcs.push((a as u32, b as u32, w));
                meta.push(m);
            }
            if !is_zone[b] {
                arcs.push((b as u32, a as u32, w));
                meta.push(m);
            }
        };
    let of_kind = |k: PlaceKind| -> Vec<usize> {
        (0..n_places).filter(|&i| net.places[i].kind == k).collect()
    };
    match profile {
        Profile::Transit | Profile::Station => {
            let stations_only = profile == Profile::Station;
            let is_station: Vec<bool> = net
                .places
                .iter()
                .map(|p| p.kind == PlaceKind::Station)
                .collect();
            let w = &net.settings.walking;
            let walk_s = |m: f64| minutes_to_seconds(m * w.detour / 1000.0 / w.speed_kmh * 60.0);
            let explicit: HashSet<(usize, usize)> = net
                .links
                .iter()
                .filter_map(|l| {
                    let a = places.get(l.from.as_str())?.idx();
                    let b = places.get(l.to.as_str())?.idx();
                    Some((a.min(b), a.max(b)))
                })
                .collect();
            let walkable: Vec<usize> = (0..n_places)
                .filter(|&i| {
                    net.places[i].kind != PlaceKind::RoadNode && (!stations_only || is_station[i])
                })
                .collect();
            for (i, j, d) in pairs_within(net, &walkable, &walkable, w.radius_m)
                .into_iter()
                .filter(|&(i, j, _)| i < j)
            {
                if !explicit.contains(&(i, j)) {
                    let m = ArcMeta {
                        kind: ArcKind::Walk,
                        what: none,
                    };
                    both(&mut arcs, i, j, walk_s(d), m);
                }
            }
            let a = &net.settings.access;
            let stations = of_kind(PlaceKind::Station);
            let zones = if stations_only {
                Vec::new()
            } else {
                of_kind(PlaceKind::Zone)
            };
            for (i, j, d) in pairs_within(net, &zones, &stations, a.radius_km * 1000.0) {
                if !explicit.contains(&(i.min(j), i.max(j))) {
                    let s = minutes_to_seconds(d * a.detour / 1000.0 / a.speed_kmh * 60.0);
                    both(
                        &mut arcs,
                        i,
                        j,
                        s,
                        ArcMeta {
                            kind: ArcKind::Access,
                            what: none,
                        },
                    );
                }
            }
            for l in &net.links {
                let (Some(&a), Some(&b)) = (places.get(l.from.as_str()), places.get(l.to.as_str()))
                else {
                    continue;
                };
                if stations_only
                    && (l.kind == LinkKind::Access || !is_station[a.idx()] || !is_station[b.idx()])
                {
                    continue;
                }
                let secs = match l.minutes {
                    Some(m) => minutes_to_seconds(m),
                    None => walk_s(place_distance_m(net.place(a), net.place(b))),
                };
                let kind = match l.kind {
                    LinkKind::Walk => ArcKind::Walk,
                    LinkKind::Transfer => ArcKind::Transfer,
                    LinkKind::Access => ArcKind::Access,
                };
                both(
                    &mut arcs,
                    a.idx(),
                    b.idx(),
                    secs,
                    ArcMeta { kind, what: none },
                );
            }
            let r = &net.settings.routing;
            for (si, s) in net.services.iter().enumerate() {
                let stops: Option<Vec<PlaceIdx>> = s
                    .stops
                    .iter()
                    .map(|st| places.get(st.at.as_str()).copied())
                    .collect();
                let Some(stops) = stops else { continue };
                let n = stops.len();
                if n < 2 {
                    continue;
                }
                // Forward run and dwell seconds; reverse direction uses the same segments.
                let run: Vec<Seconds> = (1..n)
                    .map(|i| minutes_to_seconds(s.run_min(i).unwrap_or(0.0)))
                    .collect();
                let dwell: Vec<Seconds> =
                    (0..n).map(|i| minutes_to_seconds(s.dwell_at(i))).collect();
                let wait = r.wait_min(s.headway_min) + r.board_penalty_min;
                let dirs: &[bool] = match s.directions {
                    Directions::Both => &[false, true],
                    Directions::Forward => &[false],
                };
                for &rev in dirs {
                    let order: Vec<usize> = if rev {
                        (0..n).rev().collect()
                    } else {
                        (0..n).collect()
                    };
                    let base = node_place.len();
                    for &k in &order {
                        node_place.push(stops[k]);
                        node_service.push(si as u32);
                    }
                    let what = si as u32;
                    for (pos, &k) in order.iter().enumerate() {
                        let plat = base + pos;
                        let st = stops[k];
                        if pos + 1 < n {
                            let board = wait + net.place(st).interchange_min;
                            arcs.push((st.0, plat as u32, minutes_to_seconds(board)));
                            meta.push(ArcMeta {
                                kind: ArcKind::Board,
                                what,
                            });
                            let seg = if rev { k - 1 } else { k };
                            let dw = if pos > 0 { dwell[k] } else { 0 };
                            arcs.push((plat as u32, plat as u32 + 1, run[seg] + dw));
                            meta.push(ArcMeta {
                                kind: ArcKind::Ride,
                                what,
                            });
                        }
                        if pos > 0 {
                            arcs.push((plat as u32, st.0, 0));
                            meta.push(ArcMeta {
                                kind: ArcKind::Alight,
                                what,
                            });
                        }
                    }
                }
            }
        }
        Profile::Car => {
            for (ri, r) in net.roads.iter().enumerate() {
                let (Some(&a), Some(&b)) = (places.get(r.from.as_str()), places.get(r.to.as_str()))
                else {
                    continue;
                };
                let m = ArcMeta {
                    kind: ArcKind::Drive,
                    what: ri as u32,
                };
                both(
                    &mut arcs,
                    a.idx(),
                    b.idx(),
                    minutes_to_seconds(r.minutes()),
                    m,
                );
            }
            let c = &net.settings.car;
            let road_nodes = of_kind(PlaceKind::RoadNode);
            let others: Vec<usize> = (0..n_places)
                .filter(|&i| net.places[i].kind != PlaceKind::RoadNode)
                .collect();
            let mut joined: HashSet<(usize, usize)> = HashSet::new();
            for (i, j, d) in
                pairs_within(net, &road_nodes, &road_nodes, c.junction_radius_km * 1000.0)
            {
                if joined.insert((i.min(j), i.max(j))) {
                    let s = minutes_to_seconds(d * c.detour / 1000.0 / c.speed_kmh * 60.0);
                    both(
                        &mut arcs,
                        i,
                        j,
                        s,
                        ArcMeta {
                            kind: ArcKind::Connector,
                            what: none,
                        },
                    );
                }
            }
            for (i, j, d) in pairs_within(net, &others, &road_nodes, c.radius_km * 1000.0) {
                let s = minutes_to_seconds(d * c.detour / 1000.0 / c.speed_kmh * 60.0 + c.park_min);
                both(
                    &mut arcs,
                    i,
                    j,
                    s,
                    ArcMeta {
                        kind: ArcKind::Connector,
                        what: none,
                    },
                );
            }
        }
    }
    let n = node_place.len();
    let (csr, perm) = Csr::from_arcs(n, &arcs);
    let mut meta_sorted = vec![
        ArcMeta {
            kind: ArcKind::Walk,
            what: none
        };
        meta.len()
    ];
    for (i, m) in meta.into_iter().enumerate() {
        meta_sorted[perm[i] as usize] = m;
    }
    NetGraph {
        profile,
        csr,
        meta: meta_sorted,
        n_places: n_places as u32,
        node_place,
        node_service,
    }
}

/// A network compiled for one profile, ready for queries.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The network as compiled.
    pub net: Network,
    /// Its graph.
    pub graph: NetGraph,
}

impl Prepared {
    /// Compiles `net` for `profile`.
    pub fn new(net: Network, profile: Profile) -> Prepared {
        let graph = compile(&net, profile);
        Prepared { net, graph }
    }

    /// Search bound from the network's routing settings, seconds.
    pub fn default_bound(&self) -> Seconds {
        (self.net.settings.routing.bound_min * 60.0) as Seconds
    }
}
