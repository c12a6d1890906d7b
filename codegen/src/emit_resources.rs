//! boto3's resource model (`resources-1.json`) in Rust: one handle type per resource (its
//! identifiers, its loaded data as attributes, its actions as fluent builders with the
//! identifiers filled in, `load`/`reload`), a `ServiceResource` with the service's actions, and
//! one collection type per `hasMany`, paginated lazily. Every type is generic over the client,
//! like the fluent builders, so the async and the blocking client share it.
//!
//! Supported parameter targets: `Member`, `Member[N]`, and nested `.Sub` segments. Supported
//! identifier and data paths: `Member`, `Member[N]`, `Member[]`, `Member[].Sub`. Anything else
//! (batch targets, JMESPath functions) fails generation with a message naming it.

use crate::emit_client::delegate;
use crate::emit_types::format_ident_raw;
use crate::ir::{list_member, Ir, StructDef};
use crate::model::ShapeKind;
use crate::names;
use crate::Model;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;
use std::collections::BTreeMap;

type Result<T> = std::result::Result<T, String>;

pub fn emit(model: &Model, ir: &Ir) -> Result<Option<TokenStream>> {
    let Some(resources) = &model.resources else { return Ok(None) };
    let gen = Gen { ir, resources, paginators: model.paginators.as_ref() };
    let mut out = TokenStream::new();
    for (name, resource) in object(&resources["resources"], "resources")? {
        out.extend(gen.resource(name, resource).map_err(|e| format!("resource `{name}`: {e}"))?);
    }
    out.extend(gen.service().map_err(|e| format!("service resource: {e}"))?);
    Ok(Some(out))
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a serde_json::Map<String, Value>> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(EMPTY.get_or_init(serde_json::Map::new)),
        _ => Err(format!("`{what}` is not an object")),
    }
}

fn string<'a>(value: &'a Value, what: &str) -> Result<&'a str> {
    value.as_str().ok_or_else(|| format!("`{what}` is missing or not a string"))
}

fn array(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

struct Gen<'a, 'm> {
    ir: &'a Ir<'m>,
    resources: &'a Value,
    /// The paginator model: collections follow the same tokens as paginators.
    paginators: Option<&'a Value>,
}

/// One segment of a path: `Name`, `Name[N]` or `Name[]`.
#[derive(Debug, Clone, PartialEq)]
enum Index {
    None,
    At(usize),
    All,
}

fn parse_path(path: &str) -> Result<Vec<(String, Index)>> {
    path.split('.')
        .map(|segment| {
            let (name, index) = match segment.split_once('[') {
                None => (segment, Index::None),
                Some((name, rest)) => {
                    let inner = rest.strip_suffix(']').ok_or_else(|| format!("`{path}`: unclosed `[`"))?;
                    let index = match inner {
                        "" => Index::All,
                        "*" => return Err(format!("`{path}`: `[*]` (batch) paths are not supported")),
                        n => Index::At(n.parse().map_err(|_| format!("`{path}`: `[{n}]` is not an index"))?),
                    };
                    (name, index)
                }
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("`{path}`: `{segment}` is not a member name"));
            }
            Ok((name.to_string(), index))
        })
        .collect()
}

/// A value put into a request: from an identifier of the resource, or a constant.
#[derive(Debug, Clone)]
enum ParamValue {
    Identifier(Ident),
    Constant(Value),
}

/// The request's members, as a tree built from the params' targets.
#[derive(Debug, Default)]
struct Tree {
    members: BTreeMap<String, Node>,
}

#[derive(Debug)]
enum Node {
    Leaf(ParamValue),
    Struct(Tree),
    List(BTreeMap<usize, Node>),
}

impl Tree {
    fn insert(&mut self, path: &[(String, Index)], value: ParamValue) -> Result<()> {
        let Some(((name, index), rest)) = path.split_first() else { return Err("an empty target".into()) };
        let slot = self.members.entry(name.clone());
        let mut node = match index {
            Index::None => slot.or_insert_with(|| {
                if rest.is_empty() {
                    Node::Leaf(value.clone())
                } else {
                    Node::Struct(Tree::default())
                }
            }),
            Index::At(i) => match slot.or_insert_with(|| Node::List(BTreeMap::new())) {
                Node::List(items) => items.entry(*i).or_insert_with(|| {
                    if rest.is_empty() {
                        Node::Leaf(value.clone())
                    } else {
                        Node::Struct(Tree::default())
                    }
                }),
                _ => return Err(format!("`{name}` is used both as a list and not")),
            },
            Index::All => return Err(format!("`{name}[]` targets (batch actions) are not supported")),
        };
        if rest.is_empty() {
            return Ok(());
        }
        match &mut node {
            Node::Struct(tree) => tree.insert(rest, value),
            _ => Err(format!("`{name}` is used both as a structure and not")),
        }
    }
}

impl Gen<'_, '_> {
    fn resource_type(&self, name: &str) -> Ident {
        format_ident!("{}", names::type_name(name))
    }

