//! The endpoint health view's reducer: an endpoint's metrics are read when its detail opens and
//! again every minute (or on `r`) while it stays open, never for an endpoint nobody looks at;
//! `i` sends the smoke test's sample row and keeps the answer.

use super::msg::{Command, Msg};
use super::operate::log;
use super::state::{App, Overlay, Target};
use super::update::selected_target;
use crate::backend::{AccountKey, ActionError};
use crate::lab::metrics::EndpointMetrics;
use crate::lab::smoke::{self, Invocation};
use crate::lab::{Category, Endpoint, Role, Timestamp};

/// Seconds (of the backend's clock) between two reads of an open endpoint's metrics.
pub const METRICS_EVERY_SECS: i64 = 60;

/// Smoke tests remembered, the newest last.
pub const MAX_SMOKE_TESTS: usize = 8;

/// The metrics of the endpoint whose detail is open.
#[derive(Clone, Debug, PartialEq)]
pub struct HealthView {
    pub key: AccountKey,
    pub endpoint: String,
    /// The generation of the newest request sent, and of the newest answer applied.
    pub requested: u64,
    pub applied: u64,
    /// When the newest request was sent (the backend's clock); `None` asks for one now.
    pub requested_at: Option<Timestamp>,
    /// The newest answer: the metrics, or why there are none.
    pub metrics: Option<Result<EndpointMetrics, String>>,
}

impl HealthView {
    fn new(key: AccountKey, endpoint: String) -> Self {
        HealthView {
            key,
            endpoint,
            requested: 0,
            applied: 0,
            requested_at: None,
            metrics: None,
        }
    }
}

/// One smoke test: sent, then answered or failed.
#[derive(Clone, Debug, PartialEq)]
pub struct SmokeTest {
    pub key: AccountKey,
    pub endpoint: String,
    pub sent_at: Timestamp,
    /// `None` while the answer is on its way.
    pub outcome: Option<Result<Invocation, String>>,
}

/// The metrics state of this endpoint, when it is the one followed.
pub fn shown<'a>(app: &'a App, key: AccountKey, endpoint: &str) -> Option<&'a HealthView> {
    app.health
        .as_ref()
        .filter(|h| h.key == key && h.endpoint == endpoint)
}

/// The endpoint a detail overlay shows (the topmost such overlay).
fn open_endpoint(app: &App) -> Option<(Role, &str)> {
    app.overlays.iter().rev().find_map(|o| match o {
        Overlay::Detail {
            target: Target::Endpoint { role, name },
            ..
        } => Some((*role, name.as_str())),
        _ => None,
    })
}

fn endpoint<'a>(app: &'a App, role: Role, name: &str) -> Option<&'a Endpoint> {
    app.lab()?.snaps[role]
        .as_ref()?
        .endpoints
        .iter()
        .find(|e| e.name == name)
}

/// After every message: follow the open endpoint detail, asking for its metrics when it opens
/// and once a minute after; forget them when it closes. Cheap when nothing is due.
pub fn follow(app: &mut App) -> Vec<Command> {
    let Some((role, name)) = open_endpoint(app) else {
        app.health = None;
        return Vec::new();
    };
    let key = AccountKey {
        lab: app.current,
        role,
    };
    let shown = shown(app, key, name);
    let due = shown
        .and_then(|h| h.requested_at)
        .is_none_or(|t| app.now.secs_since(t) >= METRICS_EVERY_SECS);
    if !due {
        return Vec::new();
    }
    let same = shown.is_some();
    // An endpoint gone from the latest poll has nothing to read.
    let variants: Option<Vec<String>> =
        endpoint(app, role, name).map(|e| e.variants.iter().map(|v| v.name.clone()).collect());
    let name = name.to_string();
    let now = app.now;
    let view = match &mut app.health {
        Some(h) if same => h,
        other => other.insert(HealthView::new(key, name.clone())),
    };
    let Some(variants) = variants else {
        return Vec::new();
    };
    view.requested += 1;
    view.requested_at = Some(now);
    vec![Command::EndpointMetrics {
        key,
        endpoint: name,
        variants,
        generation: view.requested,
    }]
}

