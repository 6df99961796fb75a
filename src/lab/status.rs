//! Display categories: every AWS status string maps to one of five, as rain does for stacks.

/// How a status reads at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Complete,
    InProgress,
    Pending,
    Failed,
    /// Cancelled, stopped, superseded or deleted.
    Cancelled,
}

impl Category {
    /// Classify a status from any of the lab's services (CloudFormation, Service Catalog,
    /// CodePipeline, SageMaker). Unknown values read as pending.
    pub fn of(status: &str) -> Category {
        let s = status.to_ascii_uppercase();
        if s.contains("ROLLBACK") || s.ends_with("FAILED") || s == "ERROR" || s == "TAINTED" {
            return Category::Failed;
        }
        match s.as_str() {
            "DELETE_COMPLETE" | "DELETED" | "STOPPED" | "STOPPING" | "SUPERSEDED" | "ABANDONED"
            | "CANCELLED" | "OUTOFSERVICE" => Category::Cancelled,
            "REVIEW_IN_PROGRESS" | "PENDING_APPROVAL" | "" => Category::Pending,
            "INSERVICE" | "SUCCEEDED" | "AVAILABLE" | "SUCCEEDED_WITH_WARNINGS" => {
                Category::Complete
            }
            "CREATING" | "UPDATING" | "SYSTEMUPDATING" | "DELETING" | "PENDING" | "INPROGRESS"
            | "UNDER_CHANGE" | "PLAN_IN_PROGRESS" | "IN_PROGRESS" | "CREATED" => {
                Category::InProgress
            }
            _ if s.ends_with("_IN_PROGRESS") => Category::InProgress,
            _ if s.ends_with("_COMPLETE") => Category::Complete,
            _ => Category::Pending,
        }
    }

    /// One-cell symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Category::Complete => "✓",
            Category::InProgress => "◐",
            Category::Pending => "·",
            Category::Failed => "✗",
            Category::Cancelled => "⊘",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Category::Complete => "complete",
            Category::InProgress => "in progress",
            Category::Pending => "pending",
            Category::Failed => "failed",
            Category::Cancelled => "cancelled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Category::{self, *};

    #[test]
    fn statuses_of_every_service_map_to_categories() {
        let cases = [
            ("CREATE_COMPLETE", Complete),
            ("UPDATE_COMPLETE", Complete),
            ("CREATE_IN_PROGRESS", InProgress),
            ("DELETE_IN_PROGRESS", InProgress),
            ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", InProgress),
            ("REVIEW_IN_PROGRESS", Pending),
            ("CREATE_FAILED", Failed),
            ("ROLLBACK_IN_PROGRESS", Failed),
            ("ROLLBACK_COMPLETE", Failed),
            ("UPDATE_ROLLBACK_COMPLETE", Failed),
            ("DELETE_FAILED", Failed),
            ("DELETE_COMPLETE", Cancelled),
            ("AVAILABLE", Complete),
            ("UNDER_CHANGE", InProgress),
            ("TAINTED", Failed),
            ("ERROR", Failed),
            ("InProgress", InProgress),
            ("Succeeded", Complete),
            ("Failed", Failed),
            ("Abandoned", Cancelled),
            ("Stopped", Cancelled),
            ("Superseded", Cancelled),
            ("Creating", InProgress),
            ("InService", Complete),
            ("Updating", InProgress),
            ("Deleting", InProgress),
            ("OutOfService", Cancelled),
            ("Pending", InProgress),
            ("", Pending),
        ];
        for (status, want) in cases {
            assert_eq!(Category::of(status), want, "{status}");
        }
    }
}
