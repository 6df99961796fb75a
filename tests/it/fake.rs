//! What fake backends share: the rest of a `Backend` a poller never calls.

/// The rest of a `Backend` the poller never calls: every action refused, the clock at T0.
macro_rules! read_only_at_t0 {
    () => {
        async fn act(&self, _: AccountKey, _: Action) -> Result<ActionDone, ActionError> {
            Err(ActionError::Refused("read only".into()))
        }

        no_extras_at_t0!();
    };
}

/// A `Backend`'s calls beside `snapshot` and `act`: each refused, the clock at T0.
macro_rules! no_extras_at_t0 {
    () => {
        async fn launch_options(
            &self,
            _: AccountKey,
            _: &str,
        ) -> Result<LaunchOptions, ActionError> {
            Err(ActionError::Refused("read only".into()))
        }

        async fn record(&self, _: AccountKey, _: &str) -> Result<RecordState, ActionError> {
            Err(ActionError::Refused("read only".into()))
        }

        async fn notebook_url(&self, _: AccountKey, _: &str) -> Result<String, ActionError> {
            Err(ActionError::Refused("read only".into()))
        }

        async fn endpoint_metrics(
            &self,
            _: AccountKey,
            _: &str,
            _: &[String],
            _: Timestamp,
        ) -> Result<EndpointMetrics, ActionError> {
            Err(ActionError::Refused("read only".into()))
        }

        async fn invoke_endpoint(
            &self,
            _: AccountKey,
            _: &str,
            _: &str,
            _: &str,
        ) -> Result<Invocation, ActionError> {
            Err(ActionError::Refused("read only".into()))
        }

        fn now(&self) -> Timestamp {
            T0
        }
    };
}

/// A backend that notes when each account is read: accounts in `moving` have a stack in
/// progress, the others are steady.
pub mod recording {
    use std::collections::HashSet;
    use std::sync::Mutex;

    use crossdeck::backend::{
        AccountKey, Action, ActionDone, ActionError, Backend, LaunchOptions, RecordState,
    };
    use crossdeck::lab::metrics::EndpointMetrics;
    use crossdeck::lab::smoke::Invocation;
    use crossdeck::lab::*;

    use crate::fixtures::{T0, stack};

    #[derive(Default)]
    pub struct Recording {
        pub moving: HashSet<AccountKey>,
        reads: Mutex<Vec<(AccountKey, tokio::time::Instant)>>,
    }

    impl Recording {
        pub fn moving(keys: &[AccountKey]) -> Self {
            Recording {
                moving: keys.iter().copied().collect(),
                ..Recording::default()
            }
        }

        /// Reads of `key` so far.
        pub fn reads(&self, key: AccountKey) -> usize {
            self.times(key).len()
        }

        /// When `key` was read, in order.
        pub fn times(&self, key: AccountKey) -> Vec<tokio::time::Instant> {
            self.reads
                .lock()
                .expect("lock")
                .iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, t)| *t)
                .collect()
        }
    }

    impl Backend for Recording {
        async fn snapshot(&self, account: AccountKey) -> Result<AccountSnapshot, AccountError> {
            self.reads
                .lock()
                .expect("lock")
                .push((account, tokio::time::Instant::now()));
            let mut snap = AccountSnapshot::empty("111111111111", T0);
            let status = if self.moving.contains(&account) {
                "UPDATE_IN_PROGRESS"
            } else {
                "CREATE_COMPLETE"
            };
            snap.stacks.push(stack("StageResources", status));
            Ok(snap)
        }

        read_only_at_t0!();
    }
}
