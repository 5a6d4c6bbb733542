//! The flags: clap derives, parsed into plain values that the commands turn into the core's
//! own types.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

use crate::analysis::Indicator;
use crate::cli::bench_graph::Method;
use crate::cli::opts::{parse_threads, NetOpts, OutOpts, TimeOpts};
use crate::network::ids::Seconds;

/// Examples shown at the end of `onehour --help`.
pub const EXAMPLES: &str = "\
Examples:
  onehour                                   today's centre matrix, and what plan-2030 changes
  onehour check --year 2022                 the plan's base year
  onehour check --scenario plan-2030 --format json --out m.json
  onehour route 广州南 佛山西               fastest door-to-door route, leg by leg
  onehour matrix --from guangzhounan --to foshanxi,zhaoqingdong
  onehour compare today plan-2030
  onehour rank --base today --projects plan-2030
  onehour validate --network path/to/network
  onehour isochrones --scenario today,plan-2030 --out iso/
  onehour map --scenario today,plan-2030 --origin c_foshan --out map.svg
  onehour export --format geojson --out network.geojson";

/// The command line.
#[derive(Parser, Debug)]
#[command(name = "onehour", version, about = "Do the centres of a metropolitan region reach each other within one hour, door to door? What does each planned line change?", after_help = EXAMPLES)]
pub struct Cli {
    /// The command to run; none: today's centre matrix and what plan-2030 changes.
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

/// The `--indicator` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum IndicatorArg {
    /// Door to door between the centres' points
    Door,
    /// Rail time between the centres' main stations
    Station,
}

