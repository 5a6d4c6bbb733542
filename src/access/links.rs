//! How arbitrary points (grid cells, addresses, opportunity points) reach the timetable's stops
//! and each other without a vehicle: the access legs of every origin, the per-stop egress
//! tables to every destination (as R5 precomputes them), and the direct legs between points.
//!
//! Two models build these tables:
//! - **straight line** ([`straight_line_links`]), for networks without street data (the
//!   bundled Guangzhou network): the distance on the sphere times a detour factor over a
//!   speed, on foot within the walking radius, or by the network's local access mode
//!   (feeder bus, taxi, bike: its `[access]` settings) when that is faster, up to a time cap;
//! - **streets** (from OpenStreetMap, for imported networks that name a PBF): times along
//!   the walking street graph, built elsewhere and handed in as plain vectors
//!   ([`PointLinks::from_parts`]).
//!
//! Points are never graph nodes: the search reaches stops, and [`crate::access::propagate`]
//! carries stop times to points through these tables.

use std::collections::HashMap;

use crate::graph::timetabled::Timetabled;
pub use crate::io::points::Point;
use crate::network::ids::Seconds;
use crate::network::model::{haversine_m, Network};
use crate::network::timetable::StopIdx;

/// The legs without a vehicle between points and stops, in seconds.
///
/// Access legs include the stop's entrance-to-platform minutes (as the place matrices'
/// access legs do); egress and direct legs end at the door.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointLinks {
    /// For each origin: the stops it reaches, with seconds.
    pub access: Vec<Vec<(StopIdx, Seconds)>>,
    /// For each stop of the timetable: the destinations it reaches, with seconds (the
    /// egress table of the stop).
    pub egress: Vec<Vec<(u32, Seconds)>>,
    /// For each origin: the destinations it reaches directly, with seconds.
    pub direct: Vec<Vec<(u32, Seconds)>>,
    /// Number of destinations.
    pub destinations: usize,
}

impl PointLinks {
    /// Tables from plain vectors (e.g. computed along streets): `access[o]` = `(stop, s)`,
    /// `egress[stop]` = `(destination, s)`, `direct[o]` = `(destination, s)`. Entries are
    /// sorted and duplicates keep the shortest time.
    pub fn from_parts(
        access: Vec<Vec<(u32, Seconds)>>,
        egress: Vec<Vec<(u32, Seconds)>>,
        direct: Vec<Vec<(u32, Seconds)>>,
        destinations: usize,
    ) -> PointLinks {
        let mut l = PointLinks {
            access: access
                .into_iter()
                .map(|v| v.into_iter().map(|(s, t)| (StopIdx(s), t)).collect())
                .collect(),
            egress,
            direct,
            destinations,
        };
        l.normalise();
        l
    }

    /// Sorts every list by index and keeps the shortest time of each index.
    fn normalise(&mut self) {
        fn dedup<K: Ord + Copy>(v: &mut Vec<(K, Seconds)>) {
            v.sort_unstable();
            v.dedup_by_key(|x| x.0);
        }
        self.access.iter_mut().for_each(dedup);
        self.egress.iter_mut().for_each(dedup);
        self.direct.iter_mut().for_each(dedup);
    }

    /// Number of origins.
    pub fn origins(&self) -> usize {
        self.access.len()
    }

    /// Total entries of the egress tables (the work of one full propagation).
    pub fn egress_entries(&self) -> usize {
        self.egress.iter().map(Vec::len).sum()
    }
}

/// Settings of the straight-line model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StraightLine {
    /// Walking: seconds per straight-line metre (detour over speed).
    pub walk_s_per_m: f64,
    /// Walking: the largest straight-line distance, metres.
    pub walk_max_m: f64,
    /// Local access mode: seconds per straight-line metre (detour over speed).
    pub local_s_per_m: f64,
    /// Local access mode: the longest leg, seconds (a modelling cap: beyond it a point is not
    /// served by that station).
    pub local_max_s: Seconds,
}

