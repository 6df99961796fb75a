//! Messages into the reducer and the commands it hands back to the loop.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::backend::AccountKey;
use crate::lab::{AccountError, AccountSnapshot, Timestamp};

/// Everything that can change the app's state arrives as one of these.
#[derive(Clone, Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The 1 Hz clock, carrying the backend's now.
    Tick(Timestamp),
    /// One poll of one account; `generation` increases per account, stale ones are dropped.
    Poll {
        key: AccountKey,
        generation: u64,
        result: Result<Box<AccountSnapshot>, AccountError>,
    },
}

/// Effects the reducer asks the loop to carry out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Poll these accounts now instead of waiting for their interval.
    Refresh(Vec<AccountKey>),
}
