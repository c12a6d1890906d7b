//! Query serializers: one function per structure reachable from an operation input.
//! `ec2`: keys are `queryName`, else the capitalized `locationName` or member name; lists are
//! always flattened and 1-based (`Key.1`, `Key.1.Sub`), empty lists write nothing.
//! `query`: keys are `locationName`, else the member name; lists are `Key.member.N` (the list
//! member's `locationName` replaces `member`) unless flattened (`Key.N`), and an empty list is
//! sent as `Key=`.

use crate::emit_types::format_ident_raw;
use crate::ir::{list_member, map_entries, Ir, Protocol, StructDef};
use crate::model::{ShapeKind, ShapeRef};
use crate::names;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

pub fn serializer_name(def: &StructDef) -> proc_macro2::Ident {
    format_ident!("ser_{}", names::snake(def.shape_name.unwrap_or(&def.rust_name)))
}

pub fn emit(ir: &Ir) -> TokenStream {
    let mut needed = BTreeSet::new();
    for (_, op) in ir.operations() {
        if let Some(input) = &op.input {
            collect_structures(ir, &input.shape, &mut needed);
        }
    }
    let mut out = TokenStream::new();
    for def in &ir.structs {
        let is_input_without_shape = def.shape_name.is_none() && !def.is_output;
        if is_input_without_shape || def.shape_name.is_some_and(|s| needed.contains(s)) {
            out.extend(crate::ir::gated(&ir.struct_gate(def, crate::ir::Reach::Input), emit_struct(ir, def)));
        }
    }
    out
}

/// Structures reachable from `shape` (through members, lists and maps).
pub fn collect_structures<'m>(ir: &Ir<'m>, shape_name: &'m str, seen: &mut BTreeSet<&'m str>) {
    let shape = ir.shape(shape_name);
    match shape.kind {
        ShapeKind::Structure if seen.insert(shape_name) => {
            for m in shape.members.values() {
                collect_structures(ir, &m.shape, seen);
            }
        }
        ShapeKind::List => collect_structures(ir, &list_member(shape).shape, seen),
        ShapeKind::Map => {
            let (k, v) = map_entries(shape);
            collect_structures(ir, &k.shape, seen);
            collect_structures(ir, &v.shape, seen);
        }
        _ => {}
    }
}

fn emit_struct(ir: &Ir, def: &StructDef) -> TokenStream {
    let name = serializer_name(def);
    let ty = crate::ir::path_in(def.home, &def.rust_name);
    let type_label = &def.rust_name;
    let protocol = match ir.protocol {
        Protocol::Ec2 => "EC2 Query",
        Protocol::Query => "AWS Query",
    };
    let doc = format!("Writes [`{}`] as {protocol} parameters under `prefix`.", def.rust_name);
    if def.members.is_empty() {
        return quote! {
            #[doc = #doc]
            pub(crate) fn #name(
                _writer: &mut crate::runtime::QueryWriter<'_>,
                _prefix: &str,
                _input: &#ty,
            ) -> ::std::result::Result<(), crate::runtime::BuildError> {
                ::std::result::Result::Ok(())
            }
        };
    }
    let mut body = TokenStream::new();
    for m in &def.members {
        let field = format_ident_raw(&m.field);
        let member_name = m.name;
        if m.required {
            body.extend(quote! {
                if input.#field.is_none() {
                    return ::std::result::Result::Err(crate::runtime::BuildError::missing_member(#type_label, #member_name));
                }
            });
        }
        // A flattened list goes under the member's own name (Smithy's rule; botocore would use the
        // list member's `locationName` and skips that vector).
        let key = ir.protocol.member_key(m.reference, m.name);
        let write = write_value(ir, m.reference, &m.reference.shape, quote!(key), quote!(value), 0);
        let token_fallback = if m.reference.idempotency_token && ir.shape(m.target).kind == ShapeKind::String {
            quote! {
                else {
                    let key = crate::runtime::query::member_key(prefix, #key);
                    let token = writer.idempotency_token();
                    writer.string(&key, &token);
                }
            }
        } else {
            quote!()
        };
        body.extend(quote! {
            if let ::std::option::Option::Some(value) = &input.#field {
                let key = crate::runtime::query::member_key(prefix, #key);
                #write
            } #token_fallback
        });
    }
    quote! {
        #[doc = #doc]
        pub(crate) fn #name(
            writer: &mut crate::runtime::QueryWriter<'_>,
            prefix: &str,
            input: &#ty,
        ) -> ::std::result::Result<(), crate::runtime::BuildError> {
            #body
            ::std::result::Result::Ok(())
        }
    }
}

