//! One Redis connection for a single server or a Redis Cluster: `REDIS_URL` holding several
//! comma-separated node URLs means a cluster (seed nodes; the client follows the slot map).
//! The queue only uses one list (the wake-up list), which lives on whichever node owns its
//! slot, so nothing else changes between the two.
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};
use std::time::Duration;

/// How long one connection attempt to a Redis node may take (a host that drops packets would
/// otherwise hold it for the system's TCP connect timeout, minutes).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub enum RedisConn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl RedisConn {
    /// Connects; `response_timeout` must exceed the longest blocking wait (BRPOP) made on it.
    ///
    /// While Redis is down every command fails within about `CONNECT_TIMEOUT`: nothing here
    /// needs Redis to answer (wake-ups are hints, the rate limiter fails open), so a command
    /// must never wait for it. The client's own reconnection back-off did: with the redis
    /// crate's retry settings a reconnection slept 1 s, then 60 to 120 s (its `factor` is
    /// handed to `backon` as a multiplier of the 1 s minimum delay), and every command waited
    /// for it (a write that woke the workers answered after two minutes; the worker's loop
    /// stalled as long). Now a reconnection is one attempt, made again by the next command.
    pub async fn connect(url: &str, response_timeout: Duration) -> RedisResult<Self> {
        let nodes: Vec<&str> = url
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if nodes.len() > 1 {
            // The cluster client retries (redirections and node failures) up to 16 times with
            // waits up to 655 s by default: a few short ones instead.
            let client = redis::cluster::ClusterClientBuilder::new(nodes)
                .response_timeout(response_timeout)
                .connection_timeout(CONNECT_TIMEOUT)
                .retries(3)
                .min_retry_wait(100)
                .max_retry_wait(1000)
                .build()?;
            Ok(RedisConn::Cluster(client.get_async_connection().await?))
        } else {
            let client = redis::Client::open(url)?;
            let config = ConnectionManagerConfig::new()
                .set_response_timeout(Some(response_timeout))
                .set_connection_timeout(Some(CONNECT_TIMEOUT))
                .set_number_of_retries(0);
            Ok(RedisConn::Single(
                ConnectionManager::new_with_config(client, config).await?,
            ))
        }
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self, RedisConn::Cluster(_))
    }
}

impl ConnectionLike for RedisConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConn::Single(c) => c.req_packed_command(cmd),
            RedisConn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConn::Single(c) => c.req_packed_commands(cmd, offset, count),
            RedisConn::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConn::Single(c) => c.get_db(),
            RedisConn::Cluster(c) => c.get_db(),
        }
    }
}
