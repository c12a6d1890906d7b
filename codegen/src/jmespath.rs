//! The JMESPath subset of botocore's waiters, compiled into Rust over the generated output types.
//!
//! An expression is parsed (a Pratt parser with jmespath.py's binding powers, so the tree is the
//! one every JMESPath implementation builds) and then typed against the model: every node knows
//! the Rust type of its value, and the emitted code evaluates to `Option<Repr>` where `None` is
//! JMESPath's `null`. Representations: a structure is `&T`, a list `Vec<Repr of its items>`
//! (projections drop nulls, as JMESPath does), a string `&str`, an enum `&E`, every number `f64`
//! (JMESPath numbers are doubles), a boolean `bool`.
//!
//! Supported: member names (bare or `"quoted"`), sub-expressions `a.b`, the flatten projection
//! `a[]`, list wildcard projections `a[*]`, indexes `a[0]`/`a[-1]`, parentheses, `length()` of
//! lists and strings, comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`) with JSON literals
//! (`` `0` ``, `'text'`) or between two numbers/strings/booleans, and equality of the result with
//! the acceptor's `expected` (a JSON scalar or `null`). Anything else — filters, slices, pipes,
//! `||`/`&&`/`!`, object projections, multi-selects, other functions, maps, timestamps, blobs,
//! comparisons whose types can never be equal — fails generation with a message naming it.

use crate::ir::Ir;
use crate::model::ShapeKind;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;
use std::cell::Cell;

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Number(i64),
    Literal(Value),
    Dot,
    LBracket,
    RBracket,
    Flatten,
    Filter,
    Star,
    LParen,
    RParen,
    Comma,
    Cmp(Cmp),
    Not,
    Or,
    And,
    Pipe,
    Current,
    Expref,
    Colon,
    LBrace,
    RBrace,
    Eof,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn tokens(self) -> TokenStream {
        match self {
            Cmp::Eq => quote!(==),
            Cmp::Ne => quote!(!=),
            Cmp::Lt => quote!(<),
            Cmp::Le => quote!(<=),
            Cmp::Gt => quote!(>),
            Cmp::Ge => quote!(>=),
        }
    }

    /// The operator with its operands swapped: `a < b` is `b > a`.
    fn flipped(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            other => other,
        }
    }

    fn is_ordering(self) -> bool {
        !matches!(self, Cmp::Eq | Cmp::Ne)
    }
}

fn lex(expr: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let unsupported = |what: &str| Err(format!("{what} is not supported"));
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            'a'..='z' | 'A'..='Z' | '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            '0'..='9' | '-' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let n = text.parse().map_err(|_| format!("`{text}` is not a number"))?;
                out.push(Tok::Number(n));
            }
            '"' => {
                // A quoted identifier is a JSON string.
                let (text, end) = delimited(&chars, i, '"')?;
                let name: String = serde_json::from_str(&format!("\"{text}\""))
                    .map_err(|e| format!("invalid quoted identifier \"{text}\": {e}"))?;
                out.push(Tok::Ident(name));
                i = end;
            }
            '`' => {
                let (text, end) = delimited(&chars, i, '`')?;
                let json = text.replace("\\`", "`");
                let value: Value =
                    serde_json::from_str(json.trim()).map_err(|e| format!("invalid JSON literal `{json}`: {e}"))?;
                out.push(Tok::Literal(value));
                i = end;
            }
            '\'' => {
                let (text, end) = delimited(&chars, i, '\'')?;
                out.push(Tok::Literal(Value::String(text.replace("\\'", "'"))));
                i = end;
            }
            '.' => {
                out.push(Tok::Dot);
                i += 1;
            }
            '[' if next == Some(']') => {
                out.push(Tok::Flatten);
                i += 2;
            }
            '[' if next == Some('?') => {
                out.push(Tok::Filter);
                i += 2;
            }
            '[' => {
                out.push(Tok::LBracket);
                i += 1;
            }
            ']' => {
                out.push(Tok::RBracket);
                i += 1;
            }
            '*' => {
                out.push(Tok::Star);
                i += 1;
            }
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            ':' => {
                out.push(Tok::Colon);
                i += 1;
            }
            '{' => {
                out.push(Tok::LBrace);
                i += 1;
            }
            '}' => {
                out.push(Tok::RBrace);
                i += 1;
            }
            '@' => {
                out.push(Tok::Current);
                i += 1;
            }
            '=' if next == Some('=') => {
                out.push(Tok::Cmp(Cmp::Eq));
                i += 2;
            }
            '!' if next == Some('=') => {
                out.push(Tok::Cmp(Cmp::Ne));
                i += 2;
            }
            '!' => {
                out.push(Tok::Not);
                i += 1;
            }
            '<' | '>' => {
                let or_equal = next == Some('=');
                out.push(Tok::Cmp(match (c, or_equal) {
                    ('<', false) => Cmp::Lt,
                    ('<', true) => Cmp::Le,
                    ('>', false) => Cmp::Gt,
                    _ => Cmp::Ge,
                }));
                i += if or_equal { 2 } else { 1 };
            }
            '|' if next == Some('|') => {
                out.push(Tok::Or);
                i += 2;
            }
            '|' => {
                out.push(Tok::Pipe);
                i += 1;
            }
            '&' if next == Some('&') => {
                out.push(Tok::And);
                i += 2;
            }
            '&' => {
                out.push(Tok::Expref);
                i += 1;
            }
            '$' => return unsupported("`$` (a variable reference)"),
            other => return Err(format!("unexpected character `{other}`")),
        }
    }
    out.push(Tok::Eof);
    Ok(out)
}

