//! The reducer's side of operating the lab: action keys open dialogs, confirmed dialogs become
//! `Command::Act`, and the answers become notices, log lines and refreshes.

use std::time::Duration;

use super::dialog::{Confirm, Input, InputPurpose, LaunchForm, MAX_INPUT};
use super::eventlog::LogEntry;
use super::health;
use super::keymap::KeyAction;
use super::msg::{Command, Msg};
use super::state::{App, Launch, Overlay, Target};
use super::update::selected_target;
use crate::backend::{AccountKey, Action, ActionError, RecordState};
use crate::lab::diff::Transition;
use crate::lab::{Category, Pipeline, PipelineStage, Role, status};

/// Keys that would change something; refused up front in read-only mode.
fn mutates(action: KeyAction) -> bool {
    matches!(
        action,
        KeyAction::Approve
            | KeyAction::Reject
            | KeyAction::EnableTransition
            | KeyAction::DisableTransition
            | KeyAction::Retry
            | KeyAction::Release
            | KeyAction::Launch
            | KeyAction::NotebookPower
            | KeyAction::SmokeTest
    )
}

fn key(app: &App, role: Role) -> AccountKey {
    AccountKey {
        lab: app.current,
        role,
    }
}

fn pipeline(app: &App) -> Option<&Pipeline> {
    app.lab()?.snaps[Role::Tools].as_ref()?.pipelines.first()
}

/// The stage (and action) selected in the pipeline strip.
fn selected_stage(app: &App) -> Option<(&Pipeline, &PipelineStage, Option<String>)> {
    let Some(Target::Action { stage, action }) = selected_target(app) else {
        return None;
    };
    let p = pipeline(app)?;
    let st = p.stage(&stage)?;
    let action = (!action.is_empty()).then_some(action);
    Some((p, st, action))
}

fn confirm(app: &mut App, c: Confirm) {
    app.overlays.push(Overlay::Confirm(c));
}

/// An action key in the lab view (or `o`/`y` in a detail overlay).
pub fn on_key(app: &mut App, action: KeyAction) -> Vec<Command> {
    if app.read_only && mutates(action) {
        app.notice = Some("read-only: crossdeck makes no change (started with --read-only)".into());
        return Vec::new();
    }
    let result = match action {
        KeyAction::Approve | KeyAction::Reject => approval(app, action == KeyAction::Approve),
        KeyAction::EnableTransition => enable(app),
        KeyAction::DisableTransition => disable(app),
        KeyAction::Retry => retry(app),
        KeyAction::Release => release(app),
        KeyAction::Launch => {
            let product = app.names.product_name.clone();
            app.notice = Some(format!("reading {product} from the DataScience account…"));
            return vec![Command::LaunchOptions {
                key: key(app, Role::DataScience),
                product,
            }];
        }
        KeyAction::NotebookPower => notebook_power(app),
        KeyAction::OpenUrl => return open(app),
        KeyAction::Copy => return copy(app),
        KeyAction::SmokeTest => match health::smoke_test(app) {
            Ok(cmds) => return cmds,
            Err(why) => Err(why),
        },
        _ => Ok(()),
    };
    if let Err(why) = result {
        app.notice = Some(why);
    }
    Vec::new()
}

fn approval(app: &mut App, approve: bool) -> Result<(), String> {
    let (p, st, action) =
        selected_stage(app).ok_or("select a waiting approval in the pipeline strip (Tab to it)")?;
    let a = action
        .and_then(|a| st.action(&a))
        .filter(|a| status::awaiting_approval(a.status.as_deref(), a.approval_token.as_deref()))
        .ok_or_else(|| format!("nothing waits for approval there; approvals show as \"waiting for approval\" in {}", p.name))?;
    let Some(token) = a.approval_token.clone() else {
        return Err("no approval token".into());
    };
    let verb = if approve { "approving" } else { "rejecting" };
    let input = Input {
        prompt: format!("Comment for {verb} {} / {} (optional)", st.name, a.name),
        text: String::new(),
        purpose: InputPurpose::Approval {
            key: key(app, Role::Tools),
            pipeline: p.name.clone(),
            stage: st.name.clone(),
            action: a.name.clone(),
            token,
            approve,
        },
    };
    app.overlays.push(Overlay::Input(input));
    Ok(())
}

