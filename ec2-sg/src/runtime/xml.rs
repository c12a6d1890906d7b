//! A small pull decoder, the shape the generated decoders need: walk the children of an
//! element by local name (namespaces ignored), read text, and skip whatever is not understood.
//! It tokenizes the bytes itself, in place, from a slice or from a response body's chunks.
//! Malformed or truncated input gives an [`XmlError`], never a panic.

use super::body::{Body, ChunkReader};
use super::timestamp::{parse_timestamp, DateTime, TimestampFormat};
use aws_smithy_types::primitive::Parse;
use aws_smithy_types::{base64, Blob};
use std::fmt;
use std::io::{self, BufRead, Read};

/// What was wrong with a response document, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    // Boxed: the decoders return `Result<_, XmlError>` from every read, and a one-word error
    // keeps those results small on the hot path.
    inner: Box<(String, Option<usize>)>,
}

impl XmlError {
    pub(crate) fn new(message: impl Into<String>, offset: Option<usize>) -> Self {
        Self { inner: Box::new((message.into(), offset)) }
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.inner.0
    }

    /// The byte offset in the document where it was noticed, when known.
    pub fn offset(&self) -> Option<usize> {
        self.inner.1
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset() {
            Some(offset) => write!(f, "{} (at byte {offset})", self.message()),
            None => f.write_str(self.message()),
        }
    }
}

impl std::error::Error for XmlError {}

/// Elements may nest this deep at most. AWS answers nest fewer than 20 levels; the limit bounds
/// the recursion of the decoders (of recursive shapes too) and of the error reader, so a hostile
/// answer cannot overflow the stack, which would abort the process rather than panic.
pub const MAX_DEPTH: usize = 128;

/// The default of [`Document::limit_decoded_bytes`] (and of `Config::builder().max_decoded_bytes`):
/// 256 MiB of list items. A DescribeSecurityGroups page of 2,000 groups with 25 rules each (13.5 MB,
/// twice the most groups EC2 sends in one page) is estimated at 10 MB, 26 times below it; a body
/// of empty `<item/>` elements (7 bytes, each a 216-byte group) reaches it after 8.7 MB of body,
/// where it would otherwise have grown to 30 times the body.
pub const DEFAULT_MAX_DECODED_BYTES: usize = 256 << 20;

/// Where a document's bytes come from: a slice, or a response body read chunk by chunk.
enum Input<'inp> {
    Slice(&'inp [u8]),
    Chunks(ChunkReader),
}

impl Read for Input<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Slice(slice) => slice.read(out),
            Input::Chunks(chunks) => chunks.read(out),
        }
    }
}

impl BufRead for Input<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Input::Slice(slice) => Ok(slice),
            Input::Chunks(chunks) => chunks.fill_buf(),
        }
    }

    fn consume(&mut self, amount: usize) {
        match self {
            Input::Slice(slice) => slice.consume(amount),
            Input::Chunks(chunks) => chunks.consume(amount),
        }
    }
}

/// A parsed-as-you-go XML document. The tokenizer is this module's own: it reads each event in
/// place from the slice or from the body's chunks (only an event split between two chunks is
/// copied, into `carry`), and it checks what a conforming parser checks, as expat does: tags
/// closed in order, one root element, closed, with only comments, PIs and whitespace around it;
/// attributes well-formed (quick-xml's attribute reader), without `<` in values and none given
/// twice; UTF-8 names and text without control characters; character references that name XML
/// characters and only XML's five named entities.
pub struct Document<'inp> {
    input: Input<'inp>,
    /// The bytes of an event split between chunks: the start of the event, then the first
    /// `appended` bytes of the input (not yet consumed from it).
    carry: Vec<u8>,
    /// Whether events are read from `carry` rather than from the input in place.
    in_carry: bool,
    appended: usize,
    /// The byte offset in the document of the start of what is being read.
    offset: usize,
    /// The qualified names of the elements last opened at each depth, one after another: the
    /// name at depth `d` ends at `name_ends[d]`, its local part starts at `local_starts[d]`.
    /// A name stays readable until a sibling replaces it.
    names: Vec<u8>,
    name_ends: Vec<usize>,
    local_starts: Vec<usize>,
    /// Number of elements currently open.
    depth: usize,
    /// The root element has been closed: only comments, PIs and whitespace may follow.
    root_closed: bool,
    /// The text of the element whose text is being read.
    text: String,
    /// Set once reading has failed; every later read fails the same way.
    failed: Option<XmlError>,
    /// The estimated size of what has been decoded: each list item counted at its type's size.
    decoded_bytes: usize,
    /// Decoding fails when `decoded_bytes` would pass this.
    max_decoded_bytes: usize,
    /// The setting that raises `max_decoded_bytes`, for its error message.
    decoded_limit_name: &'static str,
}

/// What the reader gave, reduced to what the decoders need.
enum Step {
    /// An element started (its name is in the name slot of its depth); `empty` for `<x/>`.
    Start { empty: bool, offset: usize },
    /// The innermost open element closed.
    End,
    /// Text, CDATA or a reference (appended to `Document::text` when asked for).
    Text,
    /// Declarations, comments, processing instructions, DTDs.
    Other,
}

/// One token, as positions in the bytes it was read from.
enum Token {
    /// Text up to the next `<` or `&` (or the end of the document).
    Text { end: usize },
    /// `&name;`: the name is `1..end`.
    Reference { end: usize },
    /// `<content>` or `<content/>`: content is `1..content_end`, the name its first `name_len`
    /// bytes, the local part of the name from `local`.
    Start { content_end: usize, name_len: usize, local: usize, ascii: bool, empty: bool },
    /// `</name>`: the name (trailing whitespace trimmed) is `2..name_end`.
    End { name_end: usize },
    /// `<![CDATA[data]]>`: the data is `9..end`.
    CData { end: usize },
    /// A comment, a processing instruction (the XML declaration too) or a DTD.
    Other,
}

