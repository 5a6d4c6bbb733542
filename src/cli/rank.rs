//! `onehour rank`: the projects of a horizon ranked by benefit.

use anyhow::Result;
use std::process::ExitCode;

use crate::analysis;
use crate::cli::args::{NetOpts, OutOpts, TimeOpts};
use crate::cli::output::Format;
use crate::cli::session::Session;
use crate::cli::{emit, progress};
use crate::network::ids::Seconds;

/// Runs `onehour rank`.
pub fn run(
    base: String,
    projects: String,
    net: NetOpts,
    time: TimeOpts,
    out: OutOpts,
) -> Result<ExitCode> {
    let s = Session::open(&net)?;
    let timing = s.timing(&time)?;
    let lib = s.library()?;
    let n = analysis::projects_of(lib, &projects)?.len();
    let pb = progress(2 * n as u64 + 1, "ranking projects");
    let base_net = s.base.clone();
    let bound = (base_net.settings.routing.bound_min * 60.0) as Seconds;
    let ranked = analysis::rank(
        &base_net,
        lib,
        &base,
        &projects,
        s.opts.profile(),
        s.limit_s(),
        bound.max(s.limit_s()),
        &timing,
        &|| pb.inc(1),
    )?;
    pb.finish_and_clear();
    let text = match out.format {
        Format::Json => serde_json::to_string_pretty(&ranked)? + "\n",
        Format::Csv => rank_csv(&ranked),
        Format::Table => {
            let mut t = String::new();
            if let crate::analysis::Timing::Timetable(o) = &timing {
                t.push_str(&format!(
                    "Timetables: {}\n",
                    crate::cli::compare::window_text(o)
                ));
            }
            t + &rank_table(&ranked, &base, &projects, s.opts.limit)
        }
    };
    emit(&out.out, &text)?;
    Ok(ExitCode::SUCCESS)
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
