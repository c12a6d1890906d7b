//! Programs written as aws-sdk-ec2's users write them. The only lines that name the SDK are
//! `use` lines: `cargo xtask compat-check` compiles these very files against aws-sdk-ec2 with
//! `ec2_sg` renamed in them, and `tests/compat/main.rs` runs them against moto.

pub mod builders;
pub mod errors;
pub mod flows;
pub mod paginators;
