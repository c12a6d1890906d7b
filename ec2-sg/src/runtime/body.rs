//! A response body as the transport received it: a list of chunks, never copied into one buffer.
//! The decoder reads the chunks in order and, for a large answer, frees each one once read, so a
//! 13 MB page and its decoded output are not both held whole at the same time.

use bytes::Bytes;
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// A body handed from the task that receives it to a thread that reads it while it arrives,
/// holding at most [`PIPE_BYTES`] not yet read: the transport waits for the reader beyond that
/// (the rest stays in the connection), so a body is never held whole on top of what is made of
/// it. The reader only sees the end of the body if the sender says so ([`PipeSender::end`]);
/// a sender dropped before that cut the body off.
pub(crate) fn pipe() -> (PipeSender, PipeReceiver) {
    let shared = Arc::new(Pipe {
        state: Mutex::new(PipeState {
            chunks: VecDeque::new(),
            held: 0,
            end: false,
            sender_gone: false,
            receiver_gone: false,
            waker: None,
        }),
        arrived: Condvar::new(),
    });
    (PipeSender { pipe: shared.clone() }, PipeReceiver { pipe: shared })
}

/// What a pipe holds at most before the sender waits.
pub(crate) const PIPE_BYTES: usize = 256 << 10;

struct Pipe {
    state: Mutex<PipeState>,
    /// Signalled when a chunk, the end, or the sender's departure is there for the receiver.
    arrived: Condvar,
}

struct PipeState {
    chunks: VecDeque<Bytes>,
    /// Bytes in `chunks`.
    held: usize,
    end: bool,
    sender_gone: bool,
    receiver_gone: bool,
    /// The sender waiting for room.
    waker: Option<Waker>,
}

impl Pipe {
    fn lock(&self) -> MutexGuard<'_, PipeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The receiving task's end of a [`pipe`].
pub(crate) struct PipeSender {
    pipe: Arc<Pipe>,
}

impl PipeSender {
    /// Ready when the pipe has room for another chunk (or nobody reads it any more).
    pub(crate) fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.pipe.lock();
        if state.held < PIPE_BYTES || state.receiver_gone {
            return Poll::Ready(());
        }
        state.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Hands over the next chunk (dropped if nobody reads any more).
    pub(crate) fn send(&mut self, chunk: Bytes) {
        let mut state = self.pipe.lock();
        if !state.receiver_gone && !chunk.is_empty() {
            state.held += chunk.len();
            state.chunks.push_back(chunk);
            self.pipe.arrived.notify_one();
        }
    }

