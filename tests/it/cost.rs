//! The price arithmetic: the embedded table, overrides, instance counts, unknown types, what
//! bills and since when, the idle flag's boundary and the rounding of what is shown.

use std::sync::Arc;

use crossdeck::lab::cost::{self, CostSettings, Kind, PriceTable};
use crossdeck::lab::*;

use crate::fixtures::{self, T0};

const HOUR: i64 = 3600;

fn settings() -> CostSettings {
    CostSettings::default()
}

#[test]
fn the_embedded_table_parses_and_prices_the_simulators_types() {
    let t = PriceTable::builtin();
    assert_eq!(t.region, "us-east-1");
    assert_eq!(t.taken, "2026-11-27");
    // The simulator's endpoint and notebook types, so the demo shows costs.
    assert_eq!(t.hourly(Kind::Endpoint, "ml.t2.medium"), Some(0.056));
    assert_eq!(t.hourly(Kind::Notebook, "ml.t3.medium"), Some(0.05));
    // Endpoint and notebook prices differ for the same type.
    assert_eq!(t.hourly(Kind::Notebook, "ml.t2.medium"), Some(0.0464));
    for ty in [
        "ml.t2.medium",
        "ml.t3.medium",
        "ml.m5.large",
        "ml.c5.large",
        "ml.g4dn.xlarge",
    ] {
        for kind in [Kind::Endpoint, Kind::Notebook] {
            let p = t.hourly(kind, ty).unwrap_or(-1.0);
            assert!(p > 0.0 && p < 10.0, "{ty} {kind:?}: {p}");
        }
    }
    assert_eq!(t.hourly(Kind::Endpoint, "ml.nonexistent.large"), None);
}

#[test]
fn a_finished_lab_bills_two_endpoints_and_a_notebook() {
    let lab = fixtures::complete_lab();
    let c = cost::lab_cost(&lab, &settings());
    let names: Vec<(Role, Kind)> = c.items.iter().map(|b| (b.role, b.kind)).collect();
    assert_eq!(
        names,
        [
            (Role::Tools, Kind::Endpoint),
            (Role::DataScience, Kind::Notebook),
            (Role::Stage, Kind::Endpoint)
        ]
    );
    assert!(
        (c.hourly - (0.056 * 2.0 + 0.05)).abs() < 1e-9,
        "{}",
        c.hourly
    );
    assert_eq!(c.unknown, 0);
    // Two hours in: 2 x 0.162.
    assert!((c.so_far(T0.plus_secs(2 * HOUR)) - 0.324).abs() < 1e-9);
    assert_eq!(c.items[0].running_secs(T0.plus_secs(2 * HOUR)), 2 * HOUR);
}

#[test]
fn instance_counts_multiply_and_variants_add_up() {
    let mut lab = fixtures::complete_lab();
    fixtures::tools(&mut lab).endpoints[0].instance_count = 3;
    let c = cost::lab_cost(&lab, &settings());
    assert_eq!(c.items[0].count, 3);
    assert_eq!(c.items[0].instance_type, "ml.t2.medium");
    assert!((c.items[0].hourly.unwrap_or_default() - 0.168).abs() < 1e-9);

    // With variants known, they count instead: 2 x m5.large + 1 x c5.large.
    let e = &mut fixtures::tools(&mut lab).endpoints[0];
    e.variants = vec![
        Variant {
            name: "A".into(),
            instance_type: "ml.m5.large".into(),
            instance_count: 2,
        },
        Variant {
            name: "B".into(),
            instance_type: "ml.c5.large".into(),
            instance_count: 1,
        },
    ];
    let c = cost::lab_cost(&lab, &settings());
    assert_eq!(c.items[0].count, 3);
    assert_eq!(c.items[0].instance_type, "ml.m5.large+ml.c5.large");
    assert!((c.items[0].hourly.unwrap_or_default() - (0.23 + 0.102)).abs() < 1e-9);
}

