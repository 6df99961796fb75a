//! Remapped keys (the config's `[keys]` table): the action and key names, and the key table the
//! overrides make from the default one, which dispatch, the footer and `?` then read.

use std::sync::{Arc, LazyLock};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::keymap::{BINDINGS, Key, KeyAction, Mode};

/// The actions a `[keys]` entry can rebind, by name. Keys in text fields and dialogs (Enter,
/// Esc, Backspace there, the launch form's arrows) are not remappable.
pub const ACTIONS: &[(&str, KeyAction)] = &[
    ("quit", KeyAction::Quit),
    ("back", KeyAction::Back),
    ("help", KeyAction::Help),
    ("next_pane", KeyAction::NextPane),
    ("prev_pane", KeyAction::PrevPane),
    ("up", KeyAction::Up),
    ("down", KeyAction::Down),
    ("page_up", KeyAction::PageUp),
    ("page_down", KeyAction::PageDown),
    ("top", KeyAction::Top),
    ("bottom", KeyAction::Bottom),
    ("open", KeyAction::Open),
    ("next_lab", KeyAction::NextLab),
    ("prev_lab", KeyAction::PrevLab),
    ("picker", KeyAction::Picker),
    ("refresh", KeyAction::Refresh),
    ("approve", KeyAction::Approve),
    ("reject", KeyAction::Reject),
    ("enable_transition", KeyAction::EnableTransition),
    ("disable_transition", KeyAction::DisableTransition),
    ("retry", KeyAction::Retry),
    ("release", KeyAction::Release),
    ("launch", KeyAction::Launch),
    ("notebook_power", KeyAction::NotebookPower),
    ("open_url", KeyAction::OpenUrl),
    ("copy", KeyAction::Copy),
    ("copy_menu", KeyAction::CopyMenu),
    ("console", KeyAction::Console),
    ("smoke_test", KeyAction::SmokeTest),
    ("cleanup", KeyAction::Cleanup),
    ("costs", KeyAction::Costs),
    ("timeline", KeyAction::Timeline),
    ("mark", KeyAction::Mark),
    ("sort", KeyAction::SortCycle),
    ("filter", KeyAction::Filter),
    ("command_line", KeyAction::CommandLine),
    ("bulk_cleanup", KeyAction::BulkCleanup),
    ("bulk_approve", KeyAction::BulkApprove),
];

/// Screens where typed letters are text, whose bindings no override touches.
const TEXT_MODES: &[Mode] = &[
    Mode::FleetFilter,
    Mode::FleetCommand,
    Mode::Bulk,
    Mode::Confirm,
    Mode::Input,
    Mode::Launch,
    Mode::Cleanup,
    Mode::TimelineFilter,
];

/// The action named `name` in a `[keys]` table.
pub fn action(name: &str) -> Option<KeyAction> {
    ACTIONS.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
}

/// The names of the keys that are not one character.
const NAMED: &[(&str, KeyCode)] = &[
    ("space", KeyCode::Char(' ')),
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("shift-tab", KeyCode::BackTab),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
];

