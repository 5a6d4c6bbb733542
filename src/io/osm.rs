//! OpenStreetMap `.osm.pbf` extracts → walking and driving street graphs ([`Streets`]), and
//! walking links between a network's stops along those streets.
//!
//! The file is read with the `osmpbf` crate in two passes (ways, then only the nodes the kept
//! ways use), blocks decoded in parallel; nodes are numbered in OSM id order and ways taken in
//! OSM id order, so the graphs do not depend on thread timing.
//!
//! **Which ways.** Only ways with a `highway` tag; never areas (`area=yes`), ways under
//! construction or proposed (`highway=construction|proposed|planned|abandoned|disused|razed`,
//! or a `construction` tag other than `no`, `widening`, `minor`), bus guideways, busways,
//! raceways or escape lanes.
//!
//! - **On foot**: footway, pedestrian, path, steps, corridor, platform, elevator, cycleway,
//!   bridleway, track, living_street, residential, service, unclassified, road, and tertiary,
//!   secondary and primary with their links. `trunk` and `trunk_link` only with a sidewalk
//!   tagged on the way (`sidewalk`, `sidewalk:both`, `:left` or `:right` = `yes`, `both`,
//!   `left` or `right`; `separate` means the sidewalk is its own footway, which is read
//!   instead), or with `foot=yes|designated|permissive`; `motorway` and `motorway_link` only
//!   with such a `foot` tag. `foot=no|use_sidepath|private` excludes a way; `access=no|private`
//!   excludes it unless `foot=yes|designated|permissive`. Walking ignores `oneway`.
//! - **By car**: motorway, trunk, primary, secondary, tertiary (and their links),
//!   unclassified, residential, living_street and service. Access from the first of
//!   `motorcar`, `motor_vehicle`, `vehicle`, `access` that is tagged (OSRM's hierarchy):
//!   `no`, `private`, `agricultural`, `forestry`, `emergency`, `psv` or `bus` exclude the way;
//!   `service=emergency_access` too. One-way: `oneway=yes|true|1` forward only, `-1|reverse`
//!   backward only, `no|false|0` both ways; without a `oneway` tag, `junction=roundabout|circular`
//!   and `highway=motorway` are one-way forward (the OSM wiki's implied one-way); `reversible`
//!   and `alternating` ways (direction by time of day) are left out.
//! - **Car speeds** (km/h, an estimate of free-flow driving): 80 % of `maxspeed` when it is a
//!   number (km/h, or `mph` converted at 1.609344), per direction from `maxspeed:forward` /
//!   `maxspeed:backward` when tagged; otherwise the default of the highway class below. Both
//!   rules are the OSRM car profile's (Project-OSRM/osrm-backend, `profiles/car.lua` at commit
//!   5230a8717d514612d66bf42c2deb3163a7e35798: `speeds.highway` and `speed_reduction = 0.8`,
//!   applied to `maxspeed` in `profiles/lib/way_handlers.lua`, `WayHandlers.maxspeed`). Turn
//!   costs, traffic lights and congestion are not modelled.
//!
//! Segments of a way whose node is missing from the extract (ways cut at its edge) are left
//! out; the summary counts them.

use std::collections::HashMap;
use std::path::Path;

use osmpbf::{BlobDecode, BlobReader, BlobType, Element, ElementReader};
use rayon::prelude::*;

use crate::graph::streets::{
    CarSegment, PointKind, Snap, SnapReport, StreetEdge, StreetInput, Streets,
};
use crate::network::model::{Link, LinkKind, Network, Origin, PlaceKind, StreetsFile};
use crate::network::problem::{Problem, Problems};

/// Pieces of the walking graph with fewer nodes than this are not snapped to (an estimate: a
/// footway drawn apart or a fragment cut at the extract's edge has a few dozen nodes at most;
/// a real neighbourhood has hundreds).
pub const MIN_PIECE_NODES: u32 = 40;

/// Default car speeds by highway class, km/h, when `maxspeed` is not a number: the OSRM car
/// profile's `speeds.highway` (see the module documentation for the commit).
pub const DEFAULT_SPEEDS_KMH: [(&str, f64); 14] = [
    ("motorway", 90.0),
    ("motorway_link", 45.0),
    ("trunk", 85.0),
    ("trunk_link", 40.0),
    ("primary", 65.0),
    ("primary_link", 30.0),
    ("secondary", 55.0),
    ("secondary_link", 25.0),
    ("tertiary", 40.0),
    ("tertiary_link", 20.0),
    ("unclassified", 25.0),
    ("residential", 25.0),
    ("living_street", 10.0),
    ("service", 15.0),
];

