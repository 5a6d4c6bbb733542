//! Reading a data file as a stream of checked UTF-8 text, for the CSV loader: the file is never
//! held whole, yet the checks that a whole-file read made (size limit, UTF-8 with the line and
//! byte offset of the first bad byte, a leading byte-order mark dropped, a quoted field never
//! closed, a file with nothing but blank and comment lines) give the same answers, at the end
//! of the stream.

use std::io::{self, Read};

use super::source::{count_work, ReadError, MAX_FILE_BYTES};

/// Bytes asked of the file at a time.
const CHUNK: usize = 64 << 10;

/// What [`TextScan`] found in a whole text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scanned {
    /// Every line is blank (whitespace only) or a comment (starts with `#`).
    pub empty: bool,
    /// The line of a quoted CSV field opened and never closed, if any.
    pub unterminated_quote: Option<usize>,
}

/// Where a quoted field stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Outside quotes.
    Plain,
    /// In a comment line (skipped up to its end).
    Comment,
    /// Inside a quoted field opened on this line.
    Quoted(usize),
    /// Inside a quoted field, just after a quote: an escaped quote if another follows, else
    /// the field's end.
    QuoteInQuoted(usize),
}

/// Where a line stands, for the empty-file check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineState {
    /// Nothing seen on this line yet.
    Start,
    /// Only whitespace so far.
    Blank,
    /// A comment line.
    Comment,
}

/// The checks made on a whole CSV text, fed piece by piece ([`TextScan::feed`]) in the order
/// of the text: whether it is empty (blank and comment lines only, as `str::lines` and
/// `str::trim` see them) and whether a quoted field is left open. The quote rules mirror the
/// csv crate's reading: a quote opens a field only as the field's first byte, `""` inside one
/// is an escaped quote, and a line starting with `#` is a comment.
#[derive(Clone, Debug)]
pub struct TextScan {
    line: usize,
    at_record_start: bool,
    at_field_start: bool,
    mode: Mode,
    content: bool,
    line_state: LineState,
}

impl Default for TextScan {
    fn default() -> Self {
        TextScan {
            line: 1,
            at_record_start: true,
            at_field_start: true,
            mode: Mode::Plain,
            content: false,
            line_state: LineState::Start,
        }
    }
}

impl TextScan {
    /// Scans the next piece of the text.
    pub fn feed(&mut self, text: &str) {
        if !self.content {
            for ch in text.chars() {
                self.content_char(ch);
                if self.content {
                    break;
                }
            }
        }
        for &c in text.as_bytes() {
            self.quote_byte(c);
        }
    }

    /// What the text scanned holds.
    pub fn finish(&self) -> Scanned {
        Scanned {
            empty: !self.content,
            unterminated_quote: match self.mode {
                Mode::Quoted(opened) => Some(opened),
                _ => None,
            },
        }
    }

    fn content_char(&mut self, ch: char) {
        if ch == '\n' {
            self.line_state = LineState::Start;
            return;
        }
        self.line_state = match self.line_state {
            LineState::Comment => LineState::Comment,
            LineState::Start if ch == '#' => LineState::Comment,
            _ if ch.is_whitespace() => LineState::Blank,
            s => {
                self.content = true;
                s
            }
        };
    }

    fn quote_byte(&mut self, c: u8) {
        match self.mode {
            Mode::Comment if c == b'\n' => self.mode = Mode::Plain,
            Mode::Comment => return,
            Mode::Quoted(opened) => {
                if c == b'"' {
                    self.mode = Mode::QuoteInQuoted(opened);
                } else if c == b'\n' {
                    self.line += 1;
                }
                return;
            }
            Mode::QuoteInQuoted(opened) if c == b'"' => {
                self.mode = Mode::Quoted(opened);
                return;
            }
            Mode::QuoteInQuoted(_) => {
                // The quote closed the field; `c` comes after it.
                self.mode = Mode::Plain;
                self.at_field_start = false;
            }
            Mode::Plain => {}
        }
        if self.at_record_start && c == b'#' {
            self.mode = Mode::Comment;
            return;
        }
        self.at_record_start = false;
        match c {
            b'\n' | b'\r' => {
                if c == b'\n' {
                    self.line += 1;
                }
                self.at_record_start = true;
                self.at_field_start = true;
            }
            b',' => self.at_field_start = true,
            b'"' if self.at_field_start => self.mode = Mode::Quoted(self.line),
            _ => self.at_field_start = false,
        }
    }
}

