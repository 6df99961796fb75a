//! Operating the simulated lab through the reducer, end to end: a key opens a dialog, the
//! dialog becomes a command, the command runs against the simulator, its answer and the next
//! poll change the state.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crossdeck::app::keymap::Mode;
use crossdeck::app::update::selected_target;
use crossdeck::app::{App, Command, Focus, Msg, Overlay, Target, update};
use crossdeck::backend::sim::{Clock, ManualClock, SIM_EPOCH, SimBackend, SimOptions};
use crossdeck::backend::{AccountKey, Action, Backend};
use crossdeck::lab::{PipelineStage, Role};

/// One simulated class, its clock, and an app fed by polls and by the commands it issues.
struct Rig {
    clock: ManualClock,
    sim: SimBackend,
    app: App,
    generation: u64,
    rt: tokio::runtime::Runtime,
    /// URLs opened and values copied.
    effects: Vec<Command>,
}

impl Rig {
    fn new(opts: SimOptions) -> Rig {
        let clock = ManualClock::new();
        clock.set(SIM_EPOCH);
        let read_only = opts.read_only;
        let sim = SimBackend::new(opts, Arc::new(clock.clone()));
        let mut app = App::new(sim.labs(), sim.names().clone(), clock.now());
        app.read_only = read_only;
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        Rig {
            clock,
            sim,
            app,
            generation: 0,
            rt,
            effects: Vec::new(),
        }
    }

    fn poll(&mut self, keys: &[AccountKey]) {
        self.generation += 1;
        for key in keys {
            let result = self.rt.block_on(self.sim.snapshot(*key)).map(Box::new);
            let msg = Msg::Poll {
                key: *key,
                generation: self.generation,
                result,
            };
            update(&mut self.app, msg);
        }
    }

    fn poll_all(&mut self) {
        let keys = self.app.account_keys();
        self.poll(&keys);
    }

    /// Advance simulated time in steps, polling, until `done` holds.
    fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        for _ in 0..2000 {
            self.poll_all();
            if done(&self.app) {
                return;
            }
            self.clock.advance_secs(15);
        }
        panic!("never reached: {what}");
    }

    fn press(&mut self, code: KeyCode) -> Vec<Command> {
        update(
            &mut self.app,
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        )
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            assert!(self.press(KeyCode::Char(c)).is_empty());
        }
    }

    /// Do what the terminal loop does with commands, until none are left.
    fn run(&mut self, cmds: Vec<Command>) {
        let mut queue = cmds;
        while let Some(cmd) = queue.pop() {
            let more = match cmd {
                Command::Refresh(keys) => {
                    self.poll(&keys);
                    Vec::new()
                }
                Command::Act { key, action } => {
                    let result = self.rt.block_on(self.sim.act(key, action.clone()));
                    let msg = Msg::ActionResult {
                        key,
                        action: Box::new(action),
                        result,
                    };
                    update(&mut self.app, msg)
                }
                Command::LaunchOptions { key, product } => {
                    let result = self
                        .rt
                        .block_on(self.sim.launch_options(key, &product))
                        .map(Box::new);
                    update(&mut self.app, Msg::LaunchOptions { key, result })
                }
                // A later read of a record is the test's to make, when it has moved the clock.
                Command::FollowRecord { after, .. } if !after.is_zero() => Vec::new(),
                Command::FollowRecord { key, record_id, .. } => {
                    let result = self.rt.block_on(self.sim.record(key, &record_id));
                    update(
                        &mut self.app,
                        Msg::Record {
                            key,
                            record_id,
                            result,
                        },
                    )
                }
                Command::NotebookUrl { key, name } => {
                    let result = self.rt.block_on(self.sim.notebook_url(key, &name));
                    update(&mut self.app, Msg::NotebookUrl { name, result })
                }
                other => {
                    self.effects.push(other);
                    Vec::new()
                }
            };
            queue.extend(more);
        }
    }

    fn stage(&self, name: &str) -> PipelineStage {
        self.app.labs[0].snaps[Role::Tools]
            .as_ref()
            .and_then(|s| s.pipelines.first())
            .and_then(|p| p.stage(name))
            .cloned()
            .unwrap_or_else(|| panic!("no stage {name}"))
    }

    /// Focus the pipeline strip and select a row of `stage` (its `action`, or any).
    fn select_in_pipeline(&mut self, stage: &str, action: Option<&str>) {
        self.app.focus = Focus::Pipeline;
        for i in 0..40 {
            self.app.selected[4] = i;
            if let Some(Target::Action {
                stage: s,
                action: a,
            }) = selected_target(&self.app)
                && s == stage
                && action.is_none_or(|x| x == a)
            {
                return;
            }
        }
        panic!("no row {stage} {action:?} in the pipeline strip");
    }

    fn select_in_pane(&mut self, role: Role, want: &Target) {
        self.app.focus = Focus::Pane(role);
        for i in 0..40 {
            self.app.selected[role.index()] = i;
            if selected_target(&self.app).as_ref() == Some(want) {
                return;
            }
        }
        panic!("no row {want:?} in the {role} pane");
    }

    fn confirm_title(&self) -> String {
        match self.app.overlays.last() {
            Some(Overlay::Confirm(c)) => c.title.clone(),
            other => panic!("expected a confirm dialog, got {other:?}"),
        }
    }
}

