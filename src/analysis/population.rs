//! People on a population surface: the cells of a grid with the people living in each (for
//! Guangzhou the 2020 census by district, spread uniformly within each district:
//! `networks/guangzhou/population/`), and how a search from a centre reaches them.
//!
//! A cell is never a graph node: its time from an origin is the best, over the places it is
//! linked to, of the time to that place plus the leg from it to the cell's centre, in a
//! straight line times a detour factor:
//! - public transport (and the station profile): from stations and centres, on foot within the
//!   walking radius, or by the local access mode (`[access]`: feeder bus, taxi) for at most
//!   `point_max_min` minutes, whichever is faster: the model `onehour access` uses for grid
//!   cells (`access::links::StraightLine`, `docs/access.md`);
//! - car: from road nodes and centres along local streets at the connector speed within the
//!   connector radius, plus parking (`[car]`), as the car isochrones do.
//!
//! Compare's "population within the limit", the centre ranking's population terms and the
//! isochrones' band populations count these cells when the network has a surface; networks
//! without one count their zones (one point each).

use std::collections::HashMap;
use std::sync::Arc;

use crate::graph::Profile;
use crate::network::ids::{PlaceIdx, Seconds, UNREACHED};
use crate::network::model::{haversine_m, Network, PlaceKind};

/// The people of a region on the cells of a grid (cells without anyone left out).
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationSurface {
    /// Each cell's centre, WGS84 longitude and latitude, degrees.
    pub lonlat: Vec<(f64, f64)>,
    /// The people of each cell (fractional: a district's people spread by area).
    pub people: Arc<[f64]>,
    /// Cell size, metres.
    pub cell_m: f64,
    /// What the surface is, for outputs (file and column).
    pub source: String,
}

impl PopulationSurface {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.lonlat.len()
    }

    /// Whether there is no cell.
    pub fn is_empty(&self) -> bool {
        self.lonlat.is_empty()
    }

    /// All the people of the surface.
    pub fn total(&self) -> f64 {
        self.people.iter().sum()
    }
}

/// The legs from a network's places to the cells of a surface.
#[derive(Clone, Debug, PartialEq)]
pub struct CellLinks {
    /// The places legs start from, in network order.
    pub places: Vec<PlaceIdx>,
    /// For each of `places`: the cells it reaches, with seconds.
    pub legs: Vec<Vec<(u32, Seconds)>>,
}

/// The leg model of a profile: seconds over a straight-line distance, if allowed.
#[derive(Clone, Copy, Debug)]
struct Leg {
    walk_s_per_m: f64,
    walk_max_m: f64,
    other_s_per_m: f64,
    other_max_s: f64,
    other_end_s: f64,
}

impl Leg {
    fn for_profile(net: &Network, profile: Profile) -> Leg {
        match profile {
            Profile::Transit | Profile::Station => {
                let (w, a) = (&net.settings.walking, &net.settings.access);
                let local = a.detour / (a.speed_kmh / 3.6);
                Leg {
                    walk_s_per_m: w.detour / (w.speed_kmh / 3.6),
                    walk_max_m: w.radius_m,
                    other_s_per_m: local,
                    other_max_s: (a.point_max_min * 60.0)
                        .min(a.radius_km * 1000.0 * local)
                        .max(0.0)
                        .round(),
                    other_end_s: 0.0,
                }
            }
            Profile::Car => {
                let c = &net.settings.car;
                let s_per_m = c.detour / (c.speed_kmh / 3.6);
                Leg {
                    walk_s_per_m: 0.0,
                    walk_max_m: -1.0,
                    other_s_per_m: s_per_m,
                    other_max_s: c.radius_km * 1000.0 * s_per_m,
                    other_end_s: c.park_min * 60.0,
                }
            }
        }
    }

    /// The furthest distance of any leg, metres.
    fn reach_m(&self) -> f64 {
        let other = if self.other_s_per_m > 0.0 {
            self.other_max_s / self.other_s_per_m
        } else {
            0.0
        };
        self.walk_max_m.max(other)
    }

