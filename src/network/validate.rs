//! Semantic validation of a loaded (or scenario-edited) network: every problem, each naming the
//! record, the offending value and the fix.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

use crate::network::ids::{PlaceIdx, ServiceIdx};
use crate::network::model::*;
use crate::network::problem::Problem;

/// Stations with different names must be at least this far apart, metres.
pub const MIN_STATION_SEPARATION_M: f64 = 50.0;

/// Longest run time between two consecutive stops, minutes (a day), whatever the distance.
/// With dwells of at most [`MAX_DWELL_MIN`], a ride arc is at most 90,000 seconds: no sum of
/// run and dwell can wrap the routing core's `u32` seconds.
pub const MAX_RUN_MIN: f64 = 1440.0;

/// Longest headway, minutes.
pub const MAX_HEADWAY_MIN: f64 = 1440.0;

/// Shortest headway, minutes: 30 s. No line runs its vehicles closer (the most frequent metro
/// lines run about every 90 s); a smaller figure is a unit error (seconds or hours written as
/// minutes), and a band of it would be thousands of departures an hour.
pub const MIN_HEADWAY_MIN: f64 = 0.5;

/// Whether `v` is a plausible headway in minutes: finite, in [[`MIN_HEADWAY_MIN`],
/// [`MAX_HEADWAY_MIN`]]. Services, bands and scenario edits are held to it alike.
pub fn plausible_headway(v: f64) -> bool {
    in_range(v, MIN_HEADWAY_MIN, false, MAX_HEADWAY_MIN)
}

/// Longest dwell, minutes.
pub const MAX_DWELL_MIN: f64 = 60.0;
/// Longest interchange time (entrance to platform), minutes.
pub const MAX_INTERCHANGE_MIN: f64 = 60.0;

/// Largest resident population of one zone (the largest Chinese prefecture-level cities have
/// about 30 million). With a file at most 64 MiB, no sum of zone populations can come near
/// `u64::MAX`.
pub const MAX_ZONE_POPULATION: u64 = 50_000_000;

/// Free-flow speeds a road may have, km/h.
pub const ROAD_SPEED_KMH: (f64, f64) = (5.0, 150.0);
/// The range of a road's peak travel-time multiplier.
pub const ROAD_CONGESTION: (f64, f64) = (1.0, 5.0);

/// Fastest plausible walk, km/h: the top of `[walking] speed_kmh`'s range. An explicit `walk`
/// link's straight-line distance over its minutes (a lower bound of its speed) may not exceed it.
pub const MAX_WALK_KMH: f64 = 8.0;

/// Fastest plausible road speed of a local leg, km/h: the top of `[car] speed_kmh`'s range (and
/// China's expressway limit). An `access` link (local bus, taxi) or a `transfer` (on foot, or by
/// a shuttle between stations) may not exceed it on the straight line.
pub const MAX_LOCAL_KMH: f64 = 120.0;

/// Longest walk, straight-line metres: the top of `[walking] radius_m`'s range. A `walk` or
/// `transfer` link between places farther apart is not a walk (a 190 km "walk" would be timed
/// at 55 hours, or at whatever minutes it was given).
pub const MAX_WALK_M: f64 = 5000.0;

/// A hop shorter than this (straight line) is held to the lowest plausible speed of its mode
/// as if it were this long: short hops may be slow legitimately (curves, station throats), but
/// not without limit.
pub const SHORT_HOP_KM: f64 = 1.5;

/// Whether `v` is a finite number in `lo..=hi` (`(lo, hi]` when `lo_open`).
pub fn in_range(v: f64, lo: f64, lo_open: bool, hi: f64) -> bool {
    v.is_finite() && (if lo_open { v > lo } else { v >= lo }) && v <= hi
}

