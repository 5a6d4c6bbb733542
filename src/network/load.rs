//! Loading a network from its files (on disk or bundled into the binary), collecting every
//! syntax problem with its file and line. Semantic checks are in `validate`.

use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use crate::network::model::*;
use crate::network::problem::{into_result, Problem, Problems};
use crate::network::validate;

/// Where network and scenario files are read from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A folder on disk.
    Disk(PathBuf),
    /// A folder bundled into the binary.
    Embedded(&'static include_dir::Dir<'static>),
}

impl Source {
    /// Reads a file given relative to this source's root.
    pub fn read(&self, rel: &str) -> Result<String, String> {
        match self {
            Source::Disk(root) => {
                let p = root.join(rel);
                std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))
            }
            Source::Embedded(dir) => dir
                .get_file(rel)
                .and_then(|f| f.contents_utf8())
                .map(str::to_string)
                .ok_or_else(|| format!("no bundled file {rel}")),
        }
    }

    /// How a relative path is shown in messages.
    pub fn display(&self, rel: &str) -> String {
        match self {
            Source::Disk(root) => root.join(rel).display().to_string(),
            Source::Embedded(_) => format!("<bundled>/{rel}"),
        }
    }

    /// All files under the root whose name ends with `ext`, as relative paths, sorted.
    pub fn files_with_ext(&self, ext: &str) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            Source::Disk(root) => {
                let mut stack = vec![root.clone()];
                while let Some(d) = stack.pop() {
                    let Ok(rd) = std::fs::read_dir(&d) else {
                        continue;
                    };
                    for e in rd.flatten() {
                        let p = e.path();
                        if p.is_dir() {
                            stack.push(p);
                        } else if p.to_string_lossy().ends_with(ext) {
                            if let Ok(r) = p.strip_prefix(root) {
                                out.push(r.to_string_lossy().replace('\\', "/"));
                            }
                        }
                    }
                }
            }
            Source::Embedded(dir) => {
                fn walk(d: &include_dir::Dir<'static>, ext: &str, out: &mut Vec<String>) {
                    for f in d.files() {
                        let p = f.path().to_string_lossy().to_string();
                        if p.ends_with(ext) {
                            out.push(p);
                        }
                    }
                    for s in d.dirs() {
                        walk(s, ext, out);
                    }
                }
                walk(dir, ext, &mut out);
            }
        }
        out.sort();
        out
    }
}

/// Joins `rel` onto the folder of `base` and normalises `.` and `..`.
pub fn join_rel(base: &str, rel: &str) -> String {
    let parent = Path::new(base).parent().unwrap_or(Path::new(""));
    let mut parts: Vec<String> = Vec::new();
    for c in parent.join(rel).components() {
        match c {
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(s) => parts.push(s.to_string_lossy().to_string()),
            _ => {}
        }
    }
    parts.join("/")
}

/// Line number (1-based) of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: Option<String>,
    title: Option<String>,
    bbox: Option<[f64; 4]>,
    base_year: Option<i32>,
    valid_on: Option<toml::Value>,
    walking: Option<WalkSettings>,
    access: Option<AccessSettings>,
    car: Option<CarSettings>,
    routing: Option<RoutingSettings>,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    stations: Vec<String>,
    #[serde(default)]
    centres: Vec<String>,
    #[serde(default)]
    zones: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    road_nodes: Vec<String>,
    #[serde(default)]
    roads: Vec<String>,
    #[serde(default)]
    links: Vec<String>,
    #[serde(default)]
    centre_stations: Vec<String>,
}

/// Loads and validates the network whose root manifest is `manifest` (relative to `src`).
/// On success returns the network and its warnings; otherwise every problem found.
pub fn load_network(src: &Source, manifest: &str) -> Result<(Network, Vec<Problem>), Problems> {
    let mut l = Loader {
        src,
        net: Network::default(),
        problems: Vec::new(),
        stack: Vec::new(),
        seen: HashSet::new(),
    };
    l.manifest(manifest, None, true);
    let mut problems = l.problems;
    let net = l.net;
    if !problems.iter().any(Problem::is_error) {
        problems.extend(validate::validate(&net));
    }
    into_result(problems).map(|w| (net, w))
}