/// A file read as UTF-8 text in pieces: [`Read`] hands out only bytes checked to be UTF-8
/// (without a leading byte-order mark) and scanned by a [`TextScan`]; the first bad byte, a
/// file growing past [`MAX_FILE_BYTES`] or an I/O error ends the stream with an error whose
/// [`ReadError`] [`TextStream::finish`] returns.
pub struct TextStream<R> {
    inner: io::Take<R>,
    /// Raw bytes read from the file.
    raw: u64,
    /// Checked bytes not yet handed out are `buf[start..ready]`; `buf[ready..end]` is an
    /// incomplete UTF-8 sequence waiting for the rest.
    buf: Vec<u8>,
    start: usize,
    ready: usize,
    end: usize,
    /// 3 when the file starts with a byte-order mark (dropped), else 0.
    bom: usize,
    /// Bytes checked so far (after the mark), and lines begun in them.
    checked: usize,
    lines: usize,
    scan: TextScan,
    error: Option<ReadError>,
    eof: bool,
}

impl<R: Read> TextStream<R> {
    /// A stream over `inner`, reading its first bytes to find a byte-order mark.
    pub fn new(inner: R) -> TextStream<R> {
        let mut s = TextStream {
            inner: inner.take(MAX_FILE_BYTES + 1),
            raw: 0,
            buf: vec![0; CHUNK],
            start: 0,
            ready: 0,
            end: 0,
            bom: 0,
            checked: 0,
            lines: 1,
            scan: TextScan::default(),
            error: None,
            eof: false,
        };
        // The mark must be seen whole: read until 3 bytes or the end.
        while s.end < 3 && !s.eof && s.error.is_none() {
            s.fill_raw();
        }
        if s.buf[..s.end].starts_with(&[0xEF, 0xBB, 0xBF]) {
            s.bom = 3;
            s.start = 3;
            s.ready = 3;
        }
        s
    }

    /// Bytes of text after the byte-order mark, given the file's size in bytes.
    pub fn text_len(&self, file_len: u64) -> u64 {
        file_len.saturating_sub(self.bom as u64)
    }

    /// Reads more raw bytes after `buf[..end]`.
    fn fill_raw(&mut self) {
        if self.end == self.buf.len() {
            self.buf.resize(self.end + CHUNK, 0);
        }
        match self.inner.read(&mut self.buf[self.end..]) {
            Ok(0) => self.eof = true,
            Ok(n) => {
                self.end += n;
                self.raw += n as u64;
                if self.raw > MAX_FILE_BYTES {
                    self.error = Some(ReadError::TooLarge(self.raw));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => self.error = Some(ReadError::Io(e.to_string())),
        }
    }

    /// Makes checked bytes ready, unless the stream has ended. Returns false at the end (of
    /// the file, or at an error).
    fn refill(&mut self) -> bool {
        loop {
            if self.ready > self.start {
                return true;
            }
            if self.error.is_some() {
                return false;
            }
            // Keep only what is not checked yet (an incomplete sequence), at the front.
            self.buf.copy_within(self.ready..self.end, 0);
            self.end -= self.ready;
            self.start = 0;
            self.ready = 0;
            if !self.eof {
                self.fill_raw();
            }
            if self.end == 0 {
                return false;
            }
            match std::str::from_utf8(&self.buf[..self.end]) {
                Ok(_) => self.accept(self.end),
                Err(e) => {
                    let v = e.valid_up_to();
                    self.accept(v);
                    // An invalid sequence, or one cut off by the end of the file.
                    if e.error_len().is_some() || self.eof {
                        self.bad_byte(v);
                    }
                }
            }
        }
    }

    /// Marks `buf[ready..upto]` checked: scanned and ready to hand out.
    fn accept(&mut self, upto: usize) {
        let text = std::str::from_utf8(&self.buf[self.ready..upto]).unwrap_or("");
        count_work(text.len() as u64);
        self.scan.feed(text);
        self.lines += text.bytes().filter(|&b| b == b'\n').count();
        self.checked += text.len();
        self.ready = upto;
    }

    /// Records the byte at `buf[at]` (after the checked bytes) as the first that is not UTF-8.
    fn bad_byte(&mut self, at: usize) {
        if self.error.is_none() {
            self.error = Some(ReadError::NotUtf8 {
                offset: self.bom + self.checked,
                line: self.lines,
                byte: self.buf[at],
            });
        }
    }

    /// Reads what is left, for the checks only.
    pub fn drain(&mut self) {
        while self.refill() {
            self.start = self.ready;
        }
    }

    /// Why the stream ended early, or what the whole text holds. As a whole-file read, a
    /// file that grows past the limit or fails to read is that error even after a byte that is
    /// not UTF-8.
    pub fn finish(mut self) -> Result<Scanned, ReadError> {
        self.drain();
        if matches!(self.error, Some(ReadError::NotUtf8 { .. })) {
            let bad = self.error.take();
            while !self.eof && self.error.is_none() {
                self.end = 0;
                self.fill_raw();
            }
            self.error = self.error.take().or(bad);
        }
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.scan.finish()),
        }
    }
}

