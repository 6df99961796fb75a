//! The endpoint health view's content: status, variants and times from the latest poll, the
//! last hour of CloudWatch metrics as sparklines with their figures, and the smoke test.

use crate::backend::AccountKey;
use crate::lab::metrics::{EndpointMetrics, Metric, SLOTS, Series};
use crate::lab::smoke;
use crate::lab::time::short_duration;
use crate::lab::{Category, Role};

use super::detail::{Detail, Line, field, status, warning};
use super::health::{self, latest_smoke};
use super::state::App;

/// Build the endpoint's detail; `None` when it is gone from the latest poll.
pub fn detail(app: &App, role: Role, name: &str) -> Option<Detail> {
    let snap = app.lab()?.snaps[role].as_ref()?;
    let e = snap.endpoints.iter().find(|e| e.name == name)?;
    let mut lines = vec![status("Status", &e.status)];
    lines.extend(warning(&e.status));
    if let Some(r) = &e.failure_reason {
        lines.push(field("Failure reason", r));
    }
    if e.variants.is_empty() {
        lines.push(field(
            "Instances",
            format!("{} × {}", e.instance_count, e.instance_type),
        ));
    }
    for v in &e.variants {
        lines.push(field(
            &format!("Variant {}", v.name),
            format!("{} × {}", v.instance_count, v.instance_type),
        ));
    }
    lines.push(field("Created", e.created.to_string()));
    lines.push(field(
        "Modified",
        format!(
            "{} ({} ago)",
            e.modified,
            short_duration(app.now.secs_since(e.modified))
        ),
    ));
    let key = AccountKey {
        lab: app.current,
        role,
    };
    match health::shown(app, key, name).and_then(|h| h.metrics.as_ref()) {
        None => {
            lines.push(Line::Heading("Metrics (AWS/SageMaker, last 60 min)".into()));
            lines.push(Line::Text("reading CloudWatch…".into()));
        }
        Some(Err(why)) => {
            lines.push(Line::Heading("Metrics (AWS/SageMaker, last 60 min)".into()));
            lines.push(Line::Text(format!("cannot read them: {why}")));
        }
        Some(Ok(m)) => metric_lines(&mut lines, m),
    }
    smoke_lines(app, key, name, &mut lines);
    Some(Detail {
        title: format!("Endpoint · {} ({role})", e.name),
        lines,
    })
}

fn metric_lines(lines: &mut Vec<Line>, m: &EndpointMetrics) {
    let variants = m.variants();
    if variants.is_empty() {
        lines.push(Line::Heading("Metrics (AWS/SageMaker, last 60 min)".into()));
    }
    for variant in variants {
        lines.push(Line::Heading(format!(
            "Metrics · {variant} · {}–{} UTC per minute · latest, Σ hour, ⌀ mean",
            hm(m.start.hms()),
            hm(m.end.hms())
        )));
        for metric in Metric::ALL {
            if let Some(s) = m.series(variant, metric) {
                lines.push(spark(s, m));
            }
        }
    }
    lines.extend(m.notes.iter().map(|n| Line::Text(n.clone())));
}

/// `HH:MM` of an `HH:MM:SS`.
fn hm(hms: String) -> String {
    hms.chars().take(5).collect()
}

fn spark(s: &Series, m: &EndpointMetrics) -> Line {
    let values = s
        .slots(m.start, SLOTS)
        .into_iter()
        .map(|v| v.map(|v| v.max(0.0).round() as u64))
        .collect();
    let (last, overall) = (s.last(), s.overall());
    let summary = match (s.metric, last, overall) {
        (_, None, _) | (_, _, None) => "no data".to_string(),
        (Metric::ModelLatency, Some(l), Some(o)) => {
            format!("{:.2} · ⌀{:.2} ms", l / 1000.0, o / 1000.0)
        }
        (_, Some(l), Some(o)) => format!("{l:.0} · Σ{o:.0}"),
    };
    let category = match s.metric {
        Metric::Errors4xx | Metric::Errors5xx if overall.is_some_and(|o| o > 0.0) => {
            Some(Category::Failed)
        }
        _ => None,
    };
    Line::Spark {
        label: s.metric.label().to_string(),
        values,
        summary,
        category,
    }
}

fn smoke_lines(app: &App, key: AccountKey, name: &str, lines: &mut Vec<Line>) {
    lines.push(Line::Heading("Smoke test (i)".into()));
    let Some(t) = latest_smoke(app, key, name) else {
        lines.push(Line::Text(format!(
            "i sends one abalone row ({}) and shows the predicted rings",
            smoke::CONTENT_TYPE
        )));
        return;
    };
    lines.push(field("Sent", t.sent_at.to_string()));
    match &t.outcome {
        None => lines.push(Line::Text("waiting for the answer…".into())),
        Some(Ok(i)) => {
            let prediction = match i.rings() {
                Some(r) => format!("{r:.2} rings (about {:.1} years)", r + 1.5),
                None => i.answer.clone(),
            };
            lines.push(Line::Field {
                key: "Prediction".into(),
                value: prediction,
                category: Some(Category::Complete),
            });
            lines.push(field("Round trip", format!("{} ms", i.latency_ms)));
            if let Some(v) = &i.variant {
                lines.push(field("Answered by", v));
            }
        }
        Some(Err(why)) => lines.push(Line::Field {
            key: "Failed".into(),
            value: why.clone(),
            category: Some(Category::Failed),
        }),
    }
}
