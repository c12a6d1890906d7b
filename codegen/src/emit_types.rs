//! Structures (with builders and accessors) and string enums.

use crate::ir::{gated, Home, Ir, MemberDef, Reach, StructDef};
use crate::model::ShapeKind;
use crate::names;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// All structures and enums that live in `home`.
pub fn emit(ir: &Ir, home: Home) -> TokenStream {
    let mut items = TokenStream::new();
    for def in ir.structs.iter().filter(|s| s.home == home) {
        items.extend(gated(&ir.struct_gate(def, Reach::Any), emit_struct(ir, def)));
    }
    if home == Home::Types {
        for (name, shape) in &ir.model.shapes {
            if let (ShapeKind::String, Some(values)) = (shape.kind, &shape.enum_values) {
                items.extend(gated(&ir.shape_gate(name, Reach::Any), emit_enum(ir, name, values)));
            }
        }
    }
    items
}

fn kind_label(ir: &Ir, shape_name: &str) -> String {
    let shape = ir.shape(shape_name);
    match shape.kind {
        ShapeKind::Structure => format!("structure {}", type_link(ir, shape_name)),
        ShapeKind::String if shape.enum_values.is_some() => format!("enum {}", type_link(ir, shape_name)),
        ShapeKind::List => format!("list of {}", kind_label(ir, &crate::ir::list_member(shape).shape)),
        ShapeKind::Map => {
            let (k, v) = crate::ir::map_entries(shape);
            format!("map from {} to {}", kind_label(ir, &k.shape), kind_label(ir, &v.shape))
        }
        kind => format!("{kind:?}").to_lowercase(),
    }
}

/// An intra-doc link to a generated type that resolves from any generated module.
fn type_link(ir: &Ir, shape_name: &str) -> String {
    match ir.type_location(shape_name) {
        Some((name, Home::Types)) => format!("[`{name}`](super::types::{name})"),
        Some((name, Home::Operation)) => format!("[`{name}`](super::operation::{name})"),
        None => format!("`{shape_name}`"),
    }
}

fn member_doc(ir: &Ir, m: &MemberDef) -> String {
    let mut doc = format!("`{}`: {}", m.name, kind_label(ir, m.target));
    if m.required {
        doc.push_str(", required");
    }
    if m.reference.idempotency_token {
        doc.push_str(", an idempotency token (filled in automatically when not set)");
    }
    if m.reference.deprecated || ir.shape(m.target).deprecated {
        doc.push_str(", deprecated");
    }
    doc.push('.');
    crate::docs::with_detail(&doc, &crate::docs::member(ir, m.reference))
}

fn struct_doc(ir: &Ir, def: &StructDef) -> String {
    let what = if def.is_error {
        "An error the service can answer with"
    } else if def.home == Home::Operation {
        if def.is_output {
            "The output of an operation"
        } else {
            "The input of an operation"
        }
    } else {
        "A structure of the API"
    };
    let summary = match def.shape_name {
        Some(shape) => format!("{what}: the model's `{shape}`."),
        None => format!("{what}; the model defines no members for it."),
    };
    crate::docs::with_detail(&summary, &crate::docs::structure(ir, def))
}

/// How a member is stored, read and set.
struct Access {
    field_ty: TokenStream,
    accessor: TokenStream,
    setters: TokenStream,
}

