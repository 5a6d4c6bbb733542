//! `onehour check` and `onehour matrix` (centre matrices with verdicts, by either indicator,
//! with the sensitivity report), and the main job.

use anyhow::Result;
use std::process::ExitCode;

use crate::analysis;
use crate::analysis::Indicator;
use crate::analysis::{window, Timing};
use crate::cli::compare::compare_table;
use crate::cli::error::UserError;
use crate::cli::opts::ProfileArg;
use crate::cli::opts::{NetOpts, OutOpts, TimeOpts};
use crate::cli::output::emit;
use crate::cli::output::{self, Format};
use crate::cli::session::Session;
use crate::cli::session::DEFAULT_PERCENTILES;
use crate::cli::session::{origins, places};
use crate::cli::timed::{timed_matrix, Timed};
use crate::graph::{Prepared, Profile};
use crate::network::model::Network;

/// `matrix`: door-to-door times between named places.
pub fn matrix_cmd(
    net: &NetOpts,
    scenario: Option<String>,
    places_from_to: Option<(&[String], &[String])>,
    time: &TimeOpts,
    out: &OutOpts,
) -> Result<ExitCode> {
    let s = Session::open(net)?;
    let timing = s.timing(time)?;
    let n = s.network(scenario.as_deref())?;
    let (rows, cols) = match places_from_to {
        None => (n.centres(), n.centres()),
        Some((from, to)) => (origins(&n, from)?, places(&n, to)?),
    };
    let scenario = scenario.as_deref().unwrap_or("today");
    let text = match &timing {
        Timing::Static => {
            let p = Prepared::new(n, s.opts.profile());
            let m = analysis::time_matrix(&p, &rows, &cols, s.bound_s(&p));
            render_matrix(
                &s,
                &p.net,
                &m,
                scenario,
                Indicator::Door,
                None,
                None,
                out.format,
            )
        }
        Timing::Timetable(o) => {
            let t = window::compile(&n)?;
            let timed = timed_matrix(&n, &t, &rows, &cols, o, &percentiles(time))?;
            let m = timed.medians();
            render_matrix(
                &s,
                &n,
                &m,
                scenario,
                Indicator::Door,
                None,
                Some(&timed),
                out.format,
            )
        }
    };
    emit(&out.out, &text)?;
    Ok(ExitCode::SUCCESS)
}

/// The percentiles asked for, or the default ones.
pub fn percentiles(time: &TimeOpts) -> Vec<f64> {
    time.percentiles
        .as_ref()
        .map(|p| p.0.clone())
        .unwrap_or_else(|| DEFAULT_PERCENTILES.to_vec())
}

/// `check`: the centre matrix with verdicts, by either indicator, optionally with the
/// sensitivity of the verdicts to the estimated minutes.
pub fn check_cmd(
    net: &NetOpts,
    scenario: Option<String>,
    indicator: Indicator,
    sensitivity: bool,
    time: &TimeOpts,
    out: &OutOpts,
) -> Result<ExitCode> {
    let s = Session::open(net)?;
    let timing = s.timing(time)?;
    if timing != Timing::Static && indicator == Indicator::Station {
        return Err(UserError(
            "--indicator station counts the static model's first wait between main stations; with --depart use the door-to-door indicator".into(),
        )
        .into());
    }
    let n = s.network(scenario.as_deref())?;
    let name = scenario.as_deref().unwrap_or("today");
    let pct = percentiles(time);
    let (m, via, net_used, timed) = centre_matrix(&s, n, indicator, &timing, &pct)?;
    let mut text = render_matrix(
        &s,
        &net_used,
        &m,
        name,
        indicator,
        via.as_deref(),
        timed.as_ref(),
        out.format,
    );
    if out.format == Format::Table {
        text.push('\n');
        text.push_str(&verdict(
            &net_used,
            &m,
            s.opts.limit,
            indicator,
            timed.as_ref(),
        ));
    }
    if sensitivity {
        let n = s.network(scenario.as_deref())?;
        let sens = sensitivity_runs(&s, &n, indicator, &timing)?;
        match out.format {
            Format::Json => {
                // One JSON document: the matrix with a "sensitivity" member.
                let mut v: serde_json::Value = serde_json::from_str(&text)?;
                v["sensitivity"] = sensitivity_json(&sens, s.opts.limit);
                text = serde_json::to_string_pretty(&v)? + "\n";
            }
            Format::Csv => text = sensitivity_csv(&sens, s.opts.limit),
            Format::Table => {
                text.push('\n');
                text.push_str(&sensitivity_table(&sens, s.opts.limit));
            }
        }
    }
    emit(&out.out, &text)?;
    Ok(ExitCode::SUCCESS)
}

