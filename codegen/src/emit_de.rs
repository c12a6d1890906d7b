//! XML decoders: one function per structure, list and map reachable from an operation output or
//! error. Elements are matched by local name (namespaces ignored); unknown elements are skipped.

use crate::emit_ser::{collect_structures, timestamp_format};
use crate::emit_types::format_ident_raw;
use crate::ir::{list_member, map_entries, Ir, Protocol, StructDef};
use crate::model::{ShapeKind, ShapeRef};
use crate::names;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

pub fn decoder_name(def: &StructDef) -> proc_macro2::Ident {
    format_ident!("de_{}", names::snake(def.shape_name.unwrap_or(&def.rust_name)))
}

fn shape_decoder_name(shape_name: &str) -> proc_macro2::Ident {
    format_ident!("de_{}", names::snake(shape_name))
}

pub fn emit(ir: &Ir) -> Result<TokenStream, String> {
    let mut needed = BTreeSet::new();
    for (_, op) in ir.operations() {
        for r in op.output.iter().chain(op.errors.iter()) {
            collect_structures(ir, &r.shape, &mut needed);
        }
    }
    // Lists and maps get their own decoder when they are not flattened into their parent.
    let mut containers = BTreeSet::new();
    for name in &needed {
        for m in ir.shape(name).members.values() {
            collect_containers(ir, m, &mut containers);
        }
    }
    let mut out = TokenStream::new();
    for def in &ir.structs {
        let synthetic_output = def.shape_name.is_none() && def.is_output;
        if synthetic_output || def.shape_name.is_some_and(|s| needed.contains(s)) {
            out.extend(crate::ir::gated(&ir.struct_gate(def, crate::ir::Reach::Output), emit_struct(ir, def)?));
        }
    }
    for name in containers {
        out.extend(crate::ir::gated(&ir.shape_gate(name, crate::ir::Reach::Output), emit_container(ir, name)));
    }
    if ir.protocol == Protocol::Query {
        out.extend(quote! {
            /// Reads the request id from AWS Query's `<ResponseMetadata><RequestId>`.
            pub(crate) fn de_response_metadata(
                element: &mut crate::runtime::xml::Element<'_, '_>,
            ) -> ::std::result::Result<::std::option::Option<::std::string::String>, crate::runtime::xml::XmlError> {
                let mut request_id = ::std::option::Option::None;
                while let ::std::option::Option::Some(mut child) = element.next_child()? {
                    if child.name() == b"RequestId" {
                        request_id = ::std::option::Option::Some(child.read_string()?);
                    }
                }
                ::std::result::Result::Ok(request_id)
            }
        });
    }
    Ok(out)
}

fn collect_containers<'m>(ir: &Ir<'m>, reference: &'m ShapeRef, out: &mut BTreeSet<&'m str>) {
    let shape = ir.shape(&reference.shape);
    match shape.kind {
        ShapeKind::List => {
            out.insert(reference.shape.as_str());
            collect_containers(ir, list_member(shape), out);
        }
        ShapeKind::Map => {
            out.insert(reference.shape.as_str());
            let (k, v) = map_entries(shape);
            collect_containers(ir, k, out);
            collect_containers(ir, v, out);
        }
        _ => {}
    }
}