/// Why a token could not be read.
enum Incomplete {
    /// The bytes end inside the token: more are needed (or the document is cut off).
    NeedMore,
    /// The bytes cannot start a token.
    Malformed(&'static str),
}

#[cold]
fn unreadable(error: io::Error) -> XmlError {
    XmlError::new(format!("the answer could not be read: {error}"), None)
}

fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Reads one token at the start of `bytes` (not empty): the token and its length. At the end
/// of the document (`at_end`), text may run to the end of `bytes`; elsewhere, only a token
/// that ends inside `bytes` is read.
fn tokenize(bytes: &[u8], at_end: bool) -> Result<(Token, usize), Incomplete> {
    use Incomplete::{Malformed, NeedMore};
    match bytes[0] {
        b'<' => {}
        b'&' => {
            // Up to `;`; a `<` or `&` first leaves the `&` dangling.
            return match memchr::memchr3(b';', b'&', b'<', &bytes[1..]) {
                Some(i) if bytes[i + 1] == b';' => Ok((Token::Reference { end: i + 1 }, i + 2)),
                Some(_) => Err(Malformed("a `&` that starts no reference (write `&amp;`)")),
                None if at_end => Err(Malformed("a reference not closed by `;`")),
                None => Err(NeedMore),
            };
        }
        _ => {
            return match memchr::memchr2(b'<', b'&', bytes) {
                Some(end) => Ok((Token::Text { end }, end)),
                None if at_end => Ok((Token::Text { end: bytes.len() }, bytes.len())),
                None => Err(NeedMore),
            };
        }
    }
    let need = |message| if at_end { Malformed(message) } else { NeedMore };
    match bytes.get(1) {
        None => Err(need("a tag not closed")),
        // End tags are short: a plain loop beats memchr's setup.
        Some(b'/') => match bytes.iter().position(|&b| b == b'>') {
            Some(close) => {
                let mut name_end = close;
                while name_end > 2 && is_xml_space(bytes[name_end - 1]) {
                    name_end -= 1;
                }
                Ok((Token::End { name_end }, close + 1))
            }
            None => Err(need("a closing tag not closed by `>`")),
        },
        Some(b'?') => match memchr::memmem::find(&bytes[2..], b"?>") {
            Some(i) => Ok((Token::Other, i + 4)),
            None => Err(need("a processing instruction not closed by `?>`")),
        },
        Some(b'!') => {
            if bytes.len() < 9 && !at_end {
                // Not enough to tell a comment from CDATA or a DTD.
                let known: [&[u8]; 3] = [b"<!--", b"<![CDATA[", b"<!DOCTYPE"];
                let prefix_of_one =
                    known.iter().any(|k| k.len() >= bytes.len() && k[..bytes.len()].eq_ignore_ascii_case(bytes));
                if prefix_of_one {
                    return Err(NeedMore);
                }
            }
            if bytes.starts_with(b"<!--") {
                match memchr::memmem::find(&bytes[4..], b"-->") {
                    Some(i) => Ok((Token::Other, i + 7)),
                    None => Err(need("a comment not closed by `-->`")),
                }
            } else if bytes.starts_with(b"<![CDATA[") {
                match memchr::memmem::find(&bytes[9..], b"]]>") {
                    Some(i) => Ok((Token::CData { end: 9 + i }, i + 12)),
                    None => Err(need("CDATA not closed by `]]>`")),
                }
            } else if bytes.len() >= 9 && bytes[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
                // Up to the `>` outside the internal subset's brackets.
                let mut depth = 0usize;
                for (i, &b) in bytes.iter().enumerate().skip(9) {
                    match b {
                        b'[' => depth += 1,
                        b']' => depth = depth.saturating_sub(1),
                        b'>' if depth == 0 => return Ok((Token::Other, i + 1)),
                        _ => {}
                    }
                }
                Err(need("a DTD not closed by `>`"))
            } else {
                Err(Malformed("`<!` that starts no comment, CDATA or DTD"))
            }
        }
        Some(_) => {
            // Up to the `>` outside quoted attribute values.
            let mut at = 1;
            let close = loop {
                match memchr::memchr3(b'>', b'"', b'\'', &bytes[at..]) {
                    Some(i) if bytes[at + i] == b'>' => break at + i,
                    Some(i) => {
                        let quote = bytes[at + i];
                        match memchr::memchr(quote, &bytes[at + i + 1..]) {
                            Some(j) => at += i + j + 2,
                            None => return Err(need("a tag not closed by `>`")),
                        }
                    }
                    None => return Err(need("a tag not closed by `>`")),
                }
            };
            let empty = close > 1 && bytes[close - 1] == b'/';
            let content_end = if empty { close - 1 } else { close };
            // One pass over the (short) name: its end (whitespace, or a control character that
            // the attribute reader then refuses), where its local part starts, whether it is ASCII.
            // Branch-free over the whole content first; the positions are only looked for in
            // the rare tags that have attributes or a prefix.
            let content = &bytes[1..content_end];
            let (mut space, mut colon, mut high) = (false, false, 0u8);
            for &b in content {
                space |= b <= b' ';
                colon |= b == b':';
                high |= b;
            }
            let name_len = if space { content.iter().position(|&b| b <= b' ').unwrap_or(0) } else { content.len() };
            let name = &content[..name_len];
            let local = if colon { name.iter().position(|&b| b == b':').map_or(0, |i| i + 1) } else { 0 };
            if space {
                high = name.iter().fold(0, |high, &b| high | b);
            }
            if name_len == 0 {
                return Err(Malformed("a tag without a name"));
            }
            Ok((Token::Start { content_end, name_len, local, ascii: high < 0x80, empty }, close + 1))
        }
    }
}

impl<'inp> Document<'inp> {
    /// Starts reading `input`, which must be UTF-8 (a BOM is skipped).
    pub fn new(input: &'inp [u8]) -> Result<Self, XmlError> {
        let input = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
        Ok(Self::from_input(Input::Slice(input)))
    }

