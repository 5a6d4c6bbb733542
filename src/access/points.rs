//! Door-to-door times between arbitrary points over a departure window (`matrix --points`,
//! and [`crate::api::Model::points_matrix`] for the server and bindings): the points reach
//! stops by [`super::links`], [`super::propagate`] runs RAPTOR from each origin, and the
//! result is written in the JSON shape of the place matrices (`places`, `to_places`, `minutes`
//! as medians, `within_limit`, `percentiles`, `share_within_limit`, `window`), as CSV rows or
//! as a summary table.

use rayon::prelude::*;
use serde_json::json;

use super::links::{point_links_with, NetworkLinks, Point};
use super::propagate::{for_each_origin, OriginTimes, PropagationOptions};
use crate::analysis::round::{round1, round6};
use crate::analysis::timed::{pairs_csv, pct_key, weekday, window_json, PairRow};
use crate::analysis::window::{self, WindowOptions};
use crate::graph::streets::Streets;
use crate::graph::timetabled::{idle_on, Timetabled};
use crate::network::ids::format_clock;
use crate::network::ids::{seconds_to_minutes, Seconds, UNREACHED};
use crate::network::model::Network;
use crate::network::problem::Problems;

/// Times between points: every row with its percentiles and shares.
pub struct PointsMatrix {
    /// Origins.
    pub rows: Vec<Point>,
    /// Destinations.
    pub cols: Vec<Point>,
    /// The window.
    pub opts: WindowOptions,
    /// Percentiles asked for (the median is always computed, first).
    pub percentiles: Vec<f64>,
    /// One result per origin: `pct[0]` the median, then the asked percentiles.
    pub times: Vec<OriginTimes>,
    /// How points reach stops.
    pub links_model: String,
    /// Services on the default band (estimated departures).
    pub default_band: Vec<String>,
    /// Whether some trips run by inexact headways (else one draw is searched).
    pub needs_draws: bool,
    /// Services with trips or bands none of which runs on the date.
    pub idle: Vec<String>,
}

/// A points matrix and what snapping its points did (along streets only), for the user.
pub struct PointsOutcome {
    /// The matrix.
    pub matrix: PointsMatrix,
    /// Points and stops that did not snap, or snapped far (`None` without streets).
    pub snap_report: Option<String>,
}

/// The matrix from `rows` to `cols` over the window of `o` (median first, then `pct`), on
/// `net` compiled as `t` with its `streets` (read beforehand with
/// [`Streets::from_network`]; `None`: the straight-line model); `on_origin` is called as each
/// origin is done (a progress bar).
#[allow(clippy::too_many_arguments)]
pub fn points_matrix_on(
    net: &Network,
    t: &Timetabled,
    streets: Option<&Streets>,
    rows: Vec<Point>,
    cols: Vec<Point>,
    o: &WindowOptions,
    pct: &[f64],
    limit: Seconds,
    on_origin: impl Fn() + Sync,
) -> Result<PointsOutcome, Problems> {
    let nl = point_links_with(net, t, streets, &rows, &cols);
    points_matrix_with_links(net, t, &nl, rows, cols, o, pct, limit, on_origin)
}

/// [`points_matrix_on`] with the point legs made beforehand (by
/// [`crate::access::links::point_links_with`] for these `rows` and `cols`).
#[allow(clippy::too_many_arguments)]
pub fn points_matrix_with_links(
    net: &Network,
    t: &Timetabled,
    nl: &NetworkLinks,
    rows: Vec<Point>,
    cols: Vec<Point>,
    o: &WindowOptions,
    pct: &[f64],
    limit: Seconds,
    on_origin: impl Fn() + Sync,
) -> Result<PointsOutcome, Problems> {
    let (links, links_model) = (&nl.links, nl.model.clone());
    let mut all = vec![50.0];
    all.extend_from_slice(pct);
    let po = PropagationOptions {
        window: o.clone(),
        percentiles: all,
        limit: Some(limit),
    };
    let times = for_each_origin(t, links, &po, |_, r| {
        on_origin();
        r.clone()
    })
    .map_err(window::as_problems)?;
    Ok(PointsOutcome {
        matrix: PointsMatrix {
            rows,
            cols,
            opts: o.clone(),
            percentiles: pct.to_vec(),
            times,
            links_model,
            default_band: t.default_band.clone(),
            needs_draws: crate::engine::raptor::needs_draws(&t.tt),
            idle: idle_on(net, o.date),
        },
        snap_report: nl.snap_report.clone(),
    })
}

