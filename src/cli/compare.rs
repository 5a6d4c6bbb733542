//! `onehour compare`: two scenarios side by side.

use anyhow::Result;
use std::process::ExitCode;

use crate::analysis;
use crate::analysis::Timing;
use crate::cli::opts::{NetOpts, OutOpts, TimeOpts};
use crate::cli::output::emit;
use crate::cli::output::{self, Format};
use crate::cli::session::{population_surface, window_text, Session};
use crate::network::model::Network;

/// Runs `onehour compare BASE OTHER`.
pub fn run(
    base: String,
    other: String,
    net: NetOpts,
    time: TimeOpts,
    out: OutOpts,
) -> Result<ExitCode> {
    let s = Session::open(&net)?;
    let timing = s.timing(&time)?;
    let (nb, no) = (s.network(Some(&base))?, s.network(Some(&other))?);
    let bound = s.base_bound_s();
    let profile = s.opts.profile();
    let surface = population_surface(&s.base)?;
    let surface = surface.as_ref();
    let rb = analysis::rank::reach_of(nb.clone(), profile, bound, &timing, surface)?;
    let ro = analysis::rank::reach_of(no.clone(), profile, bound, &timing, surface)?;
    let c = analysis::compare_reach(&nb, &no, &rb, &ro, s.limit_s(), bound);
    let text = match out.format {
        Format::Json => match &timing {
            Timing::Static => crate::analysis::json::compare_json(&c, None),
            Timing::Timetable(o) => crate::analysis::json::compare_json(&c, Some(o)),
        },
        Format::Csv => compare_csv(&c),
        Format::Table => {
            let mut t = String::new();
            if let Timing::Timetable(o) = &timing {
                t.push_str(&format!("Timetables: {}\n", window_text(o)));
            }
            t + &compare_table(&nb, &c, &base, &other, s.opts.limit)
        }
    };
    emit(&out.out, &text)?;
    Ok(ExitCode::SUCCESS)
}

/// A comparison as text: the change in door-to-door minutes centre by centre, the pairs that newly meet or miss `limit` (minutes), the largest gains and the population within reach.
pub fn compare_table(
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
    let people = match c.population_from {
        "surface" => "Population (census surface)",
        _ => "Zone population",
    };
    t.push_str(&format!(
        "{people} within {limit} min of each centre ({base} → {other}):\n"
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

pub use crate::analysis::json::window_json;
