//! Screen tests of the endpoint health view: a fixed hour of metrics and a smoke test's answer,
//! drawn at 100x30 and 80x24 as insta snapshots.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;

use crossdeck::app::{App, Msg, update};
use crossdeck::lab::metrics::{EndpointMetrics, Metric, Series};
use crossdeck::lab::smoke::Invocation;

use crate::endpoint_health::{app_with_endpoint, endpoint_name, invoked, metrics_answer};
use crate::fixtures::T0;
use crate::render::render;

/// An hour of made-up but fixed traffic: the pipeline's burst in minute 3, then a trickle.
fn fixed_hour(now: crossdeck::lab::Timestamp) -> EndpointMetrics {
    let mut m = EndpointMetrics::empty(endpoint_name(), now);
    let mut series: Vec<Series> = Metric::ALL
        .into_iter()
        .map(|metric| Series::new(metric, "AllTraffic"))
        .collect();
    for i in 0..60i64 {
        let calls = match i {
            3 => 31.0,
            _ if i % 7 == 0 => 4.0,
            _ if i % 3 == 0 => 2.0,
            _ => continue,
        };
        let at = m.start.plus_secs(i * 60);
        let values = [
            calls,
            2000.0 + (i * 37 % 1500) as f64,
            if i == 21 { 1.0 } else { 0.0 },
            0.0,
        ];
        for (s, v) in series.iter_mut().zip(values) {
            s.points.push((at, v));
        }
    }
    m.series = series;
    m
}

fn health_view() -> App {
    let mut app = app_with_endpoint("InService");
    let now = T0.plus_secs(3625);
    update(&mut app, Msg::Tick(now));
    let key = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    update(&mut app, key('i'));
    update(
        &mut app,
        invoked(Ok(Invocation::new("9.6412", 48, Some("AllTraffic".into())))),
    );
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    update(&mut app, metrics_answer(1, Ok(fixed_hour(now))));
    app
}

#[test]
fn endpoint_health_at_100x30() {
    assert_snapshot!(render(&health_view(), 100, 30));
}

#[test]
fn endpoint_health_at_80x24() {
    assert_snapshot!(render(&health_view(), 80, 24));
}
