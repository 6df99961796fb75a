//! `crossdeck init`: the commented starter config written where asked, never over a file
//! without `--force`; with `--from-organization`, the labs of an AWS Organization's participants.

use std::path::Path;

use super::Failure;
use crate::cli::InitArgs;

/// The commented example config, as shipped.
pub const STARTER: &str = include_str!("../../config.example.toml");

/// Refuse to write over `path` unless `force`.
pub fn refuse_existing(path: &Path, force: bool) -> Result<(), Failure> {
    if path.exists() && !force {
        return Err(Failure {
            code: 1,
            message: format!(
                "{} already exists: not overwritten (pass --force to replace it, or --output PATH)",
                path.display()
            ),
        });
    }
    Ok(())
}

/// Write `text` to `path`.
pub fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|e| Failure {
        code: 1,
        message: format!("cannot write {}: {e}", path.display()),
    })
}

/// `crossdeck init` without `--from-organization`: the starter config and what to fill in.
pub fn starter(args: &InitArgs) -> Result<String, Failure> {
    refuse_existing(&args.output, args.force)?;
    write(&args.output, STARTER)?;
    let p = args.output.display();
    Ok(format!(
        "wrote {p}: a commented starter config.\n\
         Fill in each [[labs]] entry: the participant's name, the account_id of the tools, \
         datascience and stage accounts (production is optional) and how to reach each one \
         (a profile, or a role_arn with its source_profile); unique_id may be left out.\n\
         Or list a whole class in a CSV roster ([roster]), or build it from your AWS \
         Organization with `crossdeck init --from-organization --profile <management profile>`.\n\
         Then: `crossdeck --config {p} check`.\n"
    ))
}
