//! `resources.rs` of the generated crate, from the model's resources model (stub: filled by the issue that builds it).

use crate::ir::Ir;
use crate::Model;
use proc_macro2::TokenStream;

/// `None` when the model has no resources (or none is generated yet).
pub fn emit(model: &Model, ir: &Ir) -> Result<Option<TokenStream>, String> {
    let _ = (model, ir);
    Ok(None)
}