    fn fluent(&self, operation: &str) -> Result<TokenStream> {
        if !self.ir.model.operations.contains_key(operation) {
            return Err(format!("operation `{operation}` is not in the service model"));
        }
        self.ungated(operation)?;
        let fluent = format_ident!("{}FluentBuilder", names::type_name(operation));
        Ok(quote!(super::client::#fluent))
    }

    /// Resources compile whole or not at all: one using an operation behind a cargo feature is
    /// refused rather than generated half-gated.
    fn ungated(&self, operation: &str) -> Result<()> {
        match self.ir.op_gate(operation).first() {
            Some(feature) => {
                Err(format!("operation `{operation}` is behind feature `{feature}`: resources cannot use it"))
            }
            None => Ok(()),
        }
    }

    fn input_def(&self, operation: &str) -> Result<&StructDef<'_>> {
        self.ungated(operation)?;
        let (name, _) = self.ir.io_location(operation, false).ok_or_else(|| format!("`{operation}` has no input"))?;
        self.ir.structs.iter().find(|s| s.rust_name == name).ok_or_else(|| format!("`{operation}` has no input type"))
    }

    fn output_def(&self, operation: &str) -> Result<&StructDef<'_>> {
        self.ungated(operation)?;
        let (name, _) = self.ir.io_location(operation, true).ok_or_else(|| format!("`{operation}` has no output"))?;
        self.ir.structs.iter().find(|s| s.rust_name == name).ok_or_else(|| format!("`{operation}` has no output type"))
    }

