//! Which sources a profile's credentials come from: a base (static keys, a process, SSO, a web
//! identity token, or a `credential_source`) and the roles assumed on top of it, in order.
//! Pure: reading the files and calling STS are the caller's business.

use crate::runtime::credential_provider::CredentialsError;
use crate::runtime::profile::ProfileSet;

/// The longest chain of roles followed (botocore has no limit but a loop check; a limit keeps a
/// generated config from making hundreds of STS calls).
const MAX_ROLES: usize = 16;

/// Where the first credentials of a chain come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Base {
    /// `aws_access_key_id` / `aws_secret_access_key` of this profile.
    StaticKeys { profile: String },
    /// The `credential_process` of this profile.
    Process { profile: String, command: String },
    /// The SSO settings of this profile (`sso_session` or `sso_start_url`).
    Sso { profile: String },
    /// `AssumeRoleWithWebIdentity` with the token in `token_file`, for `role`.
    WebIdentity { role: Role, token_file: String },
    /// `credential_source` of this profile.
    Source { profile: String, source: CredentialSource },
}

/// The values `credential_source` may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CredentialSource {
    /// The environment variables' keys.
    Environment,
    /// The instance metadata service.
    Ec2InstanceMetadata,
    /// A container agent.
    EcsContainer,
}

/// A role to assume, with a profile's settings for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Role {
    /// The profile that names the role.
    pub(crate) profile: String,
    pub(crate) role_arn: String,
    pub(crate) session_name: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) duration_seconds: Option<i32>,
}

/// A profile's credentials: the base, then each role assumed with the credentials before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProfileChain {
    pub(crate) base: Base,
    pub(crate) roles: Vec<Role>,
}

impl ProfileChain {
    /// The chain from `roles` as found, from the asked profile down to its source: they are
    /// assumed in the other order, the source's first.
    fn from_roles_top_down(base: Base, mut roles: Vec<Role>) -> Self {
        roles.reverse();
        Self { base, roles }
    }
}

/// The file `key` of `profile` is read from, for an error message.
fn file_of(set: &ProfileSet, profile: &str, key: &str) -> String {
    set.source_of(profile, key).unwrap_or("the shared files").to_owned()
}

/// The profile keys that make a profile an SSO one (any of them: a profile with only some is
/// an SSO profile set up halfway, and its error names what is missing).
const SSO_KEYS: [&str; 5] = ["sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name"];

