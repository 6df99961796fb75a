//! The event feed with the poller in paused tokio time, on a scripted queue: an event reads
//! its account at once, a duplicate reads nothing, events in one batch make one read and later
//! ones one more at the window's end; what cannot be used is counted and deleted; steady
//! polling relaxes while the feed is live, an account in progress keeps its active interval,
//! and a failing queue brings polling back at once and is retried.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};

use crossdeck::app::Msg;
use crossdeck::backend::AccountKey;
use crossdeck::events::envelope::envelope_json;
use crossdeck::events::{self, EventsStatus, Feed, FeedState, Message, Queue, QueueError, Router};
use crossdeck::lab::{ErrorKind, Role};
use crossdeck::poller::{self, EventPolling, PollConfig, Poller};

use crate::fake::recording::Recording;

/// A queue whose batches the test hands in; it long-polls 20 s when empty, and fails on demand.
#[derive(Default)]
pub struct Script {
    batches: Mutex<VecDeque<Vec<Message>>>,
    arrived: Notify,
    failing: AtomicBool,
    sent: AtomicUsize,
    pub deleted: Mutex<Vec<String>>,
}

impl Script {
    pub fn put(&self, bodies: &[String]) {
        let batch = bodies
            .iter()
            .map(|b| Message {
                receipt: format!("receipt-{}", self.sent.fetch_add(1, Ordering::SeqCst)),
                body: b.clone(),
            })
            .collect();
        self.batches.lock().expect("lock").push_back(batch);
        self.arrived.notify_one();
    }

    pub fn fail(&self, on: bool) {
        self.failing.store(on, Ordering::SeqCst);
    }
}

impl Queue for Script {
    async fn receive(&self) -> Result<Vec<Message>, QueueError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(QueueError {
                kind: ErrorKind::AccessDenied,
                message: "ReceiveMessage failed: access denied".into(),
            });
        }
        if let Some(b) = self.batches.lock().expect("lock").pop_front() {
            return Ok(b);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(20)) => {}
            _ = self.arrived.notified() => {}
        }
        Ok(self
            .batches
            .lock()
            .expect("lock")
            .pop_front()
            .unwrap_or_default())
    }

    async fn delete(&self, receipts: &[String]) -> Result<(), QueueError> {
        self.deleted
            .lock()
            .expect("lock")
            .extend(receipts.iter().cloned());
        Ok(())
    }
}

pub fn key(lab: usize, role: Role) -> AccountKey {
    AccountKey { lab, role }
}

/// Lab 0: Tools 111…, DataScience 222…, Stage 333…; lab 1: Stage 666….
pub fn router() -> Router {
    Router::new([
        (
            key(0, Role::Tools),
            "111111111111".into(),
            Some("us-east-1".into()),
        ),
        (
            key(0, Role::DataScience),
            "222222222222".into(),
            Some("us-east-1".into()),
        ),
        (
            key(0, Role::Stage),
            "333333333333".into(),
            Some("us-east-1".into()),
        ),
        (
            key(1, Role::Stage),
            "666666666666".into(),
            Some("us-east-1".into()),
        ),
    ])
}

/// One of the four documented lab events, for `account`, with event id `id`.
pub fn lab_event(kind: usize, account: &str, id: &str) -> String {
    let (source, detail_type, detail) = match kind {
        0 => (
            "aws.cloudformation",
            "CloudFormation Stack Status Change",
            serde_json::json!({
                "stack-id": format!("arn:aws:cloudformation:us-east-1:{account}:stack/StageResources/1"),
                "status-details": {"status": "CREATE_COMPLETE", "status-reason": ""}
            }),
        ),
        1 => (
            "aws.codepipeline",
            "CodePipeline Action Execution State Change",
            serde_json::json!({
                "pipeline": "mlops-ali-pipeline", "execution-id": "e1", "stage": "DeployModel-Stage",
                "action": "DeployStageModel", "state": "SUCCEEDED"
            }),
        ),
        2 => (
            "aws.sagemaker",
            "SageMaker Endpoint State Change",
            serde_json::json!({"EndpointName": "datascience-project-ali-Stage", "EndpointStatus": "IN_SERVICE"}),
        ),
        _ => (
            "aws.sagemaker",
            "SageMaker Notebook Instance State Change",
            serde_json::json!({"NotebookInstanceName": "ds-notebook", "NotebookInstanceStatus": "InService"}),
        ),
    };
    envelope_json(
        id,
        source,
        detail_type,
        account,
        "us-east-1",
        "2026-12-02T10:00:00Z",
        detail,
    )
}