fn enable(app: &mut App) -> Result<(), String> {
    let (p, st, _) =
        selected_stage(app).ok_or("select a stage in the pipeline strip (Tab to it)")?;
    if st.inbound_enabled {
        return Err(format!(
            "the transition into {} is enabled already",
            st.name
        ));
    }
    let c = Confirm {
        key: key(app, Role::Tools),
        title: format!("Promote into {}?", st.name),
        lines: vec![
            format!("pipeline  {}", p.name),
            format!(
                "disabled  {}",
                st.disabled_reason.as_deref().unwrap_or("(no reason given)")
            ),
            "sends     codepipeline:EnableStageTransition (inbound)".into(),
        ],
        action: Action::EnableTransition {
            pipeline: p.name.clone(),
            stage: st.name.clone(),
        },
    };
    confirm(app, c);
    Ok(())
}

fn disable(app: &mut App) -> Result<(), String> {
    let (p, st, _) =
        selected_stage(app).ok_or("select a stage in the pipeline strip (Tab to it)")?;
    if !st.inbound_enabled {
        return Err(format!(
            "the transition into {} is disabled already",
            st.name
        ));
    }
    let input = Input {
        prompt: format!("Why disable the transition into {}? (required)", st.name),
        text: String::new(),
        purpose: InputPurpose::DisableReason {
            key: key(app, Role::Tools),
            pipeline: p.name.clone(),
            stage: st.name.clone(),
        },
    };
    app.overlays.push(Overlay::Input(input));
    Ok(())
}

fn retry(app: &mut App) -> Result<(), String> {
    let (p, st, _) =
        selected_stage(app).ok_or("select a failed stage in the pipeline strip (Tab to it)")?;
    let failed = st
        .status
        .as_deref()
        .is_some_and(|s| Category::of(s) == Category::Failed);
    let execution_id = st
        .execution_id
        .clone()
        .filter(|_| failed)
        .ok_or_else(|| format!("{} has not failed: nothing to retry", st.name))?;
    let failing: Vec<&str> = st
        .actions
        .iter()
        .filter(|a| {
            a.status
                .as_deref()
                .is_some_and(|s| Category::of(s) == Category::Failed)
        })
        .map(|a| a.name.as_str())
        .collect();
    let c = Confirm {
        key: key(app, Role::Tools),
        title: format!("Retry {}?", st.name),
        lines: vec![
            format!("pipeline  {}", p.name),
            format!("execution {execution_id}"),
            format!("failed    {}", failing.join(", ")),
            "sends     codepipeline:RetryStageExecution (FAILED_ACTIONS)".into(),
        ],
        action: Action::RetryStage {
            pipeline: p.name.clone(),
            stage: st.name.clone(),
            execution_id,
        },
    };
    confirm(app, c);
    Ok(())
}

fn release(app: &mut App) -> Result<(), String> {
    let p = pipeline(app).ok_or("the pipeline does not exist yet (step 1.3.3)")?;
    let c = Confirm {
        key: key(app, Role::Tools),
        title: format!("Release a change in {}?", p.name),
        lines: vec![
            "runs the pipeline again from its source (the latest model)".into(),
            "sends     codepipeline:StartPipelineExecution".into(),
        ],
        action: Action::StartPipeline {
            pipeline: p.name.clone(),
        },
    };
    confirm(app, c);
    Ok(())
}