/// The share of a numeric `maxspeed` taken as the driving speed (OSRM's `speed_reduction`).
pub const MAXSPEED_FACTOR: f64 = 0.8;

/// How a way may be used.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WayUse {
    /// Walkable.
    pub walk: bool,
    /// Drivable: km/h forward and backward (`None`: that direction is not allowed).
    pub car: Option<(Option<f64>, Option<f64>)>,
    /// The car speed came from `maxspeed` tags (else the class default).
    pub speed_from_tags: bool,
}

/// Parses a `maxspeed` value: a number of km/h (`50`, `50 km/h`, `50 kmh`, `50 kph`) or mph
/// (`30 mph`); the first of several (`50;30`). Anything else (`none`, `signals`, `walk`,
/// `FI:urban`) and numbers outside 1..=300 km/h give `None`.
pub fn parse_maxspeed(v: &str) -> Option<f64> {
    let v = v.split(';').next()?.trim();
    let num_end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let n: f64 = v[..num_end].parse().ok()?;
    let unit = v[num_end..].trim().to_ascii_lowercase();
    let kmh = match unit.as_str() {
        "" | "km/h" | "kmh" | "kph" | "km/hr" => n,
        "mph" | "mp/h" => n * 1.609344,
        _ => return None,
    };
    (1.0..=300.0).contains(&kmh).then_some(kmh)
}

fn is_yes_foot(v: Option<&str>) -> bool {
    matches!(v, Some("yes" | "designated" | "permissive" | "official"))
}

/// How a way with these tags may be used (see the module documentation for the rules).
pub fn classify(tags: &HashMap<&str, &str>) -> WayUse {
    let get = |k: &str| tags.get(k).copied();
    let Some(hw) = get("highway") else {
        return WayUse::default();
    };
    if get("area") == Some("yes") {
        return WayUse::default();
    }
    if let Some(c) = get("construction") {
        if !matches!(c, "no" | "widening" | "minor") {
            return WayUse::default();
        }
    }
    // On foot.
    let foot = get("foot");
    let foot_yes = is_yes_foot(foot);
    let sidewalk = [
        "sidewalk",
        "sidewalk:both",
        "sidewalk:left",
        "sidewalk:right",
    ]
    .iter()
    .any(|k| matches!(get(k), Some("yes" | "both" | "left" | "right")));
    let mut walk = match hw {
        "footway" | "pedestrian" | "path" | "steps" | "corridor" | "platform" | "elevator"
        | "cycleway" | "bridleway" | "track" | "living_street" | "residential" | "service"
        | "unclassified" | "road" | "tertiary" | "tertiary_link" | "secondary"
        | "secondary_link" | "primary" | "primary_link" => true,
        "trunk" | "trunk_link" => sidewalk || foot_yes,
        "motorway" | "motorway_link" => foot_yes,
        _ => false,
    };
    if matches!(foot, Some("no" | "use_sidepath" | "private")) {
        walk = false;
    }
    if matches!(get("access"), Some("no" | "private")) && !foot_yes {
        walk = false;
    }
    // By car.
    let default_kmh = DEFAULT_SPEEDS_KMH
        .iter()
        .find(|(k, _)| *k == hw)
        .map(|&(_, v)| v);
    let mut car = None;
    let mut speed_from_tags = false;
    if let Some(def) = default_kmh {
        let access = ["motorcar", "motor_vehicle", "vehicle", "access"]
            .iter()
            .find_map(|k| get(k));
        let barred = matches!(
            access,
            Some("no" | "private" | "agricultural" | "forestry" | "emergency" | "psv" | "bus")
        ) || get("service") == Some("emergency_access");
        let (fwd, bwd) = match get("oneway") {
            Some("yes" | "true" | "1") => (true, false),
            Some("-1" | "reverse") => (false, true),
            Some("no" | "false" | "0") => (true, true),
            Some("reversible" | "alternating") => (false, false),
            _ => {
                let implied =
                    matches!(get("junction"), Some("roundabout" | "circular")) || hw == "motorway";
                (true, !implied)
            }
        };
        if !barred && (fwd || bwd) {
            let all = get("maxspeed").and_then(parse_maxspeed);
            let f = get("maxspeed:forward").and_then(parse_maxspeed).or(all);
            let b = get("maxspeed:backward").and_then(parse_maxspeed).or(all);
            speed_from_tags = (fwd && f.is_some()) || (bwd && b.is_some());
            let kmh = |m: Option<f64>| m.map_or(def, |v| v * MAXSPEED_FACTOR);
            car = Some((fwd.then(|| kmh(f)), bwd.then(|| kmh(b))));
        }
    }
    WayUse {
        walk,
        car,
        speed_from_tags,
    }
}

