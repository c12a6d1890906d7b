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

/// The cargo features an item is generated under: empty when it is always generated, else when
/// any one of them is on.
pub type Gate = BTreeSet<String>;

/// How operations reach a shape: through their input, their output and errors, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Any,
    Input,
    Output,
}

pub struct Ir<'m> {
    pub model: &'m ServiceModel,
    pub protocol: Protocol,
    /// The feature of each operation generated only when a feature is on.
    op_features: BTreeMap<&'m str, String>,
    /// Per [`Reach`] (`Any`, `Input`, `Output`): the shapes only feature-gated operations reach
    /// that way, with the features of those operations. A shape absent here is always generated.
    shape_gates: [BTreeMap<&'m str, Gate>; 3],
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
        Ok(Ir {
            model,
            protocol,
            op_features: BTreeMap::new(),
            shape_gates: Default::default(),
            type_names,
            structs,
            io,
        })
    }

    /// Puts the operations of `features.json` behind their features, and every shape that only
    /// they reach behind the features of the operations that reach it.
    pub fn gate_features(&mut self, features: &serde_json::Value) -> Result<(), String> {
        let model = self.model;
        for (feature, operations) in parse_features(Some(features))? {
            for operation in operations {
                let (name, _) = model.operations.get_key_value(operation.as_str()).ok_or_else(|| {
                    format!("feature `{feature}` names operation `{operation}`, which the model lacks")
                })?;
                if let Some(other) = self.op_features.insert(name.as_str(), feature.clone()) {
                    return Err(format!("operation `{operation}` is in features `{other}` and `{feature}`"));
                }
            }
        }
        for (slot, reach) in [Reach::Any, Reach::Input, Reach::Output].into_iter().enumerate() {
            let ungated = self.closure(reach, |op| !self.op_features.contains_key(op));
            let mut gates: BTreeMap<&'m str, Gate> = BTreeMap::new();
            for feature in self.op_features.values().collect::<BTreeSet<_>>() {
                let reached = self.closure(reach, |op| self.op_features.get(op) == Some(feature));
                for shape in reached.difference(&ungated) {
                    gates.entry(shape).or_default().insert(feature.clone());
                }
            }
            self.shape_gates[slot] = gates;
        }
        Ok(())
    }

    /// The shapes the operations `include` picks reach through `reach`.
    fn closure(&self, reach: Reach, include: impl Fn(&str) -> bool) -> BTreeSet<&'m str> {
        let mut pending: Vec<&'m str> = Vec::new();
        for (_, op) in self.model.operations.iter().filter(|(name, _)| include(name)) {
            let input = op.input.iter().filter(|_| reach != Reach::Output);
            let output = op.output.iter().chain(op.errors.iter()).filter(|_| reach != Reach::Input);
            pending.extend(input.chain(output).map(|r| r.shape.as_str()));
        }
        let mut reached = BTreeSet::new();
        while let Some(shape) = pending.pop() {
            if reached.insert(shape) {
                if let Some(definition) = self.model.shapes.get(shape) {
                    pending.extend(shape_refs(definition).map(|r| r.shape.as_str()));
                }
            }
        }
        reached
    }

    /// The features an operation is generated under.
    pub fn op_gate(&self, operation: &str) -> Gate {
        self.op_features.get(operation).cloned().into_iter().collect()
    }

    /// The features a shape's items (its type, or its serializer or decoder) are generated under.
    pub fn shape_gate(&self, shape: &str, reach: Reach) -> Gate {
        let slot = match reach {
            Reach::Any => 0,
            Reach::Input => 1,
            Reach::Output => 2,
        };
        self.shape_gates[slot].get(shape).cloned().unwrap_or_default()
    }

    /// The features a structure is generated under; a synthesized input or output has its operation's.
    pub fn struct_gate(&self, def: &StructDef<'_>, reach: Reach) -> Gate {
        match def.shape_name {
            Some(shape) => self.shape_gate(shape, reach),
            None => self
                .io
                .iter()
                .find(|(_, (input, output))| *input == def.rust_name || *output == def.rust_name)
                .map(|(op, _)| self.op_gate(op))
                .unwrap_or_default(),
        }
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

/// `features.json`: `{"features": {"name": {"operations": [...]}}}`, as feature → operations.
pub fn parse_features(value: Option<&serde_json::Value>) -> Result<BTreeMap<String, Vec<String>>, String> {
    let Some(value) = value else { return Ok(BTreeMap::new()) };
    let features = value.get("features").and_then(|f| f.as_object()).ok_or("features.json has no `features` object")?;
    features
        .iter()
        .map(|(name, feature)| {
            let operations = feature
                .get("operations")
                .and_then(|o| o.as_array())
                .ok_or_else(|| format!("features.json: feature `{name}` has no `operations` list"))?
                .iter()
                .map(|o| o.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| format!("features.json: feature `{name}` lists an operation that is not a string"))?;
            Ok((name.clone(), operations))
        })
        .collect()
}

/// The attributes that compile an item only under `gate` and tell docs.rs which feature it needs.
pub fn cfg(gate: &Gate) -> TokenStream {
    let features: Vec<TokenStream> = gate.iter().map(|f| quote!(feature = #f)).collect();
    let predicate = match features.as_slice() {
        [] => return quote!(),
        [one] => one.clone(),
        many => quote!(any(#(#many),*)),
    };
    quote! {
        #[cfg(#predicate)]
        #[cfg_attr(docsrs, doc(cfg(#predicate)))]
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

/// `items` (a sequence of items: structs, impls, functions…), each compiled only under `gate`.
pub fn gated(gate: &Gate, items: TokenStream) -> TokenStream {
    if gate.is_empty() {
        return items;
    }
    let attributes = cfg(gate);
    match syn::parse2::<syn::File>(items.clone()) {
        Ok(file) => file.items.iter().map(|item| quote!(#attributes #item)).collect(),
        // Not a sequence of items: the caller made one item, which takes the attributes as is.
        Err(_) => quote!(#attributes #items),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::ServiceModel;
    use serde_json::json;

    /// `GetWidget` always; `ListGadgets` under `gadgets`; `PaintGadget` (no output) under `paint`.
    const MODEL: &str = r#"{
      "metadata": {"apiVersion": "2020-01-01", "protocol": "ec2", "endpointPrefix": "widgets"},
      "operations": {
        "GetWidget": {"name": "GetWidget", "http": {"method": "POST", "requestUri": "/"},
          "input": {"shape": "GetWidgetRequest"}, "output": {"shape": "GetWidgetResult"}},
        "ListGadgets": {"name": "ListGadgets", "http": {"method": "POST", "requestUri": "/"},
          "input": {"shape": "ListGadgetsRequest"}, "output": {"shape": "ListGadgetsResult"}},
        "PaintGadget": {"name": "PaintGadget", "http": {"method": "POST", "requestUri": "/"},
          "input": {"shape": "PaintGadgetRequest"}}
      },
      "shapes": {
        "GetWidgetRequest": {"type": "structure", "members": {"Id": {"shape": "String"}}},
        "GetWidgetResult": {"type": "structure", "members": {"Widget": {"shape": "Widget"}}},
        "Widget": {"type": "structure", "members": {"Name": {"shape": "String"}}},
        "ListGadgetsRequest": {"type": "structure", "members": {"Filter": {"shape": "GadgetFilter"}, "Color": {"shape": "Color"}}},
        "GadgetFilter": {"type": "structure", "members": {"Name": {"shape": "String"}}},
        "ListGadgetsResult": {"type": "structure", "members": {"Gadgets": {"shape": "GadgetList"}}},
        "GadgetList": {"type": "list", "member": {"shape": "Gadget", "locationName": "item"}},
        "Gadget": {"type": "structure", "members": {"Widget": {"shape": "Widget"}, "Color": {"shape": "Color"}}},
        "PaintGadgetRequest": {"type": "structure", "members": {"Color": {"shape": "Color"}}},
        "Color": {"type": "string", "enum": ["red", "blue"]},
        "String": {"type": "string"}
      }
    }"#;

    fn generated() -> Vec<crate::GeneratedFile> {
        let mut model = crate::Model::service_only(ServiceModel::from_json(MODEL).unwrap());
        model.features = Some(json!({"features": {
            "gadgets": {"operations": ["ListGadgets"]},
            "paint": {"operations": ["PaintGadget"]}
        }}));
        model.waiters = Some(json!({"version": 2, "waiters": {"GadgetsListed": {
            "operation": "ListGadgets", "delay": 1, "maxAttempts": 2,
            "acceptors": [{"matcher": "error", "expected": false, "state": "success"}]}}}));
        crate::generate(&model).unwrap()
    }

    /// The `#[cfg(…)]` lines among the attributes and docs right above the first line containing `item`.
    fn gate_of(files: &[crate::GeneratedFile], file: &str, item: &str) -> Vec<String> {
        let source = &files.iter().find(|f| f.path == file).unwrap_or_else(|| panic!("no {file}")).contents;
        let lines: Vec<&str> = source.lines().collect();
        let at = lines.iter().position(|l| l.contains(item)).unwrap_or_else(|| panic!("no `{item}` in {file}"));
        let indent = |l: &str| l.len() - l.trim_start().len();
        let item_indent = indent(lines[at]);
        // Attributes may span lines (`#[cfg_attr(\n    feature = …,\n)]`): their inner lines are
        // indented deeper than the item, and their last is `)]`.
        lines[..at]
            .iter()
            .rev()
            .take_while(|l| {
                let t = l.trim();
                t.starts_with("#[") || t.starts_with("///") || t == ")]" || indent(l) > item_indent
            })
            .map(|l| l.trim())
            .filter(|l| l.starts_with("#[cfg("))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn only_what_gated_operations_alone_reach_is_gated() {
        let files = generated();
        let gadgets = ["#[cfg(feature = \"gadgets\")]".to_string()];
        let paint = ["#[cfg(feature = \"paint\")]".to_string()];
        let either = ["#[cfg(any(feature = \"gadgets\", feature = \"paint\"))]".to_string()];
        // Shared with the ungated operation: always there.
        assert!(gate_of(&files, "types.rs", "pub struct Widget {").is_empty());
        assert!(gate_of(&files, "de.rs", "pub(crate) fn de_widget(").is_empty());
        assert!(gate_of(&files, "client.rs", "pub fn get_widget(").is_empty());
        // One feature's operation, its types, (de)serializers, client method and builder, waiter.
        assert_eq!(gate_of(&files, "types.rs", "pub struct Gadget {"), gadgets);
        assert_eq!(gate_of(&files, "types.rs", "pub struct GadgetFilter {"), gadgets);
        assert_eq!(gate_of(&files, "ser.rs", "pub(crate) fn ser_gadget_filter("), gadgets);
        assert_eq!(gate_of(&files, "de.rs", "pub(crate) fn de_gadget_list("), gadgets);
        assert_eq!(gate_of(&files, "operation.rs", "pub struct ListGadgets;"), gadgets);
        assert_eq!(gate_of(&files, "operation.rs", "pub mod list_gadgets {"), gadgets);
        assert_eq!(gate_of(&files, "client.rs", "pub fn list_gadgets("), gadgets);
        assert_eq!(gate_of(&files, "client.rs", "pub struct ListGadgetsFluentBuilder"), gadgets);
        assert_eq!(gate_of(&files, "waiters.rs", "fn wait_until_gadgets_listed(&self)"), gadgets);
        assert_eq!(gate_of(&files, "waiters.rs", "pub struct GadgetsListedFluentBuilder"), gadgets);
        // The synthesized output of the other feature's operation; a shape both features reach.
        assert_eq!(gate_of(&files, "operation.rs", "pub struct PaintGadgetOutput {"), paint);
        assert_eq!(gate_of(&files, "types.rs", "pub enum Color {"), either);
        // docs.rs is told too.
        let types = &files.iter().find(|f| f.path == "types.rs").unwrap().contents;
        assert!(types.contains("#[cfg_attr(docsrs, doc(cfg(feature = \"gadgets\")))]"), "{types}");
    }

    #[test]
    fn a_feature_naming_an_unknown_operation_fails() {
        let mut model = crate::Model::service_only(ServiceModel::from_json(MODEL).unwrap());
        model.features = Some(json!({"features": {"gadgets": {"operations": ["ListGizmos"]}}}));
        let error = crate::generate(&model).unwrap_err();
        assert_eq!(error, "feature `gadgets` names operation `ListGizmos`, which the model lacks");
    }
}
