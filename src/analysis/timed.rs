//! Matrices over a departure window in outputs: percentiles, the share of departures within
//! the limit, the window's description, for JSON, CSV and table headers (the CLI and the
//! library API share them).

use crate::analysis::matrix::TimeMatrix;
use crate::analysis::round::round1;
use crate::analysis::window::{self, WindowMatrix, WindowOptions};
use crate::graph::timetabled::Timetabled;
use crate::network::ids::format_clock;
use crate::network::ids::{seconds_to_minutes, PlaceIdx, Seconds, UNREACHED};
use crate::network::model::Network;

/// A matrix computed over a departure window.
pub struct Timed {
    /// The samples.
    pub wm: WindowMatrix,
    /// The window.
    pub opts: WindowOptions,
    /// Percentiles to report.
    pub percentiles: Vec<f64>,
    /// Services without trips or bands (run on the default band: estimated departures).
    pub default_band: Vec<String>,
    /// Services with trips or bands of which none runs on the date.
    pub idle: Vec<String>,
}

impl Timed {
    /// The medians as a [`TimeMatrix`] (what verdicts and tables use).
    pub fn medians(&self) -> TimeMatrix {
        TimeMatrix {
            rows: self.wm.rows.clone(),
            cols: self.wm.cols.clone(),
            secs: self.wm.percentile_matrix(50.0),
        }
    }

    /// The share of samples within `limit_min`, cell by cell.
    pub fn shares(&self, limit_min: f64) -> Vec<Vec<f64>> {
        let limit = (limit_min * 60.0).round() as Seconds;
        (0..self.wm.rows.len())
            .map(|i| {
                (0..self.wm.cols.len())
                    .map(|j| self.wm.share_within(i, j, limit))
                    .collect()
            })
            .collect()
    }

    /// One line saying what the numbers are.
    pub fn describe(&self) -> String {
        let o = &self.opts;
        let when = if o.from == o.to {
            format!("departing at {}", format_clock(o.from))
        } else {
            format!(
                "median over departures every minute {}–{}, {} draw{} of headway-based departures",
                format_clock(o.from),
                format_clock(o.to),
                self.wm.draws,
                if self.wm.draws == 1 { "" } else { "s" }
            )
        };
        let est = if self.default_band.is_empty() {
            String::new()
        } else {
            format!(
                "; {} service{} without a timetable run every headway_min from the default hours (estimate)",
                self.default_band.len(),
                if self.default_band.len() == 1 { "" } else { "s" }
            )
        };
        let idle = if self.idle.is_empty() {
            String::new()
        } else {
            format!(
                "; {} timetabled service{} not running on this date (calendars do not cover it: {})",
                self.idle.len(),
                if self.idle.len() == 1 { "" } else { "s" },
                self.idle.join(", ")
            )
        };
        format!(
            "timetables on {} ({}), {when}{est}{idle}",
            o.date,
            weekday(o)
        )
    }

    /// The JSON members added to a matrix: `percentiles`, `share_within_limit`, `window`.
    pub fn json_members(&self, limit_min: f64) -> serde_json::Value {
        let mins = |m: Vec<Vec<Seconds>>| -> Vec<Vec<Option<f64>>> {
            m.into_iter()
                .map(|r| {
                    r.into_iter()
                        .map(|s| (s != UNREACHED).then(|| round1(seconds_to_minutes(s))))
                        .collect()
                })
                .collect()
        };
        let mut pct = serde_json::Map::new();
        for &p in &self.percentiles {
            pct.insert(
                pct_key(p),
                serde_json::to_value(mins(self.wm.percentile_matrix(p))).unwrap_or_default(),
            );
        }
        let share: Vec<Vec<f64>> = self
            .shares(limit_min)
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|x| (x * 1000.0).round() / 1000.0)
                    .collect()
            })
            .collect();
        let o = &self.opts;
        serde_json::json!({
            "percentiles": pct,
            "share_within_limit": share,
            "window": window_json(o, self.wm.departures, self.wm.draws, &self.default_band, &self.idle),
        })
    }

    /// CSV: `from,to,minutes,within_limit,share_within_limit,p5,...`.
    pub fn csv(&self, net: &Network, limit_min: f64) -> String {
        let med = self.medians();
        let share = self.shares(limit_min);
        let pm: Vec<Vec<Vec<Seconds>>> = self
            .percentiles
            .iter()
            .map(|&p| self.wm.percentile_matrix(p))
            .collect();
        let f = |s: Seconds| {
            if s == UNREACHED {
                String::new()
            } else {
                format!("{:.1}", seconds_to_minutes(s))
            }
        };
        let rows = med.rows.iter().enumerate().flat_map(|(i, &r)| {
            let (med, share, pm) = (&med, &share, &pm);
            med.cols.iter().enumerate().map(move |(j, &c)| PairRow {
                from: net.place(r).id.clone(),
                to: net.place(c).id.clone(),
                median: med.secs[i][j],
                within: med.minutes(i, j).is_some_and(|x| x <= limit_min),
                share: share[i][j],
                percentiles: pm.iter().map(|x| x[i][j]).collect(),
            })
        });
        pairs_csv(&self.percentiles, f, rows)
    }
}

