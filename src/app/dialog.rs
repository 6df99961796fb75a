//! The dialogs that carry an action: confirm, a line of text (comment, reason), the launch form.

use crate::backend::{AccountKey, Action, LaunchOptions, LaunchRequest};

/// "Do this?" with every detail of what will be sent, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub key: AccountKey,
    pub action: Action,
    pub title: String,
    pub lines: Vec<String>,
}

/// What a typed line is for; Enter turns it into a [`Confirm`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputPurpose {
    /// The comment sent with an approval or a rejection.
    Approval {
        key: AccountKey,
        pipeline: String,
        stage: String,
        action: String,
        token: String,
        approve: bool,
    },
    /// The reason a transition is disabled (required).
    DisableReason {
        key: AccountKey,
        pipeline: String,
        stage: String,
    },
}

/// A one-line text field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub purpose: InputPurpose,
    pub prompt: String,
    pub text: String,
}

/// Longest text a field takes (DisableStageTransition allows 300 characters).
pub const MAX_INPUT: usize = 300;

impl Input {
    /// The confirm dialog the text leads to, or why it cannot yet.
    pub fn confirm(&self) -> Result<Confirm, String> {
        match &self.purpose {
            InputPurpose::Approval {
                key,
                pipeline,
                stage,
                action,
                token,
                approve,
            } => {
                let verb = if *approve { "Approve" } else { "Reject" };
                let comment = self.text.trim().to_string();
                Ok(Confirm {
                    key: *key,
                    title: format!("{verb} {stage} / {action}?"),
                    lines: vec![
                        format!("pipeline  {pipeline}"),
                        format!(
                            "comment   {}",
                            if comment.is_empty() {
                                "(none)"
                            } else {
                                &comment
                            }
                        ),
                        "sends     codepipeline:PutApprovalResult".into(),
                    ],
                    action: Action::ApproveAction {
                        pipeline: pipeline.clone(),
                        stage: stage.clone(),
                        action: action.clone(),
                        token: token.clone(),
                        approve: *approve,
                        comment,
                    },
                })
            }
            InputPurpose::DisableReason {
                key,
                pipeline,
                stage,
            } => {
                let reason = self.text.trim().to_string();
                if reason.is_empty() {
                    return Err(
                        "type the reason people will read on the disabled transition".into(),
                    );
                }
                Ok(Confirm {
                    key: *key,
                    title: format!("Disable the transition into {stage}?"),
                    lines: vec![
                        format!("pipeline  {pipeline}"),
                        format!("reason    {reason}"),
                        "sends     codepipeline:DisableStageTransition (inbound)".into(),
                    ],
                    action: Action::DisableTransition {
                        pipeline: pipeline.clone(),
                        stage: stage.clone(),
                        reason,
                    },
                })
            }
        }
    }
}

/// The launch form, built from the product's own parameters and TagOptions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchForm {
    pub key: AccountKey,
    pub options: LaunchOptions,
    /// The provisioned product's name (editable).
    pub name: String,
    /// Chosen value per parameter: an index into `allowed` (free text when none are allowed).
    pub choices: Vec<usize>,
    /// Chosen value per TagOption key.
    pub tags: Vec<usize>,
    /// The field with the cursor: 0 the name, then parameters, then tags.
    pub field: usize,
}

impl LaunchForm {
    /// Defaults preselected, the name proposed.
    pub fn new(key: AccountKey, options: LaunchOptions, proposed_name: String) -> Self {
        let choices = options
            .parameters
            .iter()
            .map(|p| {
                p.default
                    .as_ref()
                    .and_then(|d| p.allowed.iter().position(|a| a == d))
                    .unwrap_or(0)
            })
            .collect();
        let tags = vec![0; options.tag_options.len()];
        LaunchForm {
            key,
            options,
            name: proposed_name,
            choices,
            tags,
            field: 0,
        }
    }

    pub fn fields(&self) -> usize {
        1 + self.options.parameters.len() + self.options.tag_options.len()
    }

    /// Move the chosen value of the field under the cursor by `step`.
    pub fn pick(&mut self, step: isize) {
        let params = self.options.parameters.len();
        let (slot, count) = match self.field {
            0 => return,
            f if f <= params => (
                &mut self.choices[f - 1],
                self.options.parameters[f - 1].allowed.len(),
            ),
            f => {
                let t = f - 1 - params;
                match (self.tags.get_mut(t), self.options.tag_options.get(t)) {
                    (Some(slot), Some((_, values))) => (slot, values.len()),
                    _ => return,
                }
            }
        };
        if count > 0 {
            *slot = (*slot as isize + step).rem_euclid(count as isize) as usize;
        }
    }

    /// The rows the form shows: (label, value).
    pub fn rows(&self) -> Vec<(String, String)> {
        let mut rows = vec![("Name".to_string(), self.name.clone())];
        for (p, i) in self.options.parameters.iter().zip(&self.choices) {
            let v = p
                .allowed
                .get(*i)
                .or(p.default.as_ref())
                .cloned()
                .unwrap_or_default();
            rows.push((p.key.clone(), v));
        }
        for ((k, values), i) in self.options.tag_options.iter().zip(&self.tags) {
            rows.push((
                format!("tag {k}"),
                values.get(*i).cloned().unwrap_or_default(),
            ));
        }
        rows
    }

    /// The confirm dialog for the launch, or why the form is not ready.
    pub fn confirm(&self) -> Result<Confirm, String> {
        let name = self.name.trim();
        let ok = !name.is_empty()
            && name.len() <= 128
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !ok {
            return Err("the name must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit".into());
        }
        let rows = self.rows();
        let params: Vec<(String, String)> = rows[1..=self.options.parameters.len()].to_vec();
        let tags: Vec<(String, String)> = self
            .options
            .tag_options
            .iter()
            .zip(&rows[1 + self.options.parameters.len()..])
            .map(|((k, _), (_, v))| (k.clone(), v.clone()))
            .collect();
        let o = &self.options;
        let mut lines = vec![
            format!(
                "product   {} ({}, {})",
                o.product_name, o.product_id, o.artifact_name
            ),
            format!("path      {}", o.path_name),
        ];
        lines.extend(params.iter().map(|(k, v)| format!("{k:<9} {v}")));
        lines.extend(tags.iter().map(|(k, v)| format!("tag       {k} = {v}")));
        lines.push("sends     servicecatalog:ProvisionProduct".into());
        Ok(Confirm {
            key: self.key,
            title: format!("Launch {} as {name}?", o.product_name),
            lines,
            action: Action::LaunchProduct(LaunchRequest {
                product_id: o.product_id.clone(),
                product_name: o.product_name.clone(),
                artifact_id: o.artifact_id.clone(),
                path_id: o.path_id.clone(),
                name: name.to_string(),
                parameters: params,
                tags,
            }),
        })
    }
}
