//! The API's Redis connection, which may come later than the API: Redis only wakes workers and
//! holds the shared rate limits, so a server started while it is down serves anyway (its
//! limits per process) and connects in the background as soon as Redis answers.
use std::sync::{Arc, RwLock};
use std::time::Duration;
use worker::redis_conn::RedisConn;

/// How long to wait between two connection attempts while Redis is away.
const RETRY_EVERY: Duration = Duration::from_secs(2);

#[derive(Clone, Default)]
pub struct RedisSlot {
    configured: bool,
    conn: Arc<RwLock<Option<RedisConn>>>,
}

impl RedisSlot {
    /// No Redis configured (the embedded mode, or REDIS_URL unset).
    pub fn none() -> Self {
        Self::default()
    }

    /// Connects to `url` now, or keeps trying in the background.
    pub async fn connect(url: &str) -> Self {
        let slot = RedisSlot {
            configured: true,
            conn: Arc::default(),
        };
        match RedisConn::connect(url, Duration::from_secs(5)).await {
            Ok(c) => slot.set(c),
            Err(e) => {
                tracing::warn!(error = %e, "Redis unreachable at start: serving without it, connecting in the background");
                let (url, later) = (url.to_owned(), slot.clone());
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(RETRY_EVERY).await;
                        if let Ok(c) = RedisConn::connect(&url, Duration::from_secs(5)).await {
                            tracing::info!("Redis reachable: connected");
                            later.set(c);
                            return;
                        }
                    }
                });
            }
        }
        slot
    }

    fn set(&self, c: RedisConn) {
        match self.conn.write() {
            Ok(mut g) => *g = Some(c),
            Err(poisoned) => *poisoned.into_inner() = Some(c),
        }
    }

    /// The connection, once there is one.
    pub fn get(&self) -> Option<RedisConn> {
        match self.conn.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn configured(&self) -> bool {
        self.configured
    }
}