impl StraightLine {
    /// The network's `[walking]` and `[access]` settings, local legs capped at `local_max_min`
    /// minutes (never beyond the access radius).
    pub fn for_network(net: &Network, local_max_min: f64) -> StraightLine {
        let w = &net.settings.walking;
        let a = &net.settings.access;
        let local_s_per_m = a.detour / (a.speed_kmh / 3.6);
        let cap_s = (local_max_min * 60.0).min(a.radius_km * 1000.0 * local_s_per_m);
        StraightLine {
            walk_s_per_m: w.detour / (w.speed_kmh / 3.6),
            walk_max_m: w.radius_m,
            local_s_per_m,
            local_max_s: cap_s.max(0.0).round() as Seconds,
        }
    }

    /// Furthest straight-line distance of any leg, metres.
    pub fn reach_m(&self) -> f64 {
        let local = if self.local_s_per_m > 0.0 {
            self.local_max_s as f64 / self.local_s_per_m
        } else {
            0.0
        };
        self.walk_max_m.max(local)
    }

    /// Seconds of the fastest leg over `d` straight-line metres, if any is allowed.
    pub fn leg_s(&self, d: f64) -> Option<Seconds> {
        let walk = (d <= self.walk_max_m).then(|| (d * self.walk_s_per_m).round() as Seconds);
        let local = Some((d * self.local_s_per_m).round() as Seconds)
            .filter(|&s| s <= self.local_max_s && self.local_s_per_m > 0.0);
        match (walk, local) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Every pair `(i, j)` of points `a[i]`, `b[j]` (lon, lat degrees) closer than `radius_m`, with
/// the distance in metres, sorted by `(i, j)`. Points outside valid WGS84 are skipped. A hash
/// grid of cells at least `radius_m` wide: the 3 x 3 cells around a point hold all its
/// neighbours.
pub fn lonlat_pairs_within(
    a: &[(f64, f64)],
    b: &[(f64, f64)],
    radius_m: f64,
) -> Vec<(usize, usize, f64)> {
    let ok = |p: &(f64, f64)| (-180.0..=180.0).contains(&p.0) && (-89.0..=89.0).contains(&p.1);
    let dlat = radius_m / 110_000.0; // a degree of latitude is at least 110.5 km
    if dlat.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return vec![];
    }
    let max_lat = a
        .iter()
        .chain(b)
        .filter(|p| ok(p))
        .map(|p| p.1.abs())
        .fold(0.0, f64::max);
    let dlon = dlat / max_lat.to_radians().cos();
    let cell = |p: &(f64, f64)| ((p.0 / dlon).floor() as i64, (p.1 / dlat).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (j, p) in b.iter().enumerate().filter(|(_, p)| ok(p)) {
        grid.entry(cell(p)).or_default().push(j);
    }
    let mut out = Vec::new();
    for (i, p) in a.iter().enumerate().filter(|(_, p)| ok(p)) {
        let (cx, cy) = cell(p);
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &j in grid
                    .get(&(cx + dx, cy + dy))
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    let d = haversine_m(p.0, p.1, b[j].0, b[j].1);
                    if d <= radius_m {
                        out.push((i, j, d));
                    }
                }
            }
        }
    }
    out.sort_by_key(|x| (x.0, x.1));
    out
}

