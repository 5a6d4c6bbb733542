//! Loading a network from its files (on disk or bundled into the binary), collecting every
//! syntax problem with its file and line. Semantic checks are in `validate`.
//!
//! Bounds on what is read, so that no input makes the loader hang, recurse without limit or
//! use memory out of proportion (docs/network-format.md, "Limits"): only regular files are read,
//! each at most [`MAX_FILE_BYTES`](super::source::MAX_FILE_BYTES) and all files of one network (or scenario folder) together
//! at most [`MAX_TOTAL_BYTES`]; text must be UTF-8; includes nest at most [`MAX_DEPTH`] deep and
//! are walked with an explicit stack, never by recursion; a path that leaves the network folder
//! (by `..`, an absolute path or a symlink) is an error unless the root manifest sets
//! `allow_outside = true`. Line numbers come from a [`LineIndex`] built once per file, so that
//! parsing is linear in the number of records. CSV files are read a piece at a time through a
//! [`TextStream`], never whole, and trips are grouped as their rows are read.

use serde::Deserialize;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::network::columns;
use crate::network::model::*;
use crate::network::problem::{into_result, Problem, Problems};
use crate::network::source::{check_pbf_head, count_work, ReadError, Source};
use crate::network::stream::{Scanned, TextScan, TextStream};
use crate::network::validate;

pub use crate::network::ids::parse_clock;

/// Largest total of all files read for one network, or for one scenario folder, bytes
/// (256 MiB).
pub const MAX_TOTAL_BYTES: u64 = 256 << 20;

/// Deepest nesting of manifest includes and of scenario `extends`.
pub const MAX_DEPTH: usize = 64;

/// The source and manifest of a network: the bundled one when `path` is `None`, else a
/// manifest file or a folder holding `network.toml` (the message names the folder and the fix).
pub fn network_source(path: Option<&Path>) -> Result<(Source, String), String> {
    match path {
        None => Ok((
            crate::network::bundled::networks(),
            format!("{}/network.toml", crate::network::bundled::DEFAULT_NETWORK),
        )),
        Some(p) if p.is_file() => Ok((
            Source::Disk(p.parent().map(Path::to_path_buf).unwrap_or_default()),
            p.file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default(),
        )),
        Some(p) if !p.join("network.toml").is_file() => Err(format!(
            "{} has no network.toml (give the network folder or its manifest)",
            p.display()
        )),
        Some(p) => Ok((Source::Disk(p.to_path_buf()), "network.toml".to_string())),
    }
}

/// A path named in a file, resolved against that file's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Inside the root folder: the normalised relative path.
    Inside(String),
    /// Outside it (starting with `..`, or absolute): the normalised path.
    Outside(String),
}

/// Resolves `written`, as written in the file `base`, relative to `base`'s folder, and
/// normalises `.` and `..`. Nothing is re-rooted: a path that climbs above the root or is
/// absolute is `Outside`.
pub fn resolve_path(base: &str, written: &str) -> Resolved {
    let w = Path::new(written);
    let joined = if w.has_root() || w.is_absolute() {
        w.to_path_buf()
    } else {
        Path::new(base).parent().unwrap_or(Path::new("")).join(w)
    };
    if joined.has_root() {
        let mut p = PathBuf::new();
        for c in joined.components() {
            match c {
                Component::ParentDir => {
                    p.pop();
                }
                Component::CurDir => {}
                c => p.push(c),
            }
        }
        return Resolved::Outside(p.display().to_string());
    }
    let mut parts: Vec<String> = Vec::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                if parts.last().is_some_and(|l| l != "..") {
                    parts.pop();
                } else {
                    parts.push("..".into());
                }
            }
            Component::Normal(s) => parts.push(s.to_string_lossy().to_string()),
            _ => {}
        }
    }
    let s = parts.join("/");
    if parts.first().is_some_and(|f| f == "..") {
        Resolved::Outside(s)
    } else {
        Resolved::Inside(s)
    }
}

/// Line number (1-based) of a byte offset. Scans the text up to `offset`: for many lookups in
/// one text use a [`LineIndex`].
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    count_work(end as u64);
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The start of every line of a text, for line numbers in logarithmic time.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        count_work(text.len() as u64);
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// Line number (1-based) of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// Splits a TOML text before every line that opens an entry `[[name]]` of a top-level array of
/// tables, with each piece's byte offset: the first piece holds the top-level keys (TOML puts
/// them before any table), each further piece one entry and its sub-tables. Parsing piece by
/// piece keeps memory in proportion to one record: toml's document model takes some fifty
/// times the size of the text it holds. `None` when the text has a multi-line string, inside
/// which such a line would not be a header.
pub fn toml_pieces<'a>(text: &'a str, name: &str) -> Option<Vec<(usize, &'a str)>> {
    count_work(text.len() as u64);
    if text.contains("\"\"\"") || text.contains("'''") {
        return None;
    }
    let opens = |line: &str| {
        line.trim_start()
            .strip_prefix("[[")
            .and_then(|r| r.trim_start().strip_prefix(name))
            .and_then(|r| r.trim_start().strip_prefix("]]"))
            .is_some_and(|r| {
                let r = r.trim_start();
                r.is_empty() || r.starts_with('#')
            })
    };
    // The first piece (top-level keys) may be empty.
    let mut cuts = vec![0];
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if opens(line) {
            cuts.push(at);
        }
        at += line.len();
    }
    cuts.push(text.len());
    Some(cuts.windows(2).map(|w| (w[0], &text[w[0]..w[1]])).collect())
}

/// The line of a quoted CSV field that is opened but never closed, if any. The csv crate
/// accepts such a field at the end of the input and silently swallows every record after the
/// quote into it (a file cut off inside a quoted field). Mirrors the csv crate's reading: a
/// quote opens a field only as the field's first byte, `""` inside one is an escaped quote, and
/// a line starting with `#` is a comment.
pub fn unterminated_quote(text: &str) -> Option<usize> {
    count_work(text.len() as u64);
    let mut scan = TextScan::default();
    scan.feed(text);
    scan.finish().unterminated_quote
}

