//! `onehour export`: the network as GeoJSON, or its compiled graph as DIMACS.

use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::{emit, NetOpts, Session};
use crate::geo::isochrone::{self};
use crate::geo::network_geojson;
use crate::graph::Prepared;
use crate::io::dimacs;

/// Export formats of the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// RFC 7946 GeoJSON: places as points, services, roads and links as lines
    Geojson,
    /// The compiled graph of the chosen profile as a 9th DIMACS challenge `.gr` file (1-based
    /// node ids, weights in seconds), for other shortest-path tools
    Dimacs,
}

/// Flags of `onehour export`.
#[derive(Args, Debug, Clone)]
pub struct ExportArgs {
    /// Network, date, profile and routing options.
    #[command(flatten)]
    pub net: NetOpts,
    /// Scenario to apply first
    #[arg(long)]
    pub scenario: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ExportFormat::Geojson)]
    pub format: ExportFormat,
    /// Write to this file (atomically) instead of standard output
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

/// `onehour export`.
pub fn run(a: ExportArgs) -> Result<ExitCode> {
    let s = Session::open(&a.net)?;
    let net = s.network(a.scenario.as_deref())?;
    let text = match a.format {
        ExportFormat::Geojson => {
            isochrone::to_geojson_text(&network_geojson::network_features(&net))
        }
        ExportFormat::Dimacs => export_dimacs(
            &crate::graph::Prepared::new(net, s.opts.profile()),
            a.scenario.as_deref().unwrap_or("today"),
        )?,
    };
    emit(&a.out, &text)?;
    Ok(ExitCode::SUCCESS)
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