/// A number for messages: in exponent notation when very large or small (`1e12`, `1e-300`),
/// as written otherwise.
pub fn show_num(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-4..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// `(lo, hi]` or `[lo, hi]`, for messages.
pub fn show_range(lo: f64, lo_open: bool, hi: f64) -> String {
    format!("{}{lo}, {hi}]", if lo_open { "(" } else { "[" })
}

/// The network's bounding box: finite, in WGS84, min below max.
pub fn check_bbox(b: [f64; 4], o: &Origin) -> Vec<Problem> {
    let [x0, y0, x1, y1] = b;
    let ok = b.iter().all(|v| v.is_finite())
        && (-180.0..=180.0).contains(&x0)
        && (-180.0..=180.0).contains(&x1)
        && (-90.0..=90.0).contains(&y0)
        && (-90.0..=90.0).contains(&y1)
        && x0 < x1
        && y0 < y1;
    if ok {
        return vec![];
    }
    vec![Problem::error(
        o,
        "bbox",
        format!("bbox = [{x0}, {y0}, {x1}, {y1}] is not a box in WGS84 degrees"),
        "write bbox = [lon_min, lat_min, lon_max, lat_max] with lon in -180..180, lat in -90..90 and min < max",
    )]
}

/// The network settings (`[walking]`, `[access]`, `[car]`, `[routing]`): every number finite
/// and in a plausible range (docs/network-format.md). `at(section, key)` says where a key is
/// written.
pub fn check_settings(s: &Settings, at: &dyn Fn(&str, &str) -> Origin) -> Vec<Problem> {
    let mut p = Vec::new();
    #[rustfmt::skip]
    let checks: [(&str, &str, f64, f64, bool, f64, &str); 16] = [
        ("walking", "speed_kmh", s.walking.speed_kmh, 2.0, false, MAX_WALK_KMH, "the walking speed in km/h, e.g. 4.5"),
        ("walking", "detour", s.walking.detour, 1.0, false, 3.0, "the ratio of street to straight-line distance, e.g. 1.3"),
        ("walking", "radius_m", s.walking.radius_m, 0.0, true, MAX_WALK_M, "the largest straight-line metres walked between places, e.g. 800"),
        ("access", "speed_kmh", s.access.speed_kmh, 3.0, false, 80.0, "the feeder speed in km/h, wait included, e.g. 15"),
        ("access", "detour", s.access.detour, 1.0, false, 3.0, "the ratio of road to straight-line distance, e.g. 1.3"),
        ("access", "radius_km", s.access.radius_km, 0.0, true, 50.0, "the largest straight-line km from a zone to a station it is fed from, e.g. 8"),
        ("access", "point_max_min", s.access.point_max_min, 0.0, false, 120.0, "the longest local-mode leg of a point or grid cell to a station, minutes (0: on foot only), e.g. 20"),
        ("car", "speed_kmh", s.car.speed_kmh, 5.0, false, MAX_LOCAL_KMH, "the speed on local streets in km/h, e.g. 25"),
        ("car", "detour", s.car.detour, 1.0, false, 3.0, "the ratio of street to straight-line distance, e.g. 1.4"),
        ("car", "radius_km", s.car.radius_km, 0.0, true, 50.0, "the largest straight-line km of a connector to the road network, e.g. 15"),
        ("car", "park_min", s.car.park_min, 0.0, false, 60.0, "the minutes to park and walk to the door, e.g. 5"),
        ("car", "junction_radius_km", s.car.junction_radius_km, 0.0, true, 50.0, "the largest straight-line km between road nodes joined by local roads, e.g. 10"),
        ("routing", "cap_min", s.routing.cap_min, 0.0, false, MAX_HEADWAY_MIN, "the cap on the expected wait in minutes, e.g. 10"),
        ("routing", "board_penalty_min", s.routing.board_penalty_min, 0.0, false, 60.0, "the perceived minutes added to every boarding, e.g. 0 or 1"),
        ("routing", "bound_min", s.routing.bound_min, 0.0, true, 1440.0, "the minutes beyond which searches stop, e.g. 180"),
        ("validation", "station_separation_m", s.validation.station_separation_m, 0.0, false, 1000.0, "the metres below which differently named stations are an error, e.g. 50 (0: no check)"),
    ];
    for (section, key, v, lo, lo_open, hi, what) in checks {
        if !in_range(v, lo, lo_open, hi) {
            p.push(Problem::error(
                &at(section, key),
                format!("[{section}] {key}"),
                format!(
                    "{key} = {} is not in {}",
                    show_num(v),
                    show_range(lo, lo_open, hi)
                ),
                format!("give {what}"),
            ));
        }
    }
    let tt = &s.timetable;
    check_default_hours(tt, at, &mut p);
    if let Some(tz) = &tt.timezone {
        if !crate::network::model::iana_zone_form(tz) {
            p.push(Problem::error(
                &at("timetable", "timezone"),
                "[timetable] timezone",
                format!("timezone = \"{tz}\" is not an IANA time zone name"),
                "write the zone of the timetables' clock times, e.g. \"Asia/Shanghai\"",
            ));
        }
    }
    if let Some(u) = &tt.publisher_url {
        if !(u.starts_with("http://") || u.starts_with("https://"))
            || u.contains(char::is_whitespace)
        {
            p.push(Problem::error(
                &at("timetable", "publisher_url"),
                "[timetable] publisher_url",
                format!("publisher_url = \"{u}\" is not a web address"),
                "write the http:// or https:// address of whoever publishes the timetables",
            ));
        }
    }
    p
}

/// `[timetable] default_start` and `default_end`: clock times, start before end, both within
/// the two days a service day may span. One problem, naming the key, rather than one per
/// service of the default band they would make.
fn check_default_hours(
    tt: &TimetableSettings,
    at: &dyn Fn(&str, &str) -> Origin,
    p: &mut Vec<Problem>,
) {
    use crate::network::ids::parse_clock;
    let mut clock_of = |key: &str, v: &str| {
        let t = parse_clock(v);
        if t.is_none() {
            p.push(Problem::error(
                &at("timetable", key),
                format!("[timetable] {key}"),
                format!("{key} = \"{v}\" is not a clock time"),
                "write HH:MM or HH:MM:SS (hours up to 47), e.g. \"06:00\"",
            ));
        }
        t
    };
    let start = clock_of("default_start", &tt.default_start);
    let end = clock_of("default_end", &tt.default_end);
    if let (Some(a), Some(b)) = (start, end) {
        if a >= b {
            p.push(Problem::error(
                &at("timetable", "default_end"),
                "[timetable] default_end",
                format!(
                    "default_end = \"{}\" is not after default_start = \"{}\": services without trips or bands would never run in the timetable modes",
                    tt.default_end, tt.default_start
                ),
                "write the end of the service day after its start; past midnight as 24:30, not 00:30 (e.g. default_start = \"06:00\", default_end = \"23:00\")",
            ));
        }
    }
}

/// All problems (errors and warnings) of a network.
pub fn validate(net: &Network) -> Vec<Problem> {
    let mut p = validate_but_timetables(net);
    check_timetables(net, &mut p);
    p
}

/// [`validate`] without the checks of trips, bands and calendars.
fn validate_but_timetables(net: &Network) -> Vec<Problem> {
    let mut p = Vec::new();
    check_places(net, &mut p);
    check_services(net, &mut p);
    check_links(net, &mut p);
    check_main_stations(net, &mut p);
    check_roads(net, &mut p);
    check_centres_connected(net, &mut p);
    p
}

/// The checks of [`validate`] that read the links (the links themselves, and whether every
/// centre is reached): for a network that passed [`validate`] and changed since only in its
/// links, e.g. an import adding walks along streets. No other check reads a link.
pub fn validate_links(net: &Network) -> Vec<Problem> {
    let mut p = Vec::new();
    check_links(net, &mut p);
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

/// A place's coordinate: on the globe, and inside the network's bbox (with a hint when
/// longitude and latitude look swapped).
fn check_place_coordinate(net: &Network, pl: &Place, rec: &str, p: &mut Vec<Problem>) {
    let [x0, y0, x1, y1] = net.bbox;
    if !(-180.0..=180.0).contains(&pl.lon) || !(-90.0..=90.0).contains(&pl.lat) {
        p.push(Problem::error(
            &pl.origin,
            rec,
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
            rec,
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
}

/// Stations of different names closer than `[validation] station_separation_m`
/// (MIN_STATION_SEPARATION_M by default; 0: no check).
fn check_station_separation(net: &Network, p: &mut Vec<Problem>) {
    let sep = net.settings.validation.station_separation_m;
    let stations = net.places_of(PlaceKind::Station);
    let idx: Vec<usize> = stations.iter().map(|s| s.idx()).collect();
    let near = if sep > 0.0 {
        pairs_among(net, &idx, sep)
    } else {
        vec![]
    };
    for (i, j, d) in near {
        let (a, b) = (&net.places[i], &net.places[j]);
        if d < sep && norm_name(a) != norm_name(b) {
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

fn check_places(net: &Network, p: &mut Vec<Problem>) {
    let mut first: HashMap<&str, &Origin> = HashMap::new();
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
        check_place_coordinate(net, pl, &rec, p);
        if pl.kind == PlaceKind::Station
            && !in_range(pl.interchange_min, 0.0, false, MAX_INTERCHANGE_MIN)
        {
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
        if pl.kind == PlaceKind::Zone && pl.population > MAX_ZONE_POPULATION {
            p.push(Problem::error(
                &pl.origin,
                &rec,
                format!(
                    "population {} is more than {MAX_ZONE_POPULATION}, more than any district or city",
                    pl.population
                ),
                "give the zone's resident population as a plain number of people",
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
    check_station_separation(net, p);
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
        check_service_fields(s, &rec, p);
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
        for i in 0..s.stops.len() {
            estimated |= check_stop(net, &places, s, i, p);
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

/// The service-wide numbers, source and dates of `s`.
fn check_service_fields(s: &Service, rec: &str, p: &mut Vec<Problem>) {
    if !plausible_headway(s.headway_min) {
        p.push(Problem::error(
            &s.origin,
            rec,
            format!(
                "headway_min {} is not in [{MIN_HEADWAY_MIN}, {MAX_HEADWAY_MIN}]",
                show_num(s.headway_min)
            ),
            "give the typical peak headway in minutes",
        ));
    }
    if !in_range(s.dwell_min, 0.0, false, MAX_DWELL_MIN) {
        p.push(Problem::error(
            &s.origin,
            rec,
            format!("dwell_min {} is not in 0..60", s.dwell_min),
            "give the dwell at intermediate stops in minutes",
        ));
    }
    if let Some(v) = s.speed_kmh {
        if !in_range(v, 5.0, false, 400.0) {
            p.push(Problem::error(
                &s.origin,
                rec,
                format!("speed_kmh {} is not in [5, 400]", show_num(v)),
                "give the average running speed in km/h",
            ));
        }
    }
    if s.source.trim().is_empty() {
        p.push(Problem::error(
            &s.origin,
            rec,
            "no source",
            "say which timetable or document the run times and headway come from",
        ));
    }
    if let Some(c) = s.closed {
        if c <= s.opened {
            p.push(Problem::error(
                &s.origin,
                rec,
                format!("closed {c} is not after opened {}", s.opened),
                "closed is the last date the pattern ran; it must be after opened",
            ));
        }
    }
}

/// Stop `i` of `s`: the station, dwell, segment length and run time, and the implied speed
/// from the previous stop. Returns whether its run time is derived (km and speed).
fn check_stop(
    net: &Network,
    places: &HashMap<&str, crate::network::ids::PlaceIdx>,
    s: &Service,
    i: usize,
    p: &mut Vec<Problem>,
) -> bool {
    let st = &s.stops[i];
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
        if !in_range(d, 0.0, false, MAX_DWELL_MIN) {
            p.push(Problem::error(
                &s.origin,
                &srec,
                format!("dwell_min {d} is not in 0..60"),
                "give the dwell in minutes",
            ));
        }
    }
    if i == 0 {
        return false;
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
        } else if !in_range(km, 0.0, true, 2000.0) {
            p.push(Problem::error(
                &s.origin,
                &srec,
                format!("km {km} is more than 2000 km between two stops"),
                "give the segment length from the previous stop in km",
            ));
        }
    }
    let estimated = st.run_min.is_none();
    let Some(run) = s.run_min(i) else {
        p.push(Problem::error(
            &s.origin,
            &srec,
            "neither run_min nor km (with the service's speed_kmh) is given",
            "give run_min from a timetable, or km and speed_kmh marked as an estimate",
        ));
        return estimated;
    };
    if run.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        p.push(Problem::error(
            &s.origin,
            &srec,
            format!("run time {run} min is not positive"),
            "give the scheduled minutes from the previous stop",
        ));
        return estimated;
    }
    if !in_range(run, 0.0, true, MAX_RUN_MIN) {
        p.push(Problem::error(
            &s.origin,
            &srec,
            format!(
                "run time {} min from the previous stop is more than a day ({MAX_RUN_MIN} min)",
                show_num(run)
            ),
            "give the scheduled minutes from the previous stop (check km and speed_kmh if it is derived)",
        ));
        return estimated;
    }
    let prev = places
        .get(s.stops[i - 1].at.as_str())
        .map(|&x| net.place(x));
    check_stop_speed(s, prev, here, run, &srec, p);
    estimated
}

/// The run of `s` from the place `prev` to the place `here` in `run` minutes: the speed it
/// implies is plausible for the service's mode (very short hops are held to the lowest speed
/// as if they were SHORT_HOP_KM long). Places off the globe are checked elsewhere.
fn check_stop_speed(
    s: &Service,
    prev: Option<&Place>,
    here: Option<&Place>,
    run: f64,
    srec: &str,
    p: &mut Vec<Problem>,
) {
    let sane = |p: &Place| (-180.0..=180.0).contains(&p.lon) && (-90.0..=90.0).contains(&p.lat);
    if let (Some(a), Some(b)) = (prev.filter(|p| sane(p)), here.filter(|p| sane(p))) {
        let km = place_distance_m(a, b) / 1000.0;
        let kmh = km / (run / 60.0);
        let (lo, hi) = s.mode.plausible_kmh();
        // Very short hops may be slow legitimately (curves, station throats): they are
        // held to the lowest speed as if they were SHORT_HOP_KM long.
        let longest = km.max(SHORT_HOP_KM) / lo * 60.0;
        if km < SHORT_HOP_KM && run > longest {
            p.push(Problem::error(
                &s.origin,
                srec,
                format!(
                    "run time {run} min from {} ({km:.1} km straight line) is too long for {}: even a {SHORT_HOP_KM} km hop takes at most {longest:.0} min at {lo} km/h",
                    a.id, s.mode
                ),
                "check the run time and both stations' coordinates",
            ));
        } else if kmh > hi || (kmh < lo && km >= SHORT_HOP_KM) {
            p.push(Problem::error(
                &s.origin,
                srec,
                format!(
                    "implied speed {kmh:.0} km/h from {} ({km:.1} km straight line in {run} min) is outside {lo}..{hi} km/h for {}",
                    a.id, s.mode
                ),
                "check the run time and both stations' coordinates",
            ));
        }
    }
}

fn check_links(net: &Network, p: &mut Vec<Problem>) {
    let places = net.place_index();
    // A link is bidirectional: a - b and b - a of one kind are the same link.
    let mut first: HashMap<(&str, &str, LinkKind), &Origin> = HashMap::new();
    for l in &net.links {
        // Made only for a problem: a network may hold many thousand links.
        let rec = || format!("link {} - {}", l.from, l.to);
        let (a, b) = if l.from <= l.to {
            (l.from.as_str(), l.to.as_str())
        } else {
            (l.to.as_str(), l.from.as_str())
        };
        if let Some(o) = first.get(&(a, b, l.kind)) {
            p.push(Problem::error(
                &l.origin,
                rec(),
                format!(
                    "duplicate {} link between {a} and {b}, first at {o}",
                    l.kind.as_str()
                ),
                "delete one of the two (a link runs both ways: a - b and b - a are the same link)",
            ));
        } else {
            first.insert((a, b, l.kind), &l.origin);
        }
        for end in [&l.from, &l.to] {
            if !places.contains_key(end.as_str()) {
                p.push(Problem::error(
                    &l.origin,
                    rec(),
                    format!("unknown place '{end}'"),
                    "correct the id or add the place",
                ));
            }
        }
        if l.from == l.to {
            p.push(Problem::error(
                &l.origin,
                rec(),
                "links a place to itself",
                "remove the link",
            ));
        }
        match l.minutes {
            Some(m) if !(m > 0.0 && m <= 180.0) => p.push(Problem::error(
                &l.origin,
                rec(),
                format!("minutes {m} is not in (0, 180]"),
                "give the door-to-door minutes of this link",
            )),
            None if l.kind != LinkKind::Walk => p.push(Problem::error(
                &l.origin,
                rec(),
                format!("a {} link needs minutes", l.kind.as_str()),
                "give the minutes, or make it a walk link computed from the distance",
            )),
            _ => {}
        }
        if l.source.trim().is_empty() {
            p.push(Problem::error(
                &l.origin,
                rec(),
                "no source",
                "say where the minutes come from, or 'estimate: <method>'",
            ));
        }
        if let (Some(&x), Some(&y)) = (places.get(l.from.as_str()), places.get(l.to.as_str())) {
            check_link_speed(l, net.place(x), net.place(y), &rec, p);
        }
    }
}

/// A link between the places `a` and `b`: a walk or transfer no longer than [`MAX_WALK_M`]
/// (straight line), and the speed its minutes imply on the straight line (a lower bound of
/// the real one) plausible for its kind: [`MAX_WALK_KMH`] on foot, [`MAX_LOCAL_KMH`] for an
/// access leg or a transfer, give or take the minute that whole minutes leave open. Walks
/// without minutes are timed at the walking speed: only their length is checked. Places off
/// the globe are reported by the places' checks.
fn check_link_speed(
    l: &Link,
    a: &Place,
    b: &Place,
    rec: &dyn Fn() -> String,
    p: &mut Vec<Problem>,
) {
    let sane = |p: &Place| (-180.0..=180.0).contains(&p.lon) && (-90.0..=90.0).contains(&p.lat);
    if !(sane(a) && sane(b)) {
        return;
    }
    let m = place_distance_m(a, b);
    let km = m / 1000.0;
    if l.kind != LinkKind::Access && m > MAX_WALK_M {
        p.push(Problem::error(
            &l.origin,
            rec(),
            format!(
                "a {} link over {km:.1} km straight line between {} and {}: longer than any walk ({} km at most)",
                l.kind.as_str(),
                a.id,
                b.id,
                MAX_WALK_M / 1000.0
            ),
            "model a longer leg as an access link (local bus, taxi) with its minutes, or as a transit service; or check both places' coordinates",
        ));
        return;
    }
    let Some(min) = l.minutes.filter(|m| m.is_finite() && *m > 0.0) else {
        return;
    };
    let hi = match l.kind {
        LinkKind::Walk => MAX_WALK_KMH,
        LinkKind::Transfer | LinkKind::Access => MAX_LOCAL_KMH,
    };
    // Whole minutes may be rounded: the leg may take up to a minute more.
    let slack = if min.fract() == 0.0 { 1.0 } else { 0.0 };
    if km / ((min + slack) / 60.0) > hi {
        p.push(Problem::error(
            &l.origin,
            rec(),
            format!(
                "implied speed {:.0} km/h ({km:.1} km straight line between {} and {} in {} min) is more than {hi} km/h, the most for {} links",
                km / (min / 60.0),
                a.id,
                b.id,
                show_num(min),
                l.kind.as_str()
            ),
            match l.kind {
                LinkKind::Walk => "check the minutes and both places' coordinates; a leg faster than walking is an access link (local bus, taxi) or a transit service",
                _ => "check the minutes and both places' coordinates; a leg faster than a car on local roads is a transit service",
            },
        ));
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
        if r.from == r.to {
            p.push(Problem::error(
                &r.origin,
                &rec,
                format!("runs from road node '{}' to itself", r.from),
                "give the two different nodes the road joins, or remove the row",
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
        if !in_range(r.speed_kmh, ROAD_SPEED_KMH.0, false, ROAD_SPEED_KMH.1) {
            p.push(Problem::error(
                &r.origin,
                &rec,
                format!("speed_kmh {} is outside 5..150", r.speed_kmh),
                "give the free-flow speed in km/h",
            ));
        }
        if !in_range(r.congestion, ROAD_CONGESTION.0, false, ROAD_CONGESTION.1) {
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
    if !net.places.iter().any(|x| x.kind == PlaceKind::Centre) {
        return;
    }
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

/// The latest clock time a trip or band may reach: two days, as GTFS service days allow.
pub const MAX_CLOCK_S: u32 = 48 * 3600 - 1;

/// Calendars, trips and bands: ids unique, references known, trips along their service with
/// times in order and plausible speeds, bands inside two days.
fn check_timetables(net: &Network, p: &mut Vec<Problem>) {
    let cals = check_calendars(net, p);
    let services = net.service_index();
    let places = net.place_index();
    let mut trips: HashMap<&str, &Origin> = HashMap::new();
    // The first trip of each id, in order; then every trip's checks side by side (a network
    // may hold hundred thousands of calls), their problems in the trips' order.
    let first: Vec<Option<&Origin>> = net
        .trips
        .iter()
        .map(|t| trips.insert(t.id.as_str(), &t.origin))
        .collect();
    let per_trip: Vec<Vec<Problem>> = net
        .trips
        .par_iter()
        .zip(first)
        .map(|(t, first)| {
            let mut p = Vec::new();
            let rec = format!("trip {}", t.id);
            if let Some(s) = check_trip_record(net, t, first, &cals, &services, &rec, &mut p) {
                check_trip_stops(t, s, &rec, &mut p);
                check_trip_times(net, t, s, &places, &rec, &mut p);
            }
            p
        })
        .collect();
    p.extend(per_trip.into_iter().flatten());
    check_bands(net, &cals, &services, p);
}

/// Calendars: ids unique, end not before start, a source, no date both added and removed.
/// Returns them by id.
fn check_calendars<'n>(net: &'n Network, p: &mut Vec<Problem>) -> HashMap<&'n str, &'n Origin> {
    let mut cals: HashMap<&str, &Origin> = HashMap::new();
    for c in &net.calendars {
        let rec = format!("calendar {}", c.id);
        check_id(&c.id, "calendar", &c.origin, p);
        if let Some(first) = cals.insert(c.id.as_str(), &c.origin) {
            p.push(Problem::error(
                &c.origin,
                &rec,
                format!("duplicate calendar id (first at {first})"),
                "give each calendar its own id",
            ));
        }
        if c.end < c.start {
            p.push(Problem::error(
                &c.origin,
                &rec,
                format!("end {} is before start {}", c.end, c.start),
                "write the first day in start and the last in end",
            ));
        }
        if c.source.trim().is_empty() {
            p.push(Problem::error(
                &c.origin,
                &rec,
                "no source",
                "name the timetable whose validity this calendar is",
            ));
        }
        if c.added.iter().any(|d| c.removed.contains(d)) {
            p.push(Problem::error(
                &c.origin,
                &rec,
                "a date is both added and removed",
                "keep the date in one of the two columns",
            ));
        }
    }
    cals
}

/// A trip's record: its id unique (`first`: where an earlier trip has it), its calendar and
/// service known, at least two stops. Returns its service, unless unknown or the trip has
/// fewer than two stops.
fn check_trip_record<'n>(
    net: &'n Network,
    t: &'n Trip,
    first: Option<&Origin>,
    cals: &HashMap<&str, &Origin>,
    services: &HashMap<&str, ServiceIdx>,
    rec: &str,
    p: &mut Vec<Problem>,
) -> Option<&'n Service> {
    check_id(&t.id, "trip", &t.origin, p);
    if let Some(first) = first {
        p.push(Problem::error(
            &t.origin,
            rec,
            format!("duplicate trip id (first at {first})"),
            "give each trip its own id (e.g. the train number and the calendar)",
        ));
    }
    if !cals.contains_key(t.calendar.as_str()) {
        p.push(Problem::error(
            &t.origin,
            rec,
            format!("unknown calendar '{}'", t.calendar),
            "add the calendar to a calendars file, or correct the id",
        ));
    }
    let Some(&si) = services.get(t.service.as_str()) else {
        p.push(Problem::error(
            &t.origin,
            rec,
            format!("unknown service '{}'", t.service),
            "add the service to a services file, or correct the id",
        ));
        return None;
    };
    let s = &net.services[si.idx()];
    if t.stops.len() < 2 {
        p.push(Problem::error(
            &t.origin,
            rec,
            "a trip needs at least two stops",
            "give every stop the trip calls at, in running order",
        ));
        return None;
    }
    Some(s)
}

/// A trip's stops: stations of its service, in its order (or the reverse, for a service
/// running both ways).
fn check_trip_stops(t: &Trip, s: &Service, rec: &str, p: &mut Vec<Problem>) {
    // The trip's stops must be a subsequence of the service's stops (forward), or of
    // their reverse (services running both ways). Matched greedily in order, so that a
    // service calling twice at one station (a loop) is followed correctly. A trip in the
    // service's order (most) has every stop known too: one pass decides it.
    if is_subsequence(t, s.stops.iter()) {
        return;
    }
    let mut known = 0;
    for ts in &t.stops {
        match s.stops.iter().position(|x| x.at == ts.at) {
            Some(_) => known += 1,
            None => {
                p.push(Problem::error(
                    &ts.origin,
                    rec,
                    format!("stop '{}' is not a station of service {}", ts.at, s.id),
                    "add the station to the service, or give the trip to the service that calls there",
                ));
            }
        }
    }
    if known == t.stops.len() {
        let back = is_subsequence(t, s.stops.iter().rev());
        if !(back && s.directions == Directions::Both) {
            p.push(Problem::error(
                &t.origin,
                rec,
                format!(
                    "the stops do not follow service {}'s stop order{}",
                    s.id,
                    if s.directions == Directions::Both {
                        " or its reverse"
                    } else {
                        ""
                    }
                ),
                "list the trip's stops in running order; a trip may skip stations but not go back",
            ));
        }
    }
}

/// A trip's times: departures not before arrivals, before 48:00, dwells within the limit,
/// never decreasing, and speeds between consecutive stops plausible for the mode (a hop
/// shorter than [`SHORT_HOP_KM`] held to the lowest speed as if it were that long; whole-minute
/// times given a minute of slack).
fn check_trip_times(
    net: &Network,
    t: &Trip,
    s: &Service,
    places: &HashMap<&str, PlaceIdx>,
    rec: &str,
    p: &mut Vec<Problem>,
) {
    let mut prev: Option<&TripStop> = None;
    for ts in &t.stops {
        if ts.depart < ts.arrive {
            p.push(Problem::error(
                &ts.origin,
                rec,
                format!(
                    "departs {} before it arrives {}",
                    clock(ts.depart),
                    clock(ts.arrive)
                ),
                "check the two times of this stop",
            ));
        }
        if ts.depart > MAX_CLOCK_S || ts.arrive > MAX_CLOCK_S {
            p.push(Problem::error(
                &ts.origin,
                rec,
                "a time is past 47:59:59",
                "service-day times may pass 24:00 but not 48:00",
            ));
        }
        if ts.depart - ts.arrive.min(ts.depart) > (MAX_DWELL_MIN * 60.0) as u32 {
            p.push(Problem::error(
                &ts.origin,
                rec,
                format!(
                    "dwell of {} min at {} is more than {MAX_DWELL_MIN} min",
                    (ts.depart - ts.arrive) / 60,
                    ts.at
                ),
                "check the times; a long layover is two trips",
            ));
        }
        if let Some(a) = prev {
            if ts.arrive < a.depart {
                p.push(Problem::error(
                    &ts.origin,
                    rec,
                    format!(
                        "arrives at {} {} before leaving {} at {}",
                        ts.at,
                        clock(ts.arrive),
                        a.at,
                        clock(a.depart)
                    ),
                    "times must not decrease along a trip (write 24:10, not 00:10, after midnight)",
                ));
            } else if let (Some(&x), Some(&y)) =
                (places.get(a.at.as_str()), places.get(ts.at.as_str()))
            {
                check_hop_speed(s, (a, net.place(x)), (ts, net.place(y)), rec, p);
            }
        }
        prev = Some(ts);
    }
}

/// The hop of a trip from the stop `from` to the stop `to` (each with its place): the speed it
/// implies is plausible for the service's mode, give or take the minute that whole-minute
/// times leave open.
fn check_hop_speed(
    s: &Service,
    from: (&TripStop, &Place),
    to: (&TripStop, &Place),
    rec: &str,
    p: &mut Vec<Problem>,
) {
    let (a, ts) = (from.0, to.0);
    let km = place_distance_m(from.1, to.1) / 1000.0;
    let run_s = ts.arrive - a.depart;
    let run = (run_s as f64 / 60.0 * 100.0).round() / 100.0;
    let (lo, hi) = s.mode.plausible_kmh();
    // Times given to the whole minute say only that the vehicle leaves and
    // arrives within those minutes: the hop may take up to a minute more or
    // less (GTFS feeds often give two close stops the same minute).
    let slack = if a.depart % 60 == 0 && ts.arrive % 60 == 0 {
        60
    } else {
        0
    };
    let kmh_at = |secs: u32| {
        if secs > 0 {
            km / (secs as f64 / 3600.0)
        } else {
            f64::INFINITY
        }
    };
    let (fastest, slowest) = (run_s + slack, run_s.saturating_sub(slack));
    let too_slow = if km < SHORT_HOP_KM {
        slowest as f64 / 60.0 > SHORT_HOP_KM / lo * 60.0
    } else {
        kmh_at(slowest) < lo
    };
    if kmh_at(fastest) > hi || too_slow {
        let kmh = kmh_at(run_s);
        p.push(Problem::error(
            &ts.origin,
            rec,
            format!(
                "implied speed {} km/h from {} ({km:.1} km straight line in {run} min{}) is outside {lo}..{hi} km/h for {}",
                if kmh.is_finite() { format!("{kmh:.0}") } else { "infinite".into() },
                a.at,
                if slack > 0 { ", give or take the minute its whole-minute times leave open" } else { "" },
                s.mode
            ),
            "check the times and both stations' coordinates",
        ));
    }
}

/// Bands: calendar and service known (running both ways for a backward band), inside two
/// days, with a source.
fn check_bands(
    net: &Network,
    cals: &HashMap<&str, &Origin>,
    services: &HashMap<&str, ServiceIdx>,
    p: &mut Vec<Problem>,
) {
    // A band listed twice would run its departures twice.
    let mut first: HashMap<(&str, &str, BandDirection, u32, u32), &Origin> = HashMap::new();
    for b in &net.bands {
        let rec = format!("band of {} from {}", b.service, clock(b.start));
        let key = (
            b.service.as_str(),
            b.calendar.as_str(),
            b.direction,
            b.start,
            b.end,
        );
        if let Some(o) = first.get(&key) {
            p.push(Problem::error(
                &b.origin,
                &rec,
                format!(
                    "the same band ({} {}, calendar {}, {}-{}) is listed at {o}: its departures would run twice",
                    b.service,
                    match b.direction {
                        BandDirection::Forward => "forward",
                        BandDirection::Backward => "backward",
                    },
                    b.calendar,
                    clock(b.start),
                    clock(b.end)
                ),
                "delete one of the two rows (to run more often, lower headway_min)",
            ));
        } else {
            first.insert(key, &b.origin);
        }
        if !cals.contains_key(b.calendar.as_str()) {
            p.push(Problem::error(
                &b.origin,
                &rec,
                format!("unknown calendar '{}'", b.calendar),
                "add the calendar to a calendars file, or correct the id",
            ));
        }
        match services.get(b.service.as_str()) {
            None => p.push(Problem::error(
                &b.origin,
                &rec,
                format!("unknown service '{}'", b.service),
                "add the service to a services file, or correct the id",
            )),
            Some(&si) => {
                let s = &net.services[si.idx()];
                if b.direction == BandDirection::Backward && s.directions != Directions::Both {
                    p.push(Problem::error(
                        &b.origin,
                        &rec,
                        format!("service {} runs forward only", s.id),
                        "write direction forward, or let the service run both ways",
                    ));
                }
            }
        }
        if b.end <= b.start || b.end > MAX_CLOCK_S + 1 {
            p.push(Problem::error(
                &b.origin,
                &rec,
                format!(
                    "band {}-{} is empty or passes 48:00",
                    clock(b.start),
                    clock(b.end)
                ),
                "write start before end, both before 48:00",
            ));
        }
        if b.source.trim().is_empty() {
            p.push(Problem::error(
                &b.origin,
                &rec,
                "no source",
                "name the timetable, period and date the headway comes from",
            ));
        }
    }
}

/// Whether the stops of `t` appear, in order, among `stops` (matched greedily: each at the
/// first place after the previous one's).
fn is_subsequence<'a>(t: &Trip, mut stops: impl Iterator<Item = &'a Stop>) -> bool {
    t.stops
        .iter()
        .all(|ts| stops.by_ref().any(|x| x.at == ts.at))
}

fn clock(t: u32) -> String {
    crate::network::ids::format_clock(t)
}
