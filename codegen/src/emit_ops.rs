//! One marker type per operation, implementing the runtime's `Operation` trait: it ties the
//! input, output, serializer, decoders, host prefix and modeled errors together.

use crate::emit_de::decoder_name;
use crate::emit_ser::serializer_name;
use crate::emit_types::format_ident_raw;
use crate::ir::Ir;
use crate::model::{Operation, ShapeKind};
use crate::names;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `customized`: the operations whose hooks the crate supplies (see `Model::customizations`).
pub fn emit(ir: &Ir, customized: &[String]) -> Result<TokenStream, String> {
    let mut out = quote! {
        /// The trait aws-sdk-rust users read request ids with, where they look for it.
        pub use crate::runtime::RequestId;
    };
    for (op_name, op) in ir.operations() {
        out.extend(crate::ir::gated(
            &ir.op_gate(op_name),
            emit_operation(ir, op_name, op, customized.iter().any(|c| c == op_name))?,
        ));
    }
    Ok(out)
}

fn io_def<'a, 'm>(ir: &'a Ir<'m>, rust_name: &str) -> &'a crate::ir::StructDef<'m> {
    ir.structs.iter().find(|s| s.rust_name == rust_name).expect("every operation input and output has a definition")
}

fn emit_operation(ir: &Ir, op_name: &str, op: &Operation, customized: bool) -> Result<TokenStream, String> {
    let ident = format_ident!("{}", names::type_name(op_name));
    let (input_name, output_name) = &ir.io[op_name];
    let input_def = io_def(ir, input_name);
    let output_def = io_def(ir, output_name);
    let input_ty = crate::ir::path_in(input_def.home, &input_def.rust_name);
    let output_ty = crate::ir::path_in(output_def.home, &output_def.rust_name);
    let ser = serializer_name(input_def);
    let de = decoder_name(output_def);
    let api_version = &ir.model.metadata.api_version;
    let method = &op.http.method;
    let request_uri = &op.http.request_uri;
    let gzip = op.requestcompression.as_ref().is_some_and(|c| c.encodings.iter().any(|e| e == "gzip"));
    let mut doc = format!("The `{op_name}` operation: [`{input_name}`] in, [`{output_name}`] out.");
    if op.deprecated {
        doc.push_str("\n\nThe model marks this operation deprecated.");
    }
    let doc = crate::docs::with_detail(&doc, &crate::docs::operation(ir, op_name));
    let host_prefix = match &op.endpoint {
        Some(endpoint) => emit_host_prefix(ir, op_name, input_def, &endpoint.host_prefix)?,
        None => quote!(),
    };
    let (error_ty, error_items, decode_error) = emit_errors(ir, op_name, op);
    let op_module = emit_op_module(ir, op_name, input_def, output_def);
    // AWS Query services may answer an operation without output members with an empty body.
    let empty_output = if ir.protocol == crate::ir::Protocol::Query && output_def.members.is_empty() {
        quote! {
            fn empty_output() -> ::std::option::Option<Self::Output> {
                ::std::option::Option::Some(::std::default::Default::default())
            }
        }
    } else {
        quote!()
    };
    let signed = if op.is_signed() {
        quote!()
    } else {
        quote!(
            const SIGNED: bool = false;
        )
    };
    // AWS Query: `<{Op}Response><{Op}Result>…</{Op}Result><ResponseMetadata>…`; the model
    // names the wrapper, else it is Smithy's default `{Op}Result`.
    let wrapper =
        op.output.as_ref().and_then(|o| o.result_wrapper.clone()).unwrap_or_else(|| format!("{op_name}Result"));
    let decode_output = match ir.protocol {
        crate::ir::Protocol::Query => {
            let wrapper = proc_macro2::Literal::byte_string(wrapper.as_bytes());
            quote! {
                let mut output = ::std::option::Option::None;
                let mut request_id = ::std::option::Option::None;
                while let ::std::option::Option::Some(mut child) = root.next_child()? {
                    match child.name() {
                        #wrapper => output = ::std::option::Option::Some(super::de::#de(&mut child)?),
                        b"ResponseMetadata" => request_id = super::de::de_response_metadata(&mut child)?,
                        _ => {}
                    }
                }
                let mut output: Self::Output = output.unwrap_or_default();
                output._request_id = output._request_id.or(request_id);
                ::std::result::Result::Ok(output)
            }
        }
        crate::ir::Protocol::Ec2 => quote!(super::de::#de(root)),
    };
    let hooks = match customized {
        true => quote! {
            fn customize_input(input: &mut Self::Input) {
                <Self as crate::customizations::Customize>::customize_input(input)
            }

            fn customize_error(error: crate::runtime::Error) -> crate::runtime::Error {
                <Self as crate::customizations::Customize>::customize_error(error)
            }
        },
        false => quote!(),
    };
    Ok(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct #ident;

        impl crate::runtime::Operation for #ident {
            const SERVICE: &'static crate::runtime::ServiceMetadata = &super::SERVICE;
            const NAME: &'static str = #op_name;
            const API_VERSION: &'static str = #api_version;
            const HTTP_METHOD: &'static str = #method;
            const REQUEST_URI: &'static str = #request_uri;
            const GZIP_REQUEST: bool = #gzip;
            #signed
            type Input = #input_ty;
            type Output = #output_ty;
            type Error = #error_ty;

            fn serialize(
                input: &Self::Input,
                writer: &mut crate::runtime::QueryWriter<'_>,
            ) -> ::std::result::Result<(), crate::runtime::BuildError> {
                super::ser::#ser(writer, "", input)
            }

            #host_prefix

            fn decode_output(
                root: &mut crate::runtime::xml::Element<'_, '_>,
            ) -> ::std::result::Result<Self::Output, crate::runtime::xml::XmlError> {
                #decode_output
            }

            #empty_output

            #decode_error

            #hooks
        }

        #error_items

        #op_module
    })
}

