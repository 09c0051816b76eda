//! CPU-heavy work on a file someone sent (a workbook to read, a bundle to hash) runs on the
//! runtime's blocking pool, a few at a time: on the async workers it held every other request
//! of the process, health checks included, for as long as it ran.
use tokio::sync::Semaphore;

/// Uploads parsed or hashed at once, per process; the others wait their turn.
pub const CONCURRENT: usize = 2;
static PERMITS: Semaphore = Semaphore::const_new(CONCURRENT);

#[derive(Debug, thiserror::Error)]
pub enum BlockingError {
    #[error("background task failed: {0}")]
    Failed(String),
}

/// Runs `work` on the blocking pool once one of the [`CONCURRENT`] permits is free.
pub async fn run<T, F>(work: F) -> Result<T, BlockingError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let _permit = PERMITS
        .acquire()
        .await
        .map_err(|e| BlockingError::Failed(e.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| BlockingError::Failed(e.to_string()))
}
