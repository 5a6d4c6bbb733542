//! Ids across feeds: an id used by more than one feed is prefixed with the feed's name.

use std::collections::{HashMap, HashSet};

use super::read::Feed;

/// Which kind of id, for prefixing ids that collide across feeds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) enum Ns {
    Stop,
    Route,
    Trip,
    Service,
    Agency,
}

/// How often an id occurs across feeds, per kind.
pub(super) type IdCounts<'a> = HashMap<(Ns, &'a str), u32>;

pub(super) fn count_ids<'a>(feeds: &'a [Feed]) -> IdCounts<'a> {
    let mut counts: IdCounts = HashMap::new();
    for f in feeds {
        let mut mine: HashSet<(Ns, &str)> = HashSet::new();
        mine.extend(f.stops.rows.iter().map(|(_, s)| (Ns::Stop, s.id.as_str())));
        mine.extend(
            f.routes
                .rows
                .iter()
                .map(|(_, r)| (Ns::Route, r.id.as_str())),
        );
        mine.extend(f.trips.rows.iter().map(|(_, t)| (Ns::Trip, t.id.as_str())));
        mine.extend(
            f.calendar
                .rows
                .iter()
                .map(|(_, c)| (Ns::Service, c.id.as_str())),
        );
        mine.extend(
            f.calendar_dates
                .rows
                .iter()
                .map(|(_, c)| (Ns::Service, c.service_id.as_str())),
        );
        mine.extend(
            f.agencies
                .rows
                .iter()
                .filter_map(|(_, a)| a.id.as_deref().map(|id| (Ns::Agency, id))),
        );
        for k in mine {
            *counts.entry(k).or_default() += 1;
        }
    }
    counts
}

/// The ids of one feed as the timetable names them: as written, or prefixed with the feed's
/// name where another feed uses the same id.
pub(super) struct FeedIds<'a> {
    pub(super) name: &'a str,
    pub(super) counts: &'a IdCounts<'a>,
}

impl FeedIds<'_> {
    /// The timetable's id for `id` of kind `ns`.
    pub(super) fn ext(&self, ns: Ns, id: &str) -> String {
        if self.counts.get(&(ns, id)).copied().unwrap_or(0) > 1 {
            format!("{}:{id}", self.name)
        } else {
            id.to_string()
        }
    }
}
