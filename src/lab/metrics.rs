//! An endpoint's health in CloudWatch: the four `AWS/SageMaker` metrics per variant over the last
//! hour, one datapoint a minute, oldest first, and the figures the view shows for each.

use super::Timestamp;

/// The namespace SageMaker endpoints publish their invocation metrics in.
pub const NAMESPACE: &str = "AWS/SageMaker";
/// How far back the endpoint health view looks, in seconds.
pub const WINDOW_SECS: i64 = 3600;
/// One datapoint per this many seconds.
pub const PERIOD_SECS: i32 = 60;
/// Datapoints in a full window.
pub const SLOTS: usize = (WINDOW_SECS / PERIOD_SECS as i64) as usize;

/// One of the metrics the view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    Invocations,
    /// Average, in microseconds.
    ModelLatency,
    Errors4xx,
    Errors5xx,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::Invocations,
        Metric::ModelLatency,
        Metric::Errors4xx,
        Metric::Errors5xx,
    ];

    /// The metric's name in CloudWatch.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Invocations => "Invocations",
            Metric::ModelLatency => "ModelLatency",
            Metric::Errors4xx => "Invocation4XXErrors",
            Metric::Errors5xx => "Invocation5XXErrors",
        }
    }

    /// The statistic asked for: counts are summed per minute, latency averaged.
    pub fn stat(self) -> &'static str {
        match self {
            Metric::ModelLatency => "Average",
            _ => "Sum",
        }
    }

    /// How the view names it.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Invocations => "Invocations",
            Metric::ModelLatency => "Model latency",
            Metric::Errors4xx => "4XX errors",
            Metric::Errors5xx => "5XX errors",
        }
    }

    /// The start of a query id (CloudWatch ids begin with a lowercase letter).
    pub fn id_prefix(self) -> &'static str {
        match self {
            Metric::Invocations => "inv",
            Metric::ModelLatency => "lat",
            Metric::Errors4xx => "err4",
            Metric::Errors5xx => "err5",
        }
    }

    /// The query id for this metric of the variant at `index` in the request.
    pub fn query_id(self, index: usize) -> String {
        format!("{}_{index}", self.id_prefix())
    }

    /// The metric and variant index a query id names.
    pub fn from_query_id(id: &str) -> Option<(Metric, usize)> {
        let (prefix, index) = id.rsplit_once('_')?;
        let metric = Metric::ALL.into_iter().find(|m| m.id_prefix() == prefix)?;
        Some((metric, index.parse().ok()?))
    }
}

/// One metric of one variant over the window.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub metric: Metric,
    pub variant: String,
    /// Datapoints, oldest first; minutes without one are absent (CloudWatch sends none).
    pub points: Vec<(Timestamp, f64)>,
}

impl Series {
    pub fn new(metric: Metric, variant: impl Into<String>) -> Self {
        Series {
            metric,
            variant: variant.into(),
            points: Vec::new(),
        }
    }

    /// The newest datapoint's value.
    pub fn last(&self) -> Option<f64> {
        self.points.last().map(|(_, v)| *v)
    }

    /// Over the window: the sum of a counted metric, the mean of an averaged one.
    pub fn overall(&self) -> Option<f64> {
        if self.points.is_empty() {
            return None;
        }
        let sum: f64 = self.points.iter().map(|(_, v)| v).sum();
        Some(match self.metric {
            Metric::ModelLatency => sum / self.points.len() as f64,
            _ => sum,
        })
    }

    /// One value per period from `start`, `None` where no datapoint falls.
    pub fn slots(&self, start: Timestamp, n: usize) -> Vec<Option<f64>> {
        let mut out = vec![None; n];
        let period_ms = i64::from(PERIOD_SECS) * 1000;
        for (t, v) in &self.points {
            let offset = t.millis() - start.millis();
            if offset < 0 {
                continue;
            }
            if let Some(slot) = out.get_mut((offset / period_ms) as usize) {
                *slot = Some(*v);
            }
        }
        out
    }
}

/// What one GetMetricData call said about an endpoint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EndpointMetrics {
    pub endpoint: String,
    /// The window asked for: `start` inclusive, `end` exclusive, whole minutes.
    pub start: Timestamp,
    pub end: Timestamp,
    /// One per metric per variant, in the order asked.
    pub series: Vec<Series>,
    /// What CloudWatch said besides the data (a partial answer, a denied metric).
    pub notes: Vec<String>,
}

impl EndpointMetrics {
    /// An empty answer for the window ending at `now`.
    pub fn empty(endpoint: impl Into<String>, now: Timestamp) -> Self {
        let (start, end) = window(now);
        EndpointMetrics {
            endpoint: endpoint.into(),
            start,
            end,
            ..EndpointMetrics::default()
        }
    }

    /// The series of one metric of one variant.
    pub fn series(&self, variant: &str, metric: Metric) -> Option<&Series> {
        self.series
            .iter()
            .find(|s| s.variant == variant && s.metric == metric)
    }

    /// The variants, in the order asked.
    pub fn variants(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.series {
            if !out.contains(&s.variant.as_str()) {
                out.push(&s.variant);
            }
        }
        out
    }
}

/// The window the view shows at `now`: the last hour of whole minutes, ending at the start of
/// `now`'s minute (the current minute is still being counted).
pub fn window(now: Timestamp) -> (Timestamp, Timestamp) {
    let minute = i64::from(PERIOD_SECS) * 1000;
    let end = Timestamp(now.millis().div_euclid(minute) * minute);
    (end.plus_secs(-WINDOW_SECS), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_ids_round_trip_and_windows_are_whole_minutes() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_query_id(&m.query_id(3)), Some((m, 3)));
        }
        assert_eq!(Metric::from_query_id("x_1"), None);
        let (start, end) = window(Timestamp(1_795_770_125_500));
        assert_eq!(end, Timestamp(1_795_770_120_000));
        assert_eq!(end.secs_since(start), WINDOW_SECS);
    }

    #[test]
    fn slots_place_points_by_minute_and_overall_sums_or_averages() {
        let start = Timestamp::from_secs(600);
        let mut s = Series::new(Metric::Invocations, "AllTraffic");
        s.points = vec![(start, 2.0), (start.plus_secs(120), 5.0)];
        assert_eq!(s.slots(start, 4), [Some(2.0), None, Some(5.0), None]);
        assert_eq!((s.last(), s.overall()), (Some(5.0), Some(7.0)));
        s.metric = Metric::ModelLatency;
        assert_eq!(s.overall(), Some(3.5));
    }
}
