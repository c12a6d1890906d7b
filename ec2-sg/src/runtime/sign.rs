//! SigV4 signing of a built request, with `aws-sigv4`.

use super::request::HttpRequest;
use super::sdk_error::{Error, ErrorKind};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use std::time::SystemTime;

/// Adds `X-Amz-Date`, `Authorization` and, with a session token, `X-Amz-Security-Token`.
pub fn sign_request(
    request: &mut HttpRequest,
    credentials: &Credentials,
    region: &str,
    signing_name: &str,
    time: SystemTime,
) -> Result<(), Error> {
    // The very credentials, as the identity aws-sigv4 signs with (a cheap Arc clone).
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(signing_name)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| Error::new(ErrorKind::Configuration, format!("cannot sign the request: {e}")).with_source(e))?
        .into();
    let url = request.url();
    // The transport sets Content-Length itself; sign what it cannot change.
    let headers = request
        .headers
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("content-length"))
        .map(|(name, value)| (name.as_str(), value.as_str()));
    let signable =
        SignableRequest::new(request.method, &url, headers, SignableBody::Bytes(&request.body)).map_err(|e| {
            Error::new(ErrorKind::Configuration, format!("cannot sign a request to {url}: {e}")).with_source(e)
        })?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| Error::new(ErrorKind::Configuration, format!("cannot sign the request: {e}")).with_source(e))?
        .into_parts();
    for (name, value) in instructions.headers() {
        request.headers.push((name.to_string(), value.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::request::Endpoint;

    fn request() -> HttpRequest {
        let endpoint = Endpoint::parse("https://ec2.us-east-1.amazonaws.com").unwrap();
        HttpRequest {
            method: "POST",
            scheme: endpoint.scheme().to_string(),
            authority: endpoint.authority().to_string(),
            path: "/".into(),
            headers: vec![
                ("Content-Type".into(), "application/x-www-form-urlencoded; charset=utf-8".into()),
                ("Content-Length".into(), "43".into()),
            ],
            body: b"Action=DescribeSecurityGroups&Version=2016-11-15".to_vec(),
        }
    }

    #[test]
    fn adds_a_sigv4_authorization_for_the_region_and_service() {
        let mut request = request();
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_440_938_160);
        sign_request(&mut request, &Credentials::from_keys("AKIDEXAMPLE", "SECRET", None), "us-east-1", "ec2", time)
            .unwrap();
        let auth = request.header("authorization").unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request"),
            "{auth}"
        );
        assert!(auth.contains("SignedHeaders=content-type;host;x-amz-date"), "{auth}");
        assert_eq!(request.header("x-amz-date"), Some("20150830T123600Z"));
        assert!(request.header("x-amz-security-token").is_none());
        assert!(!format!("{request:?}").contains("SECRET"));
    }

    #[test]
    fn session_tokens_are_sent() {
        let mut request = request();
        let credentials = Credentials::from_keys("AKID", "SECRET", Some("TOKEN".into()));
        sign_request(&mut request, &credentials, "eu-west-1", "ec2", SystemTime::now()).unwrap();
        assert_eq!(request.header("x-amz-security-token"), Some("TOKEN"));
        let authorization = request.header("authorization").unwrap().to_string();
        assert!(authorization.contains("/eu-west-1/ec2/aws4_request"));
        // Neither the token nor the signature shows when a signed request is logged.
        let debug = format!("{request:?}");
        assert!(!debug.contains("TOKEN") && !debug.contains(&authorization), "{debug}");
        assert!(debug.contains("x-amz-security-token") && debug.contains("** redacted **"), "{debug}");
    }
}
