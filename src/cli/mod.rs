//! The command line: flags parsed into plain values (clap), then a layer that loads the
//! network, applies scenarios, builds the graph and prints. Exit codes are decided here only:
//! 0 success, 2 invalid input (files, names, arguments), 1 anything else.

#[macro_use]
mod macros;

pub mod access;
pub mod args;
pub mod bench_graph;
pub mod check;
pub mod compare;
pub mod error;
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
pub use error::{write_error, UserError};
pub use opts::{NetOpts, OutOpts};
pub use output::{emit, progress};
pub use session::Session;

use anyhow::Result;
use clap::Parser;
use std::process::ExitCode;

use crate::engine::with_threads;
use crate::network::problem::Problems;

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
            rank::RankIndicator::Centres if !access.access_flags_given().is_empty() => {
                Err(error::UserError(format!(
                    "rank: {} only apply to the ranking by accessibility: add --indicator access (or drop them to rank by centre pairs)",
                    access.access_flags_given().join(", ")
                ))
                .into())
            }
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
            repeat.into(),
        ),
    }
}