    /// Reads a response body chunk by chunk; with `free_read`, each chunk is freed once read.
    pub(crate) fn from_body(body: Body, free_read: bool) -> Self {
        Self::from_chunks(body.into_reader(free_read))
    }

    fn from_chunks(mut reader: ChunkReader) -> Self {
        reader.skip_prefix(b"\xef\xbb\xbf");
        Self::from_input(Input::Chunks(reader))
    }

    fn from_input(input: Input<'inp>) -> Self {
        Self {
            input,
            carry: Vec::new(),
            in_carry: false,
            appended: 0,
            offset: 0,
            names: Vec::new(),
            name_ends: Vec::new(),
            local_starts: Vec::new(),
            depth: 0,
            root_closed: false,
            text: String::new(),
            failed: None,
            decoded_bytes: 0,
            max_decoded_bytes: DEFAULT_MAX_DECODED_BYTES,
            decoded_limit_name: "Document::limit_decoded_bytes",
        }
    }

    /// Bounds the decoded output, not only the body: decoding fails once the list items read
    /// (each counted at `size_of` its type, the memory it takes in its `Vec`) would take more
    /// than `limit` bytes, so a body of many tiny elements that each decode to a large struct
    /// cannot turn a bounded answer into gigabytes. `setting` names what raises the limit, for
    /// the error message.
    pub fn limit_decoded_bytes(mut self, limit: usize, setting: &'static str) -> Self {
        self.max_decoded_bytes = limit;
        self.decoded_limit_name = setting;
        self
    }

    /// Counts `bytes` more of decoded output against the limit.
    #[inline(always)]
    fn count_decoded(&mut self, bytes: usize) -> Result<(), XmlError> {
        self.decoded_bytes = self.decoded_bytes.saturating_add(bytes);
        if self.decoded_bytes > self.max_decoded_bytes {
            return Err(self.decoded_too_large());
        }
        Ok(())
    }

    #[cold]
    fn decoded_too_large(&mut self) -> XmlError {
        let error = XmlError::new(
            format!(
                "the decoded answer would take more than {} bytes, the configured limit ({}); \
                 the answer holds more items than a real answer does",
                self.max_decoded_bytes, self.decoded_limit_name
            ),
            Some(self.offset),
        );
        self.fail(error)
    }

    /// The body back after reading a response body: whole unless chunks were freed (then from
    /// the chunk where reading stopped), and whether it is whole.
    pub(crate) fn into_body(self) -> (Body, bool) {
        match self.input {
            Input::Chunks(chunks) => {
                let whole = !chunks.freed();
                (chunks.into_body(), whole)
            }
            Input::Slice(slice) => (Body::from(slice), true),
        }
    }

    /// The root element. Fails on an empty document or one that is not XML.
    pub fn root<'a>(&'a mut self) -> Result<Element<'inp, 'a>, XmlError> {
        loop {
            match self.step(false)? {
                Some(Step::Start { empty, offset }) => {
                    let name = self.name_span(0);
                    return Ok(Element { offset, depth: self.depth, name, done: empty, doc: self });
                }
                Some(Step::Text | Step::Other) => {}
                Some(Step::End) => return Err(XmlError::new("a closing tag before any element", None)),
                None => return Err(XmlError::new("the document is empty", None)),
            }
        }
    }

    /// Reads what is left after the root element and checks that the document is complete and
    /// well-formed: a decoder that has read what it needs calls this before trusting the result.
    pub fn finish(&mut self) -> Result<(), XmlError> {
        while self.step(false)?.is_some() {}
        if !self.root_closed {
            return Err(XmlError::new("the document ends before its root element is closed", None));
        }
        Ok(())
    }

    /// Where the local name of the element last opened at depth `slot` is in `names` (the root's slot is 0).
    fn name_span(&self, slot: usize) -> (usize, usize) {
        let start = self.local_starts.get(slot).copied().unwrap_or(0);
        (start, self.name_ends.get(slot).copied().unwrap_or(start))
    }

    #[cold]
    fn fail(&mut self, error: XmlError) -> XmlError {
        self.failed = Some(error.clone());
        error
    }

