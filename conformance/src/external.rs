//! Implementations outside this process, driven through the runner protocol
//! ([`crate::protocol`]): a command that answers JSON lines, or an HTTP endpoint.

use crate::protocol::{Answer, Request, Target};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// How long one answer may take before the runner gives up on it.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest answer read from a command or an HTTP endpoint.
const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

/// A command started once and kept running: the runner writes each request as one line
/// of JSON to its standard input and reads one line of JSON from its standard output.
/// Its standard error is passed through. If it dies or does not answer within
/// [`ANSWER_TIMEOUT`], that request fails and the command is started again for the next.
#[derive(Debug)]
pub struct CommandTarget {
    program: String,
    args: Vec<String>,
    running: Option<Running>,
}

#[derive(Debug)]
struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
}

impl CommandTarget {
    /// The command `program` with `args`; it is started at the first request.
    pub fn new(program: impl Into<String>, args: impl IntoIterator<Item = String>) -> Self {
        CommandTarget {
            program: program.into(),
            args: args.into_iter().collect(),
            running: None,
        }
    }

    fn start(&self) -> Result<Running, String> {
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.program))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err("the command's standard streams are not available".into());
        };
        let (send, lines) = channel();
        // A thread reads the answers, so that a command that hangs can time out.
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                let read = (&mut reader)
                    .take(MAX_ANSWER_BYTES)
                    .read_line(&mut line)
                    .map(|n| (n, line));
                let stop = !matches!(read, Ok((n, _)) if n > 0);
                if send.send(read.map(|(_, line)| line)).is_err() || stop {
                    break;
                }
            }
        });
        Ok(Running {
            child,
            stdin,
            lines,
        })
    }

    fn exchange(running: &mut Running, line: &str) -> Result<String, String> {
        running
            .stdin
            .write_all(line.as_bytes())
            .and_then(|()| running.stdin.flush())
            .map_err(|e| format!("cannot write the request: {e}"))?;
        match running.lines.recv_timeout(ANSWER_TIMEOUT) {
            Ok(Ok(answer)) if !answer.is_empty() => Ok(answer),
            Ok(Ok(_)) => Err("the command ended without answering".into()),
            Ok(Err(e)) => Err(format!("cannot read the answer: {e}")),
            Err(RecvTimeoutError::Timeout) => {
                Err(format!("no answer within {} s", ANSWER_TIMEOUT.as_secs()))
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err("the command ended without answering".into())
            }
        }
    }
}

impl Target for CommandTarget {
    fn answer(&mut self, request: &Request) -> Result<Answer, String> {
        let mut line = serde_json::to_string(request).map_err(|e| e.to_string())?;
        line.push('\n');
        let mut running = match self.running.take() {
            Some(running) => running,
            None => self.start()?,
        };
        match Self::exchange(&mut running, &line) {
            Ok(answer) => {
                self.running = Some(running);
                let value = serde_json::from_str(&answer)
                    .map_err(|e| format!("the answer is not JSON: {e}"))?;
                Answer::from_json(value)
            }
            Err(message) => {
                let _ = running.child.kill();
                let _ = running.child.wait();
                Err(message)
            }
        }
    }
}

impl Drop for CommandTarget {
    fn drop(&mut self) {
        if let Some(mut running) = self.running.take() {
            // Closing its input asks the command to finish; it gets a moment, then it is
            // stopped.
            drop(running.stdin);
            for _ in 0..50 {
                if matches!(running.child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = running.child.kill();
            let _ = running.child.wait();
        }
    }
}

/// An HTTP endpoint: each request is POSTed as JSON to the URL, and the answer is the
/// response body, which must come with status 200.
#[derive(Debug, Clone)]
pub struct HttpTarget {
    url: String,
}

impl HttpTarget {
    /// The endpoint at `url` (`http://host:port/path`).
    pub fn new(url: impl Into<String>) -> Self {
        HttpTarget { url: url.into() }
    }
}

impl Target for HttpTarget {
    fn answer(&mut self, request: &Request) -> Result<Answer, String> {
        let body = serde_json::to_string(request).map_err(|e| e.to_string())?;
        let (status, text) = http_post(&self.url, &[], &body)?;
        if status != 200 {
            return Err(format!("HTTP {status}: {text}"));
        }
        let value =
            serde_json::from_str(&text).map_err(|e| format!("the answer is not JSON: {e}"))?;
        Answer::from_json(value)
    }
}

/// POSTs `body` as `application/json` to a plain-HTTP `url` (`http://host[:port]/path`),
/// with extra `headers`, and returns the status and the body. One request per
/// connection; the body may be sent with a length or chunked.
pub fn http_post(url: &str, headers: &[(&str, &str)], body: &str) -> Result<(u16, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// URLs are supported"))?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, "/"),
    };
    let address = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let socket = address
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream = TcpStream::connect_timeout(&socket, ANSWER_TIMEOUT)
        .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    stream
        .set_read_timeout(Some(ANSWER_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(ANSWER_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut raw = Vec::new();
    stream
        .take(MAX_ANSWER_BYTES)
        .read_to_end(&mut raw)
        .map_err(|e| format!("cannot read the response: {e}"))?;
    parse_response(&raw)
}

/// Splits an HTTP/1.1 response into its status and body.
fn parse_response(raw: &[u8]) -> Result<(u16, String), String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the response has no end of headers")?;
    let (head, body) = raw.split_at(end);
    let body = body.get(4..).unwrap_or_default();
    let head = std::str::from_utf8(head).map_err(|_| "the response headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or("the response has no status")?;
    let chunked = lines.any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("transfer-encoding")
                && value.trim().eq_ignore_ascii_case("chunked")
        })
    });
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    let text = String::from_utf8(body).map_err(|_| "the response body is not UTF-8")?;
    Ok((status, text))
}

/// Decodes a chunked body (RFC 9112 §7.1), ignoring chunk extensions and trailers.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunk has no size line")?;
        let (size_line, rest) = body.split_at(line_end);
        let size_text = std::str::from_utf8(size_line).map_err(|_| "bad chunk size")?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| "bad chunk size")?;
        let rest = rest.get(2..).unwrap_or_default();
        if size == 0 {
            return Ok(out);
        }
        let chunk = rest.get(..size).ok_or("a chunk is cut short")?;
        out.extend_from_slice(chunk);
        body = rest.get(size + 2..).ok_or("a chunk is cut short")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_length_and_chunked_responses() {
        let plain = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(parse_response(plain), Ok((200, "{}".to_owned())));
        let chunked =
            b"HTTP/1.1 422 Unprocessable\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4;x=1\r\n\":1}\r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked), Ok((422, "{\"a\":1}".to_owned())));
        assert!(parse_response(b"HTTP/1.1 200 OK\r\n").is_err());
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
                .is_err()
        );
    }
}
