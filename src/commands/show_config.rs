//! `crossdeck config`: the checked configuration, lab by lab and account by account.

use crate::config::Config;
use crate::lab::Role;

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
    out.push_str(&format!("labs: {}\n", config.labs.len()));
    for lab in &config.labs {
        out.push_str(&format!("  {} (unique_id {})\n", lab.name, lab.unique_id));
        for role in Role::ALL {
            if let Some(a) = &lab.accounts[role] {
                let region = a
                    .region
                    .as_deref()
                    .map(|r| format!(", region {r}"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "    {:<12} {}  {}{region}\n",
                    role.key(),
                    a.account_id,
                    a.credentials.describe()
                ));
            }
        }
    }
    out
}
