//! Support for the workspace tests: a local moto server with signature checks (end to end), and
//! a scripted HTTP stub for what moto cannot show (throttling, 5xx, HTML pages, slow answers).

pub mod moto;
pub mod stub;
