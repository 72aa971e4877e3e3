//! The accept loop: every TCP connection the service holds, and how long it may hold it.
//!
//! A connection must send a complete request head within the header-read timeout, counted
//! from its start or from the previous answer, so a client that sends half a head (or
//! nothing) is closed. At most `max_connections` are open at once. When a new one arrives
//! at the cap, the connection that has waited longest for a request head is closed to
//! make room: a client that sends its request at once is always served, however many
//! slow ones an attacker opens. Only when every open connection is running a request is
//! the newcomer refused, with a 503 `too_many_connections`. HTTP/2 over cleartext (h2c)
//! is served only when configured. Shutdown stops accepting, lets requests in flight
//! finish, and closes whatever is still open after the grace period.

use crate::problem::Problem;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulConnection;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

/// How the accept loop treats connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Time to send a complete request head, from the connection's start or the previous
    /// answer; it also closes idle keep-alive connections.
    pub header_read_timeout: Duration,
    /// How long shutdown waits for requests in flight before it closes their connections.
    pub shutdown_grace: Duration,
    /// Whether HTTP/2 over cleartext (prior knowledge) is served besides HTTP/1.1.
    pub h2c: bool,
}

/// File descriptors kept free beyond the connection cap: the listener, the audit
/// database, trust files, scan workers' pipes and the log.
const RESERVED_FILE_DESCRIPTORS: u64 = 64;

impl ConnectionSettings {
    /// Raises this process's open-file limit as far as the hard limit allows, and lowers
    /// the connection cap to fit under it, so that the cap, not `accept` failing for want
    /// of descriptors, decides which connection waits. Returns the cap in force.
    pub fn fit_open_file_limit(&mut self) -> usize {
        #[cfg(unix)]
        if let Ok(limit) = rlimit::increase_nofile_limit(u64::MAX) {
            let room = limit.saturating_sub(RESERVED_FILE_DESCRIPTORS).max(16);
            self.max_connections = self
                .max_connections
                .min(usize::try_from(room).unwrap_or(usize::MAX));
        }
        self.max_connections
    }
}

/// One open connection, as the cap sees it.
struct Slot {
    /// Requests running on it now.
    busy: AtomicU32,
    /// When it last started waiting for a request head (milliseconds since the loop began).
    waiting_since_ms: AtomicU64,
    /// Tells its task to close it.
    close: Notify,
    /// Told by its task once the socket is closed.
    closed: Notify,
}

/// The open connections, so that the cap can find the one to close.
struct Slots {
    open: Mutex<HashMap<u64, Arc<Slot>>>,
    limit: usize,
    started: Instant,
}

impl Slots {
    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Registers a new connection, closing the longest-waiting idle one at the cap (also
    /// returned, so that the caller can wait for its socket to close); `None` when every
    /// open connection is running a request.
    fn admit(&self, id: u64) -> Option<(Arc<Slot>, Option<Arc<Slot>>)> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let mut evicted = None;
        if open.len() >= self.limit {
            let evict = open
                .iter()
                .filter(|(_, slot)| slot.busy.load(Ordering::Acquire) == 0)
                // Within one millisecond, the one accepted first has waited longest; a
                // map's order must not decide.
                .min_by_key(|&(&id, slot)| (slot.waiting_since_ms.load(Ordering::Acquire), id))
                .map(|(&id, _)| id)?;
            evicted = open.remove(&evict);
            if let Some(slot) = &evicted {
                slot.close.notify_one();
            }
        }
        let slot = Arc::new(Slot {
            busy: AtomicU32::new(0),
            waiting_since_ms: AtomicU64::new(self.elapsed_ms()),
            close: Notify::new(),
            closed: Notify::new(),
        });
        open.insert(id, Arc::clone(&slot));
        Some((slot, evicted))
    }

    fn release(&self, id: u64) {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }
}

/// Marks a slot busy while a request runs on it.
struct Busy<'a> {
    slot: &'a Slot,
    slots: &'a Slots,
}

