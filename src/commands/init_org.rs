//! `crossdeck init --from-organization`: the accounts of an AWS Organization grouped into
//! participants (by tags, else by an OU of their own and the accounts' names), each complete one
//! written as a lab reached through the organization's access role, with its UniqueID read from
//! the pipeline stack in its Tools account.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use aws_types::region::Region;
use futures_util::StreamExt;
use futures_util::stream;

use super::Failure;
use super::init::{refuse_existing, write};
use crate::backend::aws::clients::{Base, Settings, account_config, load_base};
use crate::backend::aws::errors::CallError;
use crate::backend::aws::identity;
use crate::backend::aws::organization::{self, OrgAccount, Parent, Reader};
use crate::backend::aws::stacks;
use crate::cli::InitArgs;
use crate::config::{AccountConfig, CredentialSource, partition};
use crate::lab::{LabNames, PerRole, Role};

/// The tag naming an account's participant.
pub const PARTICIPANT_TAG: &str = "crossdeck:participant";
/// The tag naming an account's role in the lab.
pub const ROLE_TAG: &str = "crossdeck:role";

/// One participant and their accounts by role (more than one when the organization has two).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Participant {
    pub name: String,
    pub accounts: PerRole<Vec<OrgAccount>>,
}

impl Participant {
    /// What keeps the participant from being a lab: a missing role, or a role with two accounts.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for role in Role::ALL {
            let list = &self.accounts[role];
            if list.is_empty() && role != Role::Production {
                out.push(format!("no {role} account"));
            } else if list.len() > 1 {
                let ids: Vec<&str> = list.iter().map(|a| a.id.as_str()).collect();
                out.push(format!(
                    "{} {role} accounts ({})",
                    list.len(),
                    ids.join(", ")
                ));
            }
        }
        out
    }

    /// The one account of `role`, when there is exactly one.
    pub fn account(&self, role: Role) -> Option<&OrgAccount> {
        match self.accounts[role].as_slice() {
            [a] => Some(a),
            _ => None,
        }
    }
}

/// The participants found (by name) and how many accounts fit no rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grouping {
    pub participants: Vec<Participant>,
    pub left_out: usize,
}

fn role_word(word: &str) -> Option<Role> {
    match word.to_ascii_lowercase().as_str() {
        "tools" => Some(Role::Tools),
        "datascience" | "ds" => Some(Role::DataScience),
        "stage" => Some(Role::Stage),
        "production" | "prod" => Some(Role::Production),
        _ => None,
    }
}

/// The role an account's name ends in, after `-`, `_` or `.`: `alice-tools`, `alice_DS`.
pub fn name_role(name: &str) -> Option<Role> {
    let (_, last) = name.rsplit_once(['-', '_', '.'])?;
    role_word(last)
}

/// The participant and role an account belongs to: its tags first, else an OU of the
/// participant's own (named after them) and the account's name.
pub fn place(a: &OrgAccount) -> Option<(String, Role)> {
    let tagged = a
        .tags
        .get(PARTICIPANT_TAG)
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .zip(a.tags.get(ROLE_TAG).and_then(|r| {
            let r = r.trim().to_ascii_lowercase();
            ["tools", "datascience", "stage", "production"]
                .contains(&r.as_str())
                .then(|| role_word(&r))
                .flatten()
        }));
    if let Some((p, r)) = tagged {
        return Some((p.to_string(), r));
    }
    if !a.parent.is_ou || a.parent.name.trim().is_empty() {
        return None;
    }
    name_role(&a.name).map(|r| (a.parent.name.clone(), r))
}

/// Group the accounts into participants, in name order.
pub fn group(accounts: &[OrgAccount]) -> Grouping {
    let mut by_name: BTreeMap<String, Participant> = BTreeMap::new();
    let mut left_out = 0;
    for a in accounts {
        match place(a) {
            Some((name, role)) => {
                let p = by_name.entry(name.clone()).or_insert_with(|| Participant {
                    name,
                    ..Participant::default()
                });
                p.accounts[role].push(a.clone());
            }
            None => left_out += 1,
        }
    }
    Grouping {
        participants: by_name.into_values().collect(),
        left_out,
    }
}

/// A TOML string literal.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Where an account sits: `OU class`, or `the root`.
fn place_text(p: &Parent) -> String {
    if p.is_ou {
        format!("OU {}", p.name)
    } else {
        "the root".to_string()
    }
}