    /// Seconds of the fastest leg over `d` metres, if any is allowed.
    fn seconds(&self, d: f64) -> Option<Seconds> {
        let walk = (d <= self.walk_max_m).then(|| (d * self.walk_s_per_m).round() as Seconds);
        let other = (self.other_s_per_m > 0.0 && d * self.other_s_per_m <= self.other_max_s)
            .then(|| (d * self.other_s_per_m + self.other_end_s).round() as Seconds);
        match (walk, other) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The places cells are reached from under `profile` (see the module's documentation).
pub fn link_places(net: &Network, profile: Profile) -> Vec<PlaceIdx> {
    (0..net.places.len())
        .map(PlaceIdx::from_idx)
        .filter(|&i| match (profile, net.place(i).kind) {
            (_, PlaceKind::Centre) => true,
            (Profile::Car, k) => k == PlaceKind::RoadNode,
            (_, k) => k == PlaceKind::Station,
        })
        .collect()
}

/// The legs from the places of `net` (under `profile`) to the cells of `s`.
pub fn cell_links(net: &Network, profile: Profile, s: &PopulationSurface) -> CellLinks {
    let leg = Leg::for_profile(net, profile);
    let places = link_places(net, profile);
    let reach = leg.reach_m();
    // Cells in buckets of about `reach` metres (degrees of latitude; longitude scaled at the
    // surface's mean latitude), so that a place looks at the 3 x 3 buckets around its own.
    let lat0 = s.lonlat.iter().map(|c| c.1).sum::<f64>() / s.len().max(1) as f64;
    let dy = (reach / 111_000.0).max(1e-6);
    let dx = dy / lat0.to_radians().cos().max(0.1);
    let key = |lon: f64, lat: f64| ((lon / dx).floor() as i64, (lat / dy).floor() as i64);
    let mut buckets: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
    for (k, &(lon, lat)) in s.lonlat.iter().enumerate() {
        buckets.entry(key(lon, lat)).or_default().push(k as u32);
    }
    let legs = places
        .iter()
        .map(|&pi| {
            let p = net.place(pi);
            let (bx, by) = key(p.lon, p.lat);
            let mut out = Vec::new();
            for x in bx - 1..=bx + 1 {
                for y in by - 1..=by + 1 {
                    for &c in buckets.get(&(x, y)).map_or(&[][..], |v| v) {
                        let (lon, lat) = s.lonlat[c as usize];
                        let d = haversine_m(p.lon, p.lat, lon, lat);
                        if d <= reach {
                            if let Some(t) = leg.seconds(d) {
                                out.push((c, t));
                            }
                        }
                    }
                }
            }
            out.sort_unstable();
            out
        })
        .collect();
    CellLinks { places, legs }
}

/// The time to every cell from the times to the link places (`times[k]` for
/// `links.places[k]`, [`UNREACHED`] if not reached): the best of place time plus leg.
pub fn cell_times(times: &[Seconds], links: &CellLinks, cells: usize) -> Vec<Seconds> {
    let mut out = vec![UNREACHED; cells];
    for (k, legs) in links.legs.iter().enumerate() {
        let t = times[k];
        if t == UNREACHED {
            continue;
        }
        for &(c, s) in legs {
            let v = t.saturating_add(s);
            let o = &mut out[c as usize];
            if v < *o {
                *o = v;
            }
        }
    }
    out
}

/// The times from a network's centres to the cells of a surface, with the cells' people.
#[derive(Clone, Debug, PartialEq)]
pub struct CellReach {
    /// The people of each cell.
    pub people: Arc<[f64]>,
    /// Centre by centre (rows of the reach), seconds to each cell.
    pub secs: Vec<Vec<Seconds>>,
}

impl CellReach {
    /// The people within `limit` seconds of each centre, rounded to whole people.
    pub fn population_within(&self, limit: Seconds) -> Vec<u64> {
        self.secs
            .iter()
            .map(|row| {
                let p: f64 = row
                    .iter()
                    .zip(self.people.iter())
                    .filter(|(&s, _)| s <= limit)
                    .map(|(_, &n)| n)
                    .sum();
                p.round() as u64
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::model::Place;

    fn place(id: &str, kind: PlaceKind, lon: f64, lat: f64) -> Place {
        Place {
            id: id.into(),
            kind,
            name: id.into(),
            name_zh: String::new(),
            city: String::new(),
            district: String::new(),
            lon,
            lat,
            interchange_min: 0.0,
            in_area: true,
            population: 0,
            population_year: None,
            source: String::new(),
            origin: Default::default(),
        }
    }

    #[test]
    fn cells_take_the_best_place_plus_leg_and_count_people_within() {
        let mut net = Network {
            places: vec![
                place("c", PlaceKind::Centre, 113.0, 23.0),
                place("s", PlaceKind::Station, 113.1, 23.0),
                place("z", PlaceKind::Zone, 113.2, 23.0),
            ],
            ..Network::default()
        };
        // Walking 800 m at 4.5 km/h x 1.3; local mode at 15 km/h x 1.3 for up to 30 min.
        let w = &mut net.settings.walking;
        (w.speed_kmh, w.detour, w.radius_m) = (4.5, 1.3, 800.0);
        let a = &mut net.settings.access;
        (a.speed_kmh, a.detour, a.radius_km, a.point_max_min) = (15.0, 1.3, 25.0, 30.0);
        let s = PopulationSurface {
            lonlat: vec![
                (113.1, 23.001),
                (113.1, 23.03),
                (113.13, 23.0),
                (113.2, 23.0),
            ],
            people: Arc::from(vec![10.0, 20.0, 30.0, 40.0]),
            cell_m: 1000.0,
            source: "test".into(),
        };
        let links = cell_links(&net, Profile::Transit, &s);
        // Zones are no link places; the station reaches the three cells within 5.8 km (30
        // min at 15 km/h x 1.3), the centre none (10 km and more away).
        assert_eq!(links.places.len(), 2);
        assert!(links.legs[0].is_empty());
        assert_eq!(links.legs[1].len(), 3);
        let t = cell_times(&[0, 600], &links, s.len());
        let leg = |lon: f64, lat: f64| {
            let d = haversine_m(113.1, 23.0, lon, lat);
            let local = (d * 1.3 / (15.0 / 3.6)).round() as Seconds;
            let walk = (d * 1.3 / (4.5 / 3.6)).round() as Seconds;
            if d <= 800.0 {
                walk.min(local)
            } else {
                local
            }
        };
        assert_eq!(t[0], 600 + leg(113.1, 23.001));
        assert_eq!(t[1], 600 + leg(113.1, 23.03));
        assert_eq!(t[2], 600 + leg(113.13, 23.0));
        assert_eq!(t[3], UNREACHED);
        // Unreached places reach nothing.
        assert!(cell_times(&[0, UNREACHED], &links, s.len())
            .iter()
            .all(|&x| x == UNREACHED));
        let r = CellReach {
            people: s.people.clone(),
            secs: vec![t.clone()],
        };
        let within = |l| r.population_within(l)[0];
        assert_eq!(within(0), 0);
        assert_eq!(within(t[0]), 10);
        // Monotone in the limit, and never beyond the reached cells.
        let mut last = 0;
        for l in (0..7200).step_by(60) {
            assert!(within(l) >= last);
            last = within(l);
        }
        assert_eq!(last, 60);
    }
}
