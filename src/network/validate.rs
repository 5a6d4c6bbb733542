//! Semantic validation of a loaded (or scenario-edited) network: every problem, each naming the
//! record, the offending value and the fix.

use std::collections::{HashMap, HashSet};

use crate::network::model::*;
use crate::network::problem::Problem;

/// Stations with different names must be at least this far apart, metres.
pub const MIN_STATION_SEPARATION_M: f64 = 50.0;

/// All problems (errors and warnings) of a network.
pub fn validate(net: &Network) -> Vec<Problem> {
    let mut p = Vec::new();
    check_places(net, &mut p);
    check_services(net, &mut p);
    check_links(net, &mut p);
    check_main_stations(net, &mut p);
    check_roads(net, &mut p);
    check_centres_connected(net, &mut p);
    p
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn check_id(id: &str, what: &str, o: &Origin, p: &mut Vec<Problem>) {
    if !valid_id(id) {
        p.push(Problem::error(
            o,
            format!("{what} '{id}'"),
            format!("id '{id}' is not lowercase ASCII letters, digits, '_' or '-'"),
            "rename it, e.g. by the pinyin of its Chinese name",
        ));
    }
}

/// Normalised station name for the "same name" test: Chinese name without a trailing 站.
fn norm_name(pl: &Place) -> String {
    let zh = pl.name_zh.trim().trim_end_matches('站');
    if !zh.is_empty() {
        return zh.to_string();
    }
    pl.name
        .to_lowercase()
        .trim_end_matches(" station")
        .trim_end_matches(" railway")
        .to_string()
}

fn check_places(net: &Network, p: &mut Vec<Problem>) {
    let mut first: HashMap<&str, &Origin> = HashMap::new();
    let [x0, y0, x1, y1] = net.bbox;
    for pl in &net.places {
        let rec = format!("{} {}", pl.kind.as_str(), pl.id);
        check_id(&pl.id, pl.kind.as_str(), &pl.origin, p);
        if let Some(o) = first.get(pl.id.as_str()) {
            p.push(Problem::error(
                &pl.origin,
                &rec,
                format!("duplicate id '{}', first defined at {o}", pl.id),
                "give each place a unique id, or delete the duplicate",
            ));
        } else {
            first.insert(&pl.id, &pl.origin);
        }
        if !(-180.0..=180.0).contains(&pl.lon) || !(-90.0..=90.0).contains(&pl.lat) {
            p.push(Problem::error(
                &pl.origin,
                &rec,
                format!(
                    "coordinate lon {} lat {} is outside WGS84 (lon -180..180, lat -90..90)",
                    pl.lon, pl.lat
                ),
                if (x0..=x1).contains(&pl.lat) && (y0..=y1).contains(&pl.lon) {
                    "longitude and latitude look swapped: write lon first, then lat"
                } else {
                    "write decimal degrees, longitude first"
                },
            ));
        } else if !(x0..=x1).contains(&pl.lon) || !(y0..=y1).contains(&pl.lat) {
            let swapped = (x0..=x1).contains(&pl.lat) && (y0..=y1).contains(&pl.lon);
            p.push(Problem::error(
                &pl.origin,
                &rec,
                format!(
                    "coordinate lon {} lat {} is outside the network's bbox [{x0}, {y0}, {x1}, {y1}]",
                    pl.lon, pl.lat
                ),
                if swapped {
                    "longitude and latitude look swapped: write lon first, then lat".to_string()
                } else {
                    "check the coordinate (WGS84, decimal degrees) or widen bbox in network.toml"
                        .to_string()
                },
            ));
        }
        if pl.kind == PlaceKind::Station && !(0.0..=60.0).contains(&pl.interchange_min) {
            p.push(Problem::error(
                &pl.origin,
                &rec,
                format!("interchange_min {} is outside 0..60", pl.interchange_min),
                "give the minutes from the entrance to a platform",
            ));
        }
        if pl.kind == PlaceKind::Zone && pl.population == 0 {
            p.push(Problem::error(
                &pl.origin,
                &rec,
                "population is 0",
                "give the resident population (census or year-end figure)",
            ));
        }
        if pl.source.trim().is_empty() {
            p.push(Problem::error(
                &pl.origin,
                &rec,
                "no source",
                "say where the coordinates (and figures) come from, or 'estimate: <method>'",
            ));
        }
    }
    // Stations of different names closer than MIN_STATION_SEPARATION_M.
    let stations = net.places_of(PlaceKind::Station);
    let idx: Vec<usize> = stations.iter().map(|s| s.idx()).collect();
    for (i, j, d) in pairs_within(net, &idx, &idx, MIN_STATION_SEPARATION_M) {
        let (a, b) = (&net.places[i], &net.places[j]);
        if i < j && d < MIN_STATION_SEPARATION_M && norm_name(a) != norm_name(b) {
            p.push(Problem::error(
                &b.origin,
                format!("station {}", b.id),
                format!(
                    "only {d:.0} m from station {} ({}) which has a different name",
                    a.id, a.origin
                ),
                "check both coordinates; if they are one station, merge them",
            ));
        }
    }
}

fn check_services(net: &Network, p: &mut Vec<Problem>) {
    let places = net.place_index();
    let mut seen: HashMap<&str, &Origin> = HashMap::new();
    for s in &net.services {
        let rec = format!("service {}", s.id);
        check_id(&s.id, "service", &s.origin, p);
        if let Some(o) = seen.get(s.id.as_str()) {
            p.push(Problem::error(
                &s.origin,
                &rec,
                format!("duplicate service id '{}', first defined at {o}", s.id),
                "give each stopping pattern its own id",
            ));
        } else {
            seen.insert(&s.id, &s.origin);
        }
        if !(s.headway_min > 0.0 && s.headway_min <= 24.0 * 60.0) {
            p.push(Problem::error(
                &s.origin,
                &rec,
                format!("headway_min {} is not in (0, 1440]", s.headway_min),
                "give the typical peak headway in minutes",
            ));
        }
        if !(0.0..=60.0).contains(&s.dwell_min) {
            p.push(Problem::error(
                &s.origin,
                &rec,
                format!("dwell_min {} is not in 0..60", s.dwell_min),
                "give the dwell at intermediate stops in minutes",
            ));
        }
        if let Some(v) = s.speed_kmh {
            if !(v > 0.0 && v <= 400.0) {
                p.push(Problem::error(
                    &s.origin,
                    &rec,
                    format!("speed_kmh {v} is not in (0, 400]"),
                    "give the average running speed in km/h",
                ));
            }
        }
        if s.source.trim().is_empty() {
            p.push(Problem::error(
                &s.origin,
                &rec,
                "no source",
                "say which timetable or document the run times and headway come from",
            ));
        }
        if let Some(c) = s.closed {
            if c <= s.opened {
                p.push(Problem::error(
                    &s.origin,
                    &rec,
                    format!("closed {c} is not after opened {}", s.opened),
                    "closed is the last date the pattern ran; it must be after opened",
                ));
            }
        }
        if s.stops.len() < 2 {
            p.push(Problem::error(
                &s.origin,
                &rec,
                format!("has {} stop(s)", s.stops.len()),
                "a service needs at least two stops",
            ));
            continue;
        }
        let mut estimated = false;
        for (i, st) in s.stops.iter().enumerate() {
            let srec = format!("service {}, stop {} ({})", s.id, i + 1, st.at);
            let here = places.get(st.at.as_str()).map(|&x| net.place(x));
            match here {
                None => p.push(Problem::error(
                    &s.origin,
                    &srec,
                    format!("unknown station '{}'", st.at),
                    "add the station to a stations file, or correct the id",
                )),
                Some(pl) if pl.kind != PlaceKind::Station => p.push(Problem::error(
                    &s.origin,
                    &srec,
                    format!("'{}' is a {}, not a station", st.at, pl.kind.as_str()),
                    "services stop at stations only",
                )),
                _ => {}
            }
            if let Some(d) = st.dwell_min {
                if !(0.0..=60.0).contains(&d) {
                    p.push(Problem::error(
                        &s.origin,
                        &srec,
                        format!("dwell_min {d} is not in 0..60"),
                        "give the dwell in minutes",
                    ));
                }
            }
            if i == 0 {
                continue;
            }
            if st.at == s.stops[i - 1].at {
                p.push(Problem::error(
                    &s.origin,
                    &srec,
                    "same station as the previous stop",
                    "remove the repeated stop",
                ));
            }
            if let Some(km) = st.km {
                if km.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                    p.push(Problem::error(
                        &s.origin,
                        &srec,
                        format!("km {km} is not positive"),
                        "give the segment length in km",
                    ));
                }
            }
            if st.run_min.is_none() {
                estimated = true;
            }
            let Some(run) = s.run_min(i) else {
                p.push(Problem::error(
                    &s.origin,
                    &srec,
                    "neither run_min nor km (with the service's speed_kmh) is given",
                    "give run_min from a timetable, or km and speed_kmh marked as an estimate",
                ));
                continue;
            };
            if run.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                p.push(Problem::error(
                    &s.origin,
                    &srec,
                    format!("run time {run} min is not positive"),
                    "give the scheduled minutes from the previous stop",
                ));
                continue;
            }
            let prev = places
                .get(s.stops[i - 1].at.as_str())
                .map(|&x| net.place(x));
            let sane =
                |p: &Place| (-180.0..=180.0).contains(&p.lon) && (-90.0..=90.0).contains(&p.lat);
            if let (Some(a), Some(b)) = (prev.filter(|p| sane(p)), here.filter(|p| sane(p))) {
                let km = place_distance_m(a, b) / 1000.0;
                let kmh = km / (run / 60.0);
                let (lo, hi) = s.mode.plausible_kmh();
                // Very short hops (< 1.5 km) may be slow legitimately (curves, station throats)
                // and are only checked against the upper bound.
                if kmh > hi || (kmh < lo && km >= 1.5) {
                    p.push(Problem::error(
                        &s.origin,
                        &srec,
                        format!(
                            "implied speed {kmh:.0} km/h from {} ({km:.1} km straight line in {run} min) is outside {lo}..{hi} km/h for {}",
                            a.id, s.mode
                        ),
                        "check the run time and both stations' coordinates",
                    ));
                }
            }
        }
        if estimated && s.estimate.trim().is_empty() {
            p.push(Problem::error(
                &s.origin,
                &rec,
                "run times are derived from km and speed but the service has no `estimate` note",
                "add estimate = \"<which figures are estimated and how>\"",
            ));
        }
    }
}

