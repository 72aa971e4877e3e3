//! Structured logs with `tracing`, to standard error, written in batches by a thread of
//! their own.
//!
//! The service logs route templates, status codes, client identifiers, purposes,
//! verdicts, reason codes and latencies. It never logs a QR text, a request body, a
//! header, a URI or any document field (UU 27/2022).
//!
//! A line is formatted on the thread that logs it and appended to a shared buffer; the
//! log thread writes what has gathered in one `write` every [`LINGER`]. One `write` per
//! request cost each request a system call on a worker that answers requests, and a
//! write to a file can wait for the file system's journal for milliseconds. No line is
//! dropped: when [`MAX_PENDING`] bytes wait, logging waits for room. [`LogGuard`] writes
//! what is left when it is dropped, at shutdown.

use crate::config::LogFormat;
use std::fmt;
use std::io::{IsTerminal as _, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// How long the log thread gathers lines before it writes them.
pub const LINGER: Duration = Duration::from_millis(20);
/// Bytes of lines waiting to be written, at most; past it, logging waits for room.
pub const MAX_PENDING: usize = 1 << 20;

/// Why the logger could not be installed.
#[derive(Debug)]
#[non_exhaustive]
pub enum TelemetryError {
    /// `log.level` is not a filter directive.
    Level {
        /// The configured level.
        level: String,
        /// The filter's parse error.
        source: tracing_subscriber::filter::ParseError,
    },
    /// A global subscriber is installed already.
    Install(Box<dyn std::error::Error + Send + Sync>),
    /// The log thread could not be started.
    Thread(std::io::Error),
}

impl fmt::Display for TelemetryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TelemetryError::Level { level, .. } => write!(f, "log level {level:?} is not valid"),
            TelemetryError::Install(_) => f.write_str("cannot install the logger"),
            TelemetryError::Thread(_) => f.write_str("cannot start the log thread"),
        }
    }
}

impl std::error::Error for TelemetryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TelemetryError::Level { source, .. } => Some(source),
            TelemetryError::Install(source) => Some(&**source),
            TelemetryError::Thread(source) => Some(source),
        }
    }
}

/// Installs the global subscriber with filter `level` (`info`, `debug`, or an
/// `EnvFilter` directive such as `info,ikd_verifier_service=debug`), writing to standard
/// error through a log thread. Keep the guard until the service stops: dropping it writes
/// the lines still waiting.
pub fn init(level: &str, format: LogFormat) -> Result<LogGuard, TelemetryError> {
    let filter = EnvFilter::try_new(level).map_err(|source| TelemetryError::Level {
        level: level.to_owned(),
        source,
    })?;
    let (writer, guard) = batched(std::io::stderr()).map_err(TelemetryError::Thread)?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    installed.map_err(TelemetryError::Install)?;
    Ok(guard)
}

/// Lines waiting for the log thread.
#[derive(Debug, Default)]
struct Pending {
    lines: Vec<u8>,
    /// The guard was dropped: lines go straight to the output from now on.
    closed: bool,
    /// The log thread sleeps until lines come (it is woken only then: one wake-up per
    /// batch, not per line).
    idle: bool,
    /// Threads waiting for room.
    full: usize,
}

#[derive(Debug)]
struct Shared<W> {
    pending: Mutex<Pending>,
    /// Lines came, or the guard was dropped.
    ready: Condvar,
    /// The lines were taken: there is room again.
    room: Condvar,
    output: Mutex<W>,
}

impl<W> Shared<W> {
    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where `tracing` writes: the shared buffer of the log thread ([`batched`]).
#[derive(Debug)]
pub struct BatchedWriter<W> {
    shared: Arc<Shared<W>>,
}

/// Stops the log thread when dropped, after it wrote every line logged before.
pub struct LogGuard {
    stop: Option<Box<dyn FnOnce() + Send>>,
}

impl fmt::Debug for LogGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LogGuard")
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop();
        }
    }
}

/// A writer for `tracing` whose lines a new thread writes to `output` in batches, and the
/// guard that stops that thread.
pub fn batched<W: Write + Send + 'static>(
    output: W,
) -> std::io::Result<(BatchedWriter<W>, LogGuard)> {
    let shared = Arc::new(Shared {
        pending: Mutex::new(Pending::default()),
        ready: Condvar::new(),
        room: Condvar::new(),
        output: Mutex::new(output),
    });
    let thread = {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("ikd-log".into())
            .spawn(move || write_batches(&shared))?
    };
    let stop = {
        let shared = Arc::clone(&shared);
        move || {
            shared.pending().closed = true;
            shared.ready.notify_one();
            let _: std::thread::Result<()> = JoinHandle::join(thread);
        }
    };
    Ok((
        BatchedWriter { shared },
        LogGuard {
            stop: Some(Box::new(stop)),
        },
    ))
}

