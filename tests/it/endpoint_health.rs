//! The endpoint health view through the reducer (metrics asked for when the view opens, every
//! minute while it stays open, never after; the smoke test's key and answer) and the simulator's
//! side of it (plausible, repeatable metrics; invocations answered and counted).

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crossdeck::app::detail::{self, Line};
use crossdeck::app::update::selected_target;
use crossdeck::app::{App, Command, Focus, Msg, Target, update};
use crossdeck::backend::sim::{Clock, ManualClock, SIM_EPOCH, SimBackend, SimOptions};
use crossdeck::backend::{AccountKey, ActionError, Backend, read_only_refusal};
use crossdeck::lab::metrics::{EndpointMetrics, Metric, Series, window};
use crossdeck::lab::smoke::{CONTENT_TYPE, Invocation, SAMPLE_ROW};
use crossdeck::lab::*;

use crate::fixtures::{self, T0};

fn press(app: &mut App, c: KeyCode) -> Vec<Command> {
    update(app, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

pub(crate) fn tools() -> AccountKey {
    AccountKey {
        lab: 0,
        role: Role::Tools,
    }
}

pub(crate) fn endpoint_name() -> String {
    fixtures::endpoint("Tools", "InService").name
}

/// The complete lab, its Tools endpoint with one variant in `status`, the endpoint selected.
pub(crate) fn app_with_endpoint(status: &str) -> App {
    let mut app = App::new(vec![fixtures::info()], LabNames::default(), T0);
    let lab = fixtures::complete_lab();
    for role in Role::LAB {
        let mut snap = lab[role].clone().expect("snapshot");
        for e in &mut snap.endpoints {
            e.status = status.into();
            e.modified = T0.plus_secs(600);
            e.variants = vec![Variant {
                name: "AllTraffic".into(),
                instance_type: "ml.t2.medium".into(),
                instance_count: 1,
            }];
        }
        update(
            &mut app,
            Msg::Poll {
                key: AccountKey { lab: 0, role },
                generation: 1,
                result: Ok(Box::new(snap)),
            },
        );
    }
    select(&mut app, |t| matches!(t, Target::Endpoint { .. }));
    app
}

fn select(app: &mut App, want: impl Fn(&Target) -> bool) {
    app.focus = Focus::Pane(Role::Tools);
    for i in 0..40 {
        app.selected[Role::Tools.index()] = i;
        if selected_target(app).as_ref().is_some_and(&want) {
            return;
        }
    }
    panic!("no such row in the Tools pane");
}

fn metrics_cmds(cmds: &[Command]) -> Vec<u64> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::EndpointMetrics {
                key,
                endpoint,
                variants,
                generation,
            } => {
                assert_eq!(
                    (*key, endpoint.as_str()),
                    (tools(), endpoint_name().as_str())
                );
                assert_eq!(variants, &["AllTraffic".to_string()]);
                Some(*generation)
            }
            _ => None,
        })
        .collect()
}

fn tick(app: &mut App, secs: i64) -> Vec<Command> {
    update(app, Msg::Tick(T0.plus_secs(secs)))
}

/// Metrics with `invocations` in the window's last minute.
fn fixed(invocations: f64) -> EndpointMetrics {
    let mut m = EndpointMetrics::empty(endpoint_name(), T0.plus_secs(3600));
    let mut s = Series::new(Metric::Invocations, "AllTraffic");
    s.points = vec![(m.end.plus_secs(-60), invocations)];
    m.series.push(s);
    m
}

/// The answer to metrics request `generation` of the Tools endpoint.
pub(crate) fn metrics_answer(generation: u64, result: Result<EndpointMetrics, ActionError>) -> Msg {
    Msg::EndpointMetrics {
        key: tools(),
        endpoint: endpoint_name(),
        generation,
        result: result.map(Box::new),
    }
}

/// The answer to a smoke test of the Tools endpoint.
pub(crate) fn invoked(result: Result<Invocation, ActionError>) -> Msg {
    Msg::Invoked {
        key: tools(),
        endpoint: endpoint_name(),
        result,
    }
}