/// `[streets]` in the root manifest.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct StreetsManifest {
    /// An OpenStreetMap `.osm.pbf` extract, relative to the manifest.
    osm: String,
}

/// `[population]` in the root manifest.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct PopulationManifest {
    /// GeoJSON polygons with a count of people each, relative to the manifest.
    surface: String,
    /// The property holding the people (default `population`).
    #[serde(default = "default_population_column")]
    column: String,
    /// Cell size of the grid the polygons are spread over, metres (default 1000).
    #[serde(default = "default_population_cell_m")]
    cell_m: f64,
}

fn default_population_column() -> String {
    "population".into()
}

fn default_population_cell_m() -> f64 {
    1000.0
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: Option<String>,
    title: Option<String>,
    bbox: Option<[f64; 4]>,
    base_year: Option<i32>,
    valid_on: Option<toml::Value>,
    allow_outside: Option<bool>,
    walking: Option<WalkSettings>,
    access: Option<AccessSettings>,
    car: Option<CarSettings>,
    routing: Option<RoutingSettings>,
    timetable: Option<TimetableSettings>,
    validation: Option<ValidationSettings>,
    streets: Option<StreetsManifest>,
    population: Option<PopulationManifest>,
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
    #[serde(default)]
    calendars: Vec<String>,
    #[serde(default)]
    trips: Vec<String>,
    #[serde(default)]
    bands: Vec<String>,
}

impl Manifest {
    /// The network-wide keys this manifest sets (allowed in the root manifest only).
    fn network_keys(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("title", self.title.is_some()),
            ("bbox", self.bbox.is_some()),
            ("base_year", self.base_year.is_some()),
            ("valid_on", self.valid_on.is_some()),
            ("allow_outside", self.allow_outside.is_some()),
            ("[walking]", self.walking.is_some()),
            ("[access]", self.access.is_some()),
            ("[car]", self.car.is_some()),
            ("[routing]", self.routing.is_some()),
            ("[timetable]", self.timetable.is_some()),
            ("[validation]", self.validation.is_some()),
            ("[streets]", self.streets.is_some()),
            ("[population]", self.population.is_some()),
        ]
        .into_iter()
        .filter(|&(_, set)| set)
        .map(|(k, _)| k)
        .collect()
    }
}

/// The line of `key = ...` in table `[section]` of a TOML text (`section` "" for the top
/// level), found by a plain scan; `None` if written another way (inline or dotted tables).
/// Only for messages.
pub fn key_line(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = "";
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if let Some(h) = t.strip_prefix('[') {
            current = h.split(']').next().unwrap_or("").trim();
            continue;
        }
        if current == section {
            if let Some(rest) = t.strip_prefix(key) {
                if rest.trim_start().starts_with('=') {
                    return Some(i + 1);
                }
            }
        }
    }
    None
}

/// How a file was named: by which file, under which key, and the path as written there.
#[derive(Clone, Debug)]
struct Named {
    by: Origin,
    key: &'static str,
    written: String,
}

impl Named {
    /// The record of messages about the naming: `stations = "x.csv"`.
    fn record(&self) -> String {
        format!("{} = \"{}\"", self.key, self.written)
    }
}

/// A manifest waiting to be read, with the chain of manifests that include it.
struct Pending {
    rel: String,
    named: Option<Named>,
    chain: Vec<String>,
}

/// Loads and validates the network whose root manifest is `manifest` (relative to `src`).
/// On success returns the network and its warnings; otherwise every problem found.
pub fn load_network(src: &Source, manifest: &str) -> Result<(Network, Vec<Problem>), Problems> {
    let mut l = Loader {
        src,
        net: Network::default(),
        problems: Vec::new(),
        seen: HashSet::new(),
        allow_outside: false,
        total: 0,
    };
    // Depth first, in include order, with an explicit stack: a manifest's own data files come
    // before those of its includes, and each include is loaded whole before the next.
    let mut stack = vec![Pending {
        rel: manifest.to_string(),
        named: None,
        chain: Vec::new(),
    }];
    while let Some(p) = stack.pop() {
        let includes = l.manifest(p);
        stack.extend(includes.into_iter().rev());
    }
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
    seen: HashSet<String>,
    /// The root manifest's `allow_outside`.
    allow_outside: bool,
    /// Bytes read so far, against [`MAX_TOTAL_BYTES`].
    total: u64,
}

/// A chain of manifests for messages, shortened in the middle when long.
fn show_chain(chain: &[String], last: &str) -> String {
    let mut v: Vec<&str> = chain.iter().map(String::as_str).collect();
    v.push(last);
    if v.len() > 8 {
        let n = v.len();
        format!(
            "{} -> ... ({} more) ... -> {}",
            v[..3].join(" -> "),
            n - 6,
            v[n - 3..].join(" -> ")
        )
    } else {
        v.join(" -> ")
    }
}

impl<'a> Loader<'a> {
    fn origin(&self, rel: &str, line: Option<usize>) -> Origin {
        Origin {
            file: self.src.display(rel),
            line,
        }
    }

    /// Reads a file named by `named` (`None`: the root manifest), reporting why it cannot be.
    fn read(&mut self, rel: &str, named: Option<&Named>) -> Option<String> {
        match self.src.read(rel) {
            Ok(t) => {
                self.total += t.len() as u64;
                if self.total <= MAX_TOTAL_BYTES {
                    return Some(t);
                }
                self.over_total(rel);
            }
            Err(e) => self.read_error(rel, named, e),
        }
        None
    }

