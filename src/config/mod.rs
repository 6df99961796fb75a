//! crossdeck's configuration: where it is found, what it holds, and its checks with file:line:col.

mod check;
mod cost;
mod error;
mod events;
mod keys;
mod raw;
mod roster;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use check::{check_account_id, check_unique_id};
pub use error::{ConfigError, line_col};
pub use events::{DEFAULT_SAFETY_POLL, EventsConfig, queue_region};

use crate::app::keymap::{Key, KeyAction};
use crate::lab::cost::CostSettings;
use crate::lab::{LabInfo, LabNames, PerRole};
use raw::RawConfig;

/// The role the roster assumes in each account unless told otherwise.
pub const DEFAULT_ROSTER_ROLE: &str = "OrganizationAccountAccessRole";
/// The region the lab guide uses.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The whole configuration, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub path: PathBuf,
    /// Region for every account without its own; `None` leaves it to AWS_REGION or the profile.
    pub region: Option<String>,
    /// Send every AWS call here (an emulator); S3 then uses path-style addressing.
    pub endpoint_url: Option<String>,
    pub read_only: bool,
    /// Attempts per AWS call, retries included (adaptive retry); `None` leaves the retries to
    /// AWS_MAX_ATTEMPTS / AWS_RETRY_MODE or the profile (3 attempts, standard mode, without them).
    pub max_attempts: Option<u32>,
    pub polling: Polling,
    /// `[events]`: the event-driven mode's queue, if any.
    pub events: Option<EventsConfig>,
    pub names: LabNames,
    /// The price table (the embedded one with `[prices]` on top) and the idle threshold.
    pub costs: CostSettings,
    /// `[keys]`: actions bound to other keys than the default ones.
    pub keys: Vec<(KeyAction, Vec<Key>)>,
    pub labs: Vec<LabConfig>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Polling {
    pub active: Duration,
    pub steady: Duration,
    /// The longest steady interval, reached by accounts unchanged for long.
    pub max_steady: Duration,
    pub max_concurrency: usize,
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            active: Duration::from_secs(3),
            steady: Duration::from_secs(30),
            max_steady: Duration::from_secs(120),
            max_concurrency: 16,
        }
    }
}

/// One participant's lab and how to reach each of its accounts.
#[derive(Clone, Debug, PartialEq)]
pub struct LabConfig {
    pub name: String,
    /// `None`: the Tools account's pipeline stack has it.
    pub unique_id: Option<String>,
    pub accounts: PerRole<Option<AccountConfig>>,
}

impl LabConfig {
    pub fn info(&self) -> LabInfo {
        LabInfo {
            name: self.name.clone(),
            unique_id: self.unique_id.clone(),
            accounts: PerRole::from_fn(|r| self.accounts[r].as_ref().map(|a| a.account_id.clone())),
            switch_roles: PerRole::from_fn(|r| {
                self.accounts[r]
                    .as_ref()
                    .and_then(|a| a.credentials.role_name())
            }),
        }
    }
}

/// One account: its id and where its credentials come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountConfig {
    pub account_id: String,
    pub credentials: CredentialSource,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// The CloudFormation service role DeleteStack passes, if any.
    pub cleanup_role: Option<CleanupRole>,
}

/// A CloudFormation service role for deleting the lab's stacks: CloudFormation then deletes
/// their resources with this role's permissions instead of the caller's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CleanupRole {
    /// A role name, the same in every account (`cleanup_role_name`).
    Name(String),
    /// An explicit role ARN (`cleanup_role_arn`, per account).
    Arn(String),
}

impl CleanupRole {
    /// The role's ARN in `account_id`, in the partition of `region`.
    pub fn arn(&self, account_id: &str, region: &str) -> String {
        match self {
            CleanupRole::Arn(arn) => arn.clone(),
            CleanupRole::Name(name) => {
                format!("arn:{}:iam::{account_id}:role/{name}", partition(region))
            }
        }
    }
}

/// The AWS partition a region belongs to.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

/// Where an account's credentials come from; only aws-config's providers are used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    /// A named profile of the shared config files (keys, role chains, SSO, credential_process).
    Profile(String),
    /// Assume this role from the source profile (or the default chain without one).
    AssumeRole {
        role_arn: String,
        source_profile: Option<String>,
        external_id: Option<String>,
        session_name: Option<String>,
    },
    /// IAM Identity Center: the role `role_name` in the account, through the `[sso-session]`
    /// of ~/.aws/config named `session` (its cached sign-in).
    Sso { session: String, role_name: String },
}

