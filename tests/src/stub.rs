//! A scripted HTTP/1.1 server on 127.0.0.1: answers each request with the next response of its
//! script and records what it was sent. Bounded: it serves at most the scripted responses and
//! stops when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// An EC2 error document with this code, message and request id `req-{code}`.
pub fn error_body(code: &str, message: &str) -> String {
    format!(
        "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>\
         <RequestID>req-{code}</RequestID></Response>"
    )
}

/// The standard retry mode with `attempts` attempts and millisecond backoff, so that retry
/// tests take milliseconds.
pub fn fast_retries(attempts: u32) -> ec2_sg::config::RetryConfig {
    ec2_sg::config::RetryConfig::standard()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

/// A configuration for an endpoint on 127.0.0.1 where nothing listens (a listener bound, then
/// dropped): every connection is refused.
pub fn refused_endpoint_config() -> ec2_sg::ConfigBuilder {
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(9);
    ec2_sg::Config::builder()
        .env(crate::moto::isolated_env())
        .region("us-east-1")
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials(ec2_sg::Credentials::from_keys("AKID", "SECRET", None))
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// Wait this long before answering (to trigger timeouts).
    pub delay: Duration,
    /// More headers, after Content-Type.
    pub headers: Vec<(String, String)>,
    /// Send no Content-Length: the body ends when the connection closes.
    pub omit_length: bool,
    /// Send the headers and this many bytes of the body, wait `stall`, then close the connection
    /// without sending the rest (a stalled or reset answer).
    pub cut_after: Option<usize>,
    pub stall: Duration,
}

impl Reply {
    pub fn xml(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: "text/xml;charset=UTF-8",
            body: body.to_string(),
            delay: Duration::ZERO,
            headers: Vec::new(),
            omit_length: false,
            cut_after: None,
            stall: Duration::ZERO,
        }
    }

    pub fn json(status: u16, body: &str) -> Self {
        Self { content_type: "application/json", ..Self::xml(status, body) }
    }

    pub fn text(status: u16, body: &str) -> Self {
        Self { content_type: "text/plain", ..Self::xml(status, body) }
    }

    pub fn html(status: u16, body: &str) -> Self {
        Self { content_type: "text/html", ..Self::xml(status, body) }
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn without_length(mut self) -> Self {
        self.omit_length = true;
        self
    }

    /// Sends `bytes` bytes of the body, waits `stall`, then closes the connection.
    pub fn cut_after(mut self, bytes: usize, stall: Duration) -> Self {
        self.cut_after = Some(bytes);
        self.stall = stall;
        self
    }
}

/// A request the stub received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub struct Stub {
    pub endpoint: String,
    received: Arc<Mutex<Vec<Received>>>,
    thread: Option<JoinHandle<()>>,
    port: u16,
}

impl Stub {
    /// Starts serving `script`, one reply per connection-request, in order.
    pub fn start(script: Vec<Reply>) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let thread = std::thread::spawn(move || {
            // Each connection on its own thread: a slow answer must not hold up the next attempt.
            let mut workers = Vec::new();
            for reply in script {
                let Ok((stream, _)) = listener.accept() else { break };
                let log = log.clone();
                workers.push(std::thread::spawn(move || {
                    let _ = serve_one(stream, &reply, &log);
                }));
            }
            for worker in workers {
                let _ = worker.join();
            }
        });
        Stub { endpoint: format!("http://127.0.0.1:{port}"), received, thread: Some(thread), port }
    }

    /// What the stub has been sent so far.
    /// A client configuration for this stub: the test environment (no AWS variables or shared
    /// files), us-east-1, and fixed test keys.
    pub fn config(&self) -> ec2_sg::ConfigBuilder {
        ec2_sg::Config::builder()
            .env(crate::moto::isolated_env())
            .region("us-east-1")
            .endpoint_url(&self.endpoint)
            .credentials(ec2_sg::Credentials::from_keys("AKID", "SECRET", None))
    }

    /// An async client with [`Self::config`].
    pub fn client(&self) -> ec2_sg::Client {
        ec2_sg::Client::from_conf(self.config().build().expect("the stub configuration builds"))
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        // Unblock `accept` with connections that end at once, so the thread finishes.
        for _ in 0..64 {
            if self.thread.as_ref().is_some_and(|t| t.is_finished()) {
                break;
            }
            let _ = TcpStream::connect(("127.0.0.1", self.port));
            std::thread::sleep(Duration::from_millis(5));
        }
        if let Some(thread) = self.thread.take() {
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

fn serve_one(stream: TcpStream, reply: &Reply, log: &Mutex<Vec<Received>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body)?;
    if let Ok(mut log) = log.lock() {
        log.push(Received { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() });
    }
    std::thread::sleep(reply.delay);
    let mut stream = stream;
    write!(stream, "HTTP/1.1 {} X\r\nContent-Type: {}\r\n", reply.status, reply.content_type)?;
    for (name, value) in &reply.headers {
        write!(stream, "{name}: {value}\r\n")?;
    }
    if !reply.omit_length {
        write!(stream, "Content-Length: {}\r\n", reply.body.len())?;
    }
    write!(stream, "Connection: close\r\n\r\n")?;
    match reply.cut_after {
        None => stream.write_all(reply.body.as_bytes())?,
        Some(bytes) => {
            stream.write_all(&reply.body.as_bytes()[..bytes.min(reply.body.len())])?;
            stream.flush()?;
            std::thread::sleep(reply.stall);
        }
    }
    stream.flush()
}