    /// Opens a data file named by `named` as a checked text stream, with the length of its
    /// text, counted against the network's total; reports why it cannot be, as [`Self::read`]
    /// does (a file over the total that is not UTF-8 is reported as such).
    fn open_text(
        &mut self,
        rel: &str,
        named: &Named,
    ) -> Option<(TextStream<Box<dyn Read + 'a>>, u64)> {
        let (r, len) = match self.src.open(rel) {
            Ok(x) => x,
            Err(e) => {
                self.read_error(rel, Some(named), e);
                return None;
            }
        };
        let stream = TextStream::new(r);
        let len = stream.text_len(len);
        if self.total + len <= MAX_TOTAL_BYTES {
            self.total += len;
            return Some((stream, len));
        }
        match stream.finish() {
            Ok(_) => {
                self.total += len;
                self.over_total(rel);
            }
            Err(e) => self.read_error(rel, Some(named), e),
        }
        None
    }

    /// Reports that the files read so far, `rel` the last, are over [`MAX_TOTAL_BYTES`].
    fn over_total(&mut self, rel: &str) {
        self.problems.push(Problem::error(
            &self.origin(rel, None),
            "",
            format!(
                "the network's files add up to more than the limit of {} MiB",
                MAX_TOTAL_BYTES >> 20
            ),
            "make the network smaller (see docs/network-format.md, \"Limits\")",
        ));
    }

    /// Reports why file `rel`, named by `named` (`None`: the root manifest), cannot be read.
    fn read_error(&mut self, rel: &str, named: Option<&Named>, err: ReadError) {
        let (origin, record, message) = match (&err, named) {
            // Named but absent or unreadable: the message belongs to the file that names it.
            (ReadError::Missing | ReadError::Io(_), Some(n)) => (
                n.by.clone(),
                n.record(),
                format!("{}: {err}", self.src.display(rel)),
            ),
            (ReadError::NotUtf8 { line, .. }, _) => (
                self.origin(rel, Some(*line)),
                String::new(),
                err.to_string(),
            ),
            (_, Some(n)) => (self.origin(rel, None), n.record(), err.to_string()),
            (_, None) => (self.origin(rel, None), String::new(), err.to_string()),
        };
        self.problems
            .push(Problem::error(&origin, record, message, err.fix()));
    }

    /// Resolves a path written in manifest `base`, refusing one that leaves the network folder
    /// unless the root manifest allows it.
    fn resolve(&mut self, base: &str, key: &'static str, written: &str) -> Option<(String, Named)> {
        let named = Named {
            by: self.origin(base, None),
            key,
            written: written.to_string(),
        };
        let why = match resolve_path(base, written) {
            Resolved::Inside(rel) => match self.src.symlink_outside(&rel) {
                Some(real) if !self.allow_outside => {
                    format!(
                        "leaves the network folder through a symlink (to {})",
                        real.display()
                    )
                }
                _ => return Some((rel, named)),
            },
            Resolved::Outside(rel) if self.allow_outside => return Some((rel, named)),
            Resolved::Outside(_) if Path::new(written).has_root() => {
                "is an absolute path, outside the network folder".to_string()
            }
            Resolved::Outside(_) => "climbs out of the network folder with '..'".to_string(),
        };
        self.problems.push(Problem::error(
            &named.by,
            named.record(),
            format!("the path '{written}' {why}"),
            "move the file into the network folder and name it relative to this manifest, or set allow_outside = true in the root network.toml to use files outside it on purpose",
        ));
        None
    }

    /// Reads one manifest and its data files; returns its includes, in order.
    fn manifest(&mut self, p: Pending) -> Vec<Pending> {
        let rel = p.rel.as_str();
        if !self.enter(&p) {
            return vec![];
        }
        let Some(text) = self.read(rel, p.named.as_ref()) else {
            return vec![];
        };
        let Some(m) = self.parse_manifest(rel, &text) else {
            return vec![];
        };
        if p.chain.is_empty() {
            self.root_keys(rel, &text, &m);
        } else {
            let keys = m.network_keys();
            if !keys.is_empty() {
                self.problems.push(Problem::error(
                    &self.origin(rel, None),
                    "",
                    format!("a fragment sets network-wide keys: {}", keys.join(", ")),
                    "set these in the root network.toml only",
                ));
            }
        }
        self.data_files(rel, &m);
        let mut chain = p.chain.clone();
        chain.push(rel.to_string());
        m.include
            .iter()
            .filter_map(|inc| self.resolve(rel, "include", inc))
            .map(|(r, named)| Pending {
                rel: r,
                named: Some(named),
                chain: chain.clone(),
            })
            .collect()
    }

    /// Whether the manifest `p` is read: not one that includes itself, not nested too deep,
    /// not one read already (included twice along different paths: read once).
    fn enter(&mut self, p: &Pending) -> bool {
        let rel = p.rel.as_str();
        let from = p
            .named
            .as_ref()
            .map(|n| n.by.clone())
            .unwrap_or_else(|| self.origin(rel, None));
        if p.chain.iter().any(|s| s == rel) {
            self.problems.push(Problem::error(
                &from,
                "include",
                format!("include cycle: {}", show_chain(&p.chain, rel)),
                "remove one of the includes so that no manifest includes itself",
            ));
            return false;
        }
        if p.chain.len() > MAX_DEPTH {
            self.problems.push(Problem::error(
                &from,
                "include",
                format!(
                    "includes nested more than {MAX_DEPTH} deep: {}",
                    show_chain(&p.chain, rel)
                ),
                "include the fragments from fewer levels (e.g. list them all in the root network.toml)",
            ));
            return false;
        }
        self.seen.insert(rel.to_string())
    }

    /// The manifest `rel` parsed from its `text`, or `None` after reporting why it cannot be.
    fn parse_manifest(&mut self, rel: &str, text: &str) -> Option<Manifest> {
        match toml::from_str(text) {
            Ok(m) => Some(m),
            Err(e) => {
                let line = e.span().map(|s| line_of(text, s.start));
                self.problems.push(Problem::error(
                    &self.origin(rel, line),
                    "",
                    format!("invalid manifest: {}", e.message()),
                    "see docs/network-format.md for the manifest keys",
                ));
                None
            }
        }
    }