/// What reading an extract found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OsmSummary {
    /// Ways with a `highway` tag.
    pub highway_ways: usize,
    /// Ways kept for walking.
    pub walk_ways: usize,
    /// Ways kept for driving.
    pub car_ways: usize,
    /// Car ways whose speed came from `maxspeed` tags (the others: class defaults).
    pub car_ways_maxspeed: usize,
    /// Nodes used by kept ways and present in the extract.
    pub nodes: usize,
    /// Nodes used by kept ways but missing from the extract (their segments left out).
    pub missing_nodes: usize,
}

fn problem(path: &Path, message: impl Into<String>, fix: impl Into<String>) -> Problems {
    Problems(vec![Problem::error(
        &Origin {
            file: path.display().to_string(),
            line: None,
        },
        "",
        message,
        fix,
    )])
}

const BAD_PBF_FIX: &str = "give an OpenStreetMap extract in PBF format (.osm.pbf, e.g. from Geofabrik or BBBike); if the file was cut off, download it again";

/// Checks the block structure of the file before decoding: the first block is the
/// `OSMHeader`, its required features are ones this reader supports, and the blocks end
/// exactly at the end of the file (a file cut off inside a block, or between blocks inside the
/// next block's length, is caught here; `osmpbf` alone would read the blocks before the cut).
fn check_structure(path: &Path) -> Result<(), Problems> {
    let bad = |m: String| problem(path, m, BAD_PBF_FIX);
    let len = std::fs::metadata(path)
        .map_err(|e| problem(path, format!("cannot read: {e}"), "give a readable file"))?
        .len();
    let mut r = BlobReader::from_path(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    match r.next() {
        Some(Ok(b)) if b.get_type() == BlobType::OsmHeader => match b.decode() {
            Ok(BlobDecode::OsmHeader(h)) => {
                let unsupported: Vec<&str> = h
                    .required_features()
                    .iter()
                    .map(String::as_str)
                    .filter(|f| !matches!(*f, "OsmSchema-V0.6" | "DenseNodes"))
                    .collect();
                if !unsupported.is_empty() {
                    return Err(problem(
                        path,
                        format!(
                            "the file requires features this reader does not support: {}",
                            unsupported.join(", ")
                        ),
                        "give a plain extract (no history file): OsmSchema-V0.6 with DenseNodes",
                    ));
                }
            }
            Ok(_) => {
                return Err(bad(
                    "not an OpenStreetMap PBF file: its first block is not an OSMHeader".into(),
                ))
            }
            Err(e) => return Err(bad(format!("not a readable OpenStreetMap PBF file: {e}"))),
        },
        Some(Ok(_)) => {
            return Err(bad(
                "not an OpenStreetMap PBF file: its first block is not an OSMHeader".into(),
            ))
        }
        Some(Err(e)) => return Err(bad(format!("not an OpenStreetMap PBF file: {e}"))),
        None => return Err(bad("not an OpenStreetMap PBF file: it is empty".into())),
    }
    let mut r =
        BlobReader::seekable_from_path(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    let mut end = 0u64;
    while let Some(h) = r.next_header_skip_blob() {
        h.map_err(|e| bad(format!("not a readable OpenStreetMap PBF file: {e}")))?;
        end = r
            .seek_raw(std::io::SeekFrom::Current(0))
            .map_err(|e| bad(format!("cannot read: {e}")))?;
        if end > len {
            return Err(bad(format!(
                "the file is cut off: its last block needs {} more byte(s)",
                end - len
            )));
        }
    }
    if end != len {
        return Err(bad(format!(
            "the file is cut off or has {} stray byte(s) after its last complete block",
            len - end
        )));
    }
    Ok(())
}

/// A kept way: its id, nodes and use.
type KeptWay = (i64, Vec<i64>, WayUse);

/// Reads the walking and driving street graphs of an OpenStreetMap `.osm.pbf` extract. Every
/// failure (no such file, not a PBF, cut off, corrupt blocks, no usable street) is a problem
/// naming the file.
pub fn read_streets(path: &Path) -> Result<(Streets, OsmSummary), Problems> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(problem(path, "not a file", "give an .osm.pbf file")),
        Err(e) => {
            return Err(problem(
                path,
                format!("cannot read: {e}"),
                "give the path of an .osm.pbf file",
            ))
        }
    }
    check_structure(path)?;
    // A malformed block could make a decoder panic deep inside; that is still bad input.
    match std::panic::catch_unwind(|| read_checked(path)) {
        Ok(r) => r,
        Err(_) => Err(problem(
            path,
            "the file's contents cannot be decoded (a malformed block)",
            BAD_PBF_FIX,
        )),
    }
}