#[test]
fn an_unknown_type_is_unknown_never_zero() {
    let mut lab = fixtures::complete_lab();
    fixtures::stage(&mut lab).endpoints[0].instance_type = "ml.x9.huge".into();
    let c = cost::lab_cost(&lab, &settings());
    let stage = c.of(Role::Stage).next().expect("stage endpoint");
    assert_eq!(stage.hourly, None);
    assert_eq!(stage.so_far(T0.plus_secs(HOUR)), None);
    assert_eq!(c.unknown, 1);
    // The totals count the known prices only, and say one is missing.
    assert!((c.hourly - 0.106).abs() < 1e-9, "{}", c.hourly);
    let total = crossdeck::app::costs::total(&c, T0.plus_secs(HOUR)).expect("billing");
    assert_eq!(total, "≈ $0.11 so far · $0.106/h + 1 unknown price");

    // One unknown variant makes the whole endpoint unknown.
    let e = &mut fixtures::tools(&mut lab).endpoints[0];
    e.variants = vec![
        Variant {
            name: "A".into(),
            instance_type: "ml.m5.large".into(),
            instance_count: 1,
        },
        Variant {
            name: "B".into(),
            instance_type: "ml.unknown".into(),
            instance_count: 1,
        },
    ];
    let c = cost::lab_cost(&lab, &settings());
    assert_eq!(c.items[0].hourly, None);
    assert_eq!(c.unknown, 2);
}

#[test]
fn overrides_win_over_the_table_and_add_types() {
    let mut table = (*PriceTable::builtin()).clone();
    table.set(Kind::Endpoint, "ml.t2.medium", 1.0);
    table.set(Kind::Notebook, "ml.x9.huge", 2.5);
    let s = CostSettings {
        prices: Arc::new(table),
        ..settings()
    };
    let mut lab = fixtures::complete_lab();
    fixtures::ds(&mut lab).notebooks[0].instance_type = "ml.x9.huge".into();
    let c = cost::lab_cost(&lab, &s);
    assert!((c.hourly - 4.5).abs() < 1e-9, "{}", c.hourly);
    assert_eq!(c.unknown, 0);
    // The notebook price of a type stays apart from its endpoint price.
    assert_eq!(
        s.prices.hourly(Kind::Notebook, "ml.t2.medium"),
        Some(0.0464)
    );
}

#[test]
fn only_running_resources_bill_and_from_when() {
    let mut lab = fixtures::complete_lab();
    let nb = &mut fixtures::ds(&mut lab).notebooks[0];
    nb.modified = T0.plus_secs(HOUR);
    // A notebook bills from when it went InService, not from its creation.
    let c = cost::lab_cost(&lab, &settings());
    let n = c.of(Role::DataScience).next().expect("notebook");
    assert_eq!(n.since, T0.plus_secs(HOUR));
    assert_eq!(n.running_secs(T0.plus_secs(HOUR)), 0);
    assert_eq!(n.running_secs(T0), 0, "never negative");
    assert_eq!(n.running_secs(T0.plus_secs(HOUR + 90)), 90);

    for status in ["Stopped", "Stopping", "Pending", "Failed"] {
        fixtures::ds(&mut lab).notebooks[0].status = status.into();
        let c = cost::lab_cost(&lab, &settings());
        assert_eq!(c.of(Role::DataScience).count(), 0, "{status}");
    }
    for (status, bills) in [
        ("Creating", true),
        ("Updating", true),
        ("SystemUpdating", true),
        ("RollingBack", true),
        ("Failed", false),
        ("Deleting", false),
        ("OutOfService", false),
    ] {
        fixtures::stage(&mut lab).endpoints[0].status = status.into();
        let c = cost::lab_cost(&lab, &settings());
        assert_eq!(c.of(Role::Stage).count(), usize::from(bills), "{status}");
    }
    // An endpoint bills from its creation, whatever its last change.
    let e = &mut fixtures::stage(&mut lab).endpoints[0];
    e.status = "InService".into();
    e.modified = T0.plus_secs(600);
    let c = cost::lab_cost(&lab, &settings());
    assert_eq!(c.of(Role::Stage).next().map(|b| b.since), Some(T0));

    // Nothing billing: no total at all.
    let empty = cost::lab_cost(&PerRole::default(), &settings());
    assert!(!empty.billing());
    assert_eq!(crossdeck::app::costs::total(&empty, T0), None);
    assert_eq!(empty.so_far(T0).to_string(), "0");
}

