//! The one key table: (mode, key) -> action. Dispatch, the footer hints and the `?` help all read it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::remap::KeyMap;

/// Which screen has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The class on one screen: a row per lab (the first screen when several labs are set up).
    Fleet,
    /// Typing the fleet's row filter after `/`.
    FleetFilter,
    /// Typing a `:` command in the fleet.
    FleetCommand,
    /// A bulk action over several labs: its confirmation, then its progress table.
    Bulk,
    Lab,
    Detail,
    Help,
    Picker,
    Confirm,
    Input,
    Launch,
    Cleanup,
    /// Picking a value of the selected resource to copy (`Y`).
    CopyMenu,
    /// The lab's event timeline (`T`).
    Timeline,
    /// Typing the timeline's filter after `/`.
    TimelineFilter,
    /// The lab's billable resources and their estimated cost.
    Costs,
}

impl Mode {
    pub fn title(self) -> &'static str {
        match self {
            Mode::Fleet => "Fleet view",
            Mode::FleetFilter => "Fleet filter",
            Mode::FleetCommand => "Fleet command line",
            Mode::Bulk => "Bulk action",
            Mode::Lab => "Lab view",
            Mode::Detail => "Detail",
            Mode::Help => "Help",
            Mode::Picker => "Lab picker",
            Mode::Confirm => "Confirm",
            Mode::Input => "Text input",
            Mode::Launch => "Launch form",
            Mode::Cleanup => "Cleanup plan",
            Mode::CopyMenu => "Copy menu",
            Mode::Timeline => "Event timeline",
            Mode::TimelineFilter => "Timeline filter",
            Mode::Costs => "Cost list",
        }
    }
}

/// What a key asks for; the reducer gives it meaning in the current mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
    Quit,
    Back,
    Help,
    NextPane,
    PrevPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    NextLab,
    PrevLab,
    Picker,
    Refresh,
    Approve,
    Reject,
    EnableTransition,
    DisableTransition,
    Retry,
    Release,
    Launch,
    NotebookPower,
    OpenUrl,
    Copy,
    Confirm,
    Erase,
    PickPrev,
    PickNext,
    Cleanup,
    Mark,
    SortCycle,
    Filter,
    CommandLine,
    BulkCleanup,
    BulkApprove,
    Console,
    CopyMenu,
    Timeline,
    SmokeTest,
    Costs,
}

/// A key as written in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// One row of the table.
pub struct Binding {
    pub modes: &'static [Mode],
    pub keys: &'static [Key],
    pub action: KeyAction,
    /// The help text.
    pub help: &'static str,
    /// A short footer label; `None` keeps it out of the footer.
    pub footer: Option<&'static str>,
}

use Mode::*;

/// The screens where letters are keys (in the dialogs they are text).
const ALL: &[Mode] = &[Fleet, Lab, Detail, Help, Picker, CopyMenu, Timeline, Costs];
const DIALOGS: &[Mode] = &[
    TimelineFilter,
    Confirm,
    Input,
    Launch,
    Cleanup,
    FleetFilter,
    FleetCommand,
    Bulk,
];

