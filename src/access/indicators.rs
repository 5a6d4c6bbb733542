//! Accessibility indicators of one origin, from its travel times to every destination and the
//! opportunities at the destinations: cumulative opportunities within cutoffs, the decay
//! functions of Conveyal Analysis, and the dual measure (minutes to reach N opportunities).
//! Definitions, with their sources, in `docs/access.md`.
//!
//! # Definitions
//!
//! An origin's travel time to destination `j` is `t_j` whole seconds (`UNREACHED` if never
//! reached), `O_j` the opportunities of one column there, `c` a cutoff in minutes (`C = 60 c`
//! seconds).
//!
//! - *Cumulative*: `A = Σ_j O_j [t_j ≤ C]`, the opportunities reached within the cutoff. A
//!   trip of exactly the cutoff counts, as in onehour's one-hour verdicts (`check`, `matrix`);
//!   Conveyal's step function counts `t_j < C`, one second less.
//! - *Decay*: `A = Σ_j O_j f(t_j)` with a weight `f` from 1 down to 0, as Conveyal defines them
//!   ("Decay Functions", <https://docs.conveyal.com/learn-more/decay-functions>, source
//!   `docs/learn-more/decay-functions.mdx` of the repository conveyal/docs at commit
//!   3708ab24941e03af66ca314d896cabb8b919895a), evaluated at one-second resolution:
//!   - `step`: `f(t) = 1` if `t ≤ C`, else 0 (the cumulative measure again);
//!   - `linear` with a width `W` minutes "symmetric around the cutoff, taking W to taper down
//!     from one to zero": `f(t) = clamp((C + W'/2 − t) / W', 0, 1)` with `W' = 60 W`
//!     seconds (`W = 0` is `step`);
//!   - `logistic` with a standard deviation `σ` minutes: the complementary CDF of the logistic
//!     distribution with median `C` and standard deviation `σ' = 60 σ` seconds, i.e. scale
//!     `s = σ'√3/π`, normalised so that `f(0) = 1` as Conveyal's R5 computes it (Bauer and
//!     Groneberg 2016, eq. 9; `LogisticDecayFunction.java` of conveyal/r5 at commit
//!     0182a44973b882cf74a5af70e170ada6f2433962):
//!     `f(t) = (1 + e^(−C/s)) / (1 + e^((t − C)/s))`;
//!   - `exponential`: the cutoff is the half-life, `f(t) = 0.5^(t/C)`;
//!   - `fixed_exponential` with a constant `λ` per second in (0, 1): `f(t) = e^(−λt)`, which
//!     ignores the cutoff (so it gives one column per opportunity column, not one per cutoff).
//!
//!   As in R5, weights that approach zero without reaching it are cut to zero: both
//!   exponentials at two hours and beyond, and the logistic and exponentials from the first
//!   second their weight falls below [`ZERO_EPSILON`] (R5's `DecayFunction.reachesZeroAt`,
//!   beyond which its search does not go). No weight counts beyond [`MAX_SECONDS`].
//! - *Dual*: the least travel time `T` (seconds, reported in minutes) such that the
//!   opportunities reached within `T` (`Σ_j O_j [t_j ≤ T]`) are at least `N`; none (`NaN`) when
//!   fewer than `N` are reached within [`MAX_SECONDS`]. So `T ≤ C` exactly when the cumulative
//!   measure at cutoff `C` is at least `N`.
//!
//! # Computation
//!
//! [`Evaluator::evaluate`] does one pass over the destinations, adding each destination's
//! opportunities to a histogram by travel time in seconds (times at or beyond the evaluator's
//! bound are skipped), then turns the histogram into cumulative sums `H(t)` over the seconds
//! actually reached. Every indicator is then read off `H`: cumulative measures at one second,
//! decay measures as `Σ_t (f(t) − f(t+1)) H(t)` over the seconds where `f` changes (summation
//! by parts; a precomputed table per decay function and cutoff, so a linear decay of width `W`
//! costs `60 W` terms, a step one), duals by bisection. Nothing is allocated per origin: the
//! histogram lives in a [`Scratch`] reused from origin to origin (one per thread; the
//! [`Evaluator`] itself is shared).

use std::f64::consts::PI;

use crate::network::ids::Seconds;

/// Weights below this are cut to zero (R5's `DecayFunction.ZERO_EPSILON`).
pub const ZERO_EPSILON: f64 = 0.001;

/// No travel time of four hours or more counts in any indicator (R5 looks for a decay
/// function's zero point below four hours too).
pub const MAX_SECONDS: Seconds = 4 * 3600;

/// Both exponentials give no weight from two hours on (R5's `TWO_HOURS_IN_SECONDS`).
pub const EXPONENTIAL_LIMIT_SECONDS: Seconds = 2 * 3600;

/// Largest cutoff, minutes.
pub const MAX_CUTOFF_MIN: u32 = 180;

/// A decay function (see the module documentation for the formulas and their source).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decay {
    /// 1 within the cutoff, 0 beyond.
    Step,
    /// From 1 to 0 linearly over `width_min` minutes centred on the cutoff.
    Linear {
        /// Width of the slope, minutes, in [0, 120].
        width_min: f64,
    },
    /// Logistic CDF with median at the cutoff, normalised to 1 at zero travel time.
    Logistic {
        /// Standard deviation, minutes, in (0, 120].
        sd_min: f64,
    },
    /// Exponential with the cutoff as half-life.
    Exponential,
    /// Exponential with a fixed decay constant, ignoring the cutoff.
    FixedExponential {
        /// Decay constant per second of travel time, in (0, 1).
        per_second: f64,
    },
}