fn answer(generation: u64, invocations: f64) -> Msg {
    metrics_answer(generation, Ok(fixed(invocations)))
}

/// The notice says `what`.
fn notice_has(app: &App, what: &str) -> bool {
    app.notice.as_deref().is_some_and(|n| n.contains(what))
}

fn shown_invocations(app: &App) -> Option<f64> {
    let m = app.health.as_ref()?.metrics.as_ref()?.as_ref().ok()?;
    m.series("AllTraffic", Metric::Invocations)?.last()
}

#[test]
fn opening_an_endpoint_reads_its_metrics_then_every_minute_until_it_closes() {
    let mut app = app_with_endpoint("InService");
    assert!(
        metrics_cmds(&tick(&mut app, 0)).is_empty(),
        "not before it opens"
    );
    assert_eq!(metrics_cmds(&press(&mut app, KeyCode::Enter)), [1]);
    assert!(
        metrics_cmds(&tick(&mut app, 30)).is_empty(),
        "not twice a minute"
    );
    assert_eq!(metrics_cmds(&tick(&mut app, 60)), [2]);

    // The newest answer wins; a late answer to an older request is dropped.
    update(&mut app, answer(2, 7.0));
    assert_eq!(shown_invocations(&app), Some(7.0));
    update(&mut app, answer(1, 3.0));
    assert_eq!(shown_invocations(&app), Some(7.0));

    // r reads them again now and polls the endpoint's account.
    let cmds = press(&mut app, KeyCode::Char('r'));
    assert_eq!(metrics_cmds(&cmds), [3]);
    assert!(cmds.contains(&Command::Refresh(vec![tools()])), "{cmds:?}");

    // The help over the view keeps it open; closing the view stops the reads.
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(metrics_cmds(&tick(&mut app, 200)), [4]);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert!(app.overlays.is_empty());
    assert_eq!(app.health, None);
    assert!(metrics_cmds(&tick(&mut app, 400)).is_empty());
    update(&mut app, answer(4, 9.0));
    assert_eq!(app.health, None, "an answer for a closed view is dropped");

    // Any other detail reads no metrics.
    select(&mut app, |t| matches!(t, Target::Stack { .. }));
    assert!(metrics_cmds(&press(&mut app, KeyCode::Enter)).is_empty());
    assert!(metrics_cmds(&tick(&mut app, 600)).is_empty());
}

#[test]
fn the_view_shows_the_metrics_as_sparklines_with_their_figures() {
    let mut app = app_with_endpoint("InService");
    press(&mut app, KeyCode::Enter);
    let target = Target::Endpoint {
        role: Role::Tools,
        name: endpoint_name(),
    };
    let text = |app: &App| format!("{:?}", detail::detail(app, &target).expect("detail"));
    assert!(text(&app).contains("reading CloudWatch"), "{}", text(&app));
    update(&mut app, answer(1, 12.0));
    let d = detail::detail(&app, &target).expect("detail");
    let spark = d
        .lines
        .iter()
        .find_map(|l| match l {
            Line::Spark {
                label,
                values,
                summary,
                ..
            } if label == "Invocations" => Some((values.clone(), summary.clone())),
            _ => None,
        })
        .expect("an invocations sparkline");
    assert_eq!(spark.0.len(), 60);
    assert_eq!(spark.0[59], Some(12));
    assert!(spark.0[..59].iter().all(Option::is_none));
    assert_eq!(spark.1, "12 · Σ12");
    assert!(text(&app).contains("Variant AllTraffic"), "{}", text(&app));

    update(
        &mut app,
        metrics_answer(
            1,
            Err(ActionError::Failed("GetMetricData: AccessDenied".into())),
        ),
    );
    assert_eq!(
        shown_invocations(&app),
        Some(12.0),
        "a second answer to 1 is dropped"
    );
    tick(&mut app, 60);
    update(
        &mut app,
        metrics_answer(
            2,
            Err(ActionError::Failed("GetMetricData: AccessDenied".into())),
        ),
    );
    assert!(
        text(&app).contains("cannot read them: GetMetricData: AccessDenied"),
        "{}",
        text(&app)
    );
}

