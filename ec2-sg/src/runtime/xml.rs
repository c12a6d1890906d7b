//! A small pull decoder over `xmlparser` tokens, the shape the generated decoders need:
//! walk the children of an element by local name (namespaces ignored), read text, and skip
//! whatever is not understood. Malformed or truncated input gives an [`XmlError`], never a panic.

use super::blob::{base64_decode, Blob};
use super::datetime::{DateTime, TimestampFormat};
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

/// A parsed-as-you-go XML document.
pub struct Document<'inp> {
    tokens: Tokenizer<'inp>,
    /// Number of elements currently open.
    depth: usize,
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
        Ok(Self { tokens: Tokenizer::from(text), depth: 0, failed: None })
    }

    /// The root element. Fails on an empty document or one that is not XML.
    pub fn root<'a>(&'a mut self) -> Result<Element<'inp, 'a>, XmlError> {
        loop {
            match self.step()? {
                Some(Step::Start { local, empty, offset }) => {
                    return Ok(Element { local, offset, depth: self.depth, done: empty, doc: self });
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
            Token::ElementStart { local, span, .. } => {
                let offset = span.start();
                // Attributes (including namespace declarations) carry nothing the decoders read.
                loop {
                    match self.tokens.next() {
                        Some(Ok(Token::Attribute { .. })) => {}
                        Some(Ok(Token::ElementEnd { end: ElementEnd::Open, .. })) => {
                            self.depth += 1;
                            return Ok(Some(Step::Start { local: local.as_str(), empty: false, offset }));
                        }
                        Some(Ok(Token::ElementEnd { end: ElementEnd::Empty, .. })) => {
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
            Token::ElementEnd { end: ElementEnd::Close(..), span } => {
                if self.depth == 0 {
                    return Err(self.fail(XmlError::new("unbalanced closing tag", Some(span.start()))));
                }
                self.depth -= 1;
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
            let depth_before = self.doc.depth;
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
                Some(Step::End) if self.doc.depth < self.depth => {
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
                Some(Step::Text(part)) if self.doc.depth == self.depth => {
                    text = Some(match text {
                        None => part,
                        Some(existing) => Cow::Owned(existing.into_owned() + &part),
                    });
                }
                Some(Step::End) if self.doc.depth < self.depth => self.done = true,
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
        DateTime::parse(&text, format).map_err(|e| self.error(&e.to_string()))
    }

    /// Base64 data.
    pub fn read_blob(&mut self) -> Result<Blob, XmlError> {
        let text = self.read_text()?;
        base64_decode(&text).map(Blob::new).map_err(|e| self.error(&e.to_string()))
    }
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
                code.and_then(char::from_u32).ok_or_else(|| format!("unknown entity `&{}`", snippet(entity)))?
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
        let mut root = doc.root()?;
        let mut out = Vec::new();
        while let Some(mut child) = root.next_child()? {
            let name = child.local_name().to_string();
            out.push((name, child.read_string()?));
        }
        Ok(out)
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
