//! Rust expressions for the vectors' JSON values, named exactly as the generator names things.

use codegen::ir::{list_member, map_entries, Home, Ir};
use codegen::model::ShapeKind;
use codegen::names;
use serde_json::Value;

pub struct ValueWriter<'a, 'm> {
    pub ir: &'a Ir<'m>,
    /// The case's module in the conformance crate.
    pub module: &'a str,
}

impl ValueWriter<'_, '_> {
    pub fn path(&self, rust_name: &str, home: Home) -> String {
        match home {
            Home::Types => format!("{}::types::{rust_name}", self.module),
            Home::Operation => format!("{}::operation::{rust_name}", self.module),
        }
    }

    /// `Type::builder().set_x(Some(..))…` (not built) for a structure shape (`None`: no members).
    pub fn structure_builder(&self, shape: Option<&str>, path: &str, json: &Value) -> Result<String, String> {
        let mut out = format!("{path}::builder()");
        let Some(shape_name) = shape else { return Ok(out) };
        let shape = self.ir.model.shape(shape_name)?;
        let fields = json.as_object().ok_or_else(|| format!("{shape_name}: expected an object, got {json}"))?;
        for (member_name, value) in fields {
            let member =
                shape.members.get(member_name).ok_or_else(|| format!("{shape_name} has no member {member_name}"))?;
            let expr = self.value(&member.shape, value)?;
            out.push_str(&format!(".set_{}(Some({expr}))", names::field_stem(member_name)));
        }
        Ok(out)
    }

    pub fn structure(&self, shape: Option<&str>, path: &str, json: &Value) -> Result<String, String> {
        Ok(format!("{}.build()", self.structure_builder(shape, path, json)?))
    }

    /// An expression of the Rust type of `shape_name` holding `json`.
    pub fn value(&self, shape_name: &str, json: &Value) -> Result<String, String> {
        let shape = self.ir.model.shape(shape_name)?;
        let number = |suffix: &str| -> Result<String, String> {
            match json {
                Value::Number(n) => Ok(format!("{n}_{suffix}")),
                Value::String(s) if s == "NaN" => Ok(format!("{suffix}::NAN")),
                Value::String(s) if s == "Infinity" => Ok(format!("{suffix}::INFINITY")),
                Value::String(s) if s == "-Infinity" => Ok(format!("{suffix}::NEG_INFINITY")),
                other => Err(format!("{shape_name}: expected a number, got {other}")),
            }
        };
        let text = || json.as_str().ok_or_else(|| format!("{shape_name}: expected a string, got {json}"));
        Ok(match shape.kind {
            ShapeKind::Structure => {
                let (rust_name, home) = self.ir.type_location(shape_name).ok_or("structure without a type")?;
                self.structure(Some(shape_name), &self.path(rust_name, *home), json)?
            }
            ShapeKind::String if shape.enum_values.is_some() => {
                let (rust_name, home) = self.ir.type_location(shape_name).ok_or("enum without a type")?;
                format!("{}::from({:?})", self.path(rust_name, *home), text()?)
            }
            ShapeKind::String => format!("{:?}.to_string()", text()?),
            ShapeKind::Boolean => {
                json.as_bool().ok_or_else(|| format!("{shape_name}: expected a boolean"))?.to_string()
            }
            ShapeKind::Integer => number("i32")?,
            ShapeKind::Long => number("i64")?,
            ShapeKind::Float => number("f32")?,
            ShapeKind::Double => number("f64")?,
            ShapeKind::Timestamp => match json {
                Value::Number(n) if n.is_i64() => format!("runtime::DateTime::from_secs({n})"),
                Value::Number(n) => format!("runtime::DateTime::from_secs_f64({n}_f64)"),
                other => return Err(format!("{shape_name}: expected epoch seconds, got {other}")),
            },
            ShapeKind::Blob => format!("runtime::Blob::new({:?}.as_bytes().to_vec())", text()?),
            ShapeKind::List => {
                let member = list_member(shape);
                let items = json.as_array().ok_or_else(|| format!("{shape_name}: expected an array"))?;
                let items: Result<Vec<String>, String> = items.iter().map(|v| self.value(&member.shape, v)).collect();
                format!("vec![{}]", items?.join(", "))
            }
            ShapeKind::Map => {
                let (key, value) = map_entries(shape);
                let entries = json.as_object().ok_or_else(|| format!("{shape_name}: expected an object"))?;
                let mut pairs = Vec::new();
                for (k, v) in entries {
                    pairs.push(format!(
                        "({}, {})",
                        self.value(&key.shape, &Value::String(k.clone()))?,
                        self.value(&value.shape, v)?
                    ));
                }
                format!("::std::collections::HashMap::from([{}])", pairs.join(", "))
            }
            ShapeKind::Unsupported => return Err(format!("{shape_name}: unsupported shape type")),
        })
    }
}
