//! `onehour scenarios`: the scenarios and plan projects.

use anyhow::Result;
use std::process::ExitCode;

use crate::cli::opts::NetOpts;
use crate::cli::output::emit;
use crate::cli::session::Session;

/// Runs `onehour scenarios`.
pub fn run(net: NetOpts) -> Result<ExitCode> {
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
