//! The address a failed connection was for: an interceptor puts the request's host and port into
//! a connector error, so the cause can say which address refused or timed out.

use std::error::Error as StdError;
use std::fmt;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextMut,
};
use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// A connection failure and the `host[:port]` it was trying to reach; its source is the
/// original error, whole.
#[derive(Debug)]
pub struct AtAddress {
    pub address: String,
    source: BoxError,
}

impl fmt::Display for AtAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connecting to {}", self.address)
    }
}

impl StdError for AtAddress {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.source.as_ref())
    }
}

/// The `host[:port]` of a URI (`https://host:port/path` → `host:port`).
pub fn authority(uri: &str) -> &str {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// The address of the attempt under way.
#[derive(Clone, Debug)]
struct Target(String);

impl Storable for Target {
    type Storer = StoreReplace<Self>;
}

/// Wraps each attempt's connector error in [`AtAddress`], keeping its kind (io, timeout, user,
/// other), so retries classify it as before.
#[derive(Debug, Default)]
pub struct RecordAddress;

impl Intercept for RecordAddress {
    fn name(&self) -> &'static str {
        "RecordAddress"
    }

    /// The request is handed to the connector whole, so its address is kept before it goes.
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let address = Target(authority(context.request().uri()).to_string());
        cfg.interceptor_state().store_put(address);
        Ok(())
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(address) = cfg.load::<Target>().map(|t| t.0.clone()) else {
            return Ok(());
        };
        let Some(result) = context.output_or_error_mut() else {
            return Ok(());
        };
        let Err(err) = result else {
            return Ok(());
        };
        let Some(connector) = err.as_connector_error() else {
            return Ok(());
        };
        let (timeout, io, user, other) = (
            connector.is_timeout(),
            connector.is_io(),
            connector.is_user(),
            connector.as_other(),
        );
        let placeholder = OrchestratorError::other("replaced by its address");
        let original = std::mem::replace(err, placeholder);
        let wrapped: BoxError = Box::new(AtAddress {
            address,
            source: Box::new(original),
        });
        let connector = if timeout {
            ConnectorError::timeout(wrapped)
        } else if io {
            ConnectorError::io(wrapped)
        } else if user {
            ConnectorError::user(wrapped)
        } else {
            ConnectorError::other(wrapped, other)
        };
        *err = OrchestratorError::connector(connector);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::authority;

    #[test]
    fn the_authority_is_host_and_port() {
        assert_eq!(authority("http://127.0.0.1:4566/"), "127.0.0.1:4566");
        assert_eq!(
            authority("https://cloudformation.us-east-1.amazonaws.com/?Action=X"),
            "cloudformation.us-east-1.amazonaws.com"
        );
        assert_eq!(authority("https://u:p@h:1#f"), "h:1");
        assert_eq!(authority("h"), "h");
    }
}
