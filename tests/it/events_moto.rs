//! The event feed on moto's SQS: hand-made envelopes in the documented shapes put on a real
//! queue are read by the consumer, the accounts they name are read again, a duplicate reads
//! nothing, what cannot be used is counted, and the queue ends empty.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossdeck::backend::aws::queue::SqsQueue;
use crossdeck::events::{self, FeedState};
use crossdeck::lab::Role;
use crossdeck::poller;

use crate::aws_moto::{ALICE, aws_files, config};
use crate::e2e::Tmux;
use crate::events::{junk, key, lab_event, last, start, tally};
use crate::fake::recording::Recording;
use crate::moto::{Moto, Scratch, python_json};

/// Make the queue in the instructor's account; its URL.
fn make_queue(moto: &Moto) -> String {
    let made = python_json("events.py", &["--endpoint", &moto.url, "queue"]);
    made["url"].as_str().expect("a queue url").to_string()
}

fn put(moto: &Moto, url: &str, bodies: &[String]) {
    let mut args = vec!["--endpoint", &moto.url, "put", "--queue-url", url];
    args.extend(bodies.iter().map(String::as_str));
    python_json("events.py", &args);
}

/// (waiting, in flight) as moto counts them.
fn depth(moto: &Moto, url: &str) -> (i64, i64) {
    let d = python_json(
        "events.py",
        &["--endpoint", &moto.url, "depth", "--queue-url", url],
    );
    (
        d["ApproximateNumberOfMessages"].as_i64().expect("waiting"),
        d["ApproximateNumberOfMessagesNotVisible"]
            .as_i64()
            .expect("in flight"),
    )
}

fn sqs_client(moto: &Moto) -> aws_sdk_sqs::Client {
    let conf = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new("us-east-1"))
        .endpoint_url(&moto.url)
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "AKIAINSTRUCTOR000001",
            "secret",
            None,
            None,
            "test",
        ))
        .build();
    aws_sdk_sqs::Client::from_conf(conf)
}

/// Wait (real time) until `ok`, or fail saying what did not happen.
async fn until(what: &str, secs: u64, ok: impl Fn() -> bool) -> Duration {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "{what} did not happen within {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start.elapsed()
}

/// The accounts of the feed tests: lab 0's three and lab 1's Stage.
const KEYS: [(usize, Role); 4] = [
    (0, Role::Tools),
    (0, Role::DataScience),
    (0, Role::Stage),
    (1, Role::Stage),
];

/// A running feed on `queue` with the poller (steady every 90 s, so any read within a test's
/// seconds is the events' doing) on a recording backend, live and past the first polls.
struct Running {
    backend: Arc<Recording>,
    reports: Arc<std::sync::Mutex<Vec<crossdeck::events::EventsStatus>>>,
    _running: (poller::Poller, events::Feed),
}