fn check_links(net: &Network, p: &mut Vec<Problem>) {
    let places = net.place_index();
    for l in &net.links {
        let rec = format!("link {} - {}", l.from, l.to);
        for end in [&l.from, &l.to] {
            if !places.contains_key(end.as_str()) {
                p.push(Problem::error(
                    &l.origin,
                    &rec,
                    format!("unknown place '{end}'"),
                    "correct the id or add the place",
                ));
            }
        }
        if l.from == l.to {
            p.push(Problem::error(
                &l.origin,
                &rec,
                "links a place to itself",
                "remove the link",
            ));
        }
        match l.minutes {
            Some(m) if !(m > 0.0 && m <= 180.0) => p.push(Problem::error(
                &l.origin,
                &rec,
                format!("minutes {m} is not in (0, 180]"),
                "give the door-to-door minutes of this link",
            )),
            None if l.kind != LinkKind::Walk => p.push(Problem::error(
                &l.origin,
                &rec,
                format!("a {} link needs minutes", l.kind.as_str()),
                "give the minutes, or make it a walk link computed from the distance",
            )),
            _ => {}
        }
        if l.source.trim().is_empty() {
            p.push(Problem::error(
                &l.origin,
                &rec,
                "no source",
                "say where the minutes come from, or 'estimate: <method>'",
            ));
        }
    }
}

