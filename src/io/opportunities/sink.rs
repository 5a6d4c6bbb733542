//! The problems of one file (at most [`MAX_SHOWN`] errors listed) and the checks of single
//! values shared by the CSV and GeoJSON readers.

use std::path::{Path, PathBuf};

use crate::network::model::Origin;
use crate::network::problem::{into_result, Problem, Problems};
use crate::network::source::Source;

/// Most errors listed for one file; the rest are counted in a last message.
pub const MAX_SHOWN: usize = 50;

/// The largest opportunity value of one point or feature: 10¹² (the world has 8·10⁹ people).
/// A larger value is a mistake (a code, an area in m², a value in the wrong unit), and
/// bounding it keeps every sum finite: a file of at most 64 MiB holds fewer than 10⁷ records,
/// so a column sums to less than 10¹⁹, within both `f64` and `u64`.
pub const MAX_VALUE: f64 = 1e12;

/// Collects the problems of one file, listing at most [`MAX_SHOWN`] errors.
pub(super) struct Sink {
    pub(super) file: String,
    pub(super) problems: Vec<Problem>,
    pub(super) errors: usize,
    /// Per column, where a value is missing (read as 0).
    pub(super) blanks: Vec<(String, Vec<String>)>,
}

impl Sink {
    pub(super) fn new(path: &Path) -> Sink {
        Sink {
            file: path.display().to_string(),
            problems: Vec::new(),
            errors: 0,
            blanks: Vec::new(),
        }
    }

    pub(super) fn origin(&self, line: Option<usize>) -> Origin {
        Origin {
            file: self.file.clone(),
            line,
        }
    }

    pub(super) fn error(
        &mut self,
        line: Option<usize>,
        record: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.errors += 1;
        if self.errors <= MAX_SHOWN {
            let o = self.origin(line);
            self.problems.push(Problem::error(&o, record, message, fix));
        }
    }

    pub(super) fn warning(
        &mut self,
        line: Option<usize>,
        record: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let o = self.origin(line);
        self.problems
            .push(Problem::warning(&o, record, message, fix));
    }

    /// A missing value of `column` at `at` (`line 12`, `feature 3`), read as 0 and reported in
    /// one warning per column.
    pub(super) fn blank(&mut self, column: &str, at: String) {
        match self.blanks.iter_mut().find(|b| b.0 == column) {
            Some(b) => b.1.push(at),
            None => self.blanks.push((column.to_string(), vec![at])),
        }
    }

    pub(super) fn has_errors(&self) -> bool {
        self.errors > 0
    }

    pub(super) fn finish(mut self) -> Result<Vec<Problem>, Problems> {
        for (col, at) in std::mem::take(&mut self.blanks) {
            let mut list: Vec<&str> = at.iter().take(10).map(|s| s.as_str()).collect();
            if at.len() > 10 {
                list.push("…");
            }
            self.warning(
                None,
                "",
                format!(
                    "{col} has no value in {} record(s) ({}): counted as 0",
                    at.len(),
                    list.join(", ")
                ),
                format!("write the number of {col} where it is known, or 0 where there are none"),
            );
        }
        if self.errors > MAX_SHOWN {
            let o = self.origin(None);
            self.problems.push(Problem::error(
                &o,
                "",
                format!(
                    "{} more errors like those above are not listed",
                    self.errors - MAX_SHOWN
                ),
                "fix the errors listed and run again to see the rest",
            ));
        }
        into_result(self.problems)
    }
}

/// Reads a user's file as UTF-8 text with the network loader's checks (a regular file, at
/// most `source::MAX_FILE_BYTES`, UTF-8; a byte-order mark is dropped).
pub(super) fn read_text(path: &Path, sink: &mut Sink, what: &str) -> Option<String> {
    let Some(p) = path.to_str() else {
        sink.error(
            None,
            "",
            "the path is not valid UTF-8",
            "rename the file or a folder on its path",
        );
        return None;
    };
    match Source::Disk(PathBuf::new()).read(p) {
        Ok(t) => Some(t),
        Err(e) => {
            let fix = match e {
                crate::network::source::ReadError::Missing => {
                    format!("give the path of an existing {what}")
                }
                _ => e.fix().to_string(),
            };
            sink.error(None, "", e.to_string(), fix);
            None
        }
    }
}