/// The straight-line tables between `origins`, `destinations` and the stops of `t` (at their
/// stations' coordinates in `net`).
pub fn straight_line_links(
    net: &Network,
    t: &Timetabled,
    origins: &[Point],
    destinations: &[Point],
    m: &StraightLine,
) -> PointLinks {
    let ll = |p: &Point| (p.lon, p.lat);
    let o: Vec<(f64, f64)> = origins.iter().map(ll).collect();
    let d: Vec<(f64, f64)> = destinations.iter().map(ll).collect();
    let stops: Vec<(f64, f64)> = t
        .place_of_stop
        .iter()
        .map(|&p| (net.place(p).lon, net.place(p).lat))
        .collect();
    let reach = m.reach_m();
    let mut l = PointLinks {
        access: vec![Vec::new(); o.len()],
        egress: vec![Vec::new(); stops.len()],
        direct: vec![Vec::new(); o.len()],
        destinations: d.len(),
    };
    for (i, s, dist) in lonlat_pairs_within(&o, &stops, reach) {
        if let Some(secs) = m.leg_s(dist) {
            let entrance = t.interchange[t.place_of_stop[s].idx()];
            l.access[i].push((StopIdx(s as u32), secs.saturating_add(entrance)));
        }
    }
    for (s, j, dist) in lonlat_pairs_within(&stops, &d, reach) {
        if let Some(secs) = m.leg_s(dist) {
            l.egress[s].push((j as u32, secs));
        }
    }
    for (i, j, dist) in lonlat_pairs_within(&o, &d, reach) {
        if let Some(secs) = m.leg_s(dist) {
            l.direct[i].push((j as u32, secs));
        }
    }
    l.normalise();
    l
}

/// Points (origins, destinations, grid cells) snap to the nearest usable walking street within
/// this distance, metres, and walk the straight line to it at walking speed; farther points
/// reach nothing and are reported. 1,600 m is R5's: it snaps within 300 m, then, failing that,
/// within 1.6 km (r5r reference, `find_snap`: "R5 expands the search to the radius specified
/// (by default 1.6km)", <https://ipeagit.github.io/r5r/reference/find_snap.html>), which for the
/// nearest street is the same as one search within 1.6 km. A cell of a grid laid over a
/// city's extent often lies a few hundred metres from the nearest mapped footway (parks,
/// rail yards, water, unmapped estates): dropping it would be a snapping surprise, while its
/// off-street leg is timed. Points snapped farther than [`SNAP_WARN_M`] are listed in the
/// report. Stops snap within `import gtfs --snap-max-m` (250 m by default), a separate choice.
///
/// [`SNAP_WARN_M`]: crate::graph::streets::SNAP_WARN_M
pub const SNAP_MAX_M: f64 = 1600.0;

/// The point legs of a network and how they were made.
#[derive(Clone, Debug)]
pub struct NetworkLinks {
    /// The tables.
    pub links: PointLinks,
    /// A sentence saying how points reach stops.
    pub model: String,
    /// Along streets: what snapping the points and stops did (points that did not snap, or
    /// snapped far), for the user to read.
    pub snap_report: Option<String>,
}

/// The point legs of a network: along its streets when it names an OpenStreetMap extract
/// (walking at its `[walking]` speed for at most `[access] point_max_min` minutes, or the
/// walking radius's time when that is 0), else straight lines with its `[walking]` and
/// `[access]` settings ([`StraightLine::for_network`]).
pub fn point_links(
    net: &Network,
    t: &Timetabled,
    rows: &[Point],
    cols: &[Point],
) -> Result<NetworkLinks, crate::network::problem::Problems> {
    let streets = crate::graph::streets::Streets::from_network(net).transpose()?;
    Ok(point_links_with(net, t, streets.as_ref(), rows, cols))
}

