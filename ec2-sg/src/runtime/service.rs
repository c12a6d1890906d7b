//! What generated code tells the runtime about a service. It sits below configuration: the
//! operation contract (`operation.rs`) points at it, and `config` resolves endpoints with it.

/// What the endpoint resolver is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointInputs {
    /// The region.
    pub region: String,
    /// FIPS endpoints.
    pub use_fips: bool,
    /// Dual-stack (IPv4 and IPv6) endpoints.
    pub use_dual_stack: bool,
    /// A custom endpoint URL.
    pub endpoint_url: Option<String>,
}

/// What the generated code tells the runtime about a service; each operation points at its
/// service's (`Operation::SERVICE`).
#[derive(Debug)]
pub struct ServiceMetadata {
    /// The service id (`EC2`, `STS`), for messages.
    pub name: &'static str,
    /// The SigV4 signing name (`ec2`).
    pub signing_name: &'static str,
    /// The suffix of the service's endpoint variable: `AWS_ENDPOINT_URL_{name}`.
    pub endpoint_env_name: &'static str,
    /// Resolves the endpoint URL (generated from the model's endpoint rule set).
    pub resolve_endpoint: fn(&EndpointInputs) -> Result<String, String>,
}