fn one(approval_gate: bool) -> SimOptions {
    SimOptions {
        participants: 1,
        faults: false,
        approval_gate,
        ..SimOptions::default()
    }
}

const STAGE: &str = "DeployModel-Stage";
const APPROVE: &str = "ApproveForStage";

fn waiting(app: &App) -> bool {
    app.labs[0].snaps[Role::Tools]
        .as_ref()
        .and_then(|s| s.pipelines.first())
        .and_then(|p| p.stage(STAGE))
        .and_then(|s| s.action(APPROVE))
        .is_some_and(|a| a.approval_token.is_some())
}

#[test]
fn approving_a_waiting_gate_goes_through_comment_confirm_and_the_pipeline_moves_on() {
    let mut r = Rig::new(one(true));
    r.until("the approval waits", waiting);
    assert!(
        r.app.labs[0]
            .progress
            .hint
            .contains("is waiting for approval"),
        "{}",
        r.app.labs[0].progress.hint
    );
    r.select_in_pipeline(STAGE, Some(APPROVE));
    assert!(r.press(KeyCode::Char('a')).is_empty());
    assert_eq!(r.app.mode(), Mode::Input);
    r.typed("model looks good");
    assert!(r.press(KeyCode::Enter).is_empty());
    assert_eq!(r.confirm_title(), format!("Approve {STAGE} / {APPROVE}?"));
    let cmds = r.press(KeyCode::Char('y'));
    let [Command::Act { key, action }] = cmds.as_slice() else {
        panic!("expected one action, got {cmds:?}");
    };
    assert_eq!(key.role, Role::Tools);
    let Action::ApproveAction {
        approve, comment, ..
    } = action
    else {
        panic!("{action:?}");
    };
    assert!(*approve);
    assert_eq!(comment, "model looks good");
    r.run(cmds);
    assert_eq!(r.app.mode(), Mode::Lab);
    assert!(
        r.app
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("approved")),
        "{:?}",
        r.app.notice
    );
    let approval = r.stage(STAGE).action(APPROVE).cloned().expect("approval");
    assert_eq!(approval.status.as_deref(), Some("Succeeded"));
    assert!(approval.approval_token.is_none());
    r.clock.advance_secs(5);
    r.poll_all();
    assert_eq!(
        r.stage(STAGE)
            .action("DeployToStageEnv")
            .and_then(|a| a.status.clone())
            .as_deref(),
        Some("InProgress")
    );
}

