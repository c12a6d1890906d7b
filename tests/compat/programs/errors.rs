//! Error handling as aws-sdk-ec2 programs write it.

use ec2_sg::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use ec2_sg::operation::RequestId;
use ec2_sg::{Client, Error};

/// What looking up one group can end in.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(String),
    Missing,
    Unreachable(String),
}

/// `match` on the SdkError variants, the service error's metadata, and DisplayErrorContext.
pub async fn find_group(client: &Client, group_id: &str) -> Result<Lookup, Error> {
    match client.describe_security_groups().group_ids(group_id).send().await {
        Ok(output) => {
            let name = output.security_groups().first().and_then(|g| g.group_name()).unwrap_or_default();
            Ok(Lookup::Found(name.to_string()))
        }
        Err(SdkError::ServiceError(e)) if e.err().meta().code() == Some("InvalidGroup.NotFound") => Ok(Lookup::Missing),
        Err(err @ (SdkError::TimeoutError(_) | SdkError::DispatchFailure(_))) => {
            Ok(Lookup::Unreachable(DisplayErrorContext(&err).to_string()))
        }
        Err(err) => Err(err.into()),
    }
}

/// `into_service_error()`, `ProvideErrorMetadata::code`, and `?` into the service-wide error.
pub async fn delete_if_exists(client: &Client, group_id: &str) -> Result<bool, Error> {
    match client.delete_security_group().group_id(group_id).send().await {
        Ok(_) => Ok(true),
        Err(err) => {
            let service_error = err.into_service_error();
            if service_error.code() == Some("InvalidGroup.NotFound") {
                Ok(false)
            } else {
                Err(service_error.into())
            }
        }
    }
}

/// `as_service_error()`, `code()`/`message()` on the SdkError itself, and `RequestId`.
pub async fn describe_failure(client: &Client, group_id: &str) -> Option<(String, String, Option<String>)> {
    let err = client.delete_security_group().group_id(group_id).send().await.err()?;
    let code = err.as_service_error().and_then(|e| e.code()).unwrap_or("unknown").to_string();
    let message = err.message().unwrap_or_default().to_string();
    let request_id = err.request_id().map(str::to_string);
    Some((code, message, request_id))
}

/// A dry run: the call would have succeeded when the code is `DryRunOperation`.
pub async fn may_delete(client: &Client, group_id: &str) -> Result<bool, Error> {
    match client.delete_security_group().group_id(group_id).dry_run(true).send().await {
        Ok(_) => Ok(true),
        Err(err) if err.code() == Some("DryRunOperation") => Ok(true),
        Err(err) if err.code() == Some("UnauthorizedOperation") => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// An error chain printed whole, as with anyhow's `{:#}`: each cause once.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut causes = vec![err.to_string()];
    let mut next = err.source();
    while let Some(cause) = next {
        causes.push(cause.to_string());
        next = cause.source();
    }
    causes
}
