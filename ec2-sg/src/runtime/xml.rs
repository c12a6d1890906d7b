//! A small pull decoder over `xmlparser` tokens, the shape the generated decoders need:
//! walk the children of an element by local name (namespaces ignored), read text, and skip
//! whatever is not understood. Malformed or truncated input gives an [`XmlError`], never a panic.

use super::timestamp::{parse_timestamp, DateTime, TimestampFormat};
use aws_smithy_types::{base64, Blob};
use std::borrow::Cow;
use std::fmt;
use xmlparser::{ElementEnd, Token, Tokenizer};

/// What was wrong with a response document, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    message: String,
    /// Byte offset in the document, when known.
    offset: Option<usize>,
}

impl XmlError {
    pub(crate) fn new(message: impl Into<String>, offset: Option<usize>) -> Self {
        Self { message: message.into(), offset }
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The byte offset in the document where it was noticed, when known.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "{} (at byte {offset})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for XmlError {}

/// Elements may nest this deep at most. AWS answers nest fewer than 20 levels; the limit bounds
/// the recursion of the decoders (of recursive shapes too) and of the error reader, so a hostile
/// answer cannot overflow the stack, which would abort the process rather than panic.
pub const MAX_DEPTH: usize = 128;

/// A parsed-as-you-go XML document. `xmlparser` refuses a second root element and text after the
/// root; this checks what it leaves to its caller, as expat does: end tags match their start
/// tags, the root is closed, no attribute is given twice on an element, and character references
/// name only XML characters.
pub struct Document<'inp> {
    tokens: Tokenizer<'inp>,
    /// The qualified names (prefix, local) of the open elements, innermost last.
    open: Vec<(&'inp str, &'inp str)>,
    /// The root element has been closed: only comments, PIs and whitespace may follow.
    root_closed: bool,
    /// The attributes of the start tag being read, to refuse duplicates.
    attributes: Vec<(&'inp str, &'inp str)>,
    /// Set once the tokenizer has failed; every later read fails the same way.
    failed: Option<XmlError>,
}

/// What the tokenizer gave, reduced to what the decoders need.
enum Step<'inp> {
    /// An element started; `empty` for `<x/>`.
    Start {
        local: &'inp str,
        empty: bool,
        offset: usize,
    },
    /// The innermost open element closed.
    End,
    Text(Cow<'inp, str>),
    /// Declarations, comments, processing instructions, DTDs.
    Other,
}

impl<'inp> Document<'inp> {
    /// Starts reading `input`, which must be UTF-8 (a BOM is skipped).
    pub fn new(input: &'inp [u8]) -> Result<Self, XmlError> {
        let text = std::str::from_utf8(input)
            .map_err(|e| XmlError::new("the response is not UTF-8", Some(e.valid_up_to())))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Ok(Self {
            tokens: Tokenizer::from(text),
            open: Vec::new(),
            root_closed: false,
            attributes: Vec::new(),
            failed: None,
        })
    }

    /// The root element. Fails on an empty document or one that is not XML.
    pub fn root<'a>(&'a mut self) -> Result<Element<'inp, 'a>, XmlError> {
        loop {
            match self.step()? {
                Some(Step::Start { local, empty, offset }) => {
                    return Ok(Element { local, offset, depth: self.depth(), done: empty, doc: self });
                }
                Some(Step::Text(text)) if text.trim().is_empty() => {}
                Some(Step::Other) => {}
                Some(Step::Text(_)) => {
                    return Err(XmlError::new("text before the root element: not an XML document", None))
                }
                Some(Step::End) => return Err(XmlError::new("a closing tag before any element", None)),
                None => return Err(XmlError::new("the document is empty", None)),
            }
        }
    }

    /// Number of elements currently open.
    fn depth(&self) -> usize {
        self.open.len()
    }

    /// Reads what is left after the root element and checks that the document is complete and
    /// well-formed: a decoder that has read what it needs calls this before trusting the result.
    pub fn finish(&mut self) -> Result<(), XmlError> {
        while self.step()?.is_some() {}
        if !self.root_closed {
            return Err(XmlError::new("the document ends before its root element is closed", None));
        }
        Ok(())
    }

    fn fail(&mut self, error: XmlError) -> XmlError {
        self.failed = Some(error.clone());
        error
    }

