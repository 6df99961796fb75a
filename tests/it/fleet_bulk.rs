//! Bulk actions from the fleet, through the reducer and the simulator: one confirmation lists
//! every lab and account touched, nothing is sent before the typed confirmation, then one
//! command per lab, and a progress table per lab with failures and their reasons.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use crossdeck::app::bulk::{BulkKind, BulkState, ItemState};
use crossdeck::app::cleanup_view::RunState;
use crossdeck::app::keymap::Mode;
use crossdeck::app::{App, Command, Msg, update};
use crossdeck::backend::sim::{ManualClock, SIM_EPOCH, SimBackend, SimOptions};
use crossdeck::backend::{Action, ActionError, Backend};
use crossdeck::cleanup::{self, Event, Outcome, RunOptions, StepResult};
use crossdeck::lab::{Role, cleanup as plan};

use crate::fleet::typed;
use crate::render::render;

/// A finished class of `n` (no faults), polled once, on the fleet.
async fn class(n: usize, approval_gate: bool, at: i64) -> (SimBackend, ManualClock, App) {
    let clock = ManualClock::new();
    clock.set(SIM_EPOCH.plus_secs(at));
    let opts = SimOptions {
        participants: n,
        faults: false,
        approval_gate,
        ..SimOptions::default()
    };
    let sim = SimBackend::new(opts, Arc::new(clock.clone()));
    let mut app = App::new(sim.labs(), sim.names().clone(), SIM_EPOCH.plus_secs(at));
    poll_all(&sim, &mut app, 1).await;
    (sim, clock, app)
}

async fn poll_all(sim: &SimBackend, app: &mut App, generation: u64) {
    for key in app.account_keys() {
        let result = sim.snapshot(key).await.map(Box::new);
        let msg = Msg::Poll {
            key,
            generation,
            result,
        };
        update(app, msg);
    }
}

#[tokio::test(start_paused = true)]
async fn bulk_cleanup_lists_every_lab_and_account_and_runs_each_plan_after_the_typed_count() {
    let (sim, clock, mut app) = class(3, false, 4 * 3600).await;
    assert_eq!(app.mode(), Mode::Fleet);
    // Mark alice and carol.
    assert!(typed(&mut app, " j ").is_empty());
    assert_eq!(app.fleet.marked(), [0, 2]);
    assert!(typed(&mut app, "C").is_empty(), "C only shows the plan");
    assert_eq!(app.mode(), Mode::Bulk);
    let screen = render(&app, 160, 48);
    for lab in [0, 2] {
        let info = &app.labs[lab].info;
        assert!(screen.contains(&format!("lab {}", info.name)), "{screen}");
        for role in info.roles() {
            let id = info.accounts[role].as_deref().unwrap_or_default();
            assert!(
                screen.contains(&format!("{role} {id}: ")),
                "{role} {id}\n{screen}"
            );
        }
    }
    assert!(!screen.contains("lab bob"), "bob is not marked:\n{screen}");
    assert!(screen.contains("Type 2 (the number of labs)"), "{screen}");

    // Nothing is sent without the typed confirmation, nor with a wrong one.
    assert!(typed(&mut app, "\n").is_empty());
    assert!(typed(&mut app, "3\n").is_empty());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("type 2"))
    );
    let view = app.bulk.as_ref().expect("bulk view");
    assert_eq!(view.state, BulkState::Review);
    let cmds = typed(&mut app, "\x082\n");
    let plans: Vec<_> = cmds
        .iter()
        .map(|c| match c {
            Command::RunCleanup { lab, plan } => (*lab, plan.clone()),
            other => panic!("expected cleanup runs, got {other:?}"),
        })
        .collect();
    assert_eq!(plans.len(), 2);
    for (lab, p) in &plans {
        let l = &app.labs[*lab];
        assert_eq!(
            **p,
            plan::plan(&l.info, &app.names, &l.snaps),
            "lab {lab}'s own plan"
        );
        assert!(p.steps.len() >= 12);
    }
    assert_eq!(app.bulk.as_ref().map(|v| v.state), Some(BulkState::Running));
    assert!(
        app.cleanups
            .iter()
            .all(|c| c.state == RunState::Running && [0, 2].contains(&c.lab)),
        "each lab's own cleanup view follows the run"
    );

    // Run both on the simulator, as the loop does, the events going to the reducer.
    let ticker = crate::cleanup_tui::ticker(&clock);
    for (lab, p) in plans {
        let opts = RunOptions {
            poll: Duration::from_secs(1),
            timeout: Duration::from_secs(600),
        };
        let mut events = Vec::new();
        let outcome = cleanup::run(&sim, lab, &p, opts, |e| {
            events.push(e.clone());
            ControlFlow::Continue(())
        })
        .await;
        for event in events {
            update(&mut app, Msg::Cleanup { lab, event });
        }
        update(&mut app, Msg::CleanupDone { lab, outcome });
    }
    ticker.abort();
    let view = app.bulk.as_ref().expect("bulk view");
    assert_eq!(view.state, BulkState::Finished);
    for item in &view.items {
        assert!(matches!(item.state, ItemState::Done(_)), "{item:?}");
        assert_eq!(item.done, item.total);
    }
    let screen = render(&app, 160, 48);
    assert!(
        screen.contains("2 lab(s) done, 0 with failures"),
        "{screen}"
    );
    // The labs are gone from the simulator; bob is untouched.
    poll_all(&sim, &mut app, 2).await;
    for lab in [0, 2] {
        let l = &app.labs[lab];
        assert!(plan::plan(&l.info, &app.names, &l.snaps).is_empty());
    }
    let bob = &app.labs[1];
    assert!(!plan::plan(&bob.info, &app.names, &bob.snaps).is_empty());
}