/// How the written config reaches each account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access<'a> {
    /// Assume `role_name` in it, from `profile` (the default credentials without one).
    Role {
        role_name: &'a str,
        profile: Option<&'a str>,
    },
    /// IAM Identity Center: the `[sso-session]` `session`, the permission set's `role_name`.
    Sso {
        session: &'a str,
        role_name: &'a str,
    },
}

impl Access<'_> {
    /// The credentials of account `id`.
    pub fn credentials(&self, id: &str) -> CredentialSource {
        match *self {
            Access::Role { role_name, profile } => CredentialSource::AssumeRole {
                role_arn: format!("arn:aws:iam::{id}:role/{role_name}"),
                source_profile: profile.map(str::to_string),
                external_id: None,
                session_name: None,
            },
            Access::Sso { session, role_name } => CredentialSource::Sso {
                session: session.to_string(),
                role_name: role_name.to_string(),
            },
        }
    }

    /// The config's inline table for account `id`.
    fn entry(&self, id: &str) -> String {
        match *self {
            Access::Role { role_name, profile } => {
                let source = profile
                    .map(|s| format!(", source_profile = {}", quoted(s)))
                    .unwrap_or_default();
                format!(
                    "{{ account_id = {}, role_arn = {}{source} }}",
                    quoted(id),
                    quoted(&format!("arn:aws:iam::{id}:role/{role_name}")),
                )
            }
            Access::Sso { session, role_name } => format!(
                "{{ account_id = {}, sso_session = {}, sso_role_name = {} }}",
                quoted(id),
                quoted(session),
                quoted(role_name)
            ),
        }
    }

    fn words(&self) -> String {
        match *self {
            Access::Role {
                role_name,
                profile: Some(p),
            } => format!("by assuming {role_name} from profile {p}"),
            Access::Role {
                role_name,
                profile: None,
            } => format!("by assuming {role_name} from the default credentials"),
            Access::Sso { session, role_name } => {
                format!("through IAM Identity Center (sso-session {session}, role {role_name})")
            }
        }
    }
}

/// The config: one `[[labs]]` per complete participant, with a comment naming its accounts.
pub fn render(
    labs: &[(&Participant, Option<&str>)],
    access: Access<'_>,
    management: &str,
) -> String {
    let mut out = format!(
        "# crossdeck config: the labs of the AWS Organization managed by account {management},\n\
         # each account reached {}.\n\
         # `crossdeck init` wrote it; every key is described in config.example.toml.\n",
        access.words()
    );
    for (p, uid) in labs {
        let named: Vec<String> = Role::ALL
            .into_iter()
            .filter_map(|r| p.account(r))
            .map(|a| format!("{} ({}, {})", a.name, a.id, place_text(&a.parent)))
            .collect();
        out.push_str(&format!("\n# {}: {}\n", p.name, named.join(", ")));
        out.push_str(&format!("[[labs]]\nname = {}\n", quoted(&p.name)));
        if let Some(u) = uid {
            out.push_str(&format!("unique_id = {}\n", quoted(u)));
        }
        for role in Role::ALL {
            let Some(a) = p.account(role) else { continue };
            out.push_str(&format!("{} = {}\n", role.key(), access.entry(&a.id)));
        }
    }
    out
}

/// What the Tools account's pipeline stack says of the UniqueID.
#[derive(Clone, Debug, PartialEq)]
pub enum Uid {
    Found(String),
    NotDeployed,
    Unknown(String),
}

/// The table: participant, accounts, UniqueID (or what keeps it from being a lab).
pub fn table(rows: &[(&Participant, Option<&Uid>)]) -> String {
    let width = rows
        .iter()
        .map(|(p, _)| p.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("participant".len());
    let mut out = format!("{:width$}  {:<60}  UniqueID\n", "participant", "accounts");
    for (p, uid) in rows {
        let accounts: Vec<String> = Role::ALL
            .into_iter()
            .flat_map(|r| {
                p.accounts[r]
                    .iter()
                    .map(move |a| format!("{} {}", r.key(), a.id))
            })
            .collect();
        let last = match uid {
            Some(Uid::Found(u)) => u.clone(),
            Some(Uid::NotDeployed) => "not deployed yet".to_string(),
            Some(Uid::Unknown(why)) => format!("unknown ({why})"),
            None => format!("INCOMPLETE: {}", p.problems().join("; ")),
        };
        out.push_str(&format!(
            "{:width$}  {:<60}  {last}\n",
            p.name,
            accounts.join(", ")
        ));
    }
    out
}

/// Organizations answers from us-east-1 for every region of the commercial partition.
fn org_client(cfg: &aws_types::SdkConfig) -> aws_sdk_organizations::Client {
    let mut b = aws_sdk_organizations::config::Builder::from(cfg);
    let region = cfg.region().map(|r| r.as_ref().to_string());
    if region.as_deref().is_none_or(|r| partition(r) == "aws") {
        b = b.region(Region::new("us-east-1"));
    }
    aws_sdk_organizations::Client::from_conf(b.build())
}

fn profile_text(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!("profile {p}"),
        None => "the default credentials".to_string(),
    }
}