    /// The next event of interest; `None` at the end of the input. Text directly inside the
    /// innermost open element is appended to `self.text` when `keep_text` is set.
    fn step(&mut self, keep_text: bool) -> Result<Option<Step>, XmlError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        self.step_unchecked(keep_text).map_err(|error| self.fail(error))
    }

    /// After a token was cut off at the end of what is readable in place or in `carry`: moves
    /// what is left into `carry` and adds input to it (doubling what it adds, so that a long
    /// token is read in linear time). `Ok(false)` when the input has nothing more.
    #[cold]
    fn need_more(&mut self) -> Result<bool, XmlError> {
        if !self.in_carry {
            let window = self.input.fill_buf().map_err(unreadable)?;
            let n = window.len();
            self.carry.clear();
            self.carry.extend_from_slice(window);
            self.input.consume(n);
            self.in_carry = true;
            self.appended = 0;
        }
        // The bytes appended are the carry's own now.
        self.input.consume(self.appended);
        self.appended = 0;
        let more = self.input.fill_buf().map_err(unreadable)?;
        let n = more.len().min(self.carry.len().max(256));
        self.carry.extend_from_slice(&more[..n]);
        self.appended = n;
        Ok(n > 0)
    }

    // Inlined into `step`, its only caller: one call per event instead of two.
    #[inline(always)]
    fn step_unchecked(&mut self, keep_text: bool) -> Result<Option<Step>, XmlError> {
        // Read one token, from `carry` or in place, asking for more input while it is cut off.
        let mut at_end = false;
        let (token, length) = loop {
            let window: &[u8] = if self.in_carry { &self.carry } else { self.input.fill_buf().map_err(unreadable)? };
            if window.is_empty() {
                if self.in_carry {
                    // Everything carried has been read.
                    self.in_carry = false;
                    self.carry.clear();
                    continue;
                }
                return Ok(None);
            }
            match tokenize(window, at_end) {
                Ok(token) => break token,
                Err(Incomplete::Malformed(message)) => {
                    return Err(XmlError::new(format!("malformed XML: {message}"), Some(self.offset)))
                }
                Err(Incomplete::NeedMore) => at_end = !self.need_more()?,
            }
        };
        let offset = self.offset;
        // The same bytes as above: the input is only advanced below.
        let window: &[u8] = if self.in_carry { &self.carry } else { self.input.fill_buf().map_err(unreadable)? };
        let outside_root = self.depth == 0;
        let step = match token {
            Token::Start { content_end, name_len, local, ascii, empty } => {
                if self.root_closed {
                    return Err(XmlError::new("malformed XML: a second root element", Some(offset)));
                }
                if self.depth >= MAX_DEPTH {
                    return Err(XmlError::new(format!("elements nest more than {MAX_DEPTH} deep"), Some(offset)));
                }
                let content = &window[1..content_end];
                let qname = &content[..name_len];
                // Names are compared as bytes; they must still be UTF-8 (ASCII in AWS answers).
                if !ascii && std::str::from_utf8(qname).is_err() {
                    return Err(XmlError::new("an element name that is not UTF-8", Some(offset)));
                }
                // Attributes (namespace declarations included) carry nothing the decoders
                // read, but a malformed one or a name given twice makes the document malformed.
                if name_len < content.len() {
                    let content = std::str::from_utf8(content)
                        .map_err(|_| XmlError::new("malformed XML: a tag that is not UTF-8", Some(offset)))?;
                    check_attributes(content, name_len)
                        .map_err(|message| XmlError::new(format!("malformed XML: {message}"), Some(offset)))?;
                }
                let slot_start = if self.depth == 0 { 0 } else { self.name_ends[self.depth - 1] };
                self.names.truncate(slot_start);
                self.names.extend_from_slice(qname);
                self.name_ends.truncate(self.depth);
                self.name_ends.push(self.names.len());
                self.local_starts.truncate(self.depth);
                self.local_starts.push(slot_start + local);
                if empty {
                    self.root_closed = outside_root;
                } else {
                    self.depth += 1;
                }
                Step::Start { empty, offset }
            }
            Token::End { name_end } => {
                let name = &window[2..name_end];
                if self.depth == 0 {
                    let name = String::from_utf8_lossy(name);
                    return Err(XmlError::new(
                        format!("malformed XML: a closing tag `</{name}>` with no element open"),
                        Some(offset),
                    ));
                }
                let slot_start = if self.depth == 1 { 0 } else { self.name_ends[self.depth - 2] };
                let expected = &self.names[slot_start..self.name_ends[self.depth - 1]];
                if name != expected {
                    let (expected, found) = (String::from_utf8_lossy(expected), String::from_utf8_lossy(name));
                    return Err(XmlError::new(
                        format!("malformed XML: expected `</{expected}>`, but `</{found}>` was found"),
                        Some(offset),
                    ));
                }
                self.depth -= 1;
                self.root_closed = self.depth == 0;
                Step::End
            }
            Token::Text { end } => {
                let text = &window[..end];
                // Printable ASCII, the common case, is checked in one vectorized pass; anything
                // else must be UTF-8 without the control characters XML forbids.
                let printable_ascii = is_printable_ascii(text);
                if !printable_ascii && has_control_character(text) {
                    return Err(XmlError::new("malformed XML: a control character in text", Some(offset)));
                }
                if outside_root && !text.iter().all(|&b| is_xml_space(b)) {
                    let message = if self.root_closed { "after" } else { "before" };
                    return Err(XmlError::new(
                        format!("malformed XML: text {message} the root element (not an XML document?)"),
                        Some(offset),
                    ));
                }
                if keep_text || !printable_ascii {
                    let text = std::str::from_utf8(text)
                        .map_err(|e| XmlError::new("text that is not UTF-8", Some(offset + e.valid_up_to())))?;
                    if keep_text {
                        self.text.push_str(text);
                    }
                }
                Step::Text
            }
            Token::CData { end } => {
                let data = std::str::from_utf8(&window[9..end])
                    .map_err(|_| XmlError::new("CDATA that is not UTF-8", Some(offset)))?;
                if outside_root {
                    return Err(XmlError::new("malformed XML: CDATA outside the root element", Some(offset)));
                }
                if keep_text {
                    self.text.push_str(data);
                }
                Step::Text
            }
            Token::Reference { end } => {
                if outside_root {
                    return Err(XmlError::new("malformed XML: a reference outside the root element", Some(offset)));
                }
                let c = resolve_reference(&window[1..end]).map_err(|message| XmlError::new(message, Some(offset)))?;
                if keep_text {
                    self.text.push(c);
                }
                Step::Text
            }
            Token::Other => Step::Other,
        };
        self.advance(length);
        Ok(Some(step))
    }

    /// Past `length` bytes of what is readable (in `carry` or in place).
    #[inline(always)]
    fn advance(&mut self, length: usize) {
        self.offset += length;
        if self.in_carry {
            let own = self.carry.len() - self.appended;
            if length >= own {
                // The token ended in the bytes appended: read in place again after it.
                self.input.consume(length - own);
                self.carry.clear();
                self.appended = 0;
                self.in_carry = false;
            } else {
                self.carry.drain(..length);
            }
        } else {
            self.input.consume(length);
        }
    }

    /// The common case of an element's text, read in one go: printable ASCII text (possibly
    /// none) directly followed by the end tag of the innermost open element, all readable in
    /// place. Gives the text's length and that of the text and the end tag; `None` leaves
    /// everything else (references, CDATA, other characters, a cut) to [`Self::step`], which
    /// gives the same result event by event.
    #[inline(always)]
    fn simple_text(&mut self) -> Option<(usize, usize)> {
        if self.failed.is_some() || self.depth == 0 {
            return None;
        }
        let slot_start = if self.depth == 1 { 0 } else { self.name_ends[self.depth - 2] };
        let qname = &self.names[slot_start..self.name_ends[self.depth - 1]];
        let window: &[u8] = if self.in_carry { &self.carry } else { self.input.fill_buf().ok()? };
        let text_end = memchr::memchr2(b'<', b'&', window)?;
        let end_tag = window.get(text_end..text_end + qname.len() + 3)?;
        let matches =
            end_tag[1] == b'/' && end_tag[end_tag.len() - 1] == b'>' && &end_tag[2..end_tag.len() - 1] == qname;
        if !matches || !is_printable_ascii(&window[..text_end]) {
            return None;
        }
        Some((text_end, text_end + end_tag.len()))
    }

    /// After [`Self::simple_text`]: past the text and the end tag.
    fn finish_simple_text(&mut self, length: usize) {
        self.depth -= 1;
        self.root_closed = self.depth == 0;
        self.advance(length);
    }

    /// Appends the text [`Self::simple_text`] found to `self.text`.
    fn keep_simple_text(&mut self, text_end: usize) {
        let window: &[u8] = if self.in_carry { &self.carry } else { self.input.fill_buf().unwrap_or_default() };
        // Printable ASCII, so UTF-8.
        self.text.push_str(std::str::from_utf8(window.get(..text_end).unwrap_or_default()).unwrap_or_default());
    }

    /// What is readable at the position of [`Self::simple_text`], which has read it already.
    fn readable(&mut self) -> &[u8] {
        if self.in_carry {
            &self.carry
        } else {
            self.input.fill_buf().unwrap_or_default()
        }
    }
}

