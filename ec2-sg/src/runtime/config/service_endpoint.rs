//! Endpoints per service: one `Config` serves every service generated into the crate, so the
//! endpoint is resolved for the service of the operation being called (its rule set and its
//! `AWS_ENDPOINT_URL_<SERVICE>`), once per service.

use super::resolve::endpoint_url_from;
use crate::runtime::env::Env;
use crate::runtime::profile::{ProfileSet, SharedFiles};
use crate::runtime::request::Endpoint;
use crate::runtime::sdk_error::Error;
use crate::runtime::service::{EndpointInputs, ServiceMetadata};
use std::sync::Mutex;

/// What endpoint resolution reads, kept from the builder, and the endpoints resolved so far.
#[derive(Debug)]
pub(crate) struct ServiceEndpoints {
    pub(crate) region: String,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
    /// Set with `Config::builder().endpoint_url(..)`: it applies to every service.
    pub(crate) endpoint_url: Option<String>,
    pub(crate) env: Env,
    pub(crate) profile: Option<String>,
    /// By service name; a handful of services at most, so a list.
    pub(crate) resolved: Mutex<Vec<(&'static str, Endpoint)>>,
}

impl ServiceEndpoints {
    /// The endpoint of `service`, resolved on first use (the environment and shared files are
    /// read then) and remembered.
    pub(crate) fn resolve(&self, service: &ServiceMetadata) -> Result<Endpoint, Error> {
        self.resolve_with(service, &SharedFiles::new(&self.env))
    }

    /// [`Self::resolve`], reading the shared files through `files` (the build's, read once).
    pub(crate) fn resolve_with(&self, service: &ServiceMetadata, files: &SharedFiles<'_>) -> Result<Endpoint, Error> {
        // A poisoned lock only means another thread panicked mid-push: the list is still valid.
        let mut resolved = self.resolved.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, endpoint)) = resolved.iter().find(|(name, _)| *name == service.name) {
            return Ok(endpoint.clone());
        }
        let endpoint_url = match &self.endpoint_url {
            Some(url) => Some(url.clone()),
            None => {
                let profile = self.profile.clone().unwrap_or_else(|| ProfileSet::selected(&self.env));
                endpoint_url_from(&self.env, files, service.endpoint_env_name, &profile)?
            }
        };
        let region = &self.region;
        let inputs = EndpointInputs {
            region: region.clone(),
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
            endpoint_url,
        };
        let url = (service.resolve_endpoint)(&inputs)
            .map_err(|e| Error::configuration(format!("no {} endpoint for region {region:?}: {e}", service.name)))?;
        let endpoint = Endpoint::parse(&url).map_err(Error::validation)?;
        resolved.push((service.name, endpoint.clone()));
        Ok(endpoint)
    }
}