/// Why the caller cannot read the organization, when a failed call says so: its account is
/// not in one, or it is refused (not the management account nor a delegated administrator).
pub fn refusal(e: &CallError) -> Option<&'static str> {
    match e.code.as_deref() {
        Some("AWSOrganizationsNotInUseException") => Some("is not in an organization"),
        Some("AccessDeniedException") => Some("may not read the organization"),
        _ if e.kind == crate::lab::ErrorKind::AccessDenied => Some("may not read the organization"),
        _ => None,
    }
}

/// A failed Organizations call: refused or not a management account exits 2 naming the
/// profile and the account it reached; anything else exits 1.
async fn org_failure(e: CallError, cfg: &aws_types::SdkConfig, profile: Option<&str>) -> Failure {
    let Some(why) = refusal(&e) else {
        return Failure {
            code: 1,
            message: format!("cannot read the organization: {e}"),
        };
    };
    let who = match identity::caller(&aws_sdk_sts::Client::new(cfg)).await {
        Ok(id) => format!("account {} ({})", id.account, id.arn),
        Err(err) => format!("an account GetCallerIdentity could not name ({err})"),
    };
    Failure::usage(format!(
        "{} reaches {who}, which {why}: {e}.\n\
         Run this with the organization's management account (or a delegated administrator \
         for Organizations): --profile <its profile>.",
        profile_text(profile)
    ))
}

/// The OUs to list accounts in: the root's tree, or the subtree of `--ou` (an id or a name).
async fn parents(
    reader: &Reader<'_>,
    ou: Option<&str>,
) -> Result<Result<Vec<Parent>, String>, CallError> {
    let root = reader.root().await?;
    let Some(ou) = ou else {
        return Ok(Ok(reader
            .tree(root)
            .await?
            .into_iter()
            .map(|(p, _)| p)
            .collect()));
    };
    if ou.starts_with("ou-") {
        let start = reader.ou(ou).await?;
        return Ok(Ok(reader
            .tree(start)
            .await?
            .into_iter()
            .map(|(p, _)| p)
            .collect()));
    }
    let all = reader.tree(root).await?;
    let matching: Vec<&Parent> = all
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.is_ou && p.name == ou)
        .collect();
    let start = match matching.as_slice() {
        [one] => (*one).clone(),
        [] => return Ok(Err(format!("no organizational unit named '{ou}'"))),
        many => {
            let ids: Vec<&str> = many.iter().map(|p| p.id.as_str()).collect();
            return Ok(Err(format!(
                "{} organizational units are named '{ou}' ({}): pass its id",
                many.len(),
                ids.join(", ")
            )));
        }
    };
    // The subtree: the start and every OU whose parent is in it (parents come first).
    let mut keep = vec![start.id.clone()];
    let mut out = vec![start];
    for (p, parent) in &all {
        if parent.as_ref().is_some_and(|x| keep.contains(x)) && !keep.contains(&p.id) {
            keep.push(p.id.clone());
            out.push(p.clone());
        }
    }
    Ok(Ok(out))
}