struct Loader<'a> {
    src: &'a Source,
    net: Network,
    problems: Vec<Problem>,
    stack: Vec<String>,
    seen: HashSet<String>,
}

impl Loader<'_> {
    fn origin(&self, rel: &str, line: Option<usize>) -> Origin {
        Origin {
            file: self.src.display(rel),
            line,
        }
    }

    fn read(&mut self, rel: &str, from: Option<&Origin>) -> Option<String> {
        match self.src.read(rel) {
            Ok(t) => Some(t),
            Err(e) => {
                let o = from.cloned().unwrap_or_else(|| self.origin(rel, None));
                self.problems.push(Problem::error(
                    &o,
                    "",
                    e,
                    format!("create {rel} or correct the path that names it"),
                ));
                None
            }
        }
    }

    fn manifest(&mut self, rel: &str, from: Option<&Origin>, root: bool) {
        if self.stack.iter().any(|s| s == rel) {
            let cycle = format!("{} -> {rel}", self.stack.join(" -> "));
            let o = from.cloned().unwrap_or_else(|| self.origin(rel, None));
            self.problems.push(Problem::error(
                &o,
                "include",
                format!("include cycle: {cycle}"),
                "remove one of the includes so that no manifest includes itself",
            ));
            return;
        }
        if !self.seen.insert(rel.to_string()) {
            return; // included twice along different paths: load once
        }
        let Some(text) = self.read(rel, from) else {
            return;
        };
        let m: Manifest = match toml::from_str(&text) {
            Ok(m) => m,
            Err(e) => {
                let line = e.span().map(|s| line_of(&text, s.start));
                self.problems.push(Problem::error(
                    &self.origin(rel, line),
                    "",
                    format!("invalid manifest: {}", e.message()),
                    "see docs/network-format.md for the manifest keys",
                ));
                return;
            }
        };
        let here = self.origin(rel, None);
        if root {
            self.net.name = m.name.clone().unwrap_or_else(|| "network".into());
            self.net.title = m.title.clone().unwrap_or_else(|| self.net.name.clone());
            match m.bbox {
                Some(b) => self.net.bbox = b,
                None => {
                    self.problems.push(Problem::error(
                        &here,
                        "bbox",
                        "the root manifest has no bbox",
                        "add bbox = [lon_min, lat_min, lon_max, lat_max] enclosing the region",
                    ));
                    self.net.bbox = [-180.0, -90.0, 180.0, 90.0];
                }
            }
            self.net.base_year = m.base_year;
            if let Some(v) = &m.valid_on {
                match date_from_toml(v).filter(Date::is_full) {
                    Some(d) => self.net.valid_on = Some(d),
                    None => self.problems.push(Problem::error(
                        &here,
                        "valid_on",
                        format!("valid_on = {v} is not a calendar date"),
                        "write the day the data describe as valid_on = \"YYYY-MM-DD\"",
                    )),
                }
            }
            self.net.settings = Settings {
                walking: m.walking.clone().unwrap_or_default(),
                access: m.access.clone().unwrap_or_default(),
                car: m.car.clone().unwrap_or_default(),
                routing: m.routing.clone().unwrap_or_default(),
            };
        } else if m.name.is_some()
            || m.bbox.is_some()
            || m.walking.is_some()
            || m.routing.is_some()
            || m.valid_on.is_some()
            || m.title.is_some()
            || m.base_year.is_some()
            || m.access.is_some()
            || m.car.is_some()
        {
            self.problems.push(Problem::error(
                &here,
                "",
                "a fragment sets network-wide keys (name, title, bbox, base_year, valid_on, walking, access, car, routing)",
                "set these in the root network.toml only",
            ));
        }
        self.stack.push(rel.to_string());
        for f in &m.stations {
            self.places_csv(&join_rel(rel, f), PlaceKind::Station, &here);
        }
        for f in &m.centres {
            self.places_csv(&join_rel(rel, f), PlaceKind::Centre, &here);
        }
        for f in &m.zones {
            self.places_csv(&join_rel(rel, f), PlaceKind::Zone, &here);
        }
        for f in &m.road_nodes {
            self.places_csv(&join_rel(rel, f), PlaceKind::RoadNode, &here);
        }
        for f in &m.services {
            self.services_toml(&join_rel(rel, f), &here);
        }
        for f in &m.roads {
            self.roads_csv(&join_rel(rel, f), &here);
        }
        for f in &m.links {
            self.links_csv(&join_rel(rel, f), &here);
        }
        for f in &m.centre_stations {
            self.centre_stations_csv(&join_rel(rel, f), &here);
        }
        for inc in &m.include {
            self.manifest(&join_rel(rel, inc), Some(&here), false);
        }
        self.stack.pop();
    }

    fn csv_rows(&mut self, rel: &str, from: &Origin, required: &[&str]) -> Vec<Row> {
        let Some(text) = self.read(rel, Some(from)) else {
            return vec![];
        };
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let headers = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.problems.push(Problem::error(
                    &self.origin(rel, Some(1)),
                    "header",
                    format!("cannot read the CSV header: {e}"),
                    format!("the first line must be: {}", required.join(",")),
                ));
                return vec![];
            }
        };
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !headers.iter().any(|h| h == *c))
            .collect();
        if !missing.is_empty() {
            self.problems.push(Problem::error(
                &self.origin(rel, Some(1)),
                "header",
                format!("missing column(s) {}", missing.join(", ")),
                format!("the header must name: {}", required.join(",")),
            ));
            return vec![];
        }
        let mut rows = Vec::new();
        for rec in rdr.records() {
            match rec {
                Ok(r) => {
                    let line = r.position().map(|p| p.line() as usize);
                    rows.push(Row {
                        origin: self.origin(rel, line),
                        headers: headers.clone(),
                        rec: r,
                    })
                }
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize);
                    self.problems.push(Problem::error(
                        &self.origin(rel, line),
                        "",
                        format!("CSV syntax error: {e}"),
                        "every row needs as many fields as the header; quote fields containing commas",
                    ));
                }
            }
        }
        rows
    }

    fn places_csv(&mut self, rel: &str, kind: PlaceKind, from: &Origin) {
        let required: &[&str] = match kind {
            PlaceKind::Station => &[
                "id",
                "name",
                "name_zh",
                "city",
                "district",
                "lon",
                "lat",
                "interchange_min",
                "source",
            ],
            PlaceKind::Centre => &[
                "id", "name", "name_zh", "city", "district", "lon", "lat", "in_area", "source",
            ],
            PlaceKind::Zone => &[
                "id",
                "name",
                "name_zh",
                "city",
                "lon",
                "lat",
                "population",
                "population_year",
                "source",
            ],
            PlaceKind::RoadNode => &["id", "name", "name_zh", "lon", "lat", "source"],
        };
        for row in self.csv_rows(rel, from, required) {
            let mut p = Vec::new();
            let place = Place {
                id: row.get("id").to_string(),
                kind,
                name: row.get("name").to_string(),
                name_zh: row.get("name_zh").to_string(),
                city: row.get("city").to_string(),
                district: row.get("district").to_string(),
                lon: row.f64("lon", &mut p).unwrap_or(f64::NAN),
                lat: row.f64("lat", &mut p).unwrap_or(f64::NAN),
                interchange_min: if kind == PlaceKind::Station {
                    row.f64("interchange_min", &mut p).unwrap_or(0.0)
                } else {
                    0.0
                },
                in_area: kind == PlaceKind::Centre && row.bool("in_area", &mut p),
                population: if kind == PlaceKind::Zone {
                    row.u64("population", &mut p).unwrap_or(0)
                } else {
                    0
                },
                population_year: if kind == PlaceKind::Zone {
                    row.opt_f64("population_year", &mut p).map(|y| y as i32)
                } else {
                    None
                },
                source: row.get("source").to_string(),
                origin: row.origin.clone(),
            };
            self.problems.extend(p);
            self.net.places.push(place);
        }
    }

    fn roads_csv(&mut self, rel: &str, from: &Origin) {
        let required = [
            "id",
            "from",
            "to",
            "name",
            "name_zh",
            "km",
            "speed_kmh",
            "congestion",
            "opened",
            "source",
        ];
        for row in self.csv_rows(rel, from, &required) {
            let mut p = Vec::new();
            let opened = row.date_opt("opened", &mut p);
            let road = Road {
                id: row.get("id").to_string(),
                from: row.get("from").to_string(),
                to: row.get("to").to_string(),
                name: row.get("name").to_string(),
                name_zh: row.get("name_zh").to_string(),
                km: row.f64("km", &mut p).unwrap_or(f64::NAN),
                speed_kmh: row.f64("speed_kmh", &mut p).unwrap_or(f64::NAN),
                congestion: row.opt_f64("congestion", &mut p).unwrap_or(1.0),
                opened,
                source: row.get("source").to_string(),
                origin: row.origin.clone(),
            };
            self.problems.extend(p);
            self.net.roads.push(road);
        }
    }

    fn links_csv(&mut self, rel: &str, from: &Origin) {
        for row in self.csv_rows(rel, from, &["from", "to", "minutes", "kind", "source"]) {
            let mut p = Vec::new();
            let kind = match row.get("kind") {
                "walk" => LinkKind::Walk,
                "transfer" => LinkKind::Transfer,
                "access" => LinkKind::Access,
                other => {
                    p.push(Problem::error(
                        &row.origin,
                        format!("link {} - {}", row.get("from"), row.get("to")),
                        format!("unknown link kind '{other}'"),
                        "use walk, transfer or access",
                    ));
                    LinkKind::Walk
                }
            };
            let link = Link {
                from: row.get("from").to_string(),
                to: row.get("to").to_string(),
                minutes: row.opt_f64("minutes", &mut p),
                kind,
                source: row.get("source").to_string(),
                origin: row.origin.clone(),
            };
            self.problems.extend(p);
            self.net.links.push(link);
        }
    }

    fn centre_stations_csv(&mut self, rel: &str, from: &Origin) {
        for row in self.csv_rows(rel, from, &["centre", "station", "source"]) {
            self.net.main_stations.push(MainStation {
                centre: row.get("centre").to_string(),
                station: row.get("station").to_string(),
                source: row.get("source").to_string(),
                origin: row.origin.clone(),
            });
        }
    }

    fn services_toml(&mut self, rel: &str, from: &Origin) {
        let Some(text) = self.read(rel, Some(from)) else {
            return;
        };
        match parse_services(&text) {
            Ok(list) => {
                for (raw, line) in list {
                    let o = self.origin(rel, Some(line));
                    match raw.into_service(o.clone()) {
                        Ok(s) => self.net.services.push(s),
                        Err(p) => self.problems.push(p),
                    }
                }
            }
            Err((msg, line)) => self.problems.push(Problem::error(
                &self.origin(rel, line),
                "",
                format!("invalid services file: {msg}"),
                "see docs/network-format.md, section Services",
            )),
        }
    }
}