/// The centre matrix of `net` by `indicator`, with the station pairs of the station indicator
/// and the network it was computed on (compiled for the indicator's profile).
#[allow(clippy::type_complexity)]
fn centre_matrix(
    s: &Session,
    n: Network,
    indicator: Indicator,
    timing: &Timing,
    pct: &[f64],
) -> Result<(
    analysis::TimeMatrix,
    Option<crate::analysis::StationPairs>,
    Network,
    Option<Timed>,
)> {
    match (indicator, timing) {
        (Indicator::Door, Timing::Timetable(o)) => {
            let t = window::compile(&n)?;
            let c = n.centres();
            let timed = timed_matrix(&n, &t, &c, &c, o, pct)?;
            Ok((timed.medians(), None, n, Some(timed)))
        }
        (Indicator::Door, Timing::Static) => {
            let p = Prepared::new(n, s.opts.profile());
            let c = p.net.centres();
            let m = analysis::time_matrix(&p, &c, &c, s.bound_s(&p));
            Ok((m, None, p.net, None))
        }
        (Indicator::Station, _) => {
            if s.opts.profile() != Profile::Transit {
                return Err(UserError(
                    "--indicator station is a rail measure: drop --profile car".into(),
                )
                .into());
            }
            if n.main_stations.is_empty() {
                return Err(UserError(
                    "this network lists no main stations of its centres (centre_stations in network.toml; see docs/network-format.md)".into(),
                )
                .into());
            }
            let p = Prepared::new(n, Profile::Station);
            let c = p.net.centres();
            let sm = analysis::station_matrix(&p, &c, s.bound_s(&p));
            Ok((sm.matrix, Some(sm.via), p.net, None))
        }
    }
}

/// The JSON header of a matrix of this session: scenario, profile (the station indicator is
/// always `transit`), indicator, day, year and limit.
fn matrix_meta<'a>(
    s: &'a Session,
    scenario: &'a str,
    indicator: Indicator,
    via: Option<&'a [crate::analysis::StationPairsRow]>,
) -> output::MatrixMeta<'a> {
    output::MatrixMeta {
        scenario,
        profile: if indicator == Indicator::Station {
            "transit"
        } else {
            s.opts.profile().as_str()
        },
        indicator: indicator.as_str(),
        date: s.day_label(),
        year: s.opts.year,
        limit_min: s.opts.limit,
        via,
    }
}