/// An open element: read its children or its text. Children not read are skipped when the
/// parent moves on, so decoders only look at what they know.
pub struct Element<'inp, 'a> {
    doc: &'a mut Document<'inp>,
    /// Byte offset of the start tag, for error messages.
    offset: usize,
    /// Document depth inside this element.
    depth: usize,
    /// Where this element's name is in the document's `names`.
    name: (usize, usize),
    /// The element's end has been read (or it was `<x/>`).
    done: bool,
}

impl<'inp> Element<'inp, '_> {
    /// The element's name without a namespace prefix, as bytes: what the generated decoders
    /// match on (UTF-8, checked when the element was read).
    pub fn name(&self) -> &[u8] {
        self.doc.names.get(self.name.0..self.name.1).unwrap_or_default()
    }

    /// The element's name without a namespace prefix.
    pub fn local_name(&self) -> &str {
        std::str::from_utf8(self.name()).unwrap_or("\u{fffd}")
    }

    /// An error that names this element.
    pub fn error(&self, message: &str) -> XmlError {
        XmlError::new(format!("<{}>: {message}", self.local_name()), Some(self.offset))
    }

    fn ends_inside(&self) -> XmlError {
        XmlError::new(format!("the document ends inside <{}>", self.local_name()), None)
    }

    /// The next child element, skipping text and anything left of earlier children.
    pub fn next_child<'b>(&'b mut self) -> Result<Option<Element<'inp, 'b>>, XmlError> {
        if self.done {
            return Ok(None);
        }
        loop {
            let depth_before = self.doc.depth;
            match self.doc.step(false)? {
                // A start at our own depth is a direct child; deeper ones belong to unread children.
                Some(Step::Start { empty, offset }) if depth_before == self.depth => {
                    let name = self.doc.name_span(self.depth);
                    return Ok(Some(Element { offset, depth: self.depth + 1, name, done: empty, doc: &mut *self.doc }));
                }
                Some(Step::End) if self.doc.depth < self.depth => {
                    self.done = true;
                    return Ok(None);
                }
                Some(_) => {}
                None => {
                    self.done = true;
                    return Err(self.ends_inside());
                }
            }
        }
    }

    /// Reads the element's text (all text and CDATA directly inside it, nested elements
    /// skipped) into the document's text buffer.
    fn load_text(&mut self) -> Result<(), XmlError> {
        self.doc.text.clear();
        if !self.done && self.doc.depth == self.depth {
            if let Some((text_end, length)) = self.doc.simple_text() {
                self.doc.keep_simple_text(text_end);
                self.doc.finish_simple_text(length);
                self.done = true;
                return Ok(());
            }
        }
        while !self.done {
            let keep = self.doc.depth == self.depth;
            match self.doc.step(keep)? {
                Some(Step::End) if self.doc.depth < self.depth => self.done = true,
                Some(_) => {}
                None => {
                    self.done = true;
                    return Err(self.ends_inside());
                }
            }
        }
        Ok(())
    }

    /// The items of a list: each child named `item`, read with `read_item`, others skipped.
    /// The list is held in exactly its length: one item (the most common list in AWS answers)
    /// takes one item's memory, not the four a growing `Vec` would reserve.
    pub fn read_list<T>(
        &mut self,
        item: &[u8],
        mut read_item: impl FnMut(Element<'inp, '_>) -> Result<T, XmlError>,
    ) -> Result<Vec<T>, XmlError> {
        let mut out = Vec::new();
        while let Some(child) = self.next_child()? {
            if child.name() == item {
                if out.capacity() == 0 {
                    out.reserve_exact(1);
                }
                // Counted before it is read: an item holds at least its own size.
                child.doc.count_decoded(std::mem::size_of::<T>())?;
                out.push(read_item(child)?);
            }
        }
        out.shrink_to_fit();
        Ok(out)
    }

    /// The element's text (all text and CDATA inside it, nested elements skipped).
    pub fn read_text(&mut self) -> Result<&str, XmlError> {
        self.load_text()?;
        Ok(&self.doc.text)
    }

    /// The text as an owned string (`<x/>` gives an empty string).
    pub fn read_string(&mut self) -> Result<String, XmlError> {
        if !self.done && self.doc.depth == self.depth {
            if let Some((text_end, length)) = self.doc.simple_text() {
                // Printable ASCII: built once, in its final place.
                let text =
                    std::str::from_utf8(self.doc.readable().get(..text_end).unwrap_or_default()).map(str::to_owned);
                self.doc.finish_simple_text(length);
                self.done = true;
                return text.map_err(|_| self.error("text that is not UTF-8"));
            }
        }
        self.load_text()?;
        // A copy of exactly the text's length: the buffer is reused for the next element.
        Ok(self.doc.text.as_str().to_owned())
    }

    fn read_parsed<T: Parse>(&mut self, what: &str) -> Result<T, XmlError> {
        self.load_text()?;
        let text = self.doc.text.trim();
        T::parse_smithy_primitive(text).map_err(|_| self.error(&format!("`{}` is not {what}", snippet(text))))
    }

    /// A 32-bit integer.
    pub fn read_i32(&mut self) -> Result<i32, XmlError> {
        self.read_parsed("a 32-bit integer")
    }

    /// A 64-bit integer.
    pub fn read_i64(&mut self) -> Result<i64, XmlError> {
        self.read_parsed("a 64-bit integer")
    }

    /// A boolean, `true` or `false`.
    pub fn read_bool(&mut self) -> Result<bool, XmlError> {
        self.read_parsed("a boolean (true or false)")
    }

    /// A 32-bit float; `NaN`, `Infinity` and `-Infinity` as the protocol spells them.
    pub fn read_f32(&mut self) -> Result<f32, XmlError> {
        self.read_f64().map(|v| v as f32)
    }

    /// A 64-bit float; `NaN`, `Infinity` and `-Infinity` as the protocol spells them.
    pub fn read_f64(&mut self) -> Result<f64, XmlError> {
        self.load_text()?;
        let text = self.doc.text.trim();
        // `primitive::Parse` reads the protocol's spellings, and also what Rust's parser takes
        // (`inf`, `nan`, `infinity`), which the protocol never sends: those are refused here.
        let spelled = matches!(text, "NaN" | "Infinity" | "-Infinity");
        if !spelled && text.chars().any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E') {
            return Err(self.error(&format!("`{}` is not a number", snippet(text))));
        }
        f64::parse_smithy_primitive(text).map_err(|_| self.error(&format!("`{}` is not a number", snippet(text))))
    }

    /// A timestamp in the given wire format.
    pub fn read_timestamp(&mut self, format: TimestampFormat) -> Result<DateTime, XmlError> {
        self.load_text()?;
        parse_timestamp(&self.doc.text, format).map_err(|e| self.error(&e.to_string()))
    }

    /// Base64 data.
    pub fn read_blob(&mut self) -> Result<Blob, XmlError> {
        self.load_text()?;
        base64::decode(self.doc.text.trim()).map(Blob::new).map_err(|e| self.error(&e.to_string()))
    }
}

