//! Resolution of the model into what the emitters need: a Rust name and home module for each
//! generated type, the members of each structure, and which members must be boxed.

use crate::model::{Operation, ServiceModel, Shape, ShapeKind, ShapeRef};
use crate::names;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet};

/// The generated module a type lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Home {
    /// `types`: shared structures and enums.
    Types,
    /// `operation`: an operation's input or output.
    Operation,
}

/// A structure to emit: a model structure, or the empty input/output of an operation that has none.
#[derive(Debug, Clone)]
pub struct StructDef<'m> {
    pub rust_name: String,
    /// `None` for a synthesized empty input or output.
    pub shape_name: Option<&'m str>,
    pub home: Home,
    pub members: Vec<MemberDef<'m>>,
    /// An operation's output: also keeps the response's `requestId`.
    pub is_output: bool,
    pub is_error: bool,
    pub sensitive: bool,
}

#[derive(Debug, Clone)]
pub struct MemberDef<'m> {
    /// The member name in the model.
    pub name: &'m str,
    /// The field as written in Rust (`r#return`).
    pub field: String,
    /// The field without `r#`, to build other names (`set_return`).
    pub stem: String,
    pub target: &'m str,
    pub reference: &'m ShapeRef,
    pub required: bool,
    pub boxed: bool,
}

/// The wire protocols the generator speaks. AWS Query is EC2 Query with a few differences:
/// request keys as given (not capitalized), wrapped lists (`Name.member.N`), empty lists sent
/// as `Name=`, outputs in `<{Op}Result>` with the request id in `<ResponseMetadata>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `ec2`: EC2 Query.
    Ec2,
    /// `query`: AWS Query (STS, IAM, SNS…).
    Query,
}

impl Protocol {
    fn from_model(name: &str) -> Result<Self, String> {
        match name {
            "ec2" => Ok(Self::Ec2),
            "query" => Ok(Self::Query),
            other => Err(format!(
                "protocol `{other}` is not supported: this generator speaks the `ec2` and `query` protocols"
            )),
        }
    }

    /// The request key of a structure member.
    pub fn member_key(self, reference: &ShapeRef, member_name: &str) -> String {
        match self {
            Self::Ec2 => reference.query_name(member_name),
            Self::Query => reference.aws_query_name(member_name).to_string(),
        }
    }
}

pub struct Ir<'m> {
    pub model: &'m ServiceModel,
    pub protocol: Protocol,
    /// Rust name and module of every structure and string enum, by shape name.
    type_names: BTreeMap<&'m str, (String, Home)>,
    pub structs: Vec<StructDef<'m>>,
    /// Per operation: the Rust names of its input and output types.
    pub io: BTreeMap<&'m str, (String, String)>,
}

impl<'m> Ir<'m> {
    pub fn new(model: &'m ServiceModel) -> Result<Self, String> {
        let protocol = Protocol::from_model(&model.metadata.protocol)?;
        validate_references(model)?;

        // Where each shape is used decides whether an operation's input/output takes the
        // aws-sdk-rust style name `{Op}Input`/`{Op}Output` or keeps its model name.
        let mut member_uses: BTreeMap<&str, usize> = BTreeMap::new();
        for shape in model.shapes.values() {
            for r in shape_refs(shape) {
                *member_uses.entry(r.shape.as_str()).or_default() += 1;
            }
        }
        let mut io_uses: BTreeMap<&str, usize> = BTreeMap::new();
        for op in model.operations.values() {
            for r in op.input.iter().chain(op.output.iter()) {
                *io_uses.entry(r.shape.as_str()).or_default() += 1;
            }
        }
        let exclusive = |shape: &str| !member_uses.contains_key(shape) && io_uses.get(shape) == Some(&1);

        let mut type_names: BTreeMap<&str, (String, Home)> = BTreeMap::new();
        let mut io = BTreeMap::new();
        let mut synthetic = Vec::new();
        for (op_name, op) in &model.operations {
            let op_type = names::type_name(op_name);
            let mut side = |r: &'m Option<ShapeRef>, suffix: &str, is_output: bool| -> String {
                let rust_name = format!("{op_type}{suffix}");
                match r {
                    Some(r) if exclusive(&r.shape) => {
                        type_names.insert(r.shape.as_str(), (rust_name.clone(), Home::Operation));
                        rust_name
                    }
                    Some(r) => names::type_name(&r.shape),
                    None => {
                        synthetic.push((rust_name.clone(), is_output));
                        rust_name
                    }
                }
            };
            let input = side(&op.input, "Input", false);
            let output = side(&op.output, "Output", true);
            io.insert(op_name.as_str(), (input, output));
        }
        for (name, shape) in &model.shapes {
            let generated =
                shape.kind == ShapeKind::Structure || (shape.kind == ShapeKind::String && shape.enum_values.is_some());
            if generated && !type_names.contains_key(name.as_str()) {
                type_names.insert(name.as_str(), (names::type_name(name), Home::Types));
            }
        }
        let mut seen: BTreeMap<(&String, Home), &str> = BTreeMap::new();
        for (shape, (rust, home)) in &type_names {
            if let Some(other) = seen.insert((rust, *home), shape) {
                return Err(format!("shapes `{other}` and `{shape}` would both be named `{rust}`"));
            }
        }

