//! Accessibility from arbitrary points: travel times from every origin point (or grid cell)
//! to every destination over a departure window, with points reaching stops through access
//! and egress tables rather than as graph nodes.
//!
//! - [`links`]: the legs without a vehicle between points and stops (straight line, or along
//!   streets when a network has them);
//! - [`propagate`]: range RAPTOR from each origin and the min-plus propagation of stop times
//!   to destinations, with percentiles over the window.

pub mod links;
pub mod propagate;
