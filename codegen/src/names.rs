//! Rust names for model names. Public so that tools built on the generator (the conformance
//! harness) name things exactly as the generated code does.

/// Words of a model name: `NetworkRulesEgress` → `Network Rules Egress`, `VPCId` → `VPC Id`,
/// `CidrIpv6` → `Cidr Ipv6`, `capacity-reservation` → `capacity reservation`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // A new word starts at `aB`, `1B`, and at the last capital of an acronym (`VPCId`).
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_is_lower) {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `snake_case` for fields, methods and functions, made a valid identifier.
pub fn snake(name: &str) -> String {
    let joined = words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_");
    if joined.is_empty() || joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{joined}")
    } else {
        joined
    }
}

/// `UpperCamelCase` for types and enum variants, made a valid identifier.
pub fn camel(name: &str) -> String {
    let joined: String = words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect();
    if joined.is_empty() || joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Value{joined}")
    } else {
        joined
    }
}

/// Keywords that cannot even be raw identifiers get a trailing underscore; the rest are written `r#x`.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "gen",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct",
    "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// A field or method name as written in Rust source: `return` → `r#return`, `self` → `self_`.
pub fn field(member_name: &str) -> String {
    let name = snake(member_name);
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// A field name without the raw-identifier prefix, for building other names (`set_return`).
pub fn field_stem(member_name: &str) -> String {
    field(member_name).trim_start_matches("r#").to_string()
}

/// The type name of a shape.
pub fn type_name(shape_name: &str) -> String {
    let name = camel(shape_name);
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}Shape")
    } else {
        name
    }
}

/// The variant name of an enum value; `Unknown` is taken by the forward-compatibility variant.
pub fn variant(value: &str) -> String {
    let name = camel(value);
    if name == "Unknown" || name == "Self" {
        format!("{name}Value")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_follows_aws_sdk_spelling() {
        assert_eq!(field("GroupId"), "group_id");
        assert_eq!(field("NetworkRulesEgress"), "network_rules_egress");
        assert_eq!(field("CidrIpv6"), "cidr_ipv6");
        assert_eq!(field("Ipv6Ranges"), "ipv6_ranges");
        assert_eq!(field("VPCId"), "vpc_id");
        assert_eq!(field("fooEnum1"), "foo_enum1");
        assert_eq!(field("Return"), "r#return");
        assert_eq!(field_stem("Return"), "return");
        assert_eq!(field("Type"), "r#type");
        assert_eq!(field("Self"), "self_");
        assert_eq!(field("hi"), "hi");
    }

    #[test]
    fn camel_case_for_types_and_variants() {
        assert_eq!(type_name("NetworkRule"), "NetworkRule");
        assert_eq!(variant("capacity-reservation"), "CapacityReservation");
        assert_eq!(variant("vpc-flow-log"), "VpcFlowLog");
        assert_eq!(variant("1"), "Value1");
        assert_eq!(variant("t2.micro"), "T2Micro");
        assert_eq!(variant("Unknown"), "UnknownValue");
    }
}
