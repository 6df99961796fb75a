//! STS: who the credentials belong to, checked against the configured account id.

use super::errors::CallError;
use crate::lab::ErrorKind;

/// The caller as STS sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

/// GetCallerIdentity.
pub async fn caller(client: &aws_sdk_sts::Client) -> Result<Identity, CallError> {
    let out = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| CallError::from_sdk("GetCallerIdentity", e))?;
    Ok(Identity {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
    })
}

/// An error when the credentials reach another account than the configured one.
pub fn check_account(seen: &Identity, configured: &str) -> Result<(), CallError> {
    if seen.account == configured {
        Ok(())
    } else {
        Err(CallError::new(
            "GetCallerIdentity",
            ErrorKind::WrongAccount,
            format!(
                "credentials are for account {} ({}), not the configured {configured}",
                seen.account, seen.arn
            ),
        ))
    }
}
