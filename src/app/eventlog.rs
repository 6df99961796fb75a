//! A bounded ring buffer of the transitions seen in a lab's accounts, newest last.

use std::collections::VecDeque;

use crate::lab::Role;
use crate::lab::diff::Transition;

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub role: Role,
    pub change: Transition,
}

/// Keeps the newest `capacity` entries; older ones fall off.
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

    pub fn push(&mut self, entry: LogEntry) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Newest first.
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
}
