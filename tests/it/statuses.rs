//! Statuses as AWS means them: every value of the SDK's status enums has a category of its own,
//! rolled-back stacks and tainted products are working (with a warning), and a manual approval
//! waits only while it is in progress with a token.

use aws_sdk_cloudformation::types::{ResourceStatus, StackStatus};
use aws_sdk_codepipeline::types::{
    ActionExecutionStatus, PipelineExecutionStatus, StageExecutionStatus,
};
use aws_sdk_sagemaker::types::{EndpointStatus, NotebookInstanceStatus};
use aws_sdk_servicecatalog::types::{ProvisionedProductStatus, RecordStatus};

use crossdeck::app::view::{self, pipeline_view};
use crossdeck::app::{App, Target, fleet};
use crossdeck::backend::aws::stacks;
use crossdeck::lab::progress;
use crossdeck::lab::status::{self, APPROVAL_WORD, WARNING_MARK};
use crossdeck::lab::*;

use crate::fixtures::{self, T0, tools};

#[test]
fn every_value_of_the_sdks_status_enums_has_an_explicit_category() {
    let enums: [(&str, &[&str]); 9] = [
        ("StackStatus", StackStatus::values()),
        ("ResourceStatus", ResourceStatus::values()),
        ("EndpointStatus", EndpointStatus::values()),
        ("NotebookInstanceStatus", NotebookInstanceStatus::values()),
        (
            "ProvisionedProductStatus",
            ProvisionedProductStatus::values(),
        ),
        ("RecordStatus", RecordStatus::values()),
        ("StageExecutionStatus", StageExecutionStatus::values()),
        ("ActionExecutionStatus", ActionExecutionStatus::values()),
        ("PipelineExecutionStatus", PipelineExecutionStatus::values()),
    ];
    let mut missing = Vec::new();
    for (name, values) in enums {
        assert!(!values.is_empty(), "{name} lists its values");
        for v in values {
            if Category::explicit(v).is_none() {
                missing.push(format!("{name}::{v}"));
            }
        }
    }
    assert!(missing.is_empty(), "no category for {missing:?}");
    assert_eq!(Category::explicit("NOT_A_STATUS"), None);
}

#[test]
fn the_named_statuses_read_as_aws_means_them() {
    use Category::*;
    let cases = [
        (StackStatus::UpdateRollbackComplete.as_str(), Complete),
        (StackStatus::ImportRollbackComplete.as_str(), Complete),
        (StackStatus::RollbackComplete.as_str(), Failed),
        (StackStatus::UpdateRollbackFailed.as_str(), Failed),
        (ProvisionedProductStatus::Tainted.as_str(), Complete),
        (ProvisionedProductStatus::Error.as_str(), Failed),
        (EndpointStatus::RollingBack.as_str(), InProgress),
        (EndpointStatus::UpdateRollbackFailed.as_str(), Failed),
        (NotebookInstanceStatus::Stopping.as_str(), InProgress),
        (NotebookInstanceStatus::Stopped.as_str(), Cancelled),
        (RecordStatus::InProgressInError.as_str(), InProgress),
        (StageExecutionStatus::Skipped.as_str(), Cancelled),
        (PipelineExecutionStatus::Stopping.as_str(), InProgress),
    ];
    for (s, want) in cases {
        assert_eq!(Category::of(s), want, "{s}");
    }
    for s in [
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
        "TAINTED",
        "IN_PROGRESS_IN_ERROR",
    ] {
        assert_eq!(status::warning_mark(s), Some(WARNING_MARK), "{s}");
    }
    assert_eq!(status::warning_mark("ROLLBACK_COMPLETE"), None);
}

/// One lab, every account polled from `lab`.
fn app_with(lab: &progress::LabSnapshots) -> App {
    let mut app = App::new(vec![fixtures::info()], LabNames::default(), T0);
    for role in Role::LAB {
        let snap = lab[role].clone().expect("snapshot");
        crate::reducer::poll(&mut app, 0, role, 1, snap);
    }
    app
}

