//! The endpoint resolver: the model's endpoint rule set compiled into Rust.
//!
//! Emits `EndpointParams` (one field per rule-set parameter), `resolve_endpoint` (the rules as
//! straight Rust, see [`rules`]) and `PARTITIONS`, the partition table of `partitions.json` that
//! `aws.partition` reads, with each `regionRegex` translated into a matcher the runtime evaluates
//! without a regex engine. Anything the generator cannot translate faithfully fails generation.

#[path = "endpoint_rules.rs"]
mod rules;

use crate::emit_types::format_ident_raw;
use crate::{names, Model};
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};

/// The rule-set versions the compiler knows.
const RULE_SET_VERSIONS: &[&str] = &["1.0"];

/// `None` when the model has no endpoint rule set (or no partitions to resolve it with).
pub fn emit(model: &Model) -> Result<Option<TokenStream>, String> {
    let (Some(rule_set), Some(partitions)) = (&model.endpoint_rule_set, &model.partitions) else {
        return Ok(None);
    };
    emit_resolver(rule_set, partitions).map(Some)
}

fn emit_resolver(rule_set: &Value, partitions: &Value) -> Result<TokenStream, String> {
    let (params, compiled, doc) = compile_rule_set(rule_set).map_err(|e| format!("endpoint rule set: {e}"))?;
    let params_struct = emit_params(&params);
    let table = if compiled.uses_partitions {
        emit_partitions(partitions).map_err(|e| format!("partitions.json: {e}"))?
    } else {
        TokenStream::new()
    };
    let partition_types =
        if compiled.uses_partitions { quote!(, Partition, PartitionOutputs, RegionRegex) } else { quote!() };
    let module = if compiled.calls_lib { quote!(self,) } else { quote!() };
    let body = compiled.body;
    Ok(quote! {
        use crate::runtime::endpoint_lib::{#module EndpointError #partition_types};

        #params_struct

        #[doc = #doc]
        pub fn resolve_endpoint(params: &EndpointParams) -> Result<String, EndpointError> {
            #body
        }

        #table
    })
}

/// The parameters, the compiled rules and the resolver's doc.
fn compile_rule_set(rule_set: &Value) -> Result<(Vec<ParamDef>, rules::Compiled, String), String> {
    let top = rule_set.as_object().ok_or("expected a JSON object")?;
    const KEYS: &[&str] = &["version", "parameters", "rules", "documentation"];
    if let Some(key) = top.keys().find(|key| !KEYS.contains(&key.as_str())) {
        return Err(format!("unknown top-level key `{key}` (known: {})", KEYS.join(", ")));
    }
    let version = top.get("version").and_then(Value::as_str).unwrap_or("(none)");
    if !RULE_SET_VERSIONS.contains(&version) {
        return Err(format!(
            "version {version}; the generator compiles rule sets of version {}",
            RULE_SET_VERSIONS.join(", ")
        ));
    }
    let params = parameters(top.get("parameters").ok_or("`parameters` is missing")?)?;
    let rules = top.get("rules").ok_or("`rules` is missing")?;
    let compiled = rules::compile(rules, &params.iter().map(|p| p.compiled.clone()).collect::<Vec<_>>())?;
    let doc = format!(
        "Resolves the endpoint URL for `params` by the model's endpoint rule set (version {version}, \
         {} rules, compiled into this function). An `Err` carries the rule set's message, e.g. \
         for a configuration without a region or a custom endpoint combined with FIPS.",
        count_rules(rules)
    );
    Ok((params, compiled, doc))
}

fn count_rules(rules: &Value) -> usize {
    rules.as_array().map_or(0, |rules| rules.iter().map(|rule| 1 + rule.get("rules").map_or(0, count_rules)).sum())
}

// ---------------------------------------------------------------------------------------------
// Parameters

struct ParamDef {
    compiled: rules::Param,
    built_in: Option<String>,
    default: Option<Value>,
    required: bool,
    deprecated: bool,
}

fn parameters(value: &Value) -> Result<Vec<ParamDef>, String> {
    let object = value.as_object().ok_or("`parameters` must be an object")?;
    let mut params: Vec<ParamDef> = Vec::new();
    for (name, spec) in object {
        let at = format!("parameter `{name}`");
        let spec = spec.as_object().ok_or_else(|| format!("{at}: expected an object"))?;
        const KEYS: &[&str] = &["type", "builtIn", "required", "default", "documentation", "deprecated"];
        if let Some(key) = spec.keys().find(|key| !KEYS.contains(&key.as_str())) {
            return Err(format!("{at}: unknown key `{key}` (known: {})", KEYS.join(", ")));
        }
        let ty = spec.get("type").and_then(Value::as_str).ok_or_else(|| format!("{at}: `type` is missing"))?;
        let boolean = match ty.to_ascii_lowercase().as_str() {
            "string" => false,
            "boolean" => true,
            _ => return Err(format!("{at}: type `{ty}` is not supported (supported: string, boolean)")),
        };
        let default = spec.get("default").filter(|value| !value.is_null()).cloned();
        match (&default, boolean) {
            (None, _) | (Some(Value::Bool(_)), true) | (Some(Value::String(_)), false) => {}
            (Some(default), _) => return Err(format!("{at}: default {default} does not match type `{ty}`")),
        }
        let field = names::field(name);
        if let Some(other) = params.iter().find(|p| p.compiled.field == field) {
            return Err(format!("{at} and `{}` would both be the field `{field}`", other.compiled.name));
        }
        params.push(ParamDef {
            compiled: rules::Param { name: name.clone(), field, boolean, optional: default.is_none() },
            built_in: spec.get("builtIn").and_then(Value::as_str).map(str::to_string),
            required: spec.get("required").and_then(Value::as_bool).unwrap_or(false),
            deprecated: spec.get("deprecated").is_some_and(|d| !d.is_null()),
            default,
        });
    }
    Ok(params)
}

/// What a built-in parameter is set from.
fn built_in_doc(built_in: &str) -> String {
    let what = match built_in {
        "AWS::Region" => "the AWS Region the client is configured for, like `us-east-1`",
        "AWS::UseFIPS" => "whether to use FIPS 140-2 validated endpoints",
        "AWS::UseDualStack" => "whether to use dual-stack (IPv4 and IPv6) endpoints",
        "SDK::Endpoint" => "a custom endpoint URL, used instead of the resolved one",
        "AWS::UseGlobalEndpoint" => "whether to use the global endpoint of a service that has one",
        "AWS::Auth::AccountId" => "the AWS account id of the credentials",
        "AWS::Auth::AccountIdEndpointMode" => "whether the account id is part of the endpoint",
        _ => "the SDK setting of that name",
    };
    format!("built-in `{built_in}`: {what}")
}

fn emit_params(params: &[ParamDef]) -> TokenStream {
    let region = params.iter().find(|p| p.built_in.as_deref() == Some("AWS::Region") && !p.compiled.boolean);
    let fields = params.iter().map(|param| {
        let p = &param.compiled;
        let ident = format_ident_raw(&p.field);
        let ty = match (p.boolean, p.optional) {
            (true, false) => quote!(bool),
            (true, true) => quote!(Option<bool>),
            (false, false) => quote!(String),
            (false, true) => quote!(Option<String>),
        };
        let mut doc = format!("`{}`", p.name);
        match &param.built_in {
            Some(built_in) => doc.push_str(&format!(" ({})", built_in_doc(built_in))),
            None => doc.push_str(" (a parameter of the rule set, with no built-in source)"),
        }
        doc.push('.');
        match &param.default {
            Some(default) => doc.push_str(&format!(" Default: `{default}`.")),
            None if param.required => doc.push_str(" Required by the rule set."),
            None => {}
        }
        if param.deprecated {
            doc.push_str(" Deprecated by the rule set.");
        }
        quote! {
            #[doc = #doc]
            pub #ident: #ty
        }
    });
    let inits = params.iter().map(|param| {
        let p = &param.compiled;
        let ident = format_ident_raw(&p.field);
        let value = match &param.default {
            Some(Value::Bool(b)) => quote!(#b),
            Some(Value::String(s)) => quote!(#s.to_string()),
            _ if region.is_some_and(|r| r.compiled.name == p.name) => return quote!(#ident),
            _ => quote!(None),
        };
        quote!(#ident: #value)
    });
    let (new_args, new_doc) = match region {
        Some(region) if region.compiled.optional => {
            let ident = format_ident_raw(&region.compiled.field);
            let doc = format!(
                "Parameters for a region (the `{}` parameter), all others at their defaults.",
                region.compiled.name
            );
            (quote!(#ident: Option<String>), doc)
        }
        _ => (quote!(), "Parameters with every value at its default.".to_string()),
    };
    let default_call = if new_args.is_empty() { quote!(Self::new()) } else { quote!(Self::new(None)) };
    quote! {
        /// The inputs of [`resolve_endpoint`]: the parameters of the model's endpoint rule set.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct EndpointParams {
            #(#fields,)*
        }

        impl EndpointParams {
            #[doc = #new_doc]
            pub fn new(#new_args) -> Self {
                Self { #(#inits,)* }
            }
        }

        impl Default for EndpointParams {
            fn default() -> Self {
                #default_call
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Partitions

/// The outputs every partition must have (the attributes `getAttr` reads), from the compiler's list.
fn emit_partitions(partitions: &Value) -> Result<TokenStream, String> {
    let top = partitions.as_object().ok_or("partitions: expected a JSON object")?;
    let list = top.get("partitions").and_then(Value::as_array).ok_or("partitions: `partitions` must be a list")?;
    if list.is_empty() {
        return Err("partitions: the list is empty".into());
    }
    let version = top.get("version").and_then(Value::as_str).unwrap_or("?");
    let entries = list
        .iter()
        .enumerate()
        .map(|(index, partition)| emit_partition(partition, index))
        .collect::<Result<Vec<_>, _>>()?;
    let doc = format!(
        "The partitions of `partitions.json` (version {version}), in its order: what `aws.partition` \
         chooses from (see [`crate::runtime::endpoint_lib::partition`])."
    );
    Ok(quote! {
        #[doc = #doc]
        pub static PARTITIONS: &[Partition] = &[#(#entries),*];
    })
}

fn emit_partition(partition: &Value, index: usize) -> Result<TokenStream, String> {
    let partition = partition.as_object().ok_or_else(|| format!("partitions[{index}]: expected an object"))?;
    let id = partition.get("id").and_then(Value::as_str).ok_or_else(|| format!("partitions[{index}]: no `id`"))?;
    let at = format!("partition `{id}`");
    let regex =
        partition.get("regionRegex").and_then(Value::as_str).ok_or_else(|| format!("{at}: no `regionRegex`"))?;
    let prefixes = region_regex_prefixes(regex).map_err(|e| format!("{at}: regionRegex {regex:?}: {e}"))?;
    let regions = partition.get("regions").and_then(Value::as_object).ok_or_else(|| format!("{at}: no `regions`"))?;
    for (region, entry) in regions {
        // Per-region output overrides exist in the Smithy partition format; botocore ignores
        // them, and so would this table: refuse rather than lose them silently.
        let overrides = entry.as_object().map(|entry| entry.keys().any(|key| key != "description")).unwrap_or(true);
        if overrides {
            return Err(format!(
                "{at}: region `{region}` has {entry}, which the generated table cannot express (only a description)"
            ));
        }
    }
    let region_names = regions.keys();
    let outputs = partition.get("outputs").and_then(Value::as_object).ok_or_else(|| format!("{at}: no `outputs`"))?;
    let outputs = emit_outputs(id, outputs, &at)?;
    Ok(quote! {
        Partition {
            id: #id,
            region_regex: RegionRegex { prefixes: &[#(#prefixes),*] },
            regions: &[#(#region_names),*],
            outputs: #outputs,
        }
    })
}

fn emit_outputs(id: &str, outputs: &Map<String, Value>, at: &str) -> Result<TokenStream, String> {
    let mut fields = Vec::new();
    for (attribute, field, boolean) in rules::PARTITION_ATTRIBUTES {
        let ident = format_ident_raw(field);
        let value = if *attribute == "name" {
            // botocore's `aws.partition` reports the partition's id as its name.
            quote!(#id)
        } else {
            match (outputs.get(*attribute), boolean) {
                (Some(Value::String(s)), false) => quote!(#s),
                (Some(Value::Bool(b)), true) => quote!(#b),
                (Some(other), _) => return Err(format!("{at}: output `{attribute}` is {other}, of the wrong type")),
                (None, _) => return Err(format!("{at}: output `{attribute}` is missing")),
            }
        };
        fields.push(quote!(#ident: #value));
    }
    Ok(quote!(PartitionOutputs { #(#fields),* }))
}

/// Translates a `regionRegex` of the form `^P\-\w+\-\d+$`, where `P` is literal characters and
/// groups of literal alternatives (`(us|eu)`, `(?:de)`), into the literal prefixes `P` can be
/// (the runtime's `RegionRegex` matches `^(prefixes)-\w+-\d+$`).
fn region_regex_prefixes(regex: &str) -> Result<Vec<String>, String> {
    const FORM: &str = "supported: `^P\\-\\w+\\-\\d+$` with P made of letters, digits, `\\-`, `_` and groups `(a|b)`";
    let body = regex
        .strip_prefix('^')
        .and_then(|rest| rest.strip_suffix('$'))
        .ok_or_else(|| format!("it must be anchored with `^` and `$` ({FORM})"))?;
    let prefix = ["\\-\\w+\\-\\d+", "-\\w+-\\d+"]
        .iter()
        .find_map(|suffix| body.strip_suffix(suffix))
        .ok_or_else(|| format!("it must end with `\\-\\w+\\-\\d+$` ({FORM})"))?;
    let mut prefixes = vec![String::new()];
    let mut chars = prefix.chars().peekable();
    while let Some(c) = chars.next() {
        let alternatives: Vec<String> = match c {
            '\\' => match chars.next() {
                Some(escaped @ ('-' | '.' | '_')) => vec![escaped.to_string()],
                other => {
                    return Err(format!("the escape `\\{}` is not supported ({FORM})", other.unwrap_or(' ')));
                }
            },
            '(' => {
                if chars.peek() == Some(&'?') {
                    chars.next();
                    if chars.next() != Some(':') {
                        return Err(format!("only `(?:` groups are supported ({FORM})"));
                    }
                }
                let mut group = String::new();
                loop {
                    match chars.next() {
                        Some(')') => break,
                        Some('\\') => match chars.next() {
                            Some(escaped @ ('-' | '.' | '_')) => group.push(escaped),
                            _ => return Err(format!("unsupported escape in a group ({FORM})")),
                        },
                        Some(c) if c == '|' || c == '-' || c == '_' || c.is_ascii_alphanumeric() => group.push(c),
                        Some(c) => return Err(format!("`{c}` in a group is not supported ({FORM})")),
                        None => return Err("unclosed group".to_string()),
                    }
                }
                let alternatives: Vec<String> = group.split('|').map(str::to_string).collect();
                if alternatives.iter().any(String::is_empty) {
                    return Err(format!("empty alternatives are not supported ({FORM})"));
                }
                alternatives
            }
            c if c == '-' || c == '_' || c.is_ascii_alphanumeric() => vec![c.to_string()],
            c => return Err(format!("`{c}` is not supported ({FORM})")),
        };
        prefixes = prefixes
            .iter()
            .flat_map(|prefix| alternatives.iter().map(move |alternative| format!("{prefix}{alternative}")))
            .collect();
        if prefixes.len() > 1000 {
            return Err("too many alternatives".to_string());
        }
    }
    Ok(prefixes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn partitions() -> Value {
        json!({"version": "1.1", "partitions": [
            {"id": "aws", "regionRegex": "^(us|eu)\\-\\w+\\-\\d+$",
             "regions": {"us-east-1": {"description": "x"}, "aws-global": {}},
             "outputs": {"name": "aws", "dnsSuffix": "amazonaws.com", "dualStackDnsSuffix": "api.aws",
                         "supportsFIPS": true, "supportsDualStack": true, "implicitGlobalRegion": "us-east-1"}},
        ]})
    }

    fn rule_set(rules: Value) -> Value {
        json!({"version": "1.0", "parameters": {
            "Region": {"builtIn": "AWS::Region", "required": false, "type": "String"},
            "UseFIPS": {"builtIn": "AWS::UseFIPS", "required": true, "default": false, "type": "Boolean"},
            "Endpoint": {"builtIn": "SDK::Endpoint", "required": false, "type": "String"},
            "Bucket": {"required": false, "type": "String"},
            "Flag": {"required": false, "type": "Boolean"},
        }, "rules": rules})
    }

    fn generate(rules: Value) -> Result<String, String> {
        let tokens = emit_resolver(&rule_set(rules), &partitions())?;
        let file: syn::File = syn::parse2(tokens).map_err(|e| format!("not valid Rust: {e}"))?;
        Ok(prettyplease::unparse(&file))
    }

    /// Without whitespace, so that assertions do not depend on line breaks.
    fn squash(code: &str) -> String {
        code.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn endpoint(url: Value) -> Value {
        json!({"type": "endpoint", "conditions": [], "endpoint": {"url": url, "properties": {}, "headers": {}}})
    }

    #[test]
    fn compiles_refs_partitions_and_templates() {
        let code = generate(json!([
            {"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "Endpoint"}]}], "rules": [
                {"type": "error", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]}],
                 "error": "FIPS and custom endpoint"},
                endpoint(json!({"ref": "Endpoint"})),
            ]},
            {"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}], "rules": [
                {"type": "tree", "conditions": [
                    {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "PartitionResult"}], "rules": [
                    {"type": "endpoint", "conditions": [
                        {"fn": "booleanEquals", "argv": [true, {"fn": "getAttr", "argv": [{"ref": "PartitionResult"}, "supportsFIPS"]}]},
                        {"fn": "stringEquals", "argv": [{"fn": "getAttr", "argv": [{"ref": "PartitionResult"}, "name"]}, "aws"]},
                    ], "endpoint": {"url": "https://x-fips.{Region}.{PartitionResult#dnsSuffix}", "headers": {}}},
                    endpoint(json!("https://x.{Region}.{PartitionResult#dnsSuffix}")),
                ]},
            ]},
            {"type": "error", "conditions": [], "error": "Invalid Configuration: Missing Region"},
        ]))
        .unwrap();
        for expected in [
            "pub struct EndpointParams",
            "pub region: Option<String>",
            "pub use_fips: bool",
            "pub bucket: Option<String>",
            "pub fn new(region: Option<String>) -> Self",
            "if let Some(endpoint) = params.endpoint.as_deref()",
            "if params.use_fips {",
            "return Ok(endpoint.to_string());",
            "if let Some(partition_result) = endpoint_lib::partition(region, PARTITIONS)",
            // Two boolean conditions share one `if` (no collapsible `if`s for clippy).
            "if partition_result.outputs.supports_fips && partition_result.outputs.name == \"aws\"",
            "format!(\"https://x-fips.{region}.{}\", partition_result.outputs.dns_suffix)",
            "prefixes: &[\"us\", \"eu\"]",
            "regions: &[\"aws-global\", \"us-east-1\"]",
        ] {
            assert!(squash(&code).contains(&squash(expected)), "missing `{expected}` in\n{code}");
        }
        // The final unconditional error is the tail expression (clippy: needless_return).
        assert!(squash(&code).contains("Err(EndpointError::new(\"InvalidConfiguration:MissingRegion\"))}"), "{code}");
    }

    #[test]
    fn other_library_functions_compile() {
        let code = generate(json!([
            {"type": "tree", "conditions": [
                {"fn": "isSet", "argv": [{"ref": "Endpoint"}]},
                {"fn": "parseURL", "argv": [{"ref": "Endpoint"}], "assign": "Url"},
                {"fn": "not", "argv": [{"fn": "getAttr", "argv": [{"ref": "Url"}, "isIp"]}]},
            ], "rules": [
                {"type": "tree", "conditions": [
                    {"fn": "isSet", "argv": [{"ref": "Bucket"}]},
                    {"fn": "isValidHostLabel", "argv": [{"ref": "Bucket"}, false]},
                    {"fn": "substring", "argv": [{"ref": "Bucket"}, 0, 4, true], "assign": "Tail"},
                    {"fn": "uriEncode", "argv": [{"ref": "Tail"}], "assign": "Encoded"},
                ], "rules": [
                    endpoint(json!("{Url#scheme}://{Encoded}.{Url#authority}{Url#normalizedPath}")),
                ]},
                endpoint(json!({"ref": "Endpoint"})),
            ]},
            {"type": "error", "conditions": [], "error": "no {{region}}"},
        ]))
        .unwrap();
        for expected in [
            "if let Some(url) = endpoint_lib::parse_url(endpoint)",
            "if !url.is_ip {",
            "if let Some(bucket) = params.bucket.as_deref()",
            "if endpoint_lib::is_valid_host_label(bucket, false)",
            "if let Some(tail) = endpoint_lib::substring(bucket, 0, 4, true)",
            "let encoded = endpoint_lib::uri_encode(tail.as_str());",
            "url.scheme.as_str()",
            "\"no {region}\"",
        ] {
            assert!(squash(&code).contains(&squash(expected)), "missing `{expected}` in\n{code}");
        }
        assert!(!code.contains("PARTITIONS"), "no partition table when aws.partition is unused:\n{code}");
    }

    #[test]
    fn unsupported_rule_sets_fail_with_a_reason() {
        let fails = |rules: Value, needle: &str| {
            let error = generate(rules).unwrap_err();
            assert!(error.contains(needle), "`{needle}` not in: {error}");
        };
        fails(
            json!([{"type": "tree", "conditions": [
                {"fn": "isSet", "argv": [{"ref": "Bucket"}]},
                {"fn": "aws.parseArn", "argv": [{"ref": "Bucket"}], "assign": "Arn"}], "rules": []}]),
            "`aws.parseArn`, which the generator does not support",
        );
        fails(
            json!([{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x", "headers": {"x-a": ["b"]}}}]),
            "headers",
        );
        // Auth schemes cannot be applied: such an endpoint is an error outcome, not a silent URL.
        let code = generate(json!([{"type": "endpoint", "conditions": [],
                    "endpoint": {"url": "https://x", "properties": {"authSchemes": [{"name": "sigv4"}]}}}]))
        .unwrap()
        .to_string();
        assert!(code.contains("which this SDK does not apply"), "{code}");
        fails(json!([endpoint(json!("https://{Region}"))]), "may be unset");
        fails(json!([endpoint(json!("https://{Nope}"))]), "`Nope` is not a parameter");
        fails(json!([{"type": "loop", "conditions": []}]), "unknown rule type `loop`");
        // botocore raises an error for `booleanEquals(unset, true)`: an `isSet` must come first.
        fails(
            json!([{"type": "error", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "Flag"}, true]}], "error": "e"}]),
            "may be unset",
        );
        fails(
            json!([{"type": "error", "conditions": [{"fn": "stringEquals", "argv": [{"ref": "UseFIPS"}, "x"]}], "error": "e"}]),
            "expected a string, found a boolean",
        );
    }

    #[test]
    fn region_regexes() {
        let ok = |regex: &str| region_regex_prefixes(regex).unwrap();
        assert_eq!(ok("^(us|eu|ap)\\-\\w+\\-\\d+$"), ["us", "eu", "ap"]);
        assert_eq!(ok("^cn\\-\\w+\\-\\d+$"), ["cn"]);
        assert_eq!(ok("^eusc\\-(de)\\-\\w+\\-\\d+$"), ["eusc-de"]);
        assert_eq!(ok("^us\\-iso\\-\\w+\\-\\d+$"), ["us-iso"]);
        assert_eq!(ok("^(a|b)\\-(?:c|d)-\\w+-\\d+$"), ["a-c", "a-d", "b-c", "b-d"]);
        for bad in [
            "us\\-\\w+\\-\\d+$",
            "^us\\-\\w+\\-\\d+",
            "^us\\-\\w+$",
            "^u.\\-\\w+\\-\\d+$",
            "^[a-z]+\\-\\w+\\-\\d+$",
            "^(a|)\\-\\w+\\-\\d+$",
            "^us*\\-\\w+\\-\\d+$",
        ] {
            assert!(region_regex_prefixes(bad).is_err(), "{bad}");
        }
        let mut partitions = partitions();
        partitions["partitions"][0]["regionRegex"] = json!("^us-.*$");
        let rules = json!([{"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]},
            {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"}], "rules": [endpoint(json!("https://{P#dnsSuffix}"))]}]);
        let error = emit_resolver(&rule_set(rules), &partitions).unwrap_err();
        assert!(error.contains("partition `aws`: regionRegex \"^us-.*$\""), "{error}");
    }

    #[test]
    fn absent_inputs_generate_nothing() {
        let service = crate::ServiceModel::from_json(
            r#"{"metadata": {"apiVersion": "1", "protocol": "ec2"}, "operations": {}, "shapes": {}}"#,
        )
        .unwrap();
        let mut model = Model::service_only(service);
        assert!(emit(&model).unwrap().is_none());
        model.endpoint_rule_set = Some(rule_set(json!([])));
        assert!(emit(&model).unwrap().is_none());
        model.partitions = Some(partitions());
        assert!(emit(&model).unwrap().is_some());
    }
}
