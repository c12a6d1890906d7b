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

pub fn emit(ir: &Ir) -> Result<TokenStream, String> {
    let mut out = TokenStream::new();
    for (op_name, op) in ir.operations() {
        out.extend(emit_operation(ir, op_name, op)?);
    }
    Ok(out)
}

fn io_def<'a, 'm>(ir: &'a Ir<'m>, rust_name: &str) -> &'a crate::ir::StructDef<'m> {
    ir.structs.iter().find(|s| s.rust_name == rust_name).expect("every operation input and output has a definition")
}

fn emit_operation(ir: &Ir, op_name: &str, op: &Operation) -> Result<TokenStream, String> {
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
    if let Some(link) = ir.reference_link(op_name) {
        doc.push_str(&format!("\n\nSee the [AWS API reference]({link})."));
    }
    let host_prefix = match &op.endpoint {
        Some(endpoint) => emit_host_prefix(ir, op_name, input_def, &endpoint.host_prefix)?,
        None => quote!(),
    };
    let (error_ty, error_items, decode_error) = emit_errors(ir, op_name, op);
    Ok(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct #ident;

        impl crate::runtime::Operation for #ident {
            const NAME: &'static str = #op_name;
            const API_VERSION: &'static str = #api_version;
            const HTTP_METHOD: &'static str = #method;
            const REQUEST_URI: &'static str = #request_uri;
            const GZIP_REQUEST: bool = #gzip;
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
                super::de::#de(root)
            }

            #decode_error
        }

        #error_items
    })
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

/// The operation's error type: the runtime's `ServiceError`, or an enum of its modeled errors.
fn emit_errors(ir: &Ir, op_name: &str, op: &Operation) -> (TokenStream, TokenStream, TokenStream) {
    if op.errors.is_empty() {
        return (
            quote!(crate::runtime::ServiceError),
            quote!(),
            quote! {
                fn decode_error(error: crate::runtime::ServiceError) -> Self::Error { error }
            },
        );
    }
    let enum_name = format_ident!("{}Error", names::type_name(op_name));
    let mut variants = TokenStream::new();
    let mut arms = TokenStream::new();
    let mut meta_arms = TokenStream::new();
    for r in &op.errors {
        let shape = ir.shape(&r.shape);
        let variant = format_ident!("{}", names::type_name(&r.shape));
        let ty = ir.type_path(&r.shape);
        let code = shape.error_code(&r.shape);
        let def = ir.struct_def(&r.shape).expect("error shapes are structures");
        let de = decoder_name(def);
        let doc = format!("The modeled error `{code}`, with its details and the error's metadata.");
        variants.extend(quote! { #[doc = #doc] #variant(#ty, crate::runtime::ServiceError), });
        arms.extend(quote! {
            #code => match error.decode_details(super::de::#de) {
                ::std::result::Result::Ok(details) => #enum_name::#variant(details, error),
                ::std::result::Result::Err(_) => #enum_name::Unhandled(error),
            },
        });
        meta_arms.extend(quote! { #enum_name::#variant(_, meta) => meta, });
    }
    let doc = format!("The errors of `{op_name}`: the modeled ones, and every other service error as `Unhandled`.");
    let items = quote! {
        #[doc = #doc]
        #[non_exhaustive]
        #[derive(Debug)]
        pub enum #enum_name {
            #variants
            /// An error the model does not list for this operation.
            Unhandled(crate::runtime::ServiceError),
        }

        impl #enum_name {
            /// Code, message, request id and HTTP status of the error.
            pub fn meta(&self) -> &crate::runtime::ServiceError {
                match self {
                    #meta_arms
                    #enum_name::Unhandled(meta) => meta,
                }
            }
        }

        impl ::std::fmt::Display for #enum_name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self.meta(), f)
            }
        }

        impl ::std::error::Error for #enum_name {}
    };
    let decode = quote! {
        fn decode_error(error: crate::runtime::ServiceError) -> Self::Error {
            match error.code() {
                #arms
                _ => #enum_name::Unhandled(error),
            }
        }
    };
    (quote!(#enum_name), items, decode)
}