    /// The body is complete.
    pub(crate) fn end(self) {
        self.pipe.lock().end = true;
        // Dropping `self` wakes the receiver.
    }
}

impl Drop for PipeSender {
    fn drop(&mut self) {
        self.pipe.lock().sender_gone = true;
        self.pipe.arrived.notify_one();
    }
}

/// The reading thread's end of a [`pipe`].
pub(crate) struct PipeReceiver {
    pipe: Arc<Pipe>,
}

impl PipeReceiver {
    /// The next chunk; `Ok(None)` at the end of the body, an error if it was cut off.
    fn recv(&mut self) -> io::Result<Option<Bytes>> {
        let mut state = self.pipe.lock();
        loop {
            if let Some(chunk) = state.chunks.pop_front() {
                state.held -= chunk.len();
                if let Some(waker) = state.waker.take() {
                    waker.wake();
                }
                return Ok(Some(chunk));
            }
            if state.end {
                return Ok(None);
            }
            if state.sender_gone {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the answer was cut off"));
            }
            state = self.pipe.arrived.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Drop for PipeReceiver {
    fn drop(&mut self) {
        let waker = {
            let mut state = self.pipe.lock();
            state.receiver_gone = true;
            state.chunks.clear();
            state.held = 0;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// An HTTP response body: the bytes in the chunks they arrived in.
#[derive(Clone, Default)]
pub struct Body {
    chunks: VecDeque<Bytes>,
    len: usize,
}

impl Body {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a chunk (empty chunks are dropped).
    pub fn push(&mut self, chunk: impl Into<Bytes>) {
        let chunk = chunk.into();
        if !chunk.is_empty() {
            self.len += chunk.len();
            self.chunks.push_back(chunk);
        }
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the body has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunks, in order.
    pub fn chunks(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.chunks.iter().map(|chunk| chunk.as_ref())
    }

    /// The bytes in one slice: borrowed when the body is one chunk, else copied once.
    pub fn contiguous(&self) -> std::borrow::Cow<'_, [u8]> {
        match self.chunks.len() {
            0 => std::borrow::Cow::Borrowed(&[]),
            1 => std::borrow::Cow::Borrowed(&self.chunks[0]),
            _ => std::borrow::Cow::Owned(self.to_vec()),
        }
    }

    /// A copy of the bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len);
        for chunk in &self.chunks {
            out.extend_from_slice(chunk);
        }
        out
    }

    /// The bytes as a `Vec`, without a copy when the body is one chunk that nothing else shares.
    pub fn into_vec(mut self) -> Vec<u8> {
        if self.chunks.len() == 1 {
            if let Some(chunk) = self.chunks.pop_front() {
                return Vec::from(chunk);
            }
        }
        self.to_vec()
    }

    /// A reader over the chunks. With `free_read`, each chunk is dropped once read past, and
    /// [`ChunkReader::into_body`] gives back only what was not yet read; otherwise it gives back
    /// the whole body.
    pub(crate) fn into_reader(self, free_read: bool) -> ChunkReader {
        ChunkReader {
            total: self.len,
            pending: self.chunks,
            position: 0,
            read: VecDeque::new(),
            free_read,
            freed: false,
            incoming: None,
        }
    }

    /// A reader over these chunks and then those that arrive on `incoming` until its end; each
    /// chunk is freed once read.
    pub(crate) fn into_arriving_reader(self, incoming: PipeReceiver) -> ChunkReader {
        let mut reader = self.into_reader(true);
        reader.incoming = Some(incoming);
        reader
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.chunks().flatten().eq(other.chunks().flatten())
    }
}

impl Eq for Body {}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.contiguous()) {
            Ok(text) => fmt::Debug::fmt(text, f),
            Err(_) => write!(f, "<{} bytes, not UTF-8>", self.len),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        let mut body = Body::new();
        body.push(bytes);
        body
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        text.into_bytes().into()
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Self {
        text.as_bytes().into()
    }
}

impl From<&[u8]> for Body {
    fn from(bytes: &[u8]) -> Self {
        bytes.to_vec().into()
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        let mut body = Body::new();
        body.push(bytes);
        body
    }
}

/// Reads a [`Body`] chunk by chunk (`BufRead`, so that the XML reader reads from the chunks in place).
pub(crate) struct ChunkReader {
    /// Chunks not yet read to their end; the front one is being read from `position`.
    pending: VecDeque<Bytes>,
    position: usize,
    /// Chunks read to their end and kept (when not `free_read`).
    read: VecDeque<Bytes>,
    free_read: bool,
    /// Some chunk has been dropped: the body can no longer be given back whole.
    freed: bool,
    /// The bytes of the body so far (all of it once the last chunk has arrived).
    total: usize,
    /// Where the rest of a body still arriving comes from.
    incoming: Option<PipeReceiver>,
}

impl ChunkReader {
    /// The body back: whole if no chunk was freed, else from the chunk being read onwards.
    /// A body still arriving is received to its end (or to where it was cut off) first. Also
    /// gives the length of the whole body.
    pub(crate) fn into_body(mut self) -> (Body, usize) {
        while self.receive().is_ok_and(|more| more) {}
        let mut body = Body::new();
        for chunk in self.read.into_iter().chain(self.pending) {
            body.push(chunk);
        }
        (body, self.total)
    }

    /// Waits for the next chunk of a body still arriving and queues it: `Ok(false)` once the
    /// body is complete, an error if the transport stopped before its end.
    fn receive(&mut self) -> io::Result<bool> {
        let Some(incoming) = &mut self.incoming else { return Ok(false) };
        match incoming.recv() {
            Ok(Some(chunk)) => {
                self.total += chunk.len();
                self.pending.push_back(chunk);
                Ok(true)
            }
            Ok(None) => {
                self.incoming = None;
                Ok(false)
            }
            Err(error) => {
                self.incoming = None;
                Err(error)
            }
        }
    }

    /// Skips `prefix` (a BOM) if the body starts with it, wherever the chunks split it.
    pub(crate) fn skip_prefix(&mut self, prefix: &[u8]) {
        let starts_with = self.pending.iter().flat_map(|chunk| chunk.iter()).take(prefix.len()).eq(prefix.iter());
        if starts_with {
            for _ in prefix {
                self.consume(1);
            }
        }
    }

    /// Whether [`Self::into_body`] would give back less than the whole body.
    pub(crate) fn freed(&self) -> bool {
        self.freed
    }
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ChunkReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pending.is_empty() {
            self.receive()?;
        }
        Ok(match self.pending.front() {
            Some(chunk) => &chunk[self.position..],
            None => &[],
        })
    }

    fn consume(&mut self, amount: usize) {
        let Some(front) = self.pending.front() else { return };
        self.position = (self.position + amount).min(front.len());
        if self.position == front.len() {
            self.position = 0;
            if let Some(done) = self.pending.pop_front() {
                if self.free_read {
                    self.freed = true;
                } else {
                    self.read.push_back(done);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(parts: &[&str]) -> Body {
        let mut body = Body::new();
        for part in parts {
            body.push(part.as_bytes().to_vec());
        }
        body
    }

    #[test]
    fn equality_and_copies_ignore_chunking() {
        let body = chunked(&["<a>", "", "text", "</a>"]);
        assert_eq!(body.len(), 11);
        assert_eq!(body, Body::from("<a>text</a>"));
        assert_eq!(body.to_vec(), b"<a>text</a>");
        assert_eq!(body.contiguous().as_ref(), b"<a>text</a>");
        assert_eq!(body.clone().into_vec(), b"<a>text</a>");
        assert_eq!(format!("{body:?}"), "\"<a>text</a>\"");
        assert_ne!(body, Body::from("<a>text</b>"));
    }

    #[test]
    fn reading_keeps_or_frees_the_chunks_read() {
        for free_read in [false, true] {
            let mut reader = chunked(&["ab", "cd", "ef"]).into_reader(free_read);
            let mut first = [0u8; 3];
            reader.read_exact(&mut first).unwrap();
            assert_eq!(&first, b"abc");
            assert_eq!(reader.freed(), free_read);
            let (rest, total) = reader.into_body();
            assert_eq!(total, 6);
            if free_read {
                // The chunk being read is given back whole: it holds where reading stopped.
                assert_eq!(rest.to_vec(), b"cdef");
            } else {
                assert_eq!(rest.to_vec(), b"abcdef");
            }
        }
        let mut all = Vec::new();
        chunked(&["x", "yz", ""]).into_reader(true).read_to_end(&mut all).unwrap();
        assert_eq!(all, b"xyz");
        // A BOM is skipped even when split across chunks; other starts are left alone.
        let bom_split: [&[u8]; 3] = [b"\xef", b"\xbb\xbf<a", b"/>"];
        for parts in [&[&b"\xef\xbb\xbf<a/>"[..]][..], &bom_split[..], &[&b"<a/>"[..]][..]] {
            let mut body = Body::new();
            for part in parts {
                body.push(part.to_vec());
            }
            let mut reader = body.into_reader(false);
            reader.skip_prefix(b"\xef\xbb\xbf");
            let mut rest = Vec::new();
            reader.read_to_end(&mut rest).unwrap();
            assert_eq!(rest, b"<a/>");
        }
    }
}