/// An element may carry this many attributes at most; more make the document refused. EC2's
/// and STS's answers carry one at most (`xmlns` on the root element), their error documents
/// none, and even an XHTML page from a proxy a handful per element: 256 leaves real documents far
/// below it, and bounds what a hostile start tag can cost (before this bound and the hash set
/// below, 1,000,000 attributes on one element did not decode in 20 s; quick-xml's own check
/// compares each name with all earlier ones, which is quadratic).
pub const MAX_ATTRIBUTES: usize = 256;

/// Up to this many attributes on one element, a repeated name is looked for by comparing with
/// each earlier one; past it, in a hash set, so that each attribute costs the same time.
const ATTRIBUTES_COMPARED_IN_PLACE: usize = 8;

/// Checks the attributes of a start tag (`content`, UTF-8; the name is its first `name_len`
/// bytes): well-formed as quick-xml's attribute reader sees them, each value without `<` and with
/// only well-formed references, and no name given twice. The decoders read no attribute, so
/// nothing is kept; a malformed one makes the document malformed, as in any conforming parser.
fn check_attributes(content: &str, name_len: usize) -> Result<(), String> {
    let mut names: Vec<&[u8]> = Vec::new();
    let mut seen: Option<std::collections::HashSet<&[u8]>> = None;
    let start = quick_xml::events::BytesStart::from_content(content, name_len);
    for (count, attribute) in start.attributes().with_checks(false).enumerate() {
        if count == MAX_ATTRIBUTES {
            return Err(format!("more than {MAX_ATTRIBUTES} attributes on one element"));
        }
        let attribute = attribute.map_err(|e| e.to_string())?;
        let name = attribute.key.into_inner();
        check_attribute_value(&attribute.value)
            .map_err(|message| format!("the attribute `{}`: {message}", String::from_utf8_lossy(name)))?;
        let duplicated = match &mut seen {
            Some(seen) => !seen.insert(name),
            None if names.len() < ATTRIBUTES_COMPARED_IN_PLACE => {
                let duplicated = names.contains(&name);
                names.push(name);
                duplicated
            }
            None => {
                let mut set = std::collections::HashSet::with_capacity(MAX_ATTRIBUTES);
                set.extend(names.drain(..));
                let duplicated = !set.insert(name);
                seen = Some(set);
                duplicated
            }
        };
        if duplicated {
            return Err(format!("duplicated attribute `{}`", String::from_utf8_lossy(name)));
        }
    }
    Ok(())
}

