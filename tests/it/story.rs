//! The simulator through the app: a healthy lab's derived progress only moves forward, through
//! every step of the guide, and the faulty labs of the default class are blocked for their reason.

use crossdeck::backend::sim::SimOptions;
use crossdeck::lab::Role;
use crossdeck::lab::progress::Step;

use crate::simapp;

#[test]
fn a_healthy_lab_moves_forward_through_every_step_to_complete() {
    let opts = SimOptions {
        participants: 1,
        ..SimOptions::default()
    };
    let mut seen = Vec::new();
    for minute in 0..=150 {
        let app = simapp::app_at(opts.clone(), minute * 60, minute * 60, 60);
        let p = &app.labs[0].progress;
        assert_eq!(p.blocked, None, "minute {minute}");
        let next = p.next.map_or(Step::ALL.len(), Step::ordinal);
        if let Some(&last) = seen.last() {
            assert!(next >= last, "progress went back at minute {minute}");
        }
        seen.push(next);
    }
    assert_eq!(
        seen.last(),
        Some(&Step::ALL.len()),
        "complete by 150 simulated minutes"
    );
    let mut distinct = seen.clone();
    distinct.dedup();
    assert!(
        distinct.len() >= 8,
        "passes through the steps one by one: {distinct:?}"
    );
}

#[test]
fn faults_block_only_their_own_lab_with_their_reason() {
    let app = simapp::app_at(SimOptions::default(), 0, 5400, 60);
    let blocked: Vec<Option<(Role, String)>> = app
        .labs
        .iter()
        .map(|l| {
            l.progress
                .blocked
                .as_ref()
                .map(|b| (b.role, b.reason.clone()))
        })
        .collect();
    assert_eq!(blocked[0], None, "alice is healthy");
    assert_eq!(blocked[5], None, "frank is healthy");
    let reason = |i: usize| blocked[i].clone().expect("blocked");
    assert_eq!(reason(1).0, Role::Tools);
    assert!(reason(1).1.contains("NoSuchKey"), "{:?}", reason(1));
    assert_eq!(reason(2).0, Role::Tools);
    assert!(
        reason(2).1.contains("Unable to assume role"),
        "{:?}",
        reason(2)
    );
    assert_eq!(reason(3).0, Role::Tools);
    assert!(
        reason(3).1.contains("ResourceLimitExceeded"),
        "{:?}",
        reason(3)
    );
    assert_eq!(reason(4).0, Role::Stage);
    assert!(reason(4).1.contains("AccessDenied"), "{:?}", reason(4));
    assert!(app.labs[0].progress.complete() && app.labs[5].progress.complete());
}