/// One pair of a matrix over a departure window, as a CSV row.
pub struct PairRow {
    /// Origin id.
    pub from: String,
    /// Destination id.
    pub to: String,
    /// Median seconds ([`UNREACHED`] if not reached).
    pub median: Seconds,
    /// Whether the median is within the limit.
    pub within: bool,
    /// Share of the samples within the limit.
    pub share: f64,
    /// Seconds at each percentile asked for.
    pub percentiles: Vec<Seconds>,
}

/// The CSV of a matrix over a departure window, one pair a row:
/// `from,to,minutes,within_limit,share_within_limit,p5,...` (one column per percentile of
/// `percentiles`); `minutes` writes seconds as minutes (empty when not reached).
pub fn pairs_csv(
    percentiles: &[f64],
    minutes: impl Fn(Seconds) -> String,
    rows: impl Iterator<Item = PairRow>,
) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec![
        "from".to_string(),
        "to".into(),
        "minutes".into(),
        "within_limit".into(),
        "share_within_limit".into(),
    ];
    head.extend(percentiles.iter().map(|&p| format!("p{}", pct_key(p))));
    let _ = w.write_record(&head);
    for r in rows {
        let mut rec = vec![
            r.from,
            r.to,
            minutes(r.median),
            r.within.to_string(),
            format!("{:.3}", r.share),
        ];
        rec.extend(r.percentiles.into_iter().map(&minutes));
        let _ = w.write_record(&rec);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `5`, `50`, `97.5`: a percentile as a JSON key or column suffix.
pub fn pct_key(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p}")
    }
}

/// The `window` object of a matrix's JSON (place or points matrices): the window of `o`, the
/// departures and draws searched, the services on the default band and those not running.
pub fn window_json(
    o: &WindowOptions,
    departures: usize,
    draws: u32,
    default_band: &[String],
    idle: &[String],
) -> serde_json::Value {
    serde_json::json!({
        "date": o.date.to_string(),
        "weekday": weekday(o),
        "from": format_clock(o.from),
        "to": format_clock(o.to),
        "step_minutes": o.step / 60,
        "departures": departures,
        "draws": draws,
        "seed": o.seed,
        "minutes_are": "median over the samples (departures x draws)",
        "default_band_services": default_band,
        "services_not_running": idle,
    })
}

/// The weekday of a window's date, in English.
pub fn weekday(o: &WindowOptions) -> &'static str {
    const NAMES: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    NAMES[crate::graph::timetabled::day_of(o.date).weekday() as usize % 7]
}

/// Samples between places of `net` over the window of `opts`.
pub fn timed_matrix(
    net: &Network,
    t: &Timetabled,
    rows: &[PlaceIdx],
    cols: &[PlaceIdx],
    opts: &WindowOptions,
    percentiles: &[f64],
) -> Result<Timed, crate::network::problem::Problems> {
    let wm = window::window_matrix(t, rows, cols, opts).map_err(window::as_problems)?;
    Ok(Timed {
        wm,
        opts: opts.clone(),
        percentiles: percentiles.to_vec(),
        default_band: t.default_band.clone(),
        idle: crate::graph::timetabled::idle_on(net, opts.date),
    })
}