    /// The next token of interest; `None` at the end of the input.
    fn step(&mut self) -> Result<Option<Step<'inp>>, XmlError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let token = match self.tokens.next() {
            None => return Ok(None),
            Some(Ok(token)) => token,
            Some(Err(e)) => return Err(self.fail(XmlError::new(format!("malformed XML: {e}"), None))),
        };
        Ok(Some(match token {
            Token::ElementStart { prefix, local, span } => {
                let offset = span.start();
                if self.depth() >= MAX_DEPTH {
                    let error = XmlError::new(format!("elements nest more than {MAX_DEPTH} deep"), Some(offset));
                    return Err(self.fail(error));
                }
                // Attributes (including namespace declarations) carry nothing the decoders read,
                // but a name given twice makes the document malformed.
                self.attributes.clear();
                loop {
                    match self.tokens.next() {
                        Some(Ok(Token::Attribute { prefix, local, span, .. })) => {
                            let name = (prefix.as_str(), local.as_str());
                            if self.attributes.contains(&name) {
                                let error = XmlError::new("an attribute given twice", Some(span.start()));
                                return Err(self.fail(error));
                            }
                            self.attributes.push(name);
                        }
                        Some(Ok(Token::ElementEnd { end: ElementEnd::Open, .. })) => {
                            self.open.push((prefix.as_str(), local.as_str()));
                            return Ok(Some(Step::Start { local: local.as_str(), empty: false, offset }));
                        }
                        Some(Ok(Token::ElementEnd { end: ElementEnd::Empty, .. })) => {
                            self.root_closed = self.open.is_empty();
                            return Ok(Some(Step::Start { local: local.as_str(), empty: true, offset }));
                        }
                        Some(Err(e)) => {
                            return Err(self.fail(XmlError::new(format!("malformed XML: {e}"), Some(offset))))
                        }
                        _ => {
                            let error = XmlError::new("truncated start tag", Some(offset));
                            return Err(self.fail(error));
                        }
                    }
                }
            }
            Token::ElementEnd { end: ElementEnd::Close(prefix, local), span } => {
                match self.open.pop() {
                    None => return Err(self.fail(XmlError::new("unbalanced closing tag", Some(span.start())))),
                    Some(open) if open != (prefix.as_str(), local.as_str()) => {
                        let message = format!(
                            "</{}> closes <{}>",
                            qualified(prefix.as_str(), local.as_str()),
                            qualified(open.0, open.1)
                        );
                        return Err(self.fail(XmlError::new(message, Some(span.start()))));
                    }
                    Some(_) => {}
                }
                self.root_closed = self.open.is_empty();
                Step::End
            }
            Token::ElementEnd { span, .. } => {
                return Err(self.fail(XmlError::new("unexpected end of tag", Some(span.start()))))
            }
            Token::Text { text } => {
                let decoded = unescape(text.as_str()).map_err(|m| XmlError::new(m, Some(text.start())));
                Step::Text(decoded.map_err(|e| self.fail(e))?)
            }
            Token::Cdata { text, .. } => Step::Text(Cow::Borrowed(text.as_str())),
            _ => Step::Other,
        }))
    }
}

/// An open element: read its children or its text. Children not read are skipped when the
/// parent moves on, so decoders only look at what they know.
pub struct Element<'inp, 'a> {
    doc: &'a mut Document<'inp>,
    local: &'inp str,
    /// Byte offset of the start tag, for error messages.
    offset: usize,
    /// Document depth inside this element.
    depth: usize,
    /// The element's end has been read (or it was `<x/>`).
    done: bool,
}