    /// Reads the data files the manifest `rel` lists, kind by kind.
    fn data_files(&mut self, rel: &str, m: &Manifest) {
        let files: [(&'static str, &Vec<String>); 11] = [
            ("stations", &m.stations),
            ("centres", &m.centres),
            ("zones", &m.zones),
            ("road_nodes", &m.road_nodes),
            ("services", &m.services),
            ("roads", &m.roads),
            ("links", &m.links),
            ("centre_stations", &m.centre_stations),
            ("calendars", &m.calendars),
            ("trips", &m.trips),
            ("bands", &m.bands),
        ];
        for (key, list) in files {
            for f in list {
                let Some((file, named)) = self.resolve(rel, key, f) else {
                    continue;
                };
                match key {
                    "stations" => self.places_csv(&file, PlaceKind::Station, &named),
                    "centres" => self.places_csv(&file, PlaceKind::Centre, &named),
                    "zones" => self.places_csv(&file, PlaceKind::Zone, &named),
                    "road_nodes" => self.places_csv(&file, PlaceKind::RoadNode, &named),
                    "services" => self.services_toml(&file, &named),
                    "roads" => self.roads_csv(&file, &named),
                    "links" => self.links_csv(&file, &named),
                    "calendars" => self.calendars_csv(&file, &named),
                    "trips" => self.trips_csv(&file, &named),
                    "bands" => self.bands_csv(&file, &named),
                    _ => self.centre_stations_csv(&file, &named),
                }
            }
        }
    }

    /// The root manifest's network-wide keys, each checked where it enters.
    fn root_keys(&mut self, rel: &str, text: &str, m: &Manifest) {
        let file = self.src.display(rel);
        let at = |section: &str, key: &str| Origin {
            file: file.clone(),
            line: key_line(text, section, key),
        };
        self.net.name = m.name.clone().unwrap_or_else(|| "network".into());
        self.net.title = m.title.clone().unwrap_or_else(|| self.net.name.clone());
        self.allow_outside = m.allow_outside.unwrap_or(false);
        match m.bbox {
            Some(b) => {
                self.net.bbox = b;
                self.problems
                    .extend(validate::check_bbox(b, &at("", "bbox")));
            }
            None => {
                self.problems.push(Problem::error(
                    &at("", "bbox"),
                    "bbox",
                    "the root manifest has no bbox",
                    "add bbox = [lon_min, lat_min, lon_max, lat_max] enclosing the region",
                ));
                self.net.bbox = [-180.0, -90.0, 180.0, 90.0];
            }
        }
        self.net.base_year = m.base_year;
        if let Some(y) = m.base_year {
            if !(1800..=2200).contains(&y) {
                self.problems.push(Problem::error(
                    &at("", "base_year"),
                    "base_year",
                    format!("base_year = {y} is not a year in 1800..2200"),
                    "write the plan's base year, e.g. base_year = 2022",
                ));
            }
        }
        if let Some(v) = &m.valid_on {
            match date_from_toml(v).filter(Date::is_full) {
                Some(d) => self.net.valid_on = Some(d),
                None => self.problems.push(Problem::error(
                    &at("", "valid_on"),
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
            timetable: m.timetable.clone().unwrap_or_default(),
            validation: m.validation.clone().unwrap_or_default(),
        };
        let p = validate::check_settings(&self.net.settings, &at);
        self.problems.extend(p);
        if let Some(st) = &m.streets {
            self.streets(rel, &st.osm, at("streets", "osm"));
        }
        if let Some(pm) = &m.population {
            self.population(rel, pm, at("population", "surface"));
        }
    }

    /// `[population] surface = "..."`: the file must be inside the network folder (unless
    /// `allow_outside`) and readable; it is read here (the bundled network's is compiled in)
    /// and parsed when a command counts people (`access::population`).
    fn population(&mut self, rel: &str, pm: &PopulationManifest, origin: Origin) {
        let record = format!("[population] surface = \"{}\"", pm.surface);
        if !(pm.cell_m.is_finite() && (100.0..=20_000.0).contains(&pm.cell_m)) {
            self.problems.push(Problem::error(
                &origin,
                record,
                format!("cell_m = {} is outside 100..20000 metres", pm.cell_m),
                "give the cell size of the population grid in metres, e.g. cell_m = 1000",
            ));
            return;
        }
        let Some((file, named)) = self.resolve(rel, "surface", &pm.surface) else {
            return;
        };
        let Some(text) = self.read(&file, Some(&named)) else {
            return;
        };
        self.net.population = Some(crate::network::model::PopulationFile {
            surface: pm.surface.clone(),
            column: pm.column.clone(),
            cell_m: pm.cell_m,
            text: text.into(),
            origin,
        });
    }

    /// `[streets] osm = "..."`: the file must be inside the network folder (unless
    /// `allow_outside`), a regular file, and start like an OSM PBF file (its first block an
    /// `OSMHeader`). Its contents are read when the streets are used (`io::osm`), not here: a
    /// city's extract takes seconds to read, and most commands do not need it.
    fn streets(&mut self, rel: &str, written: &str, origin: Origin) {
        let Some((file, _)) = self.resolve(rel, "osm", written) else {
            return;
        };
        let record = format!("[streets] osm = \"{written}\"");
        let root = match self.src {
            Source::Disk(root) => root.clone(),
            Source::Embedded(_) => {
                self.problems.push(Problem::error(
                    &origin,
                    record,
                    "a bundled network cannot name streets",
                    "remove [streets] from the bundled network.toml",
                ));
                return;
            }
        };
        let path = root.join(&file);
        if let Err(why) = check_pbf_head(&path) {
            self.problems.push(Problem::error(
                &origin,
                record,
                format!("{}: {why}", path.display()),
                "name an OpenStreetMap .osm.pbf extract inside the network folder (onehour import osm or import gtfs --osm copies one there)",
            ));
            return;
        }
        self.net.streets = Some(crate::network::model::StreetsFile {
            osm: written.to_string(),
            path,
            origin,
            cache: false,
        });
    }

    /// The records of a CSV file, each made by `make` from its row (see [`Self::csv_each`]).
    fn csv_rows<T>(
        &mut self,
        rel: &str,
        named: &Named,
        required: &[&str],
        mut make: impl FnMut(&Row, &mut Vec<Problem>) -> T,
    ) -> Vec<T> {
        let mut out = Vec::new();
        if !self.csv_each(rel, named, required, |row, p| out.push(make(row, p))) {
            out.clear();
        }
        out
    }

    /// Reads a CSV file a record at a time, handing each row to `each` with the problems to
    /// add to. Returns false if the file as a whole is at fault: then every problem `each`
    /// added is withdrawn, the file's one problem reported instead, and what `each` made must
    /// be dropped. Every problem is reported: the file cannot be read or is not UTF-8, it is
    /// empty or has a header only, a quoted field is never closed, the header lacks a
    /// column, names an unknown one or one twice, a row has the wrong number of fields. The
    /// file is never held whole: the checks of the text are made as it streams by
    /// ([`TextStream`]), and decided at its end in the order a whole-file read made them.
    fn csv_each(
        &mut self,
        rel: &str,
        named: &Named,
        required: &[&str],
        mut each: impl FnMut(&Row, &mut Vec<Problem>),
    ) -> bool {
        let Some((stream, len)) = self.open_text(rel, named) else {
            return false;
        };
        let before = self.problems.len();
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(stream);
        // (An I/O error here is the stream's: `finish` below reports it instead.)
        let header = match rdr.headers() {
            Ok(h) => self.csv_columns(rel, h, required),
            Err(e) => Err(Problem::error(
                &self.origin(rel, Some(1)),
                "header",
                format!("cannot read the CSV header: {e}"),
                format!("the first line must be: {}", required.join(",")),
            )),
        };
        let (mut records, mut errors) = (0, 0);
        if let Ok(columns) = &header {
            (records, errors) = self.csv_records(rel, &mut rdr, required, columns, &mut each);
        }
        // What is wrong with the file as a whole, in the order a whole-file read found it.
        let fault = match rdr.into_inner().finish() {
            Err(e) => {
                self.total -= len;
                Err(e)
            }
            Ok(t) => Ok(self
                .whole_file_fault(rel, named, required, t)
                .or(header.err())),
        };
        match fault {
            Err(e) => {
                self.problems.truncate(before);
                self.read_error(rel, Some(named), e);
                false
            }
            Ok(Some(p)) => {
                self.problems.truncate(before);
                self.problems.push(p);
                false
            }
            Ok(None) => {
                if records == 0 && errors == 0 {
                    let (msg, fix) =
                        no_records("the file has a header but no records", required, named);
                    self.problems
                        .push(Problem::error(&self.origin(rel, None), "", msg, fix));
                }
                true
            }
        }
    }

    /// Reads the records of a CSV file whose header gave `columns` (where each `required`
    /// column is), handing each to `each`; reports syntax errors. Returns the numbers of
    /// records read and of syntax errors.
    fn csv_records<R: Read>(
        &mut self,
        rel: &str,
        rdr: &mut csv::Reader<R>,
        required: &[&str],
        columns: &[usize],
        each: &mut impl FnMut(&Row, &mut Vec<Problem>),
    ) -> (usize, usize) {
        let (mut records, mut errors) = (0, 0);
        let file = self.src.display(rel);
        // One record read into again and again (no allocation per row).
        let mut r = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut r) {
                Ok(false) => break,
                Ok(true) => {
                    records += 1;
                    let line = r.position().map(|p| p.line() as usize);
                    let row = Row {
                        origin: Origin {
                            file: file.clone(),
                            line,
                        },
                        names: required,
                        columns,
                        rec: &r,
                    };
                    each(&row, &mut self.problems);
                }
                // The stream ended early: `finish` says why.
                Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => break,
                Err(e) => {
                    errors += 1;
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
        (records, errors)
    }

    /// What is wrong with a CSV file as a whole, from the scan of its text `t`: no record at
    /// all, or a quote never closed.
    fn whole_file_fault(
        &self,
        rel: &str,
        named: &Named,
        required: &[&str],
        t: Scanned,
    ) -> Option<Problem> {
        if t.empty {
            let (msg, fix) = no_records("the file is empty", required, named);
            return Some(Problem::error(&self.origin(rel, None), "", msg, fix));
        }
        t.unterminated_quote.map(|line| {
            Problem::error(
                &self.origin(rel, Some(line)),
                "",
                "a quoted field opened on this line is never closed, so every record after it would be read into it",
                "close the quote (\"); if the file was cut off, restore it in full",
            )
        })
    }

    /// Where each `required` column is in CSV header `headers`; or the problem with the
    /// header: a column missing, unknown or named twice.
    fn csv_columns(
        &self,
        rel: &str,
        headers: &csv::StringRecord,
        required: &[&str],
    ) -> Result<Vec<usize>, Problem> {
        let header_line = headers.position().map_or(1, |p| p.line() as usize);
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !headers.iter().any(|h| h == *c))
            .collect();
        let unknown: Vec<&str> = headers.iter().filter(|h| !required.contains(h)).collect();
        let mut twice: Vec<&str> = headers
            .iter()
            .enumerate()
            .filter(|&(i, h)| headers.iter().take(i).any(|x| x == h))
            .map(|(_, h)| h)
            .collect();
        twice.dedup();
        let mut bad = Vec::new();
        if !missing.is_empty() {
            bad.push(format!("missing column(s) {}", missing.join(", ")));
        }
        if !unknown.is_empty() {
            bad.push(format!("unknown column(s) {}", unknown.join(", ")));
        }
        if !twice.is_empty() {
            bad.push(format!("column(s) named twice: {}", twice.join(", ")));
        }
        if !bad.is_empty() {
            return Err(Problem::error(
                &self.origin(rel, Some(header_line)),
                "header",
                bad.join("; "),
                format!("the header must name: {}", required.join(",")),
            ));
        }
        Ok(required
            .iter()
            .map(|c| headers.iter().position(|h| h == *c).unwrap_or(usize::MAX))
            .collect())
    }

    fn places_csv(&mut self, rel: &str, kind: PlaceKind, named: &Named) {
        let required = match kind {
            PlaceKind::Station => columns::STATIONS,
            PlaceKind::Centre => columns::CENTRES,
            PlaceKind::Zone => columns::ZONES,
            PlaceKind::RoadNode => columns::ROAD_NODES,
        };
        let places = self.csv_rows(rel, named, required, |row, p| Place {
            id: row.get("id").to_string(),
            kind,
            name: row.get("name").to_string(),
            name_zh: row.get("name_zh").to_string(),
            city: row.get("city").to_string(),
            district: row.get("district").to_string(),
            lon: row.f64("lon", p).unwrap_or(f64::NAN),
            lat: row.f64("lat", p).unwrap_or(f64::NAN),
            interchange_min: if kind == PlaceKind::Station {
                row.f64("interchange_min", p).unwrap_or(0.0)
            } else {
                0.0
            },
            in_area: kind == PlaceKind::Centre && row.bool("in_area", p),
            population: if kind == PlaceKind::Zone {
                row.u64("population", p).unwrap_or(0)
            } else {
                0
            },
            population_year: if kind == PlaceKind::Zone {
                row.opt_year("population_year", p)
            } else {
                None
            },
            source: row.get("source").to_string(),
            origin: row.origin.clone(),
        });
        self.net.places.extend(places);
    }

    fn roads_csv(&mut self, rel: &str, named: &Named) {
        let required = columns::ROADS;
        let roads = self.csv_rows(rel, named, required, |row, p| Road {
            id: row.get("id").to_string(),
            from: row.get("from").to_string(),
            to: row.get("to").to_string(),
            name: row.get("name").to_string(),
            name_zh: row.get("name_zh").to_string(),
            km: row.f64("km", p).unwrap_or(f64::NAN),
            speed_kmh: row.f64("speed_kmh", p).unwrap_or(f64::NAN),
            congestion: row.opt_f64("congestion", p).unwrap_or(1.0),
            opened: row.date_opt("opened", p),
            source: row.get("source").to_string(),
            origin: row.origin.clone(),
        });
        self.net.roads.extend(roads);
    }

    fn links_csv(&mut self, rel: &str, named: &Named) {
        let required = columns::LINKS;
        let links = self.csv_rows(rel, named, required, |row, p| {
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
            Link {
                from: row.get("from").to_string(),
                to: row.get("to").to_string(),
                minutes: row.opt_f64("minutes", p),
                kind,
                source: row.get("source").to_string(),
                origin: row.origin.clone(),
            }
        });
        self.net.links.extend(links);
    }

    fn centre_stations_csv(&mut self, rel: &str, named: &Named) {
        let mains = self.csv_rows(rel, named, columns::CENTRE_STATIONS, |row, _| MainStation {
            centre: row.get("centre").to_string(),
            station: row.get("station").to_string(),
            source: row.get("source").to_string(),
            origin: row.origin.clone(),
        });
        self.net.main_stations.extend(mains);
    }

    fn calendars_csv(&mut self, rel: &str, named: &Named) {
        let required = columns::CALENDARS;
        let cals = self.csv_rows(rel, named, required, |row, p| {
            let weekdays = parse_weekdays(row.get("days")).unwrap_or_else(|| {
                p.push(Problem::error(
                    &row.origin,
                    row.record(),
                    format!("column days: '{}' is not a list of weekdays", row.get("days")),
                    "write days or ranges of Mon Tue Wed Thu Fri Sat Sun separated by spaces, e.g. Mon-Fri or Sat Sun",
                ));
                [false; 7]
            });
            let full = |col: &str, p: &mut Vec<Problem>| {
                let v = row.get(col);
                match Date::parse(v).filter(Date::is_full) {
                    Some(d) => d,
                    None => {
                        p.push(Problem::error(
                            &row.origin,
                            row.record(),
                            format!("column {col}: '{v}' is not a full date"),
                            format!("write a calendar date YYYY-MM-DD in column {col}"),
                        ));
                        Date { year: 1970, month: 1, day: 1 }
                    }
                }
            };
            let list = |col: &str, p: &mut Vec<Problem>| {
                let mut v = Vec::new();
                for w in row.get(col).split_whitespace() {
                    match Date::parse(w).filter(Date::is_full) {
                        Some(d) => v.push(d),
                        None => p.push(Problem::error(
                            &row.origin,
                            row.record(),
                            format!("column {col}: '{w}' is not a full date"),
                            format!("write dates YYYY-MM-DD separated by spaces in column {col}"),
                        )),
                    }
                }
                v
            };
            ServiceCalendar {
                id: row.get("id").to_string(),
                weekdays,
                start: full("start", p),
                end: full("end", p),
                added: list("added", p),
                removed: list("removed", p),
                source: row.get("source").to_string(),
                origin: row.origin.clone(),
            }
        });
        self.net.calendars.extend(cals);
    }

    fn trips_csv(&mut self, rel: &str, named: &Named) {
        let required = columns::TRIPS;
        // Rows are grouped into trips as they are read (no row is kept); the grouping's
        // problems follow those of the rows, as when all rows were read first.
        let mut trips: Vec<Trip> = Vec::new();
        let mut seen_here: HashSet<String> = HashSet::new();
        let mut later: Vec<Problem> = Vec::new();
        let kept = self.csv_each(rel, named, required, |row, p| {
            // Named in problems only: made when one is found.
            let rec = || format!("trip {}", row.get("trip"));
            let time = |col: &str, p: &mut Vec<Problem>| -> Option<u32> {
                let v = row.get(col);
                if v.is_empty() {
                    return None;
                }
                let t = parse_clock(v);
                if t.is_none() {
                    p.push(Problem::error(
                        &row.origin,
                        rec(),
                        format!("column {col}: '{v}' is not a clock time"),
                        format!("write HH:MM or HH:MM:SS (hours up to 47) in column {col}"),
                    ));
                }
                t
            };
            let arrive = time("arrive", p);
            let depart = time("depart", p);
            if row.get("arrive").is_empty() && row.get("depart").is_empty() {
                p.push(Problem::error(
                    &row.origin,
                    rec(),
                    format!("stop {} has neither arrive nor depart", row.get("stop")),
                    "write the time the trip calls here (interpolated times are not read)",
                ));
            }
            let (a, d) = match (arrive, depart) {
                (Some(a), Some(d)) => (a, d),
                (Some(a), None) => (a, a),
                (None, Some(d)) => (d, d),
                (None, None) => (0, 0),
            };
            let r = TripRow {
                service: row.get("service").to_string(),
                trip: row.get("trip").to_string(),
                calendar: row.get("calendar").to_string(),
                stop: TripStop {
                    at: row.get("stop").to_string(),
                    arrive: a,
                    depart: d,
                    origin: row.origin.clone(),
                },
                source: row.get("source").to_string(),
            };
            group_trip_row(r, &mut trips, &mut seen_here, &mut later);
        });
        if kept {
            self.problems.extend(later);
            if self.net.trips.is_empty() {
                self.net.trips = trips;
            } else {
                self.net.trips.extend(trips);
            }
        }
    }

    fn bands_csv(&mut self, rel: &str, named: &Named) {
        let required = columns::BANDS;
        let bands = self.csv_rows(rel, named, required, |row, p| {
            let rec = format!("band of {}", row.get("service"));
            let direction = match row.get("direction") {
                "forward" => BandDirection::Forward,
                "backward" => BandDirection::Backward,
                other => {
                    p.push(Problem::error(
                        &row.origin,
                        rec.clone(),
                        format!("column direction: '{other}' is not a direction"),
                        "write forward (the service's stop order) or backward",
                    ));
                    BandDirection::Forward
                }
            };
            let mut time = |col: &str| {
                let v = row.get(col);
                parse_clock(v).unwrap_or_else(|| {
                    p.push(Problem::error(
                        &row.origin,
                        rec.clone(),
                        format!("column {col}: '{v}' is not a clock time"),
                        format!("write HH:MM or HH:MM:SS (hours up to 47) in column {col}"),
                    ));
                    0
                })
            };
            let start = time("start");
            let end = time("end");
            let headway = row.f64("headway_min", p).unwrap_or(0.0);
            let headway_s = if validate::plausible_headway(headway) {
                (headway * 60.0).round() as u32
            } else {
                p.push(Problem::error(
                    &row.origin,
                    rec.clone(),
                    format!(
                        "column headway_min: {} is outside [{}, {}], the headways a service may have",
                        validate::show_num(headway),
                        validate::MIN_HEADWAY_MIN,
                        validate::MAX_HEADWAY_MIN
                    ),
                    "write the minutes between departures (30 s is 0.5)",
                ));
                60
            };
            Band {
                service: row.get("service").to_string(),
                calendar: row.get("calendar").to_string(),
                direction,
                start,
                end,
                headway_s,
                exact: row.bool("exact", p),
                source: row.get("source").to_string(),
                origin: row.origin.clone(),
            }
        });
        self.net.bands.extend(bands);
    }

    fn services_toml(&mut self, rel: &str, named: &Named) {
        let Some(text) = self.read(rel, Some(named)) else {
            return;
        };
        let lines = LineIndex::new(&text);
        let whole = vec![(0, text.as_str())];
        let mut pieces = toml_pieces(&text, "service").unwrap_or_else(|| whole.clone());
        if pieces.len() > 1
            && toml::from_str::<ServicesFile>(pieces[0].1).is_ok_and(|f| !f.service.is_empty())
        {
            // Services written inline before the tables: only the whole file can say whether
            // they clash.
            pieces = whole;
        }
        let display = self.src.display(rel);
        let (mut count, mut broken) = (0, false);
        for (start, piece) in pieces {
            let file: ServicesFile = match toml::from_str(piece) {
                Ok(f) => f,
                Err(e) => {
                    broken = true;
                    self.problems.push(Problem::error(
                        &self.origin(rel, e.span().map(|s| lines.line(start + s.start))),
                        "",
                        format!("invalid services file: {}", e.message()),
                        "see docs/network-format.md, section Services",
                    ));
                    continue;
                }
            };
            for s in file.service {
                count += 1;
                let o = Origin {
                    file: display.clone(),
                    line: Some(lines.line(start + s.span().start)),
                };
                match s.into_inner().into_service(o) {
                    Ok(s) => self.net.services.push(s),
                    Err(p) => self.problems.push(p),
                }
            }
        }
        if count == 0 && !broken {
            self.problems.push(Problem::error(
                &self.origin(rel, None),
                "",
                "no [[service]] records: a file listed in a manifest must hold records",
                format!(
                    "add the services, or remove \"{}\" from `{}` in {}",
                    named.written, named.key, named.by.file
                ),
            ));
        }
    }
}

/// A row of a trips CSV.
struct TripRow {
    service: String,
    trip: String,
    calendar: String,
    stop: TripStop,
    source: String,
}

/// Adds row `r` of a trips CSV to the last of `trips` if it continues that trip, else starts
/// a trip (`seen_here`: the trips of this file so far, whose rows must be together).
fn group_trip_row(
    r: TripRow,
    trips: &mut Vec<Trip>,
    seen_here: &mut HashSet<String>,
    problems: &mut Vec<Problem>,
) {
    if let Some(t) = trips.last_mut().filter(|t| t.id == r.trip) {
        if t.service != r.service || t.calendar != r.calendar {
            problems.push(Problem::error(
                &r.stop.origin,
                format!("trip {}", r.trip),
                format!(
                    "service or calendar ({} / {}) differs from the trip's first row ({} / {})",
                    r.service, r.calendar, t.service, t.calendar
                ),
                "repeat the trip's service and calendar on each of its rows",
            ));
        }
        t.stops.push(r.stop);
        return;
    }
    if !seen_here.insert(r.trip.clone()) {
        problems.push(Problem::error(
            &r.stop.origin,
            format!("trip {}", r.trip),
            "the rows of this trip are not together: it appeared earlier in this file",
            "keep the rows of a trip together, in running order",
        ));
        return;
    }
    if r.source.is_empty() {
        problems.push(Problem::error(
            &r.stop.origin,
            format!("trip {}", r.trip),
            "the first row of a trip has no source",
            "name the timetable and its date in column source",
        ));
    }
    trips.push(Trip {
        id: r.trip,
        service: r.service,
        calendar: r.calendar,
        origin: r.stop.origin.clone(),
        stops: vec![r.stop],
        source: r.source,
    });
}

/// A `[[service]]` as written in TOML (also used by scenarios' `add_service`).
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    /// Unique service id.
    pub id: String,
    /// Name of the line in English.
    pub line: String,
    /// Name of the line in Chinese.
    #[serde(default)]
    pub line_zh: String,
    /// Public-transport mode.
    pub mode: Mode,
    /// Typical peak headway, minutes.
    pub headway_min: f64,
    /// Default dwell at intermediate stops, minutes.
    #[serde(default)]
    pub dwell_min: f64,
    /// Opening date: a `"YYYY[-MM[-DD]]"` string, an integer year or a TOML date.
    pub opened: toml::Value,
    /// Last date the pattern ran, in the same forms as `opened`; absent if it still runs.
    #[serde(default)]
    pub closed: Option<toml::Value>,
    /// Both directions (the default) or forward only.
    #[serde(default)]
    pub directions: Directions,
    /// Where the run times come from.
    pub source: String,
    /// Where the headway comes from, if not from `source`.
    #[serde(default)]
    pub headway_source: String,
    /// Where the opening date comes from, if not from `source`.
    #[serde(default)]
    pub opened_source: String,
    /// Which figures are estimated and how.
    #[serde(default)]
    pub estimate: String,
    /// Average running speed for stops given by length only, km/h.
    #[serde(default)]
    pub speed_kmh: Option<f64>,
    /// Stops in order.
    pub stops: Vec<Stop>,
    /// Free-text note, not used by the model.
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
    /// The service, with its dates parsed; an error if `opened` or `closed` is not a date.
    pub fn into_service(self, origin: Origin) -> Result<Service, Problem> {
        // Checked as written (a scenario closing a first station leaves the next stop's run
        // time in place, unused).
        if let Some(st) = self.stops.first() {
            if st.run_min.is_some() || st.km.is_some() {
                return Err(Problem::error(
                    &origin,
                    format!("service {}, stop 1 ({})", self.id, st.at),
                    format!(
                        "the first stop has {}: there is no previous stop to run from",
                        if st.run_min.is_some() { "run_min" } else { "km" }
                    ),
                    "remove it from the first stop; run_min and km are from the previous stop, given from the second stop on",
                ));
            }
        }
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

/// Weekdays (Monday first) from `Mon-Fri`, `Sat Sun`, `Mon Wed-Fri`, ...; `None` if a word is
/// not a day or a range, or nothing is given.
pub fn parse_weekdays(v: &str) -> Option<[bool; 7]> {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let day = |w: &str| NAMES.iter().position(|n| n.eq_ignore_ascii_case(w));
    let mut out = [false; 7];
    let mut any = false;
    for w in v.split_whitespace() {
        let (a, b) = match w.split_once('-') {
            Some((a, b)) => (day(a)?, day(b)?),
            None => (day(w)?, day(w)?),
        };
        if a > b {
            return None;
        }
        for d in out.iter_mut().take(b + 1).skip(a) {
            *d = true;
        }
        any = true;
    }
    any.then_some(out)
}

/// The `days` text for weekdays, as [`parse_weekdays`] reads it.
pub fn format_weekdays(w: &[bool; 7]) -> String {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        if !w[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < 7 && w[j + 1] {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", NAMES[i], NAMES[j])
        } else {
            NAMES[i].to_string()
        });
        i = j + 1;
    }
    parts.join(" ")
}

/// The message and fix for a CSV file without records (`what`: how it lacks them), named by
/// `named` with the `required` columns.
fn no_records(what: &str, required: &[&str], named: &Named) -> (String, String) {
    (
        format!("{what}: a file listed in a manifest must hold records"),
        format!(
            "add the records under the header {}, or remove \"{}\" from `{}` in {}",
            required.join(","),
            named.written,
            named.key,
            named.by.file
        ),
    )
}

/// One CSV record, for typed access with messages naming the column.
struct Row<'a> {
    origin: Origin,
    /// The expected column names, and where each is in the record.
    names: &'a [&'a str],
    columns: &'a [usize],
    rec: &'a csv::StringRecord,
}

impl Row<'_> {
    fn get(&self, col: &str) -> &str {
        self.names
            .iter()
            .position(|n| *n == col)
            .and_then(|i| self.rec.get(self.columns[i]))
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

    /// An optional year, 1800..=2200.
    fn opt_year(&self, col: &str, p: &mut Vec<Problem>) -> Option<i32> {
        let v = self.get(col);
        if v.is_empty() {
            return None;
        }
        match v.parse::<i32>() {
            Ok(y) if (1800..=2200).contains(&y) => Some(y),
            _ => {
                p.push(Problem::error(
                    &self.origin,
                    self.record(),
                    format!("column {col}: '{v}' is not a year in 1800..2200"),
                    format!("write the year of the figure in column {col}, e.g. 2020"),
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
