//! The Guangzhou network and the plan scenarios, compiled into the binary so that an installed
//! `onehour` works from any directory.

use include_dir::{include_dir, Dir};

use crate::network::source::Source;

static NETWORKS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/networks");
static SCENARIOS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scenarios");

/// Name of the bundled network folder.
pub const DEFAULT_NETWORK: &str = "guangzhou";

/// The network folders bundled into the binary.
pub fn networks() -> Source {
    Source::Embedded(&NETWORKS)
}

/// The scenario files bundled into the binary.
pub fn scenarios() -> Source {
    Source::Embedded(&SCENARIOS)
}
