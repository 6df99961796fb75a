//! The cost text the screen shows: the header's running total, the idle warning and the `$` list
//! of billable resources per account, prepared from the lab's cost data and the clock.

use crate::lab::cost::{self, Billable, LabCost};
use crate::lab::time::short_duration;
use crate::lab::{Role, Timestamp};

use super::state::{App, LabState};

/// One billable resource as a row of the cost list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostRow {
    pub kind: &'static str,
    pub name: String,
    /// `ml.t2.medium ×1`.
    pub instance: String,
    pub running: String,
    /// `$0.056/h`, or `?` when the price is unknown.
    pub rate: String,
    /// `$0.12`, or `?`.
    pub so_far: String,
    /// Left running after the pipeline finished for longer than allowed.
    pub idle: bool,
}

/// One account's part of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostSection {
    /// `Tools 111111111111`.
    pub heading: String,
    pub rows: Vec<CostRow>,
}

/// The whole `$` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostList {
    pub title: String,
    pub sections: Vec<CostSection>,
    /// `≈ $0.42 so far · $0.112/h`, with unknown prices said.
    pub total: String,
    /// What a marked row means, when any is marked.
    pub idle_note: Option<String>,
    /// Where the prices come from.
    pub source: String,
}

/// `≈ $0.42 so far · $0.112/h`, plus how many prices are unknown; `None` when nothing bills.
pub fn total(cost: &LabCost, now: Timestamp) -> Option<String> {
    if !cost.billing() {
        return None;
    }
    let mut s = format!(
        "≈ {} so far · {}",
        cost::usd(cost.so_far(now)),
        cost::usd_per_hour(cost.hourly)
    );
    match cost.unknown {
        0 => {}
        1 => s.push_str(" + 1 unknown price"),
        n => s.push_str(&format!(" + {n} unknown prices")),
    }
    Some(s)
}

/// `≈ $0.42 · $0.112/h`, `+?` when prices are unknown; `None` when nothing bills.
pub fn total_short(cost: &LabCost, now: Timestamp) -> Option<String> {
    if !cost.billing() {
        return None;
    }
    let unknown = if cost.unknown > 0 { " +?" } else { "" };
    Some(format!(
        "≈ {} · {}{unknown}",
        cost::usd(cost.so_far(now)),
        cost::usd_per_hour(cost.hourly)
    ))
}

/// The warning for endpoints left running after the pipeline finished, when the lab has any.
pub fn idle_warning(app: &App, lab: &LabState) -> Option<String> {
    let n = lab.cost.idle_count(app.now);
    if n == 0 {
        return None;
    }
    let what = if n == 1 { "endpoint" } else { "endpoints" };
    Some(format!(
        "pipeline done over {} ago, {n} {what} still billing · $ lists them, C cleans up",
        threshold(app.costs.idle_after_secs)
    ))
}

/// The idle threshold in words: `45m`, `1h`, `1h 30m`.
pub fn threshold(secs: i64) -> String {
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    match (h, m) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m:02}m"),
    }
}

fn row(b: &Billable, now: Timestamp) -> CostRow {
    CostRow {
        kind: b.kind.key(),
        name: b.name.clone(),
        instance: format!("{} ×{}", b.instance_type, b.count),
        running: short_duration(b.running_secs(now)),
        rate: b.hourly.map_or("?".into(), cost::usd_per_hour),
        so_far: b.so_far(now).map_or("?".into(), cost::usd),
        idle: b.idle(now),
    }
}

/// The current lab's cost list.
pub fn cost_list(app: &App) -> Option<CostList> {
    let lab = app.lab()?;
    let now = app.now;
    let c = &lab.cost;
    let sections = lab
        .info
        .roles()
        .map(|role: Role| CostSection {
            heading: format!(
                "{role} {}",
                lab.info.accounts[role].as_deref().unwrap_or_default()
            ),
            rows: c.of(role).map(|b| row(b, now)).collect(),
        })
        .collect();
    let idle_note = (c.idle_count(now) > 0).then(|| {
        format!(
            "! left running more than {} after the pipeline finished",
            threshold(app.costs.idle_after_secs)
        )
    });
    let prices = &app.costs.prices;
    Some(CostList {
        title: format!("Costs · {}", lab.info.name),
        sections,
        total: total(c, now).unwrap_or_else(|| "nothing bills by the hour".into()),
        idle_note,
        source: format!(
            "An estimate from on-demand prices for {} taken {} (the config's [prices] overrides); storage and transfer not counted.",
            prices.region, prices.taken
        ),
    })
}
