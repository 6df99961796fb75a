//! Console links and ARNs per resource kind and region, and the `O` / `Y` keys in the reducer.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crossdeck::app::links::CopyItem;
use crossdeck::app::{App, Command, Msg, Overlay, update};
use crossdeck::backend::AccountKey;
use crossdeck::lab::console::{Resource, arn, page_url, switch_role_url};
use crossdeck::lab::*;

use crate::fixtures::{self, DS, T0, TOOLS};

#[test]
fn console_pages_for_each_kind_in_the_commercial_partition() {
    let r = "us-east-1";
    let host = "https://us-east-1.console.aws.amazon.com";
    assert_eq!(
        page_url(r, Resource::Stack("MLOpsPipeline")),
        format!(
            "{host}/cloudformation/home?region=us-east-1#/stacks/stackinfo?stackId=MLOpsPipeline"
        )
    );
    assert_eq!(
        page_url(r, Resource::Pipeline("mlops-ali-pipeline")),
        format!("{host}/codesuite/codepipeline/pipelines/mlops-ali-pipeline/view?region=us-east-1")
    );
    assert_eq!(
        page_url(r, Resource::Portfolio("port-abc")),
        format!("{host}/servicecatalog/home?region=us-east-1#portfolios/port-abc")
    );
    assert_eq!(
        page_url(
            r,
            Resource::Product {
                name: "alice-notebook",
                id: "pp-abc"
            }
        ),
        format!("{host}/servicecatalog/home?region=us-east-1#provisioned-products/pp-abc")
    );
    assert_eq!(
        page_url(r, Resource::Endpoint("ep-1")),
        format!("{host}/sagemaker/home?region=us-east-1#/endpoints/ep-1")
    );
    assert_eq!(
        page_url(r, Resource::Notebook("nb-1")),
        format!("{host}/sagemaker/home?region=us-east-1#/notebook-instances/nb-1")
    );
    assert_eq!(
        page_url(r, Resource::Bucket("my-bucket")),
        "https://s3.console.aws.amazon.com/s3/buckets/my-bucket?region=us-east-1"
    );
}

#[test]
fn console_pages_follow_the_region_and_partition() {
    assert_eq!(
        page_url("eu-west-1", Resource::Endpoint("ep")),
        "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/endpoints/ep"
    );
    assert_eq!(
        page_url("cn-north-1", Resource::Endpoint("ep")),
        "https://console.amazonaws.cn/sagemaker/home?region=cn-north-1#/endpoints/ep"
    );
    assert_eq!(
        page_url("us-gov-west-1", Resource::Stack("s")),
        "https://console.amazonaws-us-gov.com/cloudformation/home?region=us-gov-west-1#/stacks/stackinfo?stackId=s"
    );
    assert_eq!(
        page_url("cn-northwest-1", Resource::Bucket("b")),
        "https://console.amazonaws.cn/s3/buckets/b?region=cn-northwest-1"
    );
    // Names are encoded: a space or a slash cannot break out of the path.
    assert_eq!(
        page_url("us-east-1", Resource::Pipeline("a b/c")),
        "https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/a%20b%2Fc/view?region=us-east-1"
    );
}

#[test]
fn arns_for_each_kind_and_partition() {
    let a = "111111111111";
    assert_eq!(arn("us-east-1", a, Resource::Stack("s")), None);
    assert_eq!(
        arn("us-east-1", a, Resource::Endpoint("DataScience-Project-Ep")).as_deref(),
        Some("arn:aws:sagemaker:us-east-1:111111111111:endpoint/datascience-project-ep")
    );
    assert_eq!(
        arn("eu-west-1", a, Resource::Notebook("NB")).as_deref(),
        Some("arn:aws:sagemaker:eu-west-1:111111111111:notebook-instance/nb")
    );
    assert_eq!(
        arn("us-east-1", a, Resource::Pipeline("p")).as_deref(),
        Some("arn:aws:codepipeline:us-east-1:111111111111:p")
    );
    assert_eq!(
        arn("cn-north-1", a, Resource::Portfolio("port-1")).as_deref(),
        Some("arn:aws-cn:catalog:cn-north-1:111111111111:portfolio/port-1")
    );
    assert_eq!(
        arn(
            "us-gov-west-1",
            a,
            Resource::Product {
                name: "n",
                id: "pp-1"
            }
        )
        .as_deref(),
        Some("arn:aws-us-gov:servicecatalog:us-gov-west-1:111111111111:stack/n/pp-1")
    );
    assert_eq!(
        arn("cn-north-1", a, Resource::Bucket("b")).as_deref(),
        Some("arn:aws-cn:s3:::b")
    );
}

