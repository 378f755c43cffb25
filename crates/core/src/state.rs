use crate::Config;
use crate::notify::{LiveStats, NoLiveStats, Sinks};
use sqlx::PgPool;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// What handlers need, cheap to clone: the pool, the configuration, the realtime hooks, and
/// the state each feature keeps for itself (installed once by the composition root with
/// [`AppState::with_part`], e.g. auth's rate limiters), so core knows nothing of it.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
    parts: Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    sinks: Arc<OnceLock<Sinks>>,
    live: Arc<OnceLock<Arc<dyn LiveStats>>>,
}

impl AppState {
    pub fn new(db: PgPool, config: Config) -> Self {
        AppState {
            db,
            config: Arc::new(config),
            parts: Arc::default(),
            sinks: Arc::new(OnceLock::new()),
            live: Arc::new(OnceLock::new()),
        }
    }

    /// Add a feature's own state (one value per type), while the state is being built.
    pub fn with_part<T: Send + Sync + 'static>(mut self, part: T) -> Self {
        Arc::make_mut(&mut self.parts).insert(TypeId::of::<T>(), Arc::new(part));
        self
    }

    /// A feature's state installed with [`AppState::with_part`].
    pub fn part<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.parts
            .get(&TypeId::of::<T>())
            .and_then(|p| p.downcast_ref::<T>())
    }

    /// The realtime layer is built after the state (it needs it), so it plugs in here once.
    pub fn install_realtime(&self, sinks: Sinks, live: Arc<dyn LiveStats>) {
        let _ = self.sinks.set(sinks);
        let _ = self.live.set(live);
    }

    /// Announce a domain event that has committed (see [`crate::notify`]).
    pub fn announce<E: 'static>(&self, event: E) {
        if let Some(sinks) = self.sinks.get() {
            sinks.send(event);
        }
    }

    pub fn live(&self) -> &dyn LiveStats {
        match self.live.get() {
            Some(l) => l.as_ref(),
            None => &NoLiveStats,
        }
    }
}