impl Decay {
    /// The function's name as used in column names: `step`, `linear`, `logistic`,
    /// `exponential`, `fixed_exponential`.
    pub fn name(&self) -> &'static str {
        match self {
            Decay::Step => "step",
            Decay::Linear { .. } => "linear",
            Decay::Logistic { .. } => "logistic",
            Decay::Exponential => "exponential",
            Decay::FixedExponential { .. } => "fixed_exponential",
        }
    }

    /// Whether the weights depend on the cutoff (all but `fixed_exponential`).
    pub fn uses_cutoff(&self) -> bool {
        !matches!(self, Decay::FixedExponential { .. })
    }

    /// Parses `step`, `linear:WIDTH_MIN`, `logistic:SD_MIN`, `exponential` or
    /// `fixed_exponential:LAMBDA_PER_SECOND`, and checks the parameter.
    pub fn parse(s: &str) -> Result<Decay, String> {
        let s = s.trim();
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (s, None),
        };
        let num = |what: &str, example: &str| -> Result<f64, String> {
            let a =
                arg.ok_or_else(|| format!("the {name} decay needs its {what}, e.g. {example}"))?;
            a.parse::<f64>().map_err(|_| {
                format!("the {name} decay's {what} '{a}' is not a number, e.g. {example}")
            })
        };
        let d = match name {
            "step" | "exponential" if arg.is_some() => {
                return Err(format!(
                    "the {name} decay takes no parameter (the cutoff {}); write {name}",
                    if name == "step" { "is its edge" } else { "is its half-life" }
                ))
            }
            "step" => Decay::Step,
            "exponential" => Decay::Exponential,
            "linear" => Decay::Linear {
                width_min: num("width in minutes", "linear:10")?,
            },
            "logistic" => Decay::Logistic {
                sd_min: num("standard deviation in minutes", "logistic:10")?,
            },
            "fixed_exponential" | "fixed-exponential" => Decay::FixedExponential {
                per_second: num("decay constant per second", "fixed_exponential:0.001")?,
            },
            other => {
                return Err(format!(
                    "unknown decay function '{other}'; give step, linear:WIDTH_MIN, logistic:SD_MIN, exponential or fixed_exponential:LAMBDA_PER_SECOND"
                ))
            }
        };
        d.check()?;
        Ok(d)
    }

    /// Checks the parameter's range, saying what is wrong in a sentence.
    pub fn check(&self) -> Result<(), String> {
        match *self {
            Decay::Linear { width_min: w } if !(w.is_finite() && (0.0..=120.0).contains(&w)) => Err(
                format!("the linear decay's width {w} minutes is outside 0..120"),
            ),
            Decay::Logistic { sd_min: s } if !(s.is_finite() && s > 0.0 && s <= 120.0) => Err(
                format!("the logistic decay's standard deviation {s} minutes is outside (0, 120]"),
            ),
            Decay::FixedExponential { per_second: l } if !(l.is_finite() && l > 0.0 && l < 1.0) => {
                Err(format!(
                    "the fixed exponential decay constant {l} per second is outside (0, 1) (divide a constant per minute by 60)"
                ))
            }
            _ => Ok(()),
        }
    }

    /// The formula, before any cut to zero.
    fn raw(&self, cutoff_s: f64, t: f64) -> f64 {
        match *self {
            Decay::Step => (t <= cutoff_s) as u8 as f64,
            Decay::Linear { width_min } => {
                let w = width_min * 60.0;
                if w == 0.0 {
                    (t <= cutoff_s) as u8 as f64
                } else {
                    ((cutoff_s + w / 2.0 - t) / w).clamp(0.0, 1.0)
                }
            }
            Decay::Logistic { sd_min } => {
                let s = sd_min * 60.0 * 3f64.sqrt() / PI;
                (1.0 + (-cutoff_s / s).exp()) / (1.0 + ((t - cutoff_s) / s).exp())
            }
            Decay::Exponential => 0.5f64.powf(t / cutoff_s),
            Decay::FixedExponential { per_second } => (-per_second * t).exp(),
        }
    }

    /// The first travel time (seconds) from which the weight is zero at cutoff `cutoff_min`:
    /// where the formula reaches zero, or falls below [`ZERO_EPSILON`] (found by bisection, the
    /// formulas decrease), two hours for the exponentials, and at most [`MAX_SECONDS`].
    pub fn zero_at(&self, cutoff_min: u32) -> Seconds {
        let c = cutoff_min as f64 * 60.0;
        let hi = match self {
            Decay::Step => return (cutoff_min * 60 + 1).min(MAX_SECONDS),
            Decay::Linear { width_min } if *width_min == 0.0 => {
                return (cutoff_min * 60 + 1).min(MAX_SECONDS)
            }
            Decay::Linear { width_min } => {
                return ((c + width_min * 30.0).ceil() as Seconds).min(MAX_SECONDS)
            }
            Decay::Logistic { .. } => MAX_SECONDS,
            Decay::Exponential | Decay::FixedExponential { .. } => EXPONENTIAL_LIMIT_SECONDS,
        };
        // The first t in [0, hi] with raw(t) < ZERO_EPSILON (hi if none).
        let (mut lo, mut hi) = (0, hi);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.raw(c, mid as f64) < ZERO_EPSILON {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }

    /// The weight of an opportunity `t` seconds away at cutoff `cutoff_min` (for
    /// `fixed_exponential` the cutoff is ignored): the formula, cut to zero from
    /// [`Decay::zero_at`] on.
    pub fn weight(&self, cutoff_min: u32, t: Seconds) -> f64 {
        if t >= self.zero_at(cutoff_min) {
            0.0
        } else {
            self.raw(cutoff_min as f64 * 60.0, t as f64)
        }
    }
}

