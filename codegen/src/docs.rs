//! AWS's documentation, as rustdoc: botocore's `documentation` strings (a small subset of HTML)
//! converted to Markdown, and one helper per kind of generated item that says what that item's
//! doc comment gets from the model.
//!
//! The converter is hand-written because the input is narrow (paragraphs, `<code>`, lists,
//! links, `<i>`/`<b>`, `<note>`/`<important>`, the odd table) and the output must be safe for
//! rustdoc rather than faithful HTML: a general HTML parser would add a dependency graph to the
//! generator and still leave the escaping to us. What it does not know (tables, images, `<fullname>`)
//! loses its tags and keeps its text; no tag reaches the output. Text is escaped so that rustdoc
//! reads it as text: `[`/`]` (intra-doc links), `<`/`>` (HTML), `*`, `_`, `` ` ``, `\`, `&`, and
//! at the start of a line whatever would start a block (`#`, `-`, `+`, `>`, `1.`, fences).
//! Bare URLs become `<…>` autolinks (rustdoc warns about bare ones).

use crate::ir::{Home, Ir, StructDef};
use crate::model::ShapeRef;

/// Width of the wrapped doc lines (the generated files' comments are read in the source too).
const WIDTH: usize = 100;

// ---------------------------------------------------------------------------------------------
// What each kind of item gets

/// The operation's own documentation and its API reference link, for the client method, the
/// fluent builder, the operation type and module: the same text everywhere a user may hover.
pub fn operation(ir: &Ir, op_name: &str) -> String {
    let op = &ir.model.operations[op_name];
    let mut doc = op.documentation.as_deref().map(to_markdown).unwrap_or_default();
    if let Some(link) = ir.reference_link(op_name) {
        push_paragraph(&mut doc, &format!("[`{op_name}` in the AWS API reference]({link})"));
    }
    doc
}

/// A shape's documentation (structures and enums), empty when the model has none.
pub fn shape(ir: &Ir, shape_name: &str) -> String {
    ir.model.shapes.get(shape_name).and_then(|s| s.documentation.as_deref()).map(to_markdown).unwrap_or_default()
}

/// A shape's documentation and its API reference page (a data type's page).
pub fn shape_with_link(ir: &Ir, shape_name: &str) -> String {
    let mut doc = shape(ir, shape_name);
    if let Some(link) = ir.reference_link(shape_name) {
        push_paragraph(&mut doc, &format!("[`{shape_name}` in the AWS API reference]({link})"));
    }
    doc
}

/// A structure's documentation: an operation's input or output has the operation's (AWS
/// documents the call, not its request and response shapes); an error has its shape's; any
/// other structure its shape's and its data type page.
pub fn structure(ir: &Ir, def: &StructDef) -> String {
    let io_of = ir.io.iter().find(|(_, (input, output))| *input == def.rust_name || *output == def.rust_name);
    match (def.home, io_of, def.shape_name) {
        (Home::Operation, Some((op_name, _)), _) => operation(ir, op_name),
        (_, _, Some(shape_name)) if def.is_error => shape(ir, shape_name),
        (_, _, Some(shape_name)) => shape_with_link(ir, shape_name),
        (_, _, None) => String::new(),
    }
}

/// A member's documentation (fields, getters, setters), empty when the model has none. A
/// member without its own text borrows its target shape's, as botocore's documentation does.
pub fn member(ir: &Ir, reference: &ShapeRef) -> String {
    match reference.documentation.as_deref() {
        Some(text) => to_markdown(text),
        None => shape(ir, &reference.shape),
    }
}

/// `summary` followed by `detail` as its own paragraphs (when there is any).
pub fn with_detail(summary: &str, detail: &str) -> String {
    let mut doc = summary.to_string();
    if !detail.is_empty() {
        push_paragraph(&mut doc, detail);
    }
    doc
}

fn push_paragraph(doc: &mut String, paragraph: &str) {
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(paragraph);
}

// ---------------------------------------------------------------------------------------------
// HTML to Markdown

/// Converts one botocore `documentation` string to Markdown that rustdoc reads as written.
pub fn to_markdown(html: &str) -> String {
    let mut converter = Converter::default();
    for token in tokenize(html) {
        converter.token(token);
    }
    converter.finish()
}