async fn running(queue: SqsQueue) -> Running {
    let keys: Vec<_> = KEYS.iter().map(|(l, r)| key(*l, *r)).collect();
    let backend = Arc::new(Recording::default());
    let (reports, running) = start(backend.clone(), keys.clone(), 90, Arc::new(queue));
    until("the feed going live", 10, || {
        reports
            .lock()
            .expect("lock")
            .last()
            .is_some_and(|r| r.state == FeedState::Live)
    })
    .await;
    until("the first polls", 10, || {
        keys.iter().all(|k| backend.reads(*k) == 1)
    })
    .await;
    Running {
        backend,
        reports,
        _running: running,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_envelopes_on_an_sqs_queue_read_their_accounts_and_the_queue_ends_empty() {
    let moto = Moto::start();
    let url = make_queue(&moto);
    let keys: Vec<_> = KEYS.iter().map(|(l, r)| key(*l, *r)).collect();
    let feed = running(SqsQueue::with_client(sqs_client(&moto), &url)).await;
    let (backend, reports) = (&feed.backend, &feed.reports);

    // The four documented shapes, one per account of lab 0 (Stage twice), and junk.
    let mut bodies = vec![
        lab_event(0, "333333333333", "stack-1"),
        lab_event(1, "111111111111", "action-1"),
        lab_event(2, "333333333333", "endpoint-1"),
        lab_event(3, "222222222222", "notebook-1"),
    ];
    bodies.extend(junk());
    put(&moto, &url, &bodies);
    let took = until("reads of the three accounts the events name", 10, || {
        keys[..3].iter().all(|k| backend.reads(*k) >= 2)
    })
    .await;
    eprintln!("put to read of every named account: {took:?}");
    // A duplicate delivery of an event already taken reads nothing.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let ds = backend.reads(key(0, Role::DataScience));
    put(&moto, &url, &[lab_event(3, "222222222222", "notebook-1")]);
    until("the duplicate counted", 25, || {
        reports
            .lock()
            .expect("lock")
            .last()
            .is_some_and(|r| r.counts.duplicates == 1)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        backend.reads(key(0, Role::DataScience)),
        ds,
        "no read for a duplicate"
    );
    assert_eq!(
        backend.reads(key(1, Role::Stage)),
        1,
        "no event named lab 1"
    );

    assert_eq!(tally(&last(reports)), [4, 1, 1, 1, 1, 8]);
    assert_eq!(depth(&moto, &url), (0, 0), "the queue ends empty");
}

/// Create an endpoint in alice's Stage account, with no event.
fn stage_endpoint(moto: &Moto, name: &str) {
    python_json(
        "events.py",
        &[
            "--endpoint",
            &moto.url,
            "endpoint",
            "--account",
            ALICE[2],
            "--name",
            name,
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_reads_the_accounts_the_events_name_and_deletes_nothing() {
    let moto = Moto::start();
    let url = make_queue(&moto);
    let feed = running(SqsQueue::with_client(sqs_client(&moto), &url).read_only(true)).await;
    put(
        &moto,
        &url,
        &[
            lab_event(0, "333333333333", "stack-1"),
            lab_event(3, "222222222222", "notebook-1"),
        ],
    );
    until("reads of Stage and DataScience", 10, || {
        feed.backend.reads(key(0, Role::Stage)) == 2
            && feed.backend.reads(key(0, Role::DataScience)) == 2
    })
    .await;
    until("both messages counted as left", 10, || {
        feed.reports
            .lock()
            .expect("lock")
            .last()
            .is_some_and(|r| r.counts.left == 2)
    })
    .await;
    let report = last(&feed.reports);
    assert_eq!((report.counts.taken, report.counts.deleted), (2, 0));
    // Still in the queue, hidden for the read-only visibility timeout, not deleted.
    assert_eq!(depth(&moto, &url), (0, 2));
}

/// alice's lab on moto with steady polling every 90 s, and the instructor's queue.
fn events_config(s: &Scratch, moto: &Moto, queue_url: &str) {
    aws_files(s, moto);
    config(s, moto, false);
    let path = s.dir.join("crossdeck.toml");
    let mut text = std::fs::read_to_string(&path).expect("config");
    text.push_str(&format!(
        "\n[polling]\nsteady_secs = 90\n\n[events]\nqueue_url = \"{queue_url}\"\nprofile = \"instructor\"\n"
    ));
    std::fs::write(&path, text).expect("write config");
}

#[test]
fn check_reads_the_queue_and_says_how_many_messages_wait() {
    let moto = Moto::start();
    let url = make_queue(&moto);
    let s = Scratch::new("events-check-queue");
    events_config(&s, &moto, &url);
    put(&moto, &url, &junk());
    let out = s.crossdeck(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let queue = text
        .lines()
        .skip_while(|l| !l.contains("event queue"))
        .take(3)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        queue.starts_with("ok   event queue http://127.0.0.1"),
        "{text}"
    );
    assert!(queue.contains("credentials: profile instructor"), "{queue}");
    assert!(queue.contains("3 waiting, 0 in flight"), "{queue}");

    // A queue that does not exist fails the check, and says why.
    let s = Scratch::new("events-check-missing");
    events_config(
        &s,
        &moto,
        &url.replace("crossdeck-events", "nobody-s-queue"),
    );
    let out = s.crossdeck(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL event queue") && text.contains("the queue does not exist"),
        "{text}"
    );
}

#[test]
fn events_check_names_the_accounts_whose_events_would_not_arrive() {
    let moto = Moto::start();
    let url = make_queue(&moto);
    let s = Scratch::new("events-check-rules");
    events_config(&s, &moto, &url);
    let rule = |account: &str, extra: &[&str]| {
        let mut args = vec![
            "--endpoint",
            moto.url.as_str(),
            "rule",
            "--account",
            account,
        ];
        args.extend(extra);
        python_json("events.py", &args);
    };
    rule(ALICE[0], &[]);
    rule(ALICE[1], &["--state", "DISABLED"]);
    // Stage: no rule.
    let out = s.crossdeck(&["events", "check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let line = |role: &str| {
        text.lines()
            .find(|l| l.contains(&format!("alice {role} ")))
            .unwrap_or_else(|| panic!("no {role} line in:\n{text}"))
            .to_string()
    };
    assert!(
        line("Tools").starts_with("ok   alice Tools 111111111111: crossdeck-lab-events forwards")
    );
    assert!(line("DataScience").starts_with("FAIL") && line("DataScience").contains("disabled"));
    assert!(
        line("Stage").starts_with("FAIL") && line("Stage").contains("no rule crossdeck-lab-events")
    );
    assert!(
        text.contains("1 of 3 accounts forward their events."),
        "{text}"
    );

    rule(ALICE[1], &[]);
    rule(ALICE[2], &[]);
    let out = s.crossdeck(&["events", "check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_dashboard_shows_an_announced_endpoint_within_seconds_and_not_an_unannounced_one() {
    let moto = Moto::start();
    let url = make_queue(&moto);
    let s = Scratch::new("events-tmux");
    events_config(&s, &moto, &url);
    let tmux = Tmux::start(160, 48, &s.dashboard_in_tmux("--read-only"));
    tmux.wait_for("the feed live after the first polls", |sc| {
        sc.contains("events: live") && sc.contains(ALICE[2])
    });

    stage_endpoint(&moto, "datascience-project-announced-Stage");
    put(&moto, &url, &[lab_event(2, ALICE[2], "ep-1")]);
    let screen = tmux.wait_for("the announced endpoint on screen", |sc| {
        sc.contains("datascience-project-announced-Stage")
    });
    assert!(screen.contains("1 taken"), "{screen}");
    // --read-only takes events without deleting them.
    assert!(screen.contains("read-only: none deleted"), "{screen}");

    stage_endpoint(&moto, "datascience-project-silent-Stage");
    std::thread::sleep(Duration::from_secs(10));
    let screen = tmux.capture();
    assert!(
        !screen.contains("datascience-project-silent-Stage"),
        "an endpoint without an event waits for the safety poll:\n{screen}"
    );
    assert!(
        screen.contains("datascience-project-announced-Stage"),
        "{screen}"
    );
}

#[test]
fn the_queue_answers_through_its_own_endpoint_variable() {
    let moto = Moto::start();
    let url = make_queue(&moto);
    let s = Scratch::new("events-env-sqs");
    aws_files(&s, &moto);
    let account = |id: &str| {
        format!(
            "{{ account_id = \"{id}\", role_arn = \"arn:aws:iam::{id}:role/OrganizationAccountAccessRole\", source_profile = \"instructor\" }}"
        )
    };
    // No endpoint_url in crossdeck's config: the environment says where each service is.
    s.write(
        "crossdeck.toml",
        &format!(
            "max_attempts = 1\n[events]\nqueue_url = \"{url}\"\n\n[[labs]]\nname = \"alice\"\nunique_id = \"ali\"\n\
             tools = {}\ndatascience = {}\nstage = {}\n",
            account(ALICE[0]),
            account(ALICE[1]),
            account(ALICE[2]),
        ),
    );
    put(&moto, &url, &junk()[..1]);
    let queue_line = |sqs: &str| {
        let env = [
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
            ("AWS_ENDPOINT_URL_SQS", sqs),
            ("AWS_ACCESS_KEY_ID", "AKIAINSTRUCTOR000001"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_REGION", "us-east-1"),
        ];
        let out = s.crossdeck_with(&["check"], &env);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        text.lines()
            .skip_while(|l| !l.contains("event queue"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let through_moto = queue_line(&moto.url);
    assert!(
        through_moto.starts_with("ok   event queue") && through_moto.contains("1 waiting"),
        "{through_moto}"
    );
    // Only SQS's own variable points at moto: pointed elsewhere, the queue is out of reach.
    let elsewhere = queue_line("http://127.0.0.1:9");
    assert!(
        elsewhere.starts_with("FAIL event queue") && elsewhere.contains("127.0.0.1:9"),
        "{elsewhere}"
    );
}

#[tokio::test]
async fn a_queue_depth_the_answer_does_not_give_is_an_error_not_zero() {
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    let full = mock!(aws_sdk_sqs::Client::get_queue_attributes).then_output(|| {
        aws_sdk_sqs::operation::get_queue_attributes::GetQueueAttributesOutput::builder()
            .attributes(
                aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages,
                "7",
            )
            .attributes(
                aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
                "2",
            )
            .build()
    });
    let bare = mock!(aws_sdk_sqs::Client::get_queue_attributes).then_output(|| {
        aws_sdk_sqs::operation::get_queue_attributes::GetQueueAttributesOutput::builder().build()
    });
    let client = mock_client!(aws_sdk_sqs, RuleMode::Sequential, [&full, &bare]);
    let queue = SqsQueue::with_client(client, "https://sqs.us-east-1.amazonaws.com/123456789012/q");
    let d = queue.depth().await.expect("a depth");
    assert_eq!((d.waiting, d.in_flight), (7, 2));
    let e = queue.depth().await.expect_err("no attributes, no depth");
    assert!(
        e.message
            .contains("did not say ApproximateNumberOfMessages"),
        "{}",
        e.message
    );
}
