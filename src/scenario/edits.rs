//! Applying edit commands: one function per op, sharing the checks every edit makes (numbers
//! in range, the edit changes something, it does not touch what an earlier edit removed or
//! closed).

use std::collections::HashMap;

use crate::network::load::date_from_toml;
use crate::network::model::*;
use crate::network::problem::Problem;
use crate::network::validate;

use super::index::Index;
use super::model::{Edit, EditOp, RawLink, RawRoad, RawRoadNode, RawStation, Scenario};
use crate::network::load::RawService;

/// What the edits applied so far did, by scenario name and edit index: for conflicts.
#[derive(Default)]
pub(super) struct Done {
    /// Services removed.
    removed: HashMap<String, (String, usize)>,
    /// Stations closed.
    closed: HashMap<String, (String, usize)>,
    /// Every edit, by its full text (op and values).
    edits: HashMap<String, (String, usize)>,
}

/// Speed factors `scale_speed` accepts.
pub const SPEED_FACTOR: (f64, f64) = (0.2, 5.0);

/// Applies one edit, finding what it names through `ix` (the index of `net`; records the edit
/// removes stay in `net`, dead, until [`Index::compact`]). The same edit twice (in one file or
/// in two scenarios of the chain) is an error whatever the edit: the second either fails,
/// changes nothing, or (`scale_speed`, `add_link`) applies the change twice.
pub(super) fn apply_edit(
    net: &mut Network,
    ix: &mut Index,
    s: &Scenario,
    e: &Edit,
    done: &mut Done,
) -> Result<(), Problem> {
    let key = format!("{:?}", e.op);
    let first = done.edits.get(&key).cloned();
    let r = apply_op(&mut Ctx {
        net,
        ix,
        s,
        e,
        done,
    });
    let Some((sc, i)) = first else {
        done.edits.insert(key, (s.name.clone(), e.index));
        return r;
    };
    let same = format!("the same edit as scenario {sc}, edit {i}");
    Err(match r {
        Err(mut p) => {
            p.message = format!("{} ({same})", p.message);
            p
        }
        Ok(()) => Problem::error(
            &e.origin,
            format!("scenario {}, edit {} ({})", s.name, e.index, e.op.name()),
            same,
            "remove one of the two",
        ),
    })
}

/// One edit being applied: the network and its index, where the edit comes from, and what
/// earlier edits did.
struct Ctx<'a> {
    net: &'a mut Network,
    ix: &'a mut Index,
    s: &'a Scenario,
    e: &'a Edit,
    done: &'a mut Done,
}

impl Ctx<'_> {
    /// The record named in messages: scenario, edit index and op.
    fn rec(&self) -> String {
        format!(
            "scenario {}, edit {} ({})",
            self.s.name,
            self.e.index,
            self.e.op.name()
        )
    }

    fn err(&self, msg: String, fix: &str) -> Problem {
        Problem::error(&self.e.origin, self.rec(), msg, fix)
    }

    fn no_change(&self, what: String) -> Problem {
        self.err(
            format!("{what}: the edit changes nothing"),
            "remove the edit, or give the value the scenario should change it to",
        )
    }

    fn number(
        &self,
        name: &str,
        v: f64,
        range: (f64, bool, f64),
        fix: &str,
    ) -> Result<(), Problem> {
        let (lo, lo_open, hi) = range;
        if validate::in_range(v, lo, lo_open, hi) {
            Ok(())
        } else {
            Err(self.err(
                format!(
                    "{name} = {} is not in {}",
                    validate::show_num(v),
                    validate::show_range(lo, lo_open, hi)
                ),
                fix,
            ))
        }
    }

    /// An error if an earlier edit closed station `id`.
    fn was_closed(&self, id: &str) -> Option<Problem> {
        self.done.closed.get(id).map(|(sc, i)| {
            self.err(
                format!("station '{id}' was closed by scenario {sc}, edit {i}"),
                "conflicting edits: drop one of them, or use another station",
            )
        })
    }

    fn place_exists(&self, id: &str) -> bool {
        self.ix.place(id).is_some()
    }

    /// The index of service `id`, unless an earlier edit removed it or it does not exist.
    fn service(&self, id: &str) -> Result<usize, Problem> {
        if let Some((sc, i)) = self.done.removed.get(id) {
            return Err(self.err(
                format!("service '{id}' was removed by scenario {sc}, edit {i}"),
                "conflicting edits: drop one of them, or order the scenarios so the change comes first",
            ));
        }
        self.ix.service(id).ok_or_else(|| {
            self.err(
                format!("unknown service '{id}'"),
                "name a service id of the network or of an earlier add_service",
            )
        })
    }

    /// Records that this edit did something to `id` in one of the conflict maps.
    fn mark(&mut self, which: fn(&mut Done) -> &mut HashMap<String, (String, usize)>, id: &str) {
        let v = (self.s.name.clone(), self.e.index);
        which(self.done).insert(id.to_string(), v);
    }
}

