//! Routes explained as legs (walk, access, transfer, wait, ride, drive).

use serde::Serialize;

use crate::engine::{Queue, Workspace};
use crate::graph::{ArcKind, ArcOf, Prepared};
use crate::network::ids::{seconds_to_minutes, EdgeId, NodeId, PlaceIdx, Seconds, UNREACHED};

/// The kind of a leg of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LegKind {
    /// Walking (an explicit walk link or an automatic one).
    Walk,
    /// Local access by bus, taxi or bike (explicit access links, zone feeders).
    Access,
    /// Waiting for a service at the platform (the expected wait plus any boarding penalty).
    Wait,
    /// Riding a service between two stops.
    Ride,
    /// Changing between platforms or stations, including the entrance-to-platform time of a station.
    Transfer,
    /// Driving on roads or on local streets (with parking).
    Drive,
}

/// One leg of a route.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Leg {
    /// What the leg is.
    pub kind: LegKind,
    /// Duration, minutes.
    pub minutes: f64,
    /// Service id and line of wait and ride legs; road names of drive legs.
    pub service: Option<String>,
    /// Name of the place the leg starts at.
    pub from: String,
    /// Name of the place the leg ends at.
    pub to: String,
    /// Duration, seconds (not serialised).
    #[serde(skip)]
    pub secs: Seconds,
}

/// A route with its legs; the legs' minutes add up to the total.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Route {
    /// Door-to-door time, minutes.
    pub total_minutes: f64,
    /// The legs in travel order.
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
        let service_label = |of: ArcOf| match of {
            ArcOf::Service(i) => {
                let s = &p.net.services[i.idx()];
                Some(format!("{} ({})", s.line, s.id))
            }
            _ => None,
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
                (LegKind::Wait, service_label(m.what), w - walk)
            }
            ArcKind::Ride => (LegKind::Ride, service_label(m.what), w),
            ArcKind::Drive => {
                let road = match m.what {
                    ArcOf::Road(r) => Some(p.net.roads[r.idx()].name.clone()),
                    _ => None,
                };
                (LegKind::Drive, road, w)
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
            last.secs = last.secs.saturating_add(secs);
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