#[test]
fn rejecting_fails_the_stage_with_the_comment_and_cancel_sends_nothing() {
    let mut r = Rig::new(one(true));
    r.until("the approval waits", waiting);
    r.select_in_pipeline(STAGE, Some(APPROVE));
    // Esc at the comment: nothing is sent.
    r.press(KeyCode::Char('x'));
    assert!(r.press(KeyCode::Esc).is_empty());
    assert_eq!(r.app.mode(), Mode::Lab);
    assert!(waiting(&r.app));
    r.press(KeyCode::Char('x'));
    r.typed("wrong data");
    r.press(KeyCode::Enter);
    assert_eq!(r.confirm_title(), format!("Reject {STAGE} / {APPROVE}?"));
    // n at the confirm: nothing is sent either.
    assert!(r.press(KeyCode::Char('n')).is_empty());
    assert!(waiting(&r.app));
    r.press(KeyCode::Char('x'));
    r.typed("wrong data");
    r.press(KeyCode::Enter);
    let cmds = r.press(KeyCode::Enter);
    r.run(cmds);
    let st = r.stage(STAGE);
    assert_eq!(st.status.as_deref(), Some("Failed"));
    assert_eq!(
        st.action(APPROVE).and_then(|a| a.error.clone()).as_deref(),
        Some("Rejected: wrong data")
    );
}

#[test]
fn a_disabled_transition_holds_the_run_until_it_is_promoted() {
    let mut r = Rig::new(one(false));
    r.until("the pipeline exists", |a| {
        a.labs[0].snaps[Role::Tools]
            .as_ref()
            .is_some_and(|s| !s.pipelines.is_empty())
    });
    r.select_in_pipeline(STAGE, None);
    r.press(KeyCode::Char('d'));
    assert_eq!(r.app.mode(), Mode::Input);
    // A reason is required.
    assert!(r.press(KeyCode::Enter).is_empty());
    assert_eq!(r.app.mode(), Mode::Input);
    assert!(
        r.app
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("reason"))
    );
    r.typed("change freeze");
    r.press(KeyCode::Enter);
    assert_eq!(
        r.confirm_title(),
        format!("Disable the transition into {STAGE}?")
    );
    let cmds = r.press(KeyCode::Char('y'));
    r.run(cmds);
    let st = r.stage(STAGE);
    assert!(!st.inbound_enabled);
    assert!(
        st.disabled_reason
            .as_deref()
            .is_some_and(|d| d.starts_with("change freeze"))
    );

    // The run stops before the stage; the hint says how to promote.
    r.until("DeployModel-Tools succeeded", |a| {
        a.labs[0].snaps[Role::Tools]
            .as_ref()
            .and_then(|s| s.pipelines.first())
            .and_then(|p| p.stage("DeployModel-Tools"))
            .is_some_and(|s| s.status.as_deref() == Some("Succeeded"))
    });
    r.clock.advance_secs(600);
    r.poll_all();
    assert_eq!(
        r.stage(STAGE).status,
        None,
        "held before the disabled transition"
    );
    assert!(
        r.app.labs[0].progress.hint.contains("press e"),
        "{}",
        r.app.labs[0].progress.hint
    );

    r.select_in_pipeline(STAGE, None);
    r.press(KeyCode::Char('e'));
    assert_eq!(r.confirm_title(), format!("Promote into {STAGE}?"));
    let cmds = r.press(KeyCode::Char('y'));
    assert!(matches!(
        cmds.as_slice(),
        [Command::Act {
            action: Action::EnableTransition { .. },
            ..
        }]
    ));
    r.run(cmds);
    r.clock.advance_secs(5);
    r.poll_all();
    let st = r.stage(STAGE);
    assert!(st.inbound_enabled);
    assert_eq!(st.status.as_deref(), Some("InProgress"));
}