fn emit_struct(ir: &Ir, def: &StructDef) -> Result<TokenStream, String> {
    let name = decoder_name(def);
    let ty = crate::ir::path_in(def.home, &def.rust_name);
    let doc = format!("Reads [`{}`] from the children of an element.", def.rust_name);
    let mut arms: Vec<(proc_macro2::Literal, TokenStream)> = Vec::new();
    let mut wire_names = BTreeSet::new();
    for m in &def.members {
        let field = format_ident_raw(&m.field);
        let wire = m.reference.xml_name(m.name);
        if !wire_names.insert(wire) {
            return Err(format!("two members of `{}` are read from the element `{wire}`", def.rust_name));
        }
        let shape = ir.shape(m.target);
        let flattened = m.reference.flattened || shape.flattened;
        let arm = match shape.kind {
            ShapeKind::List if flattened => {
                let item = read_value(ir, list_member(shape), quote!(child));
                quote!(out.#field.get_or_insert_with(::std::vec::Vec::new).push(#item);)
            }
            ShapeKind::Map if flattened => {
                let entry = read_map_entry(ir, &m.reference.shape);
                quote! {
                    let (key, value) = #entry;
                    out.#field.get_or_insert_with(::std::collections::HashMap::new).insert(key, value);
                }
            }
            _ => {
                let value = read_value(ir, m.reference, quote!(child));
                let value = if m.boxed { quote!(::std::boxed::Box::new(#value)) } else { value };
                quote!(out.#field = ::std::option::Option::Some(#value);)
            }
        };
        arms.push((byte_literal(wire), arm));
    }
    match ir.protocol {
        Protocol::Ec2 if def.is_output && !wire_names.contains("requestId") => arms.push((
            byte_literal("requestId"),
            quote!(out._request_id = ::std::option::Option::Some(child.read_string()?);),
        )),
        // Outputs without a result wrapper sit beside the metadata.
        Protocol::Query if def.is_output && !wire_names.contains("ResponseMetadata") => {
            arms.push((byte_literal("ResponseMetadata"), quote!(out._request_id = de_response_metadata(&mut child)?;)))
        }
        _ => {}
    }
    let (mutability, body) = match arms.as_slice() {
        [] => (quote!(), quote!(while element.next_child()?.is_some() {})),
        [(wire, arm)] => (
            quote!(mut),
            quote! {
                while let ::std::option::Option::Some(mut child) = element.next_child()? {
                    if child.name() == #wire { #arm }
                }
            },
        ),
        _ => {
            let (wires, bodies): (Vec<_>, Vec<_>) = arms.iter().cloned().unzip();
            (
                quote!(mut),
                quote! {
                    while let ::std::option::Option::Some(mut child) = element.next_child()? {
                        match child.name() {
                            #( #wires => { #bodies } )*
                            _ => {}
                        }
                    }
                },
            )
        }
    };
    Ok(quote! {
        #[doc = #doc]
        pub(crate) fn #name(
            element: &mut crate::runtime::xml::Element<'_, '_>,
        ) -> ::std::result::Result<#ty, crate::runtime::xml::XmlError> {
            let #mutability out = #ty::default();
            #body
            ::std::result::Result::Ok(out)
        }
    })
}

/// Code that reads one value of the referenced shape from the element `element` (a `&mut Element`).
fn read_value(ir: &Ir, reference: &ShapeRef, element: TokenStream) -> TokenStream {
    let shape = ir.shape(&reference.shape);
    match shape.kind {
        ShapeKind::String if shape.enum_values.is_some() => {
            let ty = ir.rust_type(&reference.shape);
            quote!(#ty::from(#element.read_string()?))
        }
        ShapeKind::String => quote!(#element.read_string()?),
        ShapeKind::Integer => quote!(#element.read_i32()?),
        ShapeKind::Long => quote!(#element.read_i64()?),
        ShapeKind::Float => quote!(#element.read_f32()?),
        ShapeKind::Double => quote!(#element.read_f64()?),
        ShapeKind::Boolean => quote!(#element.read_bool()?),
        ShapeKind::Blob => quote!(#element.read_blob()?),
        ShapeKind::Timestamp => {
            let format = timestamp_format(reference, shape.timestamp_format.as_deref());
            quote!(#element.read_timestamp(#format)?)
        }
        ShapeKind::Structure => {
            let def = ir.struct_def(&reference.shape).expect("every structure has a definition");
            let de = decoder_name(def);
            quote!(#de(&mut #element)?)
        }
        ShapeKind::List | ShapeKind::Map => {
            let de = shape_decoder_name(&reference.shape);
            quote!(#de(&mut #element)?)
        }
        ShapeKind::Unsupported => unreachable!("rejected when the model is resolved"),
    }
}

/// Code reading one `<key/><value/>` pair from `child`, as an expression of type `Result<(K, V)>`-unwrapped.
fn read_map_entry(ir: &Ir, map_shape: &str) -> TokenStream {
    let (k, v) = map_entries(ir.shape(map_shape));
    let key_name = k.location_name.as_deref().unwrap_or("key");
    let value_name = v.location_name.as_deref().unwrap_or("value");
    let (key_wire, value_wire) = (byte_literal(key_name), byte_literal(value_name));
    let read_key = read_value(ir, k, quote!(part));
    let read_val = read_value(ir, v, quote!(part));
    quote! {{
        let mut key = ::std::option::Option::None;
        let mut value = ::std::option::Option::None;
        while let ::std::option::Option::Some(mut part) = child.next_child()? {
            match part.name() {
                #key_wire => key = ::std::option::Option::Some(#read_key),
                #value_wire => value = ::std::option::Option::Some(#read_val),
                _ => {}
            }
        }
        match (key, value) {
            (::std::option::Option::Some(key), ::std::option::Option::Some(value)) => (key, value),
            _ => return ::std::result::Result::Err(child.error(concat!("a map entry needs both <", #key_name, "> and <", #value_name, ">"))),
        }
    }}
}

fn emit_container(ir: &Ir, shape_name: &str) -> TokenStream {
    let shape = ir.shape(shape_name);
    let name = shape_decoder_name(shape_name);
    let ty = ir.rust_type(shape_name);
    let doc = format!("Reads the model's `{shape_name}` from the children of its wrapper element.");
    let body = if shape.kind == ShapeKind::List {
        let member = list_member(shape);
        let item_name = member.location_name.as_deref().unwrap_or("member");
        let item_wire = byte_literal(item_name);
        let item = read_value(ir, member, quote!(child));
        quote! {
            element.read_list(#item_wire, |mut child| {
                let item = #item;
                ::std::result::Result::Ok(item)
            })
        }
    } else {
        let entry = read_map_entry(ir, shape_name);
        quote! {
            let mut out = ::std::collections::HashMap::new();
            while let ::std::option::Option::Some(mut child) = element.next_child()? {
                if child.name() == b"entry" {
                    let (key, value) = #entry;
                    out.insert(key, value);
                }
            }
            ::std::result::Result::Ok(out)
        }
    };
    quote! {
        #[doc = #doc]
        pub(crate) fn #name(
            element: &mut crate::runtime::xml::Element<'_, '_>,
        ) -> ::std::result::Result<#ty, crate::runtime::xml::XmlError> {
            #body
        }
    }
}

/// An element name as the byte-string literal the decoders match `Element::name()` against.
fn byte_literal(name: &str) -> proc_macro2::Literal {
    proc_macro2::Literal::byte_string(name.as_bytes())
}
