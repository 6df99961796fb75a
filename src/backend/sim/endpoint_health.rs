//! The simulator's endpoints as CloudWatch and SageMaker Runtime see them: per-minute metrics
//! made up deterministically from the seed and the clock (a burst when the pipeline's tests run
//! right after InService, then a trickle of someone trying it), plus every invocation the
//! simulator answered; and answers to InvokeEndpoint with a plausible number of rings.

use crate::backend::ActionError;
use crate::lab::metrics::{EndpointMetrics, Metric, PERIOD_SECS, Series};
use crate::lab::smoke::{self, Invocation};
use crate::lab::{Endpoint, Role, Timestamp};

use super::rng::Rng;
use super::world::Participant;

/// Answered invocations kept per account (the oldest go first); more than an hour's worth.
const MAX_ANSWERED: usize = 2000;

/// One InvokeEndpoint the simulator answered (or refused as the model would: a 4XX).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Answered {
    pub endpoint: String,
    pub at: Timestamp,
    /// The model's own time, in microseconds; `None` for a request the model refused (4XX).
    pub model_us: Option<u32>,
}

/// A number from the seed and the parts, the same every time they are the same.
fn mix(salt: u64, name: &str, n: i64) -> Rng {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut seeded = Rng::new(salt ^ h ^ (n as u64).rotate_left(32));
    Rng::new(seeded.next_u64())
}

/// The made-up traffic of one minute: (invocations, mean model latency in µs, 4XX errors).
fn background(salt: u64, e: &Endpoint, minute: i64, first_minute: i64) -> (u32, f64, u32) {
    let mut r = mix(salt, &e.name, minute);
    let base_us = 1500.0 + mix(salt, &e.name, -1).below(2500) as f64;
    let calls = if minute == first_minute {
        // The pipeline's SmokeTest / FullTest send the test set right after InService.
        r.range(20, 40) as u32
    } else if r.chance(0.35) {
        r.range(1, 6) as u32
    } else {
        0
    };
    let latency = base_us * (0.7 + 0.6 * r.unit());
    let errors = u32::from(calls > 0 && r.chance(0.05));
    (calls, latency, errors)
}

impl Participant {
    /// The last hour of an endpoint's metrics at `now` (no later than the participant's now:
    /// the simulator tells no future); an endpoint that is not InService (or not there) has
    /// none, as CloudWatch would say.
    pub(super) fn endpoint_metrics(
        &self,
        role: Role,
        endpoint: &str,
        variants: &[String],
        now: Timestamp,
        salt: u64,
    ) -> EndpointMetrics {
        let now = now.min(self.now);
        let mut out = EndpointMetrics::empty(endpoint, now);
        for v in variants {
            for m in Metric::ALL {
                out.series.push(Series::new(m, v.clone()));
            }
        }
        let acct = &self.accounts[role];
        let Some(e) = acct.endpoints.iter().find(|e| e.name == endpoint) else {
            return out;
        };
        let Some(variant) = variants.first() else {
            return out;
        };
        let period = i64::from(PERIOD_SECS) * 1000;
        let (start, end) = (out.start, out.end);
        // Traffic begins in the first whole minute after the endpoint went InService.
        let first = if e.status == "InService" {
            e.modified.millis().div_euclid(period) + 1
        } else {
            i64::MAX
        };
        let mut m = start.millis() / period;
        while m * period < end.millis() {
            let (mut calls, mut latency, mut errors) = if m >= first {
                background(salt, e, m, first)
            } else {
                (0, 0.0, 0)
            };
            let mut total_us = latency * f64::from(calls - errors);
            for a in acct
                .answered
                .iter()
                .filter(|a| a.endpoint == endpoint && a.at.millis().div_euclid(period) == m)
            {
                calls += 1;
                match a.model_us {
                    Some(us) => total_us += f64::from(us),
                    None => errors += 1,
                }
            }
            if calls > 0 {
                let at = Timestamp(m * period);
                let ok = calls - errors;
                latency = if ok > 0 {
                    total_us / f64::from(ok)
                } else {
                    0.0
                };
                for (metric, value) in [
                    (Metric::Invocations, f64::from(calls)),
                    (Metric::ModelLatency, latency.round()),
                    (Metric::Errors4xx, f64::from(errors)),
                    (Metric::Errors5xx, 0.0),
                ] {
                    if metric == Metric::ModelLatency && ok == 0 {
                        continue;
                    }
                    if let Some(s) = out
                        .series
                        .iter_mut()
                        .find(|s| s.metric == metric && &s.variant == variant)
                    {
                        s.points.push((at, value));
                    }
                }
            }
            m += 1;
        }
        out
    }

    /// InvokeEndpoint: an InService endpoint answers a libsvm (or CSV) row with the rings it
    /// predicts; anything else is refused, and a row the model cannot read is a 4XX.
    pub(super) fn invoke(
        &mut self,
        role: Role,
        endpoint: &str,
        body: &str,
        content_type: &str,
        salt: u64,
    ) -> Result<Invocation, ActionError> {
        let now = self.now;
        let acct = &mut self.accounts[role];
        let Some(e) = acct.endpoints.iter().find(|e| e.name == endpoint) else {
            return Err(ActionError::NotFound(format!(
                "ValidationError: Endpoint {endpoint} of account {} not found.",
                acct.id
            )));
        };
        if e.status != "InService" {
            return Err(ActionError::Refused(format!(
                "endpoint {endpoint} is {}: it answers only once InService",
                e.status
            )));
        }
        let variant = e.variants.first().map(|v| v.name.clone());
        let n = acct.answered.len() as i64;
        let mut r = mix(salt, endpoint, now.millis() ^ n);
        let features = match content_type {
            smoke::CONTENT_TYPE => smoke::parse_libsvm(body),
            "text/csv" => parse_csv(body),
            other => Err(format!(
                "the model reads text/libsvm or text/csv, not {other}"
            )),
        };
        let model_us = features.as_ref().ok().map(|_| r.range(1200, 4800) as u32);
        if acct.answered.len() >= MAX_ANSWERED {
            acct.answered.remove(0);
        }
        acct.answered.push(Answered {
            endpoint: endpoint.to_string(),
            at: now,
            model_us,
        });
        let features = features.map_err(|why| {
            ActionError::Failed(format!(
                "ModelError: Received client error (415) from primary with message \"{why}\""
            ))
        })?;
        let rings = predict(&features);
        let latency_ms = model_us.map_or(0, |us| u64::from(us) / 1000) + r.range(18, 60) as u64;
        Ok(Invocation::new(&format!("{rings:.3}"), latency_ms, variant))
    }
}

/// A CSV row as libsvm features 1, 2, ….
fn parse_csv(row: &str) -> Result<Vec<(u32, f64)>, String> {
    (1u32..)
        .zip(row.trim().split(','))
        .map(|(i, v)| {
            v.trim()
                .parse::<f64>()
                .map(|v| (i, v))
                .map_err(|_| format!("\"{v}\" is not a number"))
        })
        .collect()
}

/// Rings from the abalone's measurements (a rough linear fit of the data set; the lab's model
/// is XGBoost, but a participant only checks that the number is sensible).
fn predict(features: &[(u32, f64)]) -> f64 {
    let f = |i: u32| {
        features
            .iter()
            .find(|(j, _)| *j == i)
            .map_or(0.0, |(_, v)| *v)
    };
    (3.0 + 5.0 * f(2) + 10.0 * f(4) + 15.0 * f(8)).clamp(1.0, 29.0)
}
