//! Compiling a network into a graph for one profile: a builder that collects arcs with what
//! they are, one function per kind of arc (automatic walking links, zone feeders, explicit
//! links, services, roads, car connectors), then the CSR.

use std::collections::HashSet;

use super::csr::Csr;
use super::net_graph::{ArcKind, ArcMeta, ArcOf, NetGraph, Profile, MAX_ARC_SECONDS};
use crate::network::ids::{minutes_to_seconds, PlaceIdx, RoadIdx, Seconds, ServiceIdx};
use crate::network::model::*;

/// Arcs collected before the CSR is built.
struct Builder<'a> {
    net: &'a Network,
    places: std::collections::HashMap<&'a str, PlaceIdx>,
    arcs: Vec<(u32, u32, Seconds)>,
    meta: Vec<ArcMeta>,
    node_place: Vec<PlaceIdx>,
    node_service: Vec<Option<ServiceIdx>>,
    /// Zones are destinations only: arcs lead into a zone, never out of it, so that no trip
    /// passes through a zone's feeder links as a shortcut between stations.
    is_zone: Vec<bool>,
}

impl<'a> Builder<'a> {
    fn new(net: &'a Network) -> Builder<'a> {
        let n = net.places.len();
        Builder {
            net,
            places: net.place_index(),
            arcs: Vec::new(),
            meta: Vec::new(),
            node_place: (0..n).map(PlaceIdx::from_idx).collect(),
            node_service: vec![None; n],
            is_zone: net
                .places
                .iter()
                .map(|p| p.kind == PlaceKind::Zone)
                .collect(),
        }
    }

    fn arc(&mut self, a: u32, b: u32, w: Seconds, kind: ArcKind, what: ArcOf) {
        self.arcs.push((a, b, w));
        self.meta.push(ArcMeta { kind, what });
    }

    /// An arc each way between places `a` and `b`, except out of a zone.
    fn both(&mut self, a: usize, b: usize, w: Seconds, kind: ArcKind, what: ArcOf) {
        if !self.is_zone[a] {
            self.arc(a as u32, b as u32, w, kind, what);
        }
        if !self.is_zone[b] {
            self.arc(b as u32, a as u32, w, kind, what);
        }
    }

    fn of_kind(&self, k: PlaceKind) -> Vec<usize> {
        (0..self.net.places.len())
            .filter(|&i| self.net.places[i].kind == k)
            .collect()
    }

    fn finish(self, profile: Profile) -> NetGraph {
        let n = self.node_place.len();
        let (csr, perm) = Csr::from_arcs(n, &self.arcs);
        let mut meta = vec![
            ArcMeta {
                kind: ArcKind::Walk,
                what: ArcOf::Nothing
            };
            self.meta.len()
        ];
        for (i, m) in self.meta.into_iter().enumerate() {
            meta[perm[i] as usize] = m;
        }
        NetGraph {
            profile,
            csr,
            meta,
            n_places: self.net.places.len() as u32,
            node_place: self.node_place,
            node_service: self.node_service,
        }
    }
}

/// Compiles a (validated) network into a graph for `profile`. Unknown ids are skipped here
/// (validation reports them).
pub fn compile(net: &Network, profile: Profile) -> NetGraph {
    let mut b = Builder::new(net);
    match profile {
        Profile::Transit | Profile::Station => {
            let stations_only = profile == Profile::Station;
            let ends = link_ends(&b);
            let explicit = explicit_pairs(&ends);
            walking_links(&mut b, &explicit, stations_only);
            if !stations_only {
                zone_feeders(&mut b, &explicit);
            }
            explicit_links(&mut b, &ends, stations_only);
            services(&mut b);
        }
        Profile::Car => {
            roads(&mut b);
            car_connectors(&mut b);
        }
    }
    b.finish(profile)
}

/// The places each explicit link joins, by link (`None`: an end that is not a place; validation
/// reports it), resolved once for [`explicit_pairs`] and [`explicit_links`].
fn link_ends(b: &Builder<'_>) -> Vec<Option<(PlaceIdx, PlaceIdx)>> {
    b.net
        .links
        .iter()
        .map(|l| {
            Some((
                *b.places.get(l.from.as_str())?,
                *b.places.get(l.to.as_str())?,
            ))
        })
        .collect()
}

/// Place pairs joined by an explicit link (which replaces the automatic link between them),
/// each as (smaller, larger) index, sorted and without repeats.
fn explicit_pairs(ends: &[Option<(PlaceIdx, PlaceIdx)>]) -> Vec<(usize, usize)> {
    let mut v: Vec<(usize, usize)> = ends
        .iter()
        .flatten()
        .map(|&(x, y)| (x.idx().min(y.idx()), x.idx().max(y.idx())))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Seconds to walk `m` metres of straight line (with the detour factor).
fn walk_s(net: &Network, m: f64) -> Seconds {
    let w = &net.settings.walking;
    minutes_to_seconds(m * w.detour / 1000.0 / w.speed_kmh * 60.0)
}

/// Automatic walking links between every two places within the walking radius (stations only
/// on the station profile).
fn walking_links(b: &mut Builder<'_>, explicit: &[(usize, usize)], stations_only: bool) {
    let net = b.net;
    let walkable: Vec<usize> = (0..net.places.len())
        .filter(|&i| {
            let k = net.places[i].kind;
            k != PlaceKind::RoadNode && (!stations_only || k == PlaceKind::Station)
        })
        .collect();
    let radius = net.settings.walking.radius_m;
    // Both lists are sorted by (i, j) with i < j: one pass over the two.
    let mut e = explicit.iter().peekable();
    for (i, j, d) in pairs_among(net, &walkable, radius) {
        while e.next_if(|&&p| p < (i, j)).is_some() {}
        if e.peek() != Some(&&(i, j)) {
            b.both(i, j, walk_s(net, d), ArcKind::Walk, ArcOf::Nothing);
        }
    }
}

/// Access into every zone from every station within the access radius.
fn zone_feeders(b: &mut Builder<'_>, explicit: &[(usize, usize)]) {
    let net = b.net;
    let a = &net.settings.access;
    let stations = b.of_kind(PlaceKind::Station);
    let zones = b.of_kind(PlaceKind::Zone);
    for (i, j, d) in pairs_within(net, &zones, &stations, a.radius_km * 1000.0) {
        if explicit.binary_search(&(i.min(j), i.max(j))).is_err() {
            let s = minutes_to_seconds(d * a.detour / 1000.0 / a.speed_kmh * 60.0);
            b.both(i, j, s, ArcKind::Access, ArcOf::Nothing);
        }
    }
}

/// The explicit links of `links.csv` files (on the station profile: transfers and walks
/// between stations only).
fn explicit_links(b: &mut Builder<'_>, ends: &[Option<(PlaceIdx, PlaceIdx)>], stations_only: bool) {
    let net = b.net;
    for (l, &end) in net.links.iter().zip(ends) {
        let Some((x, y)) = end else {
            continue;
        };
        let is_station = |p: PlaceIdx| net.place(p).kind == PlaceKind::Station;
        if stations_only && (l.kind == LinkKind::Access || !is_station(x) || !is_station(y)) {
            continue;
        }
        let secs = match l.minutes {
            Some(m) => minutes_to_seconds(m),
            None => walk_s(net, place_distance_m(net.place(x), net.place(y))),
        };
        let kind = match l.kind {
            LinkKind::Walk => ArcKind::Walk,
            LinkKind::Transfer => ArcKind::Transfer,
            LinkKind::Access => ArcKind::Access,
        };
        b.both(x.idx(), y.idx(), secs, kind, ArcOf::Nothing);
    }
}

/// Platform nodes of every service, direction and stop, with board, ride and alight arcs.
fn services(b: &mut Builder<'_>) {
    let net = b.net;
    let r = &net.settings.routing;
    for (si, s) in net.services.iter().enumerate() {
        let stops: Option<Vec<PlaceIdx>> = s
            .stops
            .iter()
            .map(|st| b.places.get(st.at.as_str()).copied())
            .collect();
        let Some(stops) = stops else { continue };
        let n = stops.len();
        if n < 2 {
            continue;
        }
        // Forward run and dwell seconds; the reverse direction uses the same segments.
        let run: Vec<Seconds> = (1..n)
            .map(|i| minutes_to_seconds(s.run_min(i).unwrap_or(0.0)))
            .collect();
        let dwell: Vec<Seconds> = (0..n).map(|i| minutes_to_seconds(s.dwell_at(i))).collect();
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
            let base = b.node_place.len();
            for &k in &order {
                b.node_place.push(stops[k]);
                b.node_service.push(Some(ServiceIdx::from_idx(si)));
            }
            let what = ArcOf::Service(ServiceIdx::from_idx(si));
            for (pos, &k) in order.iter().enumerate() {
                let plat = (base + pos) as u32;
                let st = stops[k];
                if pos + 1 < n {
                    let board = wait + net.place(st).interchange_min;
                    b.arc(st.0, plat, minutes_to_seconds(board), ArcKind::Board, what);
                    let seg = if rev { k - 1 } else { k };
                    let dw = if pos > 0 { dwell[k] } else { 0 };
                    // Each part is at most `MAX_ARC_SECONDS`; their sum must not wrap.
                    let ride = run[seg].saturating_add(dw).min(MAX_ARC_SECONDS);
                    b.arc(plat, plat + 1, ride, ArcKind::Ride, what);
                }
                if pos > 0 {
                    b.arc(plat, st.0, 0, ArcKind::Alight, what);
                }
            }
        }
    }
}

/// Road links, both ways.
fn roads(b: &mut Builder<'_>) {
    let net = b.net;
    for (ri, r) in net.roads.iter().enumerate() {
        let (Some(&x), Some(&y)) = (b.places.get(r.from.as_str()), b.places.get(r.to.as_str()))
        else {
            continue;
        };
        b.both(
            x.idx(),
            y.idx(),
            minutes_to_seconds(r.minutes()),
            ArcKind::Drive,
            ArcOf::Road(RoadIdx::from_idx(ri)),
        );
    }
}

/// Local roads between nearby road nodes, and connectors from every other place to the road
/// nodes within the car radius (with parking).
fn car_connectors(b: &mut Builder<'_>) {
    let net = b.net;
    let c = &net.settings.car;
    let road_nodes = b.of_kind(PlaceKind::RoadNode);
    let others: Vec<usize> = (0..net.places.len())
        .filter(|&i| net.places[i].kind != PlaceKind::RoadNode)
        .collect();
    let local_s = |d: f64| minutes_to_seconds(d * c.detour / 1000.0 / c.speed_kmh * 60.0);
    let mut joined: HashSet<(usize, usize)> = HashSet::new();
    for (i, j, d) in pairs_within(net, &road_nodes, &road_nodes, c.junction_radius_km * 1000.0) {
        if joined.insert((i.min(j), i.max(j))) {
            b.both(i, j, local_s(d), ArcKind::Connector, ArcOf::Nothing);
        }
    }
    for (i, j, d) in pairs_within(net, &others, &road_nodes, c.radius_km * 1000.0) {
        let s = minutes_to_seconds(d * c.detour / 1000.0 / c.speed_kmh * 60.0 + c.park_min);
        b.both(i, j, s, ArcKind::Connector, ArcOf::Nothing);
    }
}
