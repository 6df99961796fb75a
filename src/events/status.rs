//! How the event feed is doing, as the header and the fleet summary show it.

use crate::lab::Timestamp;

/// Whether events are being taken from the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedState {
    /// The first ReceiveMessage has not answered yet.
    Starting,
    /// The queue is read without error: steady polling is relaxed.
    Live,
    /// The queue cannot be read: polling as usual, the queue retried with backoff.
    Off { reason: String },
}

/// Counters kept by the consumer since it started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Lab events matched to a configured account: each asked for a read.
    pub taken: u64,
    /// Deliveries of an event already taken (same event id).
    pub duplicates: u64,
    /// Events from accounts (or regions) no lab has.
    pub unknown_account: u64,
    /// EventBridge events of a source or type the lab does not watch.
    pub unrelated: u64,
    /// Bodies that are not EventBridge events.
    pub junk: u64,
    /// Messages deleted from the queue.
    pub deleted: u64,
    /// Messages left in the queue (`--read-only` deletes nothing).
    pub left: u64,
    /// Reads of an account the events asked the poller for (after coalescing).
    pub reads: u64,
}

impl Counts {
    /// Messages that were not taken: deleted all the same.
    pub fn ignored(&self) -> u64 {
        self.unknown_account + self.unrelated + self.junk
    }
}

/// What the consumer reports after each change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventsStatus {
    pub state: FeedState,
    pub counts: Counts,
    /// The queue, as the config names it.
    pub queue: String,
}

/// The app's view of the feed: the last report, and when a lab event was last taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventsView {
    pub status: EventsStatus,
    pub last_taken: Option<Timestamp>,
}

impl EventsView {
    pub fn new(queue: &str) -> Self {
        EventsView {
            status: EventsStatus {
                state: FeedState::Starting,
                counts: Counts::default(),
                queue: queue.to_string(),
            },
            last_taken: None,
        }
    }

    /// Take a report that arrived at `now`.
    pub fn update(&mut self, status: EventsStatus, now: Timestamp) {
        if status.counts.taken > self.status.counts.taken {
            self.last_taken = Some(now);
        }
        self.status = status;
    }

    /// One line: `events: live · last 4s ago · 1,204 taken`, or `events: off (polling): why`.
    pub fn line(&self, now: Timestamp) -> String {
        let c = &self.status.counts;
        match &self.status.state {
            FeedState::Starting => "events: connecting to the queue (polling)".to_string(),
            FeedState::Off { reason } => format!("events: off (polling): {reason}"),
            FeedState::Live => {
                let last = match self.last_taken {
                    Some(t) => format!("last {} ago", ago(now.millis() - t.millis())),
                    None => "none yet".to_string(),
                };
                let mut s = format!("events: live · {last} · {} taken", thousands(c.taken));
                if c.ignored() > 0 {
                    s.push_str(&format!(" · {} ignored", thousands(c.ignored())));
                }
                if c.left > 0 {
                    s.push_str(" · read-only: none deleted");
                }
                s
            }
        }
    }

    pub fn is_live(&self) -> bool {
        self.status.state == FeedState::Live
    }
}

/// `4s`, `3m`, `2h` for a span in milliseconds.
fn ago(ms: i64) -> String {
    let s = (ms.max(0) / 1000) as u64;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m", s / 60)
    } else {
        format!("{}h", s / 3600)
    }
}

/// `1204` → `1,204`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_the_mode_the_last_event_and_the_count() {
        let t0 = Timestamp::from_secs(1_000);
        let mut v = EventsView::new("crossdeck-events");
        assert_eq!(v.line(t0), "events: connecting to the queue (polling)");
        let mut status = v.status.clone();
        status.state = FeedState::Live;
        v.update(status.clone(), t0);
        assert_eq!(v.line(t0), "events: live · none yet · 0 taken");
        status.counts.taken = 1204;
        v.update(status.clone(), t0);
        assert_eq!(
            v.line(t0.plus_secs(4)),
            "events: live · last 4s ago · 1,204 taken"
        );
        status.counts.junk = 2;
        status.counts.unknown_account = 1;
        v.update(status.clone(), t0.plus_secs(100));
        // No new event was taken: the last one stays where it was.
        assert_eq!(
            v.line(t0.plus_secs(200)),
            "events: live · last 3m ago · 1,204 taken · 3 ignored"
        );
        status.state = FeedState::Off {
            reason: "access denied to the queue".into(),
        };
        v.update(status, t0);
        assert_eq!(
            v.line(t0),
            "events: off (polling): access denied to the queue"
        );
        assert!(!v.is_live());
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
