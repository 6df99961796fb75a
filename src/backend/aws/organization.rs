//! AWS Organizations: the tree under the root (or one OU) walked a few calls at a time, every
//! page read (empty pages with a NextToken too), each active account with its parent OU and tags.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{AccountState, AccountStatus};
use futures_util::StreamExt;
use futures_util::stream;

use super::errors::CallError;
use crate::lab::ErrorKind;

/// Calls sent at once to Organizations.
pub const CONCURRENCY: usize = 4;

/// An organizational unit (or the root) accounts sit in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parent {
    pub id: String,
    pub name: String,
    /// `false` for the root.
    pub is_ou: bool,
}

/// One active account of the organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    pub parent: Parent,
    pub tags: BTreeMap<String, String>,
}

/// What the walk found: the active accounts under the start, and how many others were skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub accounts: Vec<OrgAccount>,
    pub inactive: usize,
}

/// Reads the organization, counting every call it sends.
pub struct Reader<'a> {
    pub client: &'a Client,
    pub calls: &'a AtomicUsize,
}

impl Reader<'_> {
    fn count(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// ListRoots: the root's id.
    pub async fn root(&self) -> Result<Parent, CallError> {
        let mut token = None;
        loop {
            self.count();
            let out = self
                .client
                .list_roots()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("ListRoots", e))?;
            if let Some(r) = out.roots().first() {
                return Ok(Parent {
                    id: r.id().unwrap_or_default().to_string(),
                    name: r.name().unwrap_or("Root").to_string(),
                    is_ou: false,
                });
            }
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                return Err(CallError::new(
                    "ListRoots",
                    ErrorKind::Other,
                    "the organization has no root",
                ));
            }
        }
    }

    /// The OUs directly under `parent`, every page.
    async fn ous(&self, parent: &str) -> Result<Vec<Parent>, CallError> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            self.count();
            let page = self
                .client
                .list_organizational_units_for_parent()
                .parent_id(parent)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("ListOrganizationalUnitsForParent", e))?;
            out.extend(page.organizational_units().iter().map(|o| Parent {
                id: o.id().unwrap_or_default().to_string(),
                name: o.name().unwrap_or_default().to_string(),
                is_ou: true,
            }));
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    /// Every OU under `start` (`start` first), level by level, a few parents at a time; each
    /// with its parent's id (`None` for `start`).
    pub async fn tree(&self, start: Parent) -> Result<Vec<(Parent, Option<String>)>, CallError> {
        let mut all = vec![(start.clone(), None)];
        let mut level = vec![start];
        while !level.is_empty() {
            let children: Vec<Result<Vec<Parent>, CallError>> = stream::iter(level.iter())
                .map(|p| self.ous(&p.id))
                .buffered(CONCURRENCY)
                .collect()
                .await;
            let mut next = Vec::new();
            for (parent, c) in level.iter().zip(children) {
                for ou in c? {
                    all.push((ou.clone(), Some(parent.id.clone())));
                    next.push(ou);
                }
            }
            level = next;
        }
        Ok(all)
    }

    /// The accounts directly under `parent`, every page: (active ones as id and name, inactive count).
    async fn accounts(&self, parent: &str) -> Result<(Vec<(String, String)>, usize), CallError> {
        let mut out = Vec::new();
        let mut inactive = 0;
        let mut token = None;
        loop {
            self.count();
            let page = self
                .client
                .list_accounts_for_parent()
                .parent_id(parent)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("ListAccountsForParent", e))?;
            for a in page.accounts() {
                #[allow(deprecated)]
                let active = match (a.state(), a.status()) {
                    (Some(s), _) => *s == AccountState::Active,
                    (None, Some(s)) => *s == AccountStatus::Active,
                    (None, None) => false,
                };
                if active {
                    out.push((
                        a.id().unwrap_or_default().to_string(),
                        a.name().unwrap_or_default().to_string(),
                    ));
                } else {
                    inactive += 1;
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok((out, inactive));
            }
        }
    }

    /// An account's tags, every page.
    async fn tags(&self, id: &str) -> Result<BTreeMap<String, String>, CallError> {
        let mut out = BTreeMap::new();
        let mut token = None;
        loop {
            self.count();
            let page = self
                .client
                .list_tags_for_resource()
                .resource_id(id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| CallError::from_sdk("ListTagsForResource", e))?;
            out.extend(
                page.tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string())),
            );
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    /// The active accounts under every parent of `parents`, each with its tags.
    pub async fn accounts_under(&self, parents: &[Parent]) -> Result<Found, CallError> {
        let lists: Vec<_> = stream::iter(parents.iter())
            .map(|p| async move { self.accounts(&p.id).await.map(|l| (p, l)) })
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let mut found = Found::default();
        let mut plain = Vec::new();
        for l in lists {
            let (parent, (list, inactive)) = l?;
            found.inactive += inactive;
            plain.extend(
                list.into_iter()
                    .map(|(id, name)| (id, name, parent.clone())),
            );
        }
        let tagged: Vec<_> = stream::iter(plain)
            .map(|(id, name, parent)| async move {
                self.tags(&id).await.map(|tags| OrgAccount {
                    id,
                    name,
                    parent,
                    tags,
                })
            })
            .buffered(CONCURRENCY)
            .collect()
            .await;
        for t in tagged {
            found.accounts.push(t?);
        }
        Ok(found)
    }

    /// DescribeOrganizationalUnit: an OU's name from its id.
    pub async fn ou(&self, id: &str) -> Result<Parent, CallError> {
        self.count();
        let out = self
            .client
            .describe_organizational_unit()
            .organizational_unit_id(id)
            .send()
            .await
            .map_err(|e| CallError::from_sdk("DescribeOrganizationalUnit", e))?;
        let name = out
            .organizational_unit()
            .and_then(|o| o.name())
            .unwrap_or(id)
            .to_string();
        Ok(Parent {
            id: id.to_string(),
            name,
            is_ou: true,
        })
    }
}
