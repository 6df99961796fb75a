//! The class roster: a CSV of labs (name, optional unique_id and account ids), each reached by
//! one role.

use std::path::Path;

use super::{
    AccountConfig, ConfigError, CredentialSource, LabConfig, check_account_id, check_unique_id,
};
use crate::lab::{PerRole, Role};

const REQUIRED: [&str; 5] = ["name", "unique_id", "tools", "datascience", "stage"];

/// Parse a roster. Columns: `name,unique_id,tools,datascience,stage` and optionally `production`
/// (the `unique_id` column may be left out, or a cell left empty: the pipeline stack then has
/// it); blank lines and lines starting with `#` are skipped. Each lab comes with its line number.
pub fn parse(
    path: &Path,
    text: &str,
    role_name: &str,
    source_profile: Option<&str>,
) -> Result<Vec<(LabConfig, usize)>, ConfigError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let Some((hline, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let mut columns: Vec<&str> = header.split(',').map(str::trim).collect();
    // Without a unique_id column: as if every cell of it were empty.
    let uid_column = columns.get(1) == Some(&"unique_id");
    if !uid_column {
        columns.insert(1, "unique_id");
    }
    let expected_extra = columns.len() == 6 && columns[5] == "production";
    if columns.len() < 5 || columns[..5] != REQUIRED || (columns.len() > 5 && !expected_extra) {
        return Err(ConfigError::at_line(
            path,
            hline,
            1,
            format!(
                "the header must be `{}` (optionally `,production`; unique_id may be left out), found `{header}`",
                REQUIRED.join(",")
            ),
        ));
    }
    let mut labs = Vec::new();
    for (line, row) in lines {
        let mut cells = cells(row);
        if !uid_column {
            let at = cells.get(1).map_or(1, |c| c.0);
            cells.insert(1, (at, ""));
        }
        if cells.len() != columns.len() {
            return Err(ConfigError::at_line(
                path,
                line,
                1,
                format!("expected {} columns, found {}", columns.len(), cells.len()),
            ));
        }
        let at = |i: usize, msg: String| ConfigError::at_line(path, line, cells[i].0, msg);
        let name = cells[0].1;
        if name.is_empty() {
            return Err(at(0, "a lab's name cannot be empty".into()));
        }
        let unique_id = Some(cells[1].1).filter(|u| !u.is_empty());
        if let Some(u) = unique_id {
            check_unique_id(u).map_err(|m| at(1, m))?;
        }
        let mut accounts = PerRole::default();
        for (i, role) in Role::ALL.into_iter().enumerate().take(columns.len() - 2) {
            let id = cells[i + 2].1;
            if role == Role::Production && id.is_empty() {
                continue;
            }
            check_account_id(id).map_err(|m| at(i + 2, m))?;
            accounts[role] = Some(AccountConfig {
                account_id: id.to_string(),
                credentials: CredentialSource::AssumeRole {
                    role_arn: format!("arn:aws:iam::{id}:role/{role_name}"),
                    source_profile: source_profile.map(str::to_string),
                    external_id: None,
                    session_name: None,
                },
                region: None,
                endpoint_url: None,
                cleanup_role: None,
            });
        }
        let lab = LabConfig {
            name: name.to_string(),
            unique_id: unique_id.map(str::to_string),
            accounts,
        };
        labs.push((lab, line));
    }
    Ok(labs)
}

/// The cells of a row with the 1-based column where each starts, trimmed.
fn cells(row: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in row.split(',') {
        let lead = part.len() - part.trim_start().len();
        out.push((row[..start + lead].chars().count() + 1, part.trim()));
        start += part.len() + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_labs_with_assumed_roles() {
        let text = "name,unique_id,tools,datascience,stage\n\
                    # comment\n\
                    alice, ali ,111111111111,222222222222,333333333333\n";
        let labs = parse(Path::new("c.csv"), text, "Admin", Some("inst")).expect("valid");
        assert_eq!(labs.len(), 1);
        let (lab, line) = &labs[0];
        assert_eq!(*line, 3);
        assert_eq!(lab.unique_id.as_deref(), Some("ali"));
        let ds = lab.accounts[Role::DataScience].as_ref().expect("ds");
        assert_eq!(
            ds.credentials,
            CredentialSource::AssumeRole {
                role_arn: "arn:aws:iam::222222222222:role/Admin".into(),
                source_profile: Some("inst".into()),
                external_id: None,
                session_name: None,
            }
        );
        assert!(lab.accounts[Role::Production].is_none());
    }

    #[test]
    fn the_unique_id_may_be_empty_or_its_column_absent() {
        let text = "name,unique_id,tools,datascience,stage\n\
                    alice,,111111111111,222222222222,333333333333\n";
        let labs = parse(Path::new("c.csv"), text, "Admin", None).expect("valid");
        assert_eq!(labs[0].0.unique_id, None);
        let text = "name,tools,datascience,stage,production\n\
                    bob,111111111111,222222222222,333333333333,444444444444\n";
        let labs = parse(Path::new("c.csv"), text, "Admin", None).expect("valid");
        let lab = &labs[0].0;
        assert_eq!(lab.unique_id, None);
        assert_eq!(
            lab.accounts[Role::Production]
                .as_ref()
                .map(|a| a.account_id.as_str()),
            Some("444444444444")
        );
        let text = "name,tools,datascience,stage\nbob,111111111111,2222,333333333333\n";
        let e = parse(Path::new("c.csv"), text, "R", None).expect_err("bad id");
        assert_eq!(e.at, Some((2, 18)));
    }

    #[test]
    fn a_bad_cell_is_located() {
        let text =
            "name,unique_id,tools,datascience,stage\nbob,bob,111111111111,22222,333333333333\n";
        let e = parse(Path::new("c.csv"), text, "R", None).expect_err("bad id");
        assert_eq!(e.at, Some((2, 22)));
        assert!(
            e.to_string().starts_with("c.csv:2:22: account_id '22222'"),
            "{e}"
        );
    }
}