fn notebook_power(app: &mut App) -> Result<(), String> {
    let Some(Target::Notebook { role, name }) = selected_target(app) else {
        return Err("select a notebook instance in the DataScience pane".into());
    };
    let status = app
        .lab()
        .and_then(|l| l.snaps[role].as_ref())
        .and_then(|s| s.notebooks.iter().find(|n| n.name == name))
        .map(|n| n.status.clone())
        .unwrap_or_default();
    let (action, verb, op) = match status.as_str() {
        "InService" => (
            Action::StopNotebook { name: name.clone() },
            "Stop",
            "StopNotebookInstance",
        ),
        "Stopped" => (
            Action::StartNotebook { name: name.clone() },
            "Start",
            "StartNotebookInstance",
        ),
        other => {
            return Err(format!(
                "{name} is {other}: it can be stopped when InService, started when Stopped"
            ));
        }
    };
    let c = Confirm {
        key: key(app, role),
        title: format!("{verb} {name}?"),
        lines: vec![
            format!("status    {status}"),
            if verb == "Stop" {
                "a stopped notebook stops billing; its storage is kept".into()
            } else {
                "a running notebook bills by the hour".into()
            },
            format!("sends     sagemaker:{op}"),
        ],
        action,
    };
    confirm(app, c);
    Ok(())
}

/// The target a detail overlay shows, else the selected row.
pub(super) fn target(app: &App) -> Option<Target> {
    match app.overlays.last() {
        Some(Overlay::Detail { target, .. }) => Some(target.clone()),
        _ => selected_target(app),
    }
}

fn product_output(app: &App, role: Role, id: &str, key: &str) -> Option<String> {
    let snap = app.lab()?.snaps[role].as_ref()?;
    let p = snap.provisioned_products.iter().find(|p| p.id == id)?;
    p.outputs.get(key).cloned()
}

fn open(app: &mut App) -> Vec<Command> {
    match target(app) {
        Some(Target::Notebook { role, name }) => {
            app.notice = Some(format!("asking for a sign-in URL for {name}…"));
            vec![Command::NotebookUrl {
                key: key(app, role),
                name,
            }]
        }
        Some(Target::Product { role, id }) => {
            match product_output(app, role, &id, "SageMakerNoteBookURL") {
                Some(url) => {
                    app.notice = Some(format!("opening {url}"));
                    vec![Command::OpenUrl(url)]
                }
                None => {
                    app.notice = Some(
                        "the product has no notebook URL yet (it appears once AVAILABLE)".into(),
                    );
                    Vec::new()
                }
            }
        }
        _ => super::links::console(app),
    }
}

fn copy(app: &mut App) -> Vec<Command> {
    let value = match target(app) {
        Some(Target::Product { role, id }) => {
            product_output(app, role, &id, "SageMakerNoteBookURL").unwrap_or(id)
        }
        Some(
            Target::Stack { name, .. }
            | Target::Notebook { name, .. }
            | Target::Endpoint { name, .. }
            | Target::Bucket { name, .. },
        ) => name,
        Some(Target::Share { portfolio_id, .. }) => portfolio_id,
        Some(Target::Action { stage, action }) => format!("{stage}/{action}"),
        // The whole error, to paste into a question or a bug report.
        Some(Target::Account { role }) => match account_error(app, role) {
            Some(e) if !e.detail.is_empty() => e.detail.clone(),
            Some(e) => e.message.clone(),
            None => return Vec::new(),
        },
        None => {
            app.notice = Some("nothing selected to copy".into());
            return Vec::new();
        }
    };
    app.notice = Some(format!("copied {value}"));
    vec![Command::Copy(value)]
}

