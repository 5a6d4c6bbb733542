//! The options shared by several commands (network, timetable mode, output) and their value
//! parsers: below the subcommand list (`args`) and the commands, which all use them.

use clap::Args;
use std::path::PathBuf;

use crate::cli::output::Format;
use crate::graph::Profile;
use crate::network::model::{Date, WaitPolicy};

/// Options shared by the commands that route on a network.
#[derive(Args, Debug, Clone)]
pub struct NetOpts {
    /// Network folder (with network.toml) or manifest file; default: the bundled Guangzhou network
    #[arg(long, value_name = "DIR")]
    pub network: Option<PathBuf>,
    /// Scenario folder; default: the bundled scenarios
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
    /// The network as of the end of this year (the plan's base year is 2022)
    #[arg(long, value_name = "YYYY", conflicts_with = "date",
          value_parser = clap::value_parser!(i32).range(1800..=2200))]
    pub year: Option<i32>,
    /// The network as it runs on this day; default: the day its data describe (network.toml's
    /// valid_on). Patterns closed before it and lines opening after it are left out, then the
    /// scenario's edits apply.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
    /// Travel profile
    #[arg(long, value_enum, default_value_t = ProfileArg::Transit)]
    pub profile: ProfileArg,
    /// The target, minutes (0 < MIN <= 1440)
    #[arg(long, default_value_t = 60.0, value_name = "MIN", value_parser = parse_limit)]
    pub limit: f64,
    /// Worker threads (default: all cores; at most 256)
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Override the network's wait policy: half headway, full headway (worst case), or half
    /// headway capped at the network's cap_min (timetabled services)
    #[arg(long, value_enum)]
    pub wait: Option<WaitArg>,
}

impl NetOpts {
    /// The travel profile asked for.
    pub fn profile(&self) -> Profile {
        match self.profile {
            ProfileArg::Transit => Profile::Transit,
            ProfileArg::Car => Profile::Car,
        }
    }
}

/// The `--profile` values (the core's [`Profile`] has more, used internally).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileArg {
    /// Walking plus all public transport.
    Transit,
    /// Driving on the road network.
    Car,
}

/// The `--wait` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum WaitArg {
    /// Half the headway.
    Half,
    /// The full headway (worst case).
    Full,
    /// Half the headway, capped at the network's cap_min.
    Capped,
}

impl From<WaitArg> for WaitPolicy {
    fn from(w: WaitArg) -> WaitPolicy {
        match w {
            WaitArg::Half => WaitPolicy::Half,
            WaitArg::Full => WaitPolicy::Full,
            WaitArg::Capped => WaitPolicy::Capped,
        }
    }
}

/// The most worker threads a command starts (each holds one search workspace).
pub const MAX_THREADS: usize = 256;

fn parse_limit(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 1440.0 => Ok(x),
        _ => Err(format!("'{s}' is not a number of minutes in (0, 1440]")),
    }
}

/// A worker thread count in 1..=[`MAX_THREADS`].
pub fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("'{s}' is not a thread count in 1..={MAX_THREADS}")),
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse_full(s).ok_or_else(|| format!("'{s}' is not a calendar date: write YYYY-MM-DD"))
}

/// Timetable mode: departures at clock times on the session's date (range RAPTOR over the
/// network's trips and bands) instead of expected waits from headways.
#[derive(Args, Debug, Clone, Default)]
pub struct TimeOpts {
    /// Timetable mode: one departure (HH:MM) or a window of departures every minute
    /// (HH:MM-HH:MM) on --date (default: the network's valid_on); times are then the median
    /// over the window, with percentiles and the share of departures within the limit
    #[arg(long, value_name = "HH:MM[-HH:MM]", value_parser = parse_depart)]
    pub depart: Option<(u32, u32)>,
    /// Percentiles over the window (0..=100, comma-separated, each once; default 5,25,50,75,95)
    #[arg(long, value_parser = parse_percentiles, requires = "depart")]
    pub percentiles: Option<Percentiles>,
    /// Draws of the departure times of trips that run by average headways (default 10; the
    /// same draws for every scenario)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000), requires = "depart")]
    pub draws: Option<u32>,
    /// Seed of the draws (default 1)
    #[arg(long, requires = "depart")]
    pub seed: Option<u64>,
}

pub use crate::analysis::window::parse_depart;

/// The `--percentiles` list: each in 0..=100, none twice (a percentile named twice would make
/// two output columns of one name).
#[derive(Clone, Debug, PartialEq)]
pub struct Percentiles(pub Vec<f64>);

/// A comma-separated list of distinct percentiles in 0..=100.
pub fn parse_percentiles(s: &str) -> Result<Percentiles, String> {
    let mut out: Vec<f64> = Vec::new();
    for part in s.split(',') {
        let p = parse_percentile(part)?;
        if out.contains(&p) {
            return Err(format!(
                "percentile {} is given twice: name each percentile once",
                part.trim()
            ));
        }
        out.push(p);
    }
    Ok(Percentiles(out))
}

/// A percentile in 0..=100.
pub fn parse_percentile(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=100.0).contains(&x) => Ok(x),
        _ => Err(format!("'{s}' is not a percentile in 0..=100")),
    }
}

/// Options shared by the commands that write a result.
#[derive(Args, Debug, Clone)]
pub struct OutOpts {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

/// `W,S,E,N` in degrees: a box of positive width and height, longitudes in -180..180 and
/// latitudes in -85..85 (the grid's projection does not reach the poles).
pub fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    let usage =
        || format!("'{s}': write four numbers W,S,E,N in degrees, e.g. 112.2,22.5,114.1,24.3");
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| usage())?;
    let [w, so, e, n] = v[..] else {
        return Err(usage());
    };
    if !v.iter().all(|x| x.is_finite()) {
        return Err(usage());
    }
    if ![w, e].iter().all(|x| (-180.0..=180.0).contains(x)) {
        return Err(format!(
            "'{s}': longitudes W and E must lie in -180..180 degrees (give longitude before latitude)"
        ));
    }
    if ![so, n].iter().all(|x| (-85.0..=85.0).contains(x)) {
        return Err(format!(
            "'{s}': latitudes S and N must lie in -85..85 degrees (the grid's projection does not reach the poles)"
        ));
    }
    if w >= e || so >= n {
        return Err(format!(
            "'{s}': the box has no area: W must be less than E and S less than N (e.g. 112.2,22.5,114.1,24.3)"
        ));
    }
    Ok([w, so, e, n])
}

/// The default window of `access`: an hour of the weekday morning peak.
pub const ACCESS_WINDOW: (u32, u32) = (7 * 3600, 8 * 3600);