/// The junk a queue can collect: an unknown account's event, a body that is no event, and an
/// event of a source the lab does not watch.
pub fn junk() -> Vec<String> {
    vec![
        lab_event(0, "999999999999", "unknown-1"),
        "hello".to_string(),
        envelope_json(
            "ec2-1",
            "aws.ec2",
            "EC2 Instance State-change Notification",
            "111111111111",
            "us-east-1",
            "2026-12-02T10:00:00Z",
            serde_json::json!({"state": "running"}),
        ),
    ]
}

/// The latest report.
pub fn last(reports: &Mutex<Vec<EventsStatus>>) -> EventsStatus {
    reports
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("a report")
}

/// Taken, duplicates, unknown accounts, junk, unrelated, deleted.
pub fn tally(s: &EventsStatus) -> [u64; 6] {
    let c = &s.counts;
    [
        c.taken,
        c.duplicates,
        c.unknown_account,
        c.junk,
        c.unrelated,
        c.deleted,
    ]
}

/// Keep the feed's reports; drop the polls.
pub fn collect(mut rx: mpsc::Receiver<Msg>) -> Arc<Mutex<Vec<EventsStatus>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let out = seen.clone();
    tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if let Msg::Events(s) = m {
                out.lock().expect("lock").push(s);
            }
        }
    });
    seen
}

/// The poller over `backend`'s `keys` (steady every `steady` s, no jitter, 300 s while the
/// feed is live) and the feed on `queue`, routed by [`router`]; the reports, and what keeps
/// both running.
pub fn start<Q: Queue>(
    backend: Arc<Recording>,
    keys: Vec<AccountKey>,
    steady: u64,
    queue: Arc<Q>,
) -> (Arc<Mutex<Vec<EventsStatus>>>, (Poller, Feed)) {
    let (tx, rx) = mpsc::channel(4096);
    let reports = collect(rx);
    let (live_tx, live_rx) = watch::channel(false);
    let poller = poller::spawn_with_events(
        backend,
        keys,
        config(steady),
        tx.clone(),
        Some(EventPolling {
            live: live_rx,
            safety: Duration::from_secs(300),
        }),
    );
    let feed = events::spawn(
        queue,
        "crossdeck-events".into(),
        router(),
        poller.waker(),
        live_tx,
        tx,
    );
    (reports, (poller, feed))
}

fn config(steady: u64) -> PollConfig {
    PollConfig {
        active: Duration::from_secs(3),
        steady: Duration::from_secs(steady),
        max_steady: Duration::from_secs(steady),
        quiet_after: Duration::from_secs(86_400),
        spread: Duration::ZERO,
        jitter: 0.0,
        ..PollConfig::default()
    }
}

