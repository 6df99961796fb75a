//! The simulator's side of operating the lab: pipeline gates, launching the notebook product,
//! notebook instances.

use crate::backend::{Action, ActionDone, ActionError, LaunchOptions, RecordState};
use crate::lab::Role;

use super::world::Participant;

impl Participant {
    /// A pipeline, product or notebook action in one account of this lab.
    pub(super) fn operate(
        &mut self,
        role: Role,
        action: Action,
    ) -> Result<ActionDone, ActionError> {
        match action {
            Action::ApproveAction {
                pipeline,
                stage,
                action,
                token,
                approve,
                comment,
            } => {
                if role != Role::Tools {
                    return Err(ActionError::NotFound(format!(
                        "pipeline {pipeline} in the {role} account"
                    )));
                }
                self.approve(&pipeline, &stage, &action, &token, approve, &comment)
                    .map(ActionDone::new)
            }
            other => Err(ActionError::Refused(format!(
                "{other}: not simulated in this version"
            ))),
        }
    }

    pub(super) fn launch_options(&self, product_name: &str) -> Result<LaunchOptions, ActionError> {
        Err(ActionError::NotFound(format!("product {product_name}")))
    }

    pub(super) fn record(&self, record_id: &str) -> Result<RecordState, ActionError> {
        Err(ActionError::NotFound(format!("record {record_id}")))
    }

    pub(super) fn notebook_url(&self, name: &str) -> Result<String, ActionError> {
        Err(ActionError::NotFound(format!("notebook instance {name}")))
    }
}