/// A key as the config writes it: one character (`A`, `?`, `$`), `ctrl-<letter>`, or a name
/// (`space`, `enter`, `esc`, `tab`, `shift-tab`, `up`, `down`, `left`, `right`, `pgup`, `pgdn`,
/// `home`, `end`).
pub fn parse_key(text: &str) -> Result<Key, String> {
    let one = |s: &str| {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    if let Some(c) = one(text) {
        return Ok(Key {
            code: KeyCode::Char(c),
            ctrl: false,
        });
    }
    let lower = text.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("ctrl-")
        && let Some(c) = one(rest).filter(char::is_ascii_alphanumeric)
    {
        return Ok(Key {
            code: KeyCode::Char(c),
            ctrl: true,
        });
    }
    if let Some((_, code)) = NAMED.iter().find(|(n, _)| *n == lower) {
        return Ok(Key {
            code: *code,
            ctrl: false,
        });
    }
    Err(format!(
        "'{text}' is not a key: give one character (like \"A\" or \"?\"), ctrl-<letter>, or one \
         of {}",
        NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    ))
}

/// One row of a key table.
#[derive(Clone, Debug)]
struct Row {
    modes: &'static [Mode],
    keys: Vec<Key>,
    action: KeyAction,
    help: &'static str,
    footer: Option<&'static str>,
}

/// The key table in use: the default one with the config's overrides applied.
#[derive(Clone, Debug)]
pub struct KeyMap {
    rows: Vec<Row>,
}

static STANDARD: LazyLock<Arc<KeyMap>> = LazyLock::new(|| {
    Arc::new(KeyMap {
        rows: BINDINGS
            .iter()
            .map(|b| Row {
                modes: b.modes,
                keys: b.keys.to_vec(),
                action: b.action,
                help: b.help,
                footer: b.footer,
            })
            .collect(),
    })
});

impl KeyMap {
    /// The default table, shared.
    pub fn standard() -> Arc<KeyMap> {
        STANDARD.clone()
    }

    /// The default table with `overrides`: each action's keys replace its default keys wherever
    /// it is bound outside text fields, and those keys stop doing anything else on the same
    /// screens.
    pub fn with_overrides(overrides: &[(KeyAction, Vec<Key>)]) -> KeyMap {
        let mut map = (*STANDARD.clone()).clone();
        let outside_text = |r: &Row| !r.modes.iter().any(|m| TEXT_MODES.contains(m));
        for (action, keys) in overrides {
            let modes: Vec<Mode> = map
                .rows
                .iter()
                .filter(|r| r.action == *action && outside_text(r))
                .flat_map(|r| r.modes.iter().copied())
                .collect();
            for row in map.rows.iter_mut().filter(|r| outside_text(r)) {
                if row.action == *action {
                    row.keys = keys.clone();
                } else if row.modes.iter().any(|m| modes.contains(m)) {
                    row.keys.retain(|k| !keys.contains(k));
                }
            }
        }
        map
    }

    /// The modes where `action` has a key outside text fields.
    pub fn modes_of(action: KeyAction) -> Vec<Mode> {
        STANDARD
            .rows
            .iter()
            .filter(|r| r.action == action && !r.modes.iter().any(|m| TEXT_MODES.contains(m)))
            .flat_map(|r| r.modes.iter().copied())
            .collect()
    }

    /// The action bound to a key press in a mode, if any. Key releases are ignored.
    pub fn lookup(&self, mode: Mode, ev: &KeyEvent) -> Option<KeyAction> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        self.rows
            .iter()
            .filter(|r| r.modes.contains(&mode))
            .find(|r| r.keys.iter().any(|k| k.matches(ev)))
            .map(|r| r.action)
    }

    /// Rows for the help overlay: (keys, what they do), for one mode; unbound actions are left
    /// out.
    pub fn help_rows(&self, mode: Mode) -> Vec<(String, &'static str)> {
        self.rows
            .iter()
            .filter(|r| r.modes.contains(&mode) && !r.keys.is_empty())
            .map(|r| {
                let keys: Vec<String> = r.keys.iter().map(Key::label).collect();
                (keys.join(" "), r.help)
            })
            .collect()
    }

    /// Hints for the footer: (first key, short label), for one mode.
    pub fn footer_hints(&self, mode: Mode) -> Vec<(String, &'static str)> {
        self.rows
            .iter()
            .filter(|r| r.modes.contains(&mode))
            .filter_map(|r| Some((r.keys.first()?.label(), r.footer?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyModifiers;

    use super::*;

    fn press(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn keys_parse_from_their_names() {
        assert_eq!(parse_key("A").map(|k| k.label()), Ok("A".into()));
        assert_eq!(parse_key("ctrl-q").map(|k| k.label()), Ok("C-q".into()));
        assert_eq!(parse_key("Ctrl-Q").map(|k| k.label()), Ok("C-q".into()));
        assert_eq!(parse_key("space").map(|k| k.label()), Ok("Space".into()));
        assert_eq!(parse_key("PgDn").map(|k| k.label()), Ok("PgDn".into()));
        for bad in ["", "ctrl-", "ctrl-!", "hyper-a", "F13", "ab"] {
            assert!(parse_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_action_name_is_bound_somewhere_outside_text_fields() {
        for (name, a) in ACTIONS {
            assert!(!KeyMap::modes_of(*a).is_empty(), "{name}");
            assert_eq!(action(name), Some(*a));
        }
        assert_eq!(
            action("confirm"),
            None,
            "a dialog's Enter is not remappable"
        );
    }

    #[test]
    fn an_override_rebinds_the_action_and_frees_its_keys() {
        let map = KeyMap::with_overrides(&[
            (KeyAction::Approve, vec![parse_key("A").expect("key")]),
            (KeyAction::Down, vec![parse_key("J").expect("key")]),
        ]);
        assert_eq!(map.lookup(Mode::Lab, &press('A')), Some(KeyAction::Approve));
        assert_eq!(
            map.lookup(Mode::Lab, &press('a')),
            None,
            "the old key is free"
        );
        assert_eq!(map.lookup(Mode::Lab, &press('J')), Some(KeyAction::Down));
        assert_eq!(map.lookup(Mode::Fleet, &press('J')), Some(KeyAction::Down));
        // In the fleet, A stays the bulk approval: approve has no key there.
        assert_eq!(
            map.lookup(Mode::Fleet, &press('A')),
            Some(KeyAction::BulkApprove)
        );
        let help = map.help_rows(Mode::Lab);
        assert!(
            help.iter()
                .any(|(k, w)| k == "A" && w.starts_with("approve"))
        );
        assert!(
            help.iter()
                .any(|(k, w)| k == "J" && w.starts_with("next row"))
        );
        let footer = map.footer_hints(Mode::Lab);
        assert!(footer.contains(&("J".to_string(), "move")), "{footer:?}");
        // The default table is untouched.
        let standard = KeyMap::standard();
        assert_eq!(
            standard.lookup(Mode::Lab, &press('a')),
            Some(KeyAction::Approve)
        );
    }

    #[test]
    fn quit_on_q_and_ctrl_q_quits_everywhere_but_text_fields() {
        let map = KeyMap::with_overrides(&[(
            KeyAction::Quit,
            vec![
                parse_key("q").expect("key"),
                parse_key("ctrl-q").expect("key"),
            ],
        )]);
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for mode in [Mode::Fleet, Mode::Lab, Mode::Detail, Mode::Help] {
            assert_eq!(map.lookup(mode, &ctrl_q), Some(KeyAction::Quit), "{mode:?}");
            assert_eq!(
                map.lookup(mode, &press('q')),
                Some(KeyAction::Quit),
                "{mode:?}"
            );
            assert_eq!(map.lookup(mode, &ctrl_c), None, "{mode:?}");
        }
        // In a text field q is a letter and C-c still quits.
        assert_eq!(map.lookup(Mode::Input, &press('q')), None);
        assert_eq!(map.lookup(Mode::Input, &ctrl_c), Some(KeyAction::Quit));
    }
}