#[test]
fn a_failed_stage_is_retried_and_a_change_released() {
    // carol (index 2) plays the failing DeployToStageEnv.
    let mut r = Rig::new(SimOptions {
        participants: 3,
        ..SimOptions::default()
    });
    // The fleet comes first with three labs: down twice to carol, Enter opens her lab view.
    for code in [KeyCode::Down, KeyCode::Down, KeyCode::Enter] {
        r.press(code);
    }
    assert_eq!((r.app.mode(), r.app.current), (Mode::Lab, 2));
    let failed = |a: &App| {
        a.labs[2].snaps[Role::Tools]
            .as_ref()
            .and_then(|s| s.pipelines.first())
            .and_then(|p| p.stage(STAGE))
            .is_some_and(|s| s.status.as_deref() == Some("Failed"))
    };
    r.until("carol's Stage deploy fails", failed);
    r.select_in_pipeline(STAGE, None);
    r.press(KeyCode::Char('R'));
    assert_eq!(r.confirm_title(), format!("Retry {STAGE}?"));
    let cmds = r.press(KeyCode::Char('y'));
    r.run(cmds);
    let st = r.app.labs[2].snaps[Role::Tools]
        .as_ref()
        .and_then(|s| s.pipelines.first())
        .and_then(|p| p.stage(STAGE))
        .cloned()
        .expect("stage");
    assert_eq!(st.status.as_deref(), Some("InProgress"));

    let before = r.app.labs[2].snaps[Role::Tools]
        .as_ref()
        .and_then(|s| s.pipelines.first())
        .and_then(|p| p.latest_execution.clone())
        .expect("a run");
    r.press(KeyCode::Char('P'));
    let cmds = r.press(KeyCode::Char('y'));
    assert!(matches!(
        cmds.as_slice(),
        [Command::Act {
            action: Action::StartPipeline { .. },
            ..
        }]
    ));
    r.run(cmds);
    let after = r.app.labs[2].snaps[Role::Tools]
        .as_ref()
        .and_then(|s| s.pipelines.first())
        .and_then(|p| p.latest_execution.clone())
        .expect("a run");
    assert_ne!(after.id, before.id);
    assert_eq!(after.status, "InProgress");
}

#[test]
fn launching_the_product_from_the_form_follows_the_record_and_opens_the_notebook() {
    let mut r = Rig::new(one(false));
    r.until("the DataScience catalog is set up", |a| {
        a.labs[0].snaps[Role::DataScience]
            .as_ref()
            .is_some_and(|s| {
                s.stack("LabDSAccountSCSetup")
                    .is_some_and(|st| st.status == "CREATE_COMPLETE")
            })
    });
    let cmds = r.press(KeyCode::Char('L'));
    assert!(matches!(cmds.as_slice(), [Command::LaunchOptions { .. }]));
    r.run(cmds);
    assert_eq!(r.app.mode(), Mode::Launch);
    let Some(Overlay::Launch(form)) = r.app.overlays.last() else {
        panic!("launch form");
    };
    assert_eq!(form.name, "alice-notebook");
    assert_eq!(
        form.rows()[1..],
        [
            ("SagemakerInstance".to_string(), "Small".to_string()),
            ("TeamName".to_string(), form.rows()[2].1.clone()),
            ("tag cost-center".to_string(), "8457".to_string()),
        ]
    );
    // Rename, pick Medium and the other cost centre.
    r.press(KeyCode::Backspace);
    r.typed("2");
    r.press(KeyCode::Down);
    r.press(KeyCode::Right);
    r.press(KeyCode::Down);
    r.press(KeyCode::Down);
    r.press(KeyCode::Right);
    r.press(KeyCode::Enter);
    let Some(Overlay::Confirm(c)) = r.app.overlays.last() else {
        panic!("confirm");
    };
    assert_eq!(c.title, "Launch Amazon Secure Sagemaker as alice-noteboo2?");
    let Action::LaunchProduct(req) = &c.action else {
        panic!("{:?}", c.action);
    };
    assert_eq!(req.name, "alice-noteboo2");
    assert!(
        req.parameters
            .contains(&("SagemakerInstance".into(), "Medium".into()))
    );
    assert_eq!(req.tags, [("cost-center".to_string(), "6534".to_string())]);
    let cmds = r.press(KeyCode::Char('y'));
    r.run(cmds);
    assert!(
        r.app
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("IN_PROGRESS")),
        "{:?}",
        r.app.notice
    );
    let launch = r.app.launches.first().cloned().expect("followed");

    r.until("the product is available", |a| {
        a.labs[0].snaps[Role::DataScience]
            .as_ref()
            .is_some_and(|s| {
                s.provisioned_products
                    .iter()
                    .any(|p| p.status == "AVAILABLE")
            })
    });
    r.run(vec![Command::FollowRecord {
        key: launch.key,
        record_id: launch.record_id,
        after: std::time::Duration::ZERO,
    }]);
    assert!(r.app.launches.is_empty());
    assert!(
        r.app
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("alice-noteboo2 is launched")),
        "{:?}",
        r.app.notice
    );
    let Some(Overlay::Detail {
        target: Target::Product { id, .. },
        ..
    }) = r.app.overlays.last().cloned()
    else {
        panic!("the product's detail opens: {:?}", r.app.overlays);
    };
    let open = r.press(KeyCode::Char('o'));
    r.run(open);
    let copy = r.press(KeyCode::Char('y'));
    r.run(copy);
    let url = r.app.labs[0].snaps[Role::DataScience]
        .as_ref()
        .and_then(|s| s.provisioned_products.iter().find(|p| p.id == id))
        .and_then(|p| p.outputs.get("SageMakerNoteBookURL").cloned())
        .expect("notebook URL output");
    assert_eq!(
        r.effects,
        [Command::OpenUrl(url.clone()), Command::Copy(url)]
    );
}

