//! The app's state: the labs and their latest snapshots, focus, selection and overlays.

use std::collections::HashSet;
use std::sync::Arc;

use crate::backend::AccountKey;
use crate::events::EventsView;
use crate::lab::cost::{CostSettings, LabCost};
use crate::lab::progress::{self, LabSnapshots, Progress};
use crate::lab::{LabInfo, LabNames, PerRole, Role, Timestamp};

use super::bulk::BulkView;
use super::cleanup_view::CleanupView;
use super::dialog::{Confirm, Input, LaunchForm};
use super::eventlog::EventLog;
use super::fleet::{Fleet, Health, LineEdit};
use super::health::{HealthView, SmokeTest};
use super::keymap::Mode;
use super::links::CopyItem;
use super::remap::KeyMap;
use super::timeline::TimelineView;

/// How many transitions each lab's event log keeps.
pub const LOG_CAPACITY: usize = 500;

/// One participant's lab as the app knows it.
#[derive(Clone, Debug)]
pub struct LabState {
    pub info: LabInfo,
    pub snaps: LabSnapshots,
    /// The newest poll generation applied, per account.
    pub gens: PerRole<u64>,
    pub progress: Progress,
    pub log: EventLog,
    /// When anything in the lab last changed (a transition was seen).
    pub last_change: Option<Timestamp>,
    /// Each account's health at a glance, kept with the snapshots for the fleet's rows.
    pub health: PerRole<Health>,
    /// What bills by the hour and its price, derived when a poll arrives.
    pub cost: LabCost,
}

impl LabState {
    pub fn new(info: LabInfo, names: &LabNames) -> Self {
        let snaps = LabSnapshots::default();
        let progress = progress::derive(&info, names, &snaps);
        LabState {
            info,
            snaps,
            gens: PerRole::default(),
            progress,
            log: EventLog::new(LOG_CAPACITY),
            last_change: None,
            health: PerRole::from_fn(|_| Health::Unknown),
            cost: LabCost::default(),
        }
    }
}

/// Which part of the lab view has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Pane(Role),
    Pipeline,
}

/// What a selected row points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Stack {
        role: Role,
        name: String,
    },
    Share {
        role: Role,
        portfolio_id: String,
    },
    Product {
        role: Role,
        id: String,
    },
    Notebook {
        role: Role,
        name: String,
    },
    Endpoint {
        role: Role,
        name: String,
    },
    Bucket {
        role: Role,
        name: String,
    },
    Action {
        stage: String,
        action: String,
    },
    /// The account as a whole: its error in full.
    Account {
        role: Role,
    },
}

impl Target {
    /// The account the target lives in (the pipeline's actions in Tools).
    pub fn role(&self) -> Role {
        match self {
            Target::Stack { role, .. }
            | Target::Share { role, .. }
            | Target::Product { role, .. }
            | Target::Notebook { role, .. }
            | Target::Endpoint { role, .. }
            | Target::Bucket { role, .. }
            | Target::Account { role } => *role,
            Target::Action { .. } => Role::Tools,
        }
    }
}

/// A window over the lab view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    Detail {
        target: Target,
        scroll: usize,
    },
    Picker {
        selected: usize,
    },
    Confirm(Confirm),
    Input(Input),
    Launch(LaunchForm),
    /// The cleanup of a lab: its view lives in `App::cleanups`, so a run goes on when closed.
    Cleanup {
        lab: usize,
    },
    /// A bulk action from the fleet: its view lives in `App::bulk`, so a run goes on when closed.
    Bulk,
    /// The values of the selected resource that can be copied, one to pick.
    CopyMenu {
        items: Vec<CopyItem>,
        selected: usize,
    },
    /// The lab's event timeline.
    Timeline(TimelineView),
    /// The current lab's billable resources and their estimated cost.
    Costs {
        scroll: usize,
    },
}

impl Overlay {
    pub fn mode(&self) -> Mode {
        match self {
            Overlay::Help { .. } => Mode::Help,
            Overlay::Detail { .. } => Mode::Detail,
            Overlay::Picker { .. } => Mode::Picker,
            Overlay::Confirm(_) => Mode::Confirm,
            Overlay::Input(_) => Mode::Input,
            Overlay::Launch(_) => Mode::Launch,
            Overlay::Cleanup { .. } => Mode::Cleanup,
            Overlay::Bulk => Mode::Bulk,
            Overlay::CopyMenu { .. } => Mode::CopyMenu,
            Overlay::Timeline(v) if v.editing => Mode::TimelineFilter,
            Overlay::Timeline(_) => Mode::Timeline,
            Overlay::Costs { .. } => Mode::Costs,
        }
    }
}

/// A launch being followed through its provisioning record (DescribeRecord).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
    pub key: AccountKey,
    pub record_id: String,
    /// The provisioned product's name.
    pub name: String,
    /// Reads of the record that failed in a row (throttled, out of reach); each waits longer.
    pub failures: u32,
}

