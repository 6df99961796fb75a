//! Screen tests of the action dialogs: a confirm, a text field and the launch form, drawn at
//! 80x24 as insta snapshots.

use insta::assert_snapshot;

use crossdeck::app::dialog::{Confirm, Input, InputPurpose, LaunchForm};
use crossdeck::app::{App, Overlay};
use crossdeck::backend::{AccountKey, Action, LaunchOptions, LaunchParameter};
use crossdeck::lab::{LabNames, Role};

use crate::fixtures::{self, T0};
use crate::render::render;

fn app() -> App {
    App::new(vec![fixtures::info()], LabNames::default(), T0)
}

fn tools() -> AccountKey {
    AccountKey {
        lab: 0,
        role: Role::Tools,
    }
}

#[test]
fn the_confirm_dialog_names_the_account_and_the_call() {
    let mut app = app();
    app.overlays.push(Overlay::Confirm(Confirm {
        key: tools(),
        action: Action::EnableTransition {
            pipeline: "MLOpsPipeline-CodePipeline-ABC".into(),
            stage: "DeployModel-Stage".into(),
        },
        title: "Promote into DeployModel-Stage?".into(),
        lines: vec![
            "pipeline  MLOpsPipeline-CodePipeline-ABC".into(),
            "disabled  change freeze (by crossdeck at 09:40:00)".into(),
            "sends     codepipeline:EnableStageTransition (inbound)".into(),
        ],
    }));
    assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn the_comment_field_shows_what_is_typed() {
    let mut app = app();
    app.overlays.push(Overlay::Input(Input {
        purpose: InputPurpose::Approval {
            key: tools(),
            pipeline: "MLOpsPipeline-CodePipeline-ABC".into(),
            stage: "DeployModel-Stage".into(),
            action: "ApproveForStage".into(),
            token: "t".into(),
            approve: true,
        },
        prompt: "Comment for approving DeployModel-Stage / ApproveForStage (optional)".into(),
        text: "model looks good".into(),
    }));
    assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn the_launch_form_shows_parameters_and_tags_with_defaults() {
    let mut app = app();
    let picker = |key: &str, default: &str, allowed: &[&str]| LaunchParameter {
        key: key.into(),
        description: String::new(),
        default: Some(default.into()),
        allowed: allowed.iter().map(|s| s.to_string()).collect(),
    };
    let options = LaunchOptions {
        product_id: "prod-abc".into(),
        product_name: "Amazon Secure Sagemaker".into(),
        artifact_id: "pa-abc".into(),
        artifact_name: "Version - 1.0".into(),
        path_id: "lpv2-abc".into(),
        path_name: "Spoke Data Scientists Portfolio".into(),
        parameters: vec![
            picker("SagemakerInstance", "Small", &["Small", "Medium", "Large"]),
            picker(
                "TeamName",
                "mnist",
                &["forecasting", "sentiment-analysis", "mnist"],
            ),
        ],
        tag_options: vec![("cost-center".into(), vec!["8457".into(), "6534".into()])],
    };
    let key = AccountKey {
        lab: 0,
        role: Role::DataScience,
    };
    let mut form = LaunchForm::new(key, options, "alice-notebook".into());
    form.field = 2;
    app.overlays.push(Overlay::Launch(form));
    assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn the_cleanup_plan_asks_for_the_account_ids() {
    use crossdeck::app::{Msg, update};
    use crossdeck::backend::sim::SimOptions;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let opts = SimOptions {
        participants: 1,
        ..SimOptions::default()
    };
    let mut app = crate::simapp::app_at(opts, 4 * 3600, 4 * 3600, 60);
    for c in "C111100000000,2222".chars() {
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    assert_snapshot!(render(&app, 110, 48));
}