#[allow(clippy::too_many_arguments)]
fn render_matrix(
    s: &Session,
    net: &Network,
    m: &analysis::TimeMatrix,
    scenario: &str,
    indicator: Indicator,
    via: Option<&[crate::analysis::StationPairsRow]>,
    timed: Option<&Timed>,
    f: Format,
) -> String {
    let limit = s.opts.limit;
    if let Some(t) = timed {
        match f {
            Format::Json => {
                let meta = matrix_meta(s, scenario, indicator, via);
                return crate::analysis::json::timed_matrix_json(net, m, &meta, t);
            }
            Format::Csv => return t.csv(net, limit),
            Format::Table => {
                let mut text = format!(
                    "{} — door-to-door minutes, {}, scenario {scenario}; (share of departures within {limit} min), ✓ median within {limit} min\n",
                    net.title,
                    t.describe()
                );
                text.push_str(&output::matrix_table_share(
                    net,
                    m,
                    limit,
                    Some(&t.shares(limit)),
                ));
                return text;
            }
        }
    }
    let profile = if indicator == Indicator::Station {
        "transit"
    } else {
        s.opts.profile().as_str()
    };
    match f {
        Format::Json => output::matrix_json(net, m, &matrix_meta(s, scenario, indicator, via)),
        Format::Csv => output::matrix_csv(net, m, limit),
        Format::Table => {
            let what = match indicator {
                Indicator::Door => format!("door-to-door minutes, {profile} profile"),
                Indicator::Station => {
                    "station-to-station rail minutes between the centres' main stations (first wait, rides, transfers; no access)".to_string()
                }
            };
            let mut t = format!(
                "{} — {what}, scenario {scenario}{}; ✓ within {limit} min\n",
                net.title,
                s.day_label()
                    .map(|d| format!(", network as of {d}"))
                    .unwrap_or_default(),
            );
            t.push_str(&output::matrix_table(net, m, limit));
            t
        }
    }
}

/// Summary of the one-hour target among the area's centres, and the pairs that fail it.
fn verdict(
    net: &Network,
    m: &analysis::TimeMatrix,
    limit_min: f64,
    indicator: Indicator,
    timed: Option<&Timed>,
) -> String {
    let shares = timed.map(|t| t.shares(limit_min));
    let mut fail = Vec::new();
    let mut total = 0;
    for (i, &a) in m.rows.iter().enumerate() {
        for (j, &b) in m.cols.iter().enumerate() {
            if a == b || !net.place(a).in_area || !net.place(b).in_area {
                continue;
            }
            total += 1;
            match m.minutes(i, j) {
                Some(x) if x <= limit_min => {}
                x => fail.push(format!(
                    "  ✗ {} → {}: {} min{}",
                    output::short(&net.place(a).name),
                    output::short(&net.place(b).name),
                    output::fmt_min(x),
                    shares
                        .as_ref()
                        .map(|sh| format!(
                            " (median; {:.0}% of departures within {limit_min})",
                            sh[i][j] * 100.0
                        ))
                        .unwrap_or_default()
                )),
            }
        }
    }
    let how = match (indicator, timed) {
        (Indicator::Door, Some(_)) => "door to door, median over the departures",
        (Indicator::Door, None) => "door to door",
        (Indicator::Station, _) => "station to station",
    };
    let mut out = format!(
        "Plan target 各中心城区之间1小时通达 ({how}): {} of {} ordered pairs of the area's centres within {} min\n",
        total - fail.len(),
        total,
        limit_min
    );
    for f in fail {
        out.push_str(&f);
        out.push('\n');
    }
    out
}

/// The centre matrices with every estimated minute scaled by 0.5, 1 and 1.5.
struct Sensitivity {
    centres: Vec<(String, bool)>,
    factors: [f64; 3],
    minutes: [analysis::TimeMatrix; 3],
    estimated: analysis::Estimated,
}

const SENSITIVITY_FACTORS: [f64; 3] = [0.5, 1.0, 1.5];

fn sensitivity_runs(
    s: &Session,
    n: &Network,
    indicator: Indicator,
    timing: &Timing,
) -> Result<Sensitivity> {
    let mut ms = Vec::new();
    let mut estimated = analysis::Estimated::default();
    for f in SENSITIVITY_FACTORS {
        let (scaled, e) = analysis::scale_estimates(n, f);
        estimated = e;
        ms.push(centre_matrix(s, scaled, indicator, timing, &[50.0])?.0);
    }
    let centres = n
        .centres()
        .into_iter()
        .map(|c| (n.place(c).id.clone(), n.place(c).in_area))
        .collect();
    let minutes: [analysis::TimeMatrix; 3] = ms
        .try_into()
        .map_err(|_| anyhow::anyhow!("three sensitivity runs expected"))?;
    Ok(Sensitivity {
        centres,
        factors: SENSITIVITY_FACTORS,
        minutes,
        estimated,
    })
}

