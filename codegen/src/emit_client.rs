//! Fluent builders on the runtime's clients, in the shape of aws-sdk-rust:
//! `client.operation().member(value).send()`. One builder type per operation, generic over the
//! client so the async and the blocking client share its setters; each client gets its own `send`.

use crate::emit_types::format_ident_raw;
use crate::ir::{list_member, map_entries, Ir, MemberDef};
use crate::model::ShapeKind;
use crate::names;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `own_client`: the service gets `Client` (and `BlockingClient`) types of its own, wrapping the
/// runtime's; otherwise its operations are methods of the runtime's clients.
pub fn emit(ir: &Ir, own_client: bool) -> Result<TokenStream, String> {
    let runtime_client = if own_client { quote!(self.inner.clone()) } else { quote!(self.clone()) };
    // (doc, method, fluent builder) per operation: the methods are emitted once per client.
    let mut methods: Vec<(String, proc_macro2::Ident, proc_macro2::Ident, TokenStream)> = Vec::new();
    let mut builders = TokenStream::new();
    for (op_name, _) in ir.operations() {
        let (input_name, output_name) = &ir.io[op_name.as_str()];
        let input = ir
            .structs
            .iter()
            .find(|s| &s.rust_name == input_name)
            .ok_or_else(|| format!("operation `{op_name}` has no input type"))?;
        let op_type = format_ident!("{}", names::type_name(op_name));
        let method = format_ident_raw(&names::field(op_name));
        let fluent = format_ident!("{}FluentBuilder", names::type_name(op_name));
        let input_path = crate::ir::path_in(input.home, &input.rust_name);
        let input_builder = crate::ir::path_in(input.home, &format!("{}Builder", input.rust_name));
        let output_path = ir
            .structs
            .iter()
            .find(|s| &s.rust_name == output_name)
            .map(|s| crate::ir::path_in(s.home, &s.rust_name))
            .ok_or_else(|| format!("operation `{op_name}` has no output type"))?;
        let error_type = format_ident!("{}Error", names::type_name(op_name));
        let error_path = quote!(super::operation::#error_type);
        let operation_doc = crate::docs::operation(ir, op_name);
        let method_doc = format!("Starts a `{op_name}` call: set its members, then `send()`.");
        let method_doc = crate::docs::with_detail(&method_doc, &operation_doc);
        let gate = ir.op_gate(op_name);
        methods.push((method_doc, method.clone(), fluent.clone(), crate::ir::cfg(&gate)));
        let setters: TokenStream = input.members.iter().map(|m| delegate(ir, m)).collect();
        let doc = format!("Fluent builder of a `{op_name}` call (see [`{op_type}`](super::operation::{op_type})).");
        let doc = crate::docs::with_detail(&doc, &operation_doc);
        let send_doc = format!("Sends the `{op_name}` request: signed, retried per the client's retry configuration.");
        builders.extend(crate::ir::gated(&gate, quote! {
            #[doc = #doc]
            // The async client by default, so the type is named without parameters, as in aws-sdk-rust.
            #[derive(Debug, Clone)]
            pub struct #fluent<C = crate::runtime::client::Client> {
                pub(crate) client: C,
                pub(crate) inner: #input_builder,
            }

            impl<C> #fluent<C> {
                pub(crate) fn new(client: C) -> Self {
                    Self { client, inner: ::std::default::Default::default() }
                }
                /// The input built so far.
                pub fn as_input(&self) -> &#input_builder {
                    &self.inner
                }
                /// The input, built (required members are checked when it is sent).
                pub fn build_input(&self) -> #input_path {
                    self.inner.clone().build()
                }
                #setters
            }

            impl #fluent<crate::runtime::client::Client> {
                #[doc = #send_doc]
                // SdkError carries the raw answer, as aws-sdk-rust's does.
                #[allow(clippy::result_large_err)]
                pub async fn send(self) -> ::std::result::Result<#output_path, crate::runtime::SdkError<#error_path>> {
                    self.client
                        .send_operation::<super::operation::#op_type>(self.inner.build())
                        .await
                        .map_err(|e| crate::runtime::into_sdk_error(e, <super::operation::#op_type as crate::runtime::Operation>::decode_error))
                }
            }

            #[cfg(feature = "blocking")]
            impl #fluent<crate::runtime::blocking::Client> {
                #[doc = #send_doc]
                #[allow(clippy::result_large_err)]
                pub fn send(self) -> ::std::result::Result<#output_path, crate::runtime::SdkError<#error_path>> {
                    self.client
                        .send_operation::<super::operation::#op_type>(self.inner.build())
                        .map_err(|e| crate::runtime::into_sdk_error(e, <super::operation::#op_type as crate::runtime::Operation>::decode_error))
                }
            }
        }));
    }
    let methods_for = |receiver: TokenStream| -> TokenStream {
        methods
            .iter()
            .map(|(doc, method, fluent, cfg)| {
                quote! {
                    #cfg
                    #[doc = #doc]
                    pub fn #method(&self) -> #fluent<#receiver> {
                        #fluent::new(#runtime_client)
                    }
                }
            })
            .collect()
    };
    if !own_client {
        let methods = methods_for(quote!(Self));
        return Ok(quote! {
            impl crate::runtime::client::Client {
                #methods
            }

            #[cfg(feature = "blocking")]
            impl crate::runtime::blocking::Client {
                #methods
            }

            #builders
        });
    }
    let service = ir
        .model
        .metadata
        .service_full_name
        .clone()
        .or_else(|| ir.model.metadata.service_id.clone())
        .unwrap_or_else(|| "the service".to_string());
    let client_doc = format!(
        "A client for {service}. It takes the crate's `Config` and shares its runtime with every other service of the crate; cheap to clone."
    );
    let async_methods = methods_for(quote!(crate::runtime::client::Client));
    let blocking_methods = methods_for(quote!(crate::runtime::blocking::Client));
    let blocking_doc = format!("The blocking client for {service} (feature `blocking`).");
    Ok(quote! {
        #[doc = #client_doc]
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: crate::runtime::client::Client,
        }

        impl Client {
            /// A client with this configuration (cloned), as aws-sdk-rust's `Client::new`.
            pub fn new(config: &crate::runtime::Config) -> Self {
                Self::from_conf(config.clone())
            }
            /// A client with this configuration.
            pub fn from_conf(config: crate::runtime::Config) -> Self {
                Self { inner: crate::runtime::client::Client::from_conf(config) }
            }
            /// The client's configuration.
            pub fn config(&self) -> &crate::runtime::Config {
                self.inner.config()
            }
        }

        impl Client {
            #async_methods
        }

        #[doc = #blocking_doc]
        #[cfg(feature = "blocking")]
        #[derive(Debug, Clone)]
        pub struct BlockingClient {
            inner: crate::runtime::blocking::Client,
        }

        #[cfg(feature = "blocking")]
        impl BlockingClient {
            /// A client with this configuration (cloned). With the bundled HTTP client this
            /// starts reqwest's blocking client: call it outside async code.
            pub fn new(config: &crate::runtime::Config) -> ::std::result::Result<Self, crate::runtime::Error> {
                Self::from_conf(config.clone())
            }
            /// A client with this configuration.
            pub fn from_conf(config: crate::runtime::Config) -> ::std::result::Result<Self, crate::runtime::Error> {
                crate::runtime::blocking::Client::from_conf(config).map(|inner| Self { inner })
            }
            /// The client's configuration.
            pub fn config(&self) -> &crate::runtime::Config {
                self.inner.config()
            }
        }

        #[cfg(feature = "blocking")]
        impl BlockingClient {
            #blocking_methods
        }

        #builders
    })
}

