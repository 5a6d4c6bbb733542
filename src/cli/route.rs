//! `onehour route`: the fastest route between two places, leg by leg.

use anyhow::Result;
use std::process::ExitCode;

use crate::analysis;
use crate::analysis::timed_route::{timed_route, TimedRoute};
use crate::analysis::window::{self, WindowOptions};
use crate::analysis::Timing;
use crate::cli::error::UserError;
use crate::cli::opts::{NetOpts, OutOpts, TimeOpts};
use crate::cli::output::emit;
use crate::cli::output::{self, Format};
use crate::cli::session::Session;
use crate::cli::session::{origins, places};
use crate::network::ids::format_clock;
use crate::network::ids::PlaceIdx;

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
        return timetabled(&s, &from, &to, scenario.as_deref(), o, &out);
    }
    let p = s.prepared(scenario.as_deref())?;
    let (a, b) = (origins(&p.net, &[from])?[0], places(&p.net, &[to])?[0]);
    let r = analysis::route(&p, a, b, s.bound_s(&p)).ok_or_else(|| {
        UserError(format!(
            "{} is not reachable from {} within {} minutes",
            p.net.place(b).name,
            p.net.place(a).name,
            s.bound_s(&p) / 60
        ))
    })?;
    let text = match out.format {
        Format::Json => crate::analysis::json::route_json(&r),
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
    o: WindowOptions,
    out: &OutOpts,
) -> Result<ExitCode> {
    let req = TimedRequest::new(s, from, to, scenario, o)?;
    let t = window::compile(&req.net)?;
    let route = timed_route(&req.net, &t, req.from, req.to, &req.o).map_err(window::as_problems)?;
    let Some(route) = route else {
        return Err(UserError(format!(
            "{} is not reachable from {} within {} minutes of {} on {}",
            req.net.place(req.to).name,
            req.net.place(req.from).name,
            req.o.bound / 60,
            format_clock(req.o.from),
            req.o.date
        ))
        .into());
    };
    emit(&out.out, &render_timed(&req, &route, out.format)?)?;
    Ok(ExitCode::SUCCESS)
}

/// What `route --depart` asks: the network of the scenario on the date, the two places and
/// the departure.
struct TimedRequest<'a> {
    /// The network as of the date, with the scenario applied.
    net: crate::network::model::Network,
    /// The scenario's name (`None`: today).
    scenario: Option<&'a str>,
    /// Where the route starts.
    from: PlaceIdx,
    /// Where it ends.
    to: PlaceIdx,
    /// The date, the departure (`from`, equal to `to`) and the search bound.
    o: WindowOptions,
}

impl<'a> TimedRequest<'a> {
    /// Checks that `o` is one departure, applies the scenario and finds the two places by id
    /// or name.
    fn new(
        s: &Session,
        from: &str,
        to: &str,
        scenario: Option<&'a str>,
        o: WindowOptions,
    ) -> Result<Self> {
        if o.from != o.to {
            return Err(UserError(
                "route --depart takes one departure time (HH:MM), not a window".into(),
            )
            .into());
        }
        let net = s.network(scenario)?;
        let (from, to) = (
            origins(&net, &[from.to_string()])?[0],
            places(&net, &[to.to_string()])?[0],
        );
        Ok(TimedRequest {
            net,
            scenario,
            from,
            to,
            o,
        })
    }
}

/// A timetabled route as a table (a heading line, then one line per leg) or as JSON.
fn render_timed(req: &TimedRequest, route: &TimedRoute, format: Format) -> Result<String> {
    let (na, nb) = (req.net.place(req.from), req.net.place(req.to));
    let scenario = req.scenario.unwrap_or("today");
    let o = &req.o;
    let total = (route.arrive - route.depart) as f64 / 60.0;
    Ok(match format {
        Format::Json => crate::analysis::json::timed_route_json(
            &req.net,
            &crate::analysis::json::TimedRouteMeta {
                from: req.from,
                to: req.to,
                scenario,
                opts: o,
            },
            route,
        ),
        _ => {
            let lines: Vec<String> = route
                .legs
                .iter()
                .map(|l| {
                    format!(
                        "{}–{}  {:>5.1} min  {:<7} {} → {}{}",
                        format_clock(l.depart),
                        format_clock(l.arrive),
                        (l.arrive - l.depart) as f64 / 60.0,
                        l.kind.as_str(),
                        l.from,
                        l.to,
                        if l.service.is_empty() {
                            String::new()
                        } else {
                            format!("  [{}]", l.service)
                        }
                    )
                })
                .collect();
            format!(
                "{} → {} (timetables, {}, {}), leaving {} on {}: arrive {}, {:.1} min\n{}\n",
                na.name,
                nb.name,
                scenario,
                "transit",
                format_clock(route.depart),
                o.date,
                format_clock(route.arrive),
                total,
                lines.join("\n")
            )
        }
    })
}