fn invoke_cmd(cmds: &[Command]) -> Option<(AccountKey, String, String, String)> {
    cmds.iter().find_map(|c| match c {
        Command::InvokeEndpoint {
            key,
            endpoint,
            body,
            content_type,
        } => Some((*key, endpoint.clone(), body.clone(), content_type.clone())),
        _ => None,
    })
}

#[test]
fn i_sends_the_sample_row_and_the_answer_shows_in_the_view_notice_and_log() {
    let mut app = app_with_endpoint("InService");
    let cmds = press(&mut app, KeyCode::Char('i'));
    let (key, endpoint, body, content_type) = invoke_cmd(&cmds).expect("an invocation");
    assert_eq!(
        (key, endpoint.as_str()),
        (tools(), endpoint_name().as_str())
    );
    assert_eq!(
        (body.as_str(), content_type.as_str()),
        (SAMPLE_ROW, "text/libsvm")
    );
    assert!(
        body.starts_with("0 1:1 2:0.455"),
        "the lab's libsvm row: {body}"
    );
    assert!(invoke_cmd(&press(&mut app, KeyCode::Char('i'))).is_none());
    assert!(notice_has(&app, "on its way"), "{:?}", app.notice);

    let logged = app.labs[0].log.len();
    update(
        &mut app,
        invoked(Ok(Invocation::new("9.6412", 48, Some("AllTraffic".into())))),
    );
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("predicted 9.64 rings") && notice.contains("48 ms"),
        "{notice}"
    );
    assert_eq!(app.labs[0].log.len(), logged + 1);
    // Logged at the app's time, among the lab's history by when it happened.
    let entry = app.labs[0]
        .log
        .newest()
        .find(|e| e.change.subject.contains("9.64 rings"))
        .expect("the smoke test in the log");
    assert_eq!(entry.change.at, app.now, "{entry:?}");

    // In the view: the prediction and the round trip; i works there too.
    press(&mut app, KeyCode::Enter);
    let target = Target::Endpoint {
        role: Role::Tools,
        name: endpoint_name(),
    };
    let text = format!("{:?}", detail::detail(&app, &target).expect("detail"));
    assert!(text.contains("9.64 rings (about 11.1 years)"), "{text}");
    assert!(
        text.contains("48 ms") && text.contains("AllTraffic"),
        "{text}"
    );
    let cmds = press(&mut app, KeyCode::Char('i'));
    assert!(invoke_cmd(&cmds).is_some(), "{cmds:?}");
    update(
        &mut app,
        invoked(Err(ActionError::Failed("ModelError: bad row".into()))),
    );
    let text = format!("{:?}", detail::detail(&app, &target).expect("detail"));
    assert!(text.contains("ModelError: bad row"), "{text}");
    let failed: Vec<_> = app.labs[0]
        .log
        .newest()
        .filter(|e| e.change.subject.starts_with("smoke test of"))
        .map(|e| e.change.category)
        .collect();
    assert_eq!(
        failed,
        [Category::Failed, Category::Complete],
        "newest first"
    );
}

#[test]
fn i_is_refused_read_only_off_an_endpoint_and_before_in_service() {
    let mut app = app_with_endpoint("InService");
    app.read_only = true;
    assert!(invoke_cmd(&press(&mut app, KeyCode::Char('i'))).is_none());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("read-only")),
        "{:?}",
        app.notice
    );
    press(&mut app, KeyCode::Enter);
    assert!(invoke_cmd(&press(&mut app, KeyCode::Char('i'))).is_none());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("read-only"))
    );
    assert!(app.smoke.is_empty());

    let mut app = app_with_endpoint("InService");
    select(&mut app, |t| matches!(t, Target::Stack { .. }));
    assert!(invoke_cmd(&press(&mut app, KeyCode::Char('i'))).is_none());
    assert!(
        notice_has(&app, "select a SageMaker endpoint"),
        "{:?}",
        app.notice
    );

    let mut app = app_with_endpoint("Creating");
    assert!(invoke_cmd(&press(&mut app, KeyCode::Char('i'))).is_none());
    assert!(
        notice_has(&app, "is Creating: the smoke test needs it InService"),
        "{:?}",
        app.notice
    );
}