#[tokio::test]
async fn a_failing_lab_lists_its_failures_while_the_rest_completes() {
    let (_sim, _clock, mut app) = class(3, false, 4 * 3600).await;
    typed(&mut app, " j C");
    let total = app.bulk.as_ref().map_or(0, |v| v.items[1].total);
    let cmds = typed(&mut app, "2\n");
    assert_eq!(cmds.len(), 2);
    let started = |step| Event::StepStarted {
        step,
        total,
        title: format!("step {step}"),
    };
    update(
        &mut app,
        Msg::Cleanup {
            lab: 0,
            event: started(0),
        },
    );
    update(
        &mut app,
        Msg::Cleanup {
            lab: 2,
            event: started(0),
        },
    );
    let failed = Event::StepFailed {
        step: 0,
        reason: "AccessDenied: not allowed to empty the bucket".into(),
    };
    update(
        &mut app,
        Msg::Cleanup {
            lab: 2,
            event: failed,
        },
    );
    let skipped = Event::StepSkipped {
        step: 1,
        reason: "step 1 did not succeed".into(),
    };
    update(
        &mut app,
        Msg::Cleanup {
            lab: 2,
            event: skipped,
        },
    );
    let outcome = Outcome {
        results: vec![
            (
                0,
                StepResult::Failed("AccessDenied: not allowed to empty the bucket".into()),
            ),
            (1, StepResult::Skipped("step 1 did not succeed".into())),
        ],
        interrupted: false,
    };
    update(&mut app, Msg::CleanupDone { lab: 2, outcome });
    let view = app.bulk.as_ref().expect("bulk");
    assert_eq!(view.state, BulkState::Running, "alice still runs");
    let screen = render(&app, 160, 48);
    assert!(screen.contains("step 0"), "alice's current step:\n{screen}");
    assert!(
        screen.contains("carol: step 1 failed: AccessDenied: not allowed to empty the bucket"),
        "{screen}"
    );
    assert!(screen.contains("carol: step 2 skipped"), "{screen}");
    update(
        &mut app,
        Msg::Cleanup {
            lab: 0,
            event: Event::StepDone {
                step: 0,
                summary: "done".into(),
            },
        },
    );
    let outcome = Outcome {
        results: vec![(0, StepResult::Done("done".into()))],
        interrupted: false,
    };
    update(&mut app, Msg::CleanupDone { lab: 0, outcome });
    let view = app.bulk.as_ref().expect("bulk");
    assert_eq!(view.state, BulkState::Finished);
    assert_eq!(
        app.notice.as_deref(),
        Some("Clean up: 1 lab(s) done, 1 with failures")
    );
    assert!(matches!(view.items[0].state, ItemState::Done(_)));
    assert!(matches!(view.items[1].state, ItemState::Failed(_)));
    assert_eq!((view.items[1].done, view.items[1].failed), (0, 2));
}