#[test]
fn a_rolled_back_stack_is_done_and_shows_its_mark_and_reason_without_reading_events() {
    let mut lab = fixtures::complete_lab();
    let s = tools(&mut lab)
        .stacks
        .iter_mut()
        .find(|s| s.name == "MLOpsPipeline")
        .expect("stack");
    s.status = "UPDATE_ROLLBACK_COMPLETE".into();
    s.reason = Some("Parameter UniqueID failed to satisfy constraint".into());
    assert!(
        !stacks::needs_events(s),
        "a working stack's events are not read"
    );
    let mut moving = s.clone();
    moving.status = "UPDATE_ROLLBACK_IN_PROGRESS".into();
    assert!(stacks::needs_events(&moving));
    let mut failed = s.clone();
    failed.status = "ROLLBACK_COMPLETE".into();
    assert!(stacks::needs_events(&failed));

    let p = progress::derive(&fixtures::info(), &LabNames::default(), &lab);
    assert!(p.complete(), "the rolled-back stack still counts as done");
    assert_eq!(p.blocked, None);

    let app = app_with(&lab);
    let lab_state = app.lab().expect("lab");
    let rows = view::pane_items(&app, lab_state, Role::Tools);
    let row = rows
        .iter()
        .find(|i| i.label == "MLOpsPipeline")
        .expect("row");
    assert_eq!(row.category, Category::Complete);
    assert_eq!(
        row.warning.as_deref(),
        Some("the update was rolled back: Parameter UniqueID failed to satisfy constraint")
    );
    let others = rows.iter().filter(|i| i.label != "MLOpsPipeline");
    assert!(others.clone().all(|i| i.warning.is_none()), "{rows:?}");
}

#[test]
fn a_tainted_product_shows_its_message_with_the_mark() {
    let mut lab = fixtures::complete_lab();
    let p = &mut fixtures::ds(&mut lab).provisioned_products[0];
    p.status = "TAINTED".into();
    p.status_message = Some("Update failed; rolled back".into());
    let id = p.id.clone();
    let app = app_with(&lab);
    let rows = view::pane_items(&app, app.lab().expect("lab"), Role::DataScience);
    let row = rows
        .iter()
        .find(|i| matches!(&i.target, Target::Product { id: x, .. } if *x == id))
        .expect("row");
    assert_eq!(row.category, Category::Complete);
    assert_eq!(
        row.warning.as_deref(),
        Some("rolled back to the current version: Update failed; rolled back")
    );
}

const APPROVAL: &str = "ApproveForStage";

/// The complete lab with a manual approval first in DeployModel-Stage.
fn with_approval(status: &str, token: Option<&str>) -> progress::LabSnapshots {
    let mut lab = fixtures::complete_lab();
    let st = &mut tools(&mut lab).pipelines[0].stages[2];
    let mut a = fixtures::action(APPROVAL, status);
    a.kind = ActionKind::Approval;
    a.approval_token = token.map(str::to_string);
    st.actions.insert(0, a);
    if status == "InProgress" {
        st.status = Some("InProgress".into());
        for a in &mut st.actions[1..] {
            a.status = None;
        }
        fixtures::stage(&mut lab).endpoints.clear();
    }
    lab
}

fn approval_row(app: &App) -> view::ActionView {
    let v = pipeline_view(app, app.lab().expect("lab"));
    v.stages[2]
        .actions
        .iter()
        .find(|a| a.name == APPROVAL)
        .cloned()
        .expect("approval row")
}

#[test]
fn an_approval_in_progress_with_a_token_waits_with_its_own_mark_and_word() {
    let lab = with_approval("InProgress", Some("tok-1"));
    let app = app_with(&lab);
    let row = approval_row(&app);
    assert!(row.waiting);
    assert_eq!(row.status, APPROVAL_WORD);

    let pos = fleet::pipeline_position(app.lab().expect("lab")).expect("position");
    assert!(pos.waiting);
    let mut text = String::new();
    pos.write(&mut text, true);
    assert_eq!(
        text,
        format!("DeployModel-Stage/{APPROVAL} {APPROVAL_WORD}")
    );

    let hint = &app.lab().expect("lab").progress.hint;
    assert!(
        hint.contains(&format!("{APPROVAL} is {APPROVAL_WORD}")),
        "{hint}"
    );
}

