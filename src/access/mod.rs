//! Accessibility: how many opportunities (people, jobs, schools, clinics…) each origin
//! reaches, and how a scenario changes that.
//!
//! Accessibility here is what Conveyal Analysis computes
//! (<https://docs.conveyal.com/analysis/methodology>, source `docs/analysis/methodology.mdx` of
//! the repository conveyal/docs at commit 4461a8a355f78c15f52cc7adc643cc9125faef02): from
//! every origin (a grid cell or a point), the travel time to every destination is taken at a
//! percentile of its distribution over a window of departure minutes (a single time per
//! destination, not an average of accessibility over departures); the opportunities at the
//! destinations are then summed, either all those within a cutoff (*cumulative
//! opportunities*) or each weighted by a decreasing function of its travel time (*decay
//! functions*, <https://docs.conveyal.com/learn-more/decay-functions>). The *dual* measure
//! turns the question round: how many minutes it takes to reach a given number of
//! opportunities. Opportunities given as polygons are spread over grid cells in proportion to
//! area, as Conveyal does.
//!
//! The travel times come from points, never graph nodes: [`links`] gives the legs without a
//! vehicle between points and stops (straight line, or along streets when a network has
//! them), and [`propagate`] runs range RAPTOR from each origin and carries stop times to
//! every destination through per-stop egress tables (R5's propagation), with percentiles
//! over the window. Then, origin by origin, from the row of travel times in whole seconds to
//! every destination ([`crate::network::ids::UNREACHED`] where none) and the opportunities at
//! the destinations:
//! - [`indicators`]: the cumulative, decay and dual measures of one origin, without
//!   allocating ([`indicators::Evaluator`]);
//! - [`report`]: `access.csv`, `access.geojson` and `summary.json` (population-weighted
//!   means, shares of people reaching a number of opportunities), and for two scenarios the
//!   differences per origin and in summary, written atomically.
//!
//! The grid is [`crate::geo::grid::Grid`]; points and opportunities are read by
//! [`crate::io::opportunities`]. Definitions, file formats and limits: `docs/access.md`.

pub mod compute;
pub mod indicators;
pub mod links;
pub mod points;
pub mod population;
pub mod propagate;
pub mod rank;
pub mod report;
