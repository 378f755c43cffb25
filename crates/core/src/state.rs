use crate::Config;
use crate::notify::{LiveStats, NoLiveStats, NoopNotifier, Notifier};
use crate::rate_limit::RateLimits;
use jsonwebtoken::{DecodingKey, EncodingKey};
use sqlx::PgPool;
use std::sync::{Arc, OnceLock};

/// What handlers need, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
    pub keys: Arc<JwtKeys>,
    pub limits: Arc<RateLimits>,
    notifier: Arc<OnceLock<Arc<dyn Notifier>>>,
    live: Arc<OnceLock<Arc<dyn LiveStats>>>,
}

pub struct JwtKeys {
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
}

impl AppState {
    pub fn new(db: PgPool, config: Config) -> Self {
        let keys = JwtKeys {
            encoding: EncodingKey::from_secret(&config.jwt_secret),
            decoding: DecodingKey::from_secret(&config.jwt_secret),
        };
        let limits = RateLimits::new(config.rate_limit);
        AppState {
            db,
            config: Arc::new(config),
            keys: Arc::new(keys),
            limits: Arc::new(limits),
            notifier: Arc::new(OnceLock::new()),
            live: Arc::new(OnceLock::new()),
        }
    }

    /// The realtime layer is built after the state (it needs it), so it plugs in here once.
    pub fn install_realtime(&self, notifier: Arc<dyn Notifier>, live: Arc<dyn LiveStats>) {
        let _ = self.notifier.set(notifier);
        let _ = self.live.set(live);
    }

    pub fn notifier(&self) -> &dyn Notifier {
        match self.notifier.get() {
            Some(n) => n.as_ref(),
            None => &NoopNotifier,
        }
    }

    pub fn live(&self) -> &dyn LiveStats {
        match self.live.get() {
            Some(l) => l.as_ref(),
            None => &NoLiveStats,
        }
    }
}
