//! Decoding a large answer while it arrives: the async client hands the transport a
//! [`BodySink`] that starts the operation's decoder on a thread of its own as soon as a
//! successful answer announced longer than [`FREE_READ_ABOVE`] starts, and feeds it each chunk
//! as it comes, so that receiving and decoding overlap instead of following each other.
//!
//! The outcome is the one decoding the whole body afterwards would give: the decoder only
//! succeeds on a complete, well-formed document, and it only sees the end of the body when the
//! transport has received all of it ([`PipeSender::end`]); when the transport fails (or the call
//! is dropped), the pipe closes without that end and the transport's error is the call's. The
//! pipe holds little: the transport waits for the decoder, so the body is never held whole.

use super::body::{pipe, Body, PipeSender};
use super::http::BodySink;
use super::operation::Operation;
use super::response::{decode_document, read_response_body, Decoded, ResponseError, FREE_READ_ABOVE};
use super::xml::{Document, XmlError};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

/// The [`BodySink`] of one attempt of operation `O`.
pub(crate) struct ArrivingDecode<O: Operation> {
    state: State<O>,
}

enum State<O: Operation> {
    /// Not asked, or the answer is not one to decode while it arrives.
    Declined,
    /// Accepted: the first bytes, until there are enough to tell a byte order mark.
    Starting { status: u16, first: Body },
    /// The decoder runs: the chunks go to it.
    Running { status: u16, chunks: PipeSender, outcome: Handoff<Decoded<O>> },
    /// No thread could be started: the body is decoded once complete.
    Whole { status: u16, body: Body },
}

impl<O> ArrivingDecode<O>
where
    O: Operation + 'static,
    O::Output: Send + 'static,
{
    pub(crate) fn new() -> Self {
        Self { state: State::Declined }
    }

    /// After the transport answered: the decoded answer if the sink took its body (the
    /// transport's response then has an empty body), else `None`.
    pub(crate) async fn finish(self) -> Option<Decoded<O>> {
        match self.state {
            State::Declined => None,
            State::Starting { status, first } => Some(read_response_body::<O>(status, first)),
            State::Whole { status, body } => Some(read_response_body::<O>(status, body)),
            State::Running { status, chunks, outcome } => {
                // The decoder only trusts a body that ends with this.
                chunks.end();
                Some(outcome.await.unwrap_or_else(|| {
                    let error = XmlError::new("the decoder stopped before the end of the answer", None);
                    let error = ResponseError::Decode { operation: O::NAME, http_status: status, error };
                    Err(Box::new((error, Body::new())))
                }))
            }
        }
    }

    fn start(status: u16, first: Body) -> State<O> {
        let (chunks, incoming) = pipe();
        let (give, outcome) = handoff();
        let decoder = move || {
            let document = Document::from_arriving(first, incoming);
            give.give(decode_document::<O>(document, status));
        };
        // The stack of a main thread: the decoders recurse once per level of nesting.
        let thread = std::thread::Builder::new().name("ec2-sg-decode".into()).stack_size(8 << 20);
        match thread.spawn(decoder) {
            Ok(_) => State::Running { status, chunks, outcome },
            // The closure, and the first bytes with it, were dropped: the transport goes on and
            // the body is decoded whole. (The first bytes are kept below for that.)
            Err(_) => State::Whole { status, body: Body::new() },
        }
    }
}

impl<O> BodySink for ArrivingDecode<O>
where
    O: Operation + 'static,
    O::Output: Send + 'static,
{
    fn accept(&mut self, status: u16, content_length: Option<u64>) -> bool {
        let large = content_length.is_some_and(|length| length > FREE_READ_ABOVE as u64);
        if (200..300).contains(&status) && large {
            self.state = State::Starting { status, first: Body::new() };
            return true;
        }
        false
    }

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.state {
            State::Running { chunks, .. } => chunks.poll_ready(cx),
            _ => Poll::Ready(()),
        }
    }

    fn push(&mut self, chunk: bytes::Bytes) {
        match &mut self.state {
            State::Declined => {}
            State::Starting { status, first } => {
                first.push(chunk);
                // Three bytes tell whether the body starts with a byte order mark.
                if first.len() >= 3 {
                    let (status, first) = (*status, std::mem::take(first));
                    self.state = match Self::start(status, first.clone()) {
                        State::Whole { .. } => State::Whole { status, body: first },
                        running => running,
                    };
                }
            }
            // A decoder that has stopped still takes the rest, for its error; one that has
            // returned needs nothing more.
            State::Running { chunks, .. } => chunks.send(chunk),
            State::Whole { body, .. } => body.push(chunk),
        }
    }
}

/// A value handed from a thread to a task that awaits it (a one-shot channel).
struct Handoff<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

struct Giver<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

struct Slot<T> {
    value: Option<T>,
    /// The giver is gone: with no value, none will come.
    closed: bool,
    waker: Option<Waker>,
}

fn handoff<T>() -> (Giver<T>, Handoff<T>) {
    let slot = Arc::new(Mutex::new(Slot { value: None, closed: false, waker: None }));
    (Giver { slot: slot.clone() }, Handoff { slot })
}

impl<T> Giver<T> {
    fn give(self, value: T) {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner).value = Some(value);
        // Dropping `self` wakes the receiver.
    }
}

impl<T> Drop for Giver<T> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
            slot.closed = true;
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Future for Handoff<T> {
    /// `None` if the giver went away without a value (the decoder panicked).
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = slot.value.take() {
            return Poll::Ready(Some(value));
        }
        if slot.closed {
            return Poll::Ready(None);
        }
        slot.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}
