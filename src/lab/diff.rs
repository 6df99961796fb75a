//! Transitions between two snapshots of one account, for the event log.