/// 1-based line numbers from byte offsets (csv's own line count is one short after CRLF line
/// ends).
pub(super) struct Lines(Vec<usize>);

impl Lines {
    pub(super) fn new(text: &str) -> Lines {
        Lines(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// The line of the first character at or after `byte` that does not end a line (a
    /// record's position may be the line end before it).
    pub(super) fn at(&self, text: &str, byte: u64) -> usize {
        let b = text.as_bytes();
        let mut i = (byte as usize).min(b.len());
        while i < b.len() && (b[i] == b'\n' || b[i] == b'\r') {
            i += 1;
        }
        self.0.partition_point(|&nl| nl < i) + 1
    }
}

/// A number written in a CSV field or read as text, checked: finite, and non-negative if
/// `non_negative`. The error is a message and a fix.
pub(super) fn number(s: &str, what: &str, non_negative: bool) -> Result<f64, (String, String)> {
    if s.is_empty() {
        return Err((format!("{what} is empty"), format!("give the {what}")));
    }
    let v: f64 = match s.parse() {
        Ok(v) => v,
        Err(_) => {
            let fix = if s.contains(',') || s.contains('\u{a0}') || s.contains(' ') {
                "write the number with a decimal point and without thousands separators, e.g. 1234.5"
            } else {
                "write a number, e.g. 1234.5"
            };
            return Err((format!("{what} '{s}' is not a number"), fix.into()));
        }
    };
    if !v.is_finite() {
        return Err((
            format!("{what} '{s}' is not a finite number"),
            "write a finite number".into(),
        ));
    }
    if non_negative {
        check_count(v, what)?;
    }
    Ok(v)
}

/// Checks an opportunity count: not negative and at most [`MAX_VALUE`] (finite is checked by
/// the caller; a value that is not finite fails the bound too).
pub(super) fn check_count(v: f64, what: &str) -> Result<f64, (String, String)> {
    if v < 0.0 {
        return Err((
            format!("{what} {v} is negative"),
            "opportunities are counts: write 0 or more".into(),
        ));
    }
    if v.is_nan() || v > MAX_VALUE {
        return Err((
            format!("{what} {v:e} is above the largest count accepted, 1e12 (the world has 8e9 people)"),
            format!("write the number of {what} at this point or in this area (check the column holds counts, not codes, areas or another unit)"),
        ));
    }
    Ok(v)
}

/// Checks a longitude and latitude (WGS84 degrees): what is wrong and the fix, with a hint
/// when they look swapped.
pub fn check_lonlat(lon: f64, lat: f64) -> Result<(), (String, String)> {
    let lon_ok = (-180.0..=180.0).contains(&lon);
    let lat_ok = (-90.0..=90.0).contains(&lat);
    if lon_ok && lat_ok {
        return Ok(());
    }
    let swapped = (-90.0..=90.0).contains(&lon) && (-180.0..=180.0).contains(&lat);
    let what = if !lon_ok {
        format!("longitude {lon} is outside -180..180")
    } else {
        format!("latitude {lat} is outside -90..90")
    };
    let fix = if swapped {
        "longitude and latitude look swapped: give longitude (east) first, then latitude, in WGS84 degrees"
    } else {
        "give WGS84 longitude and latitude in degrees (not projected metres)"
    };
    Err((what, fix.into()))
}

/// The first name given twice in `names`.
pub(super) fn repeated(names: &[String]) -> Option<&str> {
    (1..names.len())
        .find(|&i| names[..i].contains(&names[i]))
        .map(|i| names[i].as_str())
}
