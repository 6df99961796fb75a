//! `crossdeck events check`: which accounts have the forwarder rule, so an instructor sees
//! which would stay silent in the event-driven mode.

use futures_util::StreamExt;

use super::Failure;
use crate::backend::aws::AwsBackend;
use crate::backend::aws::forwarders::{self, Forwarder, RULE};
use crate::config::Config;

/// Look in every account; the table goes to stdout. True when every account forwards.
pub async fn check(config: &Config) -> Result<bool, Failure> {
    let backend = AwsBackend::new(config);
    let mut found: Vec<_> = futures_util::stream::iter(backend.keys())
        .map(|key| {
            let backend = &backend;
            async move { (key, forwarders::check(backend, key).await) }
        })
        .buffer_unordered(config.polling.max_concurrency)
        .collect()
        .await;
    found.sort_by_key(|(k, _)| *k);
    let mut out = String::new();
    for (key, f) in &found {
        let lab = config.labs.get(key.lab).map_or("?", |l| l.name.as_str());
        let id = backend.account(*key).map_or("?", |a| a.account_id.as_str());
        let (mark, what) = match f {
            Forwarder::Ready => ("ok  ", format!("{RULE} forwards the lab's events")),
            Forwarder::Wrong(why) => ("FAIL", format!("{RULE} is there, but {why}")),
            Forwarder::Missing => (
                "FAIL",
                format!(
                    "no rule {RULE} on the default bus: its changes reach crossdeck only \
                     by polling (deploy assets/cfn/events-forwarder.yaml)"
                ),
            ),
            Forwarder::Unknown(why) => ("FAIL", format!("cannot be told: {why}")),
        };
        out.push_str(&format!("{mark} {lab} {} {id}: {what}\n", key.role));
    }
    let ready = found.iter().filter(|(_, f)| f.ready()).count();
    out.push_str(&format!(
        "{ready} of {} accounts forward their events.\n",
        found.len()
    ));
    print!("{out}");
    Ok(ready == found.len())
}
