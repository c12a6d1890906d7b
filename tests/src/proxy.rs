//! A forwarding proxy on 127.0.0.1 in front of moto that loses one answer: the first request of
//! a chosen action is forwarded and applied by the server, and its answer is dropped (the
//! connection closes with nothing sent back), as when a network fails after EC2 acted.
//! Bounded: it serves at most 500 connections and at most 5 minutes, and stops when dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub struct LosingProxy {
    pub endpoint: String,
    actions: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LosingProxy {
    /// Forwards to `upstream` (`http://127.0.0.1:PORT`), losing the answer to the first request
    /// whose action is `lose_answer_to`.
    pub fn start(upstream: &str, lose_answer_to: &str) -> LosingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("a non-blocking listener");
        let port = listener.local_addr().expect("local addr").port();
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_string();
        let actions = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopping, target) = (actions.clone(), stop.clone(), format!("Action={lose_answer_to}&"));
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(300);
            let mut lost = false;
            let mut served = 0;
            while !stopping.load(Ordering::Relaxed) && Instant::now() < deadline && served < 500 {
                match listener.accept() {
                    Ok((client, _)) => {
                        served += 1;
                        let _ = forward(client, &upstream, &target, &mut lost, &log);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        LosingProxy { endpoint: format!("http://127.0.0.1:{port}"), actions, stop, thread: Some(thread) }
    }

    /// The action of every request forwarded, in order.
    pub fn actions(&self) -> Vec<String> {
        self.actions.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

impl Drop for LosingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one HTTP/1.1 message (headers and a Content-Length body) from `reader`.
fn read_message(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut message = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        message.extend_from_slice(line.as_bytes());
        if line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut body = vec![0; length.min(16 << 20)];
    reader.read_exact(&mut body)?;
    message.extend_from_slice(&body);
    Ok(message)
}

fn forward(
    client: TcpStream,
    upstream: &str,
    target: &str,
    lost: &mut bool,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let request = read_message(&mut BufReader::new(client.try_clone()?))?;
    let text = String::from_utf8_lossy(&request);
    let action = text.split("Action=").nth(1).and_then(|rest| rest.split('&').next()).unwrap_or_default();
    if let Ok(mut log) = log.lock() {
        log.push(action.to_string());
    }
    let lose = !*lost && text.contains(target);
    let mut server = TcpStream::connect(upstream)?;
    server.set_read_timeout(Some(Duration::from_secs(30)))?;
    server.write_all(&request)?;
    let answer = read_message(&mut BufReader::new(server))?;
    if lose {
        // The server applied the change; its answer never reaches the client.
        *lost = true;
        return Ok(());
    }
    // One request per connection: the client must not reuse it.
    let answer = close_after(answer);
    let mut client = client;
    client.write_all(&answer)?;
    client.flush()
}

/// The answer with `Connection: close` (added after the status line unless it says so already).
fn close_after(answer: Vec<u8>) -> Vec<u8> {
    let head_end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(answer.len());
    let head = String::from_utf8_lossy(&answer[..head_end]).to_ascii_lowercase();
    if head.contains("connection: close") {
        return answer;
    }
    let status_end = answer.windows(2).position(|w| w == b"\r\n").unwrap_or(0);
    let mut out = answer[..status_end].to_vec();
    out.extend_from_slice(b"\r\nConnection: close");
    out.extend_from_slice(&answer[status_end..]);
    out
}
