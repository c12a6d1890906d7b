//! What the credential tests observe the SDK with: a clock they set by hand, and a recorder of
//! everything the SDK logs (to check that no secret is in it).

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use aws_smithy_async::time::TimeSource;

/// The message of `err` and of every cause under it (`source()`), joined with `: `: what a logger
/// that walks the chain (anyhow's `{:#}`) prints, so what a test checks for secrets.
pub fn error_chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        let _ = write!(text, ": {next}");
        cause = next.source();
    }
    text
}

/// `seconds` after the Unix epoch.
pub fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

/// A clock the test moves by hand.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// A clock showing `seconds` after the epoch.
    pub fn at(seconds: u64) -> Self {
        Self(Arc::new(Mutex::new(at(seconds))))
    }

    /// Moves the clock to `seconds` after the epoch.
    pub fn set(&self, seconds: u64) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at(seconds);
    }
}

impl TimeSource for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Records every span and event, with all their fields, one line each.
#[derive(Debug, Default, Clone)]
pub struct LogCapture(Arc<Mutex<Vec<String>>>);

impl LogCapture {
    /// The recorder installed as the global subscriber of this test binary, so that it also
    /// hears the threads the SDK starts (credential fetches run on threads of their own).
    pub fn global() -> &'static LogCapture {
        static GLOBAL: OnceLock<LogCapture> = OnceLock::new();
        GLOBAL.get_or_init(|| {
            let capture = LogCapture::default();
            let _ = tracing::subscriber::set_global_default(capture.clone());
            capture
        })
    }

    /// Everything recorded so far, one line per span or event.
    pub fn text(&self) -> String {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).join("\n")
    }

    fn push(&self, line: String) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }
}

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl tracing::Subscriber for LogCapture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Fields(format!("span {}", span.metadata().name()));
        span.record(&mut fields);
        self.push(fields.0);
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = Fields("span fields".to_owned());
        values.record(&mut fields);
        self.push(fields.0);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields(format!("{} {}", event.metadata().level(), event.metadata().target()));
        event.record(&mut fields);
        self.push(fields.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}
