//! The `[keys]` table: action names to keys, each checked with file:line:col.

use std::collections::BTreeMap;
use std::path::Path;

use toml::Spanned;

use super::ConfigError;
use crate::app::keymap::{Key, KeyAction};
use crate::app::remap::{self, KeyMap};

/// The overrides `[keys]` asks for, in the order written: an action and its keys (a string or
/// a list of strings; an empty list unbinds the action).
pub(super) fn overrides(
    path: &Path,
    text: &str,
    raw: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
) -> Result<Vec<(KeyAction, Vec<Key>)>, ConfigError> {
    let err = |span, msg: String| ConfigError::at(path, text, Some(span), msg);
    let mut out: Vec<(KeyAction, Vec<Key>, String)> = Vec::new();
    let mut entries: Vec<_> = raw.unwrap_or_default().into_iter().collect();
    entries.sort_by_key(|(name, _)| name.span().start);
    for (name, value) in entries {
        let Some(action) = remap::action(name.get_ref()) else {
            let names: Vec<&str> = remap::ACTIONS.iter().map(|(n, _)| *n).collect();
            return Err(err(
                name.span(),
                format!(
                    "unknown action '{}' in [keys]; the actions are {}",
                    name.get_ref(),
                    names.join(", ")
                ),
            ));
        };
        let texts: Vec<(String, std::ops::Range<usize>)> = match value.get_ref() {
            toml::Value::String(s) => vec![(s.clone(), value.span())],
            toml::Value::Array(items) => {
                let mut texts = Vec::new();
                for item in items {
                    match item {
                        toml::Value::String(s) => texts.push((s.clone(), value.span())),
                        _ => {
                            return Err(err(
                                value.span(),
                                format!("the keys of {} must be strings", name.get_ref()),
                            ));
                        }
                    }
                }
                texts
            }
            other => {
                return Err(err(
                    value.span(),
                    format!(
                        "the keys of {} must be a string or a list of strings, not a {}",
                        name.get_ref(),
                        other.type_str()
                    ),
                ));
            }
        };
        let mut keys = Vec::new();
        for (t, span) in texts {
            keys.push(remap::parse_key(&t).map_err(|m| err(span, m))?);
        }
        // One key for two remapped actions on the same screen is a mistake to point at.
        let modes = KeyMap::modes_of(action);
        for (other, other_keys, other_name) in &out {
            let shared = KeyMap::modes_of(*other).iter().any(|m| modes.contains(m));
            if let Some(k) = keys.iter().find(|k| shared && other_keys.contains(k)) {
                return Err(err(
                    value.span(),
                    format!(
                        "key {} is given to both {other_name} and {} in [keys]",
                        k.label(),
                        name.get_ref()
                    ),
                ));
            }
        }
        out.push((action, keys, name.get_ref().clone()));
    }
    Ok(out.into_iter().map(|(a, k, _)| (a, k)).collect())
}
