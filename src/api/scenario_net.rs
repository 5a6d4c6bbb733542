//! One scenario's network as a [`super::Model`] keeps it, compiled: below the model, its
//! results and its accessibility, which all hand it around.

use std::sync::{Arc, OnceLock};

use super::error::Error;
use crate::analysis::window;
use crate::analysis::{self as an};
use crate::graph::streets::Streets;
use crate::graph::timetabled::Timetabled;
use crate::graph::Prepared;
use crate::network::ids::PlaceIdx;
use crate::network::model::Network;

/// One scenario's network, compiled: the graph for the model's profile now, the timetable on
/// first use.
pub struct ScenarioNet {
    /// The scenario's name (`today` for the network as of the day without edits).
    pub name: String,
    /// The network with the scenario applied, compiled for the model's profile.
    pub prepared: Prepared,
    timetable: OnceLock<Result<Arc<Timetabled>, Error>>,
    streets: OnceLock<Result<Option<Arc<Streets>>, Error>>,
}

impl ScenarioNet {
    /// The scenario `name`'s network, compiled; the timetable is compiled on first use.
    pub(super) fn new(name: String, prepared: Prepared) -> ScenarioNet {
        ScenarioNet {
            name,
            prepared,
            timetable: OnceLock::new(),
            streets: OnceLock::new(),
        }
    }

    /// The network with the scenario applied.
    pub fn net(&self) -> &Network {
        &self.prepared.net
    }

    /// The network compiled for the timetable modes (compiled on first use, then shared).
    pub fn timetable(&self) -> Result<Arc<Timetabled>, Error> {
        self.timetable
            .get_or_init(|| {
                window::compile(&self.prepared.net)
                    .map(Arc::new)
                    .map_err(Error::from)
            })
            .clone()
    }

    /// The streets of the network's OpenStreetMap extract (`[streets] osm`), read on first
    /// use, then shared; `None` for a network without streets (the straight-line model).
    pub fn streets(&self) -> Result<Option<Arc<Streets>>, Error> {
        self.streets
            .get_or_init(|| match Streets::from_network(&self.prepared.net) {
                None => Ok(None),
                Some(r) => r.map(|s| Some(Arc::new(s))).map_err(Error::from),
            })
            .clone()
    }

    /// The place named `q` (id, English or Chinese name), or an error with the closest ones.
    pub fn place(&self, q: &str) -> Result<PlaceIdx, Error> {
        an::find_place(self.net(), q).map_err(|message| {
            let suggestions = message
                .split_once(": ")
                .map(|(_, list)| {
                    list.split("; ")
                        .filter_map(|c| c.split_whitespace().next())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            Error::NotFound {
                message,
                suggestions,
            }
        })
    }
}