/// The three setters of a member, forwarding to `self.inner` (an input builder, or anything
/// with the same setters, such as a fluent builder).
pub(crate) fn delegate(ir: &Ir, m: &MemberDef) -> TokenStream {
    let field = format_ident_raw(&m.field);
    let set = format_ident!("set_{}", m.stem);
    let get = format_ident!("get_{}", m.stem);
    let shape = ir.shape(m.target);
    let ty = ir.rust_type(m.target);
    let field_ty = quote!(::std::option::Option<#ty>);
    // The builder stores recursive members boxed but takes and clears them unboxed.
    let get_ty = if m.boxed { quote!(::std::option::Option<::std::boxed::Box<#ty>>) } else { field_ty.clone() };
    let arg = |shape_name: &str| -> TokenStream {
        let ty = ir.rust_type(shape_name);
        match ir.shape(shape_name).kind {
            ShapeKind::String => quote!(impl ::std::convert::Into<#ty>),
            _ => ty,
        }
    };
    let doc = format!("`{}`: see the input builder's setter of the same name.", m.name);
    let doc = crate::docs::with_detail(&doc, &crate::docs::member(ir, m.reference));
    let main = match shape.kind {
        ShapeKind::List => {
            let item = arg(&list_member(shape).shape);
            quote! {
                #[doc = #doc]
                pub fn #field(mut self, input: #item) -> Self {
                    self.inner = self.inner.#field(input);
                    self
                }
            }
        }
        ShapeKind::Map => {
            let (k, v) = map_entries(shape);
            let (karg, varg) = (arg(&k.shape), arg(&v.shape));
            quote! {
                #[doc = #doc]
                pub fn #field(mut self, key: #karg, value: #varg) -> Self {
                    self.inner = self.inner.#field(key, value);
                    self
                }
            }
        }
        _ => {
            let a = arg(m.target);
            quote! {
                #[doc = #doc]
                pub fn #field(mut self, input: #a) -> Self {
                    self.inner = self.inner.#field(input);
                    self
                }
            }
        }
    };
    quote! {
        #main
        #[doc = #doc]
        pub fn #set(mut self, input: #field_ty) -> Self {
            self.inner = self.inner.#set(input);
            self
        }
        #[doc = #doc]
        pub fn #get(&self) -> &#get_ty {
            self.inner.#get()
        }
    }
}
