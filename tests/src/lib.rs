//! Support for the workspace tests: a local moto server with signature checks (end to end),
//! a scripted HTTP stub for what moto cannot show (throttling, 5xx, HTML pages, slow answers),
//! and the recorded-response corpus for the contract tests.

pub mod fixtures;
pub mod moto;
pub mod stub;
