//! Organizations through SDK mocks: a refusal is told from other failures, and listings follow
//! every NextToken, empty pages included, keeping only active accounts.

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_organizations::operation as org;
use aws_sdk_organizations::types::{Account, AccountState, Tag};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;
use crossdeck::backend::aws::organization::{Parent, Reader};
use crossdeck::commands::init_org::refusal;

#[tokio::test]
async fn a_denied_list_roots_is_a_refusal_naming_why() {
    let denied = mock!(aws_sdk_organizations::Client::list_roots).then_error(|| {
        org::list_roots::ListRootsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("You don't have permissions to access this resource.")
                .build(),
        )
    });
    let throttled = mock!(aws_sdk_organizations::Client::list_roots).then_error(|| {
        org::list_roots::ListRootsError::generic(
            ErrorMetadata::builder()
                .code("ServiceException")
                .message("internal")
                .build(),
        )
    });
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::Sequential,
        [&denied, &throttled]
    );
    let calls = AtomicUsize::new(0);
    let reader = Reader {
        client: &client,
        calls: &calls,
    };
    let e = reader.root().await.expect_err("denied");
    assert_eq!(refusal(&e), Some("may not read the organization"), "{e}");
    let e = reader.root().await.expect_err("failed");
    assert_eq!(refusal(&e), None, "{e}");
    assert_eq!(calls.load(Ordering::Relaxed), 2);
}

fn account(id: &str, state: AccountState) -> Account {
    Account::builder()
        .id(id)
        .name(format!("n{id}"))
        .state(state)
        .build()
}

#[tokio::test]
async fn listings_follow_every_next_token_through_empty_pages() {
    let empty_first = mock!(aws_sdk_organizations::Client::list_accounts_for_parent)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            org::list_accounts_for_parent::ListAccountsForParentOutput::builder()
                .next_token("t1")
                .build()
        });
    let second = mock!(aws_sdk_organizations::Client::list_accounts_for_parent)
        .match_requests(|r| r.next_token() == Some("t1"))
        .then_output(|| {
            org::list_accounts_for_parent::ListAccountsForParentOutput::builder()
                .accounts(account("111111111111", AccountState::Active))
                .accounts(account("222222222222", AccountState::Suspended))
                .next_token("t2")
                .build()
        });
    let empty_last = mock!(aws_sdk_organizations::Client::list_accounts_for_parent)
        .match_requests(|r| r.next_token() == Some("t2"))
        .then_output(|| {
            org::list_accounts_for_parent::ListAccountsForParentOutput::builder()
                .accounts(account("333333333333", AccountState::Active))
                .build()
        });
    let tags = mock!(aws_sdk_organizations::Client::list_tags_for_resource)
        .match_requests(|r| r.resource_id() == Some("111111111111"))
        .then_output(|| {
            org::list_tags_for_resource::ListTagsForResourceOutput::builder()
                .tags(
                    Tag::builder()
                        .key("crossdeck:participant")
                        .value("ana")
                        .build()
                        .expect("tag"),
                )
                .build()
        });
    let no_tags = mock!(aws_sdk_organizations::Client::list_tags_for_resource)
        .match_requests(|r| r.resource_id() == Some("333333333333"))
        .then_output(|| org::list_tags_for_resource::ListTagsForResourceOutput::builder().build());
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        [&empty_first, &second, &empty_last, &tags, &no_tags]
    );
    let calls = AtomicUsize::new(0);
    let reader = Reader {
        client: &client,
        calls: &calls,
    };
    let class = Parent {
        id: "ou-1".into(),
        name: "class".into(),
        is_ou: true,
    };
    let found = reader
        .accounts_under(std::slice::from_ref(&class))
        .await
        .expect("read");
    let ids: Vec<&str> = found.accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["111111111111", "333333333333"]);
    assert_eq!(found.inactive, 1);
    assert_eq!(found.accounts[0].parent, class);
    assert_eq!(
        found.accounts[0]
            .tags
            .get("crossdeck:participant")
            .map(String::as_str),
        Some("ana")
    );
    assert_eq!(calls.load(Ordering::Relaxed), 3 + 2);
    assert_eq!(empty_last.num_calls(), 1);
}
