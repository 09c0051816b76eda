//! Time budgets and graceful shutdown.
//!
//! Every route answers within its budget (exports have a longer one), or a 503 that says so:
//! the handler's future is dropped, and with it its open transaction, which rolls back, so a
//! timed-out change is never half-written. On SIGTERM the process stops accepting connections,
//! readiness turns 503 (the load balancer takes it out), requests in flight run on, and those
//! still running when the grace period ends are answered 503 instead of being cut: a client
//! gets either the whole answer or a refusal it can retry, never a truncated one.
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Serving,
    /// SIGTERM received: no new connection, readiness 503, requests in flight run on.
    Draining,
    /// The grace period is over: what still runs is answered 503.
    GraceOver,
}

/// The process's shutdown phase and the requests it is answering, shared by every route.
#[derive(Clone)]
pub struct Drain {
    phase: Arc<watch::Sender<Phase>>,
    in_flight: Arc<AtomicUsize>,
}

impl Default for Drain {
    fn default() -> Self {
        Drain {
            phase: Arc::new(watch::channel(Phase::Serving).0),
            in_flight: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl Drain {
    pub fn phase(&self) -> Phase {
        *self.phase.borrow()
    }

    pub fn draining(&self) -> bool {
        self.phase() != Phase::Serving
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Enters `to` (phases only move forward).
    pub fn enter(&self, to: Phase) {
        self.phase.send_if_modified(|p| {
            let later = matches!(
                (*p, to),
                (Phase::Serving, Phase::Draining | Phase::GraceOver)
                    | (Phase::Draining, Phase::GraceOver)
            );
            if later {
                *p = to;
            }
            later
        });
    }

    /// Resolves once the phase is `at` or later.
    pub async fn reached(&self, at: Phase) {
        let mut rx = self.phase.subscribe();
        let rank = |p: Phase| p as u8;
        let _ = rx.wait_for(|p| rank(*p) >= rank(at)).await;
    }

    /// Counts one request for as long as the guard lives.
    fn enter_request(&self) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(self.in_flight.clone())
    }
}

struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One group of routes' time budget, with the process's drain.
#[derive(Clone)]
pub struct Budget {
    pub limit: Duration,
    pub drain: Drain,
}

/// The middleware: the handler, bounded by the budget and by the end of the grace period.
pub async fn guard(State(budget): State<Budget>, req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if budget.drain.phase() == Phase::GraceOver {
        return shutting_down(&path);
    }
    let _counted = budget.drain.enter_request();
    tokio::select! {
        resp = next.run(req) => resp,
        _ = tokio::time::sleep(budget.limit) => {
            metrics::counter!("mutualis_request_timeouts_total").increment(1);
            tracing::warn!(%path, budget_secs = budget.limit.as_secs(), "request over its time budget: answered 503, its transaction rolled back");
            crate::http::limits::refusal(
                &path,
                StatusCode::SERVICE_UNAVAILABLE,
                "TIMEOUT",
                format!(
                    "La requête a dépassé le temps imparti ({} s) et a été interrompue : toute modification en cours a été annulée. Réessayez dans un instant, ou demandez une période plus courte.",
                    budget.limit.as_secs()
                ),
                5,
            )
        }
        _ = budget.drain.reached(Phase::GraceOver) => {
            metrics::counter!("mutualis_requests_refused_at_shutdown_total").increment(1);
            tracing::warn!(%path, "still running at the end of the shutdown grace period: answered 503, its transaction rolled back");
            shutting_down(&path)
        }
    }
}

fn shutting_down(path: &str) -> Response {
    crate::http::limits::refusal(
        path,
        StatusCode::SERVICE_UNAVAILABLE,
        "SHUTTING_DOWN",
        "Le serveur redémarre : la requête n'a pas abouti et rien n'a été modifié. Réessayez dans quelques secondes.".into(),
        5,
    )
}

/// Waits for SIGTERM / ctrl-c, then drives the phases: draining at once, grace over after
/// `grace`. Resolves when draining starts (what axum's graceful shutdown waits for).
pub fn on_signal(
    drain: Drain,
    grace: Duration,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let timer = drain.clone();
    async move {
        signal.await;
        drain.enter(Phase::Draining);
        tracing::info!(
            in_flight = drain.in_flight(),
            grace_secs = grace.as_secs(),
            "shutting down: no new connection, requests in flight run on"
        );
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            if timer.phase() == Phase::Draining {
                tracing::warn!(
                    in_flight = timer.in_flight(),
                    "shutdown grace period over: requests still running are answered 503"
                );
            }
            timer.enter(Phase::GraceOver);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn phases_only_move_forward_and_wake_waiters() {
        let d = Drain::default();
        assert_eq!(d.phase(), Phase::Serving);
        let waiter = tokio::spawn({
            let d = d.clone();
            async move { d.reached(Phase::Draining).await }
        });
        d.enter(Phase::Draining);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .expect("joined");
        d.enter(Phase::Serving);
        assert_eq!(d.phase(), Phase::Draining, "no way back");
        d.enter(Phase::GraceOver);
        assert!(d.draining());
        assert_eq!(d.phase(), Phase::GraceOver);
    }

    #[tokio::test]
    async fn a_request_counts_while_it_runs() {
        let d = Drain::default();
        let g = d.enter_request();
        assert_eq!(d.in_flight(), 1);
        drop(g);
        assert_eq!(d.in_flight(), 0);
    }
}