#[tokio::test]
async fn bulk_approve_lists_each_approval_and_approves_each_lab_after_the_typed_count() {
    // With the gate, each healthy lab waits at ApproveForStage after deploying to Tools.
    let (sim, _clock, mut app) = class(3, true, 4 * 3600).await;
    let waiting = |app: &App, lab: usize| {
        app.labs[lab].snaps[Role::Tools]
            .as_ref()
            .and_then(|s| s.pipelines.first())
            .and_then(|p| p.stage("DeployModel-Stage"))
            .and_then(|s| s.action("ApproveForStage"))
            .is_some_and(|a| a.approval_token.is_some())
    };
    assert!((0..3).all(|lab| waiting(&app, lab)), "every lab waits");
    typed(&mut app, " j ");
    assert!(typed(&mut app, "A").is_empty());
    assert_eq!(app.mode(), Mode::Bulk);
    let view = app.bulk.as_ref().expect("bulk");
    assert_eq!(view.kind, BulkKind::Approve);
    let screen = render(&app, 160, 48);
    for lab in [0, 2] {
        let l = &app.labs[lab];
        let pipeline = &l.snaps[Role::Tools].as_ref().expect("tools").pipelines[0].name;
        let id = l.info.accounts[Role::Tools].as_deref().unwrap_or_default();
        let line = format!("Tools {id}: approve {pipeline} / DeployModel-Stage / ApproveForStage");
        assert!(screen.contains(&format!("lab {}", l.info.name)), "{screen}");
        assert!(screen.contains(&line), "{line}\n{screen}");
    }
    // Two labs of one approval each, the blank line, what is sent, the count and the keys: the
    // dialog is as high as those 8 lines and its borders, not the screen.
    assert_eq!(box_height(&screen, "Approve"), 10, "{screen}");
    assert!(typed(&mut app, "yes\n").is_empty(), "the count, not yes");
    let cmds = typed(&mut app, "\x08\x08\x082\n");
    assert_eq!(cmds.len(), 2);
    for (cmd, lab) in cmds.iter().zip([0, 2]) {
        let Command::Act { key, action } = cmd else {
            panic!("expected an action, got {cmd:?}");
        };
        assert_eq!((key.lab, key.role), (lab, Role::Tools));
        assert!(
            matches!(action, Action::ApproveAction { approve: true, stage, action, .. }
                if stage == "DeployModel-Stage" && action == "ApproveForStage"),
            "{action:?}"
        );
        let result = sim.act(*key, action.clone()).await;
        assert!(result.is_ok(), "{result:?}");
        update(
            &mut app,
            Msg::ActionResult {
                key: *key,
                action: Box::new(action.clone()),
                result,
            },
        );
    }
    let view = app.bulk.as_ref().expect("bulk");
    assert_eq!(view.state, BulkState::Finished);
    assert!(
        view.items
            .iter()
            .all(|i| matches!(i.state, ItemState::Done(_)))
    );
    assert_eq!(
        app.notice.as_deref(),
        Some("Approve waiting approvals in: 2 lab(s) done, 0 with failures")
    );
    // The table: its heading, a row per lab, a blank line and the closing hint.
    let screen = render(&app, 160, 48);
    assert_eq!(box_height(&screen, "Approve"), 7, "{screen}");
    poll_all(&sim, &mut app, 2).await;
    assert!(!waiting(&app, 0) && !waiting(&app, 2), "approved");
    assert!(waiting(&app, 1), "bob was not marked");
}

#[tokio::test]
async fn esc_before_the_confirmation_sends_nothing() {
    let (_sim, _clock, mut app) = class(2, false, 4 * 3600).await;
    assert!(typed(&mut app, "C\x1b").is_empty());
    assert!(app.bulk.is_none());
    assert_eq!(app.mode(), Mode::Fleet);
    assert_eq!(app.notice.as_deref(), Some("cancelled: nothing was sent"));
}

/// The labs whose cleanup the commands start.
fn cleanup_runs(cmds: &[Command]) -> Vec<usize> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::RunCleanup { lab, .. } => Some(*lab),
            _ => None,
        })
        .collect()
}

/// A class-wide cleanup keeps at most `BULK_PARALLEL` labs running; each end starts the next.
#[tokio::test]
async fn a_bulk_cleanup_of_a_whole_class_runs_a_few_labs_at_a_time() {
    use crossdeck::app::fleet_flow::BULK_PARALLEL;
    let (_sim, _clock, mut app) = class(12, false, 4 * 3600).await;
    typed(&mut app, &" ".repeat(12));
    assert_eq!(app.fleet.marked().len(), 12);
    typed(&mut app, "C");
    // Twelve plans do not fit: the dialog takes the screen's height and scrolls.
    let screen = render(&app, 160, 48);
    assert_eq!(box_height(&screen, "Clean up"), 46, "{screen}");
    assert!(screen.contains(" 1/"), "a scroll position in\n{screen}");
    let cmds = typed(&mut app, "12\n");
    let started = cleanup_runs(&cmds);
    assert_eq!(started, (0..BULK_PARALLEL).collect::<Vec<_>>());
    let view = app.bulk.as_ref().expect("bulk");
    let queued = view
        .items
        .iter()
        .filter(|i| i.state == ItemState::Waiting)
        .count();
    assert_eq!(queued, 12 - BULK_PARALLEL);
    let screen = render(&app, 160, 48);
    assert!(screen.contains("· queued"), "{screen}");
    let outcome = Outcome {
        results: vec![(0, StepResult::Done("done".into()))],
        interrupted: false,
    };
    let cmds = update(&mut app, Msg::CleanupDone { lab: 3, outcome });
    let next = cleanup_runs(&cmds);
    assert_eq!(
        next,
        [BULK_PARALLEL],
        "lab 3 ended: the first queued lab starts"
    );
    assert_eq!(app.bulk.as_ref().map(|v| v.state), Some(BulkState::Running));
}