#[test]
fn a_finished_approval_with_a_stale_token_or_none_does_not_wait() {
    for (status, token) in [
        ("Succeeded", Some("stale")),
        ("Succeeded", None),
        ("Failed", Some("stale")),
    ] {
        let lab = with_approval(status, token);
        let app = app_with(&lab);
        let row = approval_row(&app);
        assert!(!row.waiting, "{status} {token:?}");
        assert_eq!(row.status, status);
        assert_eq!(row.category, Category::of(status));
        let lab_state = app.lab().expect("lab");
        let pos = fleet::pipeline_position(lab_state);
        assert!(
            !pos.is_some_and(|p| p.waiting),
            "{status} {token:?}: {pos:?}"
        );
        assert!(
            !lab_state.progress.hint.contains(APPROVAL_WORD),
            "{}",
            lab_state.progress.hint
        );
    }
    // In progress without a token (not readable yet): running, not waiting.
    let app = app_with(&with_approval("InProgress", None));
    let row = approval_row(&app);
    assert!(!row.waiting);
    assert_eq!(row.status, "InProgress");
}

#[test]
fn the_lab_view_draws_the_warning_and_approval_marks() {
    let mut lab = with_approval("InProgress", Some("tok-1"));
    let s = tools(&mut lab)
        .stacks
        .iter_mut()
        .find(|s| s.name == "MLOpsPipelinePrep")
        .expect("stack");
    s.status = "UPDATE_ROLLBACK_COMPLETE".into();
    s.reason = Some("Bucket policy rejected".into());
    let app = app_with(&lab);
    let screen = crate::render::render(&app, 160, 48);
    let line_with = |needle: &str| {
        screen
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?}:\n{screen}"))
            .to_string()
    };
    let row = line_with("MLOpsPipelinePrep");
    assert!(
        row.contains(&format!("{WARNING_MARK} MLOpsPipelinePrep")),
        "{row}"
    );
    line_with("the update was rolled back: Bucket policy");
    line_with("UPDATE_ROLLBACK_COMPLETE — Bucket policy rejected");
    let approval = line_with(&format!("{} {APPROVAL}", status::APPROVAL_MARK));
    assert!(
        !approval.contains('·'),
        "not the mark of an action not run: {approval}"
    );
    line_with(&format!("{APPROVAL}: {APPROVAL_WORD}"));
    insta::assert_snapshot!(screen);
}

/// The waiting approval reads the same, "waiting for approval", where it is drawn: the
/// pipeline strip, the fleet's pipeline column and the lab's hint in the header.
#[test]
fn the_strip_the_fleet_and_the_hint_draw_the_same_word() {
    assert_eq!(APPROVAL_WORD, "waiting for approval");
    let lab = with_approval("InProgress", Some("tok-1"));
    let mut bob = fixtures::info();
    bob.name = "bob".into();
    let mut app = App::new(vec![fixtures::info(), bob], LabNames::default(), T0);
    for role in Role::LAB {
        let snap = lab[role].clone().expect("snapshot");
        crate::reducer::poll(&mut app, 0, role, 1, snap);
    }
    assert!(app.fleet.active, "two labs open on the fleet");
    let fleet_screen = crate::render::render(&app, 200, 60);
    let row = fleet_screen
        .lines()
        .find(|l| l.contains(" alice "))
        .unwrap_or_else(|| panic!("alice's row in\n{fleet_screen}"));
    assert!(row.contains(status::APPROVAL_MARK), "{row}");
    assert!(
        row.contains(&format!("{APPROVAL} {APPROVAL_WORD}")),
        "{row}"
    );
    crate::fleet::typed(&mut app, "\n");
    let lab_screen = crate::render::render(&app, 200, 60);
    let hint = lab_screen
        .lines()
        .nth(1)
        .unwrap_or_else(|| panic!("the hint line in\n{lab_screen}"));
    assert!(
        hint.contains(&format!("{APPROVAL} is {APPROVAL_WORD}")),
        "{hint}"
    );
    assert!(
        lab_screen.contains(&format!("{APPROVAL}: {APPROVAL_WORD}"))
            || lab_screen.contains(&format!("{APPROVAL} {APPROVAL_WORD}")),
        "{lab_screen}"
    );
}