#[test]
fn the_switch_role_url_names_the_role_account_and_the_page_to_land_on() {
    let page = page_url("us-east-1", Resource::Endpoint("ep"));
    let url = switch_role_url(
        "us-east-1",
        "111111111111",
        "path/Lab Role",
        "alice Tools",
        &page,
    );
    assert_eq!(
        url,
        "https://signin.aws.amazon.com/switchrole?roleName=path%2FLab%20Role&account=111111111111\
         &displayName=alice%20Tools&redirect_uri=https%3A%2F%2Fus-east-1.console.aws.amazon.com\
         %2Fsagemaker%2Fhome%3Fregion%3Dus-east-1%23%2Fendpoints%2Fep"
    );
    assert!(
        switch_role_url("cn-north-1", "1", "r", "d", "x")
            .starts_with("https://signin.amazonaws.cn/switchrole?")
    );
    assert!(
        switch_role_url("us-gov-east-1", "1", "r", "d", "x")
            .starts_with("https://signin.amazonaws-us-gov.com/switchrole?")
    );
}

/// The fixture lab, its Tools account reached through a role, read in eu-west-1.
fn app_with_role() -> App {
    let mut info = fixtures::info();
    info.switch_roles[Role::Tools] = Some("CrossdeckWatcher".into());
    let mut app = App::new(vec![info], LabNames::default(), T0.plus_secs(42));
    let lab = fixtures::complete_lab();
    for role in Role::LAB {
        let mut snap = lab[role].clone().expect("snapshot");
        snap.region = "eu-west-1".into();
        update(
            &mut app,
            Msg::Poll {
                key: AccountKey { lab: 0, role },
                generation: 1,
                result: Ok(Box::new(snap)),
            },
        );
    }
    app
}

fn press(app: &mut App, c: char) -> Vec<Command> {
    let code = match c {
        '\n' => KeyCode::Enter,
        '\t' => KeyCode::Tab,
        '\x1b' => KeyCode::Esc,
        c => KeyCode::Char(c),
    };
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

#[test]
fn o_goes_through_the_switch_role_page_once_then_straight_to_the_page() {
    let mut app = app_with_role();
    // The Tools pane has focus; its first row is the first stack.
    let first = press(&mut app, 'O');
    let page = page_url("eu-west-1", Resource::Stack("LabSCToolsAccountSetup"));
    let switch = switch_role_url("eu-west-1", TOOLS, "CrossdeckWatcher", "alice Tools", &page);
    assert_eq!(first, [Command::OpenUrl(switch)]);
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("switching role")),
        "{:?}",
        app.notice
    );
    assert_eq!(press(&mut app, 'O'), [Command::OpenUrl(page)]);
}

#[test]
fn an_account_read_through_a_profile_opens_the_page_directly_and_o_falls_back_to_the_console() {
    let mut app = app_with_role();
    press(&mut app, '\t'); // DataScience: no role configured
    let cmds = press(&mut app, 'O');
    assert_eq!(
        cmds,
        [Command::OpenUrl(page_url(
            "eu-west-1",
            Resource::Stack("LabDSAccountSCSetup")
        ))]
    );
    // `o` opens notebooks and products itself; a stack goes to the console.
    assert_eq!(press(&mut app, 'o'), cmds);
}