/// Travel times only, one percentile: what an array wants (a notebook's grid), without the
/// percentiles, shares and JSON of [`PointsMatrix`].
#[derive(Clone, Debug, PartialEq)]
pub struct PointsTimes {
    /// Number of origins (rows).
    pub rows: usize,
    /// Number of destinations (columns).
    pub cols: usize,
    /// Row-major seconds, `rows * cols`: the percentile over the window (nearest rank,
    /// unreached counting as longest) of the door-to-door seconds, `UNREACHED` where that
    /// share of departures does not arrive within the search bound.
    pub seconds: Vec<Seconds>,
    /// Points and stops that did not snap, or snapped far (`None` without streets).
    pub snap_report: Option<String>,
}

/// The `pct`-th percentile of the seconds from the origins to the destinations of `nl` (point
/// legs made by [`crate::access::links::point_links_with`]) over the window of `o`, on `t`:
/// the times [`points_matrix_with_links`] gives with the same percentile, to the second (its
/// JSON rounds them to 0.1 minute).
pub fn points_times_with_links(
    t: &Timetabled,
    nl: &NetworkLinks,
    o: &WindowOptions,
    pct: f64,
) -> Result<PointsTimes, Problems> {
    let po = PropagationOptions {
        window: o.clone(),
        percentiles: vec![pct],
        limit: None,
    };
    let per_row =
        for_each_origin(t, &nl.links, &po, |_, r| r.pct[0].clone()).map_err(window::as_problems)?;
    Ok(PointsTimes {
        rows: nl.links.origins(),
        cols: nl.links.destinations,
        seconds: per_row.concat(),
        snap_report: nl.snap_report.clone(),
    })
}

fn minutes(s: Seconds) -> Option<f64> {
    (s != UNREACHED).then(|| round1(seconds_to_minutes(s)))
}

/// `x` as `serde_json` writes an `f64` (`null` when not finite), appended to `out`.
fn push_f64(out: &mut String, x: f64) {
    let mut buf = std::io::Cursor::new([0u8; 40]);
    let ok = serde_json::to_writer(&mut buf, &x).is_ok();
    let n = buf.position() as usize;
    match std::str::from_utf8(&buf.get_ref()[..n]) {
        Ok(t) if ok => out.push_str(t),
        _ => out.push_str("null"),
    }
}

/// Minutes of a time (to 0.1, as [`minutes`]) as JSON text, each distinct time formatted once.
#[derive(Default)]
struct MinutesText {
    /// By seconds: the byte range of its text in `text`, if formatted.
    at: Vec<Option<(u32, u32)>>,
    text: String,
}

impl MinutesText {
    fn push(&mut self, out: &mut String, s: Seconds) {
        let Some(m) = minutes(s) else {
            out.push_str("null");
            return;
        };
        let i = s as usize;
        if i >= 1 << 20 {
            return push_f64(out, m);
        }
        if self.at.len() <= i {
            self.at.resize(i + 1, None);
        }
        let (a, b) = *self.at[i].get_or_insert_with(|| {
            let a = self.text.len() as u32;
            push_f64(&mut self.text, m);
            (a, self.text.len() as u32)
        });
        out.push_str(&self.text[a as usize..b as usize]);
    }
}

/// An array of rows as `serde_json`'s pretty printer lays it out, the line holding it indented
/// by `indent` spaces: `row(r, out, minutes)` writes one row's array. Blocks of rows are
/// written side by side (each with its own [`MinutesText`]) and joined in order.
fn pretty_rows<R: Sync>(
    out: &mut String,
    indent: usize,
    rows: &[R],
    row: impl Fn(&R, &mut String, &mut MinutesText) + Sync,
) {
    if rows.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push_str("[\n");
    let blocks: Vec<String> = rows
        .par_chunks(32)
        .map_init(MinutesText::default, |minutes, block| {
            let mut s = String::new();
            for (i, r) in block.iter().enumerate() {
                if i > 0 {
                    s.push_str(",\n");
                }
                push_indent(&mut s, indent + 2);
                row(r, &mut s, minutes);
            }
            s
        })
        .collect();
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(b);
    }
    out.push('\n');
    push_indent(out, indent);
    out.push(']');
}