/// Ordered pairs of the area's centres whose verdict differs between the runs:
/// (from, to, minutes per run).
fn sensitivity_flips(x: &Sensitivity, limit: f64) -> Vec<(usize, usize, [Option<f64>; 3])> {
    let n = x.centres.len();
    let mut out = Vec::new();
    for i in 0..n {
        for j in 0..n {
            if i == j || !x.centres[i].1 || !x.centres[j].1 {
                continue;
            }
            let m = [0, 1, 2].map(|k| x.minutes[k].minutes(i, j));
            let ok = m.map(|v| v.is_some_and(|v| v <= limit));
            if ok[0] != ok[1] || ok[1] != ok[2] {
                out.push((i, j, m));
            }
        }
    }
    out
}

fn within_count(x: &Sensitivity, k: usize, limit: f64) -> (usize, usize) {
    let n = x.centres.len();
    let (mut yes, mut total) = (0, 0);
    for i in 0..n {
        for j in 0..n {
            if i != j && x.centres[i].1 && x.centres[j].1 {
                total += 1;
                if x.minutes[k].minutes(i, j).is_some_and(|v| v <= limit) {
                    yes += 1;
                }
            }
        }
    }
    (yes, total)
}

fn sensitivity_table(x: &Sensitivity, limit: f64) -> String {
    let mut t = format!(
        "Sensitivity to the estimated minutes ({} station interchange times, {} links marked as estimates, zone access legs) scaled ×{} / ×{} / ×{}:\n",
        x.estimated.interchange, x.estimated.links, x.factors[0], x.factors[1], x.factors[2]
    );
    for k in 0..3 {
        let (yes, total) = within_count(x, k, limit);
        t.push_str(&format!(
            "  ×{}: {yes} of {total} ordered pairs of the area's centres within {limit} min\n",
            x.factors[k]
        ));
    }
    let flips = sensitivity_flips(x, limit);
    if flips.is_empty() {
        t.push_str("  no verdict changes within this range\n");
    } else {
        t.push_str("  verdicts that change (minutes at ×0.5 / ×1 / ×1.5):\n");
        for (i, j, m) in flips {
            let v = |o: Option<f64>| {
                let mark = if o.is_some_and(|v| v <= limit) {
                    "✓"
                } else {
                    "✗"
                };
                format!("{} {mark}", output::fmt_min(o))
            };
            t.push_str(&format!(
                "  {} → {}: {} / {} / {}\n",
                x.centres[i].0,
                x.centres[j].0,
                v(m[0]),
                v(m[1]),
                v(m[2])
            ));
        }
    }
    t
}

fn sensitivity_json(x: &Sensitivity, limit: f64) -> serde_json::Value {
    let mins = |k: usize| -> Vec<Vec<Option<f64>>> {
        let n = x.centres.len();
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| x.minutes[k].minutes(i, j).map(output::round1))
                    .collect()
            })
            .collect()
    };
    let within = [0, 1, 2].map(|k| within_count(x, k, limit).0);
    let changes: Vec<serde_json::Value> = sensitivity_flips(x, limit)
        .into_iter()
        .map(|(i, j, m)| {
            serde_json::json!({
                "from": x.centres[i].0,
                "to": x.centres[j].0,
                "minutes": m.map(|v| v.map(output::round1)),
            })
        })
        .collect();
    serde_json::json!({
        "factors": x.factors,
        "estimated": x.estimated,
        "minutes": [mins(0), mins(1), mins(2)],
        "pairs_within_limit": within,
        "verdict_changes": changes,
    })
}