async fn sleep(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

#[tokio::test(start_paused = true)]
async fn an_event_reads_its_account_at_once_and_unusable_messages_are_counted_and_deleted() {
    let keys = [
        key(0, Role::Tools),
        key(0, Role::DataScience),
        key(0, Role::Stage),
        key(1, Role::Stage),
    ];
    let backend = Arc::new(Recording::default());
    let queue = Arc::new(Script::default());
    let (reports, _running) = start(backend.clone(), keys.to_vec(), 90, queue.clone());
    sleep(5_000).await;
    for k in keys {
        assert_eq!(backend.reads(k), 1, "{k:?}: only the first poll so far");
    }

    // One batch: the four documented shapes for lab 0, a duplicate, and junk.
    let mut batch = vec![
        lab_event(0, "333333333333", "stack-1"),
        lab_event(0, "333333333333", "stack-1"),
        lab_event(2, "333333333333", "endpoint-1"),
        lab_event(1, "111111111111", "action-1"),
        lab_event(3, "222222222222", "notebook-1"),
    ];
    batch.extend(junk());
    queue.put(&batch);
    sleep(100).await;
    assert_eq!(
        backend.reads(key(0, Role::Stage)),
        2,
        "one read for its three messages"
    );
    assert_eq!(backend.reads(key(0, Role::Tools)), 2);
    assert_eq!(backend.reads(key(0, Role::DataScience)), 2);
    assert_eq!(
        backend.reads(key(1, Role::Stage)),
        1,
        "no event named lab 1"
    );

    // A later event for Stage within the window: folded into one more read at its end.
    queue.put(&[lab_event(2, "333333333333", "endpoint-2")]);
    sleep(300).await;
    queue.put(&[lab_event(0, "333333333333", "stack-2")]);
    sleep(100).await;
    assert_eq!(
        backend.reads(key(0, Role::Stage)),
        2,
        "held to the window's end"
    );
    sleep(1_000).await;
    assert_eq!(backend.reads(key(0, Role::Stage)), 3, "one read for both");
    sleep(60_000).await;
    assert_eq!(
        backend.reads(key(0, Role::Stage)),
        3,
        "nothing more until the safety poll"
    );

    assert_eq!(
        queue.deleted.lock().expect("lock").len(),
        10,
        "every message deleted"
    );
    let report = last(&reports);
    assert_eq!(report.state, FeedState::Live);
    assert_eq!(tally(&report), [6, 1, 1, 1, 1, 10]);
    let c = report.counts;
    // Reads asked when the last batch was reported: Stage, Tools and DataScience at once (the
    // folded read came after it).
    assert_eq!(c.reads, 3);
}

#[tokio::test(start_paused = true)]
async fn steady_polling_relaxes_while_live_and_comes_back_at_once_when_the_queue_fails() {
    let steady = key(0, Role::Stage);
    let moving = key(1, Role::Stage);
    let backend = Arc::new(Recording::moving(&[moving]));
    let queue = Arc::new(Script::default());
    let (reports, _running) = start(backend.clone(), vec![steady, moving], 30, queue.clone());

    // Live for ten minutes: the steady account is read at 0, 300 and 600 s, not every 30 s.
    sleep(600_500).await;
    assert_eq!(backend.reads(steady), 3);
    // The account in progress kept its 3 s interval.
    let active = backend.reads(moving);
    assert!((195..=202).contains(&active), "{active} reads in progress");

    // The queue fails at the next long poll (within 20 s): polling is back to 30 s at once.
    queue.fail(true);
    let before = backend.reads(steady);
    sleep(20_000).await;
    let off = reports
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("a report");
    assert!(
        matches!(&off.state, FeedState::Off { reason } if reason.contains("access denied")),
        "{:?}",
        off.state
    );
    // The last read was at 600 s: 30 s later it is due again, well before the safety poll.
    sleep(15_000).await;
    assert_eq!(
        backend.reads(steady),
        before + 1,
        "read again 30 s after the last"
    );
    sleep(265_000).await;
    let fallback = backend.reads(steady) - before;
    assert!(fallback >= 9, "{fallback} reads in 300 s of polling");

    // The queue answers again: after its next retry the feed is live and polling relaxes.
    queue.fail(false);
    sleep(130_000).await;
    let back = reports
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("a report");
    assert_eq!(back.state, FeedState::Live);
    let before = backend.reads(steady);
    sleep(600_000).await;
    let relaxed = backend.reads(steady) - before;
    assert!(relaxed <= 2, "{relaxed} reads in 600 s while live again");
}

#[test]
fn the_app_shows_the_feed_and_says_when_it_goes_off_and_comes_back() {
    use crossdeck::app::{App, update};
    use crossdeck::events::Counts;
    use crossdeck::lab::LabNames;

    use crate::fixtures::{T0, info};

    let mut app = App::new(vec![info()], LabNames::default(), T0).with_events("crossdeck-events");
    let view = |app: &App| app.events.as_ref().expect("a feed").line(app.now);
    assert_eq!(view(&app), "events: connecting to the queue (polling)");
    let status = |state: FeedState, taken: u64| EventsStatus {
        state,
        counts: Counts {
            taken,
            ..Counts::default()
        },
        queue: "crossdeck-events".into(),
    };
    update(&mut app, Msg::Events(status(FeedState::Live, 3)));
    assert_eq!(view(&app), "events: live · last 0s ago · 3 taken");
    assert_eq!(app.notice, None);
    let off = FeedState::Off {
        reason: "cannot read the queue: ReceiveMessage failed: access denied".into(),
    };
    update(&mut app, Msg::Events(status(off, 3)));
    assert!(view(&app).starts_with("events: off (polling): cannot read the queue"));
    assert_eq!(
        app.notice.as_deref(),
        Some(
            "events off, polling as usual: cannot read the queue: ReceiveMessage failed: access denied"
        )
    );
    update(&mut app, Msg::Events(status(FeedState::Live, 3)));
    assert_eq!(
        app.notice.as_deref(),
        Some("events live again: steady polling relaxed")
    );
}