/// The text between the delimiter at `start` and its closing twin (a backslash escapes it), and
/// the index after the closing delimiter.
fn delimited(chars: &[char], start: usize, delimiter: char) -> Result<(String, usize), String> {
    let mut i = start + 1;
    let mut text = String::new();
    while i < chars.len() {
        match chars[i] {
            '\\' if chars.get(i + 1) == Some(&delimiter) => {
                text.push('\\');
                text.push(delimiter);
                i += 2;
            }
            c if c == delimiter => return Ok((text, i + 1)),
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    Err(format!("unterminated `{delimiter}`"))
}

// ---------------------------------------------------------------------------------------------
// Parser: jmespath.py's Pratt parser, restricted to the supported nodes.

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    /// `@`, and the implicit right side of a projection.
    Identity,
    Field(String),
    Subexpr(Box<Ast>, Box<Ast>),
    Index(Box<Ast>, i64),
    Flatten(Box<Ast>),
    Projection(Box<Ast>, Box<Ast>),
    Call(String, Vec<Ast>),
    Compare(Cmp, Box<Ast>, Box<Ast>),
    Literal(Value),
}

/// jmespath.py's binding powers.
fn binding_power(tok: &Tok) -> u8 {
    match tok {
        Tok::Pipe => 1,
        Tok::Or => 2,
        Tok::And => 3,
        Tok::Cmp(_) => 5,
        Tok::Flatten => 9,
        Tok::Star => 20,
        Tok::Filter => 21,
        Tok::Dot => 40,
        Tok::Not => 45,
        Tok::LBrace => 50,
        Tok::LBracket => 55,
        Tok::LParen => 60,
        _ => 0,
    }
}

/// What an unsupported token is, for the error message.
fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Filter => "a filter expression `[?…]`".into(),
        Tok::Pipe => "a pipe `|`".into(),
        Tok::Or => "an or-expression `||`".into(),
        Tok::And => "an and-expression `&&`".into(),
        Tok::Not => "a not-expression `!`".into(),
        Tok::Star => "an object wildcard `*`".into(),
        Tok::LBrace => "a multi-select hash `{…}`".into(),
        Tok::Colon => "a slice `[a:b]`".into(),
        Tok::Current => "the current node `@`".into(),
        Tok::Expref => "an expression reference `&`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Eof => "the end of the expression".into(),
        other => format!("{other:?}"),
    }
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn current(&self) -> &Tok {
        self.tokens.get(self.pos).unwrap_or(&Tok::Eof)
    }

    fn lookahead(&self, n: usize) -> &Tok {
        self.tokens.get(self.pos + n).unwrap_or(&Tok::Eof)
    }

    fn advance(&mut self) -> Tok {
        let tok = self.current().clone();
        self.pos += 1;
        tok
    }

    fn expect(&mut self, want: Tok) -> Result<(), String> {
        let got = self.advance();
        if got == want {
            Ok(())
        } else {
            Err(format!("expected {} but found {}", describe(&want), describe(&got)))
        }
    }

    fn unsupported(tok: &Tok) -> String {
        format!("{} is not supported", describe(tok))
    }

    fn expression(&mut self, rbp: u8) -> Result<Ast, String> {
        let tok = self.advance();
        let mut left = self.nud(tok)?;
        while rbp < binding_power(self.current()) {
            let tok = self.advance();
            left = self.led(tok, left)?;
        }
        Ok(left)
    }

    fn nud(&mut self, tok: Tok) -> Result<Ast, String> {
        match tok {
            Tok::Ident(name) => Ok(Ast::Field(name)),
            Tok::Literal(value) => Ok(Ast::Literal(value)),
            Tok::Flatten => {
                let right = self.projection_rhs(binding_power(&Tok::Flatten))?;
                Ok(Ast::Projection(Box::new(Ast::Flatten(Box::new(Ast::Identity))), Box::new(right)))
            }
            Tok::LBracket => match self.current().clone() {
                Tok::Number(n) => {
                    self.advance();
                    self.index_end()?;
                    Ok(Ast::Index(Box::new(Ast::Identity), n))
                }
                Tok::Star if *self.lookahead(1) == Tok::RBracket => {
                    self.advance();
                    self.advance();
                    let right = self.projection_rhs(binding_power(&Tok::Star))?;
                    Ok(Ast::Projection(Box::new(Ast::Identity), Box::new(right)))
                }
                Tok::Colon => Err(Self::unsupported(&Tok::Colon)),
                _ => Err("a multi-select list `[a, b]` is not supported".into()),
            },
            Tok::LParen => {
                let inner = self.expression(0)?;
                self.expect(Tok::RParen)?;
                Ok(inner)
            }
            other => Err(Self::unsupported(&other)),
        }
    }

    fn led(&mut self, tok: Tok, left: Ast) -> Result<Ast, String> {
        match tok {
            Tok::Dot => {
                let right = self.dot_rhs(binding_power(&Tok::Dot))?;
                Ok(Ast::Subexpr(Box::new(left), Box::new(right)))
            }
            Tok::Flatten => {
                let right = self.projection_rhs(binding_power(&Tok::Flatten))?;
                Ok(Ast::Projection(Box::new(Ast::Flatten(Box::new(left))), Box::new(right)))
            }
            Tok::LBracket => match self.current().clone() {
                Tok::Number(n) => {
                    self.advance();
                    self.index_end()?;
                    Ok(Ast::Index(Box::new(left), n))
                }
                Tok::Star => {
                    self.advance();
                    self.expect(Tok::RBracket)?;
                    let right = self.projection_rhs(binding_power(&Tok::Star))?;
                    Ok(Ast::Projection(Box::new(left), Box::new(right)))
                }
                other => Err(Self::unsupported(&other)),
            },
            Tok::Cmp(op) => {
                let right = self.expression(binding_power(&Tok::Cmp(op)))?;
                Ok(Ast::Compare(op, Box::new(left), Box::new(right)))
            }
            Tok::LParen => {
                let Ast::Field(name) = left else {
                    return Err("only a function name can be called".into());
                };
                let mut args = Vec::new();
                while *self.current() != Tok::RParen {
                    args.push(self.expression(0)?);
                    if *self.current() == Tok::Comma {
                        self.advance();
                    } else if *self.current() != Tok::RParen {
                        return Err(format!("expected `,` or `)` but found {}", describe(self.current())));
                    }
                }
                self.advance();
                Ok(Ast::Call(name, args))
            }
            other => Err(Self::unsupported(&other)),
        }
    }

    /// After `[n`: `]`, or a slice (unsupported).
    fn index_end(&mut self) -> Result<(), String> {
        match self.current() {
            Tok::RBracket => {
                self.advance();
                Ok(())
            }
            Tok::Colon => Err(Self::unsupported(&Tok::Colon)),
            other => Err(format!("expected `]` but found {}", describe(other))),
        }
    }

    fn projection_rhs(&mut self, rbp: u8) -> Result<Ast, String> {
        let tok = self.current().clone();
        if binding_power(&tok) < 10 {
            return Ok(Ast::Identity);
        }
        match tok {
            Tok::LBracket => self.expression(rbp),
            Tok::Dot => {
                self.advance();
                self.dot_rhs(rbp)
            }
            other => Err(Self::unsupported(&other)),
        }
    }

    fn dot_rhs(&mut self, rbp: u8) -> Result<Ast, String> {
        match self.current() {
            Tok::Ident(_) => self.expression(rbp),
            Tok::Star => Err("a value projection `.*` is not supported".into()),
            Tok::LBracket => Err("a multi-select list `.[a, b]` is not supported".into()),
            other => Err(Self::unsupported(&other.clone())),
        }
    }
}