/// The chain of `profile`; `Ok(None)` when the profile names no source of credentials at all
/// (the default chain goes on). A profile reached through `source_profile` must give
/// credentials, and a loop, a `role_arn` without a source, or an `mfa_serial` is an error.
pub(crate) fn resolve(set: &ProfileSet, profile: &str) -> Result<Option<ProfileChain>, CredentialsError> {
    let mut roles = Vec::new();
    let mut visited: Vec<String> = Vec::new();
    let mut current = profile.to_owned();
    loop {
        let where_ = |key: &str| file_of(set, &current, key);
        let is_source = !visited.is_empty();
        let has_static_keys = set.get(&current, "aws_access_key_id").is_some();
        // As botocore: in a profile reached as a source, static keys win over its own role_arn
        // (which also makes `source_profile = <itself>` mean "assume the role with my keys").
        let role_arn = set.get(&current, "role_arn").filter(|_| !(is_source && has_static_keys));
        if visited.contains(&current) && role_arn.is_some() {
            visited.push(current.clone());
            return Err(CredentialsError::new(format!(
                "the profiles form a loop through source_profile: {}",
                visited.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>().join(" -> ")
            )));
        }
        visited.push(current.clone());
        let Some(role_arn) = role_arn else {
            let base = base_of(set, &current)?;
            return match base {
                Some(base) => Ok(Some(ProfileChain::from_roles_top_down(base, roles))),
                None if !is_source => Ok(None),
                None => Err(CredentialsError::new(format!(
                    "profile {current:?} is the source_profile of {:?} but has no credentials: no \
                     aws_access_key_id, credential_process, SSO settings or role_arn",
                    visited.get(visited.len().saturating_sub(2)).map(String::as_str).unwrap_or(profile)
                ))),
            };
        };
        if set.get(&current, "mfa_serial").is_some() {
            return Err(CredentialsError::new(format!(
                "profile {current:?} in {} asks for an MFA code (mfa_serial), which a library cannot prompt for: \
                 give the client credentials yourself with Config::builder().credentials_provider(..)",
                where_("mfa_serial")
            )));
        }
        let role = Role {
            profile: current.clone(),
            role_arn: role_arn.to_owned(),
            session_name: set.get(&current, "role_session_name").map(str::to_owned),
            external_id: set.get(&current, "external_id").map(str::to_owned),
            duration_seconds: duration_seconds(set, &current)?,
        };
        if roles.len() >= MAX_ROLES {
            return Err(CredentialsError::new(format!(
                "profile {profile:?} chains more than {MAX_ROLES} roles through source_profile"
            )));
        }
        if let Some(token_file) = set.get(&current, "web_identity_token_file") {
            let base = Base::WebIdentity { role, token_file: token_file.to_owned() };
            return Ok(Some(ProfileChain::from_roles_top_down(base, roles)));
        }
        let source_profile = set.get(&current, "source_profile");
        let credential_source = set.get(&current, "credential_source");
        match (source_profile, credential_source) {
            (Some(_), Some(_)) => {
                return Err(CredentialsError::new(format!(
                    "profile {current:?} in {} has both source_profile and credential_source; keep one",
                    where_("role_arn")
                )))
            }
            (None, None) => {
                return Err(CredentialsError::new(format!(
                    "profile {current:?} in {} has role_arn but neither source_profile, credential_source nor \
                     web_identity_token_file to assume it with",
                    where_("role_arn")
                )))
            }
            (None, Some(source)) => {
                let source = match source.trim() {
                    "Environment" => CredentialSource::Environment,
                    "Ec2InstanceMetadata" => CredentialSource::Ec2InstanceMetadata,
                    "EcsContainer" => CredentialSource::EcsContainer,
                    other => {
                        return Err(CredentialsError::new(format!(
                            "credential_source of profile {current:?} in {} is {other:?}; it must be Environment, \
                             Ec2InstanceMetadata or EcsContainer",
                            where_("credential_source")
                        )))
                    }
                };
                roles.push(role);
                return Ok(Some(ProfileChain::from_roles_top_down(Base::Source { profile: current, source }, roles)));
            }
            (Some(next), None) => {
                if !set.has_profile(next) {
                    return Err(CredentialsError::new(format!(
                        "source_profile of profile {current:?} in {} names profile {next:?}, which does not exist",
                        where_("source_profile")
                    )));
                }
                roles.push(role);
                current = next.to_owned();
            }
        }
    }
}

/// The base a profile gives by itself, if any.
fn base_of(set: &ProfileSet, profile: &str) -> Result<Option<Base>, CredentialsError> {
    let where_ = |key: &str| file_of(set, profile, key);
    match (set.get(profile, "aws_access_key_id"), set.get(profile, "aws_secret_access_key")) {
        (Some(_), Some(_)) => return Ok(Some(Base::StaticKeys { profile: profile.to_owned() })),
        (Some(_), None) => {
            return Err(CredentialsError::new(format!(
                "profile {profile:?} in {} has aws_access_key_id but no aws_secret_access_key",
                where_("aws_access_key_id")
            )))
        }
        (None, Some(_)) => {
            return Err(CredentialsError::new(format!(
                "profile {profile:?} in {} has aws_secret_access_key but no aws_access_key_id",
                where_("aws_secret_access_key")
            )))
        }
        (None, None) => {}
    }
    if let Some(command) = set.get(profile, "credential_process") {
        return Ok(Some(Base::Process { profile: profile.to_owned(), command: command.to_owned() }));
    }
    if SSO_KEYS.iter().any(|key| set.get(profile, key).is_some()) {
        return Ok(Some(Base::Sso { profile: profile.to_owned() }));
    }
    if set.get(profile, "web_identity_token_file").is_some() {
        return Err(CredentialsError::new(format!(
            "profile {profile:?} in {} has web_identity_token_file but no role_arn to assume with it",
            where_("web_identity_token_file")
        )));
    }
    Ok(None)
}