fn check_main_stations(net: &Network, p: &mut Vec<Problem>) {
    let places = net.place_index();
    let mut seen = HashSet::new();
    for m in &net.main_stations {
        let rec = format!("main station {} of {}", m.station, m.centre);
        let kind = |id: &str| places.get(id).map(|&i| net.place(i).kind);
        match kind(&m.centre) {
            Some(PlaceKind::Centre) => {}
            Some(k) => p.push(Problem::error(
                &m.origin,
                &rec,
                format!("'{}' is a {}, not a centre", m.centre, k.as_str()),
                "name a centre id from centres.csv in column centre",
            )),
            None => p.push(Problem::error(
                &m.origin,
                &rec,
                format!("unknown centre '{}'", m.centre),
                "name a centre id from centres.csv in column centre",
            )),
        }
        match kind(&m.station) {
            Some(PlaceKind::Station) => {}
            Some(k) => p.push(Problem::error(
                &m.origin,
                &rec,
                format!("'{}' is a {}, not a station", m.station, k.as_str()),
                "name a station id in column station",
            )),
            None => p.push(Problem::error(
                &m.origin,
                &rec,
                format!("unknown station '{}'", m.station),
                "correct the station id or add the station",
            )),
        }
        if !seen.insert((m.centre.as_str(), m.station.as_str())) {
            p.push(Problem::error(
                &m.origin,
                &rec,
                "listed twice",
                "remove the duplicate row",
            ));
        }
        if m.source.trim().is_empty() {
            p.push(Problem::error(
                &m.origin,
                &rec,
                "no source",
                "say why this is a main station of the centre (the plan, the operator, ...)",
            ));
        }
    }
}

