//! `crossdeck check`: every account's credentials, identity and read access, as a table, and
//! the event queue when the config has one.

use futures_util::StreamExt;

use super::Failure;
use crate::backend::aws::AwsBackend;
use crate::backend::aws::check::{self, AccountCheck, Probe};
use crate::backend::aws::queue::SqsQueue;
use crate::config::{Config, EventsConfig};

/// Check every account; the table goes to stdout. Exit 0 only when every check passed.
pub async fn run(config: &Config) -> Result<bool, Failure> {
    let backend = AwsBackend::new(config);
    let mut checks: Vec<AccountCheck> = futures_util::stream::iter(backend.keys())
        .map(|key| {
            let backend = &backend;
            async move { check::account(backend, key).await }
        })
        .buffer_unordered(config.polling.max_concurrency)
        .collect()
        .await;
    checks.sort_by_key(|c| c.key);
    print!("{}", table(config, &checks));
    let queue_ok = match &config.events {
        Some(e) => {
            let (ok, text) = queue(config, e).await;
            print!("{text}");
            ok
        }
        None => true,
    };
    Ok(checks.iter().all(AccountCheck::passed) && queue_ok)
}

/// The event queue: whether its identity can read it, and how many messages wait.
async fn queue(config: &Config, events: &EventsConfig) -> (bool, String) {
    let who = events
        .credentials
        .as_ref()
        .map_or_else(|| "the default credentials".to_string(), |c| c.describe());
    let depth = match SqsQueue::connect(config, events).await {
        Ok(q) => q.depth().await.map_err(|e| e.message),
        Err(e) => Err(e.message),
    };
    let (ok, line) = match depth {
        Ok(d) => (
            true,
            format!("{} waiting, {} in flight", d.waiting, d.in_flight),
        ),
        Err(e) => (false, format!("FAILED: {e}")),
    };
    let mark = if ok { "ok  " } else { "FAIL" };
    let text = format!(
        "{mark} event queue {}
     credentials: {who}
     {:<52} {line}
",
        events.queue_url, "sqs:GetQueueAttributes"
    );
    (ok, text)
}

/// The report: one block per account.
pub fn table(config: &Config, checks: &[AccountCheck]) -> String {
    let mut out = String::new();
    for c in checks {
        let lab = config.labs.get(c.key.lab).map_or("?", |l| l.name.as_str());
        let mark = if c.passed() { "ok  " } else { "FAIL" };
        out.push_str(&format!("{mark} {lab} {} {}\n", c.key.role, c.configured));
        out.push_str(&format!("     credentials: {}\n", c.source));
        match &c.identity {
            Ok(i) if i.account == c.configured => {
                out.push_str(&format!(
                    "     identity:    {} (account {} as configured)\n",
                    i.arn, i.account
                ));
            }
            Ok(i) => out.push_str(&format!(
                "     identity:    {} is account {}, but {} is configured\n",
                i.arn, i.account, c.configured
            )),
            Err(e) => out.push_str(&format!("     identity:    cannot be read: {e}\n")),
        }
        for (op, p) in &c.calls {
            match p {
                Probe::Ok => out.push_str(&format!("     {op:<52} ok\n")),
                Probe::NotYet(why) => out.push_str(&format!("     {op:<52} not sent: {why}\n")),
                Probe::Failed(e) => out.push_str(&format!("     {op:<52} FAILED: {e}\n")),
            }
        }
    }
    let failed = checks.iter().filter(|c| !c.passed()).count();
    out.push_str(&format!(
        "{} of {} accounts passed{}\n",
        checks.len() - failed,
        checks.len(),
        if failed > 0 { "" } else { "." }
    ));
    out
}
