//! Turning hints into reads: an account is read at once on its first hint, and further hints
//! within the window are folded into one more read at the window's end; a duplicate delivery
//! (an event id already taken) asks for nothing.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

use crate::backend::AccountKey;

/// Hints for one account closer together than this make one read.
pub const WINDOW: Duration = Duration::from_secs(1);

/// Per account: when it was last read for a hint, and the reads folded to later.
#[derive(Debug, Default)]
pub struct Coalescer {
    window: Duration,
    last: HashMap<AccountKey, Instant>,
    due: BTreeMap<AccountKey, Instant>,
}

impl Coalescer {
    pub fn new(window: Duration) -> Self {
        Coalescer {
            window,
            ..Coalescer::default()
        }
    }

    /// A hint for `key` at `now`: true when it should be read at once; otherwise a read is
    /// (or already was) set for the end of its window.
    pub fn hint(&mut self, key: AccountKey, now: Instant) -> bool {
        match self.last.get(&key) {
            Some(&at) if now < at + self.window => {
                self.due.entry(key).or_insert(at + self.window);
                false
            }
            _ => {
                self.last.insert(key, now);
                true
            }
        }
    }

    /// When the next folded read is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.due.values().min().copied()
    }

    /// The folded reads due at `now`, each counted as that account's latest read.
    pub fn take_due(&mut self, now: Instant) -> Vec<AccountKey> {
        let ready: Vec<AccountKey> = self
            .due
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(k, _)| *k)
            .collect();
        for k in &ready {
            self.due.remove(k);
            self.last.insert(*k, now);
        }
        ready
    }
}

/// The ids of the events taken lately, so a duplicate delivery is recognised (bounded).
#[derive(Debug)]
pub struct Seen {
    ids: HashSet<String>,
    order: VecDeque<String>,
    capacity: usize,
}

impl Seen {
    pub fn new(capacity: usize) -> Self {
        Seen {
            ids: HashSet::with_capacity(capacity.min(4096)),
            order: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
        }
    }

    /// Note an id: false when it was seen already.
    pub fn first_time(&mut self, id: &str) -> bool {
        if self.ids.contains(id) {
            return false;
        }
        if self.order.len() >= self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        self.ids.insert(id.to_string());
        self.order.push_back(id.to_string());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Role;

    fn key(lab: usize) -> AccountKey {
        AccountKey {
            lab,
            role: Role::Stage,
        }
    }

    #[test]
    fn a_burst_for_one_account_makes_one_read_now_and_one_at_the_windows_end() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(WINDOW);
        assert!(c.hint(key(0), t0));
        assert!(!c.hint(key(0), t0 + Duration::from_millis(100)));
        assert!(!c.hint(key(0), t0 + Duration::from_millis(900)));
        // Another account is not held back.
        assert!(c.hint(key(1), t0 + Duration::from_millis(100)));
        assert_eq!(c.next_due(), Some(t0 + WINDOW));
        assert!(c.take_due(t0 + Duration::from_millis(999)).is_empty());
        assert_eq!(c.take_due(t0 + WINDOW), vec![key(0)]);
        assert_eq!(c.next_due(), None);
        // The folded read opened a new window.
        assert!(!c.hint(key(0), t0 + Duration::from_millis(1500)));
        assert!(c.hint(key(0), t0 + Duration::from_millis(3000)));
    }

    #[test]
    fn a_lone_hint_makes_exactly_one_read() {
        let t0 = Instant::now();
        let mut c = Coalescer::new(WINDOW);
        assert!(c.hint(key(3), t0));
        assert_eq!(c.next_due(), None);
        assert!(c.take_due(t0 + WINDOW * 5).is_empty());
    }

    #[test]
    fn seen_ids_are_remembered_up_to_the_capacity() {
        let mut s = Seen::new(2);
        assert!(s.first_time("a"));
        assert!(!s.first_time("a"));
        assert!(s.first_time("b"));
        assert!(s.first_time("c"));
        // "a" was forgotten to make room.
        assert!(s.first_time("a"));
        assert!(!s.first_time("c"));
    }
}