fn apply_op(c: &mut Ctx<'_>) -> Result<(), Problem> {
    match &c.e.op {
        EditOp::AddStation { station } => add_station(c, station),
        EditOp::AddService { service } => add_service(c, service),
        EditOp::RemoveService { service } => remove_service(c, service),
        EditOp::SetHeadway {
            service,
            headway_min,
        } => set_headway(c, service, *headway_min),
        EditOp::ScaleSpeed { service, factor } => scale_speed(c, service, *factor),
        EditOp::SetRunTimes { service, run_min } => set_run_times(c, service, run_min),
        EditOp::CloseStation { station } => close_station(c, station),
        EditOp::AddRoad { road, nodes } => add_road(c, road, nodes),
        EditOp::SetRoad {
            road,
            speed_kmh,
            congestion,
        } => set_road(c, road, *speed_kmh, *congestion),
        EditOp::SetInterchange { station, minutes } => set_interchange(c, station, *minutes),
        EditOp::AddLink { link } => add_link(c, link),
    }
}

fn add_station(c: &mut Ctx<'_>, st: &RawStation) -> Result<(), Problem> {
    if c.place_exists(&st.id) {
        return Err(c.err(
            format!("place '{}' already exists", st.id),
            "use the existing station, or give the new one another id",
        ));
    }
    push_place(
        c,
        Place {
            id: st.id.clone(),
            kind: PlaceKind::Station,
            name: st.name.clone(),
            name_zh: st.name_zh.clone(),
            city: st.city.clone(),
            district: st.district.clone(),
            lon: st.lon,
            lat: st.lat,
            interchange_min: st.interchange_min,
            in_area: false,
            population: 0,
            population_year: None,
            source: st.source.clone(),
            origin: c.e.origin.clone(),
        },
    );
    Ok(())
}

fn push_place(c: &mut Ctx<'_>, p: Place) {
    c.net.places.push(p);
    c.ix.place_added(c.net);
}

fn add_service(c: &mut Ctx<'_>, service: &RawService) -> Result<(), Problem> {
    if c.ix.service(&service.id).is_some() {
        return Err(c.err(
            format!("service '{}' already exists", service.id),
            "give the new service another id, or use set_* edits on the existing one",
        ));
    }
    if let Some(p) = service.stops.iter().find_map(|st| c.was_closed(&st.at)) {
        return Err(p);
    }
    c.done.removed.remove(&service.id);
    let rec = c.rec();
    let sv = service
        .clone()
        .into_service(c.e.origin.clone())
        .map_err(|mut p| {
            p.record = rec;
            p
        })?;
    c.net.services.push(sv);
    c.ix.service_added(c.net);
    Ok(())
}

fn remove_service(c: &mut Ctx<'_>, service: &str) -> Result<(), Problem> {
    let i = c.service(service)?;
    c.ix.remove_service(c.net, i);
    c.mark(|d| &mut d.removed, service);
    Ok(())
}

fn set_headway(c: &mut Ctx<'_>, service: &str, headway_min: f64) -> Result<(), Problem> {
    c.number(
        "headway_min",
        headway_min,
        (validate::MIN_HEADWAY_MIN, false, validate::MAX_HEADWAY_MIN),
        "give the new peak headway in minutes",
    )?;
    let i = c.service(service)?;
    if c.net.services[i].headway_min == headway_min {
        return Err(c.no_change(format!(
            "service '{service}' already runs every {headway_min} min"
        )));
    }
    c.net.services[i].headway_min = headway_min;
    c.ix.drop_timetable(service);
    Ok(())
}

fn scale_speed(c: &mut Ctx<'_>, service: &str, factor: f64) -> Result<(), Problem> {
    let (lo, hi) = SPEED_FACTOR;
    c.number(
        "factor",
        factor,
        (lo, false, hi),
        "give a speed factor such as 1.2 (run times are divided by it)",
    )?;
    if factor == 1.0 {
        return Err(c.no_change("factor = 1".into()));
    }
    let i = c.service(service)?;
    let sv = &mut c.net.services[i];
    for k in 1..sv.stops.len() {
        if let Some(r) = sv.run_min(k) {
            sv.stops[k].run_min = Some(r / factor);
        }
    }
    for t in c.ix.trips_of(service) {
        scale_trip(&mut c.net.trips[t], factor);
    }
    Ok(())
}