    /// A fluent builder for `request`, on `client`, with the params filled in.
    fn request(
        &self,
        request: &Value,
        client: TokenStream,
        identifiers: &BTreeMap<String, Ident>,
    ) -> Result<TokenStream> {
        let operation = string(&request["operation"], "request.operation")?;
        let fluent = self.fluent(operation)?;
        let mut tree = Tree::default();
        for param in array(&request["params"]) {
            let target = string(&param["target"], "param.target")?;
            let value = match string(&param["source"], "param.source")? {
                "identifier" => {
                    let name = string(&param["name"], "param.name")?;
                    let field =
                        identifiers.get(name).ok_or_else(|| format!("param names unknown identifier `{name}`"))?;
                    ParamValue::Identifier(field.clone())
                }
                "string" | "integer" | "boolean" => ParamValue::Constant(param["value"].clone()),
                other => return Err(format!("param source `{other}` is not supported in requests")),
            };
            tree.insert(&parse_path(target)?, value).map_err(|e| format!("`{operation}` target `{target}`: {e}"))?;
        }
        let input = self.input_def(operation)?;
        let mut setters = TokenStream::new();
        for (name, node) in &tree.members {
            let member = input
                .members
                .iter()
                .find(|m| m.name == name)
                .ok_or_else(|| format!("`{operation}` has no input member `{name}`"))?;
            let set = format_ident!("set_{}", member.stem);
            let value = self.node(member.target, node)?;
            setters.extend(quote!(.#set(::std::option::Option::Some(#value))));
        }
        Ok(quote!(#fluent::new(#client) #setters))
    }

    /// The Rust value of `node` for a member of shape `shape_name`.
    fn node(&self, shape_name: &str, node: &Node) -> Result<TokenStream> {
        let shape = self.ir.shape(shape_name);
        match (node, shape.kind) {
            (Node::Leaf(value), _) => self.leaf(shape_name, value),
            (Node::Struct(tree), ShapeKind::Structure) => {
                let path = self.ir.type_path(shape_name);
                let mut setters = TokenStream::new();
                for (name, child) in &tree.members {
                    let member =
                        shape.members.get(name).ok_or_else(|| format!("`{shape_name}` has no member `{name}`"))?;
                    let set = format_ident!("set_{}", names::field_stem(name));
                    let value = self.node(&member.shape, child)?;
                    setters.extend(quote!(.#set(::std::option::Option::Some(#value))));
                }
                Ok(quote!(#path::builder() #setters .build()))
            }
            (Node::List(items), ShapeKind::List) => {
                let member = &list_member(shape).shape;
                let mut values = Vec::new();
                for (expected, (index, item)) in items.iter().enumerate() {
                    if *index != expected {
                        return Err(format!("list `{shape_name}` has index {index} without {expected}"));
                    }
                    values.push(self.node(member, item)?);
                }
                Ok(quote!(::std::vec![#(#values),*]))
            }
            _ => Err(format!("a target does not match the shape of `{shape_name}`")),
        }
    }

    fn leaf(&self, shape_name: &str, value: &ParamValue) -> Result<TokenStream> {
        let shape = self.ir.shape(shape_name);
        let text = match value {
            ParamValue::Identifier(field) => quote!(self.#field.clone()),
            ParamValue::Constant(Value::String(s)) => quote!(#s.to_string()),
            ParamValue::Constant(Value::Bool(b)) if shape.kind == ShapeKind::Boolean => return Ok(quote!(#b)),
            ParamValue::Constant(Value::Number(n)) if shape.kind == ShapeKind::Integer => {
                let n = n.as_i64().and_then(|n| i32::try_from(n).ok()).ok_or("integer constant out of range")?;
                return Ok(quote!(#n));
            }
            ParamValue::Constant(Value::Number(n)) if shape.kind == ShapeKind::Long => {
                let n = n.as_i64().ok_or("long constant out of range")?;
                return Ok(quote!(#n));
            }
            ParamValue::Constant(other) => return Err(format!("constant {other} does not fit `{shape_name}`")),
        };
        match shape.kind {
            ShapeKind::String if shape.enum_values.is_some() => {
                let path = self.ir.type_path(shape_name);
                Ok(quote!(#path::from(#text)))
            }
            ShapeKind::String => Ok(text),
            _ => Err(format!("an identifier or string cannot fill `{shape_name}` ({:?})", shape.kind)),
        }
    }

    /// Reads string identifiers at `path` from `root` (a reference to a value of structure
    /// `shape`): `Member` gives one `Option<String>`, `Member[].Sub` a `Vec<Option<String>>`.
    fn identifier_path(&self, shape: &str, root: TokenStream, path: &str) -> Result<(TokenStream, bool)> {
        let segments = parse_path(path)?;
        let member = |shape: &str, name: &str| -> Result<(Ident, String)> {
            let s = self.ir.shape(shape);
            let m = s.members.get(name).ok_or_else(|| format!("`{shape}` has no member `{name}` (path `{path}`)"))?;
            Ok((format_ident_raw(&names::field(name)), m.shape.clone()))
        };
        let is_string = |s: &str| self.ir.shape(s).kind == ShapeKind::String;
        match segments.as_slice() {
            [(name, Index::None)] => {
                let (accessor, target) = member(shape, name)?;
                if !is_string(&target) {
                    return Err(format!("`{path}` is not a string"));
                }
                Ok((quote!(#root.#accessor().map(::std::string::ToString::to_string)), false))
            }
            [(list, Index::All), (name, Index::None)] => {
                let (list_accessor, list_shape) = member(shape, list)?;
                let item_shape = list_member(self.ir.shape(&list_shape)).shape.clone();
                let (accessor, target) = member(&item_shape, name)?;
                if !is_string(&target) {
                    return Err(format!("`{path}` is not a list of strings"));
                }
                Ok((
                    quote!(#root.#list_accessor().iter().map(|item| item.#accessor().map(::std::string::ToString::to_string)).collect::<::std::vec::Vec<_>>()),
                    true,
                ))
            }
            _ => Err(format!("identifier path `{path}` is not supported (use `Member` or `Member[].Sub`)")),
        }
    }

    /// Code building the resource(s) an action returns, from `input` and `output` in scope.
    fn created(
        &self,
        spec: &Value,
        operation: &str,
        parent: &BTreeMap<String, Ident>,
    ) -> Result<(CreatedShape, TokenStream)> {
        let type_name = string(&spec["type"], "resource.type")?;
        let (target, target_ids) = self.resource_spec(type_name)?;
        let ty = self.resource_type(type_name);
        let input = self.input_def(operation)?;
        let output = self.output_def(operation)?;
        let mut values: BTreeMap<String, (TokenStream, bool)> = BTreeMap::new();
        for identifier in array(&spec["identifiers"]) {
            let name = string(&identifier["target"], "identifier.target")?.to_string();
            let value = match string(&identifier["source"], "identifier.source")? {
                "identifier" => {
                    let from = string(&identifier["name"], "identifier.name")?;
                    let field = parent.get(from).ok_or_else(|| format!("unknown identifier `{from}`"))?;
                    (quote!(::std::option::Option::Some(self.#field.clone())), false)
                }
                "response" => {
                    self.identifier_path(output_shape(output)?, quote!(output), string(&identifier["path"], "path")?)?
                }
                "requestParameter" => {
                    self.identifier_path(output_shape(input)?, quote!(input), string(&identifier["path"], "path")?)?
                }
                other => return Err(format!("identifier source `{other}` is not supported")),
            };
            values.insert(name, value);
        }
        for (name, _) in &target_ids {
            if !values.contains_key(name) {
                return Err(format!("`{target}` identifier `{name}` is not given"));
            }
        }
        let plural = values.values().any(|(_, list)| *list);
        let bindings: Vec<TokenStream> = target_ids
            .iter()
            .map(|(name, field)| {
                let (expr, _) = &values[name];
                quote!(let #field = #expr;)
            })
            .collect();
        let fields: Vec<&Ident> = target_ids.iter().map(|(_, f)| f).collect();
        let labels: Vec<&String> = target_ids.iter().map(|(n, _)| n).collect();
        if !plural {
            let build = quote! {
                #(#bindings)*
                #(
                    let ::std::option::Option::Some(#fields) = #fields else {
                        return ::std::result::Result::Err(crate::runtime::Error::missing_identifier(#target, #labels));
                    };
                )*
                ::std::result::Result::Ok(#ty::from_parts(client, #(#fields,)* ::std::option::Option::None))
            };
            return Ok((CreatedShape { resource: ty, plural: false }, build));
        }
        // Several resources: list identifiers are zipped, scalar ones repeated.
        let list_names: Vec<&Ident> = target_ids.iter().filter(|(n, _)| values[n].1).map(|(_, f)| f).collect();
        let first = list_names[0];
        let per_item: Vec<TokenStream> = target_ids
            .iter()
            .map(|(name, field)| {
                if values[name].1 {
                    quote!(let #field = #field.get(index).cloned().flatten().unwrap_or_default();)
                } else {
                    quote!(let #field = #field.clone().unwrap_or_default();)
                }
            })
            .collect();
        let build = quote! {
            #(#bindings)*
            let count = #first.len();
            ::std::result::Result::Ok(
                (0..count)
                    .map(|index| {
                        #(#per_item)*
                        #ty::from_parts(client.clone(), #(#fields,)* ::std::option::Option::None)
                    })
                    .collect(),
            )
        };
        Ok((CreatedShape { resource: ty, plural: true }, build))
    }

    /// A resource's name and its identifiers (model name → Rust field).
    fn resource_spec<'v>(&'v self, name: &'v str) -> Result<(&'v str, Vec<(String, Ident)>)> {
        let resource = &self.resources["resources"][name];
        if resource.is_null() {
            return Err(format!("resource type `{name}` is not in the resource model"));
        }
        let ids = array(&resource["identifiers"])
            .iter()
            .map(|i| {
                let id = string(&i["name"], "identifier.name")?.to_string();
                let field = format_ident_raw(&names::field(&id));
                Ok((id, field))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((name, ids))
    }

    fn resource(&self, name: &str, resource: &Value) -> Result<TokenStream> {
        let ty = self.resource_type(name);
        let (_, ids) = self.resource_spec(name)?;
        let id_map: BTreeMap<String, Ident> = ids.iter().cloned().collect();
        let fields: Vec<&Ident> = ids.iter().map(|(_, f)| f).collect();
        let id_docs: Vec<String> = ids.iter().map(|(n, _)| format!("The `{n}` identifier.")).collect();
        let shape = resource["shape"].as_str();
        let data_ty = match shape {
            Some(shape) => {
                self.ir
                    .type_location(shape)
                    .ok_or_else(|| format!("shape `{shape}` is not a structure of the model"))?;
                self.ir.type_path(shape)
            }
            None => quote!(()),
        };
        let member_of_identifier: BTreeMap<String, Ident> = array(&resource["identifiers"])
            .iter()
            .filter_map(|i| {
                let member = i["memberName"].as_str()?;
                let field = format_ident_raw(&names::field(i["name"].as_str()?));
                Some((member.to_string(), field))
            })
            .collect();
        let attributes = match shape {
            Some(shape) => {
                let identifier_fields: Vec<String> = ids.iter().map(|(_, f)| f.to_string()).collect();
                self.attributes(shape, &member_of_identifier, &identifier_fields)?
            }
            None => TokenStream::new(),
        };
        let subresources: Vec<&String> = object(&resource["has"], "has")?.keys().collect();
        let mut actions = TokenStream::new();
        let mut wrappers = TokenStream::new();
        for (action, spec) in object(&resource["actions"], "actions")? {
            let (method, wrapper) =
                self.action(name, action, spec, &id_map).map_err(|e| format!("action `{action}`: {e}"))?;
            actions.extend(method);
            wrappers.extend(wrapper);
        }
        let load = match resource.get("load") {
            Some(load) => self.load(name, load, &id_map)?,
            None => TokenStream::new(),
        };
        let doc = format!(
            "boto3's `{name}` resource: its identifiers, the data of its last load as attributes, and its actions \
             with the identifiers filled in. Attributes are `None` (lists empty) until [`load`]({ty}::load) or a \
             collection fills them, except those that are identifiers."
        );
        let new_doc = format!("A `{name}` handle; nothing is fetched until `load()`.");
        Ok(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            pub struct #ty<C = crate::runtime::client::Client> {
                client: C,
                #(#fields: ::std::string::String,)*
                data: ::std::option::Option<#data_ty>,
            }

            impl<C> #ty<C> {
                #[doc = #new_doc]
                pub fn new(client: C, #(#fields: impl ::std::convert::Into<::std::string::String>),*) -> Self {
                    Self { client, #(#fields: #fields.into(),)* data: ::std::option::Option::None }
                }

                pub(crate) fn from_parts(client: C, #(#fields: ::std::string::String,)* data: ::std::option::Option<#data_ty>) -> Self {
                    Self { client, #(#fields,)* data }
                }

                /// The client this handle calls with (for hand-written actions).
                #[allow(dead_code)]
                pub(crate) fn client(&self) -> &C { &self.client }

                #(
                    #[doc = #id_docs]
                    pub fn #fields(&self) -> &str { &self.#fields }
                )*

                /// The data of the last load, if any.
                pub fn data(&self) -> ::std::option::Option<&#data_ty> { self.data.as_ref() }

                /// Whether data was loaded (by `load()` or by the collection that listed it).
                pub fn is_loaded(&self) -> bool { self.data.is_some() }

                /// The names of the resources this one leads to, as boto3 answers.
                pub fn get_available_subresources(&self) -> &'static [&'static str] { &[#(#subresources),*] }

                #attributes
            }

            impl<C: ::std::clone::Clone> #ty<C> {
                #actions
            }

            #load
            #wrappers
        })
    }

    /// Attribute accessors: the members of the resource's shape, read from the loaded data.
    fn attributes(
        &self,
        shape: &str,
        identifiers: &BTreeMap<String, Ident>,
        identifier_fields: &[String],
    ) -> Result<TokenStream> {
        let def = self.ir.struct_def(shape).ok_or_else(|| format!("`{shape}` has no structure definition"))?;
        let mut out = TokenStream::new();
        // As boto3: a member named like an identifier is that identifier, not an attribute.
        for m in def.members.iter().filter(|m| !identifier_fields.contains(&m.field)) {
            let field = format_ident_raw(&m.field);
            let target = self.ir.shape(m.target);
            let ty = self.ir.rust_type(m.target);
            let doc = format!("The `{}` attribute, from the loaded data.", m.name);
            out.extend(match (target.kind, identifiers.get(m.name)) {
                (ShapeKind::String, Some(id)) if target.enum_values.is_none() => {
                    let doc = format!("The `{}` attribute: the identifier, known before any load.", m.name);
                    quote! { #[doc = #doc] pub fn #field(&self) -> ::std::option::Option<&str> { ::std::option::Option::Some(&self.#id) } }
                }
                (ShapeKind::List, _) => {
                    let item = self.ir.rust_type(&list_member(target).shape);
                    quote! {
                        #[doc = #doc]
                        pub fn #field(&self) -> &[#item] { self.data.as_ref().map(|d| d.#field()).unwrap_or_default() }
                    }
                }
                (ShapeKind::String, _) if target.enum_values.is_none() => quote! {
                    #[doc = #doc]
                    pub fn #field(&self) -> ::std::option::Option<&str> { self.data.as_ref().and_then(|d| d.#field()) }
                },
                (ShapeKind::Integer | ShapeKind::Long | ShapeKind::Float | ShapeKind::Double | ShapeKind::Boolean, _) => quote! {
                    #[doc = #doc]
                    pub fn #field(&self) -> ::std::option::Option<#ty> { self.data.as_ref().and_then(|d| d.#field()) }
                },
                _ => quote! {
                    #[doc = #doc]
                    pub fn #field(&self) -> ::std::option::Option<&#ty> { self.data.as_ref().and_then(|d| d.#field()) }
                },
            });
        }
        Ok(out)
    }

    /// `load()`/`reload()` for the async and the blocking client.
    fn load(&self, name: &str, load: &Value, ids: &BTreeMap<String, Ident>) -> Result<TokenStream> {
        let ty = self.resource_type(name);
        let request = &load["request"];
        let operation = string(&request["operation"], "load.request.operation")?;
        let path = string(&load["path"], "load.path")?;
        let output = self.output_def(operation)?;
        let data = match parse_path(path)?.as_slice() {
            [(member, Index::At(index))] => {
                let m = output
                    .members
                    .iter()
                    .find(|m| m.name == member)
                    .ok_or_else(|| format!("`{operation}` output has no `{member}`"))?;
                let field = format_ident_raw(&m.field);
                quote!(output.#field.unwrap_or_default().into_iter().nth(#index))
            }
            _ => return Err(format!("load path `{path}` is not supported (use `Member[N]`)")),
        };
        let doc =
            format!("Loads the `{name}`'s data ({operation}); a `{name}` that does not exist is a `NotFound` error.");
        let request_async = self.request(request, quote!(self.client.clone()), ids)?;
        let request_blocking = request_async.clone();
        let id_list: Vec<&Ident> = ids.values().collect();
        let labels: Vec<&String> = ids.keys().collect();
        let not_found = quote! {
            crate::runtime::Error::not_found(#name, &[#((#labels, self.#id_list.as_str())),*])
        };
        Ok(quote! {
            impl #ty<crate::runtime::client::Client> {
                #[doc = #doc]
                pub async fn load(&mut self) -> ::std::result::Result<(), crate::runtime::Error> {
                    let output = #request_async.send().await?;
                    self.data = ::std::option::Option::Some(#data.ok_or_else(|| #not_found)?);
                    ::std::result::Result::Ok(())
                }
                /// The same as `load()`: fetches the data again.
                pub async fn reload(&mut self) -> ::std::result::Result<(), crate::runtime::Error> {
                    self.load().await
                }
            }

            #[cfg(feature = "blocking")]
            impl #ty<crate::runtime::blocking::Client> {
                #[doc = #doc]
                pub fn load(&mut self) -> ::std::result::Result<(), crate::runtime::Error> {
                    let output = #request_blocking.send()?;
                    self.data = ::std::option::Option::Some(#data.ok_or_else(|| #not_found)?);
                    ::std::result::Result::Ok(())
                }
                /// The same as `load()`: fetches the data again.
                pub fn reload(&mut self) -> ::std::result::Result<(), crate::runtime::Error> {
                    self.load()
                }
            }
        })
    }

    /// An action: a method returning the operation's fluent builder with the identifiers set, or,
    /// when the action makes resources, a wrapper whose `send()` returns them.
    fn action(
        &self,
        owner: &str,
        action: &str,
        spec: &Value,
        ids: &BTreeMap<String, Ident>,
    ) -> Result<(TokenStream, TokenStream)> {
        let method = format_ident_raw(&names::field(action));
        let request = &spec["request"];
        let operation = string(&request["operation"], "request.operation")?;
        let builder = self.request(request, quote!(self.client.clone()), ids)?;
        let doc = format!("boto3's `{action}` action: `{operation}` with this resource's identifiers filled in.");
        let Some(created) = spec.get("resource") else {
            let fluent = self.fluent(operation)?;
            return Ok((quote! { #[doc = #doc] pub fn #method(&self) -> #fluent<C> { #builder } }, TokenStream::new()));
        };
        let wrapper = format_ident!("{}{}", names::type_name(owner), names::type_name(action));
        let (created_shape, build) = self.created(created, operation, ids)?;
        let returns_async = created_shape.returns(quote!(crate::runtime::client::Client));
        let returns_blocking = created_shape.returns(quote!(crate::runtime::blocking::Client));
        let fluent = self.fluent(operation)?;
        let input = self.input_def(operation)?;
        let setters: TokenStream = input.members.iter().map(|m| delegate(self.ir, m)).collect();
        let id_fields: Vec<&Ident> = ids.values().collect();
        let wrapper_doc = format!(
            "The `{action}` action of a `{owner}`: set the request's members, then `send()` for the resources it makes."
        );
        let send_doc = format!("Sends `{operation}` and returns the resources boto3's `{action}` returns.");
        let wrapper_items = quote! {
            #[doc = #wrapper_doc]
            #[derive(Debug, Clone)]
            pub struct #wrapper<C> {
                client: C,
                #(#id_fields: ::std::string::String,)*
                inner: #fluent<C>,
            }

            impl<C> #wrapper<C> {
                #setters
            }

            impl #wrapper<crate::runtime::client::Client> {
                #[doc = #send_doc]
                pub async fn send(self) -> ::std::result::Result<#returns_async, crate::runtime::Error> {
                    let input = self.inner.build_input();
                    let output = self.inner.send().await?;
                    let _ = (&input, &output);
                    let client = self.client;
                    #build
                }
            }

            #[cfg(feature = "blocking")]
            impl #wrapper<crate::runtime::blocking::Client> {
                #[doc = #send_doc]
                pub fn send(self) -> ::std::result::Result<#returns_blocking, crate::runtime::Error> {
                    let input = self.inner.build_input();
                    let output = self.inner.send()?;
                    let _ = (&input, &output);
                    let client = self.client;
                    #build
                }
            }
        };
        // `self` inside `#build` refers to the wrapper, which carries the owner's identifiers.
        let method_tokens = quote! {
            #[doc = #doc]
            pub fn #method(&self) -> #wrapper<C> {
                #wrapper { client: self.client.clone(), #(#id_fields: self.#id_fields.clone(),)* inner: #builder }
            }
        };
        Ok((method_tokens, wrapper_items))
    }

    /// The service resource, its actions, `has` and `hasMany` (also on the clients directly).
    fn service(&self) -> Result<TokenStream> {
        let service = &self.resources["service"];
        let none = BTreeMap::new();
        let mut actions = TokenStream::new();
        let mut wrappers = TokenStream::new();
        for (action, spec) in object(&service["actions"], "service.actions")? {
            let (method, wrapper) =
                self.action("Service", action, spec, &none).map_err(|e| format!("action `{action}`: {e}"))?;
            actions.extend(method);
            wrappers.extend(wrapper);
        }
        let mut shortcuts = TokenStream::new();
        for (name, spec) in object(&service["has"], "service.has")? {
            let type_name = string(&spec["resource"]["type"], "has.resource.type")?;
            let ty = self.resource_type(type_name);
            let (_, ids) = self.resource_spec(type_name)?;
            let inputs: Vec<&Value> = array(&spec["resource"]["identifiers"]).iter().collect();
            if inputs.len() != ids.len() || inputs.iter().any(|i| i["source"] != "input") {
                return Err(format!("has `{name}`: only identifiers from the caller (`input`) are supported"));
            }
            let method = format_ident_raw(&names::field(name));
            let fields: Vec<&Ident> = ids.iter().map(|(_, f)| f).collect();
            let doc =
                format!("A `{type_name}` handle for these identifiers (boto3's `{name}(...)`); nothing is fetched.");
            shortcuts.extend(quote! {
                #[doc = #doc]
                pub fn #method(&self, #(#fields: impl ::std::convert::Into<::std::string::String>),*) -> #ty<C> {
                    #ty::new(self.client.clone(), #(#fields),*)
                }
            });
        }
        let mut collections = TokenStream::new();
        for (name, spec) in object(&service["hasMany"], "service.hasMany")? {
            let (method, items) = self.collection(name, spec).map_err(|e| format!("collection `{name}`: {e}"))?;
            shortcuts.extend(method);
            collections.extend(items);
        }
        let client_methods = quote! {
            /// boto3's service resource: the service's actions that make resources, and its collections.
            pub fn resource(&self) -> ServiceResource<Self> {
                ServiceResource { client: self.clone() }
            }
        };
        let shortcut_delegates = self.delegate_shortcuts(service)?;
        Ok(quote! {
            /// boto3's service resource (`boto3.resource(...)`): actions that return resources,
            /// resource handles by identifier, and collections.
            #[derive(Debug, Clone)]
            pub struct ServiceResource<C = crate::runtime::client::Client> {
                client: C,
            }

            impl<C: ::std::clone::Clone> ServiceResource<C> {
                #actions
                #shortcuts
            }

            impl crate::runtime::client::Client {
                #client_methods
                #shortcut_delegates
            }

            #[cfg(feature = "blocking")]
            impl crate::runtime::blocking::Client {
                #client_methods
                #shortcut_delegates
            }

            #wrappers
            #collections
        })
    }

    /// `has` and `hasMany` on the clients themselves, forwarding to the service resource.
    fn delegate_shortcuts(&self, service: &Value) -> Result<TokenStream> {
        let mut out = TokenStream::new();
        for (name, spec) in object(&service["has"], "service.has")? {
            let type_name = string(&spec["resource"]["type"], "has.resource.type")?;
            let ty = self.resource_type(type_name);
            let (_, ids) = self.resource_spec(type_name)?;
            let method = format_ident_raw(&names::field(name));
            let fields: Vec<&Ident> = ids.iter().map(|(_, f)| f).collect();
            let doc = format!("A `{type_name}` resource handle (see [`ServiceResource`]).");
            out.extend(quote! {
                #[doc = #doc]
                pub fn #method(&self, #(#fields: impl ::std::convert::Into<::std::string::String>),*) -> #ty<Self> {
                    self.resource().#method(#(#fields),*)
                }
            });
        }
        for (name, _) in object(&service["hasMany"], "service.hasMany")? {
            let method = format_ident_raw(&names::field(name));
            let ty = format_ident!("{}Collection", names::type_name(name));
            let doc = format!("boto3's `{name}` collection (see [`ServiceResource`]).");
            out.extend(quote! {
                #[doc = #doc]
                pub fn #method(&self) -> #ty<Self> {
                    self.resource().#method()
                }
            });
        }
        Ok(out)
    }

    /// A collection: the operation's request members as setters, `limit`, `page_size`, and a lazy
    /// stream (async) or iterator (blocking) of resources built from each page's items.
    fn collection(&self, name: &str, spec: &Value) -> Result<(TokenStream, TokenStream)> {
        let request = &spec["request"];
        let operation = string(&request["operation"], "request.operation")?;
        let resource = &spec["resource"];
        let type_name = string(&resource["type"], "resource.type")?;
        let ty = self.resource_type(type_name);
        let (_, ids) = self.resource_spec(type_name)?;
        let collection = format_ident!("{}Collection", names::type_name(name));
        let method = format_ident_raw(&names::field(name));
        let builder = self.request(request, quote!(self.client.clone()), &BTreeMap::new())?;
        let fluent = self.fluent(operation)?;
        let output = self.output_def(operation)?;
        let output_ty = crate::ir::path_in(output.home, &output.rust_name);
        // The items: `Member[]` of each page; identifiers: `Member[].Sub` of the same list.
        let data_path = string(&resource["path"], "resource.path")?;
        let list_member_name = match parse_path(data_path)?.as_slice() {
            [(member, Index::All)] => member.clone(),
            _ => return Err(format!("collection path `{data_path}` is not supported (use `Member[]`)")),
        };
        let list = output
            .members
            .iter()
            .find(|m| m.name == list_member_name)
            .ok_or_else(|| format!("`{operation}` output has no `{list_member_name}`"))?;
        let list_field = format_ident_raw(&list.field);
        let item_shape = list_member(self.ir.shape(list.target)).shape.clone();
        let mut per_item = Vec::new();
        for (id_name, field) in &ids {
            let identifier = array(&resource["identifiers"])
                .iter()
                .find(|i| i["target"] == id_name.as_str())
                .ok_or_else(|| format!("identifier `{id_name}` is not given"))?;
            if identifier["source"] != "response" {
                return Err(format!("identifier `{id_name}` must come from the response"));
            }
            let path = string(&identifier["path"], "identifier.path")?;
            let sub = match parse_path(path)?.as_slice() {
                [(member, Index::All), (sub, Index::None)] if *member == list_member_name => sub.clone(),
                _ => return Err(format!("identifier path `{path}` must be `{list_member_name}[].Member`")),
            };
            let (accessor, _) = {
                let shape = self.ir.shape(&item_shape);
                let m = shape.members.get(&sub).ok_or_else(|| format!("`{item_shape}` has no member `{sub}`"))?;
                if self.ir.shape(&m.shape).kind != ShapeKind::String {
                    return Err(format!("`{path}` is not a string"));
                }
                (format_ident_raw(&names::field(&sub)), ())
            };
            per_item.push(quote!(let #field = item.#accessor().unwrap_or_default().to_string();));
        }
        let fields: Vec<&Ident> = ids.iter().map(|(_, f)| f).collect();
        let paginator = self.paginator(operation)?;
        let (set_token, next_token, page_size) = match &paginator {
            Some((input_token, output_token, limit_key)) => {
                let set = format_ident!("set_{}", names::field_stem(input_token));
                let get = format_ident_raw(&names::field(output_token));
                let page_size = match limit_key {
                    Some(limit) => {
                        let set_limit = format_ident!("set_{}", names::field_stem(limit));
                        quote! {
                            /// How many items to ask for per page (the operation's limit member).
                            pub fn page_size(mut self, size: i32) -> Self {
                                self.inner = self.inner.#set_limit(::std::option::Option::Some(size));
                                self
                            }
                        }
                    }
                    None => TokenStream::new(),
                };
                (
                    quote!(.#set(token)),
                    quote!(|page: &#output_ty| page.#get().map(::std::string::ToString::to_string)),
                    page_size,
                )
            }
            None => (quote!(), quote!(|_: &#output_ty| ::std::option::Option::None), TokenStream::new()),
        };
        let input = self.input_def(operation)?;
        let setters: TokenStream = input.members.iter().map(|m| delegate(self.ir, m)).collect();
        let items_of = quote! {
            move |page: #output_ty| {
                page.#list_field
                    .unwrap_or_default()
                    .into_iter()
                    .map(|item| {
                        #(#per_item)*
                        #ty::from_parts(client.clone(), #(#fields,)* ::std::option::Option::Some(item))
                    })
                    .collect()
            }
        };
        let doc = format!(
            "boto3's `{name}` collection: `{operation}` with the filters you set, page after page (following the \
             paginator's token), as `{type_name}` resources with their data loaded."
        );
        let method_doc = format!("boto3's `{name}` collection.");
        let items = quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            pub struct #collection<C> {
                client: C,
                inner: #fluent<C>,
                limit: ::std::option::Option<usize>,
            }

            impl<C> #collection<C> {
                /// Every resource (boto3's `all()`): the collection as it is.
                pub fn all(self) -> Self { self }

                /// Sets request members through the operation's fluent builder (boto3's `filter(...)`).
                pub fn filter(mut self, set: impl ::std::ops::FnOnce(#fluent<C>) -> #fluent<C>) -> Self {
                    self.inner = set(self.inner);
                    self
                }

                /// At most `count` resources; no page is fetched once they are in.
                pub fn limit(mut self, count: usize) -> Self {
                    self.limit = ::std::option::Option::Some(count);
                    self
                }

                #page_size
                #setters
            }

            impl #collection<crate::runtime::client::Client> {
                /// The resources, fetched lazily page by page.
                pub fn stream(self) -> crate::runtime::paginate::PaginationStream<#ty<crate::runtime::client::Client>> {
                    let client = self.client;
                    let inner = self.inner;
                    let pages = crate::runtime::paginate::PaginationStream::pages(
                        move |token: ::std::option::Option<::std::string::String>| {
                            let _ = &token;
                            let request = inner.clone() #set_token;
                            ::std::boxed::Box::pin(async move { request.send().await.map_err(::std::convert::Into::into) })
                        },
                        #next_token,
                    );
                    let items = pages.items(#items_of);
                    match self.limit {
                        ::std::option::Option::Some(count) => items.limit(count),
                        ::std::option::Option::None => items,
                    }
                }
            }

            #[cfg(feature = "blocking")]
            impl #collection<crate::runtime::blocking::Client> {
                /// The resources, fetched lazily page by page.
                pub fn iter(self) -> crate::runtime::paginate::PageIter<#ty<crate::runtime::blocking::Client>> {
                    let client = self.client;
                    let inner = self.inner;
                    let pages = crate::runtime::paginate::PageIter::pages(
                        move |token: ::std::option::Option<::std::string::String>| {
                            let _ = &token;
                            inner.clone() #set_token .send().map_err(::std::convert::Into::into)
                        },
                        #next_token,
                    );
                    let items = pages.items(#items_of);
                    match self.limit {
                        ::std::option::Option::Some(count) => items.limit(count),
                        ::std::option::Option::None => items,
                    }
                }
            }
        };
        let method_tokens = quote! {
            #[doc = #method_doc]
            pub fn #method(&self) -> #collection<C> {
                #collection { client: self.client.clone(), inner: #builder, limit: ::std::option::Option::None }
            }
        };
        Ok((method_tokens, items))
    }

    /// The paginator of an operation from the paginator model, if any: (input token, output token, limit key).
    fn paginator(&self, operation: &str) -> Result<Option<(String, String, Option<String>)>> {
        let Some(paginators) = self.paginators else { return Ok(None) };
        let Some(entry) = paginators["pagination"].get(operation) else { return Ok(None) };
        let input = string(&entry["input_token"], "input_token")
            .map_err(|_| format!("`{operation}`: multi-token paginators are not supported"))?;
        let output = string(&entry["output_token"], "output_token")
            .map_err(|_| format!("`{operation}`: multi-token paginators are not supported"))?;
        Ok(Some((input.to_string(), output.to_string(), entry["limit_key"].as_str().map(str::to_string))))
    }
}

/// What an action that makes resources returns: one resource, or a list.
struct CreatedShape {
    resource: Ident,
    plural: bool,
}

impl CreatedShape {
    fn returns(&self, client: TokenStream) -> TokenStream {
        let ty = &self.resource;
        if self.plural {
            quote!(::std::vec::Vec<#ty<#client>>)
        } else {
            quote!(#ty<#client>)
        }
    }
}

fn output_shape<'a>(def: &'a StructDef<'_>) -> Result<&'a str> {
    def.shape_name.ok_or_else(|| format!("`{}` has no model shape", def.rust_name))
}