#[test]
fn the_console_key_works_from_a_detail_too() {
    let mut app = app_with_role();
    press(&mut app, '\t');
    press(&mut app, '\n');
    assert!(matches!(app.overlays.last(), Some(Overlay::Detail { .. })));
    assert!(matches!(
        press(&mut app, 'O').as_slice(),
        [Command::OpenUrl(u)] if u.contains("cloudformation")
    ));
}

fn menu(app: &App) -> Vec<CopyItem> {
    match app.overlays.last() {
        Some(Overlay::CopyMenu { items, .. }) => items.clone(),
        other => panic!("the copy menu is open: {other:?}"),
    }
}

#[test]
fn the_copy_menu_offers_outputs_arn_and_console_url_and_copies_the_chosen_one() {
    let mut app = app_with_role();
    press(&mut app, '\t'); // DataScience
    // Move down to the provisioned product row.
    let rows = crossdeck::app::view::pane_items(&app, &app.labs[0], Role::DataScience);
    let at = rows
        .iter()
        .position(|r| matches!(r.target, crossdeck::app::Target::Product { .. }))
        .expect("a product row");
    for _ in 0..at {
        press(&mut app, 'j');
    }
    assert!(press(&mut app, 'Y').is_empty());
    let items = menu(&app);
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "provisioned product id",
            "name",
            "output BucketName",
            "ARN",
            "account id",
            "console URL"
        ]
    );
    assert_eq!(
        items[3].value,
        format!("arn:aws:servicecatalog:eu-west-1:{DS}:stack/alice-notebook/pp-abc")
    );
    press(&mut app, 'j');
    press(&mut app, 'j');
    assert_eq!(press(&mut app, '\n'), [Command::Copy("nb-bucket".into())]);
    assert!(app.overlays.is_empty());
    assert_eq!(
        app.notice.as_deref(),
        Some("copied output BucketName: nb-bucket")
    );
}

#[test]
fn the_copy_menu_closes_without_copying_and_says_when_nothing_is_selected() {
    let mut app = app_with_role();
    press(&mut app, 'Y');
    assert_eq!(menu(&app)[0].label, "stack name");
    assert!(press(&mut app, '\x1b').is_empty());
    assert!(app.overlays.is_empty());

    let mut empty = App::new(vec![fixtures::info()], LabNames::default(), T0);
    assert!(press(&mut empty, 'Y').is_empty());
    assert!(empty.overlays.is_empty());
    assert_eq!(empty.notice.as_deref(), Some("nothing selected to copy"));
    assert!(press(&mut empty, 'O').is_empty());
    assert!(empty.notice.is_some());
}

#[test]
fn the_switch_role_name_comes_from_the_configured_role_arn() {
    use crossdeck::config::CredentialSource;
    let role = |arn: &str| CredentialSource::AssumeRole {
        role_arn: arn.into(),
        source_profile: None,
        external_id: None,
        session_name: None,
    };
    assert_eq!(
        role("arn:aws:iam::111111111111:role/CrossdeckWatcher")
            .role_name()
            .as_deref(),
        Some("CrossdeckWatcher")
    );
    assert_eq!(
        role("arn:aws:iam::111111111111:role/lab/Watcher")
            .role_name()
            .as_deref(),
        Some("lab/Watcher")
    );
    assert_eq!(role("not-an-arn").role_name(), None);
    assert_eq!(CredentialSource::Profile("p".into()).role_name(), None);
}

#[test]
fn the_demo_class_is_reached_through_the_roster_role_so_o_switches_role_first() {
    let mut app = crate::render::demo_at(1200);
    let cmds = press(&mut app, 'O');
    let [Command::OpenUrl(url)] = cmds.as_slice() else {
        panic!("one URL: {cmds:?}");
    };
    assert!(
        url.starts_with("https://signin.aws.amazon.com/switchrole?roleName=OrganizationAccountAccessRole&account=")
            && url.contains("redirect_uri=https%3A%2F%2Fus-east-1.console.aws.amazon.com%2Fcloudformation"),
        "{url}"
    );
}
