//! The command line: flags parsed into plain values (clap), then a layer that loads the
//! network, applies scenarios, builds the graph and prints. Exit codes are decided here only:
//! 0 success, 2 invalid input (files, names, arguments), 1 anything else.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::analysis::{self, Prepared};
use crate::bundled;
use crate::dimacs;
use crate::graph::Profile;
use crate::ids::{PlaceIdx, Seconds};
use crate::load::{load_network, Source};
use crate::model::{Network, WaitPolicy};
use crate::output::{self, Format};
use crate::problem::Problems;
use crate::route::with_threads;
use crate::scenario::{apply, Library};
use crate::sweepbench::{self, Method};

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
    /// Keep only what had opened by the end of this year (the plan's base year is 2022)
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// Travel profile
    #[arg(long, value_enum, default_value_t = Profile::Transit)]
    pub profile: Profile,
    /// The target, minutes
    #[arg(long, default_value_t = 60.0, value_name = "MIN")]
    pub limit: f64,
    /// Worker threads (default: all cores)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Override the network's wait policy: half headway, full headway (worst case), or half
    /// headway capped at the network's cap_min (timetabled services)
    #[arg(long, value_enum)]
    pub wait: Option<WaitPolicy>,
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

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Centre-by-centre matrix with one-hour verdicts
    Check {
        #[command(flatten)]
        net: NetOpts,
        /// Scenario to apply
        #[arg(long)]
        scenario: Option<String>,
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
    Isochrones(crate::cli_geo::IsochronesArgs),
    /// Draw the network and the isochrone bands of one origin, one panel per scenario (SVG)
    Map(crate::cli_geo::MapArgs),
    /// Export the network (GeoJSON: places as points, services and roads as lines)
    Export(crate::cli_geo::ExportArgs),
    /// Time one-to-all sweeps from every origin of a DIMACS graph, per engine variant
    BenchGraph {
        /// Graph in the DIMACS .gr format (1-based ids, integer weights)
        #[arg(long, value_name = "FILE.gr")]
        graph: PathBuf,
        /// Origins in the DIMACS .ss format (`s ID` lines)
        #[arg(long, value_name = "FILE.ss")]
        origins: PathBuf,
        /// Worker threads (default: all cores)
        #[arg(long)]
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
    pub base: Network,
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
        let (mut base, warnings) = load_network(&src, &manifest)?;
        if let Some(w) = opts.wait {
            base.settings.routing.wait = w;
        }
        for w in &warnings {
            eprintln!("{w}");
        }
        let lib = match &opts.scenarios {
            Some(d) => Some(Library::load(Source::Disk(d.clone()))?),
            None if opts.network.is_none() => Some(Library::load(bundled::scenarios())?),
            None => None,
        };
        Ok(Session {
            base,
            lib,
            opts: opts.clone(),
        })
    }

    fn library(&self) -> Result<&Library> {
        self.lib.as_ref().ok_or_else(|| {
            UserError("this network has no scenario folder: pass --scenarios DIR".into()).into()
        })
    }

    /// The network with `scenario` applied and the year filter.
    pub fn network(&self, scenario: Option<&str>) -> Result<Network> {
        let net = match scenario {
            None => self.base.clone(),
            Some(name) => {
                let lib = self.library()?;
                apply(&self.base, &lib.chain(name)?)?
            }
        };
        Ok(match self.opts.year {
            Some(y) => net.as_of(y),
            None => net,
        })
    }

    pub fn prepared(&self, scenario: Option<&str>) -> Result<Prepared> {
        Ok(Prepared::new(self.network(scenario)?, self.opts.profile))
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

/// Prints to standard output or writes the file atomically.
pub fn emit(out: &Option<PathBuf>, text: &str) -> Result<()> {
    match out {
        Some(p) => output::write_atomic(p, text.as_bytes())
            .with_context(|| format!("cannot write {}", p.display())),
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
        Some(Cmd::Check { net, scenario, out }) => matrix_cmd(&net, scenario, None, &out),
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
                    s.opts.profile.as_str(),
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
            println!(
                "{}: {} places ({} stations, {} centres, {} zones, {} road nodes), {} services, {} roads, {} links; transit graph {} nodes {} arcs, car graph {} nodes {} arcs — valid",
                n.title,
                n.places.len(),
                n.places_of(crate::model::PlaceKind::Station).len(),
                n.centres().len(),
                n.zones().len(),
                n.places_of(crate::model::PlaceKind::RoadNode).len(),
                n.services.len(),
                n.roads.len(),
                n.links.len(),
                t.graph.csr.num_nodes(),
                t.graph.csr.num_arcs(),
                c.graph.csr.num_nodes(),
                c.graph.csr.num_arcs()
            );
            for (p, name) in [(&t, "transit"), (&c, "car")] {
                let k = analysis::connectivity(p);
                println!(
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
            let base_net = match s.opts.year {
                Some(y) => s.base.as_of(y),
                None => s.base.clone(),
            };
            let bound = (base_net.settings.routing.bound_min * 60.0) as Seconds;
            let ranked = analysis::rank(
                &base_net,
                lib,
                &base,
                &projects,
                s.opts.profile,
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
            for name in &lib.names {
                let sc = &lib.scenarios[name];
                println!(
                    "{:<36} {:<8} {:<18} {} {}",
                    sc.name,
                    sc.opening.map(|y| y.to_string()).unwrap_or_default(),
                    sc.status,
                    sc.project_zh,
                    sc.title
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Isochrones(a)) => crate::cli_geo::isochrones(a),
        Some(Cmd::Map(a)) => crate::cli_geo::map(a),
        Some(Cmd::Export(a)) => crate::cli_geo::export(a),
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
            bound.unwrap_or(crate::ids::UNREACHED),
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
    let checked = crate::route::Checked::new(&csr);
    let build_s = t.elapsed().as_secs_f64();
    let mut figs: Vec<sweepbench::Figures> = Vec::new();
    for r in 0..repeat.max(1) {
        for (i, &m) in methods.iter().enumerate() {
            let mut f = sweepbench::run(m, &csr, checked.as_ref(), &origins, bound);
            (f.parse_s, f.build_s, f.load_s) = (parse_s, build_s, parse_s + build_s);
            if r == 0 {
                figs.push(f);
            } else if f.sweep_s < figs[i].sweep_s {
                figs[i].sweep_s = f.sweep_s;
            }
        }
    }
    if json {
        for f in &figs {
            println!("{}", sweepbench::json_line(f));
        }
    }
    if !json {
        print!("{}", sweepbench::table(&figs));
    }
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

/// `check` (centres by centres) and `matrix` (named places).
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
    emit(&out.out, &render_matrix(&s, &p, &m, scenario, out.format))?;
    Ok(ExitCode::SUCCESS)
}

fn render_matrix(
    s: &Session,
    p: &Prepared,
    m: &analysis::TimeMatrix,
    scenario: &str,
    f: Format,
) -> String {
    let limit = s.opts.limit;
    match f {
        Format::Json => output::matrix_json(
            &p.net,
            m,
            scenario,
            s.opts.profile.as_str(),
            s.opts.year,
            limit,
        ),
        Format::Csv => output::matrix_csv(&p.net, m, limit),
        Format::Table => {
            let mut t = format!(
                "{} — door-to-door minutes, {} profile, scenario {}{}; ✓ within {} min\n",
                p.net.title,
                s.opts.profile.as_str(),
                scenario,
                s.opts
                    .year
                    .map(|y| format!(", network as of end {y}"))
                    .unwrap_or_default(),
                limit
            );
            t.push_str(&output::matrix_table(&p.net, m, limit));
            t
        }
    }
}

/// Summary of the one-hour target among the area's centres, and the pairs that fail it.
fn verdict(p: &Prepared, m: &analysis::TimeMatrix, limit_min: f64) -> String {
    let mut fail = Vec::new();
    let mut total = 0;
    for (i, &a) in m.rows.iter().enumerate() {
        for (j, &b) in m.cols.iter().enumerate() {
            if a == b || !p.net.place(a).in_area || !p.net.place(b).in_area {
                continue;
            }
            total += 1;
            match m.minutes(i, j) {
                Some(x) if x <= limit_min => {}
                x => fail.push(format!(
                    "  ✗ {} → {}: {} min",
                    output::short(&p.net.place(a).name),
                    output::short(&p.net.place(b).name),
                    output::fmt_min(x)
                )),
            }
        }
    }
    let mut out = format!(
        "Plan target 各中心城区之间1小时通达: {} of {} ordered pairs of the area's centres within {} min\n",
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

fn main_job() -> Result<ExitCode> {
    let opts = NetOpts {
        network: None,
        scenarios: None,
        year: None,
        profile: Profile::Transit,
        limit: 60.0,
        threads: None,
        wait: None,
    };
    let s = Session::open(&opts)?;
    let today = s.prepared(None)?;
    let centres = today.net.centres();
    let m = analysis::time_matrix(&today, &centres, &centres, s.bound_s(&today));
    let mut text = render_matrix(&s, &today, &m, "today", Format::Table);
    text.push('\n');
    text.push_str(&verdict(&today, &m, 60.0));
    if s.lib.as_ref().is_some_and(|l| l.get("plan-2030").is_some()) {
        let plan = s.prepared(Some("plan-2030"))?;
        let c = analysis::compare(&today, &plan, s.limit_s(), s.bound_s(&today));
        text.push('\n');
        text.push_str(&compare_table(&today.net, &c, "today", "plan-2030", 60.0));
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
