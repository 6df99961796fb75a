//! The simulator's announcements: each scripted change, and what an action changes (an
//! approval, a deletion), becomes an EventBridge envelope of its account that the consumer
//! takes as a lab event, receivable a delivery delay after the change;
//! nothing is kept while no queue listens and a full outbox keeps the newest; with the feed, a
//! change in a steady account is read within about the delay instead of at the steady poll.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use crossdeck::backend::sim::{
    Clock, ManualClock, RealClock, SIM_EPOCH, SimBackend, SimOptions, SimQueue,
};
use crossdeck::backend::{AccountKey, Backend};
use crossdeck::events::Queue;
use crossdeck::events::envelope::{Body, Envelope, classify};
use crossdeck::lab::{LabNames, Role, Timestamp};
use crossdeck::poller::PollConfig;

use crate::simfeed::{self, event_time};

fn one() -> SimOptions {
    SimOptions {
        participants: 1,
        speed: 1.0,
        ..SimOptions::default()
    }
}

/// Everything receivable now, in the order received.
async fn receive_all(q: &SimQueue) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let got = q.receive().await.expect("receive");
        if got.is_empty() {
            return out;
        }
        assert!(got.len() <= 10, "at most 10 messages a receive");
        out.extend(got.into_iter().map(|m| m.body));
    }
}

fn detail(body: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(body).expect("JSON");
    v["detail"].clone()
}

fn lab_event(body: &str) -> Envelope {
    match classify(body) {
        Body::Lab(e) => e,
        other => panic!("not a lab event: {other:?}\n{body}"),
    }
}

#[tokio::test(start_paused = true)]
async fn scripted_changes_are_announced_as_lab_events_of_their_accounts() {
    let clock = ManualClock::new();
    let sim = Arc::new(SimBackend::new(one(), Arc::new(clock.clone())));
    let queue = SimQueue::new(sim.clone(), Duration::ZERO);
    let router = sim.router();
    let names = LabNames::default();
    // The whole guide: stacks, the pipeline's run, both endpoints, the notebook.
    clock.advance_secs(4 * 3600);
    let bodies = receive_all(&queue).await;
    assert!(bodies.len() > 100, "{} announcements", bodies.len());

    let mut ids = HashSet::new();
    let mut last = Timestamp::from_secs(0);
    let key = |e: &Envelope| {
        let keys = router.route(&e.account, &e.region).expect("a lab account");
        assert_eq!(keys.len(), 1);
        keys[0]
    };
    for b in &bodies {
        let e = lab_event(b);
        assert!(ids.insert(e.id.clone()), "event ids are unique: {}", e.id);
        assert_eq!(e.region, "us-east-1");
        let at = event_time(b);
        assert!(at >= last, "announcements come in time order");
        last = at;
    }
    let find = |source: &str, detail_type: &str, ok: &dyn Fn(&serde_json::Value) -> bool| {
        bodies
            .iter()
            .find(|b| {
                let e = lab_event(b);
                e.source == source && e.detail_type == detail_type && ok(&detail(b))
            })
            .unwrap_or_else(|| panic!("no {detail_type} as wanted"))
            .clone()
    };
    let tools = AccountKey {
        lab: 0,
        role: Role::Tools,
    };
    let stage = AccountKey {
        lab: 0,
        role: Role::Stage,
    };

    // The Tools catalog stack completing: its account, at the time the stack shows.
    let done = find(
        "aws.cloudformation",
        "CloudFormation Stack Status Change",
        &|d| {
            d["stack-id"]
                .as_str()
                .is_some_and(|s| s.contains(&names.tools_catalog_stack))
                && d["status-details"]["status"] == "CREATE_COMPLETE"
        },
    );
    assert_eq!(key(&lab_event(&done)), tools);
    let snap = sim.snapshot(tools).await.expect("tools");
    let stack = snap.stack(&names.tools_catalog_stack).expect("the stack");
    assert_eq!(stack.status, "CREATE_COMPLETE");
    assert_eq!(event_time(&done), stack.updated, "the time of the change");

    // A resource of the Stage stack, in the Stage account.
    let res = find(
        "aws.cloudformation",
        "CloudFormation Resource Status Change",
        &|d| {
            d["stack-id"]
                .as_str()
                .is_some_and(|s| s.contains(&names.stage_stack))
        },
    );
    assert_eq!(key(&lab_event(&res)), stage);

    // The Stage endpoint going InService, in upper snake case as SageMaker says it.
    let in_service = find("aws.sagemaker", "SageMaker Endpoint State Change", &|d| {
        d["EndpointStatus"] == "IN_SERVICE"
            && d["EndpointName"]
                .as_str()
                .is_some_and(|n| n.ends_with("Stage"))
    });
    assert_eq!(key(&lab_event(&in_service)), stage);
    let endpoint = &sim.snapshot(stage).await.expect("stage").endpoints[0];
    assert_eq!(endpoint.status, "InService");
    assert_eq!(event_time(&in_service), endpoint.modified);

    // Pipeline actions start and finish in Tools; the notebook settles in DataScience.
    for state in ["STARTED", "SUCCEEDED"] {
        let a = find(
            "aws.codepipeline",
            "CodePipeline Action Execution State Change",
            &|d| d["state"] == state,
        );
        assert_eq!(key(&lab_event(&a)), tools);
    }
    let run = find(
        "aws.codepipeline",
        "CodePipeline Pipeline Execution State Change",
        &|d| d["state"] == "SUCCEEDED",
    );
    assert_eq!(key(&lab_event(&run)), tools);
    let nb = find(
        "aws.sagemaker",
        "SageMaker Notebook Instance State Change",
        &|d| d["NotebookInstanceStatus"] == "InService",
    );
    assert_eq!(key(&lab_event(&nb)).role, Role::DataScience);
    assert!(
        receive_all(&queue).await.is_empty(),
        "each announcement is received once"
    );
}

