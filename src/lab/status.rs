//! Display categories: every AWS status string maps to one of five, service by service, as the
//! services define them; a stable state reached by rolling back also carries a warning mark.

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

use Category::{Cancelled, Complete, Failed, InProgress, Pending};

/// CloudFormation `StackStatus` and `ResourceStatus`. A stack that rolled back an update or an
/// import is a working stack again (its last good template): complete, with a warning mark. A
/// stack whose creation rolled back holds nothing usable: failed.
pub const CLOUDFORMATION: &[(&str, Category)] = &[
    ("CREATE_IN_PROGRESS", InProgress),
    ("CREATE_COMPLETE", Complete),
    ("CREATE_FAILED", Failed),
    ("ROLLBACK_IN_PROGRESS", Failed),
    ("ROLLBACK_COMPLETE", Failed),
    ("ROLLBACK_FAILED", Failed),
    ("DELETE_IN_PROGRESS", InProgress),
    ("DELETE_COMPLETE", Cancelled),
    ("DELETE_FAILED", Failed),
    ("DELETE_SKIPPED", Cancelled),
    ("UPDATE_IN_PROGRESS", InProgress),
    ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", InProgress),
    ("UPDATE_COMPLETE", Complete),
    ("UPDATE_FAILED", Failed),
    ("UPDATE_ROLLBACK_IN_PROGRESS", InProgress),
    ("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", InProgress),
    ("UPDATE_ROLLBACK_COMPLETE", Complete),
    ("UPDATE_ROLLBACK_FAILED", Failed),
    ("REVIEW_IN_PROGRESS", Pending),
    ("IMPORT_IN_PROGRESS", InProgress),
    ("IMPORT_COMPLETE", Complete),
    ("IMPORT_FAILED", Failed),
    ("IMPORT_ROLLBACK_IN_PROGRESS", InProgress),
    ("IMPORT_ROLLBACK_COMPLETE", Complete),
    ("IMPORT_ROLLBACK_FAILED", Failed),
    ("EXPORT_IN_PROGRESS", InProgress),
    ("EXPORT_COMPLETE", Complete),
    ("EXPORT_FAILED", Failed),
    ("EXPORT_ROLLBACK_IN_PROGRESS", InProgress),
    ("EXPORT_ROLLBACK_COMPLETE", Complete),
    ("EXPORT_ROLLBACK_FAILED", Failed),
];

/// SageMaker `EndpointStatus`: RollingBack is an update going back, still in progress.
pub const ENDPOINT: &[(&str, Category)] = &[
    ("Creating", InProgress),
    ("Updating", InProgress),
    ("SystemUpdating", InProgress),
    ("RollingBack", InProgress),
    ("InService", Complete),
    ("OutOfService", Cancelled),
    ("Deleting", InProgress),
    ("Failed", Failed),
    ("UpdateRollbackFailed", Failed),
];

/// SageMaker `NotebookInstanceStatus`: Pending is a notebook starting, Stopping one stopping.
pub const NOTEBOOK: &[(&str, Category)] = &[
    ("Pending", InProgress),
    ("InService", Complete),
    ("Stopping", InProgress),
    ("Stopped", Cancelled),
    ("Failed", Failed),
    ("Deleting", InProgress),
    ("Updating", InProgress),
];

/// Service Catalog `ProvisionedProductStatus`: TAINTED is stable (rolled back to the current
/// version), so complete with a warning mark.
pub const PROVISIONED_PRODUCT: &[(&str, Category)] = &[
    ("AVAILABLE", Complete),
    ("UNDER_CHANGE", InProgress),
    ("TAINTED", Complete),
    ("ERROR", Failed),
    ("PLAN_IN_PROGRESS", InProgress),
];