/// An attribute value as XML 1.0 allows it: no `<`, no control character, and each `&`
/// starting a reference to an XML character or one of the five named entities.
fn check_attribute_value(value: &[u8]) -> Result<(), String> {
    if value.contains(&b'<') {
        return Err("a `<` in its value (write `&lt;`)".into());
    }
    if has_control_character(value) {
        return Err("a control character in its value".into());
    }
    let mut rest = value;
    while let Some(at) = memchr::memchr(b'&', rest) {
        let reference = &rest[at + 1..];
        let end = memchr::memchr(b';', reference).ok_or("a `&` that starts no reference (write `&amp;`)")?;
        resolve_reference(&reference[..end])?;
        rest = &reference[end + 1..];
    }
    Ok(())
}

/// Whether every byte is printable ASCII (0x20 to 0x7f): neither a control character nor part
/// of a multi-byte character. Written without an early exit so that it runs vectorized.
fn is_printable_ascii(bytes: &[u8]) -> bool {
    // Below 0x20 the subtraction wraps and sets the high bit; 0x80 and above have it already.
    bytes.iter().fold(0u8, |seen, &b| seen | b | b.wrapping_sub(0x20)) & 0x80 == 0
}

/// Whether `bytes` holds a control character XML does not allow (all below 0x20 but tab, line
/// feed and carriage return). Written without an early exit so that it runs vectorized.
fn has_control_character(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |found, &b| found | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')))
}