/// `duration_seconds`: 900 to 43200, as STS accepts.
fn duration_seconds(set: &ProfileSet, profile: &str) -> Result<Option<i32>, CredentialsError> {
    let Some(value) = set.get(profile, "duration_seconds") else {
        return Ok(None);
    };
    match value.trim().parse::<i32>() {
        Ok(seconds) if (900..=43_200).contains(&seconds) => Ok(Some(seconds)),
        _ => Err(CredentialsError::new(format!(
            "duration_seconds of profile {profile:?} must be a whole number of seconds from 900 to 43200, not {value:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(config: &str, profile: &str) -> Result<Option<ProfileChain>, CredentialsError> {
        resolve(&ProfileSet::parse(config, "").unwrap(), profile)
    }

    fn role(profile: &str, arn: &str) -> Role {
        Role {
            profile: profile.into(),
            role_arn: arn.into(),
            session_name: None,
            external_id: None,
            duration_seconds: None,
        }
    }

    #[test]
    fn two_roles_deep_from_static_keys() {
        let config = "[profile admin]\nrole_arn = arn:aws:iam::222222222222:role/admin\nsource_profile = ops\n\
                      external_id = ext-1\nrole_session_name = me\nduration_seconds = 900\n\
                      [profile ops]\nrole_arn = arn:aws:iam::111111111111:role/ops\nsource_profile = base\n\
                      [profile base]\naws_access_key_id = AKID\naws_secret_access_key = s\n";
        let resolved = chain(config, "admin").unwrap().unwrap();
        assert_eq!(resolved.base, Base::StaticKeys { profile: "base".into() });
        let admin = Role {
            session_name: Some("me".into()),
            external_id: Some("ext-1".into()),
            duration_seconds: Some(900),
            ..role("admin", "arn:aws:iam::222222222222:role/admin")
        };
        assert_eq!(resolved.roles, [role("ops", "arn:aws:iam::111111111111:role/ops"), admin]);
    }

    #[test]
    fn self_reference_uses_the_profiles_own_keys() {
        let config = "[profile me]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = me\n\
                      aws_access_key_id = A\naws_secret_access_key = s\n";
        let resolved = chain(config, "me").unwrap().unwrap();
        assert_eq!(resolved.base, Base::StaticKeys { profile: "me".into() });
        assert_eq!(resolved.roles, [role("me", "arn:aws:iam::1:role/r")]);
    }

    #[test]
    fn loops_are_named() {
        let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n\
                      [profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n";
        let err = chain(config, "a").unwrap_err();
        assert_eq!(err.to_string(), "the profiles form a loop through source_profile: \"a\" -> \"b\" -> \"a\"");
        let config = "[profile me]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = me\n";
        assert!(chain(config, "me").unwrap_err().to_string().contains("\"me\" -> \"me\""));
    }

    #[test]
    fn credential_sources_web_identity_and_sso() {
        let config = "[profile ec2]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Ec2InstanceMetadata\n\
                      [profile oidc]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = /var/token\n\
                      [profile on-oidc]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = oidc\n\
                      [profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n\
                      [profile bad]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Laptop\n";
        let ec2 = chain(config, "ec2").unwrap().unwrap();
        assert_eq!(ec2.base, Base::Source { profile: "ec2".into(), source: CredentialSource::Ec2InstanceMetadata });
        assert_eq!(ec2.roles.len(), 1);
        let oidc = chain(config, "on-oidc").unwrap().unwrap();
        let web = Base::WebIdentity { role: role("oidc", "arn:aws:iam::1:role/w"), token_file: "/var/token".into() };
        assert_eq!(oidc.base, web);
        assert_eq!(oidc.roles, [role("on-oidc", "arn:aws:iam::1:role/x")]);
        assert_eq!(chain(config, "sso").unwrap().unwrap().base, Base::Sso { profile: "sso".into() });
        assert!(chain(config, "bad").unwrap_err().to_string().contains("must be Environment, Ec2InstanceMetadata"));
    }

    #[test]
    fn misconfigurations_are_errors_and_nothing_is_none() {
        let config = "[profile mfa]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = k\nmfa_serial = arn:mfa\n\
                      [profile k]\naws_access_key_id = A\naws_secret_access_key = s\n\
                      [profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = k\ncredential_source = Environment\n\
                      [profile neither]\nrole_arn = arn:aws:iam::1:role/r\n\
                      [profile ghost]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = nobody\n\
                      [profile empty-source]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = empty\n\
                      [profile empty]\nregion = us-east-1\n\
                      [profile long]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = k\nduration_seconds = 50000\n";
        for (profile, expected) in [
            ("mfa", "credentials_provider(..)"),
            ("both", "both source_profile and credential_source"),
            ("neither", "neither source_profile, credential_source nor web_identity_token_file"),
            ("ghost", "names profile \"nobody\", which does not exist"),
            ("empty-source", "profile \"empty\" is the source_profile of \"empty-source\" but has no credentials"),
            ("long", "from 900 to 43200"),
        ] {
            let err = chain(config, profile).unwrap_err();
            assert!(err.to_string().contains(expected), "{profile}: {err}");
            assert!(!err.is_not_loaded());
        }
        assert_eq!(chain(config, "empty").unwrap(), None);
        assert_eq!(chain(config, "missing").unwrap(), None);
    }
}