/// Parses a JMESPath expression of the supported subset.
pub fn parse(expr: &str) -> Result<Ast, String> {
    let mut parser = Parser { tokens: lex(expr)?, pos: 0 };
    let ast = parser.expression(0)?;
    match parser.current() {
        Tok::Eof => Ok(ast),
        other => Err(format!("unexpected {} after the expression", describe(other))),
    }
}

// ---------------------------------------------------------------------------------------------
// Typing and code generation

/// The static type of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// A structure shape, by name (`&T`).
    Struct(String),
    /// A list (`Vec<item repr>`).
    List(Box<Ty>),
    /// A plain string (`&str`).
    Str,
    /// A string enum shape (`&E`).
    Enum(String),
    /// Any number (`f64`).
    Number,
    /// `bool`.
    Bool,
}

impl Ty {
    /// What the type is, in words, for messages.
    pub fn describe(&self) -> String {
        match self {
            Ty::Struct(name) => format!("structure `{name}`"),
            Ty::List(item) => format!("list of {}", item.describe()),
            Ty::Str => "string".into(),
            Ty::Enum(name) => format!("string (enum `{name}`)"),
            Ty::Number => "number".into(),
            Ty::Bool => "boolean".into(),
        }
    }
}

/// A typed value: `code` evaluates to `Option<repr of ty>`; `bare`, when the value is known
/// present, is an expression of the representation itself (the root, a projected item).
#[derive(Debug, Clone)]
pub struct Val {
    pub ty: Ty,
    pub code: TokenStream,
    pub bare: Option<TokenStream>,
}