/// One row of [`pretty_rows`]: its cells, one per line, indented by `indent + 4`.
fn for_cells<T>(
    out: &mut String,
    indent: usize,
    cells: &[T],
    mut cell: impl FnMut(&T, &mut String),
) {
    if cells.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push_str("[\n");
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        push_indent(out, indent + 4);
        cell(c, out);
    }
    out.push('\n');
    push_indent(out, indent + 2);
    out.push(']');
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

impl PointsMatrix {
    fn draws(&self) -> u32 {
        if self.needs_draws {
            self.opts.draws.max(1)
        } else {
            1
        }
    }

    /// JSON in the shape of the place matrices. The small fields go through `serde_json`;
    /// the matrices (rows × columns of minutes, flags, percentiles and shares) are written
    /// straight into the text in the same pretty layout, numbers as `serde_json` writes them
    /// (checked in the tests), without a `serde_json::Value` per pair.
    pub fn json(&self, net: &Network, scenario: &str, limit_min: f64) -> String {
        let pts = |v: &[Point]| -> Vec<serde_json::Value> {
            v.iter()
                .map(|p| json!({"id": p.id, "lon": round6(p.lon), "lat": round6(p.lat)}))
                .collect()
        };
        // Placeholders for the matrices, replaced below where they stand as the value of
        // their key.
        let mark = |i: usize| format!("\u{1}matrix{i}\u{1}");
        let mut pct = serde_json::Map::new();
        for (k, &p) in self.percentiles.iter().enumerate() {
            pct.insert(pct_key(p), json!(mark(3 + k)));
        }
        let o = &self.opts;
        let square = self.rows == self.cols;
        let mut j = json!({
            "network": net.name,
            "scenario": scenario,
            "profile": "transit",
            "indicator": "door",
            "date": o.date.to_string(),
            "limit_minutes": limit_min,
            "places": pts(&self.rows),
            "minutes": mark(0),
            "within_limit": mark(1),
            "percentiles": pct,
            "share_within_limit": mark(2),
            "window": window_json(o, o.departures(), o.draws, &self.default_band, &self.idle),
            "access": self.links_model,
        });
        if !square {
            j["to_places"] = json!(pts(&self.cols));
        }
        let text = serde_json::to_string_pretty(&j).unwrap_or_default();
        // The placeholders in the order the (sorted) keys put them, each found with its key so
        // that no id or name could pass for one.
        let mut order: Vec<(String, usize)> = vec![("minutes".into(), 0)];
        let mut keys: Vec<(String, usize)> = (self.percentiles.iter().enumerate())
            .map(|(k, &p)| (pct_key(p), 3 + k))
            .collect();
        keys.sort();
        order.extend(keys);
        order.push(("share_within_limit".into(), 2));
        order.push(("within_limit".into(), 1));
        let mut out = String::with_capacity(text.len() + self.times.len() * self.cols.len() * 40);
        let mut rest = text.as_str();
        for (key, which) in order {
            let head = format!("\"{key}\": ");
            let pattern = format!("{head}\"\\u0001matrix{which}\\u0001\"");
            let Some(at) = rest.find(&pattern) else {
                continue;
            };
            let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
            let indent = at - line_start;
            out.push_str(&rest[..at + head.len()]);
            rest = &rest[at + pattern.len()..];
            let rows = &self.times[..];
            match which {
                0 => pretty_rows(&mut out, indent, rows, |r, out, mt| {
                    for_cells(out, indent, &r.pct[0], |&s, out| mt.push(out, s))
                }),
                1 => pretty_rows(&mut out, indent, rows, |r, out, _| {
                    for_cells(out, indent, &r.pct[0], |&s, out| {
                        let within = minutes(s).is_some_and(|x| x <= limit_min);
                        out.push_str(if within { "true" } else { "false" });
                    })
                }),
                2 => pretty_rows(&mut out, indent, rows, |r, out, _| {
                    for_cells(out, indent, r.share.as_deref().unwrap_or(&[]), |&x, out| {
                        push_f64(out, (x as f64 * 1000.0).round() / 1000.0)
                    })
                }),
                k => pretty_rows(&mut out, indent, rows, |r, out, mt| {
                    for_cells(out, indent, &r.pct[k - 2], |&s, out| mt.push(out, s))
                }),
            }
        }
        out.push_str(rest);
        out.push('\n');
        out
    }

