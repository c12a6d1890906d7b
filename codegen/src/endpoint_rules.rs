//! Compiles the `rules` tree of a Smithy endpoint rule set (v1.0) into the body of a Rust
//! function: conditions become nested `if` / `if let`, assigned values become locals, endpoint
//! rules `return Ok(url)` and error rules `return Err(EndpointError)`.
//!
//! Semantics are botocore's (`endpoint_provider.py`): rules are tried in order; a condition that
//! is `false` or unset fails its rule; a tree whose conditions hold but none of whose rules
//! match falls through to the next rule; every rule sees only what its own conditions (and its
//! ancestors') assigned. What the generator cannot compile faithfully fails generation with a
//! message naming it.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use crate::emit_types::format_ident_raw;
use crate::names;

/// The functions of the rules language the generator compiles; anything else fails generation.
pub const SUPPORTED_FUNCTIONS: &[&str] = &[
    "isSet",
    "not",
    "booleanEquals",
    "stringEquals",
    "getAttr",
    "aws.partition",
    "parseURL",
    "isValidHostLabel",
    "substring",
    "uriEncode",
];

/// What `getAttr` can read from the result of `aws.partition`: (attribute, Rust field, is boolean).
pub const PARTITION_ATTRIBUTES: &[(&str, &str, bool)] = &[
    ("name", "name", false),
    ("dnsSuffix", "dns_suffix", false),
    ("dualStackDnsSuffix", "dual_stack_dns_suffix", false),
    ("supportsFIPS", "supports_fips", true),
    ("supportsDualStack", "supports_dual_stack", true),
    ("implicitGlobalRegion", "implicit_global_region", false),
];

/// What `getAttr` can read from the result of `parseURL`.
const URL_ATTRIBUTES: &[(&str, &str, bool)] = &[
    ("scheme", "scheme", false),
    ("authority", "authority", false),
    ("path", "path", false),
    ("normalizedPath", "normalized_path", false),
    ("isIp", "is_ip", true),
];

/// A rule-set parameter as the compiled function sees it.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub field: String,
    /// `bool` rather than `String`.
    pub boolean: bool,
    /// `Option<…>` in `EndpointParams` (no default).
    pub optional: bool,
}

/// The compiled function body and which parts of the runtime it calls.
pub struct Compiled {
    pub body: TokenStream,
    /// It calls a function of `endpoint_lib` (so the generated file imports the module).
    pub calls_lib: bool,
    /// It reads the partition table.
    pub uses_partitions: bool,
}

