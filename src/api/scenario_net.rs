//! One scenario's network as a [`super::Model`] keeps it, compiled: below the model, its
//! results and its accessibility, which all hand it around.

use std::sync::{Arc, Mutex, OnceLock};

use super::error::Error;
use crate::access::links::{point_links_with, NetworkLinks, Point};
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
    /// The point legs of the last points matrix, with its origins and destinations: asked
    /// again for the same points (another departure or percentile), the model reuses them.
    kept_links: Mutex<Option<KeptLinks>>,
}

/// Point legs kept for the points they were made for.
struct KeptLinks {
    rows: Vec<Point>,
    cols: Vec<Point>,
    links: Arc<NetworkLinks>,
}

impl ScenarioNet {
    /// The scenario `name`'s network, compiled; the timetable is compiled on first use.
    pub(super) fn new(name: String, prepared: Prepared) -> ScenarioNet {
        ScenarioNet {
            name,
            prepared,
            timetable: OnceLock::new(),
            streets: OnceLock::new(),
            kept_links: Mutex::new(None),
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

    /// How the points `rows` reach stops and the points `cols` (snapped to the streets and
    /// walked along them, or by the straight-line model), as
    /// [`crate::access::links::point_links_with`] makes them: kept for the last points asked
    /// for, so that a matrix on the same points again (another departure, percentile or
    /// output) does not snap and walk them again.
    pub fn point_links(&self, rows: &[Point], cols: &[Point]) -> Result<Arc<NetworkLinks>, Error> {
        let kept = |k: &Option<KeptLinks>| {
            k.as_ref()
                .filter(|k| k.rows == rows && k.cols == cols)
                .map(|k| k.links.clone())
        };
        if let Some(l) = kept(&self.kept_links.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(l);
        }
        let t = self.timetable()?;
        let streets = self.streets()?;
        let links = Arc::new(point_links_with(
            self.net(),
            &t,
            streets.as_deref(),
            rows,
            cols,
        ));
        *self.kept_links.lock().unwrap_or_else(|e| e.into_inner()) = Some(KeptLinks {
            rows: rows.to_vec(),
            cols: cols.to_vec(),
            links: links.clone(),
        });
        Ok(links)
    }

    /// The place named `q` (id, English or Chinese name), or an error with the closest ones.
    pub fn place(&self, q: &str) -> Result<PlaceIdx, Error> {
        an::find_place(self.net(), q).map_err(not_found)
    }

    /// [`Self::place`] where a trip starts: a zone is refused as a bad request
    /// ([`an::find_origin`] says why, and names the nearest centre or station).
    pub fn origin(&self, q: &str) -> Result<PlaceIdx, Error> {
        self.place(q)?;
        an::find_origin(self.net(), q).map_err(Error::BadRequest)
    }
}

/// A place lookup's message as [`Error::NotFound`], the ids it lists as suggestions.
fn not_found(message: String) -> Error {
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
}
