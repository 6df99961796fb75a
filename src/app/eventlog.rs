//! A bounded buffer of the transitions seen in a lab's accounts, in the order they happened
//! (oldest first), whatever order the polls found them in.

use std::collections::VecDeque;

use crate::lab::Role;
use crate::lab::diff::Transition;

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub role: Role,
    pub change: Transition,
}

/// Keeps the newest `capacity` entries by when they happened; older ones fall off.
#[derive(Clone, Debug)]
pub struct EventLog {
    entries: VecDeque<LogEntry>,
    capacity: usize,
}

impl EventLog {
    pub fn new(capacity: usize) -> Self {
        EventLog {
            entries: VecDeque::with_capacity(capacity.min(64)),
            capacity: capacity.max(1),
        }
    }

    /// Add an entry in its place by time, after those of the same time; when full, the oldest
    /// falls off (the new one itself if it is older than all kept).
    pub fn push(&mut self, entry: LogEntry) {
        let at = entry.change.at;
        if self.entries.len() == self.capacity {
            if self.entries.front().is_some_and(|e| at < e.change.at) {
                return;
            }
            self.entries.pop_front();
        }
        let i = self.entries.partition_point(|e| e.change.at <= at);
        self.entries.insert(i, entry);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Newest first, by when each thing happened.
    pub fn newest(&self) -> impl Iterator<Item = &LogEntry> {
        self.entries.iter().rev()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::{Category, Timestamp};

    fn entry(i: i64) -> LogEntry {
        LogEntry {
            role: Role::Tools,
            change: Transition {
                at: Timestamp(i),
                subject: format!("stack s{i}"),
                status: "CREATE_COMPLETE".into(),
                category: Category::Complete,
                detail: None,
            },
        }
    }

    #[test]
    fn keeps_only_the_newest_entries() {
        let mut log = EventLog::new(3);
        for i in 0..5 {
            log.push(entry(i));
        }
        assert_eq!(log.len(), 3);
        let ats: Vec<i64> = log.newest().map(|e| e.change.at.0).collect();
        assert_eq!(ats, vec![4, 3, 2]);
    }

    #[test]
    fn entries_are_ordered_by_when_they_happened() {
        let mut log = EventLog::new(4);
        // A poll of one account finds 09:19, a later poll of another finds 09:14.
        for i in [19, 14, 17, 14] {
            log.push(entry(i));
        }
        let ats: Vec<i64> = log.newest().map(|e| e.change.at.0).collect();
        assert_eq!(ats, vec![19, 17, 14, 14]);
        // Full: an entry older than every one kept is not kept; a newer one pushes the oldest.
        log.push(entry(1));
        log.push(entry(18));
        let ats: Vec<i64> = log.newest().map(|e| e.change.at.0).collect();
        assert_eq!(ats, vec![19, 18, 17, 14]);
    }
}