#[test]
fn endpoints_left_running_after_the_pipeline_finished_are_flagged_past_the_threshold() {
    let lab = fixtures::complete_lab();
    let c = cost::lab_cost(&lab, &settings());
    // The fixture's last stage finished at T0+30; the default threshold is an hour.
    let finished = T0.plus_secs(30);
    assert_eq!(
        fixtures::complete_lab()[Role::Tools]
            .as_ref()
            .and_then(cost::pipeline_finished),
        Some(finished)
    );
    assert!(!c.idle(finished.plus_secs(HOUR)), "exactly the threshold");
    assert!(c.idle(finished.plus_secs(HOUR + 1)));
    assert_eq!(c.idle_count(finished.plus_secs(HOUR + 1)), 2);
    // Notebooks are never flagged.
    assert!(c.of(Role::DataScience).all(|b| b.idle_at.is_none()));

    // A configured threshold moves the boundary.
    let s = CostSettings {
        idle_after_secs: 2 * HOUR,
        ..settings()
    };
    let c2 = cost::lab_cost(&lab, &s);
    assert!(!c2.idle(finished.plus_secs(HOUR + 1)));
    assert!(c2.idle(finished.plus_secs(2 * HOUR + 1)));

    // An endpoint created after the pipeline finished counts from its creation.
    let mut later = fixtures::complete_lab();
    fixtures::stage(&mut later).endpoints[0].created = T0.plus_secs(1000);
    let c3 = cost::lab_cost(&later, &settings());
    let stage = c3.of(Role::Stage).next().expect("stage");
    assert!(!stage.idle(T0.plus_secs(1000 + HOUR)));
    assert!(stage.idle(T0.plus_secs(1001 + HOUR)));
}

#[test]
fn an_unfinished_pipeline_flags_nothing() {
    let late = T0.plus_secs(100 * HOUR);
    // The last stage still running.
    let mut lab = fixtures::complete_lab();
    fixtures::tools(&mut lab).pipelines[0] = fixtures::pipeline([
        "Succeeded",
        "Succeeded",
        "Succeeded",
        "Succeeded",
        "Succeeded",
        "InProgress",
        "InProgress",
    ]);
    assert!(!cost::lab_cost(&lab, &settings()).idle(late));
    // A newer run under way, though the last stage's actions show the previous run's success.
    let mut lab = fixtures::complete_lab();
    if let Some(e) = fixtures::tools(&mut lab).pipelines[0]
        .latest_execution
        .as_mut()
    {
        e.status = "InProgress".into();
    }
    assert!(!cost::lab_cost(&lab, &settings()).idle(late));
    // No pipeline at all.
    let mut lab = fixtures::complete_lab();
    fixtures::tools(&mut lab).pipelines.clear();
    assert!(!cost::lab_cost(&lab, &settings()).idle(late));
}

#[test]
fn amounts_round_to_cents_and_rates_to_tenths_of_a_cent() {
    assert_eq!(cost::usd(0.0), "$0.00");
    assert_eq!(cost::usd(0.004), "$0.00");
    assert_eq!(cost::usd(0.006), "$0.01");
    assert_eq!(cost::usd(0.125), "$0.13");
    assert_eq!(cost::usd(12.3), "$12.30");
    assert_eq!(cost::usd_per_hour(0.056), "$0.056/h");
    assert_eq!(cost::usd_per_hour(0.1125), "$0.113/h");
    assert_eq!(cost::usd_per_hour(1.4081), "$1.41/h");
    assert_eq!(cost::round_to(0.123456, 4), 0.1235);
    // 90 minutes of one ml.t2.medium endpoint: 0.084.
    let lab = {
        let mut l = fixtures::complete_lab();
        fixtures::ds(&mut l).notebooks.clear();
        fixtures::stage(&mut l).endpoints.clear();
        l
    };
    let c = cost::lab_cost(&lab, &settings());
    assert!((c.so_far(T0.plus_secs(5400)) - 0.084).abs() < 1e-9);
    assert_eq!(
        crossdeck::app::costs::total(&c, T0.plus_secs(5400)).as_deref(),
        Some("≈ $0.08 so far · $0.056/h")
    );
}