/// `r` in a detail: read the endpoint's metrics again now, and poll the account it shows.
pub fn refresh(app: &mut App) -> Vec<Command> {
    let role = match app.overlays.last() {
        Some(Overlay::Detail { target, .. }) => Some(target.role()),
        _ => None,
    };
    if let Some(h) = &mut app.health {
        h.requested_at = None;
        app.notice = Some(format!("reading the metrics of {} again…", h.endpoint));
    }
    let roles = role.map_or_else(|| app.roles(), |r| vec![r]);
    let keys = roles
        .into_iter()
        .map(|role| AccountKey {
            lab: app.current,
            role,
        })
        .collect();
    vec![Command::Refresh(keys)]
}

/// `i`: the smoke test on the endpoint a detail shows, else on the selected row (read-only mode
/// is refused before this, with the other keys that change something).
pub fn smoke_test(app: &mut App) -> Result<Vec<Command>, String> {
    let target = match app.overlays.last() {
        Some(Overlay::Detail { target, .. }) => Some(target.clone()),
        _ => selected_target(app),
    };
    let Some(Target::Endpoint { role, name }) = target else {
        return Err(
            "select a SageMaker endpoint (Tools or Stage pane): i sends it one sample row".into(),
        );
    };
    let e = endpoint(app, role, &name).ok_or_else(|| format!("{name} is gone"))?;
    if e.status != "InService" {
        return Err(format!(
            "{name} is {}: the smoke test needs it InService",
            e.status
        ));
    }
    let key = AccountKey {
        lab: app.current,
        role,
    };
    if app
        .smoke
        .iter()
        .any(|s| s.key == key && s.endpoint == name && s.outcome.is_none())
    {
        return Err(format!("a smoke test of {name} is on its way"));
    }
    if app.smoke.len() >= MAX_SMOKE_TESTS {
        app.smoke.remove(0);
    }
    app.smoke.push(SmokeTest {
        key,
        endpoint: name.clone(),
        sent_at: app.now,
        outcome: None,
    });
    app.notice = Some(format!(
        "smoke test: sending one abalone row ({}) to {name}…",
        smoke::CONTENT_TYPE
    ));
    Ok(vec![Command::InvokeEndpoint {
        key,
        endpoint: name,
        body: smoke::SAMPLE_ROW.to_string(),
        content_type: smoke::CONTENT_TYPE.to_string(),
    }])
}

/// The newest smoke test of an endpoint.
pub fn latest_smoke<'a>(app: &'a App, key: AccountKey, endpoint: &str) -> Option<&'a SmokeTest> {
    app.smoke
        .iter()
        .rev()
        .find(|s| s.key == key && s.endpoint == endpoint)
}

/// Answers: metrics (dropped unless for the open endpoint and newer than the last applied)
/// and smoke tests (a notice, an event-log line, kept for the view).
pub fn on_msg(app: &mut App, msg: Msg) {
    match msg {
        Msg::EndpointMetrics {
            key,
            endpoint,
            generation,
            result,
        } => {
            let Some(h) = app
                .health
                .as_mut()
                .filter(|h| h.key == key && h.endpoint == endpoint)
            else {
                return;
            };
            if generation <= h.applied || generation > h.requested {
                return;
            }
            h.applied = generation;
            h.metrics = Some(result.map(|m| *m).map_err(|e| e.to_string()));
            app.dirty = true;
        }
        Msg::Invoked {
            key,
            endpoint,
            result,
        } => on_invoked(app, key, endpoint, result),
        _ => {}
    }
}

fn on_invoked(
    app: &mut App,
    key: AccountKey,
    endpoint: String,
    result: Result<Invocation, ActionError>,
) {
    app.dirty = true;
    let (line, category, detail) = match &result {
        Ok(i) => (
            format!("smoke test of {endpoint}: {}", i.summary()),
            Category::Complete,
            None,
        ),
        Err(e) => (
            format!("smoke test of {endpoint} failed: {e}"),
            Category::Failed,
            Some(e.to_string()),
        ),
    };
    app.notice = Some(line.clone());
    let subject = match category {
        Category::Failed => format!("smoke test of {endpoint}"),
        _ => line,
    };
    log(app, key, subject, category, detail);
    if let Some(s) = app
        .smoke
        .iter_mut()
        .rev()
        .find(|s| s.key == key && s.endpoint == endpoint && s.outcome.is_none())
    {
        s.outcome = Some(result.map_err(|e| e.to_string()));
    }
}