impl<'a> Busy<'a> {
    fn new(slot: &'a Slot, slots: &'a Slots) -> Self {
        slot.busy.fetch_add(1, Ordering::AcqRel);
        Busy { slot, slots }
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.slot
            .waiting_since_ms
            .store(self.slots.elapsed_ms(), Ordering::Release);
        self.slot.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves `router` on `listener` until `shutdown` completes; then stops accepting, asks
/// every connection to finish its request in flight, and closes those still open after
/// the grace period.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: &ConnectionSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Slots {
        open: Mutex::new(HashMap::new()),
        limit: settings.max_connections.max(1),
        started: Instant::now(),
    });
    let (stop, stopping) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut next_id: u64 = 0;
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
            // Finished connection tasks are reaped as they end, so the set stays small.
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, or a connection reset before it was taken:
                // wait a moment rather than spin, and keep serving the open ones.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        next_id += 1;
        let Some((slot, evicted)) = slots.admit(next_id) else {
            tasks.spawn(refuse(stream));
            continue;
        };
        if let Some(evicted) = evicted {
            // Its socket must be closed before this one counts, or a burst of newcomers
            // would outrun the closing and run out of descriptors.
            let _ =
                tokio::time::timeout(Duration::from_millis(250), evicted.closed.notified()).await;
        }
        let _ = stream.set_nodelay(true);
        tasks.spawn(connection(
            stream,
            peer,
            next_id,
            slot,
            Arc::clone(&slots),
            router.clone(),
            settings.clone(),
            stopping.clone(),
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(settings.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = tasks.len(),
            "shutdown grace period over; closing the connections still open"
        );
        tasks.shutdown().await;
    }
    Ok(())
}

/// Answers a connection beyond the cap with a 503 problem, without reading its request.
async fn refuse(mut stream: TcpStream) {
    let problem = Problem::too_many_connections();
    let body = problem.to_json();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: {}\r\nretry-after: {}\r\n\
         x-content-type-options: nosniff\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        crate::problem::PROBLEM_JSON,
        problem.retry_after.unwrap_or(1),
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

#[allow(clippy::too_many_arguments)]
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
    slot: Arc<Slot>,
    slots: Arc<Slots>,
    router: Router,
    settings: ConnectionSettings,
    stopping: watch::Receiver<bool>,
) {
    let service = {
        let (slot, slots) = (Arc::clone(&slot), Arc::clone(&slots));
        hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let (router, slot, slots) = (router.clone(), Arc::clone(&slot), Arc::clone(&slots));
            async move {
                let _busy = Busy::new(&slot, &slots);
                router.oneshot(request.map(Body::new)).await
            }
        })
    };
    let io = TokioIo::new(stream);
    if settings.h2c {
        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(settings.header_read_timeout);
        builder
            .http2()
            .timer(TokioTimer::new())
            .keep_alive_interval(Some(settings.header_read_timeout));
        drive(builder.serve_connection(io, service), &slot, stopping).await;
    } else {
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(settings.header_read_timeout);
        drive(builder.serve_connection(io, service), &slot, stopping).await;
    }
    // `drive` took the connection, so its socket is closed by now.
    slot.closed.notify_one();
    slots.release(id);
}

/// Runs one connection until it ends, the cap closes it, or shutdown finishes it.
async fn drive<C: GracefulConnection>(
    connection: C,
    slot: &Slot,
    mut stopping: watch::Receiver<bool>,
) {
    let mut connection = pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        () = slot.close.notified() => return,
        _ = stopping.wait_for(|stop| *stop) => {}
    }
    connection.as_mut().graceful_shutdown();
    tokio::select! {
        _ = connection.as_mut() => {}
        () = slot.close.notified() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_first_admitted_of_equally_old_idle_connections_is_closed() {
        // Many rounds: the map's order changes from one map to the next.
        for _ in 0..50 {
            let slots = Slots {
                open: Mutex::new(HashMap::new()),
                limit: 8,
                started: Instant::now(),
            };
            let admitted: Vec<Arc<Slot>> = (1..=8)
                .map(|id| slots.admit(id).map(|(slot, _)| slot).unwrap())
                .collect();
            // All of the same millisecond, as when a starved loop accepts a burst.
            for slot in &admitted {
                slot.waiting_since_ms.store(0, Ordering::Release);
            }
            let (_, evicted) = slots.admit(9).unwrap();
            assert!(Arc::ptr_eq(&evicted.unwrap(), &admitted[0]));
            // A busy one is never closed, however long it has been open.
            admitted[1].busy.store(1, Ordering::Release);
            let (_, evicted) = slots.admit(10).unwrap();
            assert!(Arc::ptr_eq(&evicted.unwrap(), &admitted[2]));
        }
    }
}