impl Val {
    /// A value that may be null.
    pub fn maybe(ty: Ty, code: TokenStream) -> Self {
        Self { ty, code, bare: None }
    }

    /// A value known present: `expr` is its representation.
    pub fn present(ty: Ty, expr: TokenStream) -> Self {
        Self { ty, code: quote!(::std::option::Option::Some(#expr)), bare: Some(expr) }
    }
}

/// Compiles expressions against one model.
pub struct Compiler<'a, 'm> {
    ir: &'a Ir<'m>,
    next_var: Cell<usize>,
}

impl<'a, 'm> Compiler<'a, 'm> {
    pub fn new(ir: &'a Ir<'m>) -> Self {
        Self { ir, next_var: Cell::new(0) }
    }

    fn var(&self, prefix: &str) -> proc_macro2::Ident {
        let n = self.next_var.get();
        self.next_var.set(n + 1);
        format_ident!("{}{}", prefix, n)
    }

    /// The type of a value of shape `shape`.
    fn shape_ty(&self, shape: &str) -> Result<Ty, String> {
        let s = self.ir.model.shape(shape)?;
        Ok(match s.kind {
            ShapeKind::Structure => Ty::Struct(shape.to_string()),
            ShapeKind::List => Ty::List(Box::new(self.shape_ty(&crate::ir::list_member(s).shape)?)),
            ShapeKind::String if s.enum_values.is_some() => Ty::Enum(shape.to_string()),
            ShapeKind::String => Ty::Str,
            ShapeKind::Integer | ShapeKind::Long | ShapeKind::Float | ShapeKind::Double => Ty::Number,
            ShapeKind::Boolean => Ty::Bool,
            other => return Err(format!("values of shape `{shape}` ({other:?}) are not supported")),
        })
    }

    /// Converts `x: &X` (a value of shape `shape` as stored in a generated type) into its
    /// representation; `None` when the reference is the representation.
    fn conv_ref(&self, shape: &str, x: &TokenStream) -> Result<Option<TokenStream>, String> {
        let s = self.ir.model.shape(shape)?;
        Ok(match s.kind {
            ShapeKind::Structure => None,
            ShapeKind::String if s.enum_values.is_some() => None,
            ShapeKind::String => Some(quote!(#x.as_str())),
            ShapeKind::Integer | ShapeKind::Float => Some(quote!(f64::from(*#x))),
            ShapeKind::Long => Some(quote!((*#x as f64))),
            ShapeKind::Double | ShapeKind::Boolean => Some(quote!(*#x)),
            ShapeKind::List => {
                let item = &crate::ir::list_member(s).shape;
                let e = self.var("item");
                match self.conv_ref(item, &quote!(#e))? {
                    Some(conv) => Some(quote!(#x.iter().map(|#e| #conv).collect::<::std::vec::Vec<_>>())),
                    None => Some(quote!(#x.iter().collect::<::std::vec::Vec<_>>())),
                }
            }
            other => return Err(format!("values of shape `{shape}` ({other:?}) are not supported")),
        })
    }

    /// The member `name` of a structure value.
    fn field(&self, input: Val, name: &str) -> Result<Val, String> {
        let Ty::Struct(shape_name) = &input.ty else {
            return Err(format!("`{name}` is taken of a {}, which has no members", input.ty.describe()));
        };
        let def = self.ir.struct_def(shape_name).ok_or_else(|| format!("structure `{shape_name}` is not generated"))?;
        let member = def.members.iter().find(|m| m.name == name).ok_or_else(|| {
            let known: Vec<&str> = def.members.iter().map(|m| m.name).collect();
            format!("structure `{shape_name}` has no member `{name}` (it has {})", known.join(", "))
        })?;
        let ty = self.shape_ty(member.target)?;
        let field = crate::emit_types::format_ident_raw(&member.field);
        let v = match &input.bare {
            Some(bare) => bare.clone(),
            None => {
                let v = self.var("v");
                quote!(#v)
            }
        };
        let target = self.ir.shape(member.target);
        let read = match target.kind {
            ShapeKind::Structure if member.boxed => quote!(#v.#field.as_deref()),
            ShapeKind::Structure => quote!(#v.#field.as_ref()),
            ShapeKind::String if target.enum_values.is_some() => quote!(#v.#field.as_ref()),
            ShapeKind::String => quote!(#v.#field.as_deref()),
            ShapeKind::Double | ShapeKind::Boolean => quote!(#v.#field),
            ShapeKind::Integer | ShapeKind::Float => quote!(#v.#field.map(f64::from)),
            ShapeKind::Long => {
                let n = self.var("n");
                quote!(#v.#field.map(|#n| #n as f64))
            }
            ShapeKind::List => {
                let l = self.var("list");
                let conv = self.conv_ref(member.target, &quote!(#l))?.unwrap_or_else(|| quote!(#l));
                quote!(#v.#field.as_ref().map(|#l| #conv))
            }
            other => return Err(format!("member `{name}` of `{shape_name}` is a {other:?}, which is not supported")),
        };
        if input.bare.is_some() {
            return Ok(Val::maybe(ty, read));
        }
        let code = &input.code;
        Ok(Val::maybe(ty, quote!((#code).and_then(|#v| #read))))
    }

    /// Compiles `ast` applied to `input`.
    pub fn compile(&self, ast: &Ast, input: Val) -> Result<Val, String> {
        match ast {
            Ast::Identity => Ok(input),
            Ast::Field(name) => self.field(input, name),
            Ast::Subexpr(left, right) => {
                let left = self.compile(left, input)?;
                self.compile(right, left)
            }
            Ast::Flatten(inner) => {
                let inner = self.compile(inner, input)?;
                match inner.ty {
                    Ty::List(item) => match *item {
                        Ty::List(nested) => {
                            let l = self.var("list");
                            let code = &inner.code;
                            Ok(Val::maybe(
                                Ty::List(nested),
                                quote!((#code).map(|#l| #l.into_iter().flatten().collect::<::std::vec::Vec<_>>())),
                            ))
                        }
                        other => Ok(Val { ty: Ty::List(Box::new(other)), ..inner }),
                    },
                    other => Err(format!("`[]` flattens a {}, not a list", other.describe())),
                }
            }
            Ast::Projection(left, right) => {
                let left = self.compile(left, input)?;
                let Ty::List(item) = left.ty else {
                    return Err(format!("a projection applies to a {}, not a list", left.ty.describe()));
                };
                if **right == Ast::Identity {
                    return Ok(Val { ty: Ty::List(item), ..left });
                }
                let e = self.var("e");
                let right = self.compile(right, Val::present(*item, quote!(#e)))?;
                let (l, code, each) = (self.var("list"), &left.code, &right.code);
                Ok(Val::maybe(
                    Ty::List(Box::new(right.ty)),
                    quote!((#code).map(|#l| #l.into_iter().filter_map(|#e| #each).collect::<::std::vec::Vec<_>>())),
                ))
            }
            Ast::Index(left, index) => {
                let left = self.compile(left, input)?;
                let Ty::List(item) = left.ty else {
                    return Err(format!("`[{index}]` indexes a {}, not a list", left.ty.describe()));
                };
                let (l, code) = (self.var("list"), &left.code);
                let pick = if *index >= 0 {
                    let i = Literal::usize_unsuffixed(usize::try_from(*index).map_err(|e| e.to_string())?);
                    quote!(#l.into_iter().nth(#i))
                } else {
                    let back =
                        Literal::usize_unsuffixed(usize::try_from(index.unsigned_abs()).map_err(|e| e.to_string())?);
                    quote!(#l.len().checked_sub(#back).and_then(|i| #l.into_iter().nth(i)))
                };
                Ok(Val::maybe(*item, quote!((#code).and_then(|#l| #pick))))
            }
            Ast::Call(name, args) => self.call(name, args, input),
            Ast::Compare(op, left, right) => self.compare(*op, left, right, input),
            Ast::Literal(value) => {
                Err(format!("the literal `{value}` is only supported as an operand of a comparison"))
            }
        }
    }

    fn call(&self, name: &str, args: &[Ast], input: Val) -> Result<Val, String> {
        if name != "length" {
            return Err(format!("the function `{name}()` is not supported (only `length()` is)"));
        }
        let [arg] = args else {
            return Err(format!("`length()` takes one argument, not {}", args.len()));
        };
        let arg = self.compile(arg, input)?;
        let x = self.var("x");
        let count = match &arg.ty {
            Ty::List(_) => quote!(#x.len()),
            Ty::Str => quote!(#x.chars().count()),
            Ty::Enum(_) => quote!(#x.as_str().chars().count()),
            other => return Err(format!("`length()` of a {} is not supported", other.describe())),
        };
        let code = &arg.code;
        // JMESPath raises a type error for `length(null)`; here it is null, so no acceptor matches.
        Ok(Val::maybe(Ty::Number, quote!((#code).map(|#x| #count as f64))))
    }

    fn compare(&self, op: Cmp, left: &Ast, right: &Ast, input: Val) -> Result<Val, String> {
        let (value, literal, op) = match (left, right) {
            (Ast::Literal(_), Ast::Literal(_)) => return Err("a comparison of two literals is not supported".into()),
            (value, Ast::Literal(literal)) => (value, literal, op),
            (Ast::Literal(literal), value) => (value, literal, op.flipped()),
            (l, r) => return self.compare_values(op, l, r, input),
        };
        let value = self.compile(value, input)?;
        if op.is_ordering() {
            let Some(n) = literal.as_f64() else {
                return Err(format!("ordering comparisons take numbers, not `{literal}`"));
            };
            if value.ty != Ty::Number {
                return Err(format!("ordering comparisons take numbers, not a {}", value.ty.describe()));
            }
            let (x, code, op, n) = (self.var("x"), &value.code, op.tokens(), Literal::f64_suffixed(n));
            return Ok(Val::maybe(Ty::Bool, quote!((#code).map(|#x| #x #op #n))));
        }
        let equal = self.equals_literal(&value, literal)?;
        let code = if op == Cmp::Eq { equal } else { quote!(!(#equal)) };
        Ok(Val::present(Ty::Bool, quote!((#code))))
    }

    fn compare_values(&self, op: Cmp, left: &Ast, right: &Ast, input: Val) -> Result<Val, String> {
        let left = self.as_comparable(self.compile(left, input.clone())?);
        let right = self.as_comparable(self.compile(right, input)?);
        let (l, r) = (&left.code, &right.code);
        match (&left.ty, &right.ty, op.is_ordering()) {
            (Ty::Number, Ty::Number, true) => {
                let (a, b, op) = (self.var("a"), self.var("b"), op.tokens());
                Ok(Val::maybe(
                    Ty::Bool,
                    quote!(match (#l, #r) {
                        (::std::option::Option::Some(#a), ::std::option::Option::Some(#b)) => ::std::option::Option::Some(#a #op #b),
                        _ => ::std::option::Option::None,
                    }),
                ))
            }
            (Ty::Number, Ty::Number, false) | (Ty::Str, Ty::Str, false) | (Ty::Bool, Ty::Bool, false) => {
                let op = op.tokens();
                Ok(Val::present(Ty::Bool, quote!(((#l) #op (#r)))))
            }
            (a, b, _) => Err(format!("comparing a {} with a {} is not supported", a.describe(), b.describe())),
        }
    }

    /// Enums compare as their strings.
    fn as_comparable(&self, value: Val) -> Val {
        match value.ty {
            Ty::Enum(_) => {
                let (x, code) = (self.var("x"), &value.code);
                Val::maybe(Ty::Str, quote!((#code).map(|#x| #x.as_str())))
            }
            _ => value,
        }
    }

    /// Code of a `bool`: the value (possibly null) equals the JSON literal.
    pub fn equals_literal(&self, value: &Val, literal: &Value) -> Result<TokenStream, String> {
        let code = &value.code;
        if let Some(bare) = &value.bare {
            return if literal.is_null() { Ok(quote!(false)) } else { self.equals_nonnull(&value.ty, bare, literal) };
        }
        if literal.is_null() {
            return Ok(quote!((#code).is_none()));
        }
        let x = self.var("x");
        let test = self.equals_nonnull(&value.ty, &quote!(#x), literal)?;
        Ok(quote!((#code).is_some_and(|#x| #test)))
    }

    /// Code of a `bool`: `x` (a non-null representation of `ty`) equals the JSON literal.
    pub fn equals_nonnull(&self, ty: &Ty, x: &TokenStream, literal: &Value) -> Result<TokenStream, String> {
        Ok(match (ty, literal) {
            (Ty::Bool, Value::Bool(true)) => quote!(#x),
            (Ty::Bool, Value::Bool(false)) => quote!(!#x),
            (Ty::Number, Value::Number(n)) => {
                let n = Literal::f64_suffixed(n.as_f64().ok_or_else(|| format!("`{n}` is not a finite number"))?);
                quote!(#x == #n)
            }
            (Ty::Str, Value::String(s)) => quote!(#x == #s),
            (Ty::Enum(_), Value::String(s)) => quote!(#x.as_str() == #s),
            (_, Value::Array(_) | Value::Object(_)) => {
                return Err(format!(
                    "comparing with the JSON value `{literal}` is not supported (only scalars and null)"
                ))
            }
            (ty, literal) => {
                return Err(format!("a {} can never equal `{literal}`: the acceptor could never match", ty.describe()))
            }
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::ServiceModel;

    /// A small `ec2`-protocol model: `ListWidgets` returns widgets with parts, states, sizes.
    pub(crate) const MODEL: &str = r#"{
      "metadata": {"apiVersion": "2020-01-01", "protocol": "ec2", "endpointPrefix": "widgets"},
      "operations": {"ListWidgets": {"name": "ListWidgets", "http": {"method": "POST", "requestUri": "/"},
        "input": {"shape": "ListWidgetsRequest"}, "output": {"shape": "ListWidgetsResult"}}},
      "shapes": {
        "ListWidgetsRequest": {"type": "structure", "members": {"NextToken": {"shape": "String"},
          "MaxResults": {"shape": "Integer"}, "Ids": {"shape": "StringList"}}},
        "ListWidgetsResult": {"type": "structure", "members": {"NextToken": {"shape": "String"},
          "Widgets": {"shape": "WidgetList"}, "Count": {"shape": "Integer"}, "Labels": {"shape": "LabelMap"},
          "When": {"shape": "Time"}, "Ratio": {"shape": "Double"}}},
        "WidgetList": {"type": "list", "member": {"shape": "Widget", "locationName": "item"}},
        "Widget": {"type": "structure", "members": {"Name": {"shape": "String"}, "State": {"shape": "State"},
          "Parts": {"shape": "PartList"}, "Size": {"shape": "Long"}, "Ready": {"shape": "Boolean"}}},
        "PartList": {"type": "list", "member": {"shape": "Part", "locationName": "item"}},
        "Part": {"type": "structure", "members": {"Name": {"shape": "String"}}},
        "State": {"type": "string", "enum": ["on", "off"]},
        "String": {"type": "string"}, "Integer": {"type": "integer"}, "Long": {"type": "long"},
        "Double": {"type": "double"}, "Boolean": {"type": "boolean"}, "Time": {"type": "timestamp"},
        "StringList": {"type": "list", "member": {"shape": "String", "locationName": "item"}},
        "LabelMap": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}}
      }
    }"#;

    fn field(name: &str) -> Box<Ast> {
        Box::new(Ast::Field(name.into()))
    }

    fn compile(expr: &str) -> Result<Val, String> {
        let model = ServiceModel::from_json(MODEL)?;
        let ir = Ir::new(&model)?;
        let root = Val::present(Ty::Struct("ListWidgetsResult".into()), quote!(output));
        Compiler::new(&ir).compile(&parse(expr)?, root)
    }

    fn error_of(expr: &str) -> String {
        match compile(expr) {
            Ok(v) => panic!("`{expr}` compiled to a {}", v.ty.describe()),
            Err(e) => e,
        }
    }

    #[test]
    fn parses_as_jmespath_does() {
        assert_eq!(
            parse("a[].b[].c").unwrap(),
            Ast::Projection(
                Box::new(Ast::Flatten(Box::new(Ast::Projection(Box::new(Ast::Flatten(field("a"))), field("b"))))),
                field("c")
            )
        );
        assert_eq!(
            parse("length(a[].b) > `0`").unwrap(),
            Ast::Compare(
                Cmp::Gt,
                Box::new(Ast::Call(
                    "length".into(),
                    vec![Ast::Projection(Box::new(Ast::Flatten(field("a"))), field("b"))]
                )),
                Box::new(Ast::Literal(Value::from(0)))
            )
        );
        assert_eq!(parse("a.\"b c\"[-1]").unwrap(), Ast::Subexpr(field("a"), Box::new(Ast::Index(field("b c"), -1))));
        assert_eq!(parse("a[*].b").unwrap(), Ast::Projection(field("a"), field("b")));
        assert_eq!(
            parse("(a) == 'x'").unwrap(),
            Ast::Compare(Cmp::Eq, field("a"), Box::new(Ast::Literal(Value::from("x"))))
        );
    }

    #[test]
    fn unsupported_syntax_is_named() {
        for (expr, names) in [
            ("a[?b == 'x']", "filter expression"),
            ("a | b", "pipe"),
            ("a || b", "or-expression"),
            ("a && b", "and-expression"),
            ("!a", "not-expression"),
            ("a[0:2]", "slice"),
            ("a.*", "value projection"),
            ("*", "object wildcard"),
            ("{x: a}", "multi-select hash"),
            ("[a, b]", "multi-select list"),
            ("a.[b]", "multi-select list"),
            ("@", "current node"),
            ("sort_by(a, &b)", "expression reference"),
            ("a b", "after the expression"),
            ("`[1,`", "invalid JSON literal"),
            ("'open", "unterminated"),
        ] {
            let error = compile(expr).err().unwrap_or_else(|| panic!("`{expr}` compiled"));
            assert!(error.contains(names), "`{expr}`: {error}");
        }
    }

    #[test]
    fn types_follow_the_model() {
        assert_eq!(compile("length(Widgets[].Name) > `0`").unwrap().ty, Ty::Bool);
        assert_eq!(compile("Widgets[].State").unwrap().ty, Ty::List(Box::new(Ty::Enum("State".into()))));
        assert_eq!(compile("Widgets[].Parts[].Name").unwrap().ty, Ty::List(Box::new(Ty::Str)), "flattened");
        assert_eq!(
            compile("Widgets[*].Parts").unwrap().ty,
            Ty::List(Box::new(Ty::List(Box::new(Ty::Struct("Part".into()))))),
            "`[*]` keeps nesting"
        );
        assert_eq!(compile("Widgets[0].Size").unwrap().ty, Ty::Number);
        assert_eq!(compile("Widgets[-1].Ready == `true`").unwrap().ty, Ty::Bool);
        assert_eq!(compile("Count >= Ratio").unwrap().ty, Ty::Bool);
        assert_eq!(compile("`2` < Count").unwrap().ty, Ty::Bool);
        assert_eq!(compile("Widgets[0].State == 'on'").unwrap().ty, Ty::Bool);
        assert_eq!(compile("NextToken != `null`").unwrap().ty, Ty::Bool);
    }

    #[test]
    fn unsupported_meaning_is_named() {
        for (expr, names) in [
            ("Nope", "has no member `Nope` (it has Count, Labels, NextToken, Ratio, When, Widgets)"),
            ("Labels", "LabelMap"),
            ("When", "(Timestamp) are not supported"),
            ("contains(Widgets[].Name, 'x')", "function `contains()` is not supported"),
            ("length(Count)", "`length()` of a number"),
            ("Count == 'x'", "can never equal"),
            ("Widgets[].Name > `1`", "take numbers, not a list"),
            ("Count > 'x'", "take numbers"),
            ("Widgets == `[]`", "only scalars and null"),
            ("Count.Name", "has no members"),
            ("Count[]", "flattens a number"),
            ("Count[0]", "indexes a number"),
            ("NextToken == Count", "comparing a string with a number"),
            ("`1` == `1`", "two literals"),
            ("`1`", "only supported as an operand of a comparison"),
        ] {
            let error = error_of(expr);
            assert!(error.contains(names), "`{expr}`: {error}");
        }
    }
}
