//! Console links (`O`, through the switch-role page first when crossdeck reaches the account
//! through a role) and the copy menu (`Y`: name, id, ARN, outputs, console URL).

use super::keymap::KeyAction;
use super::msg::Command;
use super::operate;
use super::state::{App, Overlay, Target};
use crate::backend::AccountKey;
use crate::config::DEFAULT_REGION;
use crate::lab::console::{self, Resource};
use crate::lab::{AccountSnapshot, Role};

/// One value the copy menu offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyItem {
    pub label: String,
    pub value: String,
}

fn item(label: impl Into<String>, value: impl Into<String>) -> CopyItem {
    CopyItem {
        label: label.into(),
        value: value.into(),
    }
}

/// Where a target lives and what the console calls it.
struct Located<'a> {
    role: Role,
    snap: &'a AccountSnapshot,
    resource: Resource<'a>,
}

fn locate<'a>(app: &'a App, target: &'a Target) -> Option<Located<'a>> {
    let role = target.role();
    let snap = app.lab()?.snaps[role].as_ref()?;
    let resource = match target {
        Target::Stack { name, .. } => Resource::Stack(name),
        Target::Share { portfolio_id, .. } => Resource::Portfolio(portfolio_id),
        Target::Product { id, .. } => {
            let p = snap.provisioned_products.iter().find(|p| &p.id == id)?;
            Resource::Product { name: &p.name, id }
        }
        Target::Notebook { name, .. } => Resource::Notebook(name),
        Target::Endpoint { name, .. } => Resource::Endpoint(name),
        Target::Bucket { name, .. } => Resource::Bucket(name),
        Target::Action { .. } => Resource::Pipeline(&snap.pipelines.first()?.name),
        Target::Account { .. } => return None,
    };
    Some(Located {
        role,
        snap,
        resource,
    })
}

fn region(snap: &AccountSnapshot) -> &str {
    if snap.region.is_empty() {
        DEFAULT_REGION
    } else {
        &snap.region
    }
}

/// `O` (and `o` on anything that is not a notebook): the console page of the target.
pub fn console(app: &mut App) -> Vec<Command> {
    let Some(target) = operate::target(app) else {
        app.notice = Some("select a stack, pipeline, product, endpoint or notebook first".into());
        return Vec::new();
    };
    let Some(at) = locate(app, &target) else {
        app.notice = Some("the selected resource is gone from the latest poll".into());
        return Vec::new();
    };
    let region = region(at.snap);
    let page = console::page_url(region, at.resource);
    let key = AccountKey {
        lab: app.current,
        role: at.role,
    };
    let lab = &app.labs[app.current];
    let switch = lab.info.switch_roles[at.role]
        .as_deref()
        .filter(|_| !app.switched.contains(&key))
        .map(|role_name| {
            let display = format!("{} {}", lab.info.name, at.role.label());
            console::switch_role_url(region, &at.snap.account_id, role_name, &display, &page)
        });
    let url = match switch {
        Some(url) => {
            app.notice = Some(format!(
                "switching role in the browser for {} ({}); O again opens pages directly",
                at.role.label(),
                at.snap.account_id
            ));
            app.switched.insert(key);
            url
        }
        None => {
            app.notice = Some(format!("opening {page}"));
            page
        }
    };
    vec![Command::OpenUrl(url)]
}

/// The values the copy menu offers for a target, most wanted first.
pub fn copy_items(app: &App, target: &Target) -> Vec<CopyItem> {
    let Some(at) = locate(app, target) else {
        return Vec::new();
    };
    let region = region(at.snap);
    let account = at.snap.account_id.as_str();
    let mut items = Vec::new();
    match at.resource {
        Resource::Stack(name) => {
            items.push(item("stack name", name));
            if let Some(s) = at.snap.stack(name) {
                items.extend(
                    s.outputs
                        .iter()
                        .map(|(k, v)| item(format!("output {k}"), v)),
                );
                items.extend(
                    s.parameters
                        .iter()
                        .map(|(k, v)| item(format!("parameter {k}"), v)),
                );
            }
        }
        Resource::Product { name, id } => {
            items.push(item("provisioned product id", id));
            items.push(item("name", name));
            if let Some(p) = at.snap.provisioned_products.iter().find(|p| p.id == id) {
                items.extend(
                    p.outputs
                        .iter()
                        .map(|(k, v)| item(format!("output {k}"), v)),
                );
            }
        }
        Resource::Portfolio(id) => items.push(item("portfolio id", id)),
        Resource::Pipeline(name) => {
            items.push(item("pipeline name", name));
            if let Target::Action { stage, action } = target {
                items.push(item("stage/action", format!("{stage}/{action}")));
            }
        }
        Resource::Endpoint(name) => items.push(item("endpoint name", name)),
        Resource::Notebook(name) => items.push(item("notebook instance name", name)),
        Resource::Bucket(name) => {
            items.push(item("bucket name", name));
            items.push(item("S3 URI", format!("s3://{name}")));
        }
    }
    if let Some(arn) = console::arn(region, account, at.resource) {
        items.push(item("ARN", arn));
    }
    items.push(item("account id", account));
    items.push(item("console URL", console::page_url(region, at.resource)));
    items
}

/// `Y`: open the copy menu for the target.
pub fn open_copy_menu(app: &mut App) {
    let items = operate::target(app)
        .map(|t| copy_items(app, &t))
        .unwrap_or_default();
    if items.is_empty() {
        app.notice = Some("nothing selected to copy".into());
        return;
    }
    app.overlays.push(Overlay::CopyMenu { items, selected: 0 });
}

/// A key in the copy menu.
pub fn on_menu_key(app: &mut App, action: KeyAction) -> Vec<Command> {
    let Some(Overlay::CopyMenu { items, selected }) = app.overlays.last_mut() else {
        return Vec::new();
    };
    let last = items.len().saturating_sub(1);
    match action {
        KeyAction::Back => {
            app.overlays.pop();
        }
        KeyAction::Down => *selected = (*selected + 1).min(last),
        KeyAction::Up => *selected = selected.saturating_sub(1),
        KeyAction::Top | KeyAction::PageUp => *selected = 0,
        KeyAction::Bottom | KeyAction::PageDown => *selected = last,
        KeyAction::Open | KeyAction::Copy => {
            let Some(chosen) = items.get(*selected).cloned() else {
                return Vec::new();
            };
            app.overlays.pop();
            app.notice = Some(format!("copied {}: {}", chosen.label, chosen.value));
            return vec![Command::Copy(chosen.value)];
        }
        _ => {}
    }
    Vec::new()
}