/// The key table. Earlier rows win when a key appears twice for a mode.
pub const BINDINGS: &[Binding] = &[
    Binding {
        modes: ALL,
        keys: &[ctrl('c')],
        action: KeyAction::Quit,
        help: "quit crossdeck from anywhere",
        footer: None,
    },
    Binding {
        modes: &[Fleet, Lab],
        keys: &[ch('?')],
        action: KeyAction::Help,
        help: "show this help",
        footer: Some("help"),
    },
    Binding {
        modes: &[Detail, Picker, Costs],
        keys: &[ch('?')],
        action: KeyAction::Help,
        help: "show this help",
        footer: Some("help"),
    },
    Binding {
        modes: &[Help],
        keys: &[ch('?'), ch('q'), code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "close the help",
        footer: Some("close"),
    },
    Binding {
        modes: &[Fleet],
        keys: &[code(KeyCode::Enter)],
        action: KeyAction::Open,
        help: "open the selected lab's view (Esc there comes back here)",
        footer: Some("open"),
    },
    Binding {
        modes: &[Fleet],
        keys: &[ch(' ')],
        action: KeyAction::Mark,
        help: "mark or unmark the selected lab for a bulk action",
        footer: Some("mark"),
    },
    Binding {
        modes: &[Fleet],
        keys: &[ch('o')],
        action: KeyAction::SortCycle,
        help: "sort by step, blocked first, name, last change, cost per hour (cycles)",
        footer: Some("sort"),
    },
    Binding {
        modes: &[Fleet],
        keys: &[ch('/')],
        action: KeyAction::Filter,
        help: "filter the rows by name or any text in the row (Enter keeps it, Esc clears it)",
        footer: Some("filter"),
    },
    Binding {
        modes: &[Fleet],
        keys: &[ch(':')],
        action: KeyAction::CommandLine,
        help: "a command: :lab NAME, :sort step, blocked, name, change or cost, :filter TEXT, :q",
        footer: Some("cmd"),
    },
    Binding {
        modes: &[Fleet],
        keys: &[ch('C')],
        action: KeyAction::BulkCleanup,
        help: "clean up the marked labs (or the selected one): one plan to confirm by typing",
        footer: Some("clean"),
    },
    Binding {
        modes: &[Fleet],
        keys: &[ch('A')],
        action: KeyAction::BulkApprove,
        help: "approve the waiting approvals of the marked labs (or the selected one)",
        footer: Some("approve"),
    },
    Binding {
        modes: &[Fleet],
        keys: &[ch('r')],
        action: KeyAction::Refresh,
        help: "poll the marked labs' (or the selected lab's) accounts now",
        footer: None,
    },
    Binding {
        modes: &[Fleet],
        keys: &[code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "clear the filter and the marks",
        footer: None,
    },
    Binding {
        modes: &[Fleet],
        keys: &[ch('q')],
        action: KeyAction::Quit,
        help: "quit",
        footer: None,
    },
    Binding {
        modes: &[FleetFilter, FleetCommand],
        keys: &[code(KeyCode::Enter)],
        action: KeyAction::Confirm,
        help: "keep the filter / run the command",
        footer: Some("keep / run"),
    },
    Binding {
        modes: &[FleetFilter, FleetCommand],
        keys: &[code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "clear the filter / leave the command line",
        footer: Some("clear / leave"),
    },
    Binding {
        modes: &[FleetFilter, FleetCommand, Bulk],
        keys: &[code(KeyCode::Backspace)],
        action: KeyAction::Erase,
        help: "delete the last character",
        footer: None,
    },
    Binding {
        modes: &[Bulk],
        keys: &[code(KeyCode::Enter)],
        action: KeyAction::Confirm,
        help: "run it on every lab listed (the typed confirmation must match)",
        footer: Some("run"),
    },
    Binding {
        modes: &[Bulk],
        keys: &[code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "close (a run goes on; the same key shows it again)",
        footer: Some("close"),
    },
    Binding {
        modes: &[Bulk],
        keys: &[code(KeyCode::Down), code(KeyCode::PageDown)],
        action: KeyAction::Down,
        help: "scroll down",
        footer: None,
    },
    Binding {
        modes: &[Bulk],
        keys: &[code(KeyCode::Up), code(KeyCode::PageUp)],
        action: KeyAction::Up,
        help: "scroll up",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[code(KeyCode::Tab), ch('l'), code(KeyCode::Right)],
        action: KeyAction::NextPane,
        help: "focus the next pane (Tools, DataScience, Stage, pipeline)",
        footer: Some("pane"),
    },
    Binding {
        modes: &[Lab],
        keys: &[code(KeyCode::BackTab), ch('h'), code(KeyCode::Left)],
        action: KeyAction::PrevPane,
        help: "focus the previous pane",
        footer: None,
    },
    Binding {
        modes: ALL,
        keys: &[ch('j'), code(KeyCode::Down)],
        action: KeyAction::Down,
        help: "next row (scroll down)",
        footer: Some("move"),
    },
    Binding {
        modes: ALL,
        keys: &[ch('k'), code(KeyCode::Up)],
        action: KeyAction::Up,
        help: "previous row (scroll up)",
        footer: None,
    },
    Binding {
        modes: ALL,
        keys: &[code(KeyCode::PageDown), ctrl('d')],
        action: KeyAction::PageDown,
        help: "down a page",
        footer: None,
    },
    Binding {
        modes: ALL,
        keys: &[code(KeyCode::PageUp), ctrl('u')],
        action: KeyAction::PageUp,
        help: "up a page",
        footer: None,
    },
    Binding {
        modes: ALL,
        keys: &[ch('g'), code(KeyCode::Home)],
        action: KeyAction::Top,
        help: "first row",
        footer: None,
    },
    Binding {
        modes: ALL,
        keys: &[ch('G'), code(KeyCode::End)],
        action: KeyAction::Bottom,
        help: "last row",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[code(KeyCode::Enter)],
        action: KeyAction::Open,
        help: "open the selected row: stack events and outputs, resource details",
        footer: Some("open"),
    },
    Binding {
        modes: &[Picker],
        keys: &[code(KeyCode::Enter)],
        action: KeyAction::Open,
        help: "switch to the selected lab",
        footer: Some("choose"),
    },
    Binding {
        modes: &[Lab],
        keys: &[ch(']'), ch('n')],
        action: KeyAction::NextLab,
        help: "next participant's lab",
        footer: Some("lab"),
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('['), ch('N')],
        action: KeyAction::PrevLab,
        help: "previous participant's lab",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('p')],
        action: KeyAction::Picker,
        help: "pick a participant's lab from a list",
        footer: Some("labs"),
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('r')],
        action: KeyAction::Refresh,
        help: "poll this lab's accounts now",
        footer: Some("refresh"),
    },
    Binding {
        modes: &[Detail],
        keys: &[ch('r')],
        action: KeyAction::Refresh,
        help: "read the shown endpoint's metrics again and poll its account now",
        footer: None,
    },
    Binding {
        modes: &[Detail, Picker],
        keys: &[ch('q'), code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "back",
        footer: Some("back"),
    },
    Binding {
        modes: &[Lab],
        keys: &[code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "back to the fleet view (quit when only one lab is configured)",
        footer: Some("back"),
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('q')],
        action: KeyAction::Quit,
        help: "quit",
        footer: Some("quit"),
    },
    Binding {
        modes: DIALOGS,
        keys: &[ctrl('c')],
        action: KeyAction::Quit,
        help: "quit",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('a')],
        action: KeyAction::Approve,
        help: "approve the selected waiting approval (pipeline strip), with a comment",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('x')],
        action: KeyAction::Reject,
        help: "reject the selected waiting approval, with a comment",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('e')],
        action: KeyAction::EnableTransition,
        help: "promote: enable the disabled transition into the selected stage",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('d')],
        action: KeyAction::DisableTransition,
        help: "disable the transition into the selected stage, with a reason",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('R')],
        action: KeyAction::Retry,
        help: "retry the failed actions of the selected stage",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('P')],
        action: KeyAction::Release,
        help: "release a change: start the pipeline again",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('L')],
        action: KeyAction::Launch,
        help: "launch the notebook product in the DataScience account (a form)",
        footer: Some("launch"),
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('C')],
        action: KeyAction::Cleanup,
        help: "plan this lab's cleanup; it runs only once you type the lab's account ids",
        footer: Some("cleanup"),
    },
    Binding {
        modes: &[Fleet, Lab],
        keys: &[ch('$')],
        action: KeyAction::Costs,
        help: "list what bills by the hour in the lab's accounts (in the fleet: the selected lab's), with estimated costs",
        footer: Some("costs"),
    },
    Binding {
        modes: &[Costs],
        keys: &[ch('$'), ch('q'), code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "close the cost list",
        footer: Some("close"),
    },
    Binding {
        modes: &[Cleanup],
        keys: &[code(KeyCode::Enter)],
        action: KeyAction::Confirm,
        help: "run the plan (the typed account ids must be the lab's)",
        footer: Some("run"),
    },
    Binding {
        modes: &[Cleanup],
        keys: &[code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "close (a run goes on; C shows it again)",
        footer: Some("close"),
    },
    Binding {
        modes: &[Cleanup],
        keys: &[code(KeyCode::Backspace)],
        action: KeyAction::Erase,
        help: "delete the last character",
        footer: None,
    },
    Binding {
        modes: &[Cleanup],
        keys: &[code(KeyCode::Down), code(KeyCode::PageDown)],
        action: KeyAction::Down,
        help: "scroll down",
        footer: None,
    },
    Binding {
        modes: &[Cleanup],
        keys: &[code(KeyCode::Up), code(KeyCode::PageUp)],
        action: KeyAction::Up,
        help: "scroll up",
        footer: None,
    },
    Binding {
        modes: &[Lab],
        keys: &[ch('s')],
        action: KeyAction::NotebookPower,
        help: "stop or start the selected notebook instance",
        footer: None,
    },
    Binding {
        modes: &[Lab, Detail],
        keys: &[ch('o')],
        action: KeyAction::OpenUrl,
        help: "open the selected notebook (a sign-in URL) or product's notebook URL; anything else in the AWS console",
        footer: None,
    },
    Binding {
        modes: &[Lab, Detail],
        keys: &[ch('y')],
        action: KeyAction::Copy,
        help: "copy the selected value (name, id or URL) to the clipboard (OSC 52)",
        footer: None,
    },
    Binding {
        modes: &[Lab, Detail],
        keys: &[ch('Y')],
        action: KeyAction::CopyMenu,
        help: "pick a value of the selected resource to copy: name, id, ARN, an output, its console URL",
        footer: Some("copy"),
    },
    Binding {
        modes: &[Lab, Detail],
        keys: &[ch('O')],
        action: KeyAction::Console,
        help: "open the selected resource in the AWS console (through the switch-role page first when crossdeck assumes a role there)",
        footer: Some("console"),
    },
    Binding {
        modes: &[Fleet, Lab],
        keys: &[ch('T')],
        action: KeyAction::Timeline,
        help: "the lab's event timeline (in the fleet: the selected lab's): every change seen and every action run, newest first",
        footer: Some("timeline"),
    },
    Binding {
        modes: &[CopyMenu],
        keys: &[code(KeyCode::Enter), ch('y')],
        action: KeyAction::Copy,
        help: "copy the highlighted value to the clipboard (OSC 52)",
        footer: Some("copy"),
    },
    Binding {
        modes: &[CopyMenu],
        keys: &[code(KeyCode::Esc), ch('q')],
        action: KeyAction::Back,
        help: "close the menu",
        footer: Some("close"),
    },
    Binding {
        modes: &[Timeline],
        keys: &[ch('/')],
        action: KeyAction::Filter,
        help: "filter by words: an account, a kind (stack, action, endpoint…), a name, a status, crossdeck",
        footer: Some("filter"),
    },
    Binding {
        modes: &[Timeline],
        keys: &[ch('?')],
        action: KeyAction::Help,
        help: "show this help",
        footer: Some("help"),
    },
    Binding {
        modes: &[Timeline],
        keys: &[code(KeyCode::Esc), ch('q'), ch('T')],
        action: KeyAction::Back,
        help: "close the timeline",
        footer: Some("close"),
    },
    Binding {
        modes: &[TimelineFilter],
        keys: &[code(KeyCode::Enter)],
        action: KeyAction::Confirm,
        help: "keep the filter",
        footer: Some("keep"),
    },
    Binding {
        modes: &[TimelineFilter],
        keys: &[code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "clear the filter",
        footer: Some("clear"),
    },
    Binding {
        modes: &[TimelineFilter],
        keys: &[code(KeyCode::Backspace)],
        action: KeyAction::Erase,
        help: "delete the last character",
        footer: None,
    },
    Binding {
        modes: &[Lab, Detail],
        keys: &[ch('i')],
        action: KeyAction::SmokeTest,
        help: "smoke test: send the selected endpoint one sample abalone row, show the prediction",
        footer: None,
    },
    Binding {
        modes: &[Confirm],
        keys: &[ch('y'), code(KeyCode::Enter)],
        action: KeyAction::Confirm,
        help: "yes: send it",
        footer: Some("yes"),
    },
    Binding {
        modes: &[Confirm],
        keys: &[ch('n'), code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "no: cancel",
        footer: Some("no"),
    },
    Binding {
        modes: &[Input, Launch],
        keys: &[code(KeyCode::Enter)],
        action: KeyAction::Confirm,
        help: "continue to the confirmation",
        footer: Some("continue"),
    },
    Binding {
        modes: &[Input, Launch],
        keys: &[code(KeyCode::Esc)],
        action: KeyAction::Back,
        help: "cancel",
        footer: Some("cancel"),
    },
    Binding {
        modes: &[Input, Launch],
        keys: &[code(KeyCode::Backspace)],
        action: KeyAction::Erase,
        help: "delete the last character",
        footer: None,
    },
    Binding {
        modes: &[Launch],
        keys: &[code(KeyCode::Down), code(KeyCode::Tab)],
        action: KeyAction::Down,
        help: "next field",
        footer: Some("field"),
    },
    Binding {
        modes: &[Launch],
        keys: &[code(KeyCode::Up), code(KeyCode::BackTab)],
        action: KeyAction::Up,
        help: "previous field",
        footer: None,
    },
    Binding {
        modes: &[Launch],
        keys: &[code(KeyCode::Left)],
        action: KeyAction::PickPrev,
        help: "previous allowed value",
        footer: None,
    },
    Binding {
        modes: &[Launch],
        keys: &[code(KeyCode::Right)],
        action: KeyAction::PickNext,
        help: "next allowed value",
        footer: Some("value"),
    },
];

impl Key {
    pub(super) fn matches(&self, ev: &KeyEvent) -> bool {
        let ev_ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        if ev_ctrl != self.ctrl {
            return false;
        }
        match (self.code, ev.code) {
            // Shift is how capitals and symbols arrive; the character itself says enough.
            (KeyCode::Char(a), KeyCode::Char(b)) => a == b,
            (a, b) => a == b,
        }
    }

    /// How the key is written in the help and footer.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl { format!("C-{base}") } else { base }
    }
}

/// The action bound to a key press in a mode, if any, in the default table. Key releases are
/// ignored.
pub fn lookup(mode: Mode, ev: &KeyEvent) -> Option<KeyAction> {
    KeyMap::standard().lookup(mode, ev)
}

/// Rows for the help overlay in the default table: (keys, what they do), for one mode.
pub fn help_rows(mode: Mode) -> Vec<(String, &'static str)> {
    KeyMap::standard().help_rows(mode)
}

/// Hints for the footer in the default table: (first key, short label), for one mode.
pub fn footer_hints(mode: Mode) -> Vec<(String, &'static str)> {
    KeyMap::standard().footer_hints(mode)
}
