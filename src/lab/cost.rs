//! Cost estimates: the hourly price table (embedded, overridable), what a lab runs that bills by
//! the hour, and the flag for endpoints left running after the pipeline finished. Pure arithmetic.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use serde::Deserialize;

use super::progress::LabSnapshots;
use super::{AccountSnapshot, Endpoint, Role, Timestamp};

/// The embedded price table (see the file for its source, region and date).
pub const PRICES_TOML: &str = include_str!("../../assets/prices.toml");

/// How long endpoints may run after the pipeline finished before the lab is flagged, by default.
pub const DEFAULT_IDLE_AFTER_SECS: i64 = 3600;

/// Endpoint statuses during which its instances bill.
const ENDPOINT_BILLS: &[&str] = &[
    "Creating",
    "InService",
    "Updating",
    "SystemUpdating",
    "RollingBack",
    "UpdateRollbackFailed",
];

/// What kind of resource bills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Endpoint,
    Notebook,
}

impl Kind {
    /// Lower-case word, as used in config and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Endpoint => "endpoint",
            Kind::Notebook => "notebook",
        }
    }
}

/// On-demand USD per instance-hour, per kind and instance type.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    /// The region the prices are for.
    pub region: String,
    /// The date the prices were taken (YYYY-MM-DD).
    pub taken: String,
    endpoint: BTreeMap<String, f64>,
    notebook: BTreeMap<String, f64>,
}

static BUILTIN: LazyLock<Arc<PriceTable>> =
    LazyLock::new(|| Arc::new(PriceTable::parse(PRICES_TOML).unwrap_or_default()));

impl PriceTable {
    /// Read a table in the format of `assets/prices.toml`.
    pub fn parse(text: &str) -> Result<PriceTable, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The embedded table, parsed once.
    pub fn builtin() -> Arc<PriceTable> {
        Arc::clone(&BUILTIN)
    }

    /// USD per hour of one instance of `instance_type`, if the table has it.
    pub fn hourly(&self, kind: Kind, instance_type: &str) -> Option<f64> {
        self.map(kind).get(instance_type).copied()
    }

    /// Set (override or add) one price.
    pub fn set(&mut self, kind: Kind, instance_type: &str, usd_per_hour: f64) {
        let map = match kind {
            Kind::Endpoint => &mut self.endpoint,
            Kind::Notebook => &mut self.notebook,
        };
        map.insert(instance_type.to_string(), usd_per_hour);
    }

    /// Every instance type priced for `kind`.
    pub fn types(&self, kind: Kind) -> impl Iterator<Item = (&str, f64)> {
        self.map(kind).iter().map(|(k, v)| (k.as_str(), *v))
    }

    fn map(&self, kind: Kind) -> &BTreeMap<String, f64> {
        match kind {
            Kind::Endpoint => &self.endpoint,
            Kind::Notebook => &self.notebook,
        }
    }
}

/// The prices and threshold the estimates use: the embedded table unless the config overrides.
#[derive(Clone, Debug, PartialEq)]
pub struct CostSettings {
    pub prices: Arc<PriceTable>,
    /// Endpoints running this long after the pipeline finished flag the lab.
    pub idle_after_secs: i64,
}

impl Default for CostSettings {
    fn default() -> Self {
        CostSettings {
            prices: PriceTable::builtin(),
            idle_after_secs: DEFAULT_IDLE_AFTER_SECS,
        }
    }
}

/// One resource that bills by the hour.
#[derive(Clone, Debug, PartialEq)]
pub struct Billable {
    pub role: Role,
    pub kind: Kind,
    pub name: String,
    /// The instance type (types joined by `+` for an endpoint with variants of several types).
    pub instance_type: String,
    pub count: u32,
    /// Billing since: an endpoint's creation, a notebook's last change to InService.
    pub since: Timestamp,
    /// USD per hour for all its instances; `None` when a type is not in the price table.
    pub hourly: Option<f64>,
    /// After this moment it counts as left running (endpoints, once the pipeline finished).
    pub idle_at: Option<Timestamp>,
}

impl Billable {
    pub fn running_secs(&self, now: Timestamp) -> i64 {
        now.secs_since(self.since)
    }

    /// The estimated cost so far, in USD; `None` when the price is unknown.
    pub fn so_far(&self, now: Timestamp) -> Option<f64> {
        self.hourly
            .map(|h| h * self.running_secs(now) as f64 / 3600.0)
    }

    /// Left running after the pipeline finished for longer than allowed.
    pub fn idle(&self, now: Timestamp) -> bool {
        self.idle_at.is_some_and(|t| now > t)
    }
}

/// What a lab runs that bills, derived when a poll arrives; amounts so far follow from the time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabCost {
    /// By role, then kind, then name.
    pub items: Vec<Billable>,
    /// USD per hour of the items with a known price.
    pub hourly: f64,
    /// Items whose price is unknown (not counted in the totals).
    pub unknown: usize,
    /// The earliest moment an endpoint counts as left running.
    pub idle_at: Option<Timestamp>,
}

impl LabCost {
    /// Anything bills.
    pub fn billing(&self) -> bool {
        !self.items.is_empty()
    }

