//! The checks a config passes after parsing: values, required accounts, credentials, the
//! roster, duplicate labs; each failure points at its file, line and column.

use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::raw::{RawAccount, RawConfig, RawLab, RawNames, RawPolling};
use super::{
    AccountConfig, CleanupRole, Config, ConfigError, CredentialSource, DEFAULT_ROSTER_ROLE,
    LabConfig, Polling, roster,
};
use crate::lab::{LabNames, PerRole, Role};

pub(super) struct Checker<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Checker<'_> {
    pub(super) fn err(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.path, self.text, Some(span), message)
    }

    pub fn config(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let region = raw.region.map(|r| self.region(r)).transpose()?;
        let endpoint_url = raw.endpoint_url.map(|u| self.endpoint(u)).transpose()?;
        let max_attempts = match raw.max_attempts {
            Some(m) if *m.get_ref() == 0 || *m.get_ref() > 10 => {
                return Err(self.err(m.span(), "max_attempts must be between 1 and 10"));
            }
            Some(m) => Some(m.into_inner()),
            None => None,
        };
        let cleanup_role = raw
            .cleanup_role_name
            .map(|n| self.cleanup_role_name(n))
            .transpose()?;
        let polling = self.polling(raw.polling.unwrap_or_default())?;
        let events = raw.events.map(|e| self.events(e, &polling)).transpose()?;
        let costs = super::cost::settings(self.path, self.text, raw.prices, raw.cost)?;
        let keys = super::keys::overrides(self.path, self.text, raw.keys)?;
        let mut labs = Vec::new();
        // Where each lab is defined, to point at a duplicate name.
        let mut origins = Vec::new();
        for lab in raw.labs {
            let at = ConfigError::at(self.path, self.text, Some(lab.get_ref().name.span()), "");
            labs.push(self.lab(lab)?);
            origins.push(at);
        }
        if let Some(r) = raw.roster {
            let span = r.span();
            let r = r.into_inner();
            let file = self
                .path
                .parent()
                .unwrap_or(Path::new("."))
                .join(r.file.get_ref());
            let role_name = match r.role_name {
                Some(n) if n.get_ref().is_empty() || n.get_ref().contains(['/', ':', ' ']) => {
                    return Err(self.err(n.span(), "role_name must be a plain IAM role name"));
                }
                Some(n) => n.into_inner(),
                None => DEFAULT_ROSTER_ROLE.to_string(),
            };
            let text = std::fs::read_to_string(&file).map_err(|e| {
                self.err(
                    r.file.span(),
                    format!("cannot read roster {}: {e}", file.display()),
                )
            })?;
            let roster = roster::parse(&file, &text, &role_name, r.source_profile.as_deref())?;
            if roster.is_empty() {
                return Err(self.err(span, format!("roster {} lists no labs", file.display())));
            }
            for (lab, line) in roster {
                labs.push(lab);
                origins.push(ConfigError::at_line(&file, line, 1, ""));
            }
        }
        for (i, lab) in labs.iter().enumerate() {
            if let Some(first) = labs[..i].iter().position(|l| l.name == lab.name) {
                let mut e = origins[i].clone();
                let (line, col) = origins[first].at.unwrap_or((0, 0));
                e.message = format!(
                    "lab name '{}' is used twice (first at {}:{line}:{col}); names must be unique",
                    lab.name,
                    origins[first].path.display()
                );
                return Err(e);
            }
        }
        // The top-level cleanup role serves every account without its own, roster ones too.
        if let Some(name) = cleanup_role {
            for lab in &mut labs {
                for role in Role::ALL {
                    if let Some(a) = lab.accounts[role].as_mut() {
                        a.cleanup_role.get_or_insert_with(|| name.clone());
                    }
                }
            }
        }
        if labs.is_empty() {
            return Err(ConfigError::at_line(
                self.path,
                1,
                1,
                "no labs: add a [[labs]] table or a [roster] (see config.example.toml)",
            ));
        }
        Ok(Config {
            path: self.path.to_path_buf(),
            region,
            endpoint_url,
            read_only: raw.read_only.unwrap_or(false),
            max_attempts,
            polling,
            events,
            names: names(raw.names.unwrap_or_default()),
            costs,
            keys,
            labs,
        })
    }

    fn cleanup_role_name(&self, n: Spanned<String>) -> Result<CleanupRole, ConfigError> {
        check_role_name(n.get_ref()).map_err(|m| self.err(n.span(), m))?;
        Ok(CleanupRole::Name(n.into_inner()))
    }

    pub(super) fn region(&self, r: Spanned<String>) -> Result<String, ConfigError> {
        let ok = !r.get_ref().is_empty()
            && r.get_ref()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(r.into_inner())
        } else {
            Err(self.err(
                r.span(),
                format!("'{}' is not a region name (like us-east-1)", r.get_ref()),
            ))
        }
    }

    pub(super) fn endpoint(&self, u: Spanned<String>) -> Result<String, ConfigError> {
        let s = u.get_ref();
        if s.starts_with("http://") || s.starts_with("https://") {
            Ok(u.into_inner())
        } else {
            Err(self.err(
                u.span(),
                format!("endpoint_url '{s}' must start with http:// or https://"),
            ))
        }
    }

    fn polling(&self, p: RawPolling) -> Result<Polling, ConfigError> {
        let d = Polling::default();
        let secs = |v: Option<Spanned<u64>>, default: Duration, what: &str| match v {
            Some(s) if *s.get_ref() == 0 || *s.get_ref() > 3600 => Err(self.err(
                s.span(),
                format!("{what} must be between 1 and 3600 seconds"),
            )),
            Some(s) => Ok(Duration::from_secs(s.into_inner())),
            None => Ok(default),
        };
        let active = secs(p.active_secs, d.active, "active_secs")?;
        let steady = secs(p.steady_secs, d.steady, "steady_secs")?;
        let max_steady = match p.max_steady_secs {
            Some(m) if Duration::from_secs(*m.get_ref()) < steady || *m.get_ref() > 3600 => {
                return Err(self.err(
                    m.span(),
                    "max_steady_secs must be at least steady_secs and at most 3600",
                ));
            }
            Some(m) => Duration::from_secs(m.into_inner()),
            None => d.max_steady.max(steady),
        };
        let max_concurrency = match p.max_concurrency {
            Some(m) if *m.get_ref() == 0 || *m.get_ref() > 256 => {
                return Err(self.err(m.span(), "max_concurrency must be between 1 and 256"));
            }
            Some(m) => m.into_inner() as usize,
            None => d.max_concurrency,
        };
        Ok(Polling {
            active,
            steady,
            max_steady,
            max_concurrency,
        })
    }

    fn lab(&self, lab: Spanned<RawLab>) -> Result<LabConfig, ConfigError> {
        let span = lab.span();
        let lab = lab.into_inner();
        if lab.name.get_ref().trim().is_empty() {
            return Err(self.err(lab.name.span(), "a lab's name cannot be empty"));
        }
        if let Some(u) = &lab.unique_id {
            check_unique_id(u.get_ref()).map_err(|m| self.err(u.span(), m))?;
        }
        let mut accounts = PerRole::default();
        for (role, acct) in [
            (Role::Tools, lab.tools),
            (Role::DataScience, lab.datascience),
            (Role::Stage, lab.stage),
            (Role::Production, lab.production),
        ] {
            match acct {
                Some(a) => accounts[role] = Some(self.account(a)?),
                None if role != Role::Production => {
                    return Err(self.err(
                        span.clone(),
                        format!(
                            "lab '{}' has no `{}` account",
                            lab.name.get_ref(),
                            role.key()
                        ),
                    ));
                }
                None => {}
            }
        }
        Ok(LabConfig {
            name: lab.name.into_inner(),
            unique_id: lab.unique_id.map(Spanned::into_inner),
            accounts,
        })
    }

    fn account(&self, a: Spanned<RawAccount>) -> Result<AccountConfig, ConfigError> {
        let span = a.span();
        let a = a.into_inner();
        check_account_id(a.account_id.get_ref()).map_err(|m| self.err(a.account_id.span(), m))?;
        let sso = match (a.sso_session, a.sso_role_name) {
            (Some(s), Some(r)) => {
                let other = [&a.profile, &a.role_arn, &a.source_profile]
                    .into_iter()
                    .flatten()
                    .next();
                if let Some(o) = other {
                    return Err(self.err(
                        o.span(),
                        "`sso_session` takes the place of `profile`, `role_arn` and `source_profile`",
                    ));
                }
                Some(CredentialSource::Sso {
                    session: s.into_inner(),
                    role_name: r.into_inner(),
                })
            }
            (Some(s), None) => {
                return Err(self.err(
                    s.span(),
                    "`sso_session` needs `sso_role_name` (the role of the permission set)",
                ));
            }
            (None, Some(r)) => {
                return Err(self.err(r.span(), "`sso_role_name` goes with `sso_session`"));
            }
            (None, None) => None,
        };
        let credentials = if let Some(c) = sso {
            c
        } else {
            match (a.profile, a.role_arn) {
                (Some(p), Some(_)) => {
                    return Err(self.err(p.span(), "give either `profile` or `role_arn`, not both"));
                }
                (None, None) => {
                    return Err(self.err(
                    span,
                    "an account needs `profile` (a profile of ~/.aws/config), `role_arn` to assume, or `sso_session` with `sso_role_name`",
                ));
                }
                (Some(p), None) => {
                    if let Some(s) = &a.source_profile {
                        return Err(self.err(
                            s.span(),
                            "`source_profile` goes with `role_arn`, not `profile`",
                        ));
                    }
                    CredentialSource::Profile(p.into_inner())
                }
                (None, Some(arn)) => {
                    check_role_arn(arn.get_ref(), a.account_id.get_ref())
                        .map_err(|m| self.err(arn.span(), m))?;
                    if let Some(s) = &a.session_name {
                        check_session_name(s.get_ref()).map_err(|m| self.err(s.span(), m))?;
                    }
                    CredentialSource::AssumeRole {
                        role_arn: arn.into_inner(),
                        source_profile: a.source_profile.map(Spanned::into_inner),
                        external_id: a.external_id,
                        session_name: a.session_name.map(Spanned::into_inner),
                    }
                }
            }
        };
        let cleanup_role = match (a.cleanup_role_name, a.cleanup_role_arn) {
            (Some(n), Some(_)) => {
                return Err(self.err(
                    n.span(),
                    "give either `cleanup_role_name` or `cleanup_role_arn`, not both",
                ));
            }
            (Some(n), None) => Some(self.cleanup_role_name(n)?),
            (None, Some(arn)) => {
                check_role_arn(arn.get_ref(), a.account_id.get_ref())
                    .map_err(|m| self.err(arn.span(), format!("cleanup_{m}")))?;
                Some(CleanupRole::Arn(arn.into_inner()))
            }
            (None, None) => None,
        };
        Ok(AccountConfig {
            account_id: a.account_id.into_inner(),
            credentials,
            region: a.region.map(|r| self.region(r)).transpose()?,
            endpoint_url: a.endpoint_url.map(|u| self.endpoint(u)).transpose()?,
            cleanup_role,
        })
    }
}