/// A key in the confirm, text or launch dialog.
pub fn on_dialog_key(app: &mut App, action: KeyAction) -> Vec<Command> {
    let Some(top) = app.overlays.last_mut() else {
        return Vec::new();
    };
    match (top, action) {
        (_, KeyAction::Back) => {
            app.overlays.pop();
            app.notice = Some("cancelled: nothing was sent".into());
        }
        (Overlay::Confirm(c), KeyAction::Confirm) => {
            let (key, action) = (c.key, c.action.clone());
            app.overlays.pop();
            if app.read_only {
                app.notice = Some("read-only: crossdeck makes no change".into());
                return Vec::new();
            }
            app.notice = Some(format!("sending: {action}…"));
            return vec![Command::Act { key, action }];
        }
        (Overlay::Input(i), KeyAction::Confirm) => match i.confirm() {
            Ok(c) => {
                app.overlays.pop();
                confirm(app, c);
            }
            Err(why) => app.notice = Some(why),
        },
        (Overlay::Launch(f), KeyAction::Confirm) => match f.confirm() {
            Ok(c) => confirm(app, c),
            Err(why) => app.notice = Some(why),
        },
        (Overlay::Input(i), KeyAction::Erase) => {
            i.text.pop();
        }
        (Overlay::Launch(f), KeyAction::Erase) if f.field == 0 => {
            f.name.pop();
        }
        (Overlay::Launch(f), KeyAction::Down) => f.field = (f.field + 1) % f.fields(),
        (Overlay::Launch(f), KeyAction::Up) => f.field = (f.field + f.fields() - 1) % f.fields(),
        (Overlay::Launch(f), KeyAction::PickNext) => f.pick(1),
        (Overlay::Launch(f), KeyAction::PickPrev) => f.pick(-1),
        _ => {}
    }
    Vec::new()
}

/// A typed character, when a text field has the cursor; false when none does.
pub fn on_text(app: &mut App, c: char) -> bool {
    let field = match app.overlays.last_mut() {
        Some(Overlay::Input(i)) => &mut i.text,
        Some(Overlay::Launch(f)) if f.field == 0 => &mut f.name,
        _ => return false,
    };
    if field.chars().count() < MAX_INPUT && !c.is_control() {
        field.push(c);
    }
    app.dirty = true;
    true
}

/// A line in the lab's event log for something crossdeck did.
pub(super) fn log(
    app: &mut App,
    key: AccountKey,
    subject: String,
    category: Category,
    detail: Option<String>,
) {
    let at = app.now;
    if let Some(lab) = app.labs.get_mut(key.lab) {
        lab.log.push(LogEntry {
            role: key.role,
            change: Transition {
                at,
                subject,
                status: "crossdeck".into(),
                category,
                detail,
            },
        });
    }
}

/// The answers to actions and to the launch form's reads.
pub fn on_msg(app: &mut App, msg: Msg) -> Vec<Command> {
    app.dirty = true;
    match msg {
        Msg::ActionResult {
            key,
            action,
            result,
        } => match result {
            Ok(done) => {
                app.notice = Some(done.summary.clone());
                log(app, key, done.summary.clone(), Category::Complete, None);
                let mut cmds = vec![Command::Refresh(vec![key])];
                if let (Action::LaunchProduct(req), Some(record_id)) = (action.as_ref(), done.id) {
                    app.launches.push(Launch {
                        key,
                        record_id: record_id.clone(),
                        name: req.name.clone(),
                        failures: 0,
                    });
                    cmds.push(Command::FollowRecord {
                        key,
                        record_id,
                        after: Duration::ZERO,
                    });
                }
                cmds
            }
            Err(e) => {
                let text = failure(&action, &e);
                app.notice = Some(text.clone());
                log(
                    app,
                    key,
                    action.to_string(),
                    Category::Failed,
                    Some(e.to_string()),
                );
                Vec::new()
            }
        },
        Msg::LaunchOptions { key, result } => {
            match result {
                Ok(options) => {
                    let name = app
                        .labs
                        .get(key.lab)
                        .map_or("lab".to_string(), |l| format!("{}-notebook", l.info.name));
                    app.notice = None;
                    app.overlays
                        .push(Overlay::Launch(LaunchForm::new(key, *options, name)));
                }
                Err(e) => app.notice = Some(format!("cannot launch: {e}")),
            }
            Vec::new()
        }
        Msg::Record {
            key,
            record_id,
            result,
        } => on_record(app, key, record_id, result),
        Msg::NotebookUrl { name, result } => match result {
            Ok(url) => {
                app.notice = Some(format!("opening {name} in the browser"));
                vec![Command::OpenUrl(url)]
            }
            Err(e) => {
                app.notice = Some(format!("cannot open {name}: {e}"));
                Vec::new()
            }
        },
        _ => Vec::new(),
    }
}