        let output_shapes: BTreeSet<&str> =
            model.operations.values().filter_map(|op| op.output.as_ref()).map(|r| r.shape.as_str()).collect();
        let mut structs = Vec::new();
        for (shape_name, shape) in &model.shapes {
            if shape.kind != ShapeKind::Structure {
                continue;
            }
            let (rust_name, home) = type_names[shape_name.as_str()].clone();
            let members = members(model, shape_name, shape)?;
            structs.push(StructDef {
                rust_name,
                shape_name: Some(shape_name.as_str()),
                home,
                sensitive: members.iter().any(|m| model.shapes[m.target].sensitive),
                members,
                is_output: output_shapes.contains(shape_name.as_str()),
                is_error: shape.exception || shape.error.is_some(),
            });
        }
        for (rust_name, is_output) in synthetic {
            structs.push(StructDef {
                rust_name,
                shape_name: None,
                home: Home::Operation,
                members: Vec::new(),
                is_output,
                is_error: false,
                sensitive: false,
            });
        }
        structs.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
        Ok(Ir { model, protocol, type_names, structs, io })
    }

    pub fn shape(&self, name: &str) -> &'m Shape {
        // Every reference was checked in `validate_references`.
        &self.model.shapes[name]
    }

    pub fn operations(&self) -> impl Iterator<Item = (&'m String, &'m Operation)> {
        self.model.operations.iter()
    }

    /// The bare Rust name of a structure or enum shape.
    pub fn type_ident(&self, shape: &str) -> proc_macro2::Ident {
        format_ident!("{}", self.type_names[shape].0)
    }

    /// The Rust name and module of a structure or enum shape.
    pub fn type_location(&self, shape: &str) -> Option<&(String, Home)> {
        self.type_names.get(shape)
    }

    /// The Rust name and module of an operation's input (`false`) or output (`true`) type.
    pub fn io_location(&self, operation: &str, output: bool) -> Option<(&str, Home)> {
        let (input_name, output_name) = self.io.get(operation)?;
        let name = if output { output_name } else { input_name };
        self.structs.iter().find(|s| &s.rust_name == name).map(|s| (s.rust_name.as_str(), s.home))
    }

    /// The path of a generated type, valid from any generated module.
    pub fn type_path(&self, shape: &str) -> TokenStream {
        let (name, home) = &self.type_names[shape];
        path_in(*home, name)
    }

    /// The Rust type of a value of shape `shape` (without the `Option`).
    pub fn rust_type(&self, shape_name: &str) -> TokenStream {
        let shape = self.shape(shape_name);
        match shape.kind {
            ShapeKind::Structure => self.type_path(shape_name),
            ShapeKind::String if shape.enum_values.is_some() => self.type_path(shape_name),
            ShapeKind::String => quote!(::std::string::String),
            ShapeKind::Integer => quote!(i32),
            ShapeKind::Long => quote!(i64),
            ShapeKind::Float => quote!(f32),
            ShapeKind::Double => quote!(f64),
            ShapeKind::Boolean => quote!(bool),
            ShapeKind::Timestamp => quote!(crate::runtime::DateTime),
            ShapeKind::Blob => quote!(crate::runtime::Blob),
            ShapeKind::List => {
                let item = self.rust_type(&list_member(shape).shape);
                quote!(::std::vec::Vec<#item>)
            }
            ShapeKind::Map => {
                let (key, value) = map_entries(shape);
                let key = self.rust_type(&key.shape);
                let value = self.rust_type(&value.shape);
                quote!(::std::collections::HashMap<#key, #value>)
            }
            ShapeKind::Unsupported => unreachable!("rejected in validate_references"),
        }
    }

    /// The AWS API reference page of an operation or data type: `{apiReference}API_{name}.html`
    /// when the model's metadata gives the reference's base, else AWS's redirect by the model's
    /// `uid`, else none.
    pub fn reference_link(&self, name: &str) -> Option<String> {
        let metadata = &self.model.metadata;
        match (&metadata.api_reference, &metadata.uid) {
            (Some(base), _) => Some(format!("{}/API_{name}.html", base.trim_end_matches('/'))),
            (None, Some(uid)) => Some(format!("https://docs.aws.amazon.com/goto/WebAPI/{uid}/{name}")),
            (None, None) => None,
        }
    }

    pub fn struct_def(&self, shape: &str) -> Option<&StructDef<'m>> {
        self.structs.iter().find(|s| s.shape_name == Some(shape))
    }
}

