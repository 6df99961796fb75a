//! Role profiles of the shared config files seen through to their source: an account whose
//! profile only assumes a role from another profile is reached as that role from that source,
//! so a class with a profile per account shares one base configuration and one STS client.

use aws_config::profile::{Profile, ProfileSet};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

/// What a plain role profile says: assume `role_arn` from `source_profile`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleProfile {
    pub role_arn: String,
    pub source_profile: String,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
    pub region: Option<String>,
}

/// Keys that make a role profile more than "this role from that profile" (MFA, a credential
/// source, SSO, web identity, its own keys, endpoints or session length): such a profile is
/// left to aws-config.
const NOT_PLAIN: [&str; 16] = [
    "mfa_serial",
    "credential_source",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "sso_region",
    "web_identity_token_file",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "endpoint_url",
    "services",
    "duration_seconds",
    "use_fips_endpoint",
];

/// The shared config and credentials files, as aws-config reads them (`AWS_CONFIG_FILE`,
/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws`); `None` when they cannot be read (aws-config
/// then reports the problem itself, per account).
pub async fn load() -> Option<ProfileSet> {
    load_from(&Fs::real(), &Env::real()).await
}

pub async fn load_from(fs: &Fs, env: &Env) -> Option<ProfileSet> {
    aws_config::profile::load(fs, env, &EnvConfigFiles::default(), None)
        .await
        .ok()
}

/// `name` as a plain role profile, when it is one.
pub fn role_profile(set: &ProfileSet, name: &str) -> Option<RoleProfile> {
    let p: &Profile = set.get_profile(name)?;
    let role_arn = p.get("role_arn")?.to_string();
    let source_profile = p.get("source_profile")?.to_string();
    let plain = NOT_PLAIN.iter().all(|k| p.get(k).is_none());
    if !plain || source_profile == name || set.get_profile(&source_profile).is_none() {
        return None;
    }
    Some(RoleProfile {
        role_arn,
        source_profile,
        external_id: p.get("external_id").map(str::to_string),
        session_name: p.get("role_session_name").map(str::to_string),
        region: p.get("region").map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn set(config: &str) -> ProfileSet {
        let fs = Fs::from_slice(&[("/cfg", config), ("/creds", "")]);
        let env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", "/cfg"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/creds"),
        ]);
        load_from(&fs, &env).await.expect("parses")
    }

    #[tokio::test]
    async fn a_plain_role_profile_is_seen_through_to_its_source() {
        let s = set("[profile instructor]\nregion = us-east-1\n\
             [profile lab1-tools]\nrole_arn = arn:aws:iam::111111111111:role/OrganizationAccountAccessRole\n\
             source_profile = instructor\nregion = eu-west-1\nexternal_id = x1\n\
             [profile mfa]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = instructor\nmfa_serial = arn:aws:iam::1:mfa/u\n\
             [profile loop]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = loop\n\
             [profile orphan]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = nobody\n\
             [profile keys]\naws_access_key_id = AKIA\naws_secret_access_key = s\n")
            .await;
        assert_eq!(
            role_profile(&s, "lab1-tools"),
            Some(RoleProfile {
                role_arn: "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole".into(),
                source_profile: "instructor".into(),
                external_id: Some("x1".into()),
                session_name: None,
                region: Some("eu-west-1".into()),
            })
        );
        for other in ["mfa", "loop", "orphan", "keys", "instructor", "missing"] {
            assert_eq!(role_profile(&s, other), None, "{other}");
        }
    }
}