/// [`point_links`] with the network's streets read beforehand
/// ([`crate::graph::streets::Streets::from_network`]; `None`: the straight-line model), e.g.
/// kept in memory across queries.
pub fn point_links_with(
    net: &Network,
    t: &Timetabled,
    streets: Option<&crate::graph::streets::Streets>,
    rows: &[Point],
    cols: &[Point],
) -> NetworkLinks {
    let w = &net.settings.walking;
    if let Some(streets) = streets {
        let speed = w.speed_kmh / 3.6;
        let max_min = if net.settings.access.point_max_min > 0.0 {
            net.settings.access.point_max_min
        } else {
            w.radius_m * w.detour / speed / 60.0
        };
        let ll = |p: &Point| (p.lon, p.lat);
        let o: Vec<(f64, f64)> = rows.iter().map(ll).collect();
        let d: Vec<(f64, f64)> = cols.iter().map(ll).collect();
        let stops: Vec<(f64, f64)> = t
            .place_of_stop
            .iter()
            .map(|&p| (net.place(p).lon, net.place(p).lat))
            .collect();
        let max_s = (max_min * 60.0).round() as Seconds;
        let (wl, report) = streets.walk_links(&o, &d, &stops, speed, max_s, SNAP_MAX_M);
        let access = wl
            .access
            .into_iter()
            .map(|v| {
                v.into_iter()
                    .map(|(s, secs)| {
                        let entrance = t.interchange[t.place_of_stop[s as usize].idx()];
                        (s, secs.saturating_add(entrance))
                    })
                    .collect()
            })
            .collect();
        // A point reaches a destination at the same coordinates at once (not by walking to
        // the street and back).
        let mut at: HashMap<(u64, u64), Vec<u32>> = HashMap::new();
        for (j, p) in d.iter().enumerate() {
            at.entry((p.0.to_bits(), p.1.to_bits()))
                .or_default()
                .push(j as u32);
        }
        let mut direct = wl.direct;
        for (i, p) in o.iter().enumerate() {
            if let Some(js) = at.get(&(p.0.to_bits(), p.1.to_bits())) {
                direct[i].extend(js.iter().map(|&j| (j, 0)));
            }
        }
        let links = PointLinks::from_parts(access, wl.egress, direct, cols.len());
        return NetworkLinks {
            links,
            model: format!(
                "along OpenStreetMap streets on foot at {} km/h for at most {:.0} min (points snap within {SNAP_MAX_M} m)",
                w.speed_kmh, max_min
            ),
            snap_report: Some(report.to_string()),
        };
    }
    let m = StraightLine::for_network(net, net.settings.access.point_max_min);
    let model = if m.local_max_s > 0 {
        format!(
            "straight line: on foot within {} m, or by the local access mode (≤ {} min)",
            w.radius_m,
            m.local_max_s / 60
        )
    } else {
        format!("straight line: on foot within {} m", w.radius_m)
    };
    NetworkLinks {
        links: straight_line_links(net, t, rows, cols, &m),
        model,
        snap_report: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_within_matches_brute_force() {
        let mut x = 12345u64;
        let mut rnd = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 100_000) as f64 / 100_000.0
        };
        let a: Vec<(f64, f64)> = (0..200)
            .map(|_| (113.0 + rnd() * 0.3, 23.0 + rnd() * 0.3))
            .collect();
        let b: Vec<(f64, f64)> = (0..150)
            .map(|_| (113.0 + rnd() * 0.3, 23.0 + rnd() * 0.3))
            .collect();
        let got = lonlat_pairs_within(&a, &b, 2500.0);
        let mut want = Vec::new();
        for (i, p) in a.iter().enumerate() {
            for (j, q) in b.iter().enumerate() {
                let d = haversine_m(p.0, p.1, q.0, q.1);
                if d <= 2500.0 {
                    want.push((i, j, d));
                }
            }
        }
        assert_eq!(got, want);
        assert!(!want.is_empty());
    }

    #[test]
    fn leg_takes_the_faster_allowed_mode() {
        let m = StraightLine {
            walk_s_per_m: 1.0,
            walk_max_m: 800.0,
            local_s_per_m: 0.3,
            local_max_s: 600,
        };
        assert_eq!(m.leg_s(500.0), Some(150));
        assert_eq!(m.leg_s(1000.0), Some(300));
        assert_eq!(m.leg_s(3000.0), None);
        let walk_only = StraightLine {
            local_max_s: 0,
            ..m
        };
        assert_eq!(walk_only.leg_s(500.0), Some(500));
        assert_eq!(walk_only.leg_s(900.0), None);
        assert_eq!(m.reach_m(), 2000.0);
    }
}
