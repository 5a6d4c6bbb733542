//! `onehour map`: the network and one origin's isochrone bands, one panel per scenario, as SVG.

use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::error::UserError;
use crate::cli::isochrones::{batch, scenario_list, warn_coarse, IsoOpts};
use crate::cli::opts::NetOpts;
use crate::cli::output::emit;
use crate::cli::session::Session;
use crate::geo::isochrone::Projection;
use crate::geo::map;

/// Flags of `onehour map`.
#[derive(Args, Debug, Clone)]
pub struct MapArgs {
    /// Network, date, profile and routing options.
    #[command(flatten)]
    pub net: NetOpts,
    /// Scenarios, one panel each, repeated or comma-separated (default: today's network)
    #[arg(long, value_delimiter = ',')]
    pub scenario: Vec<String>,
    /// Origin of the isochrone bands (id or name; default: the first centre)
    #[arg(long)]
    pub origin: Option<String>,
    /// Thresholds, grid and access options.
    #[command(flatten)]
    pub iso: IsoOpts,
    /// Width of one panel, pixels (100 to 4000)
    #[arg(long, default_value_t = 640, value_parser = clap::value_parser!(u32).range(100..=4000))]
    pub width: u32,
    /// SVG file to write
    #[arg(long, value_name = "PATH", required = true)]
    pub out: PathBuf,
}

/// `onehour map`.
pub fn run(a: MapArgs) -> Result<ExitCode> {
    let params = a.iso.params()?;
    let s = Session::open(&a.net)?;
    let scenarios = scenario_list(&s, &a.scenario);
    let origin = match &a.origin {
        Some(o) => o.clone(),
        None => s
            .base
            .centres()
            .first()
            .map(|&c| s.base.place(c).id.clone())
            .ok_or_else(|| UserError("the network has no centre: give --origin".into()))?,
    };
    warn_coarse(&s, &params);
    let (isos, _) = batch(
        &s,
        &scenarios,
        std::slice::from_ref(&origin),
        &params,
        &crate::analysis::Timing::Static,
        None,
    )?;
    let nets: Vec<_> = scenarios
        .iter()
        .map(|(_, sc)| s.network(sc.as_deref()))
        .collect::<Result<_>>()?;
    let panels: Vec<map::Panel> = nets
        .iter()
        .zip(&isos)
        .map(|(net, iso)| map::Panel {
            title: iso.scenario.clone(),
            net,
            iso: Some(iso),
        })
        .collect();
    let svg = map::render(
        &panels,
        &Projection::for_network(&s.base),
        a.width as f64,
        a.net.profile(),
    );
    emit(&Some(a.out.clone()), &svg)?;
    let from = isos
        .first()
        .map(|i| format!("{} ({})", i.origin_name, i.origin))
        .unwrap_or(origin);
    eprintln!(
        "wrote {} ({} panels, origin {from})",
        a.out.display(),
        panels.len()
    );
    Ok(ExitCode::SUCCESS)
}
