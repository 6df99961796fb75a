//! `crossdeck config`: the checked configuration, lab by lab and account by account.

use crate::config::{CleanupRole, Config};
use crate::lab::Role;
use crate::lab::cost::{Kind, PriceTable};
use crate::lab::time::short_duration;

/// The configuration in words: where it was read from, settings, then each lab's accounts.
pub fn render(config: &Config) -> String {
    let mut out = format!("config: {}\n", config.path.display());
    out.push_str(&format!(
        "region: {}\n",
        config
            .region
            .as_deref()
            .unwrap_or("from AWS_REGION or the profile (else us-east-1)")
    ));
    if let Some(u) = &config.endpoint_url {
        out.push_str(&format!("endpoint_url: {u}\n"));
    }
    out.push_str(&format!("read_only: {}\n", config.read_only));
    out.push_str(&format!(
        "polling: {}s active, {}s steady, {} accounts at once\n",
        config.polling.active.as_secs(),
        config.polling.steady.as_secs(),
        config.polling.max_concurrency
    ));
    if let Some(e) = &config.events {
        out.push_str(&format!(
            "events: queue {} ({}, region {}), steady polling {}s while live\n",
            e.queue_url,
            e.credentials
                .as_ref()
                .map_or_else(|| "the default credentials".to_string(), |c| c.describe()),
            e.region.as_deref().unwrap_or("as the config's"),
            e.safety_poll.as_secs()
        ));
    }
    out.push_str(&costs(config));
    out.push_str(&keys(config));
    out.push_str(&format!("labs: {}\n", config.labs.len()));
    for lab in &config.labs {
        match &lab.unique_id {
            Some(u) => out.push_str(&format!("  {} (unique_id {u})\n", lab.name)),
            None => out.push_str(&format!(
                "  {} (unique_id from the pipeline stack)\n",
                lab.name
            )),
        }
        for role in Role::ALL {
            if let Some(a) = &lab.accounts[role] {
                let region = a
                    .region
                    .as_deref()
                    .map(|r| format!(", region {r}"))
                    .unwrap_or_default();
                let cleanup = match &a.cleanup_role {
                    Some(CleanupRole::Name(n)) => format!(", stacks deleted as role {n}"),
                    Some(CleanupRole::Arn(arn)) => format!(", stacks deleted as {arn}"),
                    None => String::new(),
                };
                out.push_str(&format!(
                    "    {:<12} {}  {}{region}{cleanup}\n",
                    role.key(),
                    a.account_id,
                    a.credentials.describe()
                ));
            }
        }
    }
    out
}

/// The remapped keys, one action a line, as the help will show them.
fn keys(config: &Config) -> String {
    if config.keys.is_empty() {
        return String::new();
    }
    let mut out = String::from("keys:\n");
    for (action, keys) in &config.keys {
        let name = crate::app::remap::ACTIONS
            .iter()
            .find(|(_, a)| a == action)
            .map_or("?", |(n, _)| n);
        let keys: Vec<String> = keys.iter().map(|k| k.label()).collect();
        let keys = if keys.is_empty() {
            "(none)".to_string()
        } else {
            keys.join(" ")
        };
        out.push_str(&format!("  {name} = {keys}\n"));
    }
    out
}

/// The cost settings: the price table's source, the overridden prices, the idle threshold.
fn costs(config: &Config) -> String {
    let c = &config.costs;
    let builtin = PriceTable::builtin();
    let mut out = format!(
        "cost: prices for {} taken {}, endpoints flagged {} after the pipeline finished\n",
        c.prices.region,
        c.prices.taken,
        short_duration(c.idle_after_secs)
    );
    for kind in [Kind::Endpoint, Kind::Notebook] {
        for (ty, usd) in c.prices.types(kind) {
            if builtin.hourly(kind, ty) != Some(usd) {
                out.push_str(&format!("  {} {ty} = {usd} USD/h\n", kind.key()));
            }
        }
    }
    out
}
