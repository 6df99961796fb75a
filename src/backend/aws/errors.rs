//! Failed AWS calls, classified: which ones mean the whole account is out of reach.

use std::error::Error as StdError;
use std::fmt;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::lab::{AccountError, ErrorKind};

/// Longest cause kept, in characters: it must fit one line of a pane.
const MAX_MESSAGE: usize = 240;

const DENIED: [&str; 9] = [
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "InvalidAccessKeyId",
    "UnauthorizedException",
];
const EXPIRED: [&str; 4] = [
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "TokenRefreshRequired",
];
const THROTTLED: [&str; 12] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
];

/// The permission IAM checks for a HEAD operation, whose refusal comes without a body to say so.
fn head_permission(op: &str) -> Option<&'static str> {
    match op {
        "HeadBucket" => Some("s3:ListBucket"),
        "HeadObject" => Some("s3:GetObject"),
        _ => None,
    }
}

/// One failed call: the operation, what kind of failure, and its cause in one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    pub op: &'static str,
    pub kind: ErrorKind,
    /// The service's error code, when the service answered.
    pub code: Option<String>,
    /// The HTTP status, when the service answered at all.
    pub status: Option<u16>,
    pub message: String,
}

impl CallError {
    /// Classify an SDK error from operation `op` (its API name, e.g. "DescribeStacks").
    pub fn from_sdk<E>(op: &'static str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let code = err.code().map(str::to_string);
        let status = match &err {
            SdkError::ServiceError(s) => Some(s.raw().status().as_u16()),
            SdkError::ResponseError(r) => Some(r.raw().status().as_u16()),
            _ => None,
        };
        // A HEAD answer has no body: a refusal is only its 403.
        let head_denied = code.is_none() && status == Some(403) && op.starts_with("Head");
        let message = match (&err, err.message()) {
            _ if head_denied => match head_permission(op) {
                Some(p) => format!("access denied ({p}?)"),
                None => "access denied".to_string(),
            },
            (SdkError::ServiceError(_), Some(m)) => {
                format!("{}: {m}", code.as_deref().unwrap_or("error"))
            }
            (SdkError::ServiceError(s), None) if code.is_none() => {
                let status = s.raw().status();
                if status.is_success() {
                    format!(
                        "HTTP {}, but the answer does not match the {op} API",
                        status.as_u16()
                    )
                } else {
                    format!(
                        "HTTP {}, and the answer is not an AWS error (a proxy, or an emulator \
                         that lacks {op}?)",
                        status.as_u16()
                    )
                }
            }
            _ => DisplayErrorContext(&err).to_string(),
        };
        let kind = match (&err, code.as_deref()) {
            _ if head_denied => ErrorKind::AccessDenied,
            (_, Some(c)) if DENIED.contains(&c) => ErrorKind::AccessDenied,
            (_, Some(c)) if EXPIRED.contains(&c) => ErrorKind::Expired,
            (_, Some(c)) if THROTTLED.contains(&c) => ErrorKind::Throttled,
            (SdkError::ServiceError(_), _) => ErrorKind::Other,
            (SdkError::TimeoutError(_), _) => ErrorKind::Unreachable,
            (SdkError::DispatchFailure(d), _) if d.is_io() || d.is_timeout() => {
                ErrorKind::Unreachable
            }
            _ => classify_text(&message),
        };
        CallError {
            op,
            kind,
            code,
            status,
            message: one_line(&message),
        }
    }

    /// An error found by crossdeck itself rather than returned by a call.
    pub fn new(op: &'static str, kind: ErrorKind, message: impl Into<String>) -> Self {
        CallError {
            op,
            kind,
            code: None,
            status: None,
            message: one_line(&message.into()),
        }
    }

    /// True when no other call of the account can succeed either: credentials expired or
    /// missing, the endpoint out of reach, the wrong account, or throttled past the retries.
    /// A refusal the service answered without a code (a HEAD's bare 403) concerns that one
    /// resource only.
    pub fn account_wide(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Expired
                | ErrorKind::Unreachable
                | ErrorKind::WrongAccount
                | ErrorKind::Throttled
        ) || (self.kind == ErrorKind::AccessDenied && self.code.is_none() && self.status.is_none())
            || self.code.as_deref().is_some_and(|c| {
                matches!(
                    c,
                    "InvalidClientTokenId"
                        | "UnrecognizedClientException"
                        | "SignatureDoesNotMatch"
                        | "InvalidAccessKeyId"
                        | "AuthFailure"
                )
            })
    }

    /// How the failure reads as a snapshot warning: the part that is missing and why.
    pub fn warning(&self) -> String {
        format!("{} failed: {}", self.op, self.message)
    }

    pub fn into_account_error(self) -> AccountError {
        AccountError {
            kind: self.kind,
            message: self.message,
        }
    }

    /// True when the service said the thing does not exist.
    pub fn is_not_found(&self) -> bool {
        self.code.as_deref().is_some_and(|c| {
            matches!(
                c,
                "NoSuchBucket"
                    | "NotFound"
                    | "ResourceNotFoundException"
                    | "ValidationError"
                    | "PipelineNotFoundException"
                    | "NoSuchKey"
                    | "404"
            )
        })
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.op, self.message)
    }
}

impl StdError for CallError {}

/// Errors raised before a request is sent (credential providers) only have their text.
fn classify_text(text: &str) -> ErrorKind {
    let t = text.to_ascii_lowercase();
    if t.contains("expired") {
        ErrorKind::Expired
    } else if t.contains("timed out")
        || t.contains("timeout")
        || t.contains("connect")
        || t.contains("dns")
    {
        ErrorKind::Unreachable
    } else if t.contains("credential") || t.contains("profile") || t.contains("sso") {
        ErrorKind::AccessDenied
    } else {
        ErrorKind::Other
    }
}

/// Collapse whitespace and cap the length so a cause fits one line.
pub fn one_line(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= MAX_MESSAGE {
        joined
    } else {
        let mut cut: String = joined.chars().take(MAX_MESSAGE - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_credential_failures_is_classified() {
        assert_eq!(
            classify_text("the SSO session associated with this profile has expired"),
            ErrorKind::Expired
        );
        assert_eq!(
            classify_text("io error: Connection refused"),
            ErrorKind::Unreachable
        );
        assert_eq!(
            classify_text("failed to load credentials: profile `x` not found"),
            ErrorKind::AccessDenied
        );
        assert_eq!(one_line("a\n  b\tc"), "a b c");
        assert_eq!(one_line(&"x".repeat(500)).chars().count(), MAX_MESSAGE);
    }
}
