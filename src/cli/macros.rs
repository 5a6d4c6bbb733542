//! The macros of the command line, declared first in `cli` so that every command file can
//! use them.

/// Appends a formatted line to a `String` (output is written in one piece by `emit`, which
/// handles closed pipes and full disks instead of panicking as `println!` does).
macro_rules! outln {
    ($buf:expr, $($arg:tt)*) => {{
        $buf.push_str(&format!($($arg)*));
        $buf.push('\n');
    }};
}