#[tokio::test(start_paused = true)]
async fn actions_announce_their_changes() {
    let clock = ManualClock::new();
    let sim = Arc::new(SimBackend::new(one(), Arc::new(clock.clone())));
    let queue = SimQueue::new(sim.clone(), Duration::ZERO);
    clock.advance_secs(4 * 3600);
    receive_all(&queue).await;
    let stage = AccountKey {
        lab: 0,
        role: Role::Stage,
    };
    let endpoint = sim.snapshot(stage).await.expect("stage").endpoints[0]
        .name
        .clone();
    sim.act(
        stage,
        crossdeck::backend::Action::DeleteEndpoint {
            endpoint: endpoint.clone(),
        },
    )
    .await
    .expect("delete");
    let got = receive_all(&queue).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let d = detail(&got[0]);
    assert_eq!(d["EndpointName"], endpoint.as_str());
    assert_eq!(d["EndpointStatus"], "DELETING");
    assert_eq!(event_time(&got[0]), clock.now());
    clock.advance_secs(300);
    let gone = receive_all(&queue).await;
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_eq!(detail(&gone[0])["EndpointStatus"], "DELETED");
    assert!(
        sim.snapshot(stage)
            .await
            .expect("stage")
            .endpoints
            .is_empty()
    );
}

#[tokio::test(start_paused = true)]
async fn an_approval_announces_its_action_succeeding() {
    let clock = ManualClock::new();
    let opts = SimOptions {
        approval_gate: true,
        ..one()
    };
    let sim = Arc::new(SimBackend::new(opts, Arc::new(clock.clone())));
    let queue = SimQueue::new(sim.clone(), Duration::ZERO);
    let names = LabNames::default();
    let tools = AccountKey {
        lab: 0,
        role: Role::Tools,
    };
    // Until the gate waits for its approval.
    let (pipeline, token) = loop {
        clock.advance_secs(60);
        assert!(clock.now() < SIM_EPOCH.plus_secs(4 * 3600), "no gate");
        let snap = sim.snapshot(tools).await.expect("tools");
        let waiting = snap.pipelines.first().and_then(|p| {
            let a = p.stage(&names.stage_stage)?.action("ApproveForStage")?;
            let token = a.approval_token.clone()?;
            (a.status.as_deref() == Some("InProgress")).then(|| (p.name.clone(), token))
        });
        if let Some(w) = waiting {
            break w;
        }
    };
    receive_all(&queue).await;
    let approve = crossdeck::backend::Action::ApproveAction {
        pipeline,
        stage: names.stage_stage.clone(),
        action: "ApproveForStage".into(),
        token,
        approve: true,
        comment: "looks good".into(),
    };
    sim.act(tools, approve).await.expect("approved");
    let got = receive_all(&queue).await;
    let d = detail(got.first().expect("an announcement"));
    assert_eq!(
        lab_event(&got[0]).detail_type,
        "CodePipeline Action Execution State Change"
    );
    assert_eq!(d["action"], "ApproveForStage");
    assert_eq!(d["state"], "SUCCEEDED");
    assert_eq!(event_time(&got[0]), clock.now());
}