/// A 12-digit AWS account id.
pub fn check_account_id(id: &str) -> Result<(), String> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("account_id '{id}' must be 12 digits"))
    }
}

/// The guide's UniqueID: lowercase letters, digits and hyphens (it names buckets).
pub fn check_unique_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 20
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "unique_id '{id}' must be 1-20 lowercase letters, digits or hyphens (it is part of bucket names)"
        ))
    }
}

pub(super) fn check_role_arn(arn: &str, account_id: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_lit, _partition, iam, empty, acct, resource] = parts[..] else {
        return Err(format!(
            "role_arn '{arn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
        ));
    };
    if arn_lit != "arn" || iam != "iam" || !empty.is_empty() || !resource.starts_with("role/") {
        return Err(format!(
            "role_arn '{arn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
        ));
    }
    if !account_id.is_empty() && acct != account_id {
        return Err(format!(
            "role_arn is in account {acct} but account_id is {account_id}"
        ));
    }
    Ok(())
}

/// `len` characters of letters, digits and +=,.@-_ (IAM's names and session names).
fn iam_name(name: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c))
}

/// A plain IAM role name: 1-64 of letters, digits and +=,.@_- (no path, no ARN).
fn check_role_name(name: &str) -> Result<(), String> {
    if iam_name(name, 1..=64) {
        Ok(())
    } else {
        Err(format!(
            "cleanup_role_name '{name}' must be a plain IAM role name (1-64 letters, digits and +=,.@-_)"
        ))
    }
}

