//! What a RAPTOR search is asked ([`RaptorParams`]), how it can fail ([`RaptorError`]), and
//! footpaths as its relaxations read them (`WalkItem`): shared by the one-origin search
//! (`super`) and the batched one ([`super::batch`]).

use super::day::{DayTimetable, Walk};
use crate::network::ids::Seconds;
use crate::network::timetable::{Footpath, StopIdx};

/// Bounds of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RaptorParams {
    /// The most vehicle trips in a journey (the number of rounds).
    pub max_trips: u8,
    /// Arrivals later than departure plus this are not searched for nor reported.
    pub limit: Seconds,
}

impl Default for RaptorParams {
    fn default() -> Self {
        RaptorParams {
            max_trips: 8,
            limit: 3 * 3600,
        }
    }
}

/// A query the compiled day cannot answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RaptorError {
    /// The departures plus the limit reach outside the horizon the day was compiled for.
    #[error(
        "departures {from}..{to} s with a limit of {limit} s reach past the horizon {h0}..{h1} s \
         the day was compiled for; compile the day for a wider horizon"
    )]
    OutsideHorizon {
        /// The first departure asked for, seconds since the date's midnight.
        from: Seconds,
        /// The last departure asked for.
        to: Seconds,
        /// The search's time limit.
        limit: Seconds,
        /// The start of the compiled horizon.
        h0: Seconds,
        /// The end of the compiled horizon.
        h1: Seconds,
    },
    /// An access leg leads to a stop index the timetable does not have.
    #[error("access stop {0} is not a stop of the timetable")]
    UnknownStop(StopIdx),
    /// A window whose first departure is after its last, or whose step is 0.
    #[error("the window's first departure {from} s is after its last {to} s, or its step is 0")]
    BadWindow {
        /// The window's first departure.
        from: Seconds,
        /// The window's last departure.
        to: Seconds,
    },
}

/// A footpath as the relaxation reads it (a [`Walk`] or a timetable [`Footpath`]).
pub(crate) trait WalkItem: Copy {
    fn to(self) -> usize;
    fn secs(self) -> Seconds;
}

impl WalkItem for Walk {
    #[inline(always)]
    fn to(self) -> usize {
        self.to as usize
    }
    #[inline(always)]
    fn secs(self) -> Seconds {
        Seconds::from(self.secs)
    }
}

impl WalkItem for Footpath {
    #[inline(always)]
    fn to(self) -> usize {
        self.to.idx()
    }
    #[inline(always)]
    fn secs(self) -> Seconds {
        self.duration
    }
}

/// Checks a query against the day compiled for it: departures `from..=to` plus the limit
/// within the day's horizon, every access leg (of every origin) to one of its stops.
pub(crate) fn check_query<'a>(
    day: &DayTimetable,
    accesses: impl IntoIterator<Item = &'a [(StopIdx, Seconds)]>,
    from: Seconds,
    to: Seconds,
    p: &RaptorParams,
) -> Result<(), RaptorError> {
    let (h0, h1) = day.horizon();
    if from < h0 || to.saturating_add(p.limit) > h1 {
        return Err(RaptorError::OutsideHorizon {
            from,
            to,
            limit: p.limit,
            h0,
            h1,
        });
    }
    for access in accesses {
        if let Some(&(s, _)) = access.iter().find(|(s, _)| s.idx() >= day.num_stops()) {
            return Err(RaptorError::UnknownStop(s));
        }
    }
    Ok(())
}
