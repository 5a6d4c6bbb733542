//! The command line: flags parsed into plain values (clap), then a layer that loads the
//! network, applies scenarios, builds the graph and prints. Exit codes are decided here only:
//! 0 success, 2 invalid input (files, names, arguments), 1 anything else.

pub mod bench_graph;
pub mod geo;
pub mod output;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::analysis;
use crate::analysis::Indicator;
use crate::cli::bench_graph::Method;
use crate::cli::output::Format;
use crate::engine::with_threads;
use crate::graph::Prepared;
use crate::graph::Profile;
use crate::io::dimacs;
use crate::network::bundled;
use crate::network::ids::{PlaceIdx, Seconds};
use crate::network::load::{load_network, Source};
use crate::network::model::{Date, Network, WaitPolicy};
use crate::network::problem::Problems;
use crate::scenario::{apply, Library};

/// Appends a formatted line to a `String` (output is written in one piece by `emit`, which
/// handles closed pipes and full disks instead of panicking as `println!` does).
macro_rules! outln {
    ($buf:expr, $($arg:tt)*) => {{
        $buf.push_str(&format!($($arg)*));
        $buf.push('\n');
    }};
}

/// An error in what the user gave us: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

const EXAMPLES: &str = "\
Examples:
  onehour                                   today's centre matrix, and what plan-2030 changes
  onehour check --year 2022                 the plan's base year
  onehour check --scenario plan-2030 --format json --out m.json
  onehour route 天河 Foshan                  fastest door-to-door route, leg by leg
  onehour matrix --from guangzhounan --to foshanxi,zhaoqingdong
  onehour compare today plan-2030
  onehour rank --base today --projects plan-2030
  onehour validate --network path/to/network
  onehour isochrones --scenario today,plan-2030 --out iso/
  onehour map --scenario today,plan-2030 --origin c_foshan --out map.svg
  onehour export --format geojson --out network.geojson";

#[derive(Parser, Debug)]
#[command(name = "onehour", version, about = "Do the centres of a metropolitan region reach each other within one hour, door to door? What does each planned line change?", after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

/// Options shared by the commands that route on a network.
#[derive(Args, Debug, Clone)]
pub struct NetOpts {
    /// Network folder (with network.toml) or manifest file; default: the bundled Guangzhou network
    #[arg(long, value_name = "DIR")]
    pub network: Option<PathBuf>,
    /// Scenario folder; default: the bundled scenarios
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
    /// The network as of the end of this year (the plan's base year is 2022)
    #[arg(long, value_name = "YYYY", conflicts_with = "date",
          value_parser = clap::value_parser!(i32).range(1800..=2200))]
    pub year: Option<i32>,
    /// The network as it runs on this day; default: the day its data describe (network.toml's
    /// valid_on). Patterns closed before it and lines opening after it are left out, then the
    /// scenario's edits apply.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
    /// Travel profile
    #[arg(long, value_enum, default_value_t = ProfileArg::Transit)]
    pub profile: ProfileArg,
    /// The target, minutes (0 < MIN <= 1440)
    #[arg(long, default_value_t = 60.0, value_name = "MIN", value_parser = parse_limit)]
    pub limit: f64,
    /// Worker threads (default: all cores; at most 256)
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Override the network's wait policy: half headway, full headway (worst case), or half
    /// headway capped at the network's cap_min (timetabled services)
    #[arg(long, value_enum)]
    pub wait: Option<WaitArg>,
}

impl NetOpts {
    /// The travel profile asked for.
    pub fn profile(&self) -> Profile {
        match self.profile {
            ProfileArg::Transit => Profile::Transit,
            ProfileArg::Car => Profile::Car,
        }
    }
}

/// The `--profile` values (the core's [`Profile`] has more, used internally).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileArg {
    /// Walking plus all public transport.
    Transit,
    /// Driving on the road network.
    Car,
}

/// The `--wait` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum WaitArg {
    /// Half the headway.
    Half,
    /// The full headway (worst case).
    Full,
    /// Half the headway, capped at the network's cap_min.
    Capped,
}

impl From<WaitArg> for WaitPolicy {
    fn from(w: WaitArg) -> WaitPolicy {
        match w {
            WaitArg::Half => WaitPolicy::Half,
            WaitArg::Full => WaitPolicy::Full,
            WaitArg::Capped => WaitPolicy::Capped,
        }
    }
}

/// The most worker threads a command starts (each holds one search workspace).
pub const MAX_THREADS: usize = 256;

fn parse_limit(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 1440.0 => Ok(x),
        _ => Err(format!("'{s}' is not a number of minutes in (0, 1440]")),
    }
}

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("'{s}' is not a thread count in 1..={MAX_THREADS}")),
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse_full(s).ok_or_else(|| format!("'{s}' is not a calendar date: write YYYY-MM-DD"))
}

#[derive(Args, Debug, Clone)]
pub struct OutOpts {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

/// The `--indicator` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum IndicatorArg {
    Door,
    Station,
}

