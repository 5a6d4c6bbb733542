//! `onehour route`: the fastest route between two places, leg by leg.

use anyhow::Result;
use std::process::ExitCode;

use crate::analysis;
use crate::cli::args::{NetOpts, OutOpts};
use crate::cli::output::{self, Format};
use crate::cli::session::Session;
use crate::cli::{emit, places, UserError};

/// Runs `onehour route FROM TO`.
pub fn run(
    from: String,
    to: String,
    net: NetOpts,
    scenario: Option<String>,
    out: OutOpts,
) -> Result<ExitCode> {
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
