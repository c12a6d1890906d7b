//! (stub: filled by the contract-tests issue)
