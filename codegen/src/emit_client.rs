//! Fluent builders on the runtime's clients.

use crate::ir::Ir;
use proc_macro2::TokenStream;

pub fn emit(ir: &Ir) -> Result<TokenStream, String> {
    let _ = ir;
    Ok(TokenStream::new())
}