pub(super) fn check_session_name(name: &str) -> Result<(), String> {
    if iam_name(name, 2..=64) {
        Ok(())
    } else {
        Err(format!(
            "session_name '{name}' must be 2-64 characters of letters, digits and +=,.@-_"
        ))
    }
}

fn names(raw: RawNames) -> LabNames {
    let d = LabNames::default();
    LabNames {
        tools_catalog_stack: raw.tools_catalog_stack.unwrap_or(d.tools_catalog_stack),
        prep_stack: raw.prep_stack.unwrap_or(d.prep_stack),
        pipeline_stack: raw.pipeline_stack.unwrap_or(d.pipeline_stack),
        ds_catalog_stack: raw.ds_catalog_stack.unwrap_or(d.ds_catalog_stack),
        ds_resources_stack: raw.ds_resources_stack.unwrap_or(d.ds_resources_stack),
        stage_stack: raw.stage_stack.unwrap_or(d.stage_stack),
        portfolio_name: raw.portfolio_name.unwrap_or(d.portfolio_name),
        product_name: raw.product_name.unwrap_or(d.product_name),
        lambda_bucket_prefix: raw.lambda_bucket_prefix.unwrap_or(d.lambda_bucket_prefix),
        data_model_bucket_prefix: raw
            .data_model_bucket_prefix
            .unwrap_or(d.data_model_bucket_prefix),
        artifacts_bucket_prefix: raw
            .artifacts_bucket_prefix
            .unwrap_or(d.artifacts_bucket_prefix),
        ds_data_bucket_prefix: d.ds_data_bucket_prefix,
        pipeline_prefix: raw.pipeline_prefix.unwrap_or(d.pipeline_prefix),
        endpoint_prefix: raw.endpoint_prefix.unwrap_or(d.endpoint_prefix),
        lambda_zips: raw.lambda_zips.unwrap_or(d.lambda_zips),
        model_key: raw.model_key.unwrap_or(d.model_key),
        source_stage: raw.source_stage.unwrap_or(d.source_stage),
        tools_stage: raw.tools_stage.unwrap_or(d.tools_stage),
        stage_stage: raw.stage_stage.unwrap_or(d.stage_stage),
    }
}