/// Reads the streets of an extract whose structure was checked: the ways kept
/// ([`kept_ways`]), the nodes they use ([`way_nodes`]), then the graph's input
/// ([`street_input`]).
fn read_checked(path: &Path) -> Result<(Streets, OsmSummary), Problems> {
    let bad = |e: osmpbf::Error| {
        problem(
            path,
            format!("not a readable OpenStreetMap PBF file: {e}"),
            BAD_PBF_FIX,
        )
    };
    let (mut ways, highway_ways) = kept_ways(path).map_err(bad)?;
    ways.sort_unstable_by_key(|w| w.0);
    let mut ids: Vec<i64> = ways.iter().flat_map(|w| w.1.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    let coord = way_nodes(path, &ids).map_err(bad)?;
    let (input, s) = street_input(&ways, &ids, &coord, highway_ways);
    if input.walk.is_empty() && input.car.is_empty() {
        return Err(problem(
            path,
            format!(
                "the extract holds no walkable or drivable street ({} way(s) with a highway tag)",
                highway_ways
            ),
            "give an extract that covers streets (highway=* ways with their nodes)",
        ));
    }
    Ok((Streets::build(input), s))
}

/// Pass 1 over the extract: the ways walked or driven on, and how many ways have a highway
/// tag.
fn kept_ways(path: &Path) -> Result<(Vec<KeptWay>, usize), osmpbf::Error> {
    ElementReader::from_path(path)?.par_map_reduce(
        |el| match el {
            Element::Way(w) => {
                let tags: HashMap<&str, &str> = w.tags().collect();
                if !tags.contains_key("highway") {
                    return (Vec::new(), 0usize);
                }
                let u = classify(&tags);
                if u.walk || u.car.is_some() {
                    (vec![(w.id(), w.refs().collect::<Vec<i64>>(), u)], 1)
                } else {
                    (Vec::new(), 1)
                }
            }
            _ => (Vec::new(), 0),
        },
        || (Vec::<KeptWay>::new(), 0usize),
        |mut a, b| {
            a.0.extend(b.0);
            (a.0, a.1 + b.1)
        },
    )
}

/// Pass 2 over the extract: the position of each node of `ids` (sorted), `None` where the
/// extract lacks it or gives it off the globe.
fn way_nodes(path: &Path, ids: &[i64]) -> Result<Vec<Option<(f64, f64)>>, osmpbf::Error> {
    let found: Vec<(usize, f64, f64)> = ElementReader::from_path(path)?.par_map_reduce(
        |el| {
            let (id, lon, lat) = match el {
                Element::Node(n) => (n.id(), n.lon(), n.lat()),
                Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                _ => return Vec::new(),
            };
            match ids.binary_search(&id) {
                Ok(i) => vec![(i, lon, lat)],
                Err(_) => Vec::new(),
            }
        },
        Vec::new,
        |mut a, b| {
            a.extend(b);
            a
        },
    )?;
    let mut coord: Vec<Option<(f64, f64)>> = vec![None; ids.len()];
    for (i, lon, lat) in found {
        if lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0 {
            coord[i] = Some((lon, lat));
        }
    }
    Ok(coord)
}

/// The street graph's input from the kept `ways` (sorted by id), the node `ids` they use and
/// the nodes' positions `coord`: nodes numbered compactly, and the walking and driving
/// segments between consecutive nodes present. Also the summary of what was read.
fn street_input(
    ways: &[KeptWay],
    ids: &[i64],
    coord: &[Option<(f64, f64)>],
    highway_ways: usize,
) -> (StreetInput, OsmSummary) {
    // Compact numbering: present nodes in id order.
    let mut index = vec![u32::MAX; ids.len()];
    let mut nodes = Vec::new();
    for (i, c) in coord.iter().enumerate() {
        if let Some(c) = c {
            index[i] = nodes.len() as u32;
            nodes.push(*c);
        }
    }
    let missing = ids.len() - nodes.len();
    let mut input = StreetInput {
        nodes,
        min_piece_nodes: MIN_PIECE_NODES,
        ..StreetInput::default()
    };
    let mut s = OsmSummary {
        highway_ways,
        nodes: input.nodes.len(),
        missing_nodes: missing,
        ..OsmSummary::default()
    };
    for (_, refs, u) in ways {
        let node = |id: &i64| {
            ids.binary_search(id)
                .ok()
                .map(|i| index[i])
                .filter(|&v| v != u32::MAX)
        };
        s.walk_ways += u.walk as usize;
        if u.car.is_some() {
            s.car_ways += 1;
            s.car_ways_maxspeed += u.speed_from_tags as usize;
        }
        for w in refs.windows(2) {
            let (Some(a), Some(b)) = (node(&w[0]), node(&w[1])) else {
                continue;
            };
            if u.walk {
                input.walk.push((a, b));
            }
            if let Some((f, bk)) = u.car {
                input.car.push(CarSegment {
                    a,
                    b,
                    forward_kmh: f,
                    backward_kmh: bk,
                });
            }
        }
    }
    (input, s)
}

impl Streets {
    /// The streets of a network that names an OpenStreetMap extract (`[streets] osm`), read
    /// from it; `None` for a network without streets (it keeps the straight-line walking
    /// model). Lives in `io::osm` because it reads the file.
    pub fn from_network(net: &Network) -> Option<Result<Streets, Problems>> {
        let f = net.streets.as_ref()?;
        let read = || read_streets(&f.path).map(|(s, _)| s);
        let streets = if f.cache {
            crate::io::cache::streets_cached(&f.path, read)
        } else {
            read()
        };
        Some(streets.map_err(|mut p| {
            for x in &mut p.0 {
                x.message = format!(
                    "{} (named by [streets] osm = \"{}\" in {})",
                    x.message, f.osm, f.origin
                );
            }
            p
        }))
    }
}

/// Options of [`street_walk_links`].
#[derive(Clone, Debug)]
pub struct StreetLinkOptions {
    /// The extract's name in the network folder (for the links' source), e.g.
    /// `streets.osm.pbf`.
    pub osm_name: String,
    /// Stops farther than this from a usable street do not snap, metres.
    pub snap_max_m: f64,
}

/// Walking links between stops along streets, and what snapping did.
#[derive(Clone, Debug)]
pub struct StreetLinks {
    /// The network's links: those it had (a `walk` link from `transfers.txt` without minutes
    /// now has its street time) and one `walk` link for every pair of stations within the
    /// walking radius (straight line) that both snapped and that the streets connect.
    pub links: Vec<Link>,
    /// The snap report over the stations (indices are place indices).
    pub report: SnapReport,
    /// Pairs within the radius given their street time.
    pub street_pairs: usize,
    /// Pairs within the radius left to the straight-line model (a station did not snap, or
    /// the streets do not connect them).
    pub straight_pairs: usize,
    /// Pairs within the radius that keep a `transfer` link from the feed.
    pub transfer_pairs: usize,
}

/// Walking between the stations of `net` along `streets`: every pair within the network's
/// walking radius (straight line) gets an explicit `walk` link with its time along streets
/// at the network's walking speed (the snapped legs included), which replaces the automatic
/// straight-line link between them. Pairs joined by a timed `transfer` link from the feed
/// keep it; a feed's `walk` link without minutes gets the street time. Pairs where a station
/// did not snap, or that the streets do not connect, keep the automatic straight-line link.
pub fn street_walk_links(net: &Network, streets: &Streets, o: &StreetLinkOptions) -> StreetLinks {
    let places = &net.places;
    let pts: Vec<(f64, f64)> = places.iter().map(|p| (p.lon, p.lat)).collect();
    let w = &net.settings.walking;
    let speed = w.speed_kmh / 3.6;
    let walkable: Vec<usize> = (0..places.len())
        .filter(|&i| places[i].kind != PlaceKind::RoadNode)
        .collect();
    let pairs = crate::network::model::pairs_among(net, &walkable, w.radius_m);
    let (snaps, report) = streets.snap_points(PointKind::Stop, &pts, o.snap_max_m);
    // Street times of the pairs that one piece of the walking graph holds (streets that do
    // not connect the two give none), without a bound: each search ends as soon as the stops
    // paired with its own have their times.
    let pieces = streets.walk_pieces();
    let piece = |s: &Snap| pieces[streets.walk_edge(StreetEdge(s.edge_index())).0.idx()];
    let connected: Vec<usize> = (0..pairs.len())
        .filter(|&k| {
            let (i, j, _) = pairs[k];
            matches!((&snaps[i], &snaps[j]), (Some(a), Some(b)) if piece(a) == piece(b))
        })
        .collect();
    let ij: Vec<(usize, usize)> = connected
        .iter()
        .map(|&k| (pairs[k].0, pairs[k].1))
        .collect();
    let mut within = vec![None; pairs.len()];
    for (&k, t) in connected
        .iter()
        .zip(streets.pair_walks(&snaps, &ij, speed, u32::MAX / 2))
    {
        within[k] = t;
    }
    let mut links = net.links.clone();
    let index = net.place_index();
    let mut existing: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (k, l) in links.iter().enumerate() {
        if let (Some(a), Some(b)) = (index.get(l.from.as_str()), index.get(l.to.as_str())) {
            let (a, b) = (a.idx(), b.idx());
            existing.entry((a.min(b), a.max(b))).or_default().push(k);
        }
    }
    let mut out = StreetLinks {
        links: Vec::new(),
        report,
        street_pairs: 0,
        straight_pairs: 0,
        transfer_pairs: 0,
    };
    // What becomes of each pair, side by side (a pair's links are its own, so no pair's
    // outcome depends on another's): kept for the feed's transfer time, left to the straight
    // line, or a walk along streets (a new link, or the minutes of a walk link without any).
    enum Outcome {
        Transfer,
        Straight,
        Street(f64, String, Option<usize>),
    }
    let outcomes: Vec<Outcome> = pairs
        .par_iter()
        .zip(&within)
        .map(|(&(i, j, d), &time)| {
            let at = existing.get(&(i, j)).map(Vec::as_slice).unwrap_or(&[]);
            if at
                .iter()
                .any(|&k| links[k].kind == LinkKind::Transfer || links[k].minutes.is_some())
            {
                return Outcome::Transfer;
            }
            let Some(secs) = time else {
                return Outcome::Straight;
            };
            let secs = secs.max(1);
            let minutes = (secs as f64 / 60.0 * 10_000.0).round() / 10_000.0;
            let (la, lb) = (
                snaps[i].map_or(0.0, |s| s.distance_m()),
                snaps[j].map_or(0.0, |s| s.distance_m()),
            );
            let what = format!(
                "{}: along streets at {} km/h, {:.0} m straight line, snapped legs {:.0} m and {:.0} m",
                o.osm_name, w.speed_kmh, d, la, lb
            );
            let walk = at.iter().copied().find(|&k| links[k].kind == LinkKind::Walk);
            Outcome::Street(minutes, what, walk)
        })
        .collect();
    let mut new_links = Vec::new();
    for (&(i, j, _), outcome) in pairs.iter().zip(outcomes) {
        match outcome {
            Outcome::Transfer => out.transfer_pairs += 1,
            Outcome::Straight => out.straight_pairs += 1,
            Outcome::Street(minutes, what, Some(k)) => {
                out.street_pairs += 1;
                links[k].minutes = Some(minutes);
                links[k].source = format!("{}; minutes {what}", links[k].source);
            }
            Outcome::Street(minutes, what, None) => {
                out.street_pairs += 1;
                new_links.push(Link {
                    from: places[i].id.clone(),
                    to: places[j].id.clone(),
                    minutes: Some(minutes),
                    kind: LinkKind::Walk,
                    source: what,
                    origin: Origin::default(),
                });
            }
        }
    }
    links.extend(new_links);
    out.links = links;
    out
}

/// Names a network's streets file for a network folder: `osm` relative to the manifest.
pub fn streets_file(osm: &str, dir: &Path) -> StreetsFile {
    StreetsFile {
        osm: osm.to_string(),
        path: dir.join(osm),
        origin: Origin {
            file: dir.join("network.toml").display().to_string(),
            line: None,
        },
        cache: false,
    }
}
