//! Fluent builder types named without type parameters, as aws-sdk-ec2 programs extend them.

use ec2_sg::operation::authorize_security_group_ingress::builders::AuthorizeSecurityGroupIngressFluentBuilder;
use ec2_sg::operation::describe_security_groups::builders::DescribeSecurityGroupsFluentBuilder;
use ec2_sg::types::{Filter, IpPermission, IpRange};

/// Filters shared by inventory programs.
pub trait GroupFilters {
    fn with_tag(self, key: &str, value: &str) -> Self;
}

impl GroupFilters for DescribeSecurityGroupsFluentBuilder {
    fn with_tag(self, key: &str, value: &str) -> Self {
        self.filters(Filter::builder().name(format!("tag:{key}")).values(value).build())
    }
}

/// One rule per CIDR, as allow-list syncers add them.
pub fn allow_tcp(
    builder: AuthorizeSecurityGroupIngressFluentBuilder,
    port: i32,
    cidrs: &[&str],
) -> AuthorizeSecurityGroupIngressFluentBuilder {
    let mut permission = IpPermission::builder().ip_protocol("tcp").from_port(port).to_port(port);
    for cidr in cidrs {
        permission = permission.ip_ranges(IpRange::builder().cidr_ip(*cidr).description("allow-list").build());
    }
    builder.ip_permissions(permission.build())
}