impl<'inp> Element<'inp, '_> {
    /// The element's name without a namespace prefix.
    pub fn local_name(&self) -> &'inp str {
        self.local
    }

    /// An error that names this element.
    pub fn error(&self, message: &str) -> XmlError {
        XmlError::new(format!("<{}>: {message}", self.local), Some(self.offset))
    }

    /// The next child element, skipping text and anything left of earlier children.
    pub fn next_child<'b>(&'b mut self) -> Result<Option<Element<'inp, 'b>>, XmlError> {
        if self.done {
            return Ok(None);
        }
        loop {
            let depth_before = self.doc.depth();
            match self.doc.step()? {
                // A start at our own depth is a direct child; deeper ones belong to unread children.
                Some(Step::Start { local, empty, offset }) if depth_before == self.depth => {
                    return Ok(Some(Element {
                        local,
                        offset,
                        depth: self.depth + 1,
                        done: empty,
                        doc: &mut *self.doc,
                    }));
                }
                Some(Step::End) if self.doc.depth() < self.depth => {
                    self.done = true;
                    return Ok(None);
                }
                Some(_) => {}
                None => {
                    self.done = true;
                    return Err(XmlError::new(format!("the document ends inside <{}>", self.local), None));
                }
            }
        }
    }

    /// The element's text (all text and CDATA inside it, nested elements skipped).
    pub fn read_text(&mut self) -> Result<Cow<'inp, str>, XmlError> {
        let mut text: Option<Cow<'inp, str>> = None;
        while !self.done {
            match self.doc.step()? {
                Some(Step::Text(part)) if self.doc.depth() == self.depth => {
                    text = Some(match text {
                        None => part,
                        Some(existing) => Cow::Owned(existing.into_owned() + &part),
                    });
                }
                Some(Step::End) if self.doc.depth() < self.depth => self.done = true,
                Some(_) => {}
                None => {
                    self.done = true;
                    return Err(XmlError::new(format!("the document ends inside <{}>", self.local), None));
                }
            }
        }
        Ok(text.unwrap_or(Cow::Borrowed("")))
    }

    /// The text as an owned string (`<x/>` gives an empty string).
    pub fn read_string(&mut self) -> Result<String, XmlError> {
        self.read_text().map(Cow::into_owned)
    }

    fn read_parsed<T: std::str::FromStr>(&mut self, what: &str) -> Result<T, XmlError> {
        let text = self.read_text()?;
        text.trim().parse().map_err(|_| self.error(&format!("`{}` is not {what}", snippet(&text))))
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
        let text = self.read_text()?;
        match text.trim() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            // Rust would also take `inf` and `nan`; the protocol does not use them.
            other if other.chars().any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E') => {
                Err(self.error(&format!("`{}` is not a number", snippet(other))))
            }
            other => other.parse().map_err(|_| self.error(&format!("`{}` is not a number", snippet(other)))),
        }
    }

    /// A timestamp in the given wire format.
    pub fn read_timestamp(&mut self, format: TimestampFormat) -> Result<DateTime, XmlError> {
        let text = self.read_text()?;
        parse_timestamp(&text, format).map_err(|e| self.error(&e.to_string()))
    }

    /// Base64 data.
    pub fn read_blob(&mut self) -> Result<Blob, XmlError> {
        let text = self.read_text()?;
        base64::decode(text.trim()).map(Blob::new).map_err(|e| self.error(&e.to_string()))
    }
}

/// `prefix:local`, or `local` without a prefix.
fn qualified(prefix: &str, local: &str) -> String {
    if prefix.is_empty() {
        local.to_string()
    } else {
        format!("{prefix}:{local}")
    }
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

/// Replaces XML's five named entities and numeric character references.
fn unescape(text: &str) -> Result<Cow<'_, str>, String> {
    if !text.contains('&') {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';').ok_or_else(|| "an `&` without a closing `;`".to_string())?;
        let entity = &after[..semi];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32).filter(|&c| is_xml_char(c)).ok_or_else(|| {
                    format!("`&{};` is not an XML entity or a reference to an XML character", snippet(entity))
                })?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
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
            ("<a><b>1</c></a>", "closes <b>"),
            ("<a><x:b xmlns:x='u'>1</y:b></a>", "closes <x:b>"),
            ("<a><b>1</b></a><a><b>2</b></a>", "malformed XML"),
            ("<a><b>1</b></a>trailing", "malformed XML"),
            ("<a><b>1</b></a><", "malformed"),
            ("<a x='1' x='2'><b>1</b></a>", "attribute given twice"),
            ("<a><b k='1' k='1'/></a>", "attribute given twice"),
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
            match child.local_name() {
                "skip" => seen.push("skip".to_string()),
                name => seen.push(format!("{name}={}", child.read_string().unwrap())),
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
        assert!(Document::new(&[0xff, 0xfe, 0x00]).is_err());
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
