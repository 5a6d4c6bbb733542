//! Where the records of a network being edited are, so that each edit finds what it names
//! through a map instead of a scan of the whole network, and a removal marks records dead
//! instead of shifting the vectors. Applying `e` edits to a network of `n` records is then
//! O(n + e) (plus, for `close_station`, the records calling at the station), not O(n × e).
//!
//! Dead records stay in the network's vectors, unseen by the edits, until
//! [`Index::compact`] drops them in one pass, keeping the others in order: the network is then
//! exactly what removing them one by one would have left.

use std::cell::Cell;
use std::collections::HashMap;

use crate::network::model::Network;

thread_local! {
    static WORK: Cell<u64> = const { Cell::new(0) };
}

fn count_work(n: usize) {
    WORK.with(|w| w.set(w.get() + n as u64));
}

/// Records the scenario edits of this module have visited on this thread so far (building the
/// look-ups, finding, changing and dropping records). A deterministic measure of the work of
/// applying scenarios: the linear-application test (tests/robustness.rs) bounds it by a
/// multiple of the records and edits.
pub fn work_records() -> u64 {
    WORK.with(Cell::get)
}

/// The records calling at or linking each station, built on the first `close_station`.
#[derive(Default)]
struct AtStation {
    /// Positions of services with a stop at the station (a loop's twice; possibly since
    /// skipped there: check the stops).
    services: HashMap<String, Vec<usize>>,
    /// Positions of trips with a stop at the station (likewise).
    trips: HashMap<String, Vec<usize>>,
    /// Positions of links with the station at one end.
    links: HashMap<String, Vec<usize>>,
}

/// The look-ups of a network being edited, and its dead records.
///
/// Built for a network whose ids are unique (one that validated, as `apply` takes): with
/// duplicate ids the first record of an id is the one edits see.
pub(super) struct Index {
    /// Live services by id.
    services: HashMap<String, usize>,
    /// Places by id.
    places: HashMap<String, usize>,
    /// Roads by id.
    roads: HashMap<String, usize>,
    /// Positions of the trips of each service id (dead ones included until compaction).
    trips_of: HashMap<String, Vec<usize>>,
    /// Positions of the bands of each service id (likewise).
    bands_of: HashMap<String, Vec<usize>>,
    /// Service ids of trips or bands whose service was not in the network when the index was
    /// built: the first removal drops them, as `Network::drop_orphan_timetables` does.
    orphans: Vec<String>,
    /// Services that may have fewer than two stops (added so, or so in the network): every
    /// `close_station` drops those that do, as it drops every such service.
    short_services: Vec<usize>,
    /// Trips of fewer than two stops in the network, likewise.
    short_trips: Vec<usize>,
    /// Which services, trips, bands and links are dead, by position.
    dead_services: Vec<bool>,
    dead_trips: Vec<bool>,
    dead_bands: Vec<bool>,
    dead_links: Vec<bool>,
    /// Whether any record is dead.
    any_dead: bool,
    at_station: Option<AtStation>,
}

