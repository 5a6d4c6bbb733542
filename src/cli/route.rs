//! `onehour route`: the fastest route between two places, leg by leg.

use anyhow::Result;
use std::process::ExitCode;

use crate::analysis;
use crate::analysis::window::{self, WindowOptions};
use crate::analysis::Timing;
use crate::cli::args::{NetOpts, OutOpts, TimeOpts};
use crate::cli::output::{self, Format};
use crate::cli::session::Session;
use crate::cli::{emit, places, UserError};
use crate::engine::raptor::Leg;
use crate::network::load::format_clock;

/// Runs `onehour route FROM TO`.
pub fn run(
    from: String,
    to: String,
    net: NetOpts,
    scenario: Option<String>,
    time: TimeOpts,
    out: OutOpts,
) -> Result<ExitCode> {
    let s = Session::open(&net)?;
    if let Timing::Timetable(o) = s.timing(&time)? {
        if o.from != o.to {
            return Err(UserError(
                "route --depart takes one departure time (HH:MM), not a window".into(),
            )
            .into());
        }
        return timetabled(&s, &from, &to, scenario.as_deref(), &o, &out);
    }
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

/// `route --depart HH:MM`: the earliest arrival on the timetables, leg by leg with clock times.
fn timetabled(
    s: &Session,
    from: &str,
    to: &str,
    scenario: Option<&str>,
    o: &WindowOptions,
    out: &OutOpts,
) -> Result<ExitCode> {
    let n = s.network(scenario)?;
    let (a, b) = (
        places(&n, &[from.to_string()])?[0],
        places(&n, &[to.to_string()])?[0],
    );
    let t = window::compile(&n)?;
    let (journey, street) = window::journey(&t, a, b, o).map_err(window::as_problems)?;
    let by_transit = journey.as_ref().map(|j| j.arrive);
    let walk_arrive = (street != crate::network::ids::UNREACHED).then(|| o.from + street);
    let use_street = match (by_transit, walk_arrive) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(x), Some(y)) => y <= x,
    };
    let (na, nb) = (n.place(a), n.place(b));
    let name = |st: crate::network::timetable::StopIdx| {
        let p = n.place(t.place_of_stop[st.idx()]);
        format!("{} {}", p.name, p.name_zh)
    };
    let mut legs: Vec<serde_json::Value> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let mut push = |kind: &str, from: String, to: String, dep: u32, arr: u32, what: String| {
        lines.push(format!(
            "{}–{}  {:>5.1} min  {:<7} {} → {}{}",
            format_clock(dep),
            format_clock(arr),
            (arr - dep) as f64 / 60.0,
            kind,
            from,
            to,
            if what.is_empty() {
                String::new()
            } else {
                format!("  [{what}]")
            }
        ));
        legs.push(serde_json::json!({
            "kind": kind, "from": from, "to": to,
            "depart": format_clock(dep), "arrive": format_clock(arr),
            "minutes": ((arr - dep) as f64 / 6.0).round() / 10.0, "service": what,
        }));
    };
    let arrive = if use_street {
        let arr = walk_arrive.unwrap_or(o.from);
        push(
            "street",
            na.name.clone(),
            nb.name.clone(),
            o.from,
            arr,
            String::new(),
        );
        arr
    } else if let Some(j) = &journey {
        for leg in &j.legs {
            match *leg {
                Leg::Access { to, depart, arrive } => push(
                    "access",
                    na.name.clone(),
                    name(to),
                    depart,
                    arrive,
                    String::new(),
                ),
                Leg::Ride {
                    route,
                    trip,
                    from,
                    to,
                    depart,
                    arrive,
                    ..
                } => {
                    let r = t.tt.route(route);
                    let what = format!("{} {}, trip {}", r.long_name, r.agency, t.tt.trip(trip).id);
                    push("ride", name(from), name(to), depart, arrive, what)
                }
                Leg::Walk {
                    from,
                    to,
                    depart,
                    arrive,
                } => push("walk", name(from), name(to), depart, arrive, String::new()),
                Leg::Egress {
                    from,
                    depart,
                    arrive,
                } => push(
                    "egress",
                    name(from),
                    nb.name.clone(),
                    depart,
                    arrive,
                    String::new(),
                ),
            }
        }
        j.arrive
    } else {
        return Err(UserError(format!(
            "{} is not reachable from {} within {} minutes of {} on {}",
            nb.name,
            na.name,
            o.bound / 60,
            format_clock(o.from),
            o.date
        ))
        .into());
    };
    let total = (arrive - o.from) as f64 / 60.0;
    let text = match out.format {
        Format::Json => {
            serde_json::to_string_pretty(&serde_json::json!({
                "from": na.id, "to": nb.id,
                "scenario": scenario.unwrap_or("today"),
                "date": o.date.to_string(),
                "depart": format_clock(o.from),
                "arrive": format_clock(arrive),
                "minutes": (total * 10.0).round() / 10.0,
                "legs": legs,
            }))? + "\n"
        }
        _ => format!(
            "{} → {} (timetables, {}, {}), leaving {} on {}: arrive {}, {:.1} min\n{}\n",
            na.name,
            nb.name,
            scenario.unwrap_or("today"),
            "transit",
            format_clock(o.from),
            o.date,
            format_clock(arrive),
            total,
            lines.join("\n")
        ),
    };
    emit(&out.out, &text)?;
    Ok(ExitCode::SUCCESS)
}
