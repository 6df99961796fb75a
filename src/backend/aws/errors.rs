//! Failed AWS calls, classified: which ones mean the whole account is out of reach.

use std::error::Error as StdError;
use std::fmt;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use aws_smithy_runtime_api::client::result::ConnectorError;

use super::address::AtAddress;
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
    /// One line: the cause as a sentence.
    pub message: String,
    /// The whole error with every cause in its chain, for the log and the account's detail.
    pub detail: String,
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
            (SdkError::DispatchFailure(_) | SdkError::TimeoutError(_), _) => {
                match transport_failure(&err) {
                    Some((failure, address)) => transport_sentence(&failure, address.as_deref()),
                    None => chain_text(&err),
                }
            }
            _ => chain_text(&err),
        };
        let detail = DisplayErrorContext(&err).to_string();
        if matches!(err, SdkError::ServiceError(_)) {
            tracing::debug!(op, "call failed: {detail}");
        } else {
            tracing::warn!(op, "call failed: {detail}");
        }
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
            detail,
        }
    }

    /// An error found by crossdeck itself rather than returned by a call.
    pub fn new(op: &'static str, kind: ErrorKind, message: impl Into<String>) -> Self {
        let detail = message.into();
        CallError {
            op,
            kind,
            code: None,
            status: None,
            message: one_line(&detail),
            detail,
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
        // The whole error only when it says more than the sentence.
        let detail = if self.detail == self.message {
            String::new()
        } else {
            self.detail
        };
        AccountError {
            kind: self.kind,
            message: self.message,
            detail,
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

/// How a request failed to reach the service, read from its error chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transport {
    /// Nothing listens at the address.
    Refused,
    /// The connection was reset or aborted.
    Reset,
    TimedOut,
    /// The host name does not resolve.
    Dns,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// Another I/O failure, in its own words.
    Io(String),
}

/// The transport failure in `err`'s chain and the address it was for, if there is one.
pub fn transport_failure(err: &(dyn StdError + 'static)) -> Option<(Transport, Option<String>)> {
    let mut address = None;
    let (mut dns, mut tls, mut timeout) = (false, false, false);
    // The innermost I/O error: its kind and words.
    let mut io = None;
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(at) = e.downcast_ref::<AtAddress>() {
            address.get_or_insert_with(|| at.address.clone());
        }
        if let Some(c) = e.downcast_ref::<ConnectorError>() {
            timeout |= c.is_timeout();
        }
        let text = e.to_string().to_ascii_lowercase();
        dns |= text == "dns error" || text.contains("failed to lookup address");
        tls |= text.contains("tls") || text.contains("certificate");
        timeout |= text == "timeout" || text.contains("timed out");
        if let Some(i) = e.downcast_ref::<std::io::Error>() {
            io = Some((i.kind(), io_text(i)));
        }
        next = e.source();
    }
    use std::io::ErrorKind as Io;
    let failure = match io {
        _ if dns => Transport::Dns,
        Some((Io::ConnectionRefused, _)) => Transport::Refused,
        Some((Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe, _)) => Transport::Reset,
        Some((Io::TimedOut, _)) => Transport::TimedOut,
        _ if timeout => Transport::TimedOut,
        _ if tls => Transport::Tls,
        Some((_, text)) => Transport::Io(text),
        None => return None,
    };
    Some((failure, address))
}

/// An I/O error's words without the `(os error N)` tail.
fn io_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// A transport failure as one sentence with the address: `unreachable: connection refused by
/// 127.0.0.1:4566`, `timed out connecting to …`, `DNS cannot resolve …`.
pub fn transport_sentence(failure: &Transport, address: Option<&str>) -> String {
    let by = |what: &str| match address {
        Some(a) => format!("unreachable: {what} by {a}"),
        None => format!("unreachable: {what}"),
    };
    match failure {
        Transport::Refused => by("connection refused"),
        Transport::Reset => by("connection reset"),
        Transport::TimedOut => match address {
            Some(a) => format!("timed out connecting to {a}"),
            None => "timed out connecting to the service".to_string(),
        },
        Transport::Dns => match address {
            // The host without its port, which DNS never sees.
            Some(a) => format!(
                "DNS cannot resolve {}",
                a.rsplit_once(':')
                    .map_or(a, |(h, p)| if p.parse::<u16>().is_ok() { h } else { a })
            ),
            None => "DNS cannot resolve the service's host".to_string(),
        },
        Transport::Tls => match address {
            Some(a) => format!("TLS handshake with {a} failed"),
            None => "TLS handshake failed".to_string(),
        },
        Transport::Io(text) => {
            let text = text.to_lowercase();
            match address {
                Some(a) => format!("unreachable: {text} ({a})"),
                None => format!("unreachable: {text}"),
            }
        }
    }
}

/// The words of an error and of each cause, joined by ": ": what DisplayErrorContext says
/// without its debug dump, and without the layers that add nothing ("dispatch failure",
/// "other", "io error") or repeat the one before.
pub fn chain_text(err: &(dyn StdError + 'static)) -> String {
    const EMPTY: [&str; 7] = [
        "dispatch failure",
        "other",
        "io error",
        "connector error",
        "service error",
        "unhandled error",
        "construction failure",
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        let said = parts.last().is_some_and(|p| p.contains(&text));
        if !text.is_empty() && !said && !EMPTY.contains(&text.as_str()) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

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
    }

    #[test]
    fn transport_failures_read_as_sentences_with_the_address() {
        let at = Some("127.0.0.1:4566");
        assert_eq!(
            transport_sentence(&Transport::Refused, at),
            "unreachable: connection refused by 127.0.0.1:4566"
        );
        assert_eq!(
            transport_sentence(&Transport::Refused, None),
            "unreachable: connection refused"
        );
        assert_eq!(
            transport_sentence(&Transport::Reset, at),
            "unreachable: connection reset by 127.0.0.1:4566"
        );
        assert_eq!(
            transport_sentence(
                &Transport::TimedOut,
                Some("cloudformation.us-east-1.amazonaws.com")
            ),
            "timed out connecting to cloudformation.us-east-1.amazonaws.com"
        );
        assert_eq!(
            transport_sentence(&Transport::Dns, Some("sts.nowhere.example:443")),
            "DNS cannot resolve sts.nowhere.example"
        );
        assert_eq!(
            transport_sentence(&Transport::Dns, Some("sts.us-east-1.amazonaws.com")),
            "DNS cannot resolve sts.us-east-1.amazonaws.com"
        );
        assert_eq!(
            transport_sentence(&Transport::Tls, at),
            "TLS handshake with 127.0.0.1:4566 failed"
        );
        assert_eq!(
            transport_sentence(&Transport::Io("Network is unreachable".into()), at),
            "unreachable: network is unreachable (127.0.0.1:4566)"
        );
    }

    /// An error with a source, as hyper and the SDK nest them.
    #[derive(Debug)]
    struct Nested(&'static str, Option<Box<dyn StdError + Send + Sync>>);

    impl fmt::Display for Nested {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Nested {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_ref().map(|e| &**e as _)
        }
    }

    #[test]
    fn the_chain_gives_the_kind_of_failure() {
        use std::io::{Error, ErrorKind as Io};
        let refused = Nested(
            "client error (Connect)",
            Some(Box::new(Nested(
                "tcp connect error",
                Some(Box::new(Error::from(Io::ConnectionRefused))),
            ))),
        );
        assert_eq!(
            transport_failure(&refused),
            Some((Transport::Refused, None))
        );
        let dns = Nested(
            "dns error",
            Some(Box::new(Error::other(
                "failed to lookup address information: Name or service not known",
            ))),
        );
        assert_eq!(transport_failure(&dns).map(|f| f.0), Some(Transport::Dns));
        let timeout = Nested("timeout", None);
        assert_eq!(
            transport_failure(&timeout).map(|f| f.0),
            Some(Transport::TimedOut)
        );
        assert_eq!(transport_failure(&Nested("something else", None)), None);
    }

    #[test]
    fn the_chain_reads_without_empty_layers_or_repeats() {
        let err = Nested(
            "dispatch failure",
            Some(Box::new(Nested(
                "other",
                Some(Box::new(Nested(
                    "an error occurred while loading credentials",
                    Some(Box::new(Nested(
                        "the SSO session has expired",
                        Some(Box::new(Nested("the SSO session has expired", None))),
                    ))),
                ))),
            ))),
        );
        assert_eq!(
            chain_text(&err),
            "an error occurred while loading credentials: the SSO session has expired"
        );
        assert_eq!(one_line(&"x".repeat(500)).chars().count(), MAX_MESSAGE);
    }
}