    /// The estimated cost so far of the items with a known price, in USD.
    pub fn so_far(&self, now: Timestamp) -> f64 {
        // Folded from +0.0: an empty f64 sum is -0.0, which prints as `-0`.
        self.items
            .iter()
            .filter_map(|b| b.so_far(now))
            .fold(0.0, |sum, x| sum + x)
    }

    /// Some endpoint was left running after the pipeline finished for longer than allowed.
    pub fn idle(&self, now: Timestamp) -> bool {
        self.idle_at.is_some_and(|t| now > t)
    }

    /// How many endpoints are left running.
    pub fn idle_count(&self, now: Timestamp) -> usize {
        self.items.iter().filter(|b| b.idle(now)).count()
    }

    /// The items of one account.
    pub fn of(&self, role: Role) -> impl Iterator<Item = &Billable> {
        self.items.iter().filter(move |b| b.role == role)
    }
}

/// The lab's billable resources and their prices, from its latest snapshots.
pub fn lab_cost(snaps: &LabSnapshots, settings: &CostSettings) -> LabCost {
    let finished = snaps[Role::Tools].as_ref().and_then(pipeline_finished);
    let mut cost = LabCost::default();
    for (role, snap) in snaps.iter() {
        if let Some(s) = snap {
            cost.items
                .extend(account_items(role, s, finished, settings));
        }
    }
    for b in &cost.items {
        match b.hourly {
            Some(h) => cost.hourly += h,
            None => cost.unknown += 1,
        }
    }
    cost.idle_at = cost.items.iter().filter_map(|b| b.idle_at).min();
    cost
}

/// One account's billable resources. `finished` is when the lab's pipeline finished, if it did.
pub fn account_items(
    role: Role,
    snap: &AccountSnapshot,
    finished: Option<Timestamp>,
    settings: &CostSettings,
) -> Vec<Billable> {
    let prices = &settings.prices;
    let mut items: Vec<Billable> = snap
        .endpoints
        .iter()
        .filter(|e| ENDPOINT_BILLS.contains(&e.status.as_str()))
        .map(|e| {
            let (instance_type, count, hourly) = endpoint_price(e, prices);
            let idle_at = finished.map(|f| f.max(e.created).plus_secs(settings.idle_after_secs));
            Billable {
                role,
                kind: Kind::Endpoint,
                name: e.name.clone(),
                instance_type,
                count,
                since: e.created,
                hourly,
                idle_at,
            }
        })
        .collect();
    items.extend(
        snap.notebooks
            .iter()
            .filter(|n| n.status == "InService")
            .map(|n| Billable {
                role,
                kind: Kind::Notebook,
                name: n.name.clone(),
                instance_type: n.instance_type.clone(),
                count: 1,
                since: n.modified,
                hourly: prices.hourly(Kind::Notebook, &n.instance_type),
                idle_at: None,
            }),
    );
    items.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    items
}

/// An endpoint's instance type, instance count and price per hour (from its variants when known).
fn endpoint_price(e: &Endpoint, prices: &PriceTable) -> (String, u32, Option<f64>) {
    if e.variants.is_empty() {
        let count = e.instance_count.max(1);
        let hourly = prices
            .hourly(Kind::Endpoint, &e.instance_type)
            .map(|h| h * f64::from(count));
        return (e.instance_type.clone(), count, hourly);
    }
    let mut types: Vec<&str> = Vec::new();
    let mut count = 0;
    let mut hourly = Some(0.0);
    for v in &e.variants {
        if !types.contains(&v.instance_type.as_str()) {
            types.push(&v.instance_type);
        }
        count += v.instance_count;
        hourly = match (hourly, prices.hourly(Kind::Endpoint, &v.instance_type)) {
            (Some(sum), Some(h)) => Some(sum + h * f64::from(v.instance_count)),
            _ => None,
        };
    }
    (types.join("+"), count, hourly)
}

/// When the lab's pipeline finished: its latest execution succeeded (when known) and every
/// action of its last stage succeeded; the time is the last of those actions' changes.
pub fn pipeline_finished(tools: &AccountSnapshot) -> Option<Timestamp> {
    let p = tools.pipelines.first()?;
    if let Some(e) = &p.latest_execution
        && e.status != "Succeeded"
    {
        return None;
    }
    let last = p.stages.last()?;
    let done = !last.actions.is_empty()
        && last
            .actions
            .iter()
            .all(|a| a.status.as_deref() == Some("Succeeded"));
    if !done {
        return None;
    }
    last.actions.iter().filter_map(|a| a.last_change).max()
}

/// An amount in dollars: `$0.42`, `$12.30`.
pub fn usd(amount: f64) -> String {
    format!("${:.2}", round_to(amount, 2))
}

/// A rate in dollars per hour: three decimals under a dollar (`$0.056/h`), else two.
pub fn usd_per_hour(rate: f64) -> String {
    if rate < 1.0 {
        format!("${:.3}/h", round_to(rate, 3))
    } else {
        format!("${:.2}/h", round_to(rate, 2))
    }
}

/// `x` rounded half away from zero to `places` decimals.
pub fn round_to(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}