    /// CSV: `from,to,minutes,within_limit,share_within_limit,p5,...`, one row per pair.
    pub fn csv(&self, limit_min: f64) -> String {
        let f = |s: Seconds| minutes(s).map_or(String::new(), |m| format!("{m:.1}"));
        let rows = self.times.iter().enumerate().flat_map(|(i, r)| {
            self.cols.iter().enumerate().map(move |(j, c)| PairRow {
                from: self.rows[i].id.clone(),
                to: c.id.clone(),
                median: r.pct[0][j],
                within: minutes(r.pct[0][j]).is_some_and(|x| x <= limit_min),
                share: r.share.as_ref().map_or(0.0, |s| s[j]) as f64,
                percentiles: (0..self.percentiles.len())
                    .map(|k| r.pct[k + 1][j])
                    .collect(),
            })
        });
        pairs_csv(&self.percentiles, f, rows)
    }

    /// A summary for the terminal: what was computed, pairs reached and within the limit, and
    /// the median distribution.
    pub fn table(&self, limit_min: f64) -> String {
        let o = &self.opts;
        let pairs = self.rows.len() * self.cols.len();
        let mut reached: Vec<f64> = self
            .times
            .iter()
            .flat_map(|r| r.pct[0].iter().filter_map(|&s| minutes(s)))
            .collect();
        reached.sort_by(f64::total_cmp);
        let within = reached.iter().filter(|&&m| m <= limit_min).count();
        let q = |p: f64| {
            reached
                .get(((p * reached.len() as f64).ceil() as usize).saturating_sub(1))
                .map_or("-".to_string(), |m| format!("{m:.0}"))
        };
        format!(
            "{} origins × {} destinations, {} {} {}–{} every {} min, {} draw(s); access: {}\n\
             pairs reached (median within the bound): {} of {}; within {} min: {}\n\
             median minutes over reached pairs: p25 {}, p50 {}, p75 {}\n\
             (use --format csv or json for every pair)\n",
            self.rows.len(),
            self.cols.len(),
            o.date,
            weekday(o),
            format_clock(o.from),
            format_clock(o.to),
            o.step / 60,
            self.draws(),
            self.links_model,
            reached.len(),
            pairs,
            limit_min,
            within,
            q(0.25),
            q(0.5),
            q(0.75),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::model::Date;

    /// The JSON as it was written through `serde_json::Value` (the reference).
    fn json_by_value(m: &PointsMatrix, net: &Network, scenario: &str, limit_min: f64) -> String {
        let pts = |v: &[Point]| -> Vec<serde_json::Value> {
            v.iter()
                .map(|p| json!({"id": p.id, "lon": round6(p.lon), "lat": round6(p.lat)}))
                .collect()
        };
        let med: Vec<Vec<Option<f64>>> = m
            .times
            .iter()
            .map(|r| r.pct[0].iter().map(|&s| minutes(s)).collect())
            .collect();
        let within: Vec<Vec<bool>> = med
            .iter()
            .map(|r| {
                r.iter()
                    .map(|x| x.is_some_and(|x| x <= limit_min))
                    .collect()
            })
            .collect();
        let mut pct = serde_json::Map::new();
        for (k, &p) in m.percentiles.iter().enumerate() {
            let v: Vec<Vec<Option<f64>>> = m
                .times
                .iter()
                .map(|r| r.pct[k + 1].iter().map(|&s| minutes(s)).collect())
                .collect();
            pct.insert(pct_key(p), json!(v));
        }
        let share: Vec<Vec<f64>> = m
            .times
            .iter()
            .map(|r| {
                r.share
                    .as_deref()
                    .unwrap_or(&[])
                    .iter()
                    .map(|&x| (x as f64 * 1000.0).round() / 1000.0)
                    .collect()
            })
            .collect();
        let o = &m.opts;
        let mut j = json!({
            "network": net.name,
            "scenario": scenario,
            "profile": "transit",
            "indicator": "door",
            "date": o.date.to_string(),
            "limit_minutes": limit_min,
            "places": pts(&m.rows),
            "minutes": med,
            "within_limit": within,
            "percentiles": pct,
            "share_within_limit": share,
            "window": {
                "date": o.date.to_string(),
                "weekday": weekday(o),
                "from": format_clock(o.from),
                "to": format_clock(o.to),
                "step_minutes": o.step / 60,
                "departures": o.departures(),
                "draws": o.draws,
                "seed": o.seed,
                "minutes_are": "median over the samples (departures x draws)",
                "default_band_services": m.default_band,
                "services_not_running": m.idle,
            },
            "access": m.links_model,
        });
        if m.rows != m.cols {
            j["to_places"] = json!(pts(&m.cols));
        }
        serde_json::to_string_pretty(&j).unwrap_or_default() + "\n"
    }

    fn matrix(seed: u64, rows: usize, cols: usize, pct: &[f64], ids: &[&str]) -> PointsMatrix {
        let mut x = seed | 1;
        let mut rnd = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let point = |i: usize| Point {
            id: ids[i % ids.len()].to_string() + &i.to_string(),
            lon: -51.2 + i as f64 * 0.0013,
            lat: -30.0 - i as f64 * 0.0007,
        };
        let row_points: Vec<Point> = (0..rows).map(point).collect();
        let col_points: Vec<Point> = if rows == cols {
            row_points.clone()
        } else {
            (0..cols).map(|i| point(i + 1000)).collect()
        };
        let mut times = Vec::new();
        for _ in 0..rows {
            let mut pcts = Vec::new();
            for _ in 0..=pct.len() {
                let mut v = Vec::new();
                for _ in 0..cols {
                    v.push(match rnd(10) {
                        0 => UNREACHED,
                        1 => rnd(200) as Seconds,
                        _ => rnd(20_000) as Seconds,
                    });
                }
                pcts.push(v);
            }
            let mut share = Vec::new();
            for _ in 0..cols {
                share.push((rnd(1001) as f32 / 1000.0) * (rnd(3) as f32) / 2.0);
            }
            times.push(OriginTimes {
                pct: pcts,
                share: Some(share),
            });
        }
        PointsMatrix {
            rows: row_points,
            cols: col_points,
            opts: WindowOptions {
                date: Date::parse_full("2019-05-13").unwrap(),
                from: 14 * 3600,
                to: 14 * 3600 + 600,
                step: 60,
                draws: 10,
                seed: 1,
                bound: 9000,
                max_trips: 8,
            },
            percentiles: pct.to_vec(),
            times,
            links_model: "along \"streets\" \u{1}matrix0\u{1}".into(),
            default_band: vec![],
            needs_draws: false,
            idle: vec!["x".into()],
        }
    }

    #[test]
    fn json_equals_serde_json_values() {
        let net = Network {
            name: "n \"q\"".into(),
            ..Network::default()
        };
        // Ids that look like the placeholders must not be taken for them.
        let ids = ["a", "\u{1}matrix0\u{1}", "\"minutes\": x", "é"];
        for (seed, rows, cols, pct) in [
            (1u64, 7usize, 7usize, vec![5.0, 25.0, 75.0, 95.0]),
            (2, 3, 9, vec![]),
            (3, 1, 1, vec![50.0, 12.5]),
            (4, 0, 0, vec![5.0]),
            (5, 4, 0, vec![5.0]),
            (6, 40, 40, vec![5.0, 25.0, 50.0, 75.0, 95.0]),
            // Rows are written in blocks of 32, side by side: three blocks, the last short.
            (7, 65, 3, vec![50.0]),
        ] {
            let m = matrix(seed, rows, cols, &pct, &ids);
            for limit in [60.0, 45.5] {
                assert_eq!(
                    m.json(&net, "today", limit),
                    json_by_value(&m, &net, "today", limit),
                    "seed {seed}"
                );
            }
        }
    }

    #[test]
    fn numbers_as_serde_json_writes_them() {
        let mut t = MinutesText::default();
        for s in (0..30_000).chain([UNREACHED - 1, 1 << 20, (1 << 20) + 7]) {
            let (mut a, mut b) = (String::new(), String::new());
            t.push(&mut a, s);
            t.push(&mut a, s); // formatted once, then reused
            b.push_str(&serde_json::to_string(&minutes(s)).unwrap().repeat(2));
            assert_eq!(a, b, "{s}");
        }
        let mut a = String::new();
        t.push(&mut a, UNREACHED);
        assert_eq!(a, "null");
        for x in [0.0, 0.5, 0.123, 1.0, 1e-7, 123456.789, f64::NAN] {
            let mut a = String::new();
            push_f64(&mut a, x);
            assert_eq!(a, serde_json::to_string(&x).unwrap(), "{x}");
        }
    }
}
