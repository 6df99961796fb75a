//! Which step of the guide a lab has reached, what blocks it, and what to do next.