/// What an indicator measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measure {
    /// Opportunities within the cutoff.
    Cumulative {
        /// Cutoff, minutes.
        cutoff_min: u32,
    },
    /// Opportunities weighted by a decay function.
    Decayed {
        /// The function.
        decay: Decay,
        /// Cutoff, minutes (for `fixed_exponential`, which ignores it, the first cutoff).
        cutoff_min: u32,
    },
    /// Minutes to reach `n` opportunities.
    Dual {
        /// The number of opportunities, > 0.
        n: f64,
    },
}

/// One output column: a measure of one opportunity column.
#[derive(Clone, Debug, PartialEq)]
pub struct Indicator {
    /// Column name in the outputs, e.g. `jobs_within_45`, `jobs_logistic_45`,
    /// `jobs_fixed_exponential`, `minutes_to_100000_jobs`.
    pub name: String,
    /// Index of the opportunity column in [`Spec::columns`].
    pub column: usize,
    /// What it measures.
    pub measure: Measure,
}

impl Indicator {
    /// Whether a larger value is better (all but the dual measure, which is minutes).
    pub fn higher_is_better(&self) -> bool {
        !matches!(self.measure, Measure::Dual { .. })
    }
}

/// A dual measure asked for: minutes to reach `n` opportunities of column `column`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dual {
    /// Index of the opportunity column in [`Spec::columns`].
    pub column: usize,
    /// Number of opportunities to reach, > 0.
    pub n: f64,
}

/// The indicators to compute.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// Names of the opportunity columns, e.g. `population`, `jobs`.
    pub columns: Vec<String>,
    /// Cutoffs, whole minutes in 1..=[`MAX_CUTOFF_MIN`], strictly increasing.
    pub cutoffs_min: Vec<u32>,
    /// Decay functions beyond the cumulative measure, each kind at most once.
    pub decays: Vec<Decay>,
    /// Dual measures.
    pub duals: Vec<Dual>,
}