/// Run it: the exit status (0 when every participant is complete, else 1).
pub async fn run(args: &InitArgs) -> Result<u8, Failure> {
    if !args.dry_run {
        refuse_existing(&args.output, args.force)?;
    }
    let started = Instant::now();
    let profile = args.profile.as_deref();
    let access = match (&args.sso_session, &args.sso_role_name) {
        (Some(session), Some(role_name)) => Access::Sso { session, role_name },
        _ => Access::Role {
            role_name: &args.role_name,
            profile,
        },
    };
    let settings = Settings {
        region: None,
        endpoint_url: None,
        max_attempts: None,
    };
    let cfg = load_base(profile, &settings).await;
    let client = org_client(&cfg);
    let calls = AtomicUsize::new(0);
    let reader = Reader {
        client: &client,
        calls: &calls,
    };
    let read = async {
        let parents = match parents(&reader, args.ou.as_deref()).await? {
            Ok(p) => p,
            Err(msg) => return Ok(Err(msg)),
        };
        reader.accounts_under(&parents).await.map(Ok)
    };
    let found = match read.await {
        Ok(Ok(f)) => f,
        Ok(Err(msg)) => return Err(Failure::usage(msg)),
        Err(e) => return Err(org_failure(e, &cfg, profile).await),
    };
    let org_calls = calls.load(Ordering::Relaxed);
    tracing::info!(
        calls = org_calls,
        accounts = found.accounts.len(),
        ms = started.elapsed().as_millis() as u64,
        "read the organization: {org_calls} Organizations calls"
    );
    let grouping = group(&found.accounts);
    let complete: Vec<&Participant> = grouping
        .participants
        .iter()
        .filter(|p| p.problems().is_empty())
        .collect();

    // The UniqueID from each complete participant's Tools account, through the access role.
    let base = Base::new(cfg.clone());
    let names = LabNames::default();
    let uids: Vec<Uid> = stream::iter(complete.iter())
        .map(|p| {
            let (base, names) = (&base, &names);
            async move {
                let Some(tools) = p.account(Role::Tools) else {
                    return Uid::NotDeployed;
                };
                let account = AccountConfig {
                    account_id: tools.id.clone(),
                    credentials: access.credentials(&tools.id),
                    region: None,
                    endpoint_url: None,
                    cleanup_role: None,
                };
                let cfn = match account_config(base, &account).await {
                    Ok((c, _)) => aws_sdk_cloudformation::Client::new(&c),
                    Err(e) => return Uid::Unknown(e.message),
                };
                match stacks::stack_unique_id(&cfn, &names.pipeline_stack).await {
                    Ok(Some(u)) => Uid::Found(u),
                    Ok(None) => Uid::NotDeployed,
                    Err(e) => Uid::Unknown(e.to_string()),
                }
            }
        })
        .buffered(organization::CONCURRENCY)
        .collect()
        .await;

    let management = identity::caller(&base.sts)
        .await
        .map(|i| i.account)
        .unwrap_or_else(|_| "(unknown)".to_string());
    let labs: Vec<(&Participant, Option<&str>)> = complete
        .iter()
        .zip(&uids)
        .map(|(p, u)| {
            let uid = match u {
                Uid::Found(u) => Some(u.as_str()),
                _ => None,
            };
            (*p, uid)
        })
        .collect();
    let text = render(&labs, access, &management);
    let rows: Vec<(&Participant, Option<&Uid>)> = grouping
        .participants
        .iter()
        .map(|p| {
            let uid = complete
                .iter()
                .position(|c| c.name == p.name)
                .and_then(|i| uids.get(i));
            (p, uid)
        })
        .collect();
    let incomplete = grouping.participants.len() - complete.len();
    let mut summary = table(&rows);
    summary.push_str(&format!(
        "{} participants: {} complete, {incomplete} incomplete; {} accounts fit no rule (left out){}.\n\
         Read in {:.1} s with {org_calls} Organizations calls.\n",
        grouping.participants.len(),
        complete.len(),
        grouping.left_out,
        if found.inactive > 0 {
            format!(", {} not active", found.inactive)
        } else {
            String::new()
        },
        started.elapsed().as_secs_f64(),
    ));
    if complete.is_empty() {
        summary.push_str("No complete participant: nothing written.\n");
        print!("{summary}");
        return Ok(1);
    }
    if args.dry_run {
        print!("{text}\n{summary}");
    } else {
        write(&args.output, &text)?;
        summary.push_str(&format!(
            "wrote {} ({} labs); next: `crossdeck --config {} check`.\n",
            args.output.display(),
            complete.len(),
            args.output.display()
        ));
        print!("{summary}");
    }
    Ok(if incomplete == 0 { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(id: &str, name: &str, ou: Option<&str>, tags: &[(&str, &str)]) -> OrgAccount {
        OrgAccount {
            id: id.into(),
            name: name.into(),
            parent: Parent {
                id: "p".into(),
                name: ou.unwrap_or("Root").into(),
                is_ou: ou.is_some(),
            },
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn account_names_end_in_their_role_after_a_separator() {
        assert_eq!(name_role("alice-tools"), Some(Role::Tools));
        assert_eq!(name_role("alice_DS"), Some(Role::DataScience));
        assert_eq!(name_role("alice.DataScience"), Some(Role::DataScience));
        assert_eq!(name_role("a-b.Stage"), Some(Role::Stage));
        assert_eq!(name_role("alice-prod"), Some(Role::Production));
        assert_eq!(name_role("alice-production"), Some(Role::Production));
        assert_eq!(name_role("alicetools"), None);
        assert_eq!(name_role("alice-toolsx"), None);
        assert_eq!(name_role("tools"), None);
    }

    #[test]
    fn tags_come_first_then_an_ou_of_ones_own() {
        let tagged = [(PARTICIPANT_TAG, "ana"), (ROLE_TAG, "Stage")];
        let g = group(&[
            // Tags win over the OU and the name.
            acct("1", "x-tools", Some("dora"), &tagged),
            acct("2", "dora-tools", Some("dora"), &[]),
            // At the root: no OU of her own.
            acct("3", "eve-tools", None, &[]),
            // A role tag that is no role, and no name rule: left out.
            acct(
                "4",
                "sandbox",
                Some("class"),
                &[(PARTICIPANT_TAG, "x"), (ROLE_TAG, "ds")],
            ),
        ]);
        assert_eq!(g.left_out, 2);
        let names: Vec<&str> = g.participants.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["ana", "dora"]);
        assert_eq!(g.participants[0].accounts[Role::Stage][0].id, "1");
        assert_eq!(g.participants[1].accounts[Role::Tools][0].id, "2");
    }

    #[test]
    fn a_participant_needs_one_account_per_lab_role() {
        let t = |id: &str, role: &str| {
            acct(
                id,
                id,
                Some("c"),
                &[(PARTICIPANT_TAG, "p"), (ROLE_TAG, role)],
            )
        };
        let g = group(&[
            t("1", "tools"),
            t("2", "datascience"),
            t("3", "datascience"),
        ]);
        assert_eq!(
            g.participants[0].problems(),
            ["2 DataScience accounts (2, 3)", "no Stage account"]
        );
        let g = group(&[t("1", "tools"), t("2", "datascience"), t("3", "stage")]);
        assert!(g.participants[0].problems().is_empty());
    }

    #[test]
    fn the_config_names_each_account_and_its_role() {
        let t = |id: &str, role: &str| {
            acct(
                id,
                &format!("p-{role}"),
                Some("class"),
                &[(PARTICIPANT_TAG, "p"), (ROLE_TAG, role)],
            )
        };
        let g = group(&[
            t("111111111111", "tools"),
            t("222222222222", "datascience"),
            t("333333333333", "stage"),
        ]);
        let text = render(
            &[(&g.participants[0], Some("p1"))],
            Access::Role {
                role_name: "Admin",
                profile: Some("mgmt"),
            },
            "999999999999",
        );
        assert!(text.contains(
            "# p: p-tools (111111111111, OU class), p-datascience (222222222222, OU class), p-stage (333333333333, OU class)\n\
             [[labs]]\nname = \"p\"\nunique_id = \"p1\"\n\
             tools = { account_id = \"111111111111\", role_arn = \"arn:aws:iam::111111111111:role/Admin\", source_profile = \"mgmt\" }\n"
        ), "{text}");
        let c = crate::config::Config::parse(std::path::Path::new("c.toml"), &text).expect("loads");
        assert_eq!(c.labs.len(), 1);
        assert_eq!(c.labs[0].unique_id.as_deref(), Some("p1"));
        let role = Access::Role {
            role_name: "Admin",
            profile: None,
        };
        let text = render(&[(&g.participants[0], None)], role, "999999999999");
        assert!(
            !text.contains("unique_id") && !text.contains("source_profile"),
            "{text}"
        );
        // Through IAM Identity Center: each account names the session and the role, and loads.
        let sso = Access::Sso {
            session: "class",
            role_name: "LabAdmin",
        };
        let text = render(&[(&g.participants[0], Some("p1"))], sso, "999999999999");
        assert!(
            text.contains(
                "stage = { account_id = \"333333333333\", sso_session = \"class\", sso_role_name = \"LabAdmin\" }\n"
            ) && text.contains("through IAM Identity Center (sso-session class, role LabAdmin)"),
            "{text}"
        );
        assert!(!text.contains("role_arn"), "{text}");
        let c = crate::config::Config::parse(std::path::Path::new("c.toml"), &text).expect("loads");
        assert_eq!(
            c.labs[0].accounts[Role::Stage]
                .as_ref()
                .map(|a| a.credentials.clone()),
            Some(CredentialSource::Sso {
                session: "class".into(),
                role_name: "LabAdmin".into()
            })
        );
    }
}