fn sensitivity_csv(x: &Sensitivity, limit: f64) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "from",
        "to",
        "minutes_x0.5",
        "minutes_x1",
        "minutes_x1.5",
        "verdict_changes",
    ]);
    let flips: std::collections::HashSet<(usize, usize)> = sensitivity_flips(x, limit)
        .into_iter()
        .map(|(i, j, _)| (i, j))
        .collect();
    let f = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_default();
    let n = x.centres.len();
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let _ = w.write_record([
                x.centres[i].0.clone(),
                x.centres[j].0.clone(),
                f(x.minutes[0].minutes(i, j)),
                f(x.minutes[1].minutes(i, j)),
                f(x.minutes[2].minutes(i, j)),
                flips.contains(&(i, j)).to_string(),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The main job's departure window: a weekday morning peak.
pub const MAIN_WINDOW: (u32, u32) = (7 * 3600, 9 * 3600);

/// `onehour` without a command: today's centre matrix with verdicts over the weekday morning
/// window on the network's day (door to door, on timetables), the static model's count, the
/// station-to-station indicator if the network has main stations, then what plan-2030
/// changes if the library has it.
pub fn main_job() -> Result<ExitCode> {
    let opts = NetOpts {
        network: None,
        scenarios: None,
        year: None,
        date: None,
        profile: ProfileArg::Transit,
        limit: 60.0,
        threads: None,
        wait: None,
    };
    let s = Session::open(&opts)?;
    let time = TimeOpts {
        depart: Some(MAIN_WINDOW),
        ..TimeOpts::default()
    };
    let timing = s.timing(&time)?;
    let pct = percentiles(&time);
    let today = s.network(None)?;
    let (m, _, net, timed) = centre_matrix(&s, today.clone(), Indicator::Door, &timing, &pct)?;
    let mut text = render_matrix(
        &s,
        &net,
        &m,
        "today",
        Indicator::Door,
        None,
        timed.as_ref(),
        Format::Table,
    );
    text.push('\n');
    text.push_str(&verdict(&net, &m, 60.0, Indicator::Door, timed.as_ref()));
    let (ms, _, net_s, _) =
        centre_matrix(&s, today.clone(), Indicator::Door, &Timing::Static, &pct)?;
    let st = verdict(&net_s, &ms, 60.0, Indicator::Door, None);
    text.push_str(&format!(
        "Static model (expected waits of half the headway, capped; `onehour check` without --depart): {}\n",
        st.lines()
            .next()
            .and_then(|l| l.split("): ").nth(1))
            .unwrap_or("")
    ));
    if !today.main_stations.is_empty() {
        let (m, _, net, _) =
            centre_matrix(&s, today.clone(), Indicator::Station, &Timing::Static, &pct)?;
        text.push('\n');
        text.push_str(&render_matrix(
            &s,
            &net,
            &m,
            "today",
            Indicator::Station,
            None,
            None,
            Format::Table,
        ));
        text.push('\n');
        text.push_str(&verdict(&net, &m, 60.0, Indicator::Station, None));
    }
    if s.lib.as_ref().is_some_and(|l| l.get("plan-2030").is_some()) {
        let plan = s.network(Some("plan-2030"))?;
        let bound = s.base_bound_s();
        let surface = crate::cli::session::population_surface(&today)?;
        let surface = surface.as_ref();
        let rb =
            analysis::rank::reach_of(today.clone(), Profile::Transit, bound, &timing, surface)?;
        let ro = analysis::rank::reach_of(plan.clone(), Profile::Transit, bound, &timing, surface)?;
        let c = analysis::compare_reach(&today, &plan, &rb, &ro, s.limit_s(), bound);
        text.push('\n');
        text.push_str(&compare_table(&today, &c, "today", "plan-2030", 60.0));
        if !plan.main_stations.is_empty() {
            let (m, _, net, _) =
                centre_matrix(&s, plan.clone(), Indicator::Station, &Timing::Static, &pct)?;
            text.push('\n');
            text.push_str(
                &verdict(&net, &m, 60.0, Indicator::Station, None)
                    .replace("Plan target", "plan-2030:"),
            );
        }
    }
    emit(&None, &text)?;
    Ok(ExitCode::SUCCESS)
}