pub fn path_in(home: Home, name: &str) -> TokenStream {
    let ident = format_ident!("{}", name);
    match home {
        Home::Types => quote!(super::types::#ident),
        Home::Operation => quote!(super::operation::#ident),
    }
}

/// The member of a list shape (checked present in `validate_references`).
pub fn list_member(shape: &Shape) -> &ShapeRef {
    shape.member.as_ref().expect("list shapes have a member (validated)")
}

/// The key and value of a map shape (checked present in `validate_references`).
pub fn map_entries(shape: &Shape) -> (&ShapeRef, &ShapeRef) {
    (
        shape.key.as_ref().expect("map shapes have a key (validated)"),
        shape.value.as_ref().expect("map shapes have a value (validated)"),
    )
}

fn shape_refs(shape: &Shape) -> impl Iterator<Item = &ShapeRef> {
    shape.members.values().chain(shape.member.iter()).chain(shape.key.iter()).chain(shape.value.iter())
}

/// Every reference resolves, every shape has what its kind needs, and no unsupported kind is used.
fn validate_references(model: &ServiceModel) -> Result<(), String> {
    for (name, shape) in &model.shapes {
        let missing = |what: &str| format!("{:?} shape `{name}` has no `{what}`", shape.kind);
        match shape.kind {
            ShapeKind::List if shape.member.is_none() => return Err(missing("member")),
            ShapeKind::Map if shape.key.is_none() => return Err(missing("key")),
            ShapeKind::Map if shape.value.is_none() => return Err(missing("value")),
            ShapeKind::Unsupported => return Err(format!("shape `{name}` has a type this generator does not support")),
            _ => {}
        }
        if shape.enum_values.is_some() && shape.kind != ShapeKind::String {
            return Err(format!("shape `{name}` has `enum` values but is not a string"));
        }
        for r in shape_refs(shape) {
            model.shape(&r.shape).map_err(|e| format!("{e} (from shape `{name}`)"))?;
        }
        for required in &shape.required {
            if !shape.members.contains_key(required) {
                return Err(format!("shape `{name}` requires member `{required}`, which it does not have"));
            }
        }
    }
    for (name, op) in &model.operations {
        for r in op.input.iter().chain(op.output.iter()).chain(op.errors.iter()) {
            let target = model.shape(&r.shape).map_err(|e| format!("{e} (from operation `{name}`)"))?;
            if target.kind != ShapeKind::Structure {
                return Err(format!("operation `{name}` refers to `{}`, which is not a structure", r.shape));
            }
        }
    }
    Ok(())
}

fn members<'m>(model: &'m ServiceModel, shape_name: &str, shape: &'m Shape) -> Result<Vec<MemberDef<'m>>, String> {
    let mut fields = BTreeSet::new();
    let mut out = Vec::new();
    for (name, reference) in &shape.members {
        let field = names::field(name);
        if field == "request_id" || field == "builder" || !fields.insert(field.clone()) {
            return Err(format!("member `{name}` of `{shape_name}` clashes with another generated name `{field}`"));
        }
        out.push(MemberDef {
            name,
            stem: names::field_stem(name),
            field,
            target: &reference.shape,
            reference,
            required: shape.required.iter().any(|r| r == name),
            boxed: reaches(model, &reference.shape, shape_name, &mut BTreeSet::new()),
        });
    }
    Ok(out)
}

/// Whether structure `from` contains structure `to` without an indirection (Vec/HashMap): such a
/// cycle makes an infinitely sized type, so the member closing it is boxed.
fn reaches<'m>(model: &'m ServiceModel, from: &'m str, to: &str, seen: &mut BTreeSet<&'m str>) -> bool {
    if from == to {
        return true;
    }
    if !seen.insert(from) {
        return false;
    }
    let Some(shape) = model.shapes.get(from) else { return false };
    shape.kind == ShapeKind::Structure && shape.members.values().any(|m| reaches(model, &m.shape, to, seen))
}
