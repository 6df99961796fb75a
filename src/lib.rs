//! crossdeck: a terminal dashboard for the cross-account MLOps lab on AWS.

pub mod backend;
pub mod lab;