impl From<IndicatorArg> for Indicator {
    fn from(a: IndicatorArg) -> Indicator {
        match a {
            IndicatorArg::Door => Indicator::Door,
            IndicatorArg::Station => Indicator::Station,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Centre-by-centre matrix with one-hour verdicts
    Check {
        #[command(flatten)]
        net: NetOpts,
        /// Scenario to apply
        #[arg(long)]
        scenario: Option<String>,
        /// door: door to door between the centres' points; station: rail time between the
        /// centres' main stations (the plan's measure: waits and transfers, no access legs)
        #[arg(long, value_enum, default_value_t = IndicatorArg::Door)]
        indicator: IndicatorArg,
        /// Also show how the verdicts move when every estimated minute (hub interchange,
        /// estimated links, zone access) is halved or raised by half
        #[arg(long)]
        sensitivity: bool,
        #[command(flatten)]
        out: OutOpts,
    },
    /// Travel times between any places
    Matrix {
        #[command(flatten)]
        net: NetOpts,
        #[arg(long)]
        scenario: Option<String>,
        /// Origins: ids, English or Chinese names, comma-separated
        #[arg(long, value_delimiter = ',', required = true)]
        from: Vec<String>,
        /// Destinations
        #[arg(long, value_delimiter = ',', required = true)]
        to: Vec<String>,
        #[command(flatten)]
        out: OutOpts,
    },
    /// The fastest door-to-door route between two places, leg by leg
    Route {
        from: String,
        to: String,
        #[command(flatten)]
        net: NetOpts,
        #[arg(long)]
        scenario: Option<String>,
        #[command(flatten)]
        out: OutOpts,
    },
    /// Check a network (and optionally a scenario) and report every problem
    Validate {
        #[command(flatten)]
        net: NetOpts,
        #[arg(long)]
        scenario: Option<String>,
    },
    /// Compare two scenarios: delta matrix, pairs that newly meet or miss the target, gains,
    /// population within the limit of each centre
    Compare {
        base: String,
        other: String,
        #[command(flatten)]
        net: NetOpts,
        #[command(flatten)]
        out: OutOpts,
    },
    /// Rank the projects of a horizon: each added alone to the base, and left out of the horizon
    Rank {
        #[arg(long, default_value = "today")]
        base: String,
        #[arg(long, default_value = "plan-2030")]
        projects: String,
        #[command(flatten)]
        net: NetOpts,
        #[command(flatten)]
        out: OutOpts,
    },
    /// List the scenarios
    Scenarios {
        #[command(flatten)]
        net: NetOpts,
    },
    /// Isochrones of every origin in every scenario, as GeoJSON bands, with a summary table
    Isochrones(crate::cli::geo::IsochronesArgs),
    /// Draw the network and the isochrone bands of one origin, one panel per scenario (SVG)
    Map(crate::cli::geo::MapArgs),
    /// Export the network (GeoJSON: places as points, services and roads as lines)
    Export(crate::cli::geo::ExportArgs),
    /// Time one-to-all sweeps from every origin of a DIMACS graph, per engine variant
    BenchGraph {
        /// Graph in the DIMACS .gr format (1-based ids, integer weights)
        #[arg(long, value_name = "FILE.gr")]
        graph: PathBuf,
        /// Origins in the DIMACS .ss format (`s ID` lines)
        #[arg(long, value_name = "FILE.ss")]
        origins: PathBuf,
        /// Worker threads (default: all cores; at most 256)
        #[arg(long, value_parser = parse_threads)]
        threads: Option<usize>,
        /// Settle nodes up to this distance only, in the file's units (default: no bound)
        #[arg(long, value_name = "SECONDS")]
        bound: Option<Seconds>,
        /// Engine variants to time, comma-separated
        #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Method::Heap, Method::Bucket])]
        methods: Vec<Method>,
        /// One JSON object per method and line (the peer-bench `--external` protocol)
        #[arg(long)]
        json: bool,
        /// Sweep R times, methods interleaved, and report each method's fastest sweep (for
        /// noisy machines)
        #[arg(long, default_value_t = 1, value_name = "R")]
        repeat: usize,
    },
}

pub fn main() -> ExitCode {
    // On SIGINT or SIGTERM, remove the temporary files of outputs being written, then end with
    // the conventional status 128 + signal (130 for SIGINT, 143 for SIGTERM reported as 130 by
    // the handler, which cannot tell them apart).
    let _ = ctrlc::set_handler(|| {
        crate::io::write::remove_pending();
        std::process::exit(130);
    });
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(ioe) = e.downcast_ref::<std::io::Error>() {
                if ioe.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            if let Some(p) = e.downcast_ref::<Problems>() {
                eprintln!("{p}");
                return ExitCode::from(2);
            }
            if e.downcast_ref::<UserError>().is_some() {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// The network, scenario library and settings a command works on.
pub struct Session {
    /// The network as its files describe it, every dated pattern included.
    pub full: Network,
    /// The network as of `day`: what scenarios edit.
    pub base: Network,
    /// The day the network is taken as of: `--date`, the end of `--year`, or the network's
    /// `valid_on` (`None` only for a network that declares no date).
    pub day: Option<Date>,
    pub lib: Option<Library>,
    pub opts: NetOpts,
}

impl Session {
    pub fn open(opts: &NetOpts) -> Result<Session> {
        let (src, manifest) = match &opts.network {
            None => (
                bundled::networks(),
                format!("{}/network.toml", bundled::DEFAULT_NETWORK),
            ),
            Some(p) if p.is_file() => (
                Source::Disk(p.parent().map(Path::to_path_buf).unwrap_or_default()),
                p.file_name()
                    .map(|f| f.to_string_lossy().to_string())
                    .unwrap_or_default(),
            ),
            Some(p) => {
                if !p.join("network.toml").is_file() {
                    return Err(UserError(format!(
                        "{} has no network.toml (give the network folder or its manifest)",
                        p.display()
                    ))
                    .into());
                }
                (Source::Disk(p.clone()), "network.toml".to_string())
            }
        };
        let (mut full, warnings) = load_network(&src, &manifest)?;
        if let Some(w) = opts.wait {
            full.settings.routing.wait = w.into();
        }
        let day = opts
            .date
            .or(opts.year.map(Date::end_of_year))
            .or(full.valid_on);
        let base = match day {
            Some(d) => full.as_on(d),
            None => full.clone(),
        };
        for w in &warnings {
            eprintln!("{w}");
        }
        let lib = match &opts.scenarios {
            Some(d) if !d.is_dir() => {
                return Err(UserError(format!(
                "--scenarios {}: no such folder (give the folder that holds the scenario files)",
                d.display()
            ))
                .into())
            }
            Some(d) => Some(Library::load(Source::Disk(d.clone()))?),
            None if opts.network.is_none() => Some(Library::load(bundled::scenarios())?),
            None => None,
        };
        Ok(Session {
            full,
            base,
            day,
            lib,
            opts: opts.clone(),
        })
    }

    fn library(&self) -> Result<&Library> {
        self.lib.as_ref().ok_or_else(|| {
            UserError("this network has no scenario folder: pass --scenarios DIR".into()).into()
        })
    }

    /// The network as of the session's day, then `scenario`'s edits: one rule for every
    /// command (docs/scenario-format.md).
    pub fn network(&self, scenario: Option<&str>) -> Result<Network> {
        match scenario {
            None => Ok(self.base.clone()),
            Some(name) => {
                let lib = self.library()?;
                let chain = lib.chain(name)?;
                apply(&self.base, &chain).map_err(|mut e| {
                    if let (Some(d), Ok(_)) = (self.day, apply(&self.full, &chain)) {
                        e.0.push(crate::network::problem::Problem::error(
                            &crate::network::model::Origin::default(),
                            format!("scenario {name}"),
                            format!("it edits lines or stations that do not run on {d}, the day the network is taken as of"),
                            "choose a later --date or --year, or a scenario written for that day",
                        ));
                    }
                    anyhow::Error::from(e)
                })
            }
        }
    }

    /// The day the network is taken as of, for titles (`None`: undated network).
    pub fn day_label(&self) -> Option<String> {
        self.day.map(|d| d.to_string())
    }

    pub fn prepared(&self, scenario: Option<&str>) -> Result<Prepared> {
        Ok(Prepared::new(self.network(scenario)?, self.opts.profile()))
    }

    pub fn limit_s(&self) -> Seconds {
        (self.opts.limit * 60.0).round() as Seconds
    }

    pub fn bound_s(&self, p: &Prepared) -> Seconds {
        p.default_bound().max(self.limit_s())
    }
}

/// A progress bar on standard error, hidden when it is not a terminal.
pub fn progress(len: u64, msg: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(msg.to_string());
    pb
}

/// An error writing `path`: the user's choice of path (it exists and is not ours) exits 2; any
/// other I/O failure (disk full, permissions) is one line and exit 1.
pub fn write_error(path: &Path, e: std::io::Error) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::AlreadyExists {
        UserError(format!("cannot write {}: {e}", path.display())).into()
    } else {
        anyhow::Error::new(e).context(format!("cannot write {}", path.display()))
    }
}

/// Prints to standard output or writes the file atomically.
pub fn emit(out: &Option<PathBuf>, text: &str) -> Result<()> {
    match out {
        Some(p) => {
            crate::io::write::write_atomic(p, text.as_bytes()).map_err(|e| write_error(p, e))
        }
        None => {
            let mut so = std::io::stdout().lock();
            so.write_all(text.as_bytes())?;
            so.flush()?;
            Ok(())
        }
    }
}

fn places(net: &Network, names: &[String]) -> Result<Vec<PlaceIdx>> {
    names
        .iter()
        .map(|n| analysis::find_place(net, n).map_err(|e| UserError(e).into()))
        .collect()
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let threads = match &cli.cmd {
        Some(Cmd::Check { net, .. })
        | Some(Cmd::Matrix { net, .. })
        | Some(Cmd::Route { net, .. })
        | Some(Cmd::Validate { net, .. })
        | Some(Cmd::Compare { net, .. })
        | Some(Cmd::Rank { net, .. })
        | Some(Cmd::Scenarios { net }) => net.threads,
        Some(Cmd::Isochrones(a)) => a.net.threads,
        Some(Cmd::Map(a)) => a.net.threads,
        Some(Cmd::Export(a)) => a.net.threads,
        Some(Cmd::BenchGraph { threads, .. }) => *threads,
        None => None,
    };
    with_threads(threads, move || dispatch(cli))
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.cmd {
        None => main_job(),
        Some(Cmd::Check {
            net,
            scenario,
            indicator,
            sensitivity,
            out,
        }) => check_cmd(&net, scenario, indicator.into(), sensitivity, &out),
        Some(Cmd::Matrix {
            net,
            scenario,
            from,
            to,
            out,
        }) => matrix_cmd(&net, scenario, Some((&from, &to)), &out),
        Some(Cmd::Route {
            from,
            to,
            net,
            scenario,
            out,
        }) => {
            let s = Session::open(&net)?;
            let p = s.prepared(scenario.as_deref())?;
            let (a, b) = (places(&p.net, &[from])?[0], places(&p.net, &[to])?[0]);
            let r = analysis::route(&p, a, b, s.bound_s(&p)).ok_or_else(|| {
                UserError(format!(
                    "{} is not reachable from {} within {} minutes",
                    p.net.place(b).name,
                    p.net.place(a).name,
                    s.bound_s(&p) / 60
                ))
            })?;
            let text = match out.format {
                Format::Json => serde_json::to_string_pretty(&r)? + "\n",
                _ => format!(
                    "{} → {} ({}, {})\n{}",
                    p.net.place(a).name,
                    p.net.place(b).name,
                    s.opts.profile().as_str(),
                    scenario.as_deref().unwrap_or("today"),
                    output::route_table(&r)
                ),
            };
            emit(&out.out, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Validate { net, scenario }) => {
            let s = Session::open(&net)?;
            let n = s.network(scenario.as_deref())?;
            let (t, c) = (
                Prepared::new(n.clone(), Profile::Transit),
                Prepared::new(n.clone(), Profile::Car),
            );
            let mut text = String::new();
            outln!(
                text,
                "{}: {} places ({} stations, {} centres, {} zones, {} road nodes), {} services, {} roads, {} links; transit graph {} nodes {} arcs, car graph {} nodes {} arcs — valid",
                n.title,
                n.places.len(),
                n.places_of(crate::network::model::PlaceKind::Station).len(),
                n.centres().len(),
                n.zones().len(),
                n.places_of(crate::network::model::PlaceKind::RoadNode).len(),
                n.services.len(),
                n.roads.len(),
                n.links.len(),
                t.graph.csr.num_nodes(),
                t.graph.csr.num_arcs(),
                c.graph.csr.num_nodes(),
                c.graph.csr.num_arcs()
            );
            let served: std::collections::HashSet<&str> = n
                .services
                .iter()
                .flat_map(|s| s.stops.iter().map(|st| st.at.as_str()))
                .collect();
            let unserved: Vec<&str> = n
                .places
                .iter()
                .filter(|p| {
                    p.kind == crate::network::model::PlaceKind::Station
                        && !served.contains(p.id.as_str())
                })
                .map(|p| p.id.as_str())
                .collect();
            if !unserved.is_empty() {
                outln!(
                    text,
                    "{} station(s) without service{}: {}",
                    unserved.len(),
                    s.day_label()
                        .map(|d| format!(" on {d}"))
                        .unwrap_or_default(),
                    unserved.join(", ")
                );
            }
            for (p, name) in [(&t, "transit"), (&c, "car")] {
                let k = analysis::connectivity(p);
                outln!(
                    text,
                    "{name} graph: centres and zones in {} connected component(s)",
                    k.components
                );
                if name == "transit" {
                    for (centre, missing) in &k.unreached {
                        let mut shown = missing.clone();
                        shown.truncate(10);
                        eprintln!(
                            "warning: centre {centre} cannot reach {} station(s) by transit: {}{} (fix: add services or links that connect them)",
                            missing.len(),
                            shown.join(", "),
                            if missing.len() > 10 { ", ..." } else { "" }
                        );
                    }
                }
            }
            emit(&None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Compare {
            base,
            other,
            net,
            out,
        }) => {
            let s = Session::open(&net)?;
            let (pb, po) = (s.prepared(Some(&base))?, s.prepared(Some(&other))?);
            let bound = s.bound_s(&pb);
            let c = analysis::compare(&pb, &po, s.limit_s(), bound);
            let text = match out.format {
                Format::Json => serde_json::to_string_pretty(&c)? + "\n",
                Format::Csv => compare_csv(&c),
                Format::Table => compare_table(&pb.net, &c, &base, &other, s.opts.limit),
            };
            emit(&out.out, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Rank {
            base,
            projects,
            net,
            out,
        }) => {
            let s = Session::open(&net)?;
            let lib = s.library()?;
            let n = analysis::projects_of(lib, &projects)?.len();
            let pb = progress(2 * n as u64 + 1, "ranking projects");
            let base_net = s.base.clone();
            let bound = (base_net.settings.routing.bound_min * 60.0) as Seconds;
            let ranked = analysis::rank(
                &base_net,
                lib,
                &base,
                &projects,
                s.opts.profile(),
                s.limit_s(),
                bound.max(s.limit_s()),
                &|| pb.inc(1),
            )?;
            pb.finish_and_clear();
            let text = match out.format {
                Format::Json => serde_json::to_string_pretty(&ranked)? + "\n",
                Format::Csv => rank_csv(&ranked),
                Format::Table => rank_table(&ranked, &base, &projects, s.opts.limit),
            };
            emit(&out.out, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Scenarios { net }) => {
            let s = Session::open(&net)?;
            let lib = s.library()?;
            let mut text = String::new();
            for name in &lib.names {
                let sc = &lib.scenarios[name];
                outln!(
                    text,
                    "{:<36} {:<8} {:<18} {} {}",
                    sc.name,
                    sc.opening.map(|y| y.to_string()).unwrap_or_default(),
                    sc.status,
                    sc.project_zh,
                    sc.title
                );
            }
            emit(&None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Isochrones(a)) => crate::cli::geo::isochrones(a),
        Some(Cmd::Map(a)) => crate::cli::geo::map(a),
        Some(Cmd::Export(a)) => crate::cli::geo::export(a),
        Some(Cmd::BenchGraph {
            graph,
            origins,
            threads: _,
            bound,
            methods,
            json,
            repeat,
        }) => bench_graph(
            &graph,
            &origins,
            bound.unwrap_or(crate::network::ids::UNREACHED),
            &methods,
            json,
            repeat,
        ),
    }
}

fn bench_graph(
    graph: &Path,
    origins: &Path,
    bound: Seconds,
    methods: &[Method],
    json: bool,
    repeat: usize,
) -> Result<ExitCode> {
    let user = |e: dimacs::DimacsError| UserError(e.to_string());
    let t = std::time::Instant::now();
    let gr = dimacs::read_gr(graph).map_err(user)?;
    let origins = dimacs::read_ss(origins, gr.n).map_err(user)?;
    let parse_s = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let csr = gr.to_csr();
    drop(gr);
    // The engine's compiled form (checked CSR, compact arc records) is part of the build.
    let checked = crate::engine::Checked::new(&csr);
    let build_s = t.elapsed().as_secs_f64();
    let mut figs: Vec<bench_graph::Figures> = Vec::new();
    for r in 0..repeat.max(1) {
        for (i, &m) in methods.iter().enumerate() {
            let mut f = bench_graph::run(m, &csr, checked.as_ref(), &origins, bound);
            (f.parse_s, f.build_s, f.load_s) = (parse_s, build_s, parse_s + build_s);
            if r == 0 {
                figs.push(f);
            } else if f.sweep_s < figs[i].sweep_s {
                figs[i].sweep_s = f.sweep_s;
            }
        }
    }
    let mut text = String::new();
    if json {
        for f in &figs {
            outln!(text, "{}", bench_graph::json_line(f));
        }
    } else {
        text.push_str(&bench_graph::table(&figs));
    }
    emit(&None, &text)?;
    let agree = figs
        .windows(2)
        .all(|w| w[0].checksum == w[1].checksum && w[0].reached == w[1].reached);
    Ok(if agree {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The compiled graph as DIMACS `.gr` text; comments say what the nodes are.
pub fn export_dimacs(p: &Prepared, scenario: &str) -> Result<String> {
    let g = &p.graph;
    let comments = vec![
        format!(
            "{} - onehour graph, {} profile, scenario {scenario}",
            p.net.title,
            g.profile.as_str()
        ),
        "weights are whole seconds".to_string(),
        format!(
            "nodes 1..={} are the places in network order (first: {}), the rest platform nodes",
            g.n_places,
            p.net.places.first().map(|x| x.id.as_str()).unwrap_or("-")
        ),
    ];
    let mut buf = Vec::new();
    dimacs::write_gr(&g.csr, &comments, &mut buf)?;
    Ok(String::from_utf8(buf)?)
}

/// `matrix`: door-to-door times between named places.
fn matrix_cmd(
    net: &NetOpts,
    scenario: Option<String>,
    places_from_to: Option<(&[String], &[String])>,
    out: &OutOpts,
) -> Result<ExitCode> {
    let s = Session::open(net)?;
    let p = s.prepared(scenario.as_deref())?;
    let (rows, cols) = match places_from_to {
        None => (p.net.centres(), p.net.centres()),
        Some((from, to)) => (places(&p.net, from)?, places(&p.net, to)?),
    };
    let m = analysis::time_matrix(&p, &rows, &cols, s.bound_s(&p));
    let scenario = scenario.as_deref().unwrap_or("today");
    let text = render_matrix(&s, &p.net, &m, scenario, Indicator::Door, None, out.format);
    emit(&out.out, &text)?;
    Ok(ExitCode::SUCCESS)
}

/// `check`: the centre matrix with verdicts, by either indicator, optionally with the
/// sensitivity of the verdicts to the estimated minutes.
fn check_cmd(
    net: &NetOpts,
    scenario: Option<String>,
    indicator: Indicator,
    sensitivity: bool,
    out: &OutOpts,
) -> Result<ExitCode> {
    let s = Session::open(net)?;
    let n = s.network(scenario.as_deref())?;
    let name = scenario.as_deref().unwrap_or("today");
    let (m, via, net_used) = centre_matrix(&s, n, indicator)?;
    let mut text = render_matrix(
        &s,
        &net_used,
        &m,
        name,
        indicator,
        via.as_deref(),
        out.format,
    );
    if out.format == Format::Table {
        text.push('\n');
        text.push_str(&verdict(&net_used, &m, s.opts.limit, indicator));
    }
    if sensitivity {
        let n = s.network(scenario.as_deref())?;
        let sens = sensitivity_runs(&s, &n, indicator)?;
        match out.format {
            Format::Json => {
                // One JSON document: the matrix with a "sensitivity" member.
                let mut v: serde_json::Value = serde_json::from_str(&text)?;
                v["sensitivity"] = sensitivity_json(&sens, s.opts.limit);
                text = serde_json::to_string_pretty(&v)? + "\n";
            }
            Format::Csv => text = sensitivity_csv(&sens, s.opts.limit),
            Format::Table => {
                text.push('\n');
                text.push_str(&sensitivity_table(&sens, s.opts.limit));
            }
        }
    }
    emit(&out.out, &text)?;
    Ok(ExitCode::SUCCESS)
}

/// The centre matrix of `net` by `indicator`, with the station pairs of the station indicator
/// and the network it was computed on (compiled for the indicator's profile).
#[allow(clippy::type_complexity)]
fn centre_matrix(
    s: &Session,
    n: Network,
    indicator: Indicator,
) -> Result<(
    analysis::TimeMatrix,
    Option<crate::analysis::StationPairs>,
    Network,
)> {
    match indicator {
        Indicator::Door => {
            let p = Prepared::new(n, s.opts.profile());
            let c = p.net.centres();
            let m = analysis::time_matrix(&p, &c, &c, s.bound_s(&p));
            Ok((m, None, p.net))
        }
        Indicator::Station => {
            if s.opts.profile() != Profile::Transit {
                return Err(UserError(
                    "--indicator station is a rail measure: drop --profile car".into(),
                )
                .into());
            }
            if n.main_stations.is_empty() {
                return Err(UserError(
                    "this network lists no main stations of its centres (centre_stations in network.toml; see docs/network-format.md)".into(),
                )
                .into());
            }
            let p = Prepared::new(n, Profile::Station);
            let c = p.net.centres();
            let sm = analysis::station_matrix(&p, &c, s.bound_s(&p));
            Ok((sm.matrix, Some(sm.via), p.net))
        }
    }
}

fn render_matrix(
    s: &Session,
    net: &Network,
    m: &analysis::TimeMatrix,
    scenario: &str,
    indicator: Indicator,
    via: Option<&[crate::analysis::StationPairsRow]>,
    f: Format,
) -> String {
    let limit = s.opts.limit;
    let profile = if indicator == Indicator::Station {
        "transit"
    } else {
        s.opts.profile().as_str()
    };
    match f {
        Format::Json => output::matrix_json(
            net,
            m,
            &output::MatrixMeta {
                scenario,
                profile,
                indicator: indicator.as_str(),
                date: s.day_label(),
                year: s.opts.year,
                limit_min: limit,
                via,
            },
        ),
        Format::Csv => output::matrix_csv(net, m, limit),
        Format::Table => {
            let what = match indicator {
                Indicator::Door => format!("door-to-door minutes, {profile} profile"),
                Indicator::Station => {
                    "station-to-station rail minutes between the centres' main stations (first wait, rides, transfers; no access)".to_string()
                }
            };
            let mut t = format!(
                "{} — {what}, scenario {scenario}{}; ✓ within {limit} min\n",
                net.title,
                s.day_label()
                    .map(|d| format!(", network as of {d}"))
                    .unwrap_or_default(),
            );
            t.push_str(&output::matrix_table(net, m, limit));
            t
        }
    }
}

/// Summary of the one-hour target among the area's centres, and the pairs that fail it.
fn verdict(
    net: &Network,
    m: &analysis::TimeMatrix,
    limit_min: f64,
    indicator: Indicator,
) -> String {
    let mut fail = Vec::new();
    let mut total = 0;
    for (i, &a) in m.rows.iter().enumerate() {
        for (j, &b) in m.cols.iter().enumerate() {
            if a == b || !net.place(a).in_area || !net.place(b).in_area {
                continue;
            }
            total += 1;
            match m.minutes(i, j) {
                Some(x) if x <= limit_min => {}
                x => fail.push(format!(
                    "  ✗ {} → {}: {} min",
                    output::short(&net.place(a).name),
                    output::short(&net.place(b).name),
                    output::fmt_min(x)
                )),
            }
        }
    }
    let how = match indicator {
        Indicator::Door => "door to door",
        Indicator::Station => "station to station",
    };
    let mut out = format!(
        "Plan target 各中心城区之间1小时通达 ({how}): {} of {} ordered pairs of the area's centres within {} min\n",
        total - fail.len(),
        total,
        limit_min
    );
    for f in fail {
        out.push_str(&f);
        out.push('\n');
    }
    out
}

/// The centre matrices with every estimated minute scaled by 0.5, 1 and 1.5.
struct Sensitivity {
    centres: Vec<(String, bool)>,
    factors: [f64; 3],
    minutes: [analysis::TimeMatrix; 3],
    estimated: analysis::Estimated,
}

const SENSITIVITY_FACTORS: [f64; 3] = [0.5, 1.0, 1.5];

fn sensitivity_runs(s: &Session, n: &Network, indicator: Indicator) -> Result<Sensitivity> {
    let mut ms = Vec::new();
    let mut estimated = analysis::Estimated::default();
    for f in SENSITIVITY_FACTORS {
        let (scaled, e) = analysis::scale_estimates(n, f);
        estimated = e;
        ms.push(centre_matrix(s, scaled, indicator)?.0);
    }
    let centres = n
        .centres()
        .into_iter()
        .map(|c| (n.place(c).id.clone(), n.place(c).in_area))
        .collect();
    let minutes: [analysis::TimeMatrix; 3] = ms
        .try_into()
        .map_err(|_| anyhow::anyhow!("three sensitivity runs expected"))?;
    Ok(Sensitivity {
        centres,
        factors: SENSITIVITY_FACTORS,
        minutes,
        estimated,
    })
}

/// Ordered pairs of the area's centres whose verdict differs between the runs:
/// (from, to, minutes per run).
fn sensitivity_flips(x: &Sensitivity, limit: f64) -> Vec<(usize, usize, [Option<f64>; 3])> {
    let n = x.centres.len();
    let mut out = Vec::new();
    for i in 0..n {
        for j in 0..n {
            if i == j || !x.centres[i].1 || !x.centres[j].1 {
                continue;
            }
            let m = [0, 1, 2].map(|k| x.minutes[k].minutes(i, j));
            let ok = m.map(|v| v.is_some_and(|v| v <= limit));
            if ok[0] != ok[1] || ok[1] != ok[2] {
                out.push((i, j, m));
            }
        }
    }
    out
}

fn within_count(x: &Sensitivity, k: usize, limit: f64) -> (usize, usize) {
    let n = x.centres.len();
    let (mut yes, mut total) = (0, 0);
    for i in 0..n {
        for j in 0..n {
            if i != j && x.centres[i].1 && x.centres[j].1 {
                total += 1;
                if x.minutes[k].minutes(i, j).is_some_and(|v| v <= limit) {
                    yes += 1;
                }
            }
        }
    }
    (yes, total)
}

fn sensitivity_table(x: &Sensitivity, limit: f64) -> String {
    let mut t = format!(
        "Sensitivity to the estimated minutes ({} station interchange times, {} links marked as estimates, zone access legs) scaled ×{} / ×{} / ×{}:\n",
        x.estimated.interchange, x.estimated.links, x.factors[0], x.factors[1], x.factors[2]
    );
    for k in 0..3 {
        let (yes, total) = within_count(x, k, limit);
        t.push_str(&format!(
            "  ×{}: {yes} of {total} ordered pairs of the area's centres within {limit} min\n",
            x.factors[k]
        ));
    }
    let flips = sensitivity_flips(x, limit);
    if flips.is_empty() {
        t.push_str("  no verdict changes within this range\n");
    } else {
        t.push_str("  verdicts that change (minutes at ×0.5 / ×1 / ×1.5):\n");
        for (i, j, m) in flips {
            let v = |o: Option<f64>| {
                let mark = if o.is_some_and(|v| v <= limit) {
                    "✓"
                } else {
                    "✗"
                };
                format!("{} {mark}", output::fmt_min(o))
            };
            t.push_str(&format!(
                "  {} → {}: {} / {} / {}\n",
                x.centres[i].0,
                x.centres[j].0,
                v(m[0]),
                v(m[1]),
                v(m[2])
            ));
        }
    }
    t
}

fn sensitivity_json(x: &Sensitivity, limit: f64) -> serde_json::Value {
    let mins = |k: usize| -> Vec<Vec<Option<f64>>> {
        let n = x.centres.len();
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| x.minutes[k].minutes(i, j).map(output::round1))
                    .collect()
            })
            .collect()
    };
    let within = [0, 1, 2].map(|k| within_count(x, k, limit).0);
    let changes: Vec<serde_json::Value> = sensitivity_flips(x, limit)
        .into_iter()
        .map(|(i, j, m)| {
            serde_json::json!({
                "from": x.centres[i].0,
                "to": x.centres[j].0,
                "minutes": m.map(|v| v.map(output::round1)),
            })
        })
        .collect();
    serde_json::json!({
        "factors": x.factors,
        "estimated": x.estimated,
        "minutes": [mins(0), mins(1), mins(2)],
        "pairs_within_limit": within,
        "verdict_changes": changes,
    })
}

fn sensitivity_csv(x: &Sensitivity, limit: f64) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "from",
        "to",
        "minutes_x0.5",
        "minutes_x1",
        "minutes_x1.5",
        "verdict_changes",
    ]);
    let flips: std::collections::HashSet<(usize, usize)> = sensitivity_flips(x, limit)
        .into_iter()
        .map(|(i, j, _)| (i, j))
        .collect();
    let f = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_default();
    let n = x.centres.len();
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let _ = w.write_record([
                x.centres[i].0.clone(),
                x.centres[j].0.clone(),
                f(x.minutes[0].minutes(i, j)),
                f(x.minutes[1].minutes(i, j)),
                f(x.minutes[2].minutes(i, j)),
                flips.contains(&(i, j)).to_string(),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn main_job() -> Result<ExitCode> {
    let opts = NetOpts {
        network: None,
        scenarios: None,
        year: None,
        date: None,
        profile: ProfileArg::Transit,
        limit: 60.0,
        threads: None,
        wait: None,
    };
    let s = Session::open(&opts)?;
    let today = s.network(None)?;
    let (m, _, net) = centre_matrix(&s, today.clone(), Indicator::Door)?;
    let mut text = render_matrix(&s, &net, &m, "today", Indicator::Door, None, Format::Table);
    text.push('\n');
    text.push_str(&verdict(&net, &m, 60.0, Indicator::Door));
    if !today.main_stations.is_empty() {
        let (m, _, net) = centre_matrix(&s, today.clone(), Indicator::Station)?;
        text.push('\n');
        text.push_str(&render_matrix(
            &s,
            &net,
            &m,
            "today",
            Indicator::Station,
            None,
            Format::Table,
        ));
        text.push('\n');
        text.push_str(&verdict(&net, &m, 60.0, Indicator::Station));
    }
    if s.lib.as_ref().is_some_and(|l| l.get("plan-2030").is_some()) {
        let today = Prepared::new(today, Profile::Transit);
        let plan = s.prepared(Some("plan-2030"))?;
        let c = analysis::compare(&today, &plan, s.limit_s(), s.bound_s(&today));
        text.push('\n');
        text.push_str(&compare_table(&today.net, &c, "today", "plan-2030", 60.0));
        if !plan.net.main_stations.is_empty() {
            let (m, _, net) = centre_matrix(&s, plan.net.clone(), Indicator::Station)?;
            text.push('\n');
            text.push_str(
                &verdict(&net, &m, 60.0, Indicator::Station).replace("Plan target", "plan-2030:"),
            );
        }
    }
    emit(&None, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn compare_table(
    net: &Network,
    c: &analysis::Comparison,
    base: &str,
    other: &str,
    limit: f64,
) -> String {
    let mut t = format!("{base} → {other}: change in door-to-door minutes (negative = faster)\n");
    let n = c.centres.len();
    let name = |id: &str| {
        net.places
            .iter()
            .find(|p| p.id == id)
            .map(|p| output::short(&p.name).to_string())
            .unwrap_or_default()
    };
    let lw = c
        .centres
        .iter()
        .map(|id| output::width(&name(id)))
        .max()
        .unwrap_or(4)
        + 6;
    t.push_str(&output::pad("", lw));
    for j in 0..n {
        t.push_str(&output::lpad(&format!("[{}]", j + 1), 6));
    }
    t.push('\n');
    for i in 0..n {
        t.push_str(&output::pad(
            &format!("{:>4} {}", format!("[{}]", i + 1), name(&c.centres[i])),
            lw,
        ));
        for j in 0..n {
            let cell = if i == j {
                "·".into()
            } else {
                match (c.base_minutes[i][j], c.other_minutes[i][j]) {
                    (Some(a), Some(b)) if (b - a).abs() < 0.5 => "0".into(),
                    (Some(a), Some(b)) => format!("{:+.0}", b - a),
                    (None, Some(_)) => "new".into(),
                    (Some(_), None) => "lost".into(),
                    (None, None) => "—".into(),
                }
            };
            t.push_str(&output::lpad(&cell, 6));
        }
        t.push('\n');
    }
    t.push_str(&format!(
        "Pairs newly within {limit} min: {}\n",
        c.newly_within.len()
    ));
    for (a, b) in &c.newly_within {
        t.push_str(&format!("  ✓ {} → {}\n", name(a), name(b)));
    }
    if !c.newly_over.is_empty() {
        t.push_str(&format!(
            "Pairs newly over {limit} min: {}\n",
            c.newly_over.len()
        ));
        for (a, b) in &c.newly_over {
            t.push_str(&format!("  ✗ {} → {}\n", name(a), name(b)));
        }
    }
    if !c.largest_gains.is_empty() {
        t.push_str("Largest gains:\n");
        for (a, b, x, y) in &c.largest_gains {
            t.push_str(&format!(
                "  {} → {}: {} → {} min\n",
                name(a),
                name(b),
                output::fmt_min(*x),
                output::fmt_min(*y)
            ));
        }
    }
    t.push_str(&format!(
        "Zone population within {limit} min of each centre ({base} → {other}):\n"
    ));
    for i in 0..n {
        t.push_str(&format!(
            "  {}: {:.2} M → {:.2} M\n",
            output::pad(&name(&c.centres[i]), lw - 6),
            c.population_base[i] as f64 / 1e6,
            c.population_other[i] as f64 / 1e6
        ));
    }
    t
}

fn compare_csv(c: &analysis::Comparison) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "from",
        "to",
        "base_minutes",
        "other_minutes",
        "delta_minutes",
    ]);
    let f = |x: Option<f64>| x.map(|v| format!("{v:.1}")).unwrap_or_default();
    for (i, a) in c.centres.iter().enumerate() {
        for (j, b) in c.centres.iter().enumerate() {
            let _ = w.write_record([
                a.as_str(),
                b,
                &f(c.base_minutes[i][j]),
                &f(c.other_minutes[i][j]),
                &f(c.delta_minutes[i][j]),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn rank_table(r: &[analysis::Ranked], base: &str, horizon: &str, limit: f64) -> String {
    let mut t = format!(
        "Projects of {horizon} ranked by benefit: added alone to {base} | left out of {horizon}\n\
         pairs = centre pairs brought within {limit} min; min = population-weighted minutes saved (summed over centres); pop = zone population newly within {limit} min (summed over centres, millions)\n"
    );
    t.push_str(&format!(
        "{:<40} {:>6} {:>8} {:>7} | {:>6} {:>8} {:>7}  {}\n",
        "project", "pairs", "min", "pop", "pairs", "min", "pop", "plan name"
    ));
    for x in r {
        t.push_str(&format!(
            "{:<40} {:>6} {:>8.1} {:>7.2} | {:>6} {:>8.1} {:>7.2}  {}\n",
            x.project,
            x.added_alone.pairs_gained,
            x.added_alone.pop_weighted_minutes_saved,
            x.added_alone.population_gained as f64 / 1e6,
            x.leave_one_out.pairs_gained,
            x.leave_one_out.pop_weighted_minutes_saved,
            x.leave_one_out.population_gained as f64 / 1e6,
            x.project_zh
        ));
    }
    t
}

fn rank_csv(r: &[analysis::Ranked]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "project",
        "project_zh",
        "status",
        "opening",
        "alone_pairs",
        "alone_pop_weighted_minutes",
        "alone_population",
        "loo_pairs",
        "loo_pop_weighted_minutes",
        "loo_population",
    ]);
    for x in r {
        let _ = w.write_record([
            x.project.clone(),
            x.project_zh.clone(),
            x.status.clone(),
            x.opening.map(|y| y.to_string()).unwrap_or_default(),
            x.added_alone.pairs_gained.to_string(),
            format!("{:.2}", x.added_alone.pop_weighted_minutes_saved),
            x.added_alone.population_gained.to_string(),
            x.leave_one_out.pairs_gained.to_string(),
            format!("{:.2}", x.leave_one_out.pop_weighted_minutes_saved),
            x.leave_one_out.population_gained.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