/// A count for a column name: whole numbers without decimals (`100000`), others as written.
pub fn count_label(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

impl Spec {
    /// Checks the spec, saying what is wrong in a sentence.
    pub fn check(&self) -> Result<(), String> {
        if self.columns.is_empty() {
            return Err("no opportunity column to measure".into());
        }
        if self.cutoffs_min.is_empty() {
            return Err("give at least one cutoff in minutes, e.g. 30,45,60".into());
        }
        for &c in &self.cutoffs_min {
            if !(1..=MAX_CUTOFF_MIN).contains(&c) {
                return Err(format!(
                    "the cutoff {c} minutes is outside 1..{MAX_CUTOFF_MIN}"
                ));
            }
        }
        if self.cutoffs_min.windows(2).any(|w| w[0] >= w[1]) {
            return Err("cutoffs must be strictly increasing, e.g. 30,45,60".into());
        }
        for (i, d) in self.decays.iter().enumerate() {
            d.check()?;
            if self.decays[..i].iter().any(|e| e.name() == d.name()) {
                return Err(format!(
                    "the {} decay is given twice; give each decay function once",
                    d.name()
                ));
            }
        }
        for d in &self.duals {
            if d.column >= self.columns.len() {
                return Err(format!(
                    "dual measure on column #{} of {}",
                    d.column,
                    self.columns.len()
                ));
            }
            if !(d.n.is_finite() && d.n > 0.0) {
                return Err(format!(
                    "the number of {} to reach, {}, must be a positive number",
                    self.columns[d.column], d.n
                ));
            }
        }
        let names: Vec<String> = self.indicators().into_iter().map(|i| i.name).collect();
        if let Some(i) = (1..names.len()).find(|&i| names[..i].contains(&names[i])) {
            return Err(format!("the output column {} would appear twice", names[i]));
        }
        Ok(())
    }

    /// The indicators, in output order: for each column the cumulative measure at every
    /// cutoff; then for each decay function, each column at every cutoff (once for
    /// `fixed_exponential`); then the duals in the order given.
    pub fn indicators(&self) -> Vec<Indicator> {
        let mut out = Vec::new();
        for (k, col) in self.columns.iter().enumerate() {
            for &c in &self.cutoffs_min {
                out.push(Indicator {
                    name: format!("{col}_within_{c}"),
                    column: k,
                    measure: Measure::Cumulative { cutoff_min: c },
                });
            }
        }
        for d in &self.decays {
            for (k, col) in self.columns.iter().enumerate() {
                if d.uses_cutoff() {
                    for &c in &self.cutoffs_min {
                        out.push(Indicator {
                            name: format!("{col}_{}_{c}", d.name()),
                            column: k,
                            measure: Measure::Decayed {
                                decay: *d,
                                cutoff_min: c,
                            },
                        });
                    }
                } else {
                    out.push(Indicator {
                        name: format!("{col}_{}", d.name()),
                        column: k,
                        measure: Measure::Decayed {
                            decay: *d,
                            cutoff_min: self.cutoffs_min.first().copied().unwrap_or(1),
                        },
                    });
                }
            }
        }
        for d in &self.duals {
            out.push(Indicator {
                name: format!(
                    "minutes_to_{}_{}",
                    count_label(d.n),
                    self.columns.get(d.column).map_or("", |s| s.as_str())
                ),
                column: d.column,
                measure: Measure::Dual { n: d.n },
            });
        }
        out
    }
}

/// The weights of one decay function at one cutoff where they change: `dw[k] = f(t) −
/// f(t + 1)` and `w[k] = f(t)` for `t = lo + k`, `lo..lo + dw.len()`; `f` is constant below
/// `lo` and zero from `lo + dw.len()` on.
#[derive(Clone, Debug)]
struct Table {
    lo: usize,
    dw: Vec<f64>,
    w: Vec<f64>,
}

impl Table {
    fn new(decay: &Decay, cutoff_min: u32) -> Table {
        // `weight` itself (the formula, 0 from the zero point on), finding the zero once.
        let zero = decay.zero_at(cutoff_min) as usize;
        let c = cutoff_min as f64 * 60.0;
        let f: Vec<f64> = (0..=zero)
            .map(|t| {
                if t < zero {
                    decay.raw(c, t as f64)
                } else {
                    0.0
                }
            })
            .collect();
        let lo = (0..zero).find(|&t| f[t] != f[t + 1]).unwrap_or(zero);
        Table {
            lo,
            dw: (lo..zero).map(|t| f[t] - f[t + 1]).collect(),
            w: f[lo..zero].to_vec(),
        }
    }
}

/// How one indicator is read off the cumulative histogram.
#[derive(Clone, Copy, Debug)]
enum Kernel {
    /// `H(last)`.
    Cumulative { col: usize, last: usize },
    /// `Σ dw(t) H(t)` with table `table`.
    Weighted { col: usize, table: usize },
    /// Least `t` with `H(t) ≥ n`.
    Dual { col: usize, n: f64 },
}

/// Computes the indicators of a [`Spec`] for origin after origin; shared by all threads,
/// each with its own [`Scratch`].
#[derive(Clone, Debug)]
pub struct Evaluator {
    indicators: Vec<Indicator>,
    kernels: Vec<Kernel>,
    tables: Vec<Table>,
    ncol: usize,
    /// Opportunities destination by destination: `opp[j * ncol + c]`.
    opp: Vec<f64>,
    n_dest: usize,
    bound: usize,
}

/// Per-thread working memory of an [`Evaluator`]: the histogram by travel time, all zero
/// between calls.
#[derive(Clone, Debug)]
pub struct Scratch {
    hist: Vec<f64>,
}

impl Evaluator {
    /// An evaluator for `spec` over destinations whose opportunities are `columns` (one slice
    /// per column of `spec.columns`, each with one value per destination, finite and
    /// non-negative). Errors if the spec is invalid or the columns do not match it.
    pub fn new(spec: &Spec, columns: &[&[f64]]) -> Result<Evaluator, String> {
        spec.check()?;
        if columns.len() != spec.columns.len() {
            return Err(format!(
                "{} opportunity columns given for the {} named",
                columns.len(),
                spec.columns.len()
            ));
        }
        let n = columns.first().map_or(0, |c| c.len());
        if columns.iter().any(|c| c.len() != n) {
            return Err("the opportunity columns differ in length".into());
        }
        if let Some((k, v)) = columns.iter().enumerate().find_map(|(k, c)| {
            c.iter()
                .find(|v| !(v.is_finite() && **v >= 0.0))
                .map(|v| (k, v))
        }) {
            return Err(format!(
                "opportunity column {} holds {v}; counts must be finite and non-negative",
                spec.columns[k]
            ));
        }
        let ncol = columns.len();
        let mut opp = vec![0.0; n * ncol];
        for (c, col) in columns.iter().enumerate() {
            for (j, v) in col.iter().enumerate() {
                opp[j * ncol + c] = *v;
            }
        }
        let indicators = spec.indicators();
        let mut tables: Vec<(Decay, u32, Table)> = Vec::new();
        let mut kernels = Vec::with_capacity(indicators.len());
        let mut bound = 0usize;
        for ind in &indicators {
            let k = match ind.measure {
                Measure::Cumulative { cutoff_min } => {
                    let last = cutoff_min as usize * 60;
                    bound = bound.max(last + 1);
                    Kernel::Cumulative {
                        col: ind.column,
                        last,
                    }
                }
                Measure::Decayed { decay, cutoff_min } => {
                    let pos = match tables
                        .iter()
                        .position(|(d, c, _)| *d == decay && *c == cutoff_min)
                    {
                        Some(p) => p,
                        None => {
                            tables.push((decay, cutoff_min, Table::new(&decay, cutoff_min)));
                            tables.len() - 1
                        }
                    };
                    let t = &tables[pos].2;
                    bound = bound.max(t.lo + t.dw.len());
                    Kernel::Weighted {
                        col: ind.column,
                        table: pos,
                    }
                }
                Measure::Dual { n } => {
                    bound = MAX_SECONDS as usize;
                    Kernel::Dual { col: ind.column, n }
                }
            };
            kernels.push(k);
        }
        Ok(Evaluator {
            indicators,
            kernels,
            tables: tables.into_iter().map(|t| t.2).collect(),
            ncol,
            opp,
            n_dest: n,
            bound: bound.min(MAX_SECONDS as usize),
        })
    }

    /// The indicators, in the order [`Evaluator::evaluate`] writes them.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// Number of destinations.
    pub fn destinations(&self) -> usize {
        self.n_dest
    }

    /// Travel times of this many seconds or more count in no indicator: a search for these
    /// indicators may stop there.
    pub fn bound_seconds(&self) -> Seconds {
        self.bound as Seconds
    }

    /// Working memory for one thread.
    pub fn scratch(&self) -> Scratch {
        Scratch {
            hist: vec![0.0; self.bound * self.ncol],
        }
    }

    /// The indicators of one origin, written to `out` (one value per indicator, in the
    /// order of [`Evaluator::indicators`]; a dual measure not reached is `NaN`), from its
    /// travel times in seconds to every destination (`UNREACHED` for none). Allocates
    /// nothing. Panics if `times` or `out` has the wrong length, or if `scratch` comes from
    /// another evaluator.
    pub fn evaluate(&self, scratch: &mut Scratch, times: &[Seconds], out: &mut [f64]) {
        let nc = self.ncol;
        assert_eq!(
            times.len(),
            self.destinations(),
            "one travel time per destination"
        );
        assert_eq!(out.len(), self.kernels.len(), "one output per indicator");
        let hist = &mut scratch.hist[..];
        assert_eq!(hist.len(), self.bound * nc, "scratch of this evaluator");
        let (mut tmin, mut tmax) = (usize::MAX, 0usize);
        for (t, src) in times.iter().zip(self.opp.chunks_exact(nc)) {
            let t = *t as usize;
            if t < self.bound {
                let dst = &mut hist[t * nc..t * nc + nc];
                for (d, s) in dst.iter_mut().zip(src) {
                    *d += s;
                }
                tmin = tmin.min(t);
                tmax = tmax.max(t);
            }
        }
        if tmin == usize::MAX {
            for (o, k) in out.iter_mut().zip(&self.kernels) {
                *o = if matches!(k, Kernel::Dual { .. }) {
                    f64::NAN
                } else {
                    0.0
                };
            }
            return;
        }
        // Cumulative sums over the seconds reached.
        for t in tmin + 1..=tmax {
            let (before, here) = hist.split_at_mut(t * nc);
            let prev = &before[(t - 1) * nc..];
            for (h, p) in here[..nc].iter_mut().zip(prev) {
                *h += p;
            }
        }
        let h = |t: usize, c: usize| -> f64 {
            if t < tmin {
                0.0
            } else {
                hist[t.min(tmax) * nc + c]
            }
        };
        for (o, k) in out.iter_mut().zip(&self.kernels) {
            *o = match *k {
                Kernel::Cumulative { col, last } => h(last, col),
                Kernel::Weighted { col, table } => {
                    let tb = &self.tables[table];
                    let hi = tb.lo + tb.dw.len();
                    let a0 = tb.lo.max(tmin);
                    let a1 = hi.min(tmax + 1);
                    let mut s = 0.0;
                    if a0 < a1 {
                        let dw = &tb.dw[a0 - tb.lo..a1 - tb.lo];
                        let hs = hist[a0 * nc + col..].iter().step_by(nc);
                        for (d, hv) in dw.iter().zip(hs) {
                            s += d * hv;
                        }
                    }
                    // Beyond the last second reached, H stays at its total.
                    let a = tb.lo.max(tmax + 1);
                    if a < hi {
                        s += hist[tmax * nc + col] * tb.w[a - tb.lo];
                    }
                    s
                }
                Kernel::Dual { col, n } => {
                    if hist[tmax * nc + col] < n {
                        f64::NAN
                    } else {
                        // Least t in [tmin, tmax] with H(t) >= n.
                        let (mut lo, mut hi) = (tmin, tmax);
                        while lo < hi {
                            let mid = (lo + hi) / 2;
                            if hist[mid * nc + col] >= n {
                                hi = mid;
                            } else {
                                lo = mid + 1;
                            }
                        }
                        lo as f64 / 60.0
                    }
                }
            };
        }
        hist[tmin * nc..(tmax + 1) * nc].fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ids::UNREACHED;

    /// The formulas as Conveyal's page and R5 state them, written out independently of
    /// `Decay::raw` (minutes, continuous).
    fn logistic(t_min: f64, median_min: f64, sd_min: f64) -> f64 {
        // CDF of the logistic distribution: 1 / (1 + exp(-(x - mu) / s)), s = sd·√3/π.
        let s = sd_min * 3f64.sqrt() / PI;
        let survive = |x: f64| 1.0 - 1.0 / (1.0 + (-(x - median_min) / s).exp());
        survive(t_min) / survive(0.0)
    }

    #[test]
    fn decay_weights_match_the_formulas() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        // Step: a trip of exactly the cutoff counts, one second more does not.
        assert_eq!(Decay::Step.weight(30, 1800), 1.0);
        assert_eq!(Decay::Step.weight(30, 1801), 0.0);
        assert_eq!(Decay::Step.weight(30, 0), 1.0);
        // Linear, 10 minutes wide around 30: 1 until 25, 0.5 at 30, 0 from 35.
        let lin = Decay::Linear { width_min: 10.0 };
        assert_eq!(lin.weight(30, 25 * 60), 1.0);
        assert_eq!(lin.weight(30, 24 * 60), 1.0);
        assert!(close(lin.weight(30, 1650), 0.75));
        assert!(close(lin.weight(30, 1800), 0.5));
        assert!(close(lin.weight(30, 2099), 1.0 / 600.0));
        assert_eq!(lin.weight(30, 35 * 60), 0.0);
        assert_eq!(lin.zero_at(30), 2100);
        // Logistic: 1 at zero, about a half at the median (exactly a half before the
        // normalisation), symmetric around it.
        let lg = Decay::Logistic { sd_min: 10.0 };
        assert!(close(lg.weight(30, 0), 1.0));
        for t in [0.0, 10.0, 29.5, 30.0, 45.0, 60.0] {
            let got = lg.weight(30, (t * 60.0) as u32);
            assert!(
                (got - logistic(t, 30.0, 10.0)).abs() < 1e-12,
                "t {t}: {got}"
            );
        }
        let norm = 1.0 + (-30.0 / (10.0 * 3f64.sqrt() / PI)).exp();
        assert!(close(lg.weight(30, 1800), norm / 2.0));
        // Exponential: the cutoff is the half-life.
        assert!(close(Decay::Exponential.weight(30, 0), 1.0));
        assert!(close(Decay::Exponential.weight(30, 1800), 0.5));
        assert!(close(Decay::Exponential.weight(30, 3600), 0.25));
        assert!(close(
            Decay::Exponential.weight(45, 900),
            0.5f64.powf(1.0 / 3.0)
        ));
        // Fixed exponential: e^(−λt), whatever the cutoff.
        let fx = Decay::FixedExponential { per_second: 0.001 };
        assert!(close(fx.weight(30, 600), (-0.6f64).exp()));
        assert_eq!(fx.weight(30, 600), fx.weight(90, 600));
    }

    #[test]
    fn tails_are_cut_to_zero_as_r5_does() {
        // Exponential with a 60-minute half-life would fall below 0.001 only after ~598 min:
        // cut at two hours.
        assert_eq!(Decay::Exponential.zero_at(60), 7200);
        assert!(Decay::Exponential.weight(60, 7199) > 0.2);
        assert_eq!(Decay::Exponential.weight(60, 7200), 0.0);
        // With a 10-minute half-life, below 0.001 from 10·log2(1000) = 99.66 min on.
        let z = Decay::Exponential.zero_at(10);
        assert_eq!(z, (600.0 * 1000f64.log2()).ceil() as u32);
        assert!(Decay::Exponential.weight(10, z - 1) >= ZERO_EPSILON);
        assert_eq!(Decay::Exponential.weight(10, z), 0.0);
        // Logistic: the first second below 0.001.
        let lg = Decay::Logistic { sd_min: 5.0 };
        let z = lg.zero_at(30);
        assert!(logistic((z - 1) as f64 / 60.0, 30.0, 5.0) >= ZERO_EPSILON);
        assert!(logistic(z as f64 / 60.0, 30.0, 5.0) < ZERO_EPSILON);
        // Never beyond four hours.
        assert_eq!(Decay::Logistic { sd_min: 120.0 }.zero_at(180), MAX_SECONDS);
    }

    #[test]
    fn decays_parse_and_check_their_parameters() {
        assert_eq!(Decay::parse("step"), Ok(Decay::Step));
        assert_eq!(
            Decay::parse(" linear:10 "),
            Ok(Decay::Linear { width_min: 10.0 })
        );
        assert_eq!(
            Decay::parse("logistic:5"),
            Ok(Decay::Logistic { sd_min: 5.0 })
        );
        assert_eq!(Decay::parse("exponential"), Ok(Decay::Exponential));
        assert_eq!(
            Decay::parse("fixed-exponential:0.002"),
            Ok(Decay::FixedExponential { per_second: 0.002 })
        );
        for (bad, want) in [
            ("logistic", "needs its standard deviation"),
            ("logistic:0", "outside (0, 120]"),
            ("linear:abc", "not a number"),
            ("linear:-1", "outside 0..120"),
            ("exponential:30", "takes no parameter"),
            ("fixed_exponential:2", "divide a constant per minute by 60"),
            ("gaussian", "unknown decay function"),
        ] {
            let e = Decay::parse(bad).unwrap_err();
            assert!(e.contains(want), "{bad}: {e}");
        }
    }

    fn spec(cutoffs: &[u32], decays: &[Decay], duals: &[Dual]) -> Spec {
        Spec {
            columns: vec!["population".into(), "jobs".into()],
            cutoffs_min: cutoffs.to_vec(),
            decays: decays.to_vec(),
            duals: duals.to_vec(),
        }
    }

    #[test]
    fn names_in_output_order() {
        let s = spec(
            &[30, 45],
            &[
                Decay::Logistic { sd_min: 5.0 },
                Decay::FixedExponential { per_second: 0.001 },
            ],
            &[
                Dual {
                    column: 1,
                    n: 100000.0,
                },
                Dual { column: 0, n: 2.5 },
            ],
        );
        let names: Vec<String> = s.indicators().into_iter().map(|i| i.name).collect();
        assert_eq!(
            names,
            [
                "population_within_30",
                "population_within_45",
                "jobs_within_30",
                "jobs_within_45",
                "population_logistic_30",
                "population_logistic_45",
                "jobs_logistic_30",
                "jobs_logistic_45",
                "population_fixed_exponential",
                "jobs_fixed_exponential",
                "minutes_to_100000_jobs",
                "minutes_to_2.5_population",
            ]
        );
        for (bad, want) in [
            (spec(&[], &[], &[]), "at least one cutoff"),
            (spec(&[45, 30], &[], &[]), "strictly increasing"),
            (spec(&[0], &[], &[]), "outside 1..180"),
            (spec(&[30], &[Decay::Step, Decay::Step], &[]), "given twice"),
            (
                spec(&[30], &[], &[Dual { column: 1, n: 0.0 }]),
                "positive number",
            ),
            (
                spec(
                    &[30],
                    &[],
                    &[Dual { column: 1, n: 5.0 }, Dual { column: 1, n: 5.0 }],
                ),
                "appear twice",
            ),
        ] {
            let e = bad.check().unwrap_err();
            assert!(e.contains(want), "{e}");
        }
    }

    /// A hand-computed case: three destinations.
    #[test]
    fn a_small_origin_by_hand() {
        // population, jobs at three destinations; times 10 min, 30 min, unreached; a fourth
        // at 50 min.
        let pop = [100.0, 50.0, 1000.0, 10.0];
        let jobs = [5.0, 20.0, 1000.0, 40.0];
        let s = spec(
            &[30, 45, 60],
            &[
                Decay::Step,
                Decay::Linear { width_min: 20.0 },
                Decay::Exponential,
            ],
            &[Dual { column: 1, n: 25.0 }, Dual { column: 1, n: 66.0 }],
        );
        let ev = Evaluator::new(&s, &[&pop, &jobs]).unwrap();
        let mut sc = ev.scratch();
        let mut out = vec![0.0; ev.indicators().len()];
        ev.evaluate(&mut sc, &[600, 1800, UNREACHED, 3000], &mut out);
        let get = |name: &str| {
            let i = ev.indicators().iter().position(|i| i.name == name).unwrap();
            out[i]
        };
        assert_eq!(get("population_within_30"), 150.0);
        assert_eq!(get("population_within_45"), 150.0);
        assert_eq!(get("population_within_60"), 160.0);
        assert_eq!(get("jobs_within_30"), 25.0);
        assert_eq!(get("jobs_within_60"), 65.0);
        assert_eq!(get("jobs_step_30"), 25.0);
        // Linear, 20 min wide: at cutoff 30, 10 min → 1, 30 min → 0.5, 50 min → 0.
        assert!((get("jobs_linear_30") - (5.0 + 10.0)).abs() < 1e-9);
        // At cutoff 45 (slope 35..55): 1, 1, (55 − 50)/20 = 0.25.
        assert!((get("jobs_linear_45") - (5.0 + 20.0 + 10.0)).abs() < 1e-9);
        // Exponential, half-life 30: 2^(−1/3), 1/2, 2^(−5/3).
        let want = 5.0 * 0.5f64.powf(1.0 / 3.0) + 20.0 * 0.5 + 40.0 * 0.5f64.powf(5.0 / 3.0);
        assert!((get("jobs_exponential_30") - want).abs() < 1e-9);
        // 25 jobs are reached at 30 minutes, 66 never (65 in all).
        assert_eq!(get("minutes_to_25_jobs"), 30.0);
        assert!(get("minutes_to_66_jobs").is_nan());
        // The scratch is clean again: the same origin gives the same values.
        let first = out.clone();
        ev.evaluate(&mut sc, &[600, 1800, UNREACHED, 3000], &mut out);
        assert_eq!(format!("{first:?}"), format!("{out:?}"));
        // An origin that reaches nothing.
        ev.evaluate(&mut sc, &[UNREACHED; 4], &mut out);
        assert!(out
            .iter()
            .zip(ev.indicators())
            .all(|(v, i)| if i.higher_is_better() {
                *v == 0.0
            } else {
                v.is_nan()
            }));
        assert!(sc.hist.iter().all(|&h| h == 0.0));
    }

    /// Direct evaluation, one destination at a time, from `Decay::weight` and the
    /// definitions (no histogram).
    fn direct(spec: &Spec, cols: &[Vec<f64>], times: &[u32]) -> Vec<f64> {
        spec.indicators()
            .iter()
            .map(|ind| {
                let o = &cols[ind.column];
                match ind.measure {
                    Measure::Cumulative { cutoff_min } => times
                        .iter()
                        .zip(o)
                        .filter(|(t, _)| **t <= cutoff_min * 60)
                        .map(|(_, v)| v)
                        .sum(),
                    Measure::Decayed { decay, cutoff_min } => times
                        .iter()
                        .zip(o)
                        .filter(|(t, _)| **t != UNREACHED)
                        .map(|(t, v)| v * decay.weight(cutoff_min, *t))
                        .sum(),
                    Measure::Dual { n } => {
                        let mut by_time: Vec<(u32, f64)> = times
                            .iter()
                            .zip(o)
                            .filter(|(t, _)| **t < MAX_SECONDS)
                            .map(|(t, v)| (*t, *v))
                            .collect();
                        by_time.sort_by_key(|x| x.0);
                        let mut sum = 0.0;
                        let mut at = f64::NAN;
                        for (k, &(t, v)) in by_time.iter().enumerate() {
                            sum += v;
                            let last_of_t = by_time.get(k + 1).is_none_or(|x| x.0 != t);
                            if last_of_t && sum >= n {
                                at = t as f64 / 60.0;
                                break;
                            }
                        }
                        at
                    }
                }
            })
            .collect()
    }

    use proptest::prelude::*;

    fn decays() -> impl Strategy<Value = Vec<Decay>> {
        (
            0.0..40.0f64,
            0.5..30.0f64,
            0.0001..0.01f64,
            any::<[bool; 5]>(),
        )
            .prop_map(|(w, sd, l, on)| {
                let all = [
                    Decay::Step,
                    Decay::Linear {
                        width_min: w.round(),
                    },
                    Decay::Logistic { sd_min: sd },
                    Decay::Exponential,
                    Decay::FixedExponential { per_second: l },
                ];
                all.into_iter()
                    .zip(on)
                    .filter(|x| x.1)
                    .map(|x| x.0)
                    .collect()
            })
    }

    /// Travel times, two opportunity columns, cutoffs, decays and numbers for duals.
    type Case = (Vec<u32>, Vec<Vec<f64>>, Vec<u32>, Vec<Decay>, Vec<f64>);

    fn case() -> impl Strategy<Value = Case> {
        (1usize..60).prop_flat_map(|n| {
            (
                prop::collection::vec(
                    prop_oneof![
                        4 => 0u32..5400,
                        1 => Just(UNREACHED),
                        1 => 5400u32..20000,
                        1 => (1u32..90).prop_map(|m| m * 60),
                    ],
                    n,
                ),
                prop::collection::vec(
                    prop::collection::vec(prop_oneof![3 => 0.0..1000.0f64, 1 => Just(0.0), 1 => (0u32..50).prop_map(f64::from)], n),
                    2,
                ),
                prop::collection::btree_set(1u32..=MAX_CUTOFF_MIN, 1..5)
                    .prop_map(|s| s.into_iter().collect::<Vec<_>>()),
                decays(),
                prop::collection::vec(prop_oneof![0.5..5000.0f64, (1u32..200).prop_map(f64::from)], 0..3),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The histogram evaluation equals the direct sums; step equals cumulative; every
        /// measure grows with the cutoff; the dual is within a cutoff exactly when the
        /// cumulative measure there reaches N.
        #[test]
        fn evaluator_agrees_with_the_definitions((times, cols, cutoffs, decays, ns) in case()) {
            let mut duals: Vec<Dual> = Vec::new();
            for (k, n) in ns.iter().enumerate() {
                let d = Dual { column: k % 2, n: *n };
                if !duals.iter().any(|e| e.column == d.column && count_label(e.n) == count_label(d.n)) {
                    duals.push(d);
                }
            }
            let s = spec(&cutoffs, &decays, &duals);
            let ev = Evaluator::new(&s, &[&cols[0], &cols[1]]).unwrap();
            let mut sc = ev.scratch();
            let mut out = vec![0.0; ev.indicators().len()];
            ev.evaluate(&mut sc, &times, &mut out);
            let want = direct(&s, &cols, &times);
            let inds = ev.indicators();
            for (k, ind) in inds.iter().enumerate() {
                let (g, w) = (out[k], want[k]);
                if ind.higher_is_better() {
                    prop_assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "{}: {} vs {}", ind.name, g, w);
                } else {
                    prop_assert!(g == w || (g.is_nan() && w.is_nan()), "{}: {} vs {}", ind.name, g, w);
                }
            }
            let find = |p: &dyn Fn(&Indicator) -> bool| inds.iter().position(p);
            for col in 0..2 {
                for (ci, &c) in cutoffs.iter().enumerate() {
                    let cum = find(&|i| i.column == col && i.measure == Measure::Cumulative { cutoff_min: c }).unwrap();
                    // Step equals cumulative.
                    if let Some(st) = find(&|i| i.column == col && i.measure == Measure::Decayed { decay: Decay::Step, cutoff_min: c }) {
                        prop_assert!((out[st] - out[cum]).abs() <= 1e-9 * out[cum].max(1.0));
                    }
                    // Monotone in the cutoff.
                    if ci > 0 {
                        let prev = cutoffs[ci - 1];
                        for d in std::iter::once(None).chain(decays.iter().map(Some)) {
                            let m = |cut| match d {
                                None => Measure::Cumulative { cutoff_min: cut },
                                Some(d) => Measure::Decayed { decay: *d, cutoff_min: cut },
                            };
                            if let (Some(a), Some(b)) = (find(&|i| i.column == col && i.measure == m(prev)), find(&|i| i.column == col && i.measure == m(c))) {
                                prop_assert!(out[a] <= out[b] + 1e-9 * out[b].max(1.0), "{} {} > {} {}", inds[a].name, out[a], inds[b].name, out[b]);
                            }
                        }
                    }
                    // The dual against the cumulative measure.
                    for (k, ind) in inds.iter().enumerate() {
                        if let Measure::Dual { n } = ind.measure {
                            if ind.column == col {
                                let within = !out[k].is_nan() && (out[k] * 60.0).round() as u32 <= c * 60;
                                prop_assert_eq!(within, out[cum] >= n, "{} = {}, cumulative at {} = {}", &ind.name, out[k], c, out[cum]);
                            }
                        }
                    }
                }
            }
            // The scratch is left clean.
            prop_assert!(sc.hist.iter().all(|&h| h == 0.0));
        }

        /// A linear decay of width 0 is the step function.
        #[test]
        fn linear_of_width_zero_is_step(t in 0u32..20000, c in 1u32..=MAX_CUTOFF_MIN) {
            prop_assert_eq!(Decay::Linear { width_min: 0.0 }.weight(c, t), Decay::Step.weight(c, t));
        }

        /// Weights lie in [0, 1] and never increase with travel time nor decrease with the
        /// cutoff.
        #[test]
        fn weights_are_monotone(t in 0u32..15000, c in 1u32..MAX_CUTOFF_MIN, d in decays()) {
            for d in d {
                let w = d.weight(c, t);
                prop_assert!((0.0..=1.0).contains(&w));
                prop_assert!(d.weight(c, t + 1) <= w);
                prop_assert!(d.weight(c + 1, t) >= w, "{:?} at {} s: cutoff {} gives {}, {} gives {}", d, t, c, w, c + 1, d.weight(c + 1, t));
            }
        }
    }
}