/// The whole app.
#[derive(Clone, Debug)]
pub struct App {
    pub labs: Vec<LabState>,
    pub names: LabNames,
    /// Index of the lab on screen.
    pub current: usize,
    pub focus: Focus,
    /// Selected row per focus: the four panes, then the pipeline strip.
    pub selected: [usize; 5],
    /// Overlays, topmost last.
    pub overlays: Vec<Overlay>,
    pub now: Timestamp,
    /// `Some(speed)` when showing the simulated lab.
    pub simulated: Option<f64>,
    /// Draw in colour (off when NO_COLOR is set).
    pub color: bool,
    /// Terminal size, for paging and mouse hit-testing.
    pub size: (u16, u16),
    /// A one-line notice in the footer (e.g. "refreshing alice").
    pub notice: Option<String>,
    pub quit: bool,
    /// Refuse every action (`--read-only`): keys that would change something only say so.
    pub read_only: bool,
    /// Launches being followed through their provisioning records.
    pub launches: Vec<Launch>,
    /// Cleanup plans shown or running, one per lab at most.
    pub cleanups: Vec<CleanupView>,
    /// The fleet view: the whole class, a row per lab.
    pub fleet: Fleet,
    /// The bulk action shown or running, at most one.
    pub bulk: Option<BulkView>,
    /// Accounts whose switch-role page crossdeck has opened in the browser this session.
    pub switched: HashSet<AccountKey>,
    /// The metrics of the endpoint whose detail is open, at most one.
    pub health: Option<HealthView>,
    /// The latest smoke tests (`health::MAX_SMOKE_TESTS`), the newest last.
    pub smoke: Vec<SmokeTest>,
    /// The price table and idle threshold the cost estimates use.
    pub costs: CostSettings,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    /// The key table: the default one, or the config's `[keys]` applied to it.
    pub keys: Arc<KeyMap>,
    /// The event feed, when the config (or `demo --events`) has one.
    pub events: Option<EventsView>,
}

impl App {
    pub fn new(labs: Vec<LabInfo>, names: LabNames, now: Timestamp) -> Self {
        let labs: Vec<LabState> = labs.into_iter().map(|l| LabState::new(l, &names)).collect();
        let fleet = Fleet::new(labs.len());
        App {
            labs,
            names,
            current: 0,
            focus: Focus::Pane(Role::Tools),
            selected: [0; 5],
            overlays: Vec::new(),
            now,
            simulated: None,
            color: true,
            size: (80, 24),
            notice: None,
            quit: false,
            read_only: false,
            launches: Vec::new(),
            cleanups: Vec::new(),
            fleet,
            bulk: None,
            switched: HashSet::new(),
            health: None,
            smoke: Vec::new(),
            costs: CostSettings::default(),
            dirty: true,
            keys: KeyMap::standard(),
            events: None,
        }
    }

    /// Show the event feed reading `queue`.
    pub fn with_events(mut self, queue: &str) -> Self {
        self.events = Some(EventsView::new(queue));
        self
    }

    pub fn simulated(mut self, speed: f64) -> Self {
        self.simulated = Some(speed);
        self
    }

    /// Estimate costs with these prices and threshold (the config's) instead of the defaults.
    /// Use this key table (the config's `[keys]` applied to the default one).
    pub fn with_keys(mut self, keys: KeyMap) -> Self {
        self.keys = Arc::new(keys);
        self
    }

    pub fn with_costs(mut self, costs: CostSettings) -> Self {
        self.costs = costs;
        self
    }

    pub fn lab(&self) -> Option<&LabState> {
        self.labs.get(self.current)
    }

    /// The mode that has the keyboard: the top overlay's, else the screen's.
    pub fn mode(&self) -> Mode {
        self.overlays.last().map_or(self.base_mode(), Overlay::mode)
    }

    /// The screen under the overlays: the fleet (or its filter / command line) or the lab view.
    pub fn base_mode(&self) -> Mode {
        if !self.fleet.active {
            return Mode::Lab;
        }
        match self.fleet.line {
            LineEdit::None => Mode::Fleet,
            LineEdit::Filter => Mode::FleetFilter,
            LineEdit::Command(_) => Mode::FleetCommand,
        }
    }

    /// Cells of the longest lab name (4 when there is none), for name columns.
    pub fn name_width(&self) -> usize {
        self.labs
            .iter()
            .map(|l| l.info.name.chars().count())
            .max()
            .unwrap_or(4)
    }

    /// The roles the current lab shows panes for.
    pub fn roles(&self) -> Vec<Role> {
        self.lab()
            .map(|l| l.info.roles().collect())
            .unwrap_or_default()
    }

    /// Every account of every lab, for the poller.
    pub fn account_keys(&self) -> Vec<AccountKey> {
        self.labs
            .iter()
            .enumerate()
            .flat_map(|(lab, l)| l.info.roles().map(move |role| AccountKey { lab, role }))
            .collect()
    }

    pub fn focus_slot(focus: Focus) -> usize {
        match focus {
            Focus::Pane(role) => role.index(),
            Focus::Pipeline => 4,
        }
    }
}
