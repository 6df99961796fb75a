//! App state, messages, commands, the reducer, the key table and the text prepared for the screen.

pub mod bulk;
pub mod cleanup_flow;
pub mod cleanup_view;
pub mod command_line;
pub mod costs;
pub mod detail;
pub mod dialog;
pub mod endpoint_detail;
pub mod eventlog;
pub mod fleet;
pub mod fleet_flow;
pub mod health;
pub mod keymap;
pub mod layout;
pub mod links;
pub mod msg;
pub mod operate;
pub mod remap;
pub mod state;
pub mod timeline;
pub mod update;
pub mod view;

pub use msg::{Command, Msg};
pub use state::{App, Focus, Launch, Overlay, Target};
pub use update::update;