fn check_roads(net: &Network, p: &mut Vec<Problem>) {
    let places = net.place_index();
    let mut seen: HashSet<&str> = HashSet::new();
    for r in &net.roads {
        let rec = format!("road {}", r.id);
        check_id(&r.id, "road", &r.origin, p);
        if !seen.insert(&r.id) {
            p.push(Problem::error(
                &r.origin,
                &rec,
                format!("duplicate road id '{}'", r.id),
                "give each road link a unique id",
            ));
        }
        let mut ends = Vec::new();
        for end in [&r.from, &r.to] {
            match places.get(end.as_str()) {
                None => p.push(Problem::error(
                    &r.origin,
                    &rec,
                    format!("unknown road node '{end}'"),
                    "correct the id or add the node to a road nodes file",
                )),
                Some(&i) => ends.push(net.place(i)),
            }
        }
        if !(r.km > 0.0 && r.km < 1000.0) {
            p.push(Problem::error(
                &r.origin,
                &rec,
                format!("km {} is not in (0, 1000)", r.km),
                "give the link length in km",
            ));
        }
        if !(5.0..=150.0).contains(&r.speed_kmh) {
            p.push(Problem::error(
                &r.origin,
                &rec,
                format!("speed_kmh {} is outside 5..150", r.speed_kmh),
                "give the free-flow speed in km/h",
            ));
        }
        if !(1.0..=5.0).contains(&r.congestion) {
            p.push(Problem::error(
                &r.origin,
                &rec,
                format!("congestion {} is outside 1..5", r.congestion),
                "give the peak travel-time multiplier (1 = free flow)",
            ));
        }
        if let [a, b] = ends[..] {
            let straight = place_distance_m(a, b) / 1000.0;
            if r.km > 0.0 && r.km < 0.9 * straight {
                p.push(Problem::error(
                    &r.origin,
                    &rec,
                    format!(
                        "length {} km is shorter than the straight line {straight:.1} km between its ends",
                        r.km
                    ),
                    "check the length and both nodes' coordinates",
                ));
            }
        }
        if r.source.trim().is_empty() {
            p.push(Problem::error(
                &r.origin,
                &rec,
                "no source",
                "say where length and speed come from",
            ));
        }
    }
}

/// Warns about a centre that has neither an explicit link nor any station within walking
/// radius: nothing would reach it in the transit profile.
fn check_centres_connected(net: &Network, p: &mut Vec<Problem>) {
    let linked: HashSet<&str> = net
        .links
        .iter()
        .flat_map(|l| [l.from.as_str(), l.to.as_str()])
        .collect();
    let radius = net.settings.walking.radius_m;
    for c in net.places.iter().filter(|x| x.kind == PlaceKind::Centre) {
        if linked.contains(c.id.as_str()) {
            continue;
        }
        let near = net
            .places
            .iter()
            .any(|s| s.kind == PlaceKind::Station && place_distance_m(c, s) <= radius);
        if !near {
            p.push(Problem::warning(
                &c.origin,
                format!("centre {}", c.id),
                format!(
                    "nothing reaches this centre: no access link and no station within {radius} m"
                ),
                "add access links from the centre to the stations travellers use",
            ));
        }
    }
}