/// Service Catalog `RecordStatus`: IN_PROGRESS_IN_ERROR is still moving, with an error to show.
pub const RECORD: &[(&str, Category)] = &[
    ("CREATED", InProgress),
    ("IN_PROGRESS", InProgress),
    ("IN_PROGRESS_IN_ERROR", InProgress),
    ("SUCCEEDED", Complete),
    ("FAILED", Failed),
];

/// CodePipeline `PipelineExecutionStatus`, `StageExecutionStatus` and `ActionExecutionStatus`.
pub const PIPELINE: &[(&str, Category)] = &[
    ("InProgress", InProgress),
    ("Stopping", InProgress),
    ("Succeeded", Complete),
    ("Failed", Failed),
    ("Stopped", Cancelled),
    ("Cancelled", Cancelled),
    ("Superseded", Cancelled),
    ("Abandoned", Cancelled),
    ("Skipped", Cancelled),
];

/// Every service's table, for lookups and for checks that they agree.
pub const TABLES: [(&str, &[(&str, Category)]); 6] = [
    ("CloudFormation", CLOUDFORMATION),
    ("SageMaker endpoint", ENDPOINT),
    ("SageMaker notebook", NOTEBOOK),
    ("Service Catalog product", PROVISIONED_PRODUCT),
    ("Service Catalog record", RECORD),
    ("CodePipeline", PIPELINE),
];

impl Category {
    /// Classify a status from any of the lab's services (CloudFormation, Service Catalog,
    /// CodePipeline, SageMaker). A value no table lists reads as pending.
    pub fn of(status: &str) -> Category {
        Category::explicit(status).unwrap_or(Pending)
    }

    /// The category a service's own table gives `status` (case aside), or `None` for a value
    /// none of them lists. The empty status (nothing known yet) is pending.
    pub fn explicit(status: &str) -> Option<Category> {
        if status.is_empty() {
            return Some(Pending);
        }
        TABLES
            .iter()
            .flat_map(|(_, table)| table.iter())
            .find(|(s, _)| s.eq_ignore_ascii_case(status))
            .map(|(_, c)| *c)
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

/// The one-cell mark of a working resource that went back or carries an error.
pub const WARNING_MARK: &str = "⚠";

/// The one-cell mark of a manual approval waiting for a reviewer.
pub const APPROVAL_MARK: &str = "◆";

/// How a waiting manual approval reads, in the pipeline strip, the fleet and the lab's hint.
pub const APPROVAL_WORD: &str = "waiting for approval";

/// What a warned status means, when it deserves a warning mark: a stack that rolled an update or
/// import back, a tainted product, an endpoint rolling back, a launch going on in error.
pub fn warning(status: &str) -> Option<&'static str> {
    const WARNED: [(&str, &str); 8] = [
        ("UPDATE_ROLLBACK_COMPLETE", "the update was rolled back"),
        (
            "UPDATE_ROLLBACK_IN_PROGRESS",
            "the update is being rolled back",
        ),
        (
            "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            "the update was rolled back",
        ),
        ("IMPORT_ROLLBACK_COMPLETE", "the import was rolled back"),
        (
            "IMPORT_ROLLBACK_IN_PROGRESS",
            "the import is being rolled back",
        ),
        ("TAINTED", "rolled back to the current version"),
        ("RollingBack", "the update is being rolled back"),
        ("IN_PROGRESS_IN_ERROR", "in progress with an error"),
    ];
    WARNED
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(status))
        .map(|(_, why)| *why)
}

/// The warning mark for `status`, when it has one.
pub fn warning_mark(status: &str) -> Option<&'static str> {
    warning(status).map(|_| WARNING_MARK)
}