fn set_run_times(c: &mut Ctx<'_>, service: &str, run_min: &[f64]) -> Result<(), Problem> {
    for (k, r) in run_min.iter().enumerate() {
        c.number(
            &format!("run_min[{}]", k + 1),
            *r,
            (0.0, true, validate::MAX_RUN_MIN),
            "give the scheduled minutes from the previous stop, one per stop after the first",
        )?;
    }
    let i = c.service(service)?;
    let stops = c.net.services[i].stops.len();
    if run_min.len() + 1 != stops {
        return Err(c.err(
            format!("{} run times for {stops} stops", run_min.len()),
            "give one run time per stop after the first",
        ));
    }
    let sv = &c.net.services[i];
    if run_min
        .iter()
        .enumerate()
        .all(|(k, r)| sv.stops[k + 1].run_min == Some(*r))
    {
        return Err(c.no_change(format!("service '{service}' already has these run times")));
    }
    let sv = &mut c.net.services[i];
    for (k, r) in run_min.iter().enumerate() {
        sv.stops[k + 1].run_min = Some(*r);
    }
    c.ix.drop_timetable(service);
    Ok(())
}

fn close_station(c: &mut Ctx<'_>, station: &str) -> Result<(), Problem> {
    if let Some(p) = c.was_closed(station) {
        return Err(p);
    }
    match c.ix.place(station).map(|i| &c.net.places[i]) {
        None => {
            return Err(c.err(
                format!("unknown station '{station}'"),
                "name a station id of the network",
            ))
        }
        Some(p) if p.kind != PlaceKind::Station => {
            return Err(c.err(
                format!(
                    "'{station}' is a {}, not a station: only stations close",
                    p.kind.as_str()
                ),
                "name a station id of the network",
            ))
        }
        Some(_) => {}
    }
    if !c.ix.served(c.net, station) {
        return Err(c.no_change(format!(
            "no service stops at '{station}' and no link reaches it"
        )));
    }
    // Services skip it (those left with one stop go, with their trips and bands), trips skip
    // it (likewise), links to it go.
    c.ix.close_station(c.net, station, skip_stop);
    if let Some(p) = c.ix.place(station).map(|i| &mut c.net.places[i]) {
        // A closed station stays as a place (other records may name it) but nothing boards
        // there any more.
        p.name = format!("{} (closed)", p.name);
    }
    c.mark(|d| &mut d.closed, station);
    Ok(())
}

/// Divides the running time between consecutive stops of a trip by `factor`, keeping its first
/// departure and its dwells.
fn scale_trip(t: &mut Trip, factor: f64) {
    let mut shift: i64 = 0;
    let mut prev_dep_old = None;
    let mut prev_dep_new: i64 = 0;
    for st in t.stops.iter_mut() {
        let dwell = st.depart as i64 - st.arrive as i64;
        if let Some(pd) = prev_dep_old {
            let run = st.arrive as i64 - pd;
            let new_arr = prev_dep_new + (run as f64 / factor).round() as i64;
            shift = new_arr - st.arrive as i64;
        }
        prev_dep_old = Some(st.depart as i64);
        st.arrive = (st.arrive as i64 + shift).max(0) as u32;
        st.depart = st.arrive + dwell as u32;
        prev_dep_new = st.depart as i64;
    }
}

/// Removes every call of `sv` at `station`, joining the run times of the two segments around
/// it.
fn skip_stop(sv: &mut Service, station: &str) {
    let mut k = 0;
    while k < sv.stops.len() {
        if sv.stops[k].at == station {
            let run_in = if k > 0 { sv.run_min(k) } else { None };
            let run_out = if k + 1 < sv.stops.len() {
                sv.run_min(k + 1)
            } else {
                None
            };
            if let (Some(a), Some(b)) = (run_in, run_out) {
                sv.stops[k + 1].run_min = Some(a + b);
            }
            sv.stops.remove(k);
        } else {
            k += 1;
        }
    }
}