/// Compiles `rules` (the rule set's top-level list) over `params`.
pub fn compile(rules: &Value, params: &[Param]) -> Result<Compiled, String> {
    let mut scope = Scope::default();
    for param in params {
        let field = format_ident_raw(&param.field);
        let (ty, tokens, kind) = match (param.boolean, param.optional) {
            (true, _) => (Ty::Bool, quote!(params.#field), StrKind::Borrowed),
            (false, true) => (Ty::Str, quote!(params.#field.as_deref()), StrKind::Borrowed),
            (false, false) => (Ty::Str, quote!(params.#field.as_str()), StrKind::Borrowed),
        };
        let expr = Expr { tokens, ty, optional: param.optional, kind, literal: None };
        scope.vars.insert(param.name.clone(), Binding { expr, ident: None });
    }
    let mut compiler = Compiler { calls_lib: false, uses_partitions: false };
    let rules = as_rules(rules, "rules")?;
    let block = compiler.rules(rules, &scope, "rules")?;
    let mut body = TokenStream::new();
    for stmt in &block.stmts {
        body.extend(render_stmt(stmt));
    }
    body.extend(match block.tail {
        Some(tail) => tail,
        // botocore: "No endpoint found for parameters: …".
        None => quote!(Err(EndpointError::new("No endpoint found for the parameters"))),
    });
    Ok(Compiled { body, calls_lib: compiler.calls_lib, uses_partitions: compiler.uses_partitions })
}

// ---------------------------------------------------------------------------------------------
// Types and scopes

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Str,
    Bool,
    Int,
    Partition,
    Url,
}

impl Ty {
    fn describe(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Bool => "a boolean",
            Ty::Int => "an integer",
            Ty::Partition => "a partition",
            Ty::Url => "a URL",
        }
    }
}

/// How a string value is held, which decides how it is passed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrKind {
    /// A `&str` expression.
    Borrowed,
    /// A `String` local.
    Local,
    /// A fresh `String` (`format!`, a call).
    Fresh,
}

/// A compiled expression.
#[derive(Debug, Clone)]
struct Expr {
    tokens: TokenStream,
    ty: Ty,
    /// `Option<ty>`: the value may be unset.
    optional: bool,
    kind: StrKind,
    /// A boolean literal.
    literal: Option<bool>,
}

impl Expr {
    fn new(tokens: TokenStream, ty: Ty) -> Self {
        Expr { tokens, ty, optional: false, kind: StrKind::Borrowed, literal: None }
    }

    /// The value as a `&str` argument.
    fn as_str(&self) -> TokenStream {
        let tokens = &self.tokens;
        match self.kind {
            StrKind::Borrowed => tokens.clone(),
            StrKind::Local | StrKind::Fresh => quote!(#tokens.as_str()),
        }
    }

    /// The value as an `impl Into<String>` argument.
    fn as_argument(&self) -> TokenStream {
        match self.kind {
            StrKind::Borrowed | StrKind::Local => self.as_str(),
            StrKind::Fresh => self.tokens.clone(),
        }
    }

    /// The value as an owned `String`.
    fn to_owned_string(&self) -> TokenStream {
        let tokens = &self.tokens;
        match self.kind {
            StrKind::Borrowed | StrKind::Local => quote!(#tokens.to_string()),
            StrKind::Fresh => tokens.clone(),
        }
    }
}

#[derive(Debug, Clone)]
struct Binding {
    expr: Expr,
    /// The Rust local holding it (none for parameters read from `params`).
    ident: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Scope {
    vars: BTreeMap<String, Binding>,
}

impl Scope {
    /// Binds `name` to a new Rust local, refusing a local name another live value uses.
    fn bind(&mut self, name: &str, expr: Expr, at: &str) -> Result<Ident, String> {
        let local = names::field(name);
        let clash = self
            .vars
            .iter()
            .find(|(other, binding)| other.as_str() != name && binding.ident.as_deref() == Some(local.as_str()));
        if let Some((other, _)) = clash {
            return Err(format!("{at}: `{name}` and `{other}` would both be the Rust local `{local}`"));
        }
        if local == "params" {
            return Err(format!("{at}: `{name}` would be the Rust local `params`, the resolver's argument"));
        }
        let ident = format_ident_raw(&local);
        let expr = Expr { tokens: quote!(#ident), ..expr };
        self.vars.insert(name.to_string(), Binding { expr, ident: Some(local) });
        Ok(ident)
    }
}

// ---------------------------------------------------------------------------------------------
// Structured output (so that `if a { if b { … } }` can be collapsed, as clippy wants)

struct Block {
    stmts: Vec<Stmt>,
    /// The block ends by producing this result (an unconditional terminal rule).
    tail: Option<TokenStream>,
}

enum Stmt {
    If {
        conditions: Vec<TokenStream>,
        body: Block,
    },
    IfLet {
        ident: Ident,
        value: TokenStream,
        body: Block,
    },
    /// `let x = value;`, seen by the statements after it in the same block.
    Let {
        ident: Ident,
        value: TokenStream,
    },
}

fn render_block_as_statements(block: &Block) -> TokenStream {
    let mut out = TokenStream::new();
    for stmt in &block.stmts {
        out.extend(render_stmt(stmt));
    }
    if let Some(tail) = &block.tail {
        out.extend(quote!(return #tail;));
    }
    out
}

fn render_stmt(stmt: &Stmt) -> TokenStream {
    match stmt {
        Stmt::If { conditions, body } => {
            let mut conditions = conditions.clone();
            let mut body = body;
            // `if a { if b { … } }` → `if a && b { … }`.
            while let ([Stmt::If { conditions: inner, body: inner_body }], None) = (body.stmts.as_slice(), &body.tail) {
                conditions.extend(inner.iter().cloned());
                body = inner_body;
            }
            let inner = render_block_as_statements(body);
            quote! {
                if #(#conditions)&&* {
                    #inner
                }
            }
        }
        Stmt::IfLet { ident, value, body } => {
            let inner = render_block_as_statements(body);
            quote! {
                if let Some(#ident) = #value {
                    #inner
                }
            }
        }
        Stmt::Let { ident, value } => quote!(let #ident = #value;),
    }
}

// ---------------------------------------------------------------------------------------------
// The compiler

struct Compiler {
    calls_lib: bool,
    uses_partitions: bool,
}

/// One compiled condition.
enum Guard {
    /// Always holds (e.g. `isSet` of a value that cannot be unset).
    Always,
    Bool(TokenStream),
    IfLet(Ident, TokenStream),
    Let(Ident, TokenStream),
}

impl Compiler {
    fn rules(&mut self, rules: &[Value], scope: &Scope, at: &str) -> Result<Block, String> {
        let mut block = Block { stmts: Vec::new(), tail: None };
        for (index, rule) in rules.iter().enumerate() {
            let at = format!("{at}[{index}]");
            let rule = rule.as_object().ok_or_else(|| format!("{at}: a rule must be an object"))?;
            let rule_block = self.rule(rule, scope.clone(), &at)?;
            block.stmts.extend(rule_block.stmts);
            if rule_block.tail.is_some() {
                // An unconditional terminal rule: the rules after it can never be reached.
                block.tail = rule_block.tail;
                break;
            }
        }
        Ok(block)
    }

    /// A rule: its conditions wrap its body.
    fn rule(&mut self, rule: &Map<String, Value>, mut scope: Scope, at: &str) -> Result<Block, String> {
        const KEYS: &[&str] = &["type", "conditions", "endpoint", "error", "rules", "documentation"];
        if let Some(key) = rule.keys().find(|key| !KEYS.contains(&key.as_str())) {
            return Err(format!("{at}: unknown rule key `{key}` (known: {})", KEYS.join(", ")));
        }
        let conditions = match rule.get("conditions") {
            Some(Value::Array(conditions)) => conditions.as_slice(),
            None => &[],
            Some(_) => return Err(format!("{at}: `conditions` must be a list")),
        };
        let mut guards = Vec::new();
        for (index, condition) in conditions.iter().enumerate() {
            let at = format!("{at}.conditions[{index}]");
            // What the rest of the rule refers to decides whether a value needs a local.
            let later: Vec<&Value> = conditions[index + 1..].iter().chain(rule_body(rule)).collect();
            guards.extend(self.condition(condition, &mut scope, &later, &at)?);
        }
        let body = self.body(rule, &scope, at)?;
        // Wrap the body in the guards, innermost first; consecutive boolean guards share an `if`.
        let mut block = body;
        let mut pending: Vec<TokenStream> = Vec::new();
        for guard in guards.into_iter().rev() {
            match guard {
                Guard::Always => {}
                Guard::Bool(condition) => pending.insert(0, condition),
                Guard::IfLet(ident, value) => {
                    let body = wrap_bools(std::mem::take(&mut pending), block);
                    block = Block { stmts: vec![Stmt::IfLet { ident, value, body }], tail: None };
                }
                Guard::Let(ident, value) => {
                    let body = wrap_bools(std::mem::take(&mut pending), block);
                    let mut stmts = vec![Stmt::Let { ident, value }];
                    stmts.extend(body.stmts);
                    block = Block { stmts, tail: body.tail };
                }
            }
        }
        Ok(wrap_bools(pending, block))
    }

    fn body(&mut self, rule: &Map<String, Value>, scope: &Scope, at: &str) -> Result<Block, String> {
        let kind = rule.get("type").and_then(Value::as_str).ok_or_else(|| format!("{at}: `type` is missing"))?;
        let field = |key: &str| rule.get(key).ok_or_else(|| format!("{at}: a `{kind}` rule needs `{key}`"));
        match kind {
            "endpoint" => {
                let endpoint = field("endpoint")?;
                let endpoint = endpoint.as_object().ok_or_else(|| format!("{at}: `endpoint` must be an object"))?;
                let extras = check_endpoint_extras(endpoint, at)?;
                let url = endpoint.get("url").ok_or_else(|| format!("{at}: the endpoint has no `url`"))?;
                let url = self.expect(url, scope, Ty::Str, &format!("{at}.endpoint.url"))?;
                let url = url.to_owned_string();
                match extras {
                    // Reachable only with parameters the SDK's configuration never sets (STS's
                    // global endpoint): an error there, never a request signed the wrong way.
                    Some(reason) => Ok(Block {
                        stmts: Vec::new(),
                        tail: Some(quote!({
                            let _ = #url;
                            Err(EndpointError::new(#reason))
                        })),
                    }),
                    None => Ok(Block { stmts: Vec::new(), tail: Some(quote!(Ok(#url))) }),
                }
            }
            "error" => {
                let message = self.expect(field("error")?, scope, Ty::Str, &format!("{at}.error"))?;
                let message = message.as_argument();
                Ok(Block { stmts: Vec::new(), tail: Some(quote!(Err(EndpointError::new(#message)))) })
            }
            "tree" => {
                let rules = as_rules(field("rules")?, at)?;
                self.rules(rules, scope, &format!("{at}.rules"))
            }
            other => Err(format!("{at}: unknown rule type `{other}` (known: endpoint, error, tree)")),
        }
    }

    /// A condition: what it checks, and the locals it binds for the rest of the rule.
    fn condition(
        &mut self,
        condition: &Value,
        scope: &mut Scope,
        later: &[&Value],
        at: &str,
    ) -> Result<Vec<Guard>, String> {
        let call = condition
            .as_object()
            .filter(|c| c.contains_key("fn"))
            .ok_or_else(|| format!("{at}: a condition must be a function call (`{{\"fn\": …, \"argv\": […]}}`)"))?;
        let assign = match call.get("assign") {
            None => None,
            Some(Value::String(name)) => {
                if scope.vars.contains_key(name) {
                    return Err(format!("{at}: `{name}` is assigned twice (botocore refuses this too)"));
                }
                Some(name.as_str())
            }
            Some(_) => return Err(format!("{at}: `assign` must be a name")),
        };
        let used_later = |name: &str| later.iter().any(|value| mentions(value, name));

        // `isSet(ref)` of a value used later: bind it, so that the rest sees it as set.
        if call.get("fn").and_then(Value::as_str) == Some("isSet") && assign.is_none() {
            if let Some(name) = single_ref_argument(call) {
                let binding =
                    scope.vars.get(name).ok_or_else(|| format!("{at}: `{name}` is not a parameter nor assigned"))?;
                if !binding.expr.optional {
                    return Ok(vec![Guard::Always]);
                }
                let value = binding.expr.tokens.clone();
                if !used_later(name) {
                    return Ok(vec![Guard::Bool(quote!(#value.is_some()))]);
                }
                let expr = Expr { optional: false, ..binding.expr.clone() };
                let ident = scope.bind(name, expr, at)?;
                return Ok(vec![Guard::IfLet(ident, value)]);
            }
        }

        let expr = self.call(call, scope, at)?;
        let value = expr.tokens.clone();
        let Some(name) = assign.filter(|name| used_later(name)) else {
            return Ok(vec![match (expr.optional, expr.ty) {
                (true, _) => Guard::Bool(quote!(#value.is_some())),
                (false, Ty::Bool) => match expr.literal {
                    Some(true) => Guard::Always,
                    _ => Guard::Bool(value),
                },
                // A string, integer, partition or URL that is always there holds.
                (false, _) => Guard::Always,
            }]);
        };
        // A fresh `String` becomes a `String` local.
        let kind = if expr.ty == Ty::Str && expr.kind != StrKind::Borrowed { StrKind::Local } else { expr.kind };
        let (optional, ty) = (expr.optional, expr.ty);
        let ident = scope.bind(name, Expr { optional: false, kind, literal: None, ..expr }, at)?;
        Ok(match (optional, ty) {
            (true, _) => vec![Guard::IfLet(ident, value)],
            // `let x = …;` then `if x { … }`.
            (false, Ty::Bool) => vec![Guard::Let(ident.clone(), value), Guard::Bool(quote!(#ident))],
            (false, _) => vec![Guard::Let(ident, value)],
        })
    }

    /// A value: a string template, a boolean or integer literal, a reference or a call.
    fn value(&mut self, value: &Value, scope: &Scope, at: &str) -> Result<Expr, String> {
        match value {
            Value::String(text) => self.template(text, scope, at),
            Value::Bool(b) => Ok(Expr { literal: Some(*b), ..Expr::new(quote!(#b), Ty::Bool) }),
            Value::Number(n) => {
                let n = n
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| format!("{at}: {n} is not a non-negative integer"))?;
                let n = proc_macro2::Literal::usize_unsuffixed(n);
                Ok(Expr::new(quote!(#n), Ty::Int))
            }
            Value::Object(object) if object.contains_key("ref") => {
                let name = object.get("ref").and_then(Value::as_str).ok_or_else(|| format!("{at}: bad `ref`"))?;
                lookup(scope, name, at)
            }
            Value::Object(object) if object.contains_key("fn") => {
                if object.contains_key("assign") {
                    return Err(format!("{at}: `assign` inside a function argument is not supported"));
                }
                self.call(object, scope, at)
            }
            other => Err(format!("{at}: unsupported value {other}")),
        }
    }

    /// A value of type `ty` that cannot be unset.
    fn expect(&mut self, value: &Value, scope: &Scope, ty: Ty, at: &str) -> Result<Expr, String> {
        let expr = self.value(value, scope, at)?;
        check(&expr, ty, at)?;
        Ok(expr)
    }

    fn call(&mut self, call: &Map<String, Value>, scope: &Scope, at: &str) -> Result<Expr, String> {
        let name = function_name(call);
        let argv = match call.get("argv") {
            Some(Value::Array(argv)) => argv.as_slice(),
            _ => return Err(format!("{at}: `{name}` needs an `argv` list")),
        };
        let at = format!("{at} ({name})");
        let arity = |n: usize| {
            if argv.len() == n {
                Ok(())
            } else {
                Err(format!("{at}: `{name}` takes {n} argument(s), not {}", argv.len()))
            }
        };
        match name {
            "isSet" => {
                arity(1)?;
                let arg = self.value(&argv[0], scope, &at)?;
                if !arg.optional {
                    return Ok(Expr { literal: Some(true), ..Expr::new(quote!(true), Ty::Bool) });
                }
                let tokens = arg.tokens;
                Ok(Expr::new(quote!(#tokens.is_some()), Ty::Bool))
            }
            "not" => {
                arity(1)?;
                // `not(isSet(x))` reads as `x.is_none()` (what clippy asks of `!x.is_some()`).
                let set_argv = argv[0].get("argv").and_then(Value::as_array).filter(|a| a.len() == 1);
                if let (Some("isSet"), Some([inner])) =
                    (argv[0].get("fn").and_then(Value::as_str), set_argv.map(Vec::as_slice))
                {
                    let inner = self.value(inner, scope, &at)?;
                    if inner.optional {
                        let tokens = inner.tokens;
                        return Ok(Expr::new(quote!(#tokens.is_none()), Ty::Bool));
                    }
                }
                let arg = self.value(&argv[0], scope, &at)?;
                if arg.ty != Ty::Bool {
                    return Err(format!("{at}: `not` takes a boolean, not {}", arg.ty.describe()));
                }
                let tokens = arg.tokens;
                // botocore: `not None` is true.
                Ok(Expr::new(if arg.optional { quote!(#tokens != Some(true)) } else { quote!(!#tokens) }, Ty::Bool))
            }
            "booleanEquals" => {
                arity(2)?;
                // botocore raises an error for an unset argument: the rule set must check `isSet` first.
                let a = self.expect(&argv[0], scope, Ty::Bool, &at)?;
                let b = self.expect(&argv[1], scope, Ty::Bool, &at)?;
                let (a_tokens, b_tokens) = (&a.tokens, &b.tokens);
                let tokens = match (a.literal, b.literal) {
                    (Some(_), Some(_)) => return Err(format!("{at}: `booleanEquals` of two constants")),
                    (Some(true), None) => b_tokens.clone(),
                    (None, Some(true)) => a_tokens.clone(),
                    (Some(false), None) => quote!(!#b_tokens),
                    (None, Some(false)) => quote!(!#a_tokens),
                    (None, None) => quote!(#a_tokens == #b_tokens),
                };
                Ok(Expr::new(tokens, Ty::Bool))
            }
            "stringEquals" => {
                arity(2)?;
                let a = self.expect(&argv[0], scope, Ty::Str, &at)?.as_str();
                let b = self.expect(&argv[1], scope, Ty::Str, &at)?.as_str();
                Ok(Expr::new(quote!(#a == #b), Ty::Bool))
            }
            "getAttr" => {
                arity(2)?;
                let target = self.value(&argv[0], scope, &at)?;
                let Value::String(path) = &argv[1] else {
                    return Err(format!("{at}: the path of `getAttr` must be a string"));
                };
                get_attr(&target, path, &at)
            }
            "aws.partition" => {
                arity(1)?;
                let region = self.expect(&argv[0], scope, Ty::Str, &at)?.as_str();
                self.calls_lib = true;
                self.uses_partitions = true;
                let tokens = quote!(endpoint_lib::partition(#region, PARTITIONS));
                Ok(Expr { optional: true, ..Expr::new(tokens, Ty::Partition) })
            }
            "parseURL" => {
                arity(1)?;
                let url = self.expect(&argv[0], scope, Ty::Str, &at)?.as_str();
                self.calls_lib = true;
                Ok(Expr { optional: true, ..Expr::new(quote!(endpoint_lib::parse_url(#url)), Ty::Url) })
            }
            "isValidHostLabel" => {
                arity(2)?;
                let value = self.expect(&argv[0], scope, Ty::Str, &at)?.as_str();
                let subdomains = self.expect(&argv[1], scope, Ty::Bool, &at)?.tokens;
                self.calls_lib = true;
                Ok(Expr::new(quote!(endpoint_lib::is_valid_host_label(#value, #subdomains)), Ty::Bool))
            }
            "substring" => {
                arity(4)?;
                let value = self.expect(&argv[0], scope, Ty::Str, &at)?.as_str();
                let start = self.expect(&argv[1], scope, Ty::Int, &at)?.tokens;
                let stop = self.expect(&argv[2], scope, Ty::Int, &at)?.tokens;
                let reverse = self.expect(&argv[3], scope, Ty::Bool, &at)?.tokens;
                self.calls_lib = true;
                let tokens = quote!(endpoint_lib::substring(#value, #start, #stop, #reverse));
                Ok(Expr { optional: true, kind: StrKind::Fresh, ..Expr::new(tokens, Ty::Str) })
            }
            "uriEncode" => {
                arity(1)?;
                let value = self.expect(&argv[0], scope, Ty::Str, &at)?.as_str();
                self.calls_lib = true;
                Ok(Expr { kind: StrKind::Fresh, ..Expr::new(quote!(endpoint_lib::uri_encode(#value)), Ty::Str) })
            }
            other => Err(format!(
                "{at}: the endpoint rule set calls `{other}`, which the generator does not support \
                 (supported: {}); teach codegen/src/endpoint_rules.rs and the runtime's endpoint_lib \
                 about it",
                SUPPORTED_FUNCTIONS.join(", ")
            )),
        }
    }

    /// A string template: `{Name}` and `{Name#attr}` are substituted, `{{` and `}}` are braces.
    fn template(&mut self, text: &str, scope: &Scope, at: &str) -> Result<Expr, String> {
        let mut format = String::new();
        let mut args = Vec::new();
        let mut placeholders = 0;
        let mut rest = text;
        while let Some(position) = rest.find(['{', '}']) {
            let (literal, after) = rest.split_at(position);
            format.push_str(literal);
            if let Some(after) = after.strip_prefix("{{").or_else(|| after.strip_prefix("}}")) {
                format.push_str(&rest[position..position + 2]);
                rest = after;
                continue;
            }
            let inner = after.strip_prefix('{').and_then(|after| after.split_once('}'));
            let Some((reference, after)) = inner else {
                return Err(format!("{at}: unbalanced brace in the template {text:?}"));
            };
            let expr = match reference.split_once('#') {
                None => lookup(scope, reference, at)?,
                Some((name, attribute)) => get_attr(&lookup(scope, name, at)?, attribute, at)?,
            };
            check(&expr, Ty::Str, &format!("{at}: `{{{reference}}}` in {text:?}"))?;
            placeholders += 1;
            // A plain local is written inline (`{region}`), as clippy's uninlined_format_args wants.
            match syn::parse2::<Ident>(expr.tokens.clone()) {
                Ok(ident) if !ident.to_string().starts_with("r#") => format.push_str(&format!("{{{ident}}}")),
                _ => {
                    format.push_str("{}");
                    args.push(expr.tokens);
                }
            }
            rest = after;
        }
        format.push_str(rest);
        if placeholders == 0 {
            // No placeholder: a literal (with `{{`/`}}` unescaped).
            let literal = text.replace("{{", "{").replace("}}", "}");
            return Ok(Expr::new(quote!(#literal), Ty::Str));
        }
        let tokens = if args.is_empty() { quote!(format!(#format)) } else { quote!(format!(#format, #(#args),*)) };
        Ok(Expr { kind: StrKind::Fresh, ..Expr::new(tokens, Ty::Str) })
    }
}

/// Boolean guards around a block: `if a && b { block }`, or the block itself with none.
fn wrap_bools(conditions: Vec<TokenStream>, block: Block) -> Block {
    if conditions.is_empty() {
        return block;
    }
    Block { stmts: vec![Stmt::If { conditions, body: block }], tail: None }
}

fn get_attr(target: &Expr, path: &str, at: &str) -> Result<Expr, String> {
    let attributes = match (target.ty, target.optional) {
        (Ty::Partition, false) => PARTITION_ATTRIBUTES,
        (Ty::Url, false) => URL_ATTRIBUTES,
        (ty, optional) => {
            let unset = if optional { "possibly unset " } else { "" };
            return Err(format!("{at}: `getAttr` of {unset}{} (path `{path}`) is not supported", ty.describe()));
        }
    };
    let Some((_, field, boolean)) = attributes.iter().find(|(name, _, _)| *name == path) else {
        let known: Vec<&str> = attributes.iter().map(|(name, _, _)| *name).collect();
        return Err(format!(
            "{at}: `getAttr` of {} reads `{path}`, which the generator does not know (known: {})",
            target.ty.describe(),
            known.join(", ")
        ));
    };
    let field = format_ident_raw(field);
    let tokens = &target.tokens;
    Ok(match (target.ty, boolean) {
        (Ty::Partition, true) => Expr::new(quote!(#tokens.outputs.#field), Ty::Bool),
        (Ty::Partition, false) => Expr::new(quote!(#tokens.outputs.#field), Ty::Str),
        (_, true) => Expr::new(quote!(#tokens.#field), Ty::Bool),
        (_, false) => Expr::new(quote!(#tokens.#field.as_str()), Ty::Str),
    })
}

fn lookup(scope: &Scope, name: &str, at: &str) -> Result<Expr, String> {
    scope
        .vars
        .get(name)
        .map(|binding| binding.expr.clone())
        .ok_or_else(|| format!("{at}: `{name}` is not a parameter nor assigned by an earlier condition"))
}

fn check(expr: &Expr, ty: Ty, at: &str) -> Result<(), String> {
    if expr.ty != ty {
        return Err(format!("{at}: expected {}, found {}", ty.describe(), expr.ty.describe()));
    }
    if expr.optional {
        return Err(format!(
            "{at}: the value may be unset here; the generator needs an `isSet` (or an assignment) \
             before it is used"
        ));
    }
    Ok(())
}

fn function_name(call: &Map<String, Value>) -> &str {
    call.get("fn").and_then(Value::as_str).unwrap_or("?")
}

/// `isSet({"ref": name})` → `name`.
fn single_ref_argument(call: &Map<String, Value>) -> Option<&str> {
    match call.get("argv")?.as_array()?.as_slice() {
        [argument] => argument.get("ref")?.as_str(),
        _ => None,
    }
}

fn as_rules<'a>(value: &'a Value, at: &str) -> Result<&'a [Value], String> {
    value.as_array().map(Vec::as_slice).ok_or_else(|| format!("{at}: `rules` must be a list"))
}

/// The parts of a rule after its conditions.
fn rule_body(rule: &Map<String, Value>) -> impl Iterator<Item = &Value> {
    ["endpoint", "error", "rules"].into_iter().filter_map(|key| rule.get(key))
}

/// Whether `value` refers to `name`: `{"ref": name}`, or `{name}` / `{name#…}` in a template.
fn mentions(value: &Value, name: &str) -> bool {
    match value {
        Value::String(text) => text.contains(&format!("{{{name}}}")) || text.contains(&format!("{{{name}#")),
        Value::Array(items) => items.iter().any(|item| mentions(item, name)),
        Value::Object(object) => {
            object.get("ref").and_then(Value::as_str) == Some(name) || object.values().any(|v| mentions(v, name))
        }
        _ => false,
    }
}

/// Endpoint `headers` and `properties.authSchemes` would have to be honored when sending; this
/// generator returns only the URL, so a rule set that sets headers does not compile, and an
/// endpoint that sets auth schemes becomes an error outcome (`Ok(Some(message))`).
fn check_endpoint_extras(endpoint: &Map<String, Value>, at: &str) -> Result<Option<String>, String> {
    const KEYS: &[&str] = &["url", "properties", "headers"];
    if let Some(key) = endpoint.keys().find(|key| !KEYS.contains(&key.as_str())) {
        return Err(format!("{at}: unknown endpoint key `{key}`"));
    }
    match endpoint.get("headers") {
        None => {}
        Some(Value::Object(headers)) if headers.is_empty() => {}
        Some(headers) => {
            return Err(format!(
                "{at}: the endpoint sets headers {headers}, which the generated resolver cannot return \
                 (it returns only the URL)"
            ))
        }
    }
    match endpoint.get("properties") {
        None => {}
        Some(Value::Object(properties)) => match properties.get("authSchemes") {
            None => {}
            Some(Value::Array(schemes)) if schemes.is_empty() => {}
            Some(schemes) => {
                return Ok(Some(format!(
                    "this endpoint needs the auth schemes {schemes}, which this SDK does not apply"
                )))
            }
        },
        Some(_) => return Err(format!("{at}: endpoint `properties` must be an object")),
    }
    Ok(None)
}
