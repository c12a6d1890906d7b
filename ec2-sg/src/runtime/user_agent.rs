//! The `User-Agent` and `x-amz-user-agent` headers, as the AWS SDKs send them (their user agent
//! 2.1 format), so that AWS-side logs and CloudTrail tell this SDK, its version and the
//! application apart. `x-amz-user-agent` is signed; `User-Agent` is not (aws-sigv4 leaves it out,
//! as proxies may rewrite it).

pub use aws_types::app_name::AppName;

/// The SDK's name and version, as the user agent gives them.
const SDK: &str = concat!("ec2-sg/", env!("CARGO_PKG_VERSION"));

/// The two header values of a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgent {
    user_agent: String,
    amz_user_agent: String,
}

impl UserAgent {
    /// The headers for calls to `service` (its signing name, e.g. `ec2`) at API version
    /// `api_version`, with the application's name (aws-types' `AppName`, whose characters are
    /// valid in the header) if one is configured.
    pub fn new(service: &str, api_version: &str, app_name: Option<&AppName>) -> Self {
        let os = token(std::env::consts::OS);
        let user_agent = format!("{SDK} os/{os} lang/rust");
        let mut amz_user_agent =
            format!("{SDK} ua/2.1 api/{}#{} os/{os} lang/rust", token(service), token(api_version));
        if let Some(app_name) = app_name {
            amz_user_agent.push_str(" app/");
            amz_user_agent.push_str(app_name.as_ref());
        }
        Self { user_agent, amz_user_agent }
    }

    /// The `User-Agent` value.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The `x-amz-user-agent` value.
    pub fn amz_user_agent(&self) -> &str {
        &self.amz_user_agent
    }

    /// Both headers, by name, for a request.
    pub fn into_headers(self) -> [(String, String); 2] {
        [("User-Agent".to_string(), self.user_agent), ("x-amz-user-agent".to_string(), self.amz_user_agent)]
    }
}

/// A value made safe for the header: the characters the user agent grammar allows in a token
/// are kept, any other becomes `-`.
fn token(value: &str) -> String {
    value.chars().map(|c| if c.is_ascii_alphanumeric() || "!$%&'*+-.^_`|~".contains(c) { c } else { '-' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_headers_name_the_sdk_os_and_language() {
        let ua = UserAgent::new("ec2", "2016-11-15", None);
        assert!(ua.user_agent().starts_with(&format!("ec2-sg/{} os/", env!("CARGO_PKG_VERSION"))), "{ua:?}");
        assert!(ua.user_agent().ends_with(" lang/rust"), "{ua:?}");
        let amz = ua.amz_user_agent();
        assert!(amz.contains(" ua/2.1 api/ec2#2016-11-15 os/"), "{amz}");
        assert!(!amz.contains("app/"), "{amz}");
    }

    #[test]
    fn the_application_name_goes_last() {
        let app = AppName::new("inventory-v2").unwrap();
        let ua = UserAgent::new("ec2", "2016-11-15", Some(&app));
        assert!(ua.amz_user_agent().ends_with(" app/inventory-v2"), "{ua:?}");
        assert!(!ua.user_agent().contains("app/"), "{ua:?}");
        // AppName refuses what a header must not carry.
        assert!(AppName::new("a\r\nX-Evil: 1").is_err());
    }
}
