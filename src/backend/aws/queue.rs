//! The event queue on SQS: ReceiveMessage long polls (20 s, up to 10 messages, an attempt
//! timeout above the wait), DeleteMessageBatch of what was taken, and GetQueueAttributes for
//! `check`; reached with the `[events]` identity. Under `--read-only` nothing is deleted.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, QueueAttributeName};

use super::address::RecordAddress;
use super::clients::{self, Settings};
use super::errors::CallError;
use crate::backend::{Message, Queue, QueueError};
use crate::config::{AccountConfig, Config, EventsConfig};
use crate::lab::{AccountError, ErrorKind};

/// ReceiveMessage waits this long for a message (SQS's longest long poll).
pub const WAIT: Duration = Duration::from_secs(20);
/// One ReceiveMessage attempt may take this long: the wait and some room for the answer.
pub const RECEIVE_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// Messages per ReceiveMessage and per DeleteMessageBatch (SQS's limit for both).
const BATCH: usize = 10;

/// The queue the config's `[events]` names.
#[derive(Clone, Debug)]
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    url: String,
    /// `--read-only`: receive (a read) but never delete; each message received is hidden for
    /// [`READ_ONLY_VISIBILITY`] rather than the queue's default.
    read_only: bool,
}

/// How long a message received under `--read-only` stays hidden before it can be received
/// again (it is known by its id then, and asks for no read): the default safety poll, so the
/// queue's receive limit moves it to the dead-letter queue within about half an hour.
pub const READ_ONLY_VISIBILITY: Duration = Duration::from_secs(300);

/// How many messages wait in the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Depth {
    /// Ready to be received.
    pub waiting: u64,
    /// Received by someone and not yet deleted.
    pub in_flight: u64,
}

impl SqsQueue {
    /// The queue's client, with the `[events]` credentials, the config's endpoint and retries.
    pub async fn connect(config: &Config, events: &EventsConfig) -> Result<Self, AccountError> {
        let settings = Settings {
            region: events.region.clone().or_else(|| config.region.clone()),
            endpoint_url: config.endpoint_url.clone(),
            max_attempts: config.max_attempts,
        };
        let profile = match &events.credentials {
            Some(crate::config::CredentialSource::Profile(p)) => Some(p.clone()),
            Some(crate::config::CredentialSource::AssumeRole { source_profile, .. }) => {
                source_profile.clone()
            }
            _ => None,
        };
        let base = clients::load_base(profile.as_deref(), &settings).await;
        let cfg = match &events.credentials {
            Some(credentials @ crate::config::CredentialSource::AssumeRole { .. }) => {
                let account = AccountConfig {
                    account_id: String::new(),
                    credentials: credentials.clone(),
                    region: None,
                    endpoint_url: None,
                    cleanup_role: None,
                };
                clients::account_config(&clients::Base::new(base), &account)
                    .await
                    .map_err(CallError::into_account_error)?
                    .0
            }
            _ => base,
        };
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .operation_attempt_timeout(RECEIVE_ATTEMPT_TIMEOUT)
            .build();
        let client = aws_sdk_sqs::Client::from_conf(
            aws_sdk_sqs::config::Builder::from(&cfg)
                .timeout_config(timeouts)
                .interceptor(RecordAddress)
                .build(),
        );
        Ok(SqsQueue::with_client(client, &events.queue_url).read_only(config.read_only))
    }

    /// A queue on a client made elsewhere (tests).
    pub fn with_client(client: aws_sdk_sqs::Client, url: &str) -> Self {
        SqsQueue {
            client,
            url: url.to_string(),
            read_only: false,
        }
    }

    /// Receive without ever deleting (`--read-only`).
    pub fn read_only(mut self, on: bool) -> Self {
        self.read_only = on;
        self
    }

    /// GetQueueAttributes: the messages waiting and in flight.
    pub async fn depth(&self) -> Result<Depth, QueueError> {
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(&self.url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .map_err(|e| queue_error(CallError::from_sdk("GetQueueAttributes", e)))?;
        // An attribute the answer lacks is not known to be zero.
        let attr = |name: QueueAttributeName| {
            out.attributes()
                .and_then(|a| a.get(&name))
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| QueueError {
                    kind: ErrorKind::Other,
                    message: format!("GetQueueAttributes did not say {}", name.as_str()),
                })
        };
        Ok(Depth {
            waiting: attr(QueueAttributeName::ApproximateNumberOfMessages)?,
            in_flight: attr(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)?,
        })
    }
}

/// A failed queue call in words, the queue's own errors explained.
fn queue_error(e: CallError) -> QueueError {
    let missing = e
        .code
        .as_deref()
        .is_some_and(|c| c.contains("NonExistentQueue") || c.contains("QueueDoesNotExist"));
    let message = if missing {
        format!("{} failed: the queue does not exist ({})", e.op, e.message)
    } else if e.kind == ErrorKind::AccessDenied {
        format!(
            "{} failed: access denied ({}); the identity needs the events-reader policy",
            e.op, e.message
        )
    } else {
        e.warning()
    };
    QueueError {
        kind: e.kind,
        message,
    }
}

impl Queue for SqsQueue {
    async fn receive(&self) -> Result<Vec<Message>, QueueError> {
        let hide = self
            .read_only
            .then_some(READ_ONLY_VISIBILITY.as_secs() as i32);
        let out = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .wait_time_seconds(WAIT.as_secs() as i32)
            .max_number_of_messages(BATCH as i32)
            .set_visibility_timeout(hide)
            .send()
            .await
            .map_err(|e| queue_error(CallError::from_sdk("ReceiveMessage", e)))?;
        Ok(out
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| {
                Some(Message {
                    receipt: m.receipt_handle?,
                    body: m.body.unwrap_or_default(),
                })
            })
            .collect())
    }

    async fn probe(&self) -> Result<(), QueueError> {
        let depth = self.depth().await?;
        tracing::info!(
            waiting = depth.waiting,
            in_flight = depth.in_flight,
            "event queue answers"
        );
        Ok(())
    }

    fn deletes(&self) -> bool {
        !self.read_only
    }

    async fn delete(&self, receipts: &[String]) -> Result<(), QueueError> {
        if self.read_only {
            return Ok(());
        }
        for chunk in receipts.chunks(BATCH) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(r)
                        .build()
                        .map_err(|e| QueueError {
                            kind: ErrorKind::Other,
                            message: format!("DeleteMessageBatch entry: {e}"),
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let out = self
                .client
                .delete_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| queue_error(CallError::from_sdk("DeleteMessageBatch", e)))?;
            if let Some(f) = out.failed.first() {
                return Err(QueueError {
                    kind: ErrorKind::Other,
                    message: format!(
                        "DeleteMessageBatch failed for {} of {} messages: {} {}",
                        out.failed.len(),
                        chunk.len(),
                        f.code,
                        f.message.as_deref().unwrap_or_default()
                    ),
                });
            }
        }
        Ok(())
    }
}
