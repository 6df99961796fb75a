//! `crossdeck status`: one poll of every account, printed as JSON or one line per lab.

use futures_util::StreamExt;

use super::Failure;
use crate::backend::{AccountKey, Backend};
use crate::lab::cost::CostSettings;
use crate::lab::progress::LabSnapshots;
use crate::lab::{AccountSnapshot, LabInfo, LabNames};
use crate::report::{self, Report};
use crate::report_events;

/// Poll the accounts of `labs` once (at most `concurrency` at a time) and build the report,
/// with each lab's newest `events` when asked.
pub async fn collect<B: Backend>(
    backend: &B,
    labs: &[LabInfo],
    names: &LabNames,
    costs: &CostSettings,
    only: Option<usize>,
    concurrency: usize,
    events: Option<usize>,
) -> Report {
    let keys: Vec<AccountKey> = labs
        .iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o == *i))
        .flat_map(|(lab, info)| info.roles().map(move |role| AccountKey { lab, role }))
        .collect();
    let now = backend.now();
    let results: Vec<_> = futures_util::stream::iter(keys)
        .map(|key| async move { (key, backend.snapshot(key).await) })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut snaps: Vec<LabSnapshots> = vec![LabSnapshots::default(); labs.len()];
    for (key, result) in results {
        let snap = match result {
            Ok(s) => s,
            Err(e) => {
                let id = labs[key.lab].accounts[key.role].clone().unwrap_or_default();
                let mut s = AccountSnapshot::empty(id, now);
                s.error = Some(e);
                s
            }
        };
        snaps[key.lab][key.role] = Some(snap);
    }
    Report {
        labs: labs
            .iter()
            .zip(&snaps)
            .enumerate()
            .filter(|(i, _)| only.is_none_or(|o| o == *i))
            .map(|(_, (info, s))| {
                let mut l = report::lab(info, names, s, costs, now);
                l.events = events.map(|n| report_events::events(info, s, n));
                l
            })
            .collect(),
    }
}

/// Print the report as asked.
pub fn print(report: &Report, json: bool) -> Result<(), Failure> {
    if json {
        let text = serde_json::to_string_pretty(report).map_err(|e| Failure {
            code: 1,
            message: format!("cannot write JSON: {e}"),
        })?;
        println!("{text}");
    } else {
        print!("{}", report::text(report));
    }
    Ok(())
}
