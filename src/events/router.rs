//! Which configured accounts an event's `account` and `region` name.

use std::collections::HashMap;

use crate::backend::AccountKey;
use crate::lab::{LabInfo, Role};

/// The lab accounts by account id, each with its region when the config fixes one.
#[derive(Clone, Debug, Default)]
pub struct Router {
    by_id: HashMap<String, Vec<(AccountKey, Option<String>)>>,
}

/// Why an event names no configured account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Miss {
    UnknownAccount,
    /// The account is a lab's, but the event comes from a region the lab does not use.
    OtherRegion,
}

impl Router {
    /// From every account's key, id and region (`None`: any region).
    pub fn new(accounts: impl IntoIterator<Item = (AccountKey, String, Option<String>)>) -> Self {
        let mut by_id: HashMap<String, Vec<(AccountKey, Option<String>)>> = HashMap::new();
        for (key, id, region) in accounts {
            by_id.entry(id).or_default().push((key, region));
        }
        Router { by_id }
    }

    /// The accounts an event of `account` in `region` is about (one account id may serve more
    /// than one lab).
    /// Every account of `labs`, with the region `region` gives it (`None`: any region).
    pub fn for_labs(labs: &[LabInfo], region: impl Fn(AccountKey) -> Option<String>) -> Self {
        Router::new(labs.iter().enumerate().flat_map(|(lab, info)| {
            let region = &region;
            Role::ALL.into_iter().filter_map(move |role| {
                let key = AccountKey { lab, role };
                let id = info.accounts[role].clone()?;
                Some((key, id, region(key)))
            })
        }))
    }

    pub fn route(&self, account: &str, region: &str) -> Result<Vec<AccountKey>, Miss> {
        let entries = self.by_id.get(account).ok_or(Miss::UnknownAccount)?;
        let keys: Vec<AccountKey> = entries
            .iter()
            .filter(|(_, r)| r.as_deref().is_none_or(|r| r == region))
            .map(|(k, _)| *k)
            .collect();
        if keys.is_empty() {
            Err(Miss::OtherRegion)
        } else {
            Ok(keys)
        }
    }

    pub fn len(&self) -> usize {
        self.by_id.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_route_by_account_and_region() {
        let k = |lab, role| AccountKey { lab, role };
        let r = Router::new([
            (
                k(0, Role::Tools),
                "111111111111".into(),
                Some("us-east-1".into()),
            ),
            (k(0, Role::Stage), "333333333333".into(), None),
            // A Tools account two labs share.
            (
                k(1, Role::Tools),
                "111111111111".into(),
                Some("us-east-1".into()),
            ),
        ]);
        assert_eq!(
            r.route("111111111111", "us-east-1"),
            Ok(vec![k(0, Role::Tools), k(1, Role::Tools)])
        );
        assert_eq!(r.route("111111111111", "eu-west-1"), Err(Miss::OtherRegion));
        assert_eq!(
            r.route("333333333333", "eu-west-1"),
            Ok(vec![k(0, Role::Stage)])
        );
        assert_eq!(
            r.route("999999999999", "us-east-1"),
            Err(Miss::UnknownAccount)
        );
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn a_router_for_labs_takes_each_configured_account_with_its_region() {
        use crate::lab::PerRole;
        let lab = |ids: [Option<&str>; 4]| LabInfo {
            name: "a".into(),
            unique_id: None,
            accounts: PerRole(ids.map(|i| i.map(String::from))),
            switch_roles: PerRole::default(),
        };
        let labs = [
            lab([
                Some("111111111111"),
                Some("222222222222"),
                Some("333333333333"),
                None,
            ]),
            lab([Some("444444444444"), None, None, None]),
        ];
        let r = Router::for_labs(&labs, |k| (k.lab == 1).then(|| "eu-west-1".to_string()));
        assert_eq!(
            r.len(),
            4,
            "Production and lab 1's missing roles have no account"
        );
        let k = |lab, role| AccountKey { lab, role };
        assert_eq!(
            r.route("333333333333", "ap-south-1"),
            Ok(vec![k(0, Role::Stage)])
        );
        assert_eq!(r.route("444444444444", "us-east-1"), Err(Miss::OtherRegion));
        assert_eq!(
            r.route("444444444444", "eu-west-1"),
            Ok(vec![k(1, Role::Tools)])
        );
    }
}
