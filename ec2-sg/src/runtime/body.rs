//! A response body as the transport received it: a list of chunks, never copied into one buffer.
//! The decoder reads the chunks in order and, for a large answer, frees each one once read, so a
//! 13 MB page and its decoded output are not both held whole at the same time.

use bytes::Bytes;
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, Read};

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
            current: Bytes::new(),
            position: 0,
            pending: self.chunks,
            read: VecDeque::new(),
            free_read,
            freed: false,
            to_free: Vec::new(),
            to_free_bytes: 0,
        }
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
    /// The chunk being read, from `position`; the next one is taken when it has been read to
    /// its end and more is asked for.
    current: Bytes,
    position: usize,
    /// Chunks not yet started.
    pending: VecDeque<Bytes>,
    /// Chunks read to their end and kept (when not `free_read`).
    read: VecDeque<Bytes>,
    free_read: bool,
    /// Some chunk has been dropped: the body can no longer be given back whole.
    freed: bool,
    /// Chunks read and not yet dropped: they are dropped together once they hold
    /// [`FREE_TOGETHER`] bytes, which spares the allocator work on each one.
    to_free: Vec<Bytes>,
    to_free_bytes: usize,
}

/// Chunks read are freed 256 KiB at a time: glibc consolidates its free lists on every free of
/// a large block, and chunks freed next to each other are one large block.
const FREE_TOGETHER: usize = 256 << 10;

impl ChunkReader {
    /// The body back: whole if no chunk was freed, else from the chunk being read onwards.
    pub(crate) fn into_body(self) -> Body {
        let mut body = Body::new();
        for chunk in self.read.into_iter().chain(std::iter::once(self.current)).chain(self.pending) {
            body.push(chunk);
        }
        body
    }

    /// Moves on to the next chunk once the current one has been read: freed or kept, as asked.
    #[cold]
    fn next_chunk(&mut self) {
        let done = std::mem::take(&mut self.current);
        self.position = 0;
        if !done.is_empty() {
            if self.free_read {
                self.freed = true;
                self.to_free_bytes += done.len();
                self.to_free.push(done);
                if self.to_free_bytes >= FREE_TOGETHER {
                    self.to_free.clear();
                    self.to_free_bytes = 0;
                }
            } else {
                self.read.push_back(done);
            }
        }
        while let Some(chunk) = self.pending.pop_front() {
            if !chunk.is_empty() {
                self.current = chunk;
                return;
            }
        }
    }

    /// Skips `prefix` (a BOM) if the body starts with it, wherever the chunks split it.
    pub(crate) fn skip_prefix(&mut self, prefix: &[u8]) {
        let starts_with = self.pending.iter().flat_map(|chunk| chunk.iter()).take(prefix.len()).eq(prefix.iter());
        if starts_with {
            for _ in prefix {
                if self.fill_buf().is_ok() {
                    self.consume(1);
                }
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
    #[inline]
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.position >= self.current.len() {
            self.next_chunk();
        }
        Ok(self.current.get(self.position..).unwrap_or_default())
    }

    #[inline]
    fn consume(&mut self, amount: usize) {
        self.position = (self.position + amount).min(self.current.len());
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
            let rest = reader.into_body();
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