/// XML 1.0's `Char` production: what a character reference may name.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// At most 64 characters of a value, for error messages.
fn snippet(text: &str) -> String {
    let mut out: String = text.chars().take(64).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// The character a reference (`&lt;`, `&#65;`, `&#x42;`) stands for: XML's five named entities
/// and references to XML characters; anything else is an error.
fn resolve_reference(reference: &[u8]) -> Result<char, String> {
    let name = std::str::from_utf8(reference).unwrap_or("\u{fffd}");
    let c = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok()
            } else {
                None
            };
            code.and_then(char::from_u32).filter(|&c| is_xml_char(c))
        }
    };
    c.ok_or_else(|| format!("`&{};` is not an XML entity or a reference to an XML character", snippet(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_and_texts(xml: &str) -> Result<Vec<(String, String)>, XmlError> {
        let mut doc = Document::new(xml.as_bytes())?;
        let mut out = Vec::new();
        {
            let mut root = doc.root()?;
            while let Some(mut child) = root.next_child()? {
                let name = child.local_name().to_string();
                out.push((name, child.read_string()?));
            }
        }
        doc.finish()?;
        Ok(out)
    }

    #[test]
    fn documents_that_are_not_well_formed_are_refused() {
        for (bad, why) in [
            ("<a><b>1</c></a>", "expected `</b>`, but `</c>`"),
            ("<a><x:b xmlns:x='u'>1</y:b></a>", "expected `</x:b>`"),
            ("<a><b>1</b></a><a><b>2</b></a>", "malformed XML"),
            ("<a><b>1</b></a>trailing", "malformed XML"),
            ("<a><b>1</b></a><", "malformed"),
            ("<a x='1' x='2'><b>1</b></a>", "duplicated attribute"),
            ("<a><b k='1' k='1'/></a>", "duplicated attribute"),
            ("<a a='<'><b>1</b></a>", "the attribute `a`: a `<` in its value"),
            ("<a><b a=\"x<y\"/></a>", "a `<` in its value"),
            ("<a a='&bogus;'/>", "not an XML entity"),
            ("<a a='AT&T'/>", "starts no reference"),
            ("<a a='\u{1}'/>", "a control character in its value"),
            ("<a><b>&#x0;</b></a>", "not an XML entity"),
            ("<a><b>&#x1;</b></a>", "not an XML entity"),
            ("<a><b>&#xFFFE;</b></a>", "not an XML entity"),
            ("<a><b>&#55296;</b></a>", "not an XML entity"),
            ("<a><b>\u{1}</b></a>", "malformed XML"),
            ("<a><b>1</b>", "the document ends inside <a>"),
        ] {
            let error = names_and_texts(bad).expect_err(bad);
            assert!(error.to_string().contains(why), "{bad:?}: {error}");
        }
        // What is allowed around the root: a declaration, comments, PIs and whitespace.
        let fine =
            "<?xml version='1.0'?>\n<!-- c --><a x='1' y='1' p:x='1'><b>&#x9;&#xD7FF;&#x10000;</b></a>\n<!-- end -->\n";
        assert_eq!(names_and_texts(fine).unwrap(), [("b".to_string(), "\t\u{D7FF}\u{10000}".to_string())]);
    }

    #[test]
    fn attributes_are_bounded_and_checked_for_repeats_at_any_count() {
        let tag = |names: &[String]| {
            let attributes: String = names.iter().map(|name| format!(" {name}='1'")).collect();
            format!("<a{attributes}><b>1</b></a>")
        };
        let names: Vec<String> = (0..MAX_ATTRIBUTES).map(|i| format!("n{i}")).collect();
        assert!(names_and_texts(&tag(&names)).is_ok());
        // A repeat is found wherever it is: among the first few (compared in place) and past them (hashed).
        for (first, repeat) in [(1, 2), (0, ATTRIBUTES_COMPARED_IN_PLACE - 1), (3, 40), (100, MAX_ATTRIBUTES - 1)] {
            let mut repeated = names.clone();
            repeated[repeat] = repeated[first].clone();
            let error = names_and_texts(&tag(&repeated)).unwrap_err();
            assert!(
                error.to_string().contains(&format!("duplicated attribute `n{first}`")),
                "{first} {repeat}: {error}"
            );
        }
        let too_many: Vec<String> = (0..=MAX_ATTRIBUTES).map(|i| format!("n{i}")).collect();
        let error = names_and_texts(&tag(&too_many)).unwrap_err();
        assert!(error.to_string().contains("more than 256 attributes on one element"), "{error}");
        // Entities and references are fine in values; `>` needs no escape.
        assert!(names_and_texts("<a x='&lt;&amp;&#60;' y=\"a>b\"><b>1</b></a>").is_ok());
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| format!("{}{}", "<e>".repeat(n), "</e>".repeat(n));
        assert!(names_and_texts(&deep(MAX_DEPTH)).is_ok());
        let error = names_and_texts(&deep(MAX_DEPTH + 1)).unwrap_err();
        assert!(error.to_string().contains("nest more than 128 deep"), "{error}");
        // Far deeper than any stack could recurse: refused in constant stack.
        assert!(names_and_texts(&deep(100_000)).is_err());
    }

    #[test]
    fn reads_children_and_skips_unread_subtrees() {
        let xml = r#"<?xml version="1.0"?><R xmlns="x"><a>1</a><skip><deep><x/>t</deep></skip><b/><c>&lt;&amp;&#65;&#x42;</c><d><![CDATA[<raw>]]></d></R>"#;
        let mut doc = Document::new(xml.as_bytes()).unwrap();
        let mut root = doc.root().unwrap();
        assert_eq!(root.local_name(), "R");
        let mut seen = Vec::new();
        while let Some(mut child) = root.next_child().unwrap() {
            let name = child.local_name().to_string();
            match name.as_str() {
                "skip" => seen.push(name),
                _ => seen.push(format!("{name}={}", child.read_string().unwrap())),
            }
        }
        assert_eq!(seen, ["a=1", "skip", "b=", "c=<&AB", "d=<raw>"]);
    }

    #[test]
    fn nested_children_and_namespaced_names() {
        let xml = "<r><ns:list xmlns:ns='u'><item><v>1</v></item><item><v>2</v></item></ns:list><after>x</after></r>";
        let mut doc = Document::new(xml.as_bytes()).unwrap();
        let mut root = doc.root().unwrap();
        let mut values = Vec::new();
        {
            let mut list = root.next_child().unwrap().unwrap();
            assert_eq!(list.local_name(), "list");
            while let Some(mut item) = list.next_child().unwrap() {
                while let Some(mut v) = item.next_child().unwrap() {
                    values.push(v.read_i32().unwrap());
                }
            }
        }
        assert_eq!(values, [1, 2]);
        let mut after = root.next_child().unwrap().unwrap();
        assert_eq!(after.read_string().unwrap(), "x");
        assert!(root.next_child().unwrap().is_none());
    }

    #[test]
    fn bad_input_gives_errors_not_panics() {
        for bad in [
            "",
            "   ",
            "not xml",
            "<a>",
            "<a><b>text</a>",
            "<a>&bogus;</a>",
            "<a><b>1</b>",
            "</a>",
            "<a b='>",
            "<html><body>502 Bad Gateway",
        ] {
            assert!(names_and_texts(bad).is_err(), "{bad:?} should fail");
        }
        let mut not_utf8 = Document::new(&[0xff, 0xfe, 0x00]).unwrap();
        assert!(not_utf8.root().is_err());
        assert!(names_and_texts("<a><b>\u{fffd}</b></a>").is_ok());
        let mut bad_text = Document::new(b"<a><b>\xff</b></a>").unwrap();
        let mut root = bad_text.root().unwrap();
        let error = root.next_child().unwrap().unwrap().read_string().unwrap_err();
        assert!(error.to_string().contains("not UTF-8"), "{error}");
    }

    #[test]
    fn scalar_parsing() {
        let xml = "<r><i> 42 </i><f>NaN</f><g>-Infinity</g><h>1.5e3</h><b>true</b><bad>12x</bad><inf>inf</inf></r>";
        let mut doc = Document::new(xml.as_bytes()).unwrap();
        let mut root = doc.root().unwrap();
        assert_eq!(root.next_child().unwrap().unwrap().read_i32().unwrap(), 42);
        assert!(root.next_child().unwrap().unwrap().read_f64().unwrap().is_nan());
        assert_eq!(root.next_child().unwrap().unwrap().read_f32().unwrap(), f32::NEG_INFINITY);
        assert_eq!(root.next_child().unwrap().unwrap().read_f64().unwrap(), 1500.0);
        assert!(root.next_child().unwrap().unwrap().read_bool().unwrap());
        let error = root.next_child().unwrap().unwrap().read_i64().unwrap_err();
        assert!(error.to_string().contains("<bad>"), "{error}");
        assert!(root.next_child().unwrap().unwrap().read_f64().is_err());
    }
}