fn access(ir: &Ir, m: &MemberDef) -> Access {
    let field = format_ident_raw(&m.field);
    let set = format_ident!("set_{}", m.stem);
    let get = format_ident!("get_{}", m.stem);
    let shape = ir.shape(m.target);
    let ty = ir.rust_type(m.target);
    let doc = member_doc(ir, m);
    let replace_doc = format!("Sets (or with `None` clears) {}", as_member_phrase(&doc));
    let (field_ty, accessor_ty, accessor_body) = match shape.kind {
        ShapeKind::List => {
            let item = ir.rust_type(&crate::ir::list_member(shape).shape);
            (quote!(::std::option::Option<#ty>), quote!(&[#item]), quote!(self.#field.as_deref().unwrap_or_default()))
        }
        ShapeKind::String if shape.enum_values.is_none() => {
            (quote!(::std::option::Option<#ty>), quote!(::std::option::Option<&str>), quote!(self.#field.as_deref()))
        }
        ShapeKind::Integer | ShapeKind::Long | ShapeKind::Float | ShapeKind::Double | ShapeKind::Boolean => {
            (quote!(::std::option::Option<#ty>), quote!(::std::option::Option<#ty>), quote!(self.#field))
        }
        ShapeKind::Structure if m.boxed => (
            quote!(::std::option::Option<::std::boxed::Box<#ty>>),
            quote!(::std::option::Option<&#ty>),
            quote!(self.#field.as_deref()),
        ),
        _ => (quote!(::std::option::Option<#ty>), quote!(::std::option::Option<&#ty>), quote!(self.#field.as_ref())),
    };
    let accessor = quote! {
        #[doc = #doc]
        pub fn #field(&self) -> #accessor_ty { #accessor_body }
    };
    let wrap = if m.boxed { quote!(input.map(::std::boxed::Box::new)) } else { quote!(input) };
    let set_ty = if m.boxed { quote!(::std::option::Option<#ty>) } else { field_ty.clone() };
    let main_setter = match shape.kind {
        ShapeKind::List => {
            let member = &crate::ir::list_member(shape).shape;
            let (arg, conv) = setter_arg(ir, member);
            let doc = format!("Appends one item to {}", as_member_phrase(&doc));
            quote! {
                #[doc = #doc]
                pub fn #field(mut self, input: #arg) -> Self {
                    self.#field.get_or_insert_with(::std::vec::Vec::new).push(#conv);
                    self
                }
            }
        }
        ShapeKind::Map => {
            let (k, v) = crate::ir::map_entries(shape);
            let (karg, kconv) = setter_arg_named(ir, &k.shape, quote!(key));
            let (varg, vconv) = setter_arg_named(ir, &v.shape, quote!(value));
            let doc = format!("Inserts one entry into {}", as_member_phrase(&doc));
            quote! {
                #[doc = #doc]
                pub fn #field(mut self, key: #karg, value: #varg) -> Self {
                    self.#field.get_or_insert_with(::std::collections::HashMap::new).insert(#kconv, #vconv);
                    self
                }
            }
        }
        _ => {
            let (arg, conv) = setter_arg(ir, m.target);
            let conv = if m.boxed { quote!(::std::boxed::Box::new(#conv)) } else { conv };
            let doc = format!("Sets {}", as_member_phrase(&doc));
            quote! {
                #[doc = #doc]
                pub fn #field(mut self, input: #arg) -> Self {
                    self.#field = ::std::option::Option::Some(#conv);
                    self
                }
            }
        }
    };
    let get_doc = format!("Returns the value set for {}", as_member_phrase(&doc));
    let setters = quote! {
        #main_setter
        #[doc = #replace_doc]
        pub fn #set(mut self, input: #set_ty) -> Self {
            self.#field = #wrap;
            self
        }
        #[doc = #get_doc]
        pub fn #get(&self) -> &#field_ty { &self.#field }
    };
    Access { field_ty, accessor, setters }
}

/// The argument type of a single-value setter and how it becomes the stored value.
fn setter_arg(ir: &Ir, shape_name: &str) -> (TokenStream, TokenStream) {
    setter_arg_named(ir, shape_name, quote!(input))
}

fn setter_arg_named(ir: &Ir, shape_name: &str, name: TokenStream) -> (TokenStream, TokenStream) {
    let ty = ir.rust_type(shape_name);
    match ir.shape(shape_name).kind {
        ShapeKind::String => (quote!(impl ::std::convert::Into<#ty>), quote!(#name.into())),
        _ => (ty, name),
    }
}

fn as_member_phrase(s: &str) -> String {
    // Docs start with a backticked member name, which keeps its case.
    if s.starts_with('`') {
        format!("member {s}")
    } else {
        s.to_string()
    }
}

pub fn format_ident_raw(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => format_ident!("{}", name),
    }
}

fn emit_struct(ir: &Ir, def: &StructDef) -> TokenStream {
    let name = format_ident!("{}", def.rust_name);
    let builder = format_ident!("{}Builder", def.rust_name);
    let doc = struct_doc(ir, def);
    let builder_doc = format!("A builder for [`{}`].", def.rust_name);
    let mut fields = TokenStream::new();
    let mut builder_fields = TokenStream::new();
    let mut accessors = TokenStream::new();
    let mut setters = TokenStream::new();
    let mut moves = TokenStream::new();
    let mut debug_fields = TokenStream::new();
    for m in &def.members {
        let a = access(ir, m);
        let field = format_ident_raw(&m.field);
        let field_ty = &a.field_ty;
        let doc = member_doc(ir, m);
        fields.extend(quote! { #[doc = #doc] pub #field: #field_ty, });
        builder_fields.extend(quote! { pub(crate) #field: #field_ty, });
        accessors.extend(a.accessor);
        setters.extend(a.setters);
        moves.extend(quote! { #field: self.#field, });
        let label = &m.stem;
        debug_fields.extend(if ir.shape(m.target).sensitive {
            quote! { .field(#label, &"*** Sensitive Data Redacted ***") }
        } else {
            quote! { .field(#label, &self.#field) }
        });
    }
    if def.is_output {
        fields.extend(quote! {
            /// The `requestId` the service gave the response.
            pub(crate) _request_id: ::std::option::Option<::std::string::String>,
        });
        builder_fields.extend(quote! { pub(crate) _request_id: ::std::option::Option<::std::string::String>, });
        accessors.extend(quote! {
            /// The `requestId` the service gave the response: quote it to AWS support.
            pub fn request_id(&self) -> ::std::option::Option<&str> { self._request_id.as_deref() }
        });
        setters.extend(quote! {
            /// Sets the `requestId` (for tests that build outputs by hand).
            pub fn request_id(mut self, input: impl ::std::convert::Into<::std::string::String>) -> Self {
                self._request_id = ::std::option::Option::Some(input.into());
                self
            }
            /// Sets or clears the `requestId`.
            pub fn set_request_id(mut self, input: ::std::option::Option<::std::string::String>) -> Self {
                self._request_id = input;
                self
            }
        });
        moves.extend(quote! { _request_id: self._request_id, });
        debug_fields.extend(quote! { .field("request_id", &self._request_id) });
    }
    let (derive_debug, debug_impls) = if def.sensitive {
        let label = &def.rust_name;
        let builder_label = format!("{}Builder", def.rust_name);
        (
            quote!(),
            quote! {
                impl ::std::fmt::Debug for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.debug_struct(#label) #debug_fields .finish()
                    }
                }
                impl ::std::fmt::Debug for #builder {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.debug_struct(#builder_label) #debug_fields .finish()
                    }
                }
            },
        )
    } else {
        (quote!(Debug,), quote!())
    };
    let serde = match def.shape_name {
        Some(shape) if def.home == Home::Types && !def.is_error && serde_derivable(ir, shape, &mut BTreeSet::new()) => {
            quote! {
                #[cfg_attr(feature = "serde", derive(::serde::Serialize, ::serde::Deserialize), serde(default, deny_unknown_fields))]
            }
        }
        _ => quote!(),
    };
    quote! {
        #[doc = #doc]
        #[non_exhaustive]
        #[derive(Clone, PartialEq, Default, #derive_debug)]
        #serde
        pub struct #name { #fields }

        impl #name {
            /// Creates a builder for this type.
            pub fn builder() -> #builder { #builder::default() }
            #accessors
        }

        #[doc = #builder_doc]
        #[derive(Clone, PartialEq, Default, #derive_debug)]
        pub struct #builder { #builder_fields }

        impl #builder {
            #setters
            /// Builds the value. Required members are checked when a request is built, as aws-sdk-rust does for inputs.
            pub fn build(self) -> #name { #name { #moves } }
        }

        #debug_impls
    }
}

/// Whether a structure can derive serde's traits under the `serde` feature (desired state kept
/// in users' JSON/TOML/YAML): it and everything inside it hold only strings, numbers, booleans,
/// lists, maps and such structures. Left out: timestamps and blobs (aws-smithy-types' serde
/// support needs an unstable cfg), enums (a derive would write variant names, not wire values)
/// and sensitive shapes (secrets do not belong in files).
fn serde_derivable<'m>(ir: &Ir<'m>, shape_name: &'m str, seen: &mut BTreeSet<&'m str>) -> bool {
    if !seen.insert(shape_name) {
        return true;
    }
    let shape = ir.shape(shape_name);
    if shape.sensitive {
        return false;
    }
    match shape.kind {
        ShapeKind::Structure => shape.members.values().all(|m| serde_derivable(ir, &m.shape, seen)),
        ShapeKind::List => serde_derivable(ir, &crate::ir::list_member(shape).shape, seen),
        ShapeKind::Map => {
            let (key, value) = crate::ir::map_entries(shape);
            serde_derivable(ir, &key.shape, seen) && serde_derivable(ir, &value.shape, seen)
        }
        ShapeKind::String => shape.enum_values.is_none(),
        ShapeKind::Timestamp | ShapeKind::Blob | ShapeKind::Unsupported => false,
        _ => true,
    }
}

fn emit_enum(ir: &Ir, shape_name: &str, values: &[String]) -> TokenStream {
    let name = ir.type_ident(shape_name);
    let mut taken = BTreeSet::new();
    let variants: Vec<proc_macro2::Ident> = values
        .iter()
        .map(|v| {
            let base = names::variant(v);
            let mut candidate = base.clone();
            let mut n = 2;
            while !taken.insert(candidate.clone()) {
                candidate = format!("{base}{n}");
                n += 1;
            }
            format_ident!("{}", candidate)
        })
        .collect();
    let docs: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    let summary = format!(
        "The model's `{shape_name}` enum. Values this version does not know arrive as `Unknown`, so newer service answers still decode."
    );
    let doc = crate::docs::with_detail(&summary, &crate::docs::shape_with_link(ir, shape_name));
    quote! {
        #[doc = #doc]
        #[non_exhaustive]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #( #[doc = #docs] #variants, )*
            /// A value this version of the SDK does not know.
            Unknown(::std::string::String),
        }

        impl #name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }
            /// Every value this version of the SDK knows.
            pub const fn values() -> &'static [&'static str] {
                &[#(#values),*]
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#variants, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str { self.as_str() }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}
