//! The session of one command: the network as of its day, the scenario library and the
//! options, and the networks with scenarios applied; and what several commands say of them
//! (the population surface, the departure window in words).

use anyhow::Result;

use crate::analysis::population::PopulationSurface;
use crate::analysis::{Timing, WindowOptions};
use crate::cli::error::UserError;
use crate::cli::opts::NetOpts;
use crate::graph::Prepared;
use crate::network::bundled;
use crate::network::ids::{format_clock, PlaceIdx, Seconds};
use crate::network::load::network_source;
use crate::network::model::{Date, Network};
use crate::network::source::Source;
use crate::scenario::{apply, Library};

/// Draws of inexact-headway departures when `--draws` is not given.
pub const DEFAULT_DRAWS: u32 = 10;
/// Percentiles reported when `--percentiles` is not given.
pub const DEFAULT_PERCENTILES: [f64; 5] = [5.0, 25.0, 50.0, 75.0, 95.0];

/// The network, scenario library and settings a command works on.
pub struct Session {
    /// The network as its files describe it, every dated pattern included, when `base` is
    /// taken as of a day and scenarios can be applied (`None` for an undated network, whose
    /// `base` is all of it, and without a scenario library: one copy of the network less in
    /// memory).
    pub full: Option<Network>,
    /// The network as of `day`: what scenarios edit.
    pub base: Network,
    /// The day the network is taken as of: `--date`, the end of `--year`, or the network's
    /// `valid_on` (`None` only for a network that declares no date).
    pub day: Option<Date>,
    /// The scenario library: `--scenarios`, the bundled one for the bundled network, else `None`.
    pub lib: Option<Library>,
    /// The network options the session was opened with.
    pub opts: NetOpts,
}

impl Session {
    /// Loads the network (printing its warnings to stderr), takes it as of the chosen day, and loads the scenario library.
    pub fn open(opts: &NetOpts) -> Result<Session> {
        let (src, manifest) = network_source(opts.network.as_deref()).map_err(UserError)?;
        let (mut full, warnings) = crate::io::cache::load_network_cached(&src, &manifest)?;
        if let Some(w) = opts.wait {
            full.settings.routing.wait = w.into();
        }
        let day = opts
            .date
            .or(opts.year.map(Date::end_of_year))
            .or(full.valid_on);
        for w in &warnings {
            eprintln!("{w}");
        }
        let lib = match &opts.scenarios {
            Some(d) if !d.is_dir() => {
                return Err(UserError(format!(
                "--scenarios {}: no such folder (give the folder that holds the scenario files)",
                d.display()
            ))
                .into())
            }
            Some(d) => Some(Library::load(Source::Disk(d.clone()))?),
            None if opts.network.is_none() => Some(Library::load(bundled::scenarios())?),
            None => None,
        };
        let (full, base) = match day {
            // The network before the date filter only serves to explain a scenario that does
            // not apply on the day: without a scenario library there is none to explain.
            Some(d) if lib.is_some() => {
                let base = full.as_on(d);
                (Some(full), base)
            }
            Some(d) => (None, full.into_as_on(d)),
            None => (None, full),
        };
        Ok(Session {
            full,
            base,
            day,
            lib,
            opts: opts.clone(),
        })
    }

    /// The scenario library, or an error if this network has none.
    pub fn library(&self) -> Result<&Library> {
        self.lib.as_ref().ok_or_else(|| {
            UserError("this network has no scenario folder: pass --scenarios DIR".into()).into()
        })
    }

    /// The network as of the session's day, then `scenario`'s edits: one rule for every
    /// command (docs/scenario-format.md).
    pub fn network(&self, scenario: Option<&str>) -> Result<Network> {
        match scenario {
            None => Ok(self.base.clone()),
            Some(name) => {
                let lib = self.library()?;
                let chain = lib.chain(name)?;
                apply(&self.base, &chain).map_err(|mut e| {
                    // Does the scenario apply to the network before it was taken as of the day?
                    let undated = self.day.zip(self.full.as_ref());
                    if let Some((d, Ok(_))) = undated.map(|(d, f)| (d, apply(f, &chain))) {
                        e.0.push(crate::network::problem::Problem::error(
                            &crate::network::model::Origin::default(),
                            format!("scenario {name}"),
                            format!("it edits lines or stations that do not run on {d}, the day the network is taken as of"),
                            "choose a later --date or --year, or a scenario written for that day",
                        ));
                    }
                    anyhow::Error::from(e)
                })
            }
        }
    }

    /// The day the network is taken as of, for titles (`None`: undated network).
    pub fn day_label(&self) -> Option<String> {
        self.day.map(|d| d.to_string())
    }

    /// [`Session::network`] for a command that needs it once: without a scenario, the base
    /// network itself is moved out (no copy), and the session's `base` is left empty.
    pub fn take_network(&mut self, scenario: Option<&str>) -> Result<Network> {
        match scenario {
            None => Ok(std::mem::take(&mut self.base)),
            Some(_) => self.network(scenario),
        }
    }

