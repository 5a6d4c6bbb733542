//! Rendering results as tables, CSV and JSON, writing them to standard output or to files
//! atomically ([`emit`]), and the progress bar ([`progress`]).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

pub use crate::analysis::json::{
    json_place, matrix_csv, matrix_json, JsonMatrix, JsonPlace, MatrixMeta,
};
pub use crate::analysis::round::{round1, round6};
use crate::analysis::{Route, TimeMatrix};
use crate::cli::error::write_error;
use crate::network::model::Network;

/// Output formats of tabular results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for the terminal
    Table,
    /// Comma-separated values
    Csv,
    /// JSON, for programs
    Json,
}

/// Minutes rounded for display.
pub fn fmt_min(m: Option<f64>) -> String {
    match m {
        Some(x) => format!("{:.0}", x),
        None => "-".into(),
    }
}

/// Display width of a string in a terminal (CJK characters are two columns).
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 && !matches!(c, '✓' | '✗' | '→' | '—' | '–' | '·') {
                2
            } else {
                1
            }
        })
        .sum()
}

/// `s` padded with spaces on the right to `w` terminal columns.
pub fn pad(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

/// `s` padded with spaces on the left to `w` terminal columns.
pub fn lpad(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w {
        s.to_string()
    } else {
        format!("{}{s}", " ".repeat(w - n))
    }
}

/// A name without its parenthesised detail ("Guangzhou Yuexiu (People's Park)" → "Guangzhou
/// Yuexiu"), for table labels; the full names are in the JSON output.
pub fn short(name: &str) -> &str {
    name.split(['(', '（']).next().unwrap_or(name).trim_end()
}

/// A matrix with verdicts as a table: rows numbered, columns by number, each cell the minutes
/// and ✓ (within `limit_min`) or ✗.
pub fn matrix_table(net: &Network, m: &TimeMatrix, limit_min: f64) -> String {
    matrix_table_share(net, m, limit_min, None)
}

/// [`matrix_table`] with, in the timetable modes, each cell's share of departures within the
/// limit: `64 (80%)✓`.
pub fn matrix_table_share(
    net: &Network,
    m: &TimeMatrix,
    limit_min: f64,
    share: Option<&[Vec<f64>]>,
) -> String {
    let cw = if share.is_some() { 11 } else { 6 };
    let mut out = String::new();
    let label = |p: crate::network::ids::PlaceIdx| {
        let pl = net.place(p);
        format!("{} {}", short(&pl.name), short(&pl.name_zh))
    };
    let lw = m.rows.iter().map(|&r| width(&label(r))).max().unwrap_or(4) + 5;
    out.push_str(&pad("", lw));
    for j in 0..m.cols.len() {
        out.push_str(&lpad(&format!("[{}]", j + 1), cw));
    }
    out.push('\n');
    for (i, &r) in m.rows.iter().enumerate() {
        let idx = m
            .cols
            .iter()
            .position(|&c| c == r)
            .map(|j| format!("[{}]", j + 1))
            .unwrap_or_default();
        out.push_str(&pad(&format!("{:>4} {}", idx, label(r)), lw));
        for j in 0..m.cols.len() {
            let pct = share
                .map(|sh| format!(" ({:.0}%)", sh[i][j] * 100.0))
                .unwrap_or_default();
            let cell = if m.cols[j] == r {
                "·".to_string()
            } else {
                match m.minutes(i, j) {
                    Some(x) if x <= limit_min => format!("{:.0}{pct}✓", x),
                    Some(x) => format!("{:.0}{pct}✗", x),
                    None => format!("—{pct}✗"),
                }
            };
            out.push_str(&lpad(&cell, cw));
        }
        out.push('\n');
    }
    if m.cols != m.rows {
        out.push_str("columns: ");
        let cols: Vec<String> = m
            .cols
            .iter()
            .enumerate()
            .map(|(j, &c)| format!("[{}] {}", j + 1, label(c)))
            .collect();
        out.push_str(&cols.join(", "));
        out.push('\n');
    }
    out
}

/// A route as text: one line per leg (minutes, kind, from → to, service), then the total minutes.
pub fn route_table(r: &Route) -> String {
    let mut out = String::new();
    for l in &r.legs {
        let what = match (&l.service, l.kind) {
            (Some(s), _) => s.clone(),
            (None, _) => String::new(),
        };
        let kind = serde_json::to_value(l.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>6.1} min  {:<8} {} → {}{}\n",
            l.minutes,
            kind,
            l.from,
            l.to,
            if what.is_empty() {
                String::new()
            } else {
                format!("  [{what}]")
            }
        ));
    }
    out.push_str(&format!("{:>6.1} min  total\n", r.total_minutes));
    out
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
