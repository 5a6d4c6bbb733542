//! `onehour serve`: the local web app (the server is `crate::serve`).

use anyhow::Result;
use clap::Args;
use std::io::Write;
use std::process::ExitCode;

use crate::cli::error::UserError;
use crate::cli::opts::NetOpts;

/// Flags of `onehour serve`.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Network, date, profile and routing options.
    #[command(flatten)]
    pub net: NetOpts,
    /// The address to listen on: 127.0.0.1 (this machine only) unless you mean to share it
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port (0: any free port; the URL is printed)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
}

/// Runs `onehour serve`: opens the model, binds, prints the URL and serves until stopped.
pub fn run(a: ServeArgs) -> Result<ExitCode> {
    if let Some(t) = a.net.threads {
        // The searches of every request run on the global pool.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build_global();
    }
    let model = crate::api::Model::open(&crate::api::Options {
        network: a.net.network.clone(),
        scenarios: a.net.scenarios.clone(),
        date: a.net.date,
        year: a.net.year,
        profile: a.net.profile(),
        limit_min: a.net.limit,
        wait: a.net.wait.map(Into::into),
    })
    .map_err(|e| match e {
        crate::api::Error::Data(_) | crate::api::Error::BadRequest(_) => {
            anyhow::Error::from(UserError(e.message()))
        }
        e => anyhow::anyhow!(e.message()),
    })?;
    for w in model.warnings() {
        eprintln!("{w}");
    }
    let server = crate::serve::Server::bind(model, &a.host, a.port).map_err(|e| {
        UserError(format!(
            "cannot listen on {}:{}: {e} (choose another --port, or --port 0 for any free one)",
            a.host, a.port
        ))
    })?;
    let addr = server.local_addr()?;
    let host = if addr.is_ipv6() {
        format!("[{}]", addr.ip())
    } else {
        addr.ip().to_string()
    };
    let mut so = std::io::stdout().lock();
    writeln!(
        so,
        "onehour serve: http://{host}:{}/ (Ctrl-C stops; nothing is written to disk)",
        addr.port()
    )?;
    so.flush()?;
    drop(so);
    server.run()?;
    Ok(ExitCode::SUCCESS)
}
