//! The plan's station-to-station indicator: rail time between the centres' main stations.

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::matrix::TimeMatrix;
use crate::engine::{Queue, Workspace};
use crate::graph::{ArcKind, Prepared, Profile};
use crate::network::ids::{NodeId, PlaceIdx, Seconds, UNREACHED};

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
    /// The name used in output (`door` or `station`).
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
    /// Seconds between the centres (rows and columns are the centres).
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
