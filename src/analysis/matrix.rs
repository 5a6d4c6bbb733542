//! Door-to-door time matrices, the population within reach, and places found by name.

use crate::engine::{sweep, Queue};
use crate::graph::Prepared;
use crate::network::ids::{seconds_to_minutes, NodeId, PlaceIdx, Seconds, UNREACHED};
use crate::network::model::{haversine_m, Network, PlaceKind};

/// Travel times from `rows` to `cols`, seconds (`UNREACHED` beyond the bound).
#[derive(Clone, Debug, PartialEq)]
pub struct TimeMatrix {
    /// Origins, one per row.
    pub rows: Vec<PlaceIdx>,
    /// Destinations, one per column.
    pub cols: Vec<PlaceIdx>,
    /// Seconds from each row to each column.
    pub secs: Vec<Vec<Seconds>>,
}

impl TimeMatrix {
    /// Minutes from row `i` to column `j`, `None` if unreached.
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

/// Resident population of the zones reached within `limit` seconds of each row origin (a sum
/// beyond `u64::MAX` saturates; validated networks stay far below it).
pub fn population_within(net: &Network, m: &TimeMatrix, limit: Seconds) -> Vec<u64> {
    m.secs
        .iter()
        .map(|row| {
            row.iter()
                .zip(&m.cols)
                .filter(|(&s, _)| s <= limit)
                .fold(0u64, |sum, (_, &z)| {
                    sum.saturating_add(net.place(z).population)
                })
        })
        .collect()
}

/// [`find_place`] for where a trip starts: a zone is refused, since zones are destinations
/// only (every link into a zone is one-way, so no trip leaves one), with the nearest centre or
/// station to start from instead.
pub fn find_origin(net: &Network, q: &str) -> Result<PlaceIdx, String> {
    let i = find_place(net, q)?;
    let p = net.place(i);
    if p.kind != PlaceKind::Zone {
        return Ok(i);
    }
    let nearest = net
        .places
        .iter()
        .filter(|c| matches!(c.kind, PlaceKind::Centre | PlaceKind::Station))
        .map(|c| (haversine_m(p.lon, p.lat, c.lon, c.lat), c))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let instead = match nearest {
        Some((d, c)) => format!(
            ", e.g. the nearest: {} ({} {}, {}, {:.1} km away)",
            c.id,
            c.name,
            c.name_zh,
            c.kind.as_str(),
            d / 1000.0
        ),
        None => String::new(),
    };
    let named = if q.trim() == p.id {
        String::new()
    } else {
        format!(" (named by '{q}')")
    };
    Err(format!(
        "{} ({} {}){named} is a zone: zones are destinations only (every link into a zone is one-way, docs/network-format.md, \"zones.csv\"), so no trip starts there; start from a centre or a station{instead}",
        p.id, p.name, p.name_zh
    ))
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
