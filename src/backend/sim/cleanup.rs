//! The simulator's side of cleanup: terminating products, emptying and deleting buckets,
//! deleting endpoints, as the AWS backend would.

use crate::backend::{Action, ActionDone, ActionError};
use crate::lab::Role;

use super::world::Participant;

impl Participant {
    /// A cleanup action in one account of this lab.
    pub(super) fn cleanup(
        &mut self,
        role: Role,
        action: Action,
    ) -> Result<ActionDone, ActionError> {
        match action {
            Action::DeleteStack { stack } => self.delete_stack(role, &stack).map(ActionDone::new),
            other => Err(ActionError::Refused(format!(
                "{other}: not simulated in this version"
            ))),
        }
    }
}