/// `operation::{op}` as aws-sdk-rust lays it out: the input, output and error, and in `builders`
/// the fluent builder and the input and output builders (all defined elsewhere, re-exported).
fn emit_op_module(ir: &Ir, op_name: &str, input: &crate::ir::StructDef, output: &crate::ir::StructDef) -> TokenStream {
    let module = format_ident_raw(&names::field(op_name));
    let marker = format_ident!("{}", names::type_name(op_name));
    let error = format_ident!("{}Error", names::type_name(op_name));
    let fluent = format_ident!("{}FluentBuilder", names::type_name(op_name));
    // Paths from inside `operation::{op}` (one level down) and `operation::{op}::builders` (two).
    let one = |def: &crate::ir::StructDef, suffix: &str| {
        let path = crate::ir::path_in(def.home, &format!("{}{suffix}", def.rust_name));
        quote!(super::#path)
    };
    let two = |def: &crate::ir::StructDef, suffix: &str| {
        let path = crate::ir::path_in(def.home, &format!("{}{suffix}", def.rust_name));
        quote!(super::super::#path)
    };
    let (input_ty, output_ty) = (one(input, ""), one(output, ""));
    let (input_builder, output_builder) = (two(input, "Builder"), two(output, "Builder"));
    let summary = format!("`{op_name}`: its input, output and error, as aws-sdk-rust's `operation::{module}`.");
    let doc = crate::docs::with_detail(&summary, &crate::docs::operation(ir, op_name));
    quote! {
        #[doc = #doc]
        pub mod #module {
            pub use super::{#marker, #error};
            pub use #input_ty;
            pub use #output_ty;

            /// The builders of this operation's input, output and call.
            pub mod builders {
                pub use #input_builder;
                pub use #output_builder;
                pub use super::super::super::client::#fluent;
            }
        }
    }
}

/// `foo.{label}.` becomes code that checks the label member and formats the prefix.
fn emit_host_prefix(
    ir: &Ir,
    op_name: &str,
    input: &crate::ir::StructDef,
    template: &str,
) -> Result<TokenStream, String> {
    let mut format_string = String::new();
    let mut args = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        format_string.push_str(&rest[..open].replace('}', "}}"));
        let close =
            rest[open..].find('}').ok_or_else(|| format!("`{op_name}`: unclosed `{{` in hostPrefix `{template}`"))?;
        let label = &rest[open + 1..open + close];
        let member = input
            .members
            .iter()
            .find(|m| m.name == label && m.reference.host_label && ir.shape(m.target).kind == ShapeKind::String)
            .ok_or_else(|| {
                format!(
                    "`{op_name}`: hostPrefix `{template}` names `{label}`, which is no string member with hostLabel"
                )
            })?;
        let field = format_ident_raw(&member.field);
        args.push(quote!(crate::runtime::request::host_label(#label, input.#field.as_deref())?));
        format_string.push_str("{}");
        rest = &rest[open + close + 1..];
    }
    format_string.push_str(rest);
    Ok(quote! {
        fn host_prefix(
            input: &Self::Input,
        ) -> ::std::result::Result<::std::option::Option<::std::string::String>, crate::runtime::BuildError> {
            let _ = input;
            ::std::result::Result::Ok(::std::option::Option::Some(format!(#format_string, #(#args),*)))
        }
    })
}

/// The operation's error type, `{Op}Error`: a variant per modeled error (with its details) and
/// `Unhandled`, made by the runtime's `operation_error!` with the traits of aws-sdk-rust's.
fn emit_errors(ir: &Ir, op_name: &str, op: &Operation) -> (TokenStream, TokenStream, TokenStream) {
    let enum_name = format_ident!("{}Error", names::type_name(op_name));
    let mut variants = Vec::new();
    let mut arms = TokenStream::new();
    for r in &op.errors {
        let shape = ir.shape(&r.shape);
        let variant = format_ident!("{}", names::type_name(&r.shape));
        let ty = ir.type_path(&r.shape);
        let code = shape.error_code(&r.shape);
        let def = ir.struct_def(&r.shape).expect("error shapes are structures");
        let de = decoder_name(def);
        variants.push(quote!(#variant(#ty)));
        arms.extend(quote! {
            ::std::option::Option::Some(#code) => {
                match error.as_service_error().map(|answer| answer.decode_details(super::de::#de)) {
                    ::std::option::Option::Some(::std::result::Result::Ok(details)) => {
                        #enum_name::#variant(details, crate::runtime::Unhandled::from_error(error))
                    }
                    _ => #enum_name::Unhandled(crate::runtime::Unhandled::from_error(error)),
                }
            }
        });
    }
    let doc = if op.errors.is_empty() {
        format!("The error of `{op_name}`: the model names none, so every service error is `Unhandled`.")
    } else {
        format!("The errors of `{op_name}`: the modeled ones, and every other service error as `Unhandled`.")
    };
    let items = quote! {
        crate::operation_error! {
            #[doc = #doc]
            #enum_name { #(#variants),* }
        }
    };
    let decode = if op.errors.is_empty() {
        quote! {
            fn decode_error(error: crate::runtime::Error) -> Self::Error {
                #enum_name::Unhandled(crate::runtime::Unhandled::from_error(error))
            }
        }
    } else {
        quote! {
            fn decode_error(error: crate::runtime::Error) -> Self::Error {
                let code = error.code().map(::std::string::ToString::to_string);
                match code.as_deref() {
                    #arms
                    _ => #enum_name::Unhandled(crate::runtime::Unhandled::from_error(error)),
                }
            }
        }
    };
    (quote!(#enum_name), items, decode)
}