/// True for a stack that went back to its last good template after a failed update or import:
/// a working stack, with nothing new to read in its events.
pub fn is_rolled_back(status: &str) -> bool {
    ["UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(status))
}

/// True while a manual approval waits: its action is in progress and holds a token. A token
/// left on an action that finished is stale, and nothing waits.
pub fn awaiting_approval(status: Option<&str>, token: Option<&str>) -> bool {
    token.is_some_and(|t| !t.is_empty())
        && status.is_some_and(|s| Category::explicit(s) == Some(InProgress))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("UPDATE_ROLLBACK_COMPLETE", Complete),
            ("IMPORT_ROLLBACK_COMPLETE", Complete),
            ("UPDATE_ROLLBACK_IN_PROGRESS", InProgress),
            ("UPDATE_ROLLBACK_FAILED", Failed),
            ("DELETE_FAILED", Failed),
            ("DELETE_COMPLETE", Cancelled),
            ("AVAILABLE", Complete),
            ("UNDER_CHANGE", InProgress),
            ("TAINTED", Complete),
            ("ERROR", Failed),
            ("IN_PROGRESS_IN_ERROR", InProgress),
            ("InProgress", InProgress),
            ("Succeeded", Complete),
            ("Failed", Failed),
            ("Abandoned", Cancelled),
            ("Stopped", Cancelled),
            ("Stopping", InProgress),
            ("Superseded", Cancelled),
            ("Creating", InProgress),
            ("InService", Complete),
            ("Updating", InProgress),
            ("RollingBack", InProgress),
            ("Deleting", InProgress),
            ("OutOfService", Cancelled),
            ("Pending", InProgress),
            ("", Pending),
        ];
        for (status, want) in cases {
            assert_eq!(Category::of(status), want, "{status}");
        }
    }

    #[test]
    fn unknown_values_are_told_apart_from_listed_ones() {
        assert_eq!(Category::explicit("SOMETHING_NEW"), None);
        assert_eq!(Category::of("SOMETHING_NEW"), Pending);
        assert_eq!(Category::explicit("inservice"), Some(Complete));
    }

    #[test]
    fn tables_that_share_a_value_agree_on_it() {
        let all: Vec<_> = TABLES.iter().flat_map(|(_, t)| t.iter()).collect();
        for (s, c) in &all {
            for (s2, c2) in &all {
                if s.eq_ignore_ascii_case(s2) {
                    assert_eq!(c, c2, "{s} and {s2}");
                }
            }
        }
    }

    #[test]
    fn rolled_back_and_tainted_are_working_with_a_warning() {
        for s in ["UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"] {
            assert!(is_rolled_back(s), "{s}");
            assert_eq!(warning_mark(s), Some(WARNING_MARK), "{s}");
        }
        assert_eq!(warning_mark("TAINTED"), Some(WARNING_MARK));
        assert_eq!(warning_mark("IN_PROGRESS_IN_ERROR"), Some(WARNING_MARK));
        assert_eq!(warning_mark("RollingBack"), Some(WARNING_MARK));
        for s in [
            "ROLLBACK_COMPLETE",
            "UPDATE_COMPLETE",
            "AVAILABLE",
            "InService",
        ] {
            assert!(!is_rolled_back(s), "{s}");
            assert_eq!(warning_mark(s), None, "{s}");
        }
        assert_ne!(WARNING_MARK, APPROVAL_MARK);
        for mark in [WARNING_MARK, APPROVAL_MARK] {
            assert_eq!(
                ratatui::text::Span::raw(mark).width(),
                1,
                "{mark} is one cell"
            );
        }
        for c in [Complete, InProgress, Pending, Failed, Cancelled] {
            assert_ne!(c.symbol(), WARNING_MARK);
            assert_ne!(c.symbol(), APPROVAL_MARK);
        }
    }

    #[test]
    fn an_approval_waits_only_in_progress_with_a_token() {
        assert!(awaiting_approval(Some("InProgress"), Some("tok")));
        assert!(!awaiting_approval(Some("Succeeded"), Some("stale")));
        assert!(!awaiting_approval(Some("Failed"), Some("stale")));
        assert!(!awaiting_approval(Some("InProgress"), None));
        assert!(!awaiting_approval(None, Some("tok")));
        assert!(!awaiting_approval(Some("InProgress"), Some("")));
    }
}
