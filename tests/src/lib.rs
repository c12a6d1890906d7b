//! Support for the workspace tests: a local moto server with signature checks (end to end),
//! a scripted HTTP stub for what moto cannot show (throttling, 5xx, HTML pages, slow answers),
//! and the recorded-response corpus for the contract tests.

pub mod fake_ec2;
pub mod fixtures;
pub mod moto;
mod moto_process;
pub mod observe;
pub mod proxy;
pub mod stub;

use ec2_sg::types::{IpPermission, IpRange};

/// The permission the tests use most: TCP port 22 from `cidr`.
pub fn ssh_from(cidr: &str) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
        .build()
}
