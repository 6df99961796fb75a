//! `[events]`: the SQS queue of the event-driven mode, how to reach it, and the safety poll.

use std::time::Duration;

use toml::Spanned;

use super::check::{Checker, check_role_arn, check_session_name};
use super::raw::RawEvents;
use super::{ConfigError, CredentialSource, Polling};

/// Steady polling while events flow, unless the config says otherwise.
pub const DEFAULT_SAFETY_POLL: Duration = Duration::from_secs(300);

/// The event queue and the identity that reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventsConfig {
    pub queue_url: String,
    /// `None`: the default credential chain.
    pub credentials: Option<CredentialSource>,
    /// The queue's region: `region`, else the one in the queue URL, else the config's.
    pub region: Option<String>,
    /// Steady polling while the queue is read without error.
    pub safety_poll: Duration,
}

impl EventsConfig {
    /// The queue's name: the URL's last path segment.
    pub fn queue_name(&self) -> &str {
        self.queue_url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(&self.queue_url)
    }
}

/// The region in an SQS queue URL's host (`sqs.us-east-1.amazonaws.com`, the legacy
/// `us-east-1.queue.amazonaws.com`), if it names one.
pub fn queue_region(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', ':']).next()?;
    let labels: Vec<&str> = host.split('.').collect();
    let region = match labels.as_slice() {
        ["sqs", region, ..] => region,
        [region, "queue", ..] => region,
        _ => return None,
    };
    let plausible = region.contains('-')
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    plausible.then(|| region.to_string())
}

/// Check a queue URL: `http(s)://host/<12-digit account>/<queue name>`.
fn check_queue_url(url: &str) -> Result<(), String> {
    let shape =
        "queue_url must look like https://sqs.<region>.amazonaws.com/<account id>/<queue name>";
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("{shape}, not '{url}'"));
    };
    if scheme != "https" && scheme != "http" {
        return Err(format!("{shape}, not '{url}'"));
    }
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    match parts.as_slice() {
        [host, account, name]
            if !host.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && !name.is_empty()
                && name.len() <= 80
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.') =>
        {
            Ok(())
        }
        _ => Err(format!("{shape}, not '{url}'")),
    }
}

impl Checker<'_> {
    pub(super) fn events(
        &self,
        raw: Spanned<RawEvents>,
        polling: &Polling,
    ) -> Result<EventsConfig, ConfigError> {
        let e = raw.into_inner();
        check_queue_url(e.queue_url.get_ref()).map_err(|m| self.err(e.queue_url.span(), m))?;
        let credentials = match (e.profile, e.role_arn) {
            (Some(p), Some(_)) => {
                return Err(self.err(p.span(), "give either `profile` or `role_arn`, not both"));
            }
            (Some(p), None) => {
                if let Some(s) = &e.source_profile {
                    return Err(self.err(
                        s.span(),
                        "`source_profile` goes with `role_arn`, not `profile`",
                    ));
                }
                Some(CredentialSource::Profile(p.into_inner()))
            }
            (None, Some(arn)) => {
                check_role_arn(arn.get_ref(), "").map_err(|m| self.err(arn.span(), m))?;
                if let Some(s) = &e.session_name {
                    check_session_name(s.get_ref()).map_err(|m| self.err(s.span(), m))?;
                }
                Some(CredentialSource::AssumeRole {
                    role_arn: arn.into_inner(),
                    source_profile: e.source_profile.map(Spanned::into_inner),
                    external_id: e.external_id,
                    session_name: e.session_name.map(Spanned::into_inner),
                })
            }
            (None, None) => {
                if let Some(s) = &e.source_profile {
                    return Err(self.err(s.span(), "`source_profile` goes with `role_arn`"));
                }
                None
            }
        };
        let region = match e.region {
            Some(r) => Some(self.region(r)?),
            None => queue_region(e.queue_url.get_ref()),
        };
        let safety_poll = match e.safety_poll_secs {
            Some(s)
                if Duration::from_secs(*s.get_ref()) < polling.steady || *s.get_ref() > 3600 =>
            {
                return Err(self.err(
                    s.span(),
                    format!(
                        "safety_poll_secs must be at least the steady interval ({} s) and at most 3600",
                        polling.steady.as_secs()
                    ),
                ));
            }
            Some(s) => Duration::from_secs(s.into_inner()),
            None => DEFAULT_SAFETY_POLL.max(polling.steady),
        };
        Ok(EventsConfig {
            queue_url: e.queue_url.into_inner(),
            credentials,
            region,
            safety_poll,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_comes_from_the_queue_url_when_it_names_one() {
        assert_eq!(
            queue_region("https://sqs.eu-west-1.amazonaws.com/123456789012/q").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            queue_region("https://us-east-2.queue.amazonaws.com/123456789012/q").as_deref(),
            Some("us-east-2")
        );
        assert_eq!(queue_region("http://127.0.0.1:4566/123456789012/q"), None);
        assert_eq!(queue_region("https://localhost/123456789012/q"), None);
    }

    #[test]
    fn queue_urls_need_an_account_and_a_name() {
        assert!(
            check_queue_url("https://sqs.us-east-1.amazonaws.com/123456789012/crossdeck-events")
                .is_ok()
        );
        assert!(check_queue_url("http://127.0.0.1:5000/123456789012/q.fifo").is_ok());
        for bad in [
            "sqs.us-east-1.amazonaws.com/123456789012/q",
            "ftp://h/123456789012/q",
            "https://h/12345/q",
            "https://h/123456789012",
            "https://h/123456789012/a b",
        ] {
            assert!(check_queue_url(bad).is_err(), "{bad}");
        }
    }
}