    /// The network of `scenario` (see [`Session::network`]) compiled for the chosen profile.
    pub fn prepared(&self, scenario: Option<&str>) -> Result<Prepared> {
        Ok(Prepared::new(self.network(scenario)?, self.opts.profile()))
    }

    /// The `--limit`, seconds.
    pub fn limit_s(&self) -> Seconds {
        (self.opts.limit * 60.0).round() as Seconds
    }

    /// The timing of `time`: static without `--depart`, else the window on the session's day.
    pub fn timing(&self, time: &crate::cli::opts::TimeOpts) -> Result<Timing> {
        let Some((from, to)) = time.depart else {
            return Ok(Timing::Static);
        };
        if self.opts.profile() != crate::graph::Profile::Transit {
            return Err(UserError(
                "--depart runs the timetables of public transport: drop --profile car".into(),
            )
            .into());
        }
        if self.opts.wait.is_some() {
            return Err(UserError(
                "--wait sets the static model's waits; with --depart the waits come from the timetables: drop one of the two".into(),
            )
            .into());
        }
        let Some(date) = self.day else {
            return Err(UserError(
                "--depart needs a service date: give --date YYYY-MM-DD (this network declares no valid_on)".into(),
            )
            .into());
        };
        let bound = self.base_bound_s();
        if to + bound > crate::engine::raptor::MAX_HORIZON {
            return Err(UserError(format!(
                "--depart: the window with the search bound ({} min) passes the 48 h a service day covers; end the window earlier",
                bound / 60
            ))
            .into());
        }
        Ok(Timing::Timetable(WindowOptions {
            date,
            from,
            to,
            step: 60,
            draws: time.draws.unwrap_or(DEFAULT_DRAWS),
            seed: time.seed.unwrap_or(1),
            bound,
            max_trips: 8,
        }))
    }

    /// The departure window of a command that always runs on timetables (`access`, `rank
    /// --indicator access`, `matrix --points`): `--depart`, else `default`. The flags that do
    /// not fit are named as such, since `--depart` may not have been given.
    pub fn timetable_window(
        &self,
        time: &crate::cli::opts::TimeOpts,
        default: (u32, u32),
        command: &str,
    ) -> Result<WindowOptions> {
        if self.opts.profile() != crate::graph::Profile::Transit {
            return Err(UserError(format!(
                "{command} runs the timetables of public transport: drop --profile car"
            ))
            .into());
        }
        if self.opts.wait.is_some() {
            return Err(UserError(format!(
                "{command} takes the waits from the timetables (--wait sets the static model's waits): drop --wait"
            ))
            .into());
        }
        if self.day.is_none() && time.depart.is_none() {
            return Err(UserError(format!(
                "{command} runs the timetables on a service date, and this network declares none (no valid_on): give --date YYYY-MM-DD"
            ))
            .into());
        }
        let time = crate::cli::opts::TimeOpts {
            depart: Some(time.depart.unwrap_or(default)),
            ..time.clone()
        };
        match self.timing(&time)? {
            Timing::Timetable(o) => Ok(o),
            Timing::Static => unreachable!("a departure window was given"),
        }
    }

    /// Search bound of the session's network, seconds: its `bound_min`, and at least the limit.
    pub fn base_bound_s(&self) -> Seconds {
        ((self.base.settings.routing.bound_min * 60.0) as Seconds).max(self.limit_s())
    }

    /// Search bound for `p`, seconds: the network's `bound_min`, and at least the limit.
    pub fn bound_s(&self, p: &Prepared) -> Seconds {
        p.default_bound().max(self.limit_s())
    }
}

/// The population surface of `net` (`[population]` in its manifest) on its grid, if it
/// names one; the loader's warnings go to stderr.
pub fn population_surface(net: &Network) -> Result<Option<PopulationSurface>> {
    Ok(match crate::access::population::surface_of(net)? {
        None => None,
        Some((s, warnings)) => {
            for w in &warnings {
                eprintln!("{w}");
            }
            Some(s)
        }
    })
}

/// The window of a timetable comparison, in words.
pub fn window_text(o: &WindowOptions) -> String {
    format!(
        "minutes are medians over departures every {} min {}–{} on {}, {} draws (seed {}), the same draws in both scenarios",
        o.step / 60,
        format_clock(o.from),
        format_clock(o.to),
        o.date,
        o.draws,
        o.seed
    )
}

/// The places named as where trips start: [`places`], refusing zones
/// ([`crate::analysis::find_origin`]).
pub fn origins(net: &Network, names: &[String]) -> Result<Vec<PlaceIdx>> {
    names
        .iter()
        .map(|n| crate::analysis::find_origin(net, n).map_err(|e| UserError(e).into()))
        .collect()
}

/// The places named (ids or names), an error naming the first unknown one.
pub fn places(net: &Network, names: &[String]) -> Result<Vec<PlaceIdx>> {
    names
        .iter()
        .map(|n| crate::analysis::matrix::find_place(net, n).map_err(|e| UserError(e).into()))
        .collect()
}