#[test]
fn a_notebook_is_stopped_and_started_and_opened_with_a_sign_in_url() {
    let mut r = Rig::new(one(false));
    let name = |a: &App| {
        a.labs[0].snaps[Role::DataScience]
            .as_ref()
            .and_then(|s| s.notebooks.first())
            .filter(|n| n.status == "InService")
            .map(|n| n.name.clone())
    };
    r.until("the notebook is InService", |a| name(a).is_some());
    let nb = name(&r.app).expect("notebook");
    let target = Target::Notebook {
        role: Role::DataScience,
        name: nb.clone(),
    };
    r.select_in_pane(Role::DataScience, &target);
    let cmds = r.press(KeyCode::Char('o'));
    r.run(cmds);
    assert!(
        matches!(r.effects.as_slice(), [Command::OpenUrl(u)] if u.contains(&nb)),
        "{:?}",
        r.effects
    );

    r.press(KeyCode::Char('s'));
    assert_eq!(r.confirm_title(), format!("Stop {nb}?"));
    let cmds = r.press(KeyCode::Char('y'));
    r.run(cmds);
    let status = |r: &Rig| {
        r.app.labs[0].snaps[Role::DataScience]
            .as_ref()
            .and_then(|s| s.notebooks.first())
            .map(|n| n.status.clone())
            .unwrap_or_default()
    };
    assert_eq!(status(&r), "Stopping");
    r.clock.advance_secs(60);
    r.poll_all();
    assert_eq!(status(&r), "Stopped");
    r.select_in_pane(Role::DataScience, &target);
    r.press(KeyCode::Char('s'));
    assert_eq!(r.confirm_title(), format!("Start {nb}?"));
    let cmds = r.press(KeyCode::Char('y'));
    r.run(cmds);
    assert_eq!(status(&r), "Pending");
}

#[test]
fn read_only_refuses_at_the_key_and_at_the_backend() {
    let mut r = Rig::new(SimOptions {
        read_only: true,
        ..one(true)
    });
    r.until("the approval waits", waiting);
    r.select_in_pipeline(STAGE, Some(APPROVE));
    for c in ['a', 'x', 'e', 'd', 'R', 'P', 'L', 's'] {
        assert!(r.press(KeyCode::Char(c)).is_empty(), "{c}");
        assert_eq!(r.app.mode(), Mode::Lab, "{c} opened a dialog");
        assert!(
            r.app
                .notice
                .as_deref()
                .is_some_and(|n| n.starts_with("read-only")),
            "{c}"
        );
    }
    let key = AccountKey {
        lab: 0,
        role: Role::Tools,
    };
    let refused = r.rt.block_on(r.sim.act(
        key,
        Action::StartPipeline {
            pipeline: "p".into(),
        },
    ));
    assert!(
        matches!(refused, Err(crossdeck::backend::ActionError::Refused(m)) if m.contains("read-only"))
    );
    assert!(waiting(&r.app));
}