impl<R: Read> Read for TextStream<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.refill() {
            return match &self.error {
                Some(e) => Err(io::Error::other(e.to_string())),
                None => Ok(0),
            };
        }
        let n = out.len().min(self.ready - self.start);
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `bytes` through a stream handing out `chunk` bytes per read of the source.
    fn through(bytes: &[u8], chunk: usize) -> (Vec<u8>, Result<Scanned, ReadError>) {
        struct Slow<'a>(&'a [u8], usize);
        impl Read for Slow<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut s = TextStream::new(Slow(bytes, chunk));
        let mut text = Vec::new();
        let _ = s.read_to_end(&mut text);
        (text, s.finish())
    }

    /// What a whole-file read says of `bytes`: the text or the error, and the scan.
    fn whole(bytes: &[u8]) -> (Vec<u8>, Result<Scanned, ReadError>) {
        let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        let bom = bytes.len() - body.len();
        match std::str::from_utf8(body) {
            Ok(t) => {
                let mut s = TextScan::default();
                s.feed(t);
                (
                    body.to_vec(),
                    Ok(Scanned {
                        empty: t.lines().all(|l| l.trim().is_empty() || l.starts_with('#')),
                        ..s.finish()
                    }),
                )
            }
            Err(e) => {
                let at = e.valid_up_to();
                (
                    body[..at].to_vec(),
                    Err(ReadError::NotUtf8 {
                        offset: at + bom,
                        line: body[..at].iter().filter(|&&c| c == b'\n').count() + 1,
                        byte: body[at],
                    }),
                )
            }
        }
    }

    #[test]
    fn pieces_of_any_size_give_what_a_whole_read_gives() {
        let cases: &[&[u8]] = &[
            b"",
            b"\n \t\n# only a comment\n\r\n",
            b"\xEF\xBB\xBF# comment\nid,name\na,\"b\"\n",
            "id,name\n甲,\"乙\"\"丙\"\n\u{3000}\n".as_bytes(),
            b"id,name\na,\"never closed\nb,c\n",
            b"id,name\na,\"closed at the end\"",
            b"id,name\na,b\"not a quote\nc,\"\"\n",
            b"id\n\xC3\xA9t\xE9\n",
            "id\n一二三".as_bytes(),
            b"id\n\xE4\xB8",
            b"\xEF\xBB",
            b"\xEF\xBB\xBF\xFF",
            b" # not a comment\n",
            b"#\n\"x\n",
        ];
        for bytes in cases {
            let want = whole(bytes);
            for chunk in [1, 2, 3, 5, 64, 1 << 20] {
                assert_eq!(
                    through(bytes, chunk),
                    want,
                    "{bytes:?} in pieces of {chunk}"
                );
            }
        }
    }

    #[test]
    fn what_the_scan_finds() {
        let scan = |t: &str| {
            let mut s = TextScan::default();
            s.feed(t);
            s.finish()
        };
        assert!(scan("\n  \n#x\n").empty);
        assert!(!scan(" #x\n").empty);
        assert!(!scan("\u{3000}a").empty);
        assert!(scan("\u{3000}\n").empty);
        assert_eq!(scan("a,b\nc,\"d\n\ne\n").unterminated_quote, Some(2));
        assert_eq!(scan("a,\"b\"\"\nc\"\n").unterminated_quote, None);
        assert_eq!(scan("# \"x\na\n").unterminated_quote, None);
    }
}