impl From<IndicatorArg> for Indicator {
    fn from(a: IndicatorArg) -> Indicator {
        match a {
            IndicatorArg::Door => Indicator::Door,
            IndicatorArg::Station => Indicator::Station,
        }
    }
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Centre-by-centre matrix with one-hour verdicts
    Check {
        /// Network, date, profile and routing options.
        #[command(flatten)]
        net: NetOpts,
        /// Scenario to apply
        #[arg(long)]
        scenario: Option<String>,
        /// door: door to door between the centres' points; station: rail time between the
        /// centres' main stations (the plan's measure: waits and transfers, no access legs)
        #[arg(long, value_enum, default_value_t = IndicatorArg::Door)]
        indicator: IndicatorArg,
        /// Also show how the verdicts move when every estimated minute (hub interchange,
        /// estimated links, zone access) is halved or raised by half
        #[arg(long)]
        sensitivity: bool,
        /// Timetable mode.
        #[command(flatten)]
        time: TimeOpts,
        /// Output format and file.
        #[command(flatten)]
        out: OutOpts,
    },
    /// Travel times between any places
    Matrix {
        /// Network, date, profile and routing options.
        #[command(flatten)]
        net: NetOpts,
        /// Scenario to apply
        #[arg(long)]
        scenario: Option<String>,
        /// Origins: ids, English or Chinese names, comma-separated
        #[arg(
            long,
            value_delimiter = ',',
            required_unless_present = "points",
            conflicts_with = "points"
        )]
        from: Vec<String>,
        /// Destinations
        #[arg(
            long,
            value_delimiter = ',',
            required_unless_present = "points",
            conflicts_with = "points"
        )]
        to: Vec<String>,
        /// Origins (and destinations, unless --to-points) as points: a CSV with columns
        /// id,lon,lat (WGS84). Runs on timetables (default window 07:00-09:00 on --date)
        #[arg(long, value_name = "CSV")]
        points: Option<std::path::PathBuf>,
        /// Destinations as points (CSV id,lon,lat), with --points
        #[arg(long, value_name = "CSV", requires = "points")]
        to_points: Option<std::path::PathBuf>,
        /// Timetable mode.
        #[command(flatten)]
        time: TimeOpts,
        /// Output format and file.
        #[command(flatten)]
        out: OutOpts,
    },
    /// The fastest door-to-door route between two places, leg by leg
    Route {
        /// Origin: id, English or Chinese name
        from: String,
        /// Destination: id, English or Chinese name
        to: String,
        /// Network, date, profile and routing options.
        #[command(flatten)]
        net: NetOpts,
        /// Scenario to apply
        #[arg(long)]
        scenario: Option<String>,
        /// Timetable mode.
        #[command(flatten)]
        time: TimeOpts,
        /// Output format and file.
        #[command(flatten)]
        out: OutOpts,
    },
    /// Check a network (and optionally a scenario) and report every problem
    Validate {
        /// Network, date, profile and routing options.
        #[command(flatten)]
        net: NetOpts,
        /// Scenario to check as well
        #[arg(long)]
        scenario: Option<String>,
    },
    /// Compare two scenarios: delta matrix, pairs that newly meet or miss the target, gains,
    /// population within the limit of each centre
    Compare {
        /// Base scenario (e.g. today)
        base: String,
        /// Scenario compared with the base (e.g. plan-2030)
        other: String,
        /// Network, date, profile and routing options.
        #[command(flatten)]
        net: NetOpts,
        /// Timetable mode.
        #[command(flatten)]
        time: TimeOpts,
        /// Output format and file.
        #[command(flatten)]
        out: OutOpts,
    },
    /// Rank the projects of a horizon: each added alone to the base, and left out of the horizon
    Rank {
        /// Scenario the projects are added to one at a time
        #[arg(long, default_value = "today")]
        base: String,
        /// Horizon scenario whose projects are ranked
        #[arg(long, default_value = "plan-2030")]
        projects: String,
        /// Network, date, profile and routing options.
        #[command(flatten)]
        net: NetOpts,
        /// Timetable mode.
        #[command(flatten)]
        time: TimeOpts,
        /// Accessibility ranking (--indicator access) instead of centre pairs.
        #[command(flatten)]
        access: crate::cli::rank::RankAccessOpts,
        /// Output format and file.
        #[command(flatten)]
        out: OutOpts,
    },
    /// List the scenarios
    Scenarios {
        /// Network options.
        #[command(flatten)]
        net: NetOpts,
    },
    /// Accessibility to opportunities (people, jobs) from every cell of a grid or from points,
    /// over a departure window: cumulative, decay and dual measures, and the difference
    /// between two scenarios
    Access(crate::cli::access::AccessArgs),
    /// Isochrones of every origin in every scenario, as GeoJSON bands, with a summary table
    Isochrones(crate::cli::isochrones::IsochronesArgs),
    /// A local web app for comparing scenarios: the centre matrix with verdicts and
    /// differences, isochrones of any clicked point side by side, routes (prints its URL)
    Serve(crate::cli::serve::ServeArgs),
    /// Draw the network and the isochrone bands of one origin, one panel per scenario (SVG)
    Map(crate::cli::map::MapArgs),
    /// Export the network (GeoJSON: places as points, services and roads as lines)
    Export(crate::cli::export::ExportArgs),
    /// Import other formats as a network folder (GTFS feeds, OpenStreetMap streets)
    #[command(subcommand)]
    Import(crate::cli::import::ImportCmd),
    /// Time one-to-all sweeps from every origin of a DIMACS graph, per engine variant
    BenchGraph {
        /// Graph in the DIMACS .gr format (1-based ids, integer weights)
        #[arg(long, value_name = "FILE.gr")]
        graph: PathBuf,
        /// Origins in the DIMACS .ss format (`s ID` lines)
        #[arg(long, value_name = "FILE.ss")]
        origins: PathBuf,
        /// Worker threads (default: all cores; at most 256)
        #[arg(long, value_parser = parse_threads)]
        threads: Option<usize>,
        /// Settle nodes up to this distance only, in the file's units (default: no bound)
        #[arg(long, value_name = "SECONDS")]
        bound: Option<Seconds>,
        /// Engine variants to time, comma-separated
        #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Method::Heap, Method::Bucket])]
        methods: Vec<Method>,
        /// One JSON object per method and line (the peer-bench `--external` protocol)
        #[arg(long)]
        json: bool,
        /// Sweep R times (1 to 1000), methods interleaved, and report each method's fastest
        /// sweep (for noisy machines)
        #[arg(long, default_value_t = 1, value_name = "R", value_parser = clap::value_parser!(u16).range(1..=1000))]
        repeat: u16,
    },
}