/// How often a launch's record is read while it is in progress.
pub const RECORD_EVERY: Duration = Duration::from_secs(3);

/// The longest wait before reading a record again after failed reads.
pub const RECORD_BACKOFF_MAX: Duration = Duration::from_secs(30);

/// The wait before the next read of a record after `failures` failed reads in a row: 2 s, 4 s,
/// 8 s, ... at most [`RECORD_BACKOFF_MAX`].
pub fn record_backoff(failures: u32) -> Duration {
    let secs = 2u64.saturating_pow(failures.clamp(1, 16));
    Duration::from_secs(secs).min(RECORD_BACKOFF_MAX)
}

/// A launch's record, as DescribeRecord told it: done, failed, still moving (read it again), or
/// unreadable. Throttling and brief failures are read again later with backoff; any other
/// error stops following.
fn on_record(
    app: &mut App,
    key: AccountKey,
    record_id: String,
    result: Result<RecordState, ActionError>,
) -> Vec<Command> {
    let name = app
        .launches
        .iter()
        .find(|l| l.record_id == record_id)
        .map_or(record_id.clone(), |l| l.name.clone());
    let follow = |after| {
        vec![Command::FollowRecord {
            key,
            record_id: record_id.clone(),
            after,
        }]
    };
    match result {
        Ok(r) if r.status == "SUCCEEDED" => {
            app.launches.retain(|l| l.record_id != record_id);
            app.notice = Some(format!(
                "{name} is launched: Enter on it in the DataScience pane shows its outputs; o opens the notebook"
            ));
            log(
                app,
                key,
                format!("launched {name}"),
                Category::Complete,
                r.outputs.get("SageMakerNoteBookURL").cloned(),
            );
            if !r.provisioned_product_id.is_empty() {
                app.overlays.push(Overlay::Detail {
                    target: Target::Product {
                        role: key.role,
                        id: r.provisioned_product_id,
                    },
                    scroll: 0,
                });
            }
            vec![Command::Refresh(vec![key])]
        }
        Ok(r) if r.finished() => {
            app.launches.retain(|l| l.record_id != record_id);
            let why = r.errors.join("; ");
            app.notice = Some(format!("launching {name} failed: {why}"));
            log(
                app,
                key,
                format!("launch of {name}"),
                Category::Failed,
                Some(why),
            );
            vec![Command::Refresh(vec![key])]
        }
        Ok(r) => {
            if let Some(l) = app.launches.iter_mut().find(|l| l.record_id == record_id) {
                l.failures = 0;
            }
            // IN_PROGRESS_IN_ERROR goes on, with the error it met.
            let mut notice = format!("launching {name}: {}", r.status);
            if !r.errors.is_empty() {
                notice.push_str(": ");
                notice.push_str(&r.errors.join("; "));
            }
            app.notice = Some(notice);
            follow(RECORD_EVERY)
        }
        Err(e) if e.retryable() => {
            let failures = app
                .launches
                .iter_mut()
                .find(|l| l.record_id == record_id)
                .map_or(1, |l| {
                    l.failures = l.failures.saturating_add(1);
                    l.failures
                });
            let after = record_backoff(failures);
            app.notice = Some(format!(
                "launching {name}: its record cannot be read now ({e}); reading it again in {}s",
                after.as_secs()
            ));
            follow(after)
        }
        Err(e) => {
            app.launches.retain(|l| l.record_id != record_id);
            app.notice = Some(format!("cannot follow the launch of {name}: {e}"));
            Vec::new()
        }
    }
}

fn failure(action: &Action, e: &ActionError) -> String {
    format!("failed: {action}: {e}")
}

/// The error of an account of the current lab, if it has one.
fn account_error(app: &App, role: crate::lab::Role) -> Option<&crate::lab::AccountError> {
    app.lab()?.snaps[role].as_ref()?.error.as_ref()
}