/// A `[[service]]` as written in TOML (also used by scenarios' `add_service`).
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub id: String,
    pub line: String,
    #[serde(default)]
    pub line_zh: String,
    pub mode: Mode,
    pub headway_min: f64,
    #[serde(default)]
    pub dwell_min: f64,
    pub opened: toml::Value,
    #[serde(default)]
    pub closed: Option<toml::Value>,
    #[serde(default)]
    pub directions: Directions,
    pub source: String,
    #[serde(default)]
    pub headway_source: String,
    #[serde(default)]
    pub opened_source: String,
    #[serde(default)]
    pub estimate: String,
    #[serde(default)]
    pub speed_kmh: Option<f64>,
    pub stops: Vec<Stop>,
    #[serde(default)]
    pub note: String,
}

/// Parses a date given as a TOML string, integer year or TOML date.
pub fn date_from_toml(v: &toml::Value) -> Option<Date> {
    match v {
        toml::Value::String(s) => Date::parse(s),
        toml::Value::Integer(y) => Date::parse(&y.to_string()),
        toml::Value::Datetime(d) => Date::parse(&d.to_string()),
        _ => None,
    }
}

impl RawService {
    pub fn into_service(self, origin: Origin) -> Result<Service, Problem> {
        let opened = date_from_toml(&self.opened).ok_or_else(|| {
            Problem::error(
                &origin,
                format!("service {}", self.id),
                format!("opened = {} is not a date", self.opened),
                "write opened = \"YYYY-MM-DD\" or \"YYYY\"",
            )
        })?;
        let closed = match &self.closed {
            None => None,
            Some(v) => Some(date_from_toml(v).ok_or_else(|| {
                Problem::error(
                    &origin,
                    format!("service {}", self.id),
                    format!("closed = {v} is not a date"),
                    "write closed = \"YYYY-MM-DD\" or \"YYYY\"",
                )
            })?),
        };
        Ok(Service {
            closed,
            id: self.id,
            line: self.line,
            line_zh: self.line_zh,
            mode: self.mode,
            headway_min: self.headway_min,
            dwell_min: self.dwell_min,
            opened,
            directions: self.directions,
            speed_kmh: self.speed_kmh,
            stops: self.stops,
            source: self.source,
            headway_source: self.headway_source,
            opened_source: self.opened_source,
            estimate: self.estimate,
            origin,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    #[serde(default)]
    service: Vec<toml::Spanned<RawService>>,
}

/// Parses a services file into raw services with their line numbers, or a message and line.
/// A parse failure: the message and the line, if known.
type ParseError = (String, Option<usize>);

fn parse_services(text: &str) -> Result<Vec<(RawService, usize)>, ParseError> {
    let f: ServicesFile = toml::from_str(text).map_err(|e| {
        (
            e.message().to_string(),
            e.span().map(|s| line_of(text, s.start)),
        )
    })?;
    Ok(f.service
        .into_iter()
        .map(|s| {
            let line = line_of(text, s.span().start);
            (s.into_inner(), line)
        })
        .collect())
}

/// One CSV record with its header, for typed access with messages naming the column.
struct Row {
    origin: Origin,
    headers: csv::StringRecord,
    rec: csv::StringRecord,
}

impl Row {
    fn get(&self, col: &str) -> &str {
        self.headers
            .iter()
            .position(|h| h == col)
            .and_then(|i| self.rec.get(i))
            .unwrap_or("")
    }

    fn record(&self) -> String {
        let id = self.get("id");
        if id.is_empty() {
            String::new()
        } else {
            format!("record {id}")
        }
    }

    fn f64(&self, col: &str, p: &mut Vec<Problem>) -> Option<f64> {
        let v = self.get(col);
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                p.push(Problem::error(
                    &self.origin,
                    self.record(),
                    format!("column {col}: '{v}' is not a number"),
                    format!("write a decimal number in column {col}"),
                ));
                None
            }
        }
    }

    fn opt_f64(&self, col: &str, p: &mut Vec<Problem>) -> Option<f64> {
        if self.get(col).is_empty() {
            None
        } else {
            self.f64(col, p)
        }
    }

    fn u64(&self, col: &str, p: &mut Vec<Problem>) -> Option<u64> {
        let v = self.get(col);
        match v.parse::<u64>() {
            Ok(x) => Some(x),
            Err(_) => {
                p.push(Problem::error(
                    &self.origin,
                    self.record(),
                    format!("column {col}: '{v}' is not a whole number"),
                    format!("write a non-negative integer in column {col}"),
                ));
                None
            }
        }
    }

    fn bool(&self, col: &str, p: &mut Vec<Problem>) -> bool {
        match self.get(col).to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => true,
            "false" | "no" | "0" | "" => false,
            other => {
                p.push(Problem::error(
                    &self.origin,
                    self.record(),
                    format!("column {col}: '{other}' is not true or false"),
                    format!("write true or false in column {col}"),
                ));
                false
            }
        }
    }

    fn date_opt(&self, col: &str, p: &mut Vec<Problem>) -> Option<Date> {
        let v = self.get(col);
        if v.is_empty() {
            return None;
        }
        let d = Date::parse(v);
        if d.is_none() {
            p.push(Problem::error(
                &self.origin,
                self.record(),
                format!("column {col}: '{v}' is not a date"),
                "write YYYY, YYYY-MM or YYYY-MM-DD",
            ));
        }
        d
    }
}