impl CredentialSource {
    /// The role's name (with its path) when crossdeck assumes one: `arn:aws:iam::1:role/a/B` → `a/B`.
    pub fn role_name(&self) -> Option<String> {
        match self {
            CredentialSource::AssumeRole { role_arn, .. } => role_arn
                .split_once(":role/")
                .map(|(_, name)| name.to_string())
                .filter(|n| !n.is_empty()),
            CredentialSource::Profile(_) | CredentialSource::Sso { .. } => None,
        }
    }

    /// One line saying where the credentials come from.
    pub fn describe(&self) -> String {
        match self {
            CredentialSource::Profile(p) => format!("profile {p}"),
            CredentialSource::Sso { session, role_name } => {
                format!("role {role_name} through SSO session {session}")
            }
            CredentialSource::AssumeRole {
                role_arn,
                source_profile,
                ..
            } => match source_profile {
                Some(p) => format!("role {role_arn} from profile {p}"),
                None => format!("role {role_arn} from the default credentials"),
            },
        }
    }
}

impl Config {
    /// The config file to read: `--config PATH`, else `./crossdeck.toml`, else
    /// `$XDG_CONFIG_HOME/crossdeck/config.toml` (`~/.config/...` without XDG_CONFIG_HOME).
    pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, String> {
        if let Some(p) = explicit {
            return Ok(p.to_path_buf());
        }
        let local = PathBuf::from("crossdeck.toml");
        if local.is_file() {
            return Ok(local);
        }
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
        let candidates: Vec<PathBuf> = xdg
            .map(|d| d.join("crossdeck").join("config.toml"))
            .into_iter()
            .collect();
        if let Some(p) = candidates.iter().find(|p| p.is_file()) {
            return Ok(p.clone());
        }
        let mut searched = vec!["./crossdeck.toml".to_string()];
        searched.extend(candidates.iter().map(|p| p.display().to_string()));
        Err(format!(
            "no config file found (looked for {}).\n\
             Copy config.example.toml to ./crossdeck.toml and fill in your accounts, pass \
             --config PATH, or run `crossdeck demo` for the simulated lab.",
            searched.join(" and ")
        ))
    }

    /// Read and check a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::file(path, format!("cannot read the config file: {e}")))?;
        Config::parse(path, &text)
    }

    /// Check config text as if read from `path` (relative roster paths resolve beside it).
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text)
            .map_err(|e| ConfigError::at(path, text, e.span(), e.message().trim().to_string()))?;
        check::Checker { path, text }.config(raw)
    }

    /// The labs as the dashboard shows them.
    pub fn lab_infos(&self) -> Vec<LabInfo> {
        self.labs.iter().map(LabConfig::info).collect()
    }

    /// The lab with this name, or a message listing the names there are.
    pub fn lab_index(&self, name: &str) -> Result<usize, String> {
        self.labs
            .iter()
            .position(|l| l.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.labs.iter().map(|l| l.name.as_str()).take(20).collect();
                format!(
                    "no lab named '{name}' in {} (labs: {}{})",
                    self.path.display(),
                    names.join(", "),
                    if self.labs.len() > 20 { ", ..." } else { "" }
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cleanup_role_name_becomes_the_accounts_arn_in_its_partition() {
        let name = CleanupRole::Name("crossdeck-cleanup".into());
        assert_eq!(
            name.arn("111111111111", "us-east-1"),
            "arn:aws:iam::111111111111:role/crossdeck-cleanup"
        );
        assert_eq!(
            name.arn("111111111111", "cn-north-1"),
            "arn:aws-cn:iam::111111111111:role/crossdeck-cleanup"
        );
        assert_eq!(
            name.arn("111111111111", "us-gov-west-1"),
            "arn:aws-us-gov:iam::111111111111:role/crossdeck-cleanup"
        );
        let arn = CleanupRole::Arn("arn:aws:iam::111111111111:role/a/B".into());
        assert_eq!(
            arn.arn("111111111111", "cn-north-1"),
            "arn:aws:iam::111111111111:role/a/B"
        );
    }
}