#[tokio::test(start_paused = true)]
async fn an_announcement_is_receivable_a_delivery_delay_after_its_change() {
    let sim = Arc::new(SimBackend::new(one(), Arc::new(RealClock::new(1.0))));
    let queue = SimQueue::new(sim.clone(), Duration::from_secs(1));
    // What happened before the clock started (the participant began 6 minutes early).
    let backlog = receive_all(&queue).await;
    assert!(!backlog.is_empty());
    let mut lags = Vec::new();
    while sim.now() < SIM_EPOCH.plus_secs(1800) {
        for m in queue.receive().await.expect("receive") {
            lags.push(sim.now().millis() - event_time(&m.body).millis());
        }
    }
    assert!(
        lags.len() > 20,
        "{} announcements in 30 minutes",
        lags.len()
    );
    // Changes land on whole seconds; a receive looks again every 200 ms.
    assert!(
        lags.iter().all(|&l| (999..=1201).contains(&l)),
        "lags in ms: {lags:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn nothing_is_kept_without_a_queue_and_a_full_outbox_keeps_the_newest() {
    let read_all = |sim: Arc<SimBackend>, clock: ManualClock| async move {
        for _ in 0..(4 * 60) {
            clock.advance_secs(60);
            for role in Role::LAB {
                let _ = sim.snapshot(AccountKey { lab: 0, role }).await;
            }
        }
    };
    let clock = ManualClock::new();
    let quiet = Arc::new(SimBackend::new(one(), Arc::new(clock.clone())));
    read_all(quiet.clone(), clock).await;
    assert_eq!(
        quiet.announcements_pending(),
        0,
        "nobody listens: nothing kept"
    );

    let clock = ManualClock::new();
    let sim = Arc::new(SimBackend::new(one(), Arc::new(clock.clone())));
    let queue = SimQueue::with_capacity(sim.clone(), Duration::ZERO, 20);
    read_all(sim.clone(), clock.clone()).await;
    assert_eq!(
        sim.announcements_pending(),
        20,
        "the outbox is full, no fuller"
    );
    let stats = queue.stats();
    assert!(stats.dropped > 50, "{stats:?}");
    assert_eq!(sim.announcements_pending(), 0, "taken into the queue");
    let kept = receive_all(&queue).await;
    // The newest were kept: the last 20 of the same story told to an ample queue.
    let clock = ManualClock::new();
    let ample = Arc::new(SimBackend::new(one(), Arc::new(clock.clone())));
    let all_queue = SimQueue::new(ample.clone(), Duration::ZERO);
    read_all(ample, clock).await;
    let all = receive_all(&all_queue).await;
    assert_eq!(stats.dropped as usize, all.len() - 20);
    assert_eq!(kept, all[all.len() - 20..]);
}

fn polls() -> PollConfig {
    PollConfig {
        active: Duration::from_secs(3),
        steady: Duration::from_secs(60),
        max_steady: Duration::from_secs(60),
        quiet_after: Duration::from_secs(86_400),
        spread: Duration::ZERO,
        jitter: 0.0,
        ..PollConfig::default()
    }
}

#[tokio::test(start_paused = true)]
async fn with_the_feed_a_change_in_a_steady_account_is_read_within_the_delay() {
    let length = Duration::from_secs(45 * 60);
    let delay = SimQueue::DEFAULT_DELAY;
    let safety = Duration::from_secs(300);
    let fed = simfeed::run(one(), polls(), Some(safety), delay, length).await;
    let polled = simfeed::run(one(), polls(), None, delay, length).await;
    assert_eq!(fed.changes, polled.changes, "the same story either way");

    let stage = AccountKey {
        lab: 0,
        role: Role::Stage,
    };
    // The first change in the Stage account, steady until then (its stack begins).
    let first = fed
        .changes
        .iter()
        .find(|c| c.key == stage && c.at > fed.start)
        .copied()
        .expect("a Stage change within 45 minutes");
    let first_read_after = |reads: Vec<Timestamp>| {
        let r = reads
            .into_iter()
            .find(|t| *t >= first.at)
            .expect("a read after the change");
        r.millis() - first.at.millis()
    };
    let fed_ms = first_read_after(fed.reads_of(stage));
    let polled_ms = first_read_after(polled.reads_of(stage));
    assert!(
        (999..=1201).contains(&fed_ms),
        "with events: read {fed_ms} ms after the change"
    );
    assert!(
        polled_ms > 2000 && polled_ms <= 60_000,
        "without: read at the steady poll, {polled_ms} ms after"
    );
    // Until then Stage was steady: read at the safety interval with events, every minute without.
    let before = |reads: Vec<Timestamp>| reads.iter().filter(|t| **t < first.at).count();
    let (fed_before, polled_before) = (before(fed.reads_of(stage)), before(polled.reads_of(stage)));
    assert!(
        fed_before * 3 < polled_before,
        "steady reads before the change: {fed_before} with events, {polled_before} without"
    );

    // Every change is read within the delay, the receive's look again and one coalescing
    // window; without events many wait for a poll.
    let worst = |run: &simfeed::Run| {
        run.latencies(run.start, run.end)
            .into_iter()
            .flatten()
            .max()
            .expect("changes")
    };
    assert!(worst(&fed) <= 2200, "with events, worst {} ms", worst(&fed));
    assert!(
        worst(&polled) > 10_000,
        "without, worst {} ms",
        worst(&polled)
    );
}