#[derive(Debug, PartialEq)]
enum Token {
    Text(String),
    Start { name: String, href: Option<String> },
    End(String),
}

/// Splits HTML into text (entities decoded) and tags (names lower-cased, `href` kept).
/// Comments and malformed tags are dropped.
fn tokenize(html: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            tokens.push(Token::Text(decode_entities(rest)));
            break;
        };
        if open > 0 {
            tokens.push(Token::Text(decode_entities(&rest[..open])));
        }
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map(|end| &after[end + 3..]).unwrap_or("");
            continue;
        }
        let Some(close) = rest.find('>') else {
            // A lone `<` is text.
            tokens.push(Token::Text(decode_entities(rest)));
            break;
        };
        let tag = &rest[1..close];
        rest = &rest[close + 1..];
        let (is_end, tag) = match tag.strip_prefix('/') {
            Some(tag) => (true, tag),
            None => (false, tag),
        };
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/').trim();
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
        if name.is_empty() {
            // Not a tag after all (`a < b > c`): keep it as text.
            tokens.push(Token::Text(decode_entities(&format!("<{tag}>"))));
            continue;
        }
        if is_end {
            tokens.push(Token::End(name));
        } else {
            let href = attribute(tag, "href").map(|value| decode_entities(&value));
            tokens.push(Token::Start { name: name.clone(), href });
            if self_closing {
                tokens.push(Token::End(name));
            }
        }
    }
    tokens
}