/// An approval refused in one lab is listed with its reason; the other lab's goes through.
#[tokio::test]
async fn a_refused_approval_is_listed_with_its_reason_in_the_table() {
    let (sim, _clock, mut app) = class(2, true, 4 * 3600).await;
    typed(&mut app, "  A");
    let cmds = typed(&mut app, "2\n");
    assert_eq!(cmds.len(), 2);
    for cmd in cmds {
        let Command::Act { key, action } = cmd else {
            panic!("expected an action, got {cmd:?}");
        };
        let result = if key.lab == 1 {
            Err(ActionError::Failed(
                "AccessDenied: codepipeline:PutApprovalResult".into(),
            ))
        } else {
            sim.act(key, action.clone()).await
        };
        let action = Box::new(action);
        update(
            &mut app,
            Msg::ActionResult {
                key,
                action,
                result,
            },
        );
    }
    let view = app.bulk.as_ref().expect("bulk");
    assert_eq!(view.state, BulkState::Finished);
    assert!(matches!(view.items[0].state, ItemState::Done(_)));
    assert!(matches!(view.items[1].state, ItemState::Failed(_)));
    let screen = render(&app, 160, 48);
    assert!(
        screen.contains(
            "bob: DeployModel-Stage / ApproveForStage: AccessDenied: codepipeline:PutApprovalResult"
        ),
        "{screen}"
    );
    assert!(
        screen.contains("1 lab(s) done, 1 with failures"),
        "{screen}"
    );
}

/// The height, borders included, of the box whose top border's title starts with `title`.
fn box_height(screen: &str, title: &str) -> usize {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let needle: Vec<char> = format!("┌ {title}").chars().collect();
    let (top, x) = rows
        .iter()
        .enumerate()
        .find_map(|(y, r)| {
            r.windows(needle.len())
                .position(|w| w == needle.as_slice())
                .map(|x| (y, x))
        })
        .unwrap_or_else(|| panic!("a box titled {title} in\n{screen}"));
    let bottom = (top + 1..rows.len())
        .find(|&y| rows[y].get(x) == Some(&'└'))
        .unwrap_or_else(|| panic!("the bottom of {title} in\n{screen}"));
    bottom - top + 1
}

#[tokio::test(start_paused = true)]
async fn a_lab_whose_products_cannot_be_read_shows_its_withheld_steps_in_the_bulk_cleanup() {
    let (sim, _clock, mut app) = class(2, false, 4 * 3600).await;
    // alice's DataScience account is read again, and its products cannot be: the dashboard
    // keeps showing them (stale), but the plan withholds what needs them.
    let key = crossdeck::backend::AccountKey {
        lab: 0,
        role: Role::DataScience,
    };
    let mut snap = sim.snapshot(key).await.expect("snapshot");
    snap.provisioned_products.clear();
    snap.mark_unknown(
        crossdeck::lab::Part::Products,
        "SearchProvisionedProducts failed: AccessDeniedException: no",
    );
    update(
        &mut app,
        Msg::Poll {
            key,
            generation: 2,
            result: Ok(Box::new(snap)),
        },
    );
    let ds = app.labs[0].snaps[Role::DataScience]
        .as_ref()
        .expect("ds snapshot");
    assert!(
        !ds.provisioned_products.is_empty() && ds.unknown[0].stale,
        "the last known products stay, marked stale"
    );
    assert!(typed(&mut app, " C").is_empty());
    let view = app.bulk.as_ref().expect("bulk view");
    let plan = view.items[0].plan.as_ref().expect("alice's plan");
    assert!(!plan.complete() && plan.accounts_read());
    assert!(
        plan.steps.iter().all(|s| s.role != Role::DataScience),
        "{plan}"
    );
    let id = app.labs[0].info.accounts[Role::DataScience]
        .clone()
        .unwrap_or_default();
    let screen = render(&app, 200, 60);
    for line in [
        format!("DataScience {id}: withheld: delete stack LabDSAccountSCSetup: "),
        format!("DataScience {id}: withheld: terminate the lab's provisioned products"),
    ] {
        assert!(screen.contains(&line), "{line:?} not in:\n{screen}");
    }
}