/// Code writing `value` (a reference to a value of `shape_name`) under the `String` key `key`.
fn write_value(
    ir: &Ir,
    reference: &ShapeRef,
    shape_name: &str,
    key: TokenStream,
    value: TokenStream,
    depth: usize,
) -> TokenStream {
    let shape = ir.shape(shape_name);
    match shape.kind {
        ShapeKind::String if shape.enum_values.is_some() => quote!(writer.string(&#key, #value.as_str());),
        ShapeKind::String => quote!(writer.string(&#key, #value);),
        ShapeKind::Integer => quote!(writer.integer(&#key, i64::from(*#value));),
        ShapeKind::Long => quote!(writer.integer(&#key, *#value);),
        ShapeKind::Float => quote!(writer.float32(&#key, *#value);),
        ShapeKind::Double => quote!(writer.float64(&#key, *#value);),
        ShapeKind::Boolean => quote!(writer.boolean(&#key, *#value);),
        ShapeKind::Blob => quote!(writer.blob(&#key, #value);),
        ShapeKind::Timestamp => {
            let format = timestamp_format(reference, shape.timestamp_format.as_deref());
            quote!(writer.timestamp(&#key, #value, #format)?;)
        }
        ShapeKind::Structure => {
            let def = ir.struct_def(shape_name).expect("every structure has a definition");
            let ser = serializer_name(def);
            quote!(#ser(writer, &#key, #value)?;)
        }
        ShapeKind::List => {
            let member = list_member(shape);
            let item = format_ident!("item{}", depth);
            let index = format_ident!("index{}", depth);
            let item_key = format_ident!("key{}", depth + 1);
            let inner = write_value(ir, member, &member.shape, quote!(#item_key), quote!(#item), depth + 1);
            // EC2 Query lists are always `Key.N`; AWS Query wraps them unless flattened.
            let (item_format, empty) = match ir.protocol {
                Protocol::Ec2 => ("{}.{}".to_string(), quote!()),
                Protocol::Query => {
                    let format = if reference.flattened || shape.flattened {
                        "{}.{}".to_string()
                    } else {
                        format!("{{}}.{}.{{}}", member.location_name.as_deref().unwrap_or("member"))
                    };
                    // The protocol tells an empty list from an absent one: `Key=`.
                    (format, quote!(if #value.is_empty() { writer.string(&#key, ""); }))
                }
            };
            quote! {
                #empty
                for (#index, #item) in #value.iter().enumerate() {
                    let #item_key = format!(#item_format, #key, #index + 1);
                    #inner
                }
            }
        }
        ShapeKind::Map => {
            let (k, v) = map_entries(shape);
            let entry = format_ident!("entry{}", depth);
            let index = format_ident!("index{}", depth);
            let key_key = format_ident!("key{}k", depth + 1);
            let value_key = format_ident!("key{}v", depth + 1);
            let key_name = k.location_name.as_deref().unwrap_or("key");
            let value_name = v.location_name.as_deref().unwrap_or("value");
            let entry_prefix = if reference.flattened || shape.flattened { "" } else { ".entry" };
            let write_key = write_value(ir, k, &k.shape, quote!(#key_key), quote!(map_key), depth + 1);
            let write_val = write_value(ir, v, &v.shape, quote!(#value_key), quote!(map_value), depth + 1);
            // Entries sorted by key: the same input always gives the same body (and signature).
            quote! {
                let mut #entry: ::std::vec::Vec<_> = #value.iter().collect();
                #entry.sort_by(|a, b| a.0.cmp(b.0));
                for (#index, (map_key, map_value)) in #entry.into_iter().enumerate() {
                    let #key_key = format!("{}{}.{}.{}", #key, #entry_prefix, #index + 1, #key_name);
                    let #value_key = format!("{}{}.{}.{}", #key, #entry_prefix, #index + 1, #value_name);
                    #write_key
                    #write_val
                }
            }
        }
        ShapeKind::Unsupported => unreachable!("rejected when the model is resolved"),
    }
}

/// The runtime's `TimestampFormat` for a member: its own trait, else its shape's, else ISO 8601.
pub fn timestamp_format(reference: &ShapeRef, shape_format: Option<&str>) -> TokenStream {
    match reference.timestamp_format.as_deref().or(shape_format) {
        Some("unixTimestamp") => quote!(crate::runtime::TimestampFormat::EpochSeconds),
        Some("rfc822") => quote!(crate::runtime::TimestampFormat::HttpDate),
        _ => quote!(crate::runtime::TimestampFormat::DateTime),
    }
}