/// The value of `name="…"` (or `'…'`) in a tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let start = from + found;
        from = start + name.len();
        let preceded = lower[..start].ends_with(|c: char| c.is_whitespace());
        let rest = lower[from..].trim_start();
        if !preceded || !rest.starts_with('=') {
            continue;
        }
        let value = tag[tag.len() - rest.len() + 1..].trim_start();
        let quote = value.chars().next()?;
        if quote == '"' || quote == '\'' {
            let inner = &value[1..];
            return inner.find(quote).map(|end| inner[..end].to_string());
        }
        return Some(value.split_whitespace().next().unwrap_or_default().to_string());
    }
    None
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let entity = rest[1..].find(';').filter(|end| *end <= 10).map(|end| &rest[1..end + 1]);
        let decoded = entity.and_then(|entity| match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => {
                let number = entity.strip_prefix('#')?;
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => number.parse().ok()?,
                };
                char::from_u32(code)
            }
        });
        match (entity, decoded) {
            (Some(entity), Some(c)) => {
                out.push(c);
                rest = &rest[entity.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A piece of a paragraph that is never split across lines.
#[derive(Debug, Clone)]
struct Atom {
    text: String,
    /// Text that would start a block at the start of a line (`-`, `#`, `1.`, …): escaped there.
    starts_block: bool,
    /// Glued to the previous atom (no space between them).
    glued: bool,
}

#[derive(Debug, Default)]
struct Converter {
    /// Finished blocks (paragraphs, list items), in order.
    blocks: Vec<String>,
    /// The paragraph being built.
    atoms: Vec<Atom>,
    /// Open inline markup, innermost last: (tag, atoms index where it started, href).
    inline: Vec<(String, usize, Option<String>)>,
    /// Open lists: ordered?, items so far.
    lists: Vec<(bool, usize)>,
    /// The prefix of the current list item's first line (`- `, `1. `), until it is used.
    item_prefix: Option<String>,
    /// Whether the paragraph being built continues a list item's earlier paragraph.
    in_item: bool,
    /// Inside `<code>`: text is kept verbatim.
    code: usize,
    /// Inside `<pre>`: collected verbatim for a code block.
    pre: Option<String>,
    /// Inside an element whose text is dropped (`<fullname>`, `<script>`, `<style>`).
    dropped: usize,
    /// A space was seen since the last atom.
    pending_space: bool,
    /// The paragraph holds only a note's label so far: its first `<p>` continues it.
    label_only: bool,
}

impl Converter {
    fn token(&mut self, token: Token) {
        match token {
            Token::Text(text) => self.text(&text),
            Token::Start { name, href } => self.start(&name, href),
            Token::End(name) => self.end(&name),
        }
    }

    fn text(&mut self, text: &str) {
        if self.dropped > 0 {
            return;
        }
        if let Some(pre) = &mut self.pre {
            pre.push_str(text);
            return;
        }
        if self.code > 0 {
            // Code is collected raw and made a code span when `</code>` closes it.
            if text.starts_with(char::is_whitespace) && !self.atoms.is_empty() {
                self.pending_space = true;
            }
            let raw = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if !raw.is_empty() {
                self.push_escaped(raw, false);
            }
            if text.ends_with(char::is_whitespace) {
                self.pending_space = true;
            }
            return;
        }
        if text.starts_with(char::is_whitespace) {
            self.pending_space = true;
        }
        for word in text.split_whitespace() {
            self.push_word(word);
            self.pending_space = true;
        }
        if !text.ends_with(char::is_whitespace) {
            self.pending_space = false;
        }
    }

    /// A word of text: escaped, with bare URLs made autolinks.
    fn push_word(&mut self, word: &str) {
        if let Some(at) = word.find("https://").or_else(|| word.find("http://")) {
            let (before, url) = word.split_at(at);
            let end = url.trim_end_matches(['.', ',', ';', ':', ')', '"', '\'']).len();
            let (url, after) = url.split_at(end);
            if !before.is_empty() {
                let (text, starts_block) = escape_text(before);
                self.push_escaped(text, starts_block);
            }
            let clean = !url.contains(['<', '>', ' ', '`']);
            if clean {
                self.push_escaped(format!("<{url}>"), false);
            } else {
                let (text, starts_block) = escape_text(url);
                self.push_escaped(text, starts_block);
            }
            if !after.is_empty() {
                self.pending_space = false;
                let (text, _) = escape_text(after);
                self.push_escaped(text, false);
            }
            return;
        }
        let (text, starts_block) = escape_text(word);
        self.push_escaped(text, starts_block);
    }

    fn push_escaped(&mut self, text: String, starts_block: bool) {
        let glued = !self.pending_space;
        self.atoms.push(Atom { text, starts_block, glued });
        self.pending_space = false;
        self.label_only = false;
    }

    fn start(&mut self, name: &str, href: Option<String>) {
        if self.dropped > 0 {
            if matches!(name, "fullname" | "script" | "style") {
                self.dropped += 1;
            }
            return;
        }
        if self.pre.is_some() {
            return;
        }
        match name {
            "fullname" | "script" | "style" => self.dropped += 1,
            "p" if self.label_only => {}
            "p" | "div" | "dl" | "dt" | "dd" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "tr" => {
                self.flush_paragraph()
            }
            "br" => self.pending_space = true,
            "note" | "important" => {
                self.flush_paragraph();
                let label = if name == "note" { "**Note:**" } else { "**Important:**" };
                self.atoms.push(Atom { text: label.to_string(), starts_block: false, glued: false });
                self.pending_space = true;
                self.label_only = true;
            }
            "ul" | "ol" => {
                self.flush_paragraph();
                self.lists.push((name == "ol", 0));
            }
            "li" => {
                self.flush_paragraph();
                let depth = self.lists.len().max(1);
                let marker = match self.lists.last_mut() {
                    Some((ordered, count)) => {
                        *count += 1;
                        if *ordered {
                            format!("{count}. ")
                        } else {
                            "- ".to_string()
                        }
                    }
                    None => "- ".to_string(),
                };
                self.item_prefix = Some(format!("{}{marker}", "  ".repeat(depth - 1)));
                self.in_item = false;
            }
            "pre" => {
                self.flush_paragraph();
                self.pre = Some(String::new());
            }
            "code" | "i" | "em" | "b" | "strong" | "a" => {
                if name == "code" {
                    self.code += 1;
                }
                if self.code > 1 && name == "code" {
                    return;
                }
                self.inline.push((name.to_string(), self.atoms.len(), href));
                // The markup opens where its first atom goes; a space before it stays before it.
            }
            "td" | "th" => self.pending_space = true,
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        if self.dropped > 0 {
            if matches!(name, "fullname" | "script" | "style") {
                self.dropped -= 1;
            }
            return;
        }
        if name == "pre" {
            if let Some(pre) = self.pre.take() {
                self.code_block(&pre);
            }
            return;
        }
        if self.pre.is_some() {
            return;
        }
        match name {
            "p" | "div" | "dt" | "dd" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "note" | "important" | "tr" => {
                self.flush_paragraph()
            }
            "li" => {
                self.flush_paragraph();
                self.item_prefix = None;
                self.in_item = false;
            }
            "ul" | "ol" => {
                self.flush_paragraph();
                self.lists.pop();
                self.item_prefix = None;
                self.in_item = false;
            }
            "code" | "i" | "em" | "b" | "strong" | "a" => self.close_inline(name),
            "td" | "th" => self.pending_space = true,
            _ => {}
        }
    }

    /// Wraps the atoms since the matching start tag in the markup for `name`.
    fn close_inline(&mut self, name: &str) {
        if name == "code" {
            self.code = self.code.saturating_sub(1);
            if self.code > 0 {
                return;
            }
        }
        let Some(position) = self.inline.iter().rposition(|(open, ..)| open == name) else { return };
        let (_, start, href) = self.inline.remove(position);
        if start >= self.atoms.len() {
            return;
        }
        let inner: Vec<Atom> = self.atoms.drain(start..).collect();
        let glued = inner[0].glued;
        let joined = join_atoms(&inner);
        let text = match name {
            "code" => code_span(&joined),
            // Emphasis around text that already carries markup of the same kind is left plain.
            "i" | "em" if !joined.contains('*') => format!("*{joined}*"),
            "b" | "strong" if !joined.contains('*') => format!("**{joined}**"),
            "a" => match href.filter(|h| h.starts_with("https://") || h.starts_with("http://")) {
                Some(href) if !href.contains([' ', '<', '>', '(', ')']) => {
                    if joined.trim_matches(['<', '>']) == href {
                        format!("<{href}>")
                    } else {
                        format!("[{joined}]({href})")
                    }
                }
                // A reference to another operation or shape by name, or a link that cannot be
                // written: its text, as code when it is a name.
                _ if !joined.contains(' ') && !joined.starts_with('`') => code_span(&unescape(&joined)),
                _ => joined,
            },
            _ => joined,
        };
        self.atoms.push(Atom { text, starts_block: false, glued });
    }

    fn code_block(&mut self, text: &str) {
        let lines: Vec<&str> = text.lines().collect();
        let first = lines.iter().position(|l| !l.trim().is_empty());
        let last = lines.iter().rposition(|l| !l.trim().is_empty());
        let (Some(first), Some(last)) = (first, last) else { return };
        let body = lines[first..=last].join("\n");
        let fence = if body.contains("```") { "````" } else { "```" };
        // `text`: rustdoc would otherwise compile the block as a Rust doctest.
        self.blocks.push(format!("{fence}text\n{body}\n{fence}"));
    }

    fn flush_paragraph(&mut self) {
        // Markup left open (unbalanced HTML) is dropped: its atoms stay as they are.
        self.inline.clear();
        self.code = 0;
        if self.atoms.is_empty() {
            return;
        }
        let atoms = std::mem::take(&mut self.atoms);
        self.pending_space = false;
        let depth = self.lists.len();
        let (first_prefix, indent) = match (self.item_prefix.take(), depth) {
            (Some(prefix), _) => {
                let indent = " ".repeat(prefix.len());
                self.in_item = true;
                (prefix, indent)
            }
            // A later paragraph of the same list item: indented under the item's text.
            (None, depth) if self.in_item && depth > 0 => {
                let indent = " ".repeat(2 * depth);
                (indent.clone(), indent)
            }
            _ => (String::new(), String::new()),
        };
        self.blocks.push(wrap(&atoms, &first_prefix, &indent));
        // Paragraphs of one list item are kept together, so the item's later ones get its indent.
        if !first_prefix.is_empty() && !self.in_item {
            self.in_item = true;
        }
    }

    fn finish(mut self) -> String {
        if let Some(pre) = self.pre.take() {
            self.code_block(&pre);
        }
        self.flush_paragraph();
        // List items follow one another without blank lines; anything else is its own block.
        let mut out = String::new();
        let mut previous_item = false;
        for block in &self.blocks {
            let is_item = is_list_item(block);
            if !out.is_empty() {
                out.push_str(if is_item && previous_item { "\n" } else { "\n\n" });
            }
            out.push_str(block);
            previous_item = is_item;
        }
        out
    }
}

fn is_list_item(block: &str) -> bool {
    let trimmed = block.trim_start();
    trimmed.starts_with("- ")
        || trimmed.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The atoms as one line of text.
fn join_atoms(atoms: &[Atom]) -> String {
    let mut out = String::new();
    for (i, atom) in atoms.iter().enumerate() {
        if i > 0 && !atom.glued {
            out.push(' ');
        }
        out.push_str(&atom.text);
    }
    out
}

/// Lines of at most [`WIDTH`] characters where possible: a line never starts with an atom that
/// could start a Markdown block, except the paragraph's first, which is escaped already.
fn wrap(atoms: &[Atom], first_prefix: &str, indent: &str) -> String {
    let mut out = String::from(first_prefix);
    let mut line_len = first_prefix.len();
    let mut line_empty = true;
    for atom in atoms {
        let len = atom.text.chars().count();
        if !line_empty && !atom.glued && line_len + 1 + len > WIDTH && !atom.starts_block {
            out.push('\n');
            out.push_str(indent);
            line_len = indent.len();
        } else if !line_empty && !atom.glued {
            out.push(' ');
            line_len += 1;
        }
        // Only a paragraph's first atom can land at a line start (no break is made before the
        // others): only there does a block opener need its escape.
        if line_empty && atom.starts_block {
            out.push_str(&escape_block_start(&atom.text));
        } else {
            out.push_str(&atom.text);
        }
        line_len += len;
        line_empty = false;
    }
    out
}

/// A code span around `text` (already collapsed to one line), with a fence longer than any run
/// of backticks inside it.
fn code_span(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Escapes a word of text for Markdown; also says whether it would start a block at a line start
/// (where [`escape_block_start`] escapes it).
fn escape_text(word: &str) -> (String, bool) {
    let mut out = String::with_capacity(word.len() + 4);
    for c in word.chars() {
        if matches!(c, '\\' | '[' | ']' | '<' | '>' | '*' | '_' | '`' | '&' | '~' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    // Alone at the start of a line these open a list, a heading or a setext underline (the
    // other block openers, `>`, `*`, fences, are escaped wherever they are).
    let marker = !word.is_empty() && word.chars().all(|c| matches!(c, '#' | '-' | '+' | '='));
    let ordered =
        word.len() > 1 && word.ends_with(['.', ')']) && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit());
    (out, marker || ordered)
}

/// A word that [`escape_text`] says could start a block, escaped for the start of a line.
fn escape_block_start(word: &str) -> String {
    match word.chars().next() {
        Some(c) if c.is_ascii_digit() => {
            let (digits, end) = word.split_at(word.len() - 1);
            format!("{digits}\\{end}")
        }
        _ => format!("\\{word}"),
    }
}

/// The text of escaped atoms, for a name written as code.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_markdown;

    #[test]
    fn paragraphs_code_emphasis_and_links() {
        let html = "<p>Creates a <i>widget</i>, see <a href=\"https://docs.aws.amazon.com/x.html\">widget \
                    guides</a> and <a>ConfigureWidgetPorts</a>.</p> <p>Use <code>tcp</code>, <b>not</b> \
                    <code>-1</code>.</p>";
        assert_eq!(
            to_markdown(html),
            "Creates a *widget*, see [widget guides](https://docs.aws.amazon.com/x.html) and\n`ConfigureWidgetPorts`.\n\n\
             Use `tcp`, **not** `-1`."
        );
    }

    #[test]
    fn lists_notes_and_dropped_tags() {
        let html = "<fullname>Amazon EC2</fullname><p>Rules:</p><ul><li><p>one</p></li><li>two <code>a</code></li>\
                    </ul><note><p>Mind the gap.</p></note><table><tr><td>cell</td></tr></table><p>end</p>";
        assert_eq!(to_markdown(html), "Rules:\n\n- one\n- two `a`\n\n**Note:** Mind the gap.\n\ncell\n\nend");
        let ordered = to_markdown("<ol><li>first</li><li>second</li></ol>");
        assert_eq!(ordered, "1. first\n2. second");
    }

    #[test]
    fn text_rustdoc_would_misread_is_escaped() {
        // Brackets (intra-doc links), angle brackets (HTML), emphasis and code markers.
        assert_eq!(to_markdown("<p>[a] &lt;b&gt; *c* _d_ `e` x&amp;y</p>"), r"\[a\] \<b\> \*c\* \_d\_ \`e\` x\&y");
        // Lines that would start a block: a list, a heading, an ordered list.
        assert_eq!(to_markdown("<p>- not a list</p>"), r"\- not a list");
        assert_eq!(to_markdown("<p># not a heading</p>"), r"\# not a heading");
        assert_eq!(to_markdown("<p>1. not a list</p>"), r"1\. not a list");
        assert_eq!(to_markdown("<p>```not a fence</p>"), r"\`\`\`not a fence");
        // Bare URLs become autolinks; no tag is ever left in the output.
        assert_eq!(to_markdown("<p>See https://example.com/a.</p>"), "See <https://example.com/a>.");
        let odd = to_markdown("<p>a <unknown attr=\"1\">b</unknown> <img src=\"x\"/> c<br/>d</p>");
        assert_eq!(odd, "a b c d");
    }

    #[test]
    fn code_keeps_its_text_and_long_paragraphs_wrap() {
        assert_eq!(to_markdown("<code>a [b] *c*</code>"), "`a [b] *c*`");
        assert_eq!(to_markdown("<code>x`y</code>"), "``x`y``");
        let words = "word ".repeat(40);
        let wrapped = to_markdown(&format!("<p>{words} - 1. # = tail, version 1.5</p>"));
        assert!(wrapped.replace('\n', " ").ends_with(" - 1. # = tail, version 1.5"), "{wrapped}");
        assert!(wrapped.lines().count() == 3 && wrapped.lines().next().is_some_and(|l| l.len() <= 100), "{wrapped}");
        // A wrapped line never starts with what would start a block: those stay on the line before.
        assert!(wrapped.lines().skip(1).all(|l| l.starts_with(char::is_alphanumeric)), "{wrapped}");
    }

    /// The generated items carry the model's documentation, and operations link the reference
    /// page the metadata's `apiReference` gives.
    #[test]
    fn generated_items_carry_the_documentation() {
        let json = r#"{"metadata": {"apiVersion": "1", "protocol": "ec2", "apiReference": "https://example.com/ref/"},
            "operations": {"MakeWidget": {"name": "MakeWidget", "http": {"method": "POST", "requestUri": "/"},
                "input": {"shape": "MakeWidgetRequest"}, "documentation": "<p>Makes a <b>widget</b>.</p>"}},
            "shapes": {
                "MakeWidgetRequest": {"type": "structure", "members": {
                    "Size": {"shape": "Size", "documentation": "<p>How big, in [units].</p><ul><li><p>Small: a widget that fits in one hand, whatever the hand, and whatever the widget is made of, wood or steel.</p></li></ul>"},
                    "Color": {"shape": "Color"}}},
                "Size": {"type": "integer"},
                "Color": {"type": "string", "enum": ["red"], "documentation": "<p>A color.</p>"}}}"#;
        let service = crate::ServiceModel::from_json(json).unwrap();
        let files = crate::generate(&crate::Model::service_only(service)).unwrap();
        let file = |name: &str| &files.iter().find(|f| f.path == name).unwrap().contents;
        let client = file("client.rs");
        assert!(client.contains("/// Makes a **widget**.\n"), "{client}");
        assert!(client.contains("(https://example.com/ref/API_MakeWidget.html)"), "{client}");
        let operation = file("operation.rs");
        assert!(operation.contains("/// How big, in \\[units\\]."), "{operation}");
        // A list item's wrapped lines stay indented under its text (rustdoc and clippy read the
        // indentation relative to the other lines of the comment).
        assert!(operation.contains("    /// - Small: a widget that fits in one hand, whatever the hand, and whatever the widget is made of, wood\n    ///   or steel.\n"), "{operation}");
        // A member without its own text has its shape's; the enum has its own and its page.
        assert!(operation.contains("/// A color."), "{operation}");
        assert!(file("types.rs").contains("(https://example.com/ref/API_Color.html)"), "{}", file("types.rs"));
    }

    #[test]
    fn preformatted_text_is_a_text_code_block() {
        assert_eq!(to_markdown("<p>Example:</p><pre>a  b\n  c</pre>"), "Example:\n\n```text\na  b\n  c\n```");
    }
}
