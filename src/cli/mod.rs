//! The command line: flags parsed into plain values (clap), then a layer that loads the
//! network, applies scenarios, builds the graph and prints. Exit codes are decided here only:
//! 0 success, 2 invalid input (files, names, arguments), 1 anything else.

/// Appends a formatted line to a `String` (output is written in one piece by `emit`, which
/// handles closed pipes and full disks instead of panicking as `println!` does).
macro_rules! outln {
    ($buf:expr, $($arg:tt)*) => {{
        $buf.push_str(&format!($($arg)*));
        $buf.push('\n');
    }};
}

pub mod access;
pub mod args;
pub mod bench_graph;
pub mod check;
pub mod compare;
pub mod export;
pub mod import;
pub mod isochrones;
pub mod layout;
pub mod map;
pub mod opts;
pub mod output;
pub mod points;
pub mod rank;
pub mod route;
pub mod scenarios;
pub mod serve;
pub mod session;
pub mod timed;
pub mod validate;

pub use args::{Cli, Cmd};
pub use opts::{NetOpts, OutOpts};
pub use session::Session;

use anyhow::Result;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::analysis;
use crate::engine::with_threads;
use crate::network::ids::PlaceIdx;
use crate::network::model::Network;
use crate::network::problem::Problems;

/// An error in what the user gave us: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

/// Entry point of the `onehour` binary: parses the command line, runs the command and maps errors to exit codes (2 for input errors).
pub fn main() -> ExitCode {
    // On SIGINT or SIGTERM, remove the temporary files of outputs being written, then end with
    // the conventional status 128 + signal (130 for SIGINT, 143 for SIGTERM).
    let _ = crate::io::write::clean_up_on_signals();
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

/// Runs a parsed command line, on a rayon pool of `--threads` workers when given (else the global pool).
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
        Some(Cmd::Access(a)) => a.net.threads,
        Some(Cmd::Map(a)) => a.net.threads,
        Some(Cmd::Export(a)) => a.net.threads,
        Some(Cmd::BenchGraph { threads, .. }) => *threads,
        Some(Cmd::Import(_)) => None,
        // The server's searches run on the global pool, sized by `serve` itself.
        Some(Cmd::Serve(_)) => None,
        None => None,
    };
    with_threads(threads, move || dispatch(cli))
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.cmd {
        None => check::main_job(),
        Some(Cmd::Check {
            net,
            scenario,
            indicator,
            sensitivity,
            time,
            out,
        }) => check::check_cmd(&net, scenario, indicator.into(), sensitivity, &time, &out),
        Some(Cmd::Matrix {
            net,
            scenario,
            points: Some(points),
            to_points,
            time,
            out,
            ..
        }) => points::points_cmd(
            &net,
            points::PointsRequest {
                points: &points,
                to_points: to_points.as_ref(),
                scenario,
            },
            &time,
            &out,
        ),
        Some(Cmd::Matrix {
            net,
            scenario,
            from,
            to,
            time,
            out,
            ..
        }) => check::matrix_cmd(&net, scenario, Some((&from, &to)), &time, &out),
        Some(Cmd::Route {
            from,
            to,
            net,
            scenario,
            time,
            out,
        }) => route::run(from, to, net, scenario, time, out),
        Some(Cmd::Validate { net, scenario }) => validate::run(net, scenario),
        Some(Cmd::Compare {
            base,
            other,
            net,
            time,
            out,
        }) => compare::run(base, other, net, time, out),
        Some(Cmd::Rank {
            base,
            projects,
            net,
            time,
            access,
            out,
        }) => match access.indicator {
            rank::RankIndicator::Centres => rank::run(base, projects, net, time, out),
            rank::RankIndicator::Access => rank::run_access(base, projects, net, time, access, out),
        },
        Some(Cmd::Scenarios { net }) => scenarios::run(net),
        Some(Cmd::Isochrones(a)) => isochrones::isochrones(a),
        Some(Cmd::Access(a)) => access::run(a),
        Some(Cmd::Map(a)) => map::run(a),
        Some(Cmd::Export(a)) => export::run(a),
        Some(Cmd::Import(c)) => import::run(c),
        Some(Cmd::Serve(a)) => serve::run(a),
        Some(Cmd::BenchGraph {
            graph,
            origins,
            threads: _,
            bound,
            methods,
            json,
            repeat,
        }) => bench_graph::command(
            &graph,
            &origins,
            bound.unwrap_or(crate::network::ids::UNREACHED),
            &methods,
            json,
            repeat,
        ),
    }
}
