//! The simulated lab: participants following the guide on a clock, with seeded pace and faults.