fn add_road(c: &mut Ctx<'_>, road: &RawRoad, nodes: &[RawRoadNode]) -> Result<(), Problem> {
    for n in nodes {
        if c.place_exists(&n.id) {
            return Err(c.err(
                format!("place '{}' already exists", n.id),
                "reuse it without redefining it, or rename the new node",
            ));
        }
        push_place(
            c,
            Place {
                id: n.id.clone(),
                kind: PlaceKind::RoadNode,
                name: n.name.clone(),
                name_zh: n.name_zh.clone(),
                city: String::new(),
                district: String::new(),
                lon: n.lon,
                lat: n.lat,
                interchange_min: 0.0,
                in_area: false,
                population: 0,
                population_year: None,
                source: n.source.clone(),
                origin: c.e.origin.clone(),
            },
        );
    }
    if c.ix.road(&road.id).is_some() {
        return Err(c.err(
            format!("road '{}' already exists", road.id),
            "use set_road, or another id",
        ));
    }
    let opened = match &road.opened {
        None => None,
        Some(v) => Some(date_from_toml(v).ok_or_else(|| {
            c.err(
                format!("opened = {v} is not a date"),
                "write \"YYYY\" or \"YYYY-MM-DD\"",
            )
        })?),
    };
    c.net.roads.push(Road {
        id: road.id.clone(),
        from: road.from.clone(),
        to: road.to.clone(),
        name: road.name.clone(),
        name_zh: road.name_zh.clone(),
        km: road.km,
        speed_kmh: road.speed_kmh,
        congestion: road.congestion,
        opened,
        source: road.source.clone(),
        origin: c.e.origin.clone(),
    });
    c.ix.road_added(c.net);
    Ok(())
}

fn set_road(
    c: &mut Ctx<'_>,
    road: &str,
    speed_kmh: Option<f64>,
    congestion: Option<f64>,
) -> Result<(), Problem> {
    if speed_kmh.is_none() && congestion.is_none() {
        return Err(c.no_change("neither speed_kmh nor congestion is given".into()));
    }
    if let Some(v) = speed_kmh {
        let (lo, hi) = validate::ROAD_SPEED_KMH;
        c.number(
            "speed_kmh",
            v,
            (lo, false, hi),
            "give the free-flow speed in km/h",
        )?;
    }
    if let Some(x) = congestion {
        let (lo, hi) = validate::ROAD_CONGESTION;
        c.number(
            "congestion",
            x,
            (lo, false, hi),
            "give the peak travel-time multiplier (1 = free flow)",
        )?;
    }
    let Some(i) = c.ix.road(road) else {
        return Err(c.err(
            format!("unknown road '{road}'"),
            "name a road id of the network or of an earlier add_road",
        ));
    };
    let r = &c.net.roads[i];
    if speed_kmh.is_none_or(|v| v == r.speed_kmh) && congestion.is_none_or(|x| x == r.congestion) {
        return Err(c.no_change(format!("road '{road}' already has these values")));
    }
    let r = &mut c.net.roads[i];
    if let Some(v) = speed_kmh {
        r.speed_kmh = v;
    }
    if let Some(x) = congestion {
        r.congestion = x;
    }
    Ok(())
}

fn set_interchange(c: &mut Ctx<'_>, station: &str, minutes: f64) -> Result<(), Problem> {
    c.number(
        "minutes",
        minutes,
        (0.0, false, validate::MAX_INTERCHANGE_MIN),
        "give the minutes from the entrance to a platform",
    )?;
    if let Some(p) = c.was_closed(station) {
        return Err(p);
    }
    let Some(i) =
        c.ix.place(station)
            .filter(|&i| c.net.places[i].kind == PlaceKind::Station)
    else {
        return Err(c.err(
            format!("unknown station '{station}'"),
            "name a station id of the network",
        ));
    };
    if c.net.places[i].interchange_min == minutes {
        return Err(c.no_change(format!(
            "station '{station}' already has interchange_min {minutes}"
        )));
    }
    c.net.places[i].interchange_min = minutes;
    Ok(())
}

fn add_link(c: &mut Ctx<'_>, link: &RawLink) -> Result<(), Problem> {
    for end in [&link.from, &link.to] {
        if let Some(p) = c.was_closed(end) {
            return Err(p);
        }
    }
    c.net.links.push(Link {
        from: link.from.clone(),
        to: link.to.clone(),
        minutes: link.minutes,
        kind: link.kind,
        source: if link.source.is_empty() {
            c.e.source.clone()
        } else {
            link.source.clone()
        },
        origin: c.e.origin.clone(),
    });
    c.ix.link_added(c.net);
    Ok(())
}