impl Index {
    /// The index of `net`: O(records).
    pub(super) fn new(net: &Network) -> Index {
        count_work(
            net.services.len()
                + net.places.len()
                + net.roads.len()
                + net.trips.len()
                + net.bands.len(),
        );
        let mut services = HashMap::with_capacity(net.services.len());
        for (i, s) in net.services.iter().enumerate() {
            services.entry(s.id.clone()).or_insert(i);
        }
        let mut places = HashMap::with_capacity(net.places.len());
        for (i, p) in net.places.iter().enumerate() {
            places.entry(p.id.clone()).or_insert(i);
        }
        let mut roads = HashMap::with_capacity(net.roads.len());
        for (i, r) in net.roads.iter().enumerate() {
            roads.entry(r.id.clone()).or_insert(i);
        }
        let mut trips_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in net.trips.iter().enumerate() {
            match trips_of.get_mut(&t.service) {
                Some(v) => v.push(i),
                None => {
                    trips_of.insert(t.service.clone(), vec![i]);
                }
            }
        }
        let mut bands_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, b) in net.bands.iter().enumerate() {
            match bands_of.get_mut(&b.service) {
                Some(v) => v.push(i),
                None => {
                    bands_of.insert(b.service.clone(), vec![i]);
                }
            }
        }
        let mut orphans: Vec<String> = trips_of
            .keys()
            .chain(bands_of.keys())
            .filter(|id| !services.contains_key(*id))
            .cloned()
            .collect();
        orphans.sort_unstable();
        orphans.dedup();
        Index {
            short_services: (0..net.services.len())
                .filter(|&i| net.services[i].stops.len() < 2)
                .collect(),
            short_trips: (0..net.trips.len())
                .filter(|&i| net.trips[i].stops.len() < 2)
                .collect(),
            services,
            places,
            roads,
            trips_of,
            bands_of,
            orphans,
            dead_services: vec![false; net.services.len()],
            dead_trips: vec![false; net.trips.len()],
            dead_bands: vec![false; net.bands.len()],
            dead_links: vec![false; net.links.len()],
            any_dead: false,
            at_station: None,
        }
    }

    /// The position of live service `id`.
    pub(super) fn service(&self, id: &str) -> Option<usize> {
        count_work(1);
        self.services.get(id).copied()
    }

    /// The position of place `id`.
    pub(super) fn place(&self, id: &str) -> Option<usize> {
        count_work(1);
        self.places.get(id).copied()
    }

    /// The position of road `id`.
    pub(super) fn road(&self, id: &str) -> Option<usize> {
        count_work(1);
        self.roads.get(id).copied()
    }

    /// Records a service just pushed onto `net.services`.
    pub(super) fn service_added(&mut self, net: &Network) {
        let i = net.services.len() - 1;
        let s = &net.services[i];
        count_work(1 + s.stops.len());
        self.services.insert(s.id.clone(), i);
        self.dead_services.push(false);
        if s.stops.len() < 2 {
            self.short_services.push(i);
        }
        if let Some(at) = &mut self.at_station {
            for st in &s.stops {
                at.services.entry(st.at.clone()).or_default().push(i);
            }
        }
    }

    /// Records a place just pushed onto `net.places`.
    pub(super) fn place_added(&mut self, net: &Network) {
        count_work(1);
        let i = net.places.len() - 1;
        self.places.entry(net.places[i].id.clone()).or_insert(i);
    }

    /// Records a road just pushed onto `net.roads`.
    pub(super) fn road_added(&mut self, net: &Network) {
        count_work(1);
        let i = net.roads.len() - 1;
        self.roads.entry(net.roads[i].id.clone()).or_insert(i);
    }

    /// Records a link just pushed onto `net.links`.
    pub(super) fn link_added(&mut self, net: &Network) {
        count_work(1);
        let i = net.links.len() - 1;
        self.dead_links.push(false);
        if let Some(at) = &mut self.at_station {
            let l = &net.links[i];
            at.links.entry(l.from.clone()).or_default().push(i);
            at.links.entry(l.to.clone()).or_default().push(i);
        }
    }

    /// The positions of the live trips of service `id`.
    pub(super) fn trips_of(&self, id: &str) -> Vec<usize> {
        let v = self.trips_of.get(id).map_or(&[][..], |v| v.as_slice());
        count_work(1 + v.len());
        v.iter().copied().filter(|&i| !self.dead_trips[i]).collect()
    }

    /// Drops the trips and bands of service id `id` (`Network::retain` on their service).
    pub(super) fn drop_timetable(&mut self, id: &str) {
        count_work(1);
        for i in self.trips_of.remove(id).unwrap_or_default() {
            count_work(1);
            self.dead_trips[i] = true;
            self.any_dead = true;
        }
        for i in self.bands_of.remove(id).unwrap_or_default() {
            count_work(1);
            self.dead_bands[i] = true;
            self.any_dead = true;
        }
    }

    /// Removes the service at position `i`, and (as `Network::drop_orphan_timetables` after a
    /// removal) the trips and bands of services that are not in the network.
    pub(super) fn remove_service(&mut self, net: &Network, i: usize) {
        self.kill_service(net, i);
        self.drop_orphans();
    }

    fn kill_service(&mut self, net: &Network, i: usize) {
        count_work(1);
        if self.dead_services[i] {
            return;
        }
        self.dead_services[i] = true;
        self.any_dead = true;
        let id = &net.services[i].id;
        if self.services.get(id) == Some(&i) {
            self.services.remove(id);
        }
        self.drop_timetable(id);
    }

    fn drop_orphans(&mut self) {
        for id in std::mem::take(&mut self.orphans) {
            count_work(1);
            if !self.services.contains_key(&id) {
                self.drop_timetable(&id);
            }
        }
    }

    /// The records calling at or linking a station, built on first use: O(stops of all
    /// services and trips + links), once per index.
    fn at_station(&mut self, net: &Network) -> &mut AtStation {
        self.at_station.get_or_insert_with(|| {
            let mut at = AtStation::default();
            for (i, s) in net.services.iter().enumerate() {
                count_work(1 + s.stops.len());
                for st in &s.stops {
                    at.services.entry(st.at.clone()).or_default().push(i);
                }
            }
            for (i, t) in net.trips.iter().enumerate() {
                count_work(1 + t.stops.len());
                for st in &t.stops {
                    at.trips.entry(st.at.clone()).or_default().push(i);
                }
            }
            for (i, l) in net.links.iter().enumerate() {
                count_work(1);
                at.links.entry(l.from.clone()).or_default().push(i);
                at.links.entry(l.to.clone()).or_default().push(i);
            }
            at
        })
    }

    /// Whether a live service stops at `station` or a live link reaches it.
    pub(super) fn served(&mut self, net: &Network, station: &str) -> bool {
        let (services, links) = {
            let at = self.at_station(net);
            (
                at.services.get(station).cloned().unwrap_or_default(),
                at.links.get(station).cloned().unwrap_or_default(),
            )
        };
        count_work(services.len() + links.len());
        services.iter().any(|&i| {
            !self.dead_services[i] && net.services[i].stops.iter().any(|s| s.at == station)
        }) || links.iter().any(|&i| {
            !self.dead_links[i] && (net.links[i].from == station || net.links[i].to == station)
        })
    }

    /// Closes `station` as `close_station` does: every live service skips it (`skip` joins
    /// the run times around it), services and trips left with fewer than two stops go (with
    /// the trips and bands of services gone), trips skip it, links to it go.
    pub(super) fn close_station(
        &mut self,
        net: &mut Network,
        station: &str,
        skip: fn(&mut crate::network::model::Service, &str),
    ) {
        let (mut services, mut trips, links) = {
            let at = self.at_station(net);
            (
                at.services.get(station).cloned().unwrap_or_default(),
                at.trips.get(station).cloned().unwrap_or_default(),
                at.links.get(station).cloned().unwrap_or_default(),
            )
        };
        count_work(services.len() + trips.len() + links.len());
        services.dedup();
        for &i in &services {
            if !self.dead_services[i] {
                skip(&mut net.services[i], station);
            }
        }
        let short = std::mem::take(&mut self.short_services);
        for &i in services.iter().chain(&short) {
            if !self.dead_services[i] && net.services[i].stops.len() < 2 {
                self.kill_service(net, i);
            }
        }
        self.drop_orphans();
        trips.dedup();
        for &i in &trips {
            if !self.dead_trips[i] {
                net.trips[i].stops.retain(|st| st.at != station);
            }
        }
        let short = std::mem::take(&mut self.short_trips);
        for &i in trips.iter().chain(&short) {
            if !self.dead_trips[i] && net.trips[i].stops.len() < 2 {
                self.dead_trips[i] = true;
                self.any_dead = true;
            }
        }
        for i in links {
            let l = &net.links[i];
            if !self.dead_links[i] && (l.from == station || l.to == station) {
                self.dead_links[i] = true;
                self.any_dead = true;
            }
        }
    }

    /// Drops the dead records from `net` in one pass, keeping the others in order, and
    /// indexes the result afresh.
    pub(super) fn compact(&mut self, net: &mut Network) {
        if self.any_dead {
            count_work(net.services.len() + net.trips.len() + net.bands.len() + net.links.len());
            retain_live(&mut net.services, &self.dead_services);
            retain_live(&mut net.trips, &self.dead_trips);
            retain_live(&mut net.bands, &self.dead_bands);
            retain_live(&mut net.links, &self.dead_links);
            *self = Index::new(net);
        }
    }
}

/// Keeps the items of `v` whose flag in `dead` is false.
fn retain_live<T>(v: &mut Vec<T>, dead: &[bool]) {
    let mut k = 0;
    v.retain(|_| {
        k += 1;
        !dead[k - 1]
    });
}