fn write_batches<W: Write>(shared: &Shared<W>) {
    let mut batch = Vec::new();
    loop {
        {
            let mut pending = shared.pending();
            while pending.lines.is_empty() && !pending.closed {
                pending.idle = true;
                pending = shared
                    .ready
                    .wait(pending)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            pending.idle = false;
            if pending.lines.is_empty() {
                // Closed, and nothing left.
                return;
            }
            if !pending.closed && pending.full == 0 {
                drop(pending);
                // Let lines gather, so one write carries many.
                std::thread::sleep(LINGER);
                pending = shared.pending();
            }
            std::mem::swap(&mut pending.lines, &mut batch);
            if pending.full > 0 {
                shared.room.notify_all();
            }
        }
        let mut output = shared.output.lock().unwrap_or_else(PoisonError::into_inner);
        // Nowhere to report a failed log write; the next batch tries again.
        let _ = output.write_all(&batch).and_then(|()| output.flush());
        drop(output);
        batch.clear();
        if batch.capacity() > MAX_PENDING {
            batch = Vec::new();
        }
    }
}

impl<'a, W: Write + Send + 'static> MakeWriter<'a> for BatchedWriter<W> {
    type Writer = LineWriter<'a, W>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter {
            shared: &self.shared,
        }
    }
}

/// One line's writer: `tracing` formats a whole line and writes it in one call.
#[derive(Debug)]
pub struct LineWriter<'a, W> {
    shared: &'a Shared<W>,
}

impl<W: Write> Write for LineWriter<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let shared = self.shared;
        let mut pending = shared.pending();
        // Wait for room, unless the buffer is empty (a line larger than the limit goes
        // alone).
        while !pending.closed
            && !pending.lines.is_empty()
            && pending.lines.len() + bytes.len() > MAX_PENDING
        {
            pending.full += 1;
            if pending.idle {
                shared.ready.notify_one();
            }
            pending = shared
                .room
                .wait(pending)
                .unwrap_or_else(PoisonError::into_inner);
            pending.full -= 1;
        }
        if pending.closed {
            drop(pending);
            let mut output = shared.output.lock().unwrap_or_else(PoisonError::into_inner);
            output.write_all(bytes)?;
            output.flush()?;
            return Ok(bytes.len());
        }
        pending.lines.extend_from_slice(bytes);
        if pending.idle {
            pending.idle = false;
            drop(pending);
            shared.ready.notify_one();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// An output that keeps what is written and counts the writes.
    #[derive(Clone, Default)]
    struct Sink {
        bytes: Arc<Mutex<Vec<u8>>>,
        writes: Arc<AtomicUsize>,
    }

    impl Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.writes.fetch_add(1, Ordering::Relaxed);
            self.bytes.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Sink {
        fn text(&self) -> String {
            String::from_utf8(self.bytes.lock().unwrap().clone()).unwrap()
        }
    }

    fn log(writer: &BatchedWriter<Sink>, line: &str) {
        writer.make_writer().write_all(line.as_bytes()).unwrap();
    }

    #[test]
    fn lines_are_written_in_batches_and_all_of_them_by_the_time_the_guard_is_dropped() {
        let sink = Sink::default();
        let (writer, guard) = batched(sink.clone()).unwrap();
        for i in 0..100 {
            log(&writer, &format!("line {i}\n"));
        }
        drop(guard);
        let expected: String = (0..100).map(|i| format!("line {i}\n")).collect();
        assert_eq!(sink.text(), expected);
        // 100 lines logged in microseconds, against a 20 ms linger: far fewer writes.
        let writes = sink.writes.load(Ordering::Relaxed);
        assert!(writes < 100, "{writes} writes");
        // After the guard, lines go straight to the output.
        log(&writer, "late\n");
        assert!(sink.text().ends_with("line 99\nlate\n"));
    }

    #[test]
    fn no_line_is_lost_when_more_than_the_buffer_waits() {
        let sink = Sink::default();
        let (writer, guard) = batched(sink.clone()).unwrap();
        let writer = Arc::new(writer);
        let padding = "x".repeat(200);
        // 4 × 2 000 lines of 200+ bytes: more than MAX_PENDING, so loggers wait for room.
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (writer, padding) = (Arc::clone(&writer), padding.clone());
                std::thread::spawn(move || {
                    for i in 0..2000 {
                        log(&writer, &format!("{t} {i} {padding}\n"));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        drop(guard);
        let text = sink.text();
        assert!(text.len() > MAX_PENDING);
        let mut next = [0usize; 4];
        for line in text.lines() {
            let mut words = line.split(' ');
            let t: usize = words.next().unwrap().parse().unwrap();
            let i: usize = words.next().unwrap().parse().unwrap();
            assert_eq!(words.next(), Some(padding.as_str()));
            assert_eq!(i, next[t], "thread {t}'s lines in order, none missing");
            next[t] += 1;
        }
        assert_eq!(next, [2000; 4]);
    }
}