#[test]
fn smoke_tests_kept_are_bounded() {
    let mut app = app_with_endpoint("InService");
    for _ in 0..20 {
        press(&mut app, KeyCode::Char('i'));
        update(&mut app, invoked(Ok(Invocation::new("9", 1, None))));
    }
    assert_eq!(app.smoke.len(), crossdeck::app::health::MAX_SMOKE_TESTS);
}

// The simulator.

fn sim(seed: u64, read_only: bool) -> (SimBackend, ManualClock) {
    let clock = ManualClock::new();
    clock.set(SIM_EPOCH);
    let opts = SimOptions {
        participants: 1,
        seed,
        faults: false,
        read_only,
        ..SimOptions::default()
    };
    (SimBackend::new(opts, Arc::new(clock.clone())), clock)
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// The Tools endpoint of the simulated lab, once it has a status that `ready` accepts.
fn tools_endpoint(sim: &SimBackend, clock: &ManualClock, ready: impl Fn(&str) -> bool) -> Endpoint {
    for _ in 0..400 {
        let snap = block(sim.snapshot(tools())).expect("snapshot");
        if let Some(e) = snap.endpoints.into_iter().find(|e| ready(&e.status)) {
            return e;
        }
        clock.advance_secs(30);
    }
    panic!("the Tools endpoint never came");
}

fn variants(e: &Endpoint) -> Vec<String> {
    e.variants.iter().map(|v| v.name.clone()).collect()
}

#[test]
fn simulated_metrics_are_plausible_and_repeat_for_the_same_seed_and_clock() {
    let (a, clock_a) = sim(7, false);
    let e = tools_endpoint(&a, &clock_a, |s| s == "InService");
    clock_a.advance_secs(45 * 60);
    let now = clock_a.now();
    let read = |s: &SimBackend| {
        block(s.endpoint_metrics(tools(), &e.name, &variants(&e), now)).expect("metrics")
    };
    let m = read(&a);
    let (start, end) = window(now);
    assert_eq!((m.start, m.end), (start, end));
    let inv = m
        .series("AllTraffic", Metric::Invocations)
        .expect("invocations");
    assert!(inv.points.len() > 3, "{inv:?}");
    assert!(
        inv.points.windows(2).all(|w| w[0].0 < w[1].0),
        "oldest first"
    );
    assert!(inv.points.iter().all(|(t, _)| *t >= start && *t < end));
    assert!(
        inv.points.iter().all(|(t, _)| *t > e.modified),
        "no traffic before InService"
    );
    let burst = inv.points.first().map(|(_, v)| *v).unwrap_or_default();
    assert!(
        (20.0..=40.0).contains(&burst),
        "the pipeline's tests: {burst}"
    );
    let lat = m
        .series("AllTraffic", Metric::ModelLatency)
        .expect("latency");
    assert!(
        lat.points
            .iter()
            .all(|(_, v)| (500.0..10_000.0).contains(v)),
        "microseconds of an XGBoost model: {lat:?}"
    );
    let e5 = m.series("AllTraffic", Metric::Errors5xx).expect("5xx");
    assert_eq!(e5.overall(), Some(0.0));

    // An earlier now is an earlier window, the same minutes where they overlap.
    let before = now.plus_secs(-600);
    let earlier = block(a.endpoint_metrics(tools(), &e.name, &variants(&e), before)).expect("m");
    assert_eq!((earlier.start, earlier.end), window(before));
    let inv_before = earlier
        .series("AllTraffic", Metric::Invocations)
        .expect("invocations");
    assert!(
        inv_before
            .points
            .iter()
            .filter(|(t, _)| *t >= start)
            .all(|p| inv.points.contains(p))
    );

    // The same seed and clock tell the same story; another seed another.
    let (b, clock_b) = sim(7, false);
    tools_endpoint(&b, &clock_b, |s| s == "InService");
    clock_b.set(now);
    assert_eq!(read(&b), m);
    let (c, clock_c) = sim(8, false);
    let e_c = tools_endpoint(&c, &clock_c, |s| s == "InService");
    clock_c.set(e_c.modified.plus_secs(45 * 60));
    let other = block(c.endpoint_metrics(tools(), &e_c.name, &variants(&e_c), clock_c.now()))
        .expect("metrics");
    assert_ne!(
        other
            .series("AllTraffic", Metric::Invocations)
            .map(|s| &s.points),
        Some(&inv.points)
    );
}

#[test]
fn the_simulator_answers_a_smoke_test_and_counts_it_in_later_metrics() {
    let (a, clock_a) = sim(7, false);
    let (twin, clock_t) = sim(7, false);
    let e = tools_endpoint(&a, &clock_a, |s| s == "InService");
    tools_endpoint(&twin, &clock_t, |s| s == "InService");
    clock_a.advance_secs(600);
    clock_t.set(clock_a.now());
    let sent = clock_a.now();

    let answer =
        block(a.invoke_endpoint(tools(), &e.name, SAMPLE_ROW, CONTENT_TYPE)).expect("an answer");
    let rings = answer.rings().expect("a number");
    assert!((1.0..=29.0).contains(&rings), "{answer:?}");
    assert!(
        answer.latency_ms > 0 && answer.latency_ms < 1000,
        "{answer:?}"
    );
    assert_eq!(answer.variant.as_deref(), Some("AllTraffic"));
    let bad = block(a.invoke_endpoint(tools(), &e.name, "not libsvm", CONTENT_TYPE));
    assert!(
        matches!(&bad, Err(ActionError::Failed(m)) if m.contains("ModelError")),
        "{bad:?}"
    );

    // A minute later both are in the metrics: one more invocation, one a 4XX, than the twin
    // that was never called.
    clock_a.advance_secs(60);
    clock_t.advance_secs(60);
    let now = clock_a.now();
    let m = block(a.endpoint_metrics(tools(), &e.name, &variants(&e), now)).expect("metrics");
    let base = block(twin.endpoint_metrics(tools(), &e.name, &variants(&e), now)).expect("twin");
    let at = |m: &EndpointMetrics, metric: Metric| {
        let minute = Timestamp(sent.millis() / 60_000 * 60_000);
        m.series("AllTraffic", metric)
            .and_then(|s| s.points.iter().find(|(t, _)| *t == minute))
            .map_or(0.0, |(_, v)| *v)
    };
    assert_eq!(
        at(&m, Metric::Invocations),
        at(&base, Metric::Invocations) + 2.0
    );
    assert_eq!(
        at(&m, Metric::Errors4xx),
        at(&base, Metric::Errors4xx) + 1.0
    );
}

#[test]
fn the_simulator_refuses_an_endpoint_not_in_service_and_in_read_only_mode() {
    let (s, clock) = sim(7, false);
    let e = tools_endpoint(&s, &clock, |st| st == "Creating");
    match block(s.invoke_endpoint(tools(), &e.name, SAMPLE_ROW, CONTENT_TYPE)) {
        Err(ActionError::Refused(m)) => {
            assert!(m.contains("Creating") && m.contains("InService"), "{m}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let m = block(s.endpoint_metrics(tools(), &e.name, &variants(&e), clock.now())).expect("m");
    assert!(
        m.series.iter().all(|s| s.points.is_empty()),
        "no traffic yet"
    );
    match block(s.invoke_endpoint(tools(), "no-such-endpoint", SAMPLE_ROW, CONTENT_TYPE)) {
        Err(ActionError::NotFound(m)) => assert!(m.contains("no-such-endpoint"), "{m}"),
        other => panic!("expected not found, got {other:?}"),
    }

    let (ro, clock) = sim(7, true);
    let e = tools_endpoint(&ro, &clock, |st| st == "InService");
    assert_eq!(
        block(ro.invoke_endpoint(tools(), &e.name, SAMPLE_ROW, CONTENT_TYPE)),
        Err(read_only_refusal())
    );
}
