//! Lazily following `NextToken` across pages: an async [`PaginationStream`] (a
//! `futures_core::Stream`, also usable with `while let Some(x) = stream.next().await`) and a
//! blocking [`PageIter`]. Generated paginators and resource collections are built on these.

use super::http::BoxFuture;
use super::sdk_error::Error;
use futures_core::Stream;
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Where a paginated listing stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cursor {
    /// No page fetched yet.
    Start,
    /// The next page starts at this token.
    Next(String),
    /// No more pages (or an error ended the listing).
    Done,
}

impl Cursor {
    /// The cursor after a page that answered `token`. An absent or empty token ends the listing,
    /// and so does the token just sent: a service that repeats it would otherwise loop forever.
    fn after(&self, token: Option<String>) -> Cursor {
        match token {
            Some(t) if !t.is_empty() && *self != Cursor::Next(t.clone()) => Cursor::Next(t),
            _ => Cursor::Done,
        }
    }

    fn token(&self) -> Option<String> {
        match self {
            Cursor::Next(t) => Some(t.clone()),
            _ => None,
        }
    }
}

type FetchPage<T, E> = Box<dyn FnMut(Option<String>) -> BoxFuture<'static, Result<T, E>> + Send>;

/// A stream of pages (or, after [`PaginationStream::items`], of items), fetched one at a time,
/// only when asked for. An error is yielded once and ends the stream. The error type is the
/// operation's `SdkError` for a paginator, as in aws-sdk-rust, and the crate's [`Error`] for a
/// resource collection.
pub struct PaginationStream<T, E = Error> {
    inner: Pin<Box<dyn Stream<Item = Result<T, E>> + Send>>,
}

impl<T: Send + 'static, E: Send + 'static> PaginationStream<T, E> {
    /// Pages fetched by `fetch(token)`, where `next_token` reads a page's next token.
    pub fn pages(
        fetch: impl FnMut(Option<String>) -> BoxFuture<'static, Result<T, E>> + Send + 'static,
        next_token: fn(&T) -> Option<String>,
    ) -> Self {
        Self {
            inner: Box::pin(PageStream { fetch: Box::new(fetch), next_token, cursor: Cursor::Start, pending: None }),
        }
    }

    /// The next page or item; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<T, E>> {
        std::future::poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }

    /// The next page or item, or the error that ends the stream (`Ok(None)` at the end), as
    /// aws-smithy-async's `PaginationStream::try_next`.
    pub async fn try_next(&mut self) -> Result<Option<T>, E> {
        self.next().await.transpose()
    }

    /// Every remaining result, gathered into any collection of them, as aws-smithy-async's
    /// `PaginationStream::collect`: `collect::<Result<Vec<_>, _>>()` stops at the first error,
    /// `collect::<Vec<_>>()` keeps it as the last element.
    pub async fn collect<C: FromIterator<Result<T, E>>>(mut self) -> C {
        let mut all = Vec::new();
        while let Some(next) = self.next().await {
            all.push(next);
        }
        all.into_iter().collect()
    }

    /// Every remaining page or item, or the first error.
    pub async fn try_collect(mut self) -> Result<Vec<T>, E> {
        let mut all = Vec::new();
        while let Some(next) = self.try_next().await? {
            all.push(next);
        }
        Ok(all)
    }

    /// The items of each page, in order (`items_of` picks them out of a page).
    pub fn items<I: Send + 'static>(
        self,
        items_of: impl FnMut(T) -> Vec<I> + Send + 'static,
    ) -> PaginationStream<I, E> {
        let items_of = Box::new(items_of);
        PaginationStream { inner: Box::pin(ItemStream { pages: self, items_of, buffer: VecDeque::new() }) }
    }

    /// At most `limit` entries; no page is fetched once they are in.
    pub fn limit(self, limit: usize) -> PaginationStream<T, E> {
        PaginationStream { inner: Box::pin(Limited { inner: self, left: limit }) }
    }
}

impl<T, E> Stream for PaginationStream<T, E> {
    type Item = Result<T, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T, E> std::fmt::Debug for PaginationStream<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PaginationStream")
    }
}

struct PageStream<T, E> {
    fetch: FetchPage<T, E>,
    next_token: fn(&T) -> Option<String>,
    cursor: Cursor,
    pending: Option<BoxFuture<'static, Result<T, E>>>,
}

impl<T, E> Stream for PageStream<T, E> {
    type Item = Result<T, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // PageStream is Unpin (boxed futures and plain data), so its fields can be used directly.
        let this = self.get_mut();
        if this.pending.is_none() {
            if this.cursor == Cursor::Done {
                return Poll::Ready(None);
            }
            this.pending = Some((this.fetch)(this.cursor.token()));
        }
        let Some(pending) = this.pending.as_mut() else { return Poll::Ready(None) };
        match pending.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                this.pending = None;
                this.cursor = match &result {
                    Ok(page) => this.cursor.after((this.next_token)(page)),
                    Err(_) => Cursor::Done,
                };
                Poll::Ready(Some(result))
            }
        }
    }
}

struct ItemStream<T, I, E> {
    pages: PaginationStream<T, E>,
    items_of: Box<dyn FnMut(T) -> Vec<I> + Send>,
    buffer: VecDeque<I>,
}

// Items are only ever moved out of the buffer, never pinned.
impl<T, I, E> Unpin for ItemStream<T, I, E> {}

impl<T, I, E> Stream for ItemStream<T, I, E> {
    type Item = Result<I, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match this.pages.inner.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => this.buffer.extend((this.items_of)(page)),
            }
        }
    }
}

struct Limited<T, E> {
    inner: PaginationStream<T, E>,
    left: usize,
}

impl<T, E> Stream for Limited<T, E> {
    type Item = Result<T, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.left == 0 {
            return Poll::Ready(None);
        }
        let next = this.inner.inner.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Ok(_))) = &next {
            this.left -= 1;
        }
        next
    }
}

/// The blocking counterpart of [`PaginationStream`]: an iterator of pages or items.
pub struct PageIter<T, E = Error> {
    inner: Box<dyn Iterator<Item = Result<T, E>> + Send>,
}

impl<T: Send + 'static, E: Send + 'static> PageIter<T, E> {
    /// Pages fetched by `fetch(token)`, where `next_token` reads a page's next token.
    pub fn pages(
        fetch: impl FnMut(Option<String>) -> Result<T, E> + Send + 'static,
        next_token: fn(&T) -> Option<String>,
    ) -> Self {
        let mut fetch = fetch;
        let mut cursor = Cursor::Start;
        let iter = std::iter::from_fn(move || {
            if cursor == Cursor::Done {
                return None;
            }
            let result = fetch(cursor.token());
            cursor = match &result {
                Ok(page) => cursor.after(next_token(page)),
                Err(_) => Cursor::Done,
            };
            Some(result)
        });
        Self { inner: Box::new(iter) }
    }

    /// The items of each page, in order.
    pub fn items<I: Send + 'static>(self, items_of: impl FnMut(T) -> Vec<I> + Send + 'static) -> PageIter<I, E> {
        let mut pages = self.inner;
        let mut items_of = items_of;
        let mut buffer = VecDeque::new();
        let iter = std::iter::from_fn(move || loop {
            if let Some(item) = buffer.pop_front() {
                return Some(Ok(item));
            }
            match pages.next()? {
                Ok(page) => buffer.extend(items_of(page)),
                Err(e) => return Some(Err(e)),
            }
        });
        PageIter { inner: Box::new(iter) }
    }

    /// At most `limit` entries; no page is fetched once they are in.
    pub fn limit(self, limit: usize) -> PageIter<T, E> {
        let mut inner = self.inner;
        let mut left = limit;
        let iter = std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            let next = inner.next();
            if let Some(Ok(_)) = &next {
                left -= 1;
            }
            next
        });
        PageIter { inner: Box::new(iter) }
    }
}

impl<T, E> Iterator for PageIter<T, E> {
    type Item = Result<T, E>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

impl<T, E> std::fmt::Debug for PageIter<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PageIter")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Pages `[0,1] [2,3] [4]` linked by tokens "p2", "p3"; counts fetches.
    fn fetcher(fetches: Arc<AtomicUsize>) -> impl FnMut(Option<String>) -> Result<(Vec<u32>, Option<String>), Error> {
        move |token| {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok(match token.as_deref() {
                None => (vec![0, 1], Some("p2".into())),
                Some("p2") => (vec![2, 3], Some("p3".into())),
                Some("p3") => (vec![4], None),
                Some(other) => return Err(Error::configuration(format!("unexpected token {other}"))),
            })
        }
    }

    fn token(page: &(Vec<u32>, Option<String>)) -> Option<String> {
        page.1.clone()
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        // The fetchers here are ready at once; a no-op waker is enough.
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        loop {
            if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
                return value;
            }
        }
    }

    /// A page of [`fetcher`]: its items and the next token.
    type Page = (Vec<u32>, Option<String>);

    /// The async stream over [`fetcher`]'s pages, with its fetch count.
    fn async_pages() -> (Arc<AtomicUsize>, PaginationStream<Page>) {
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut fetch = fetcher(fetches.clone());
        let stream = PaginationStream::pages(
            move |t| {
                let page = fetch(t);
                Box::pin(async move { page })
            },
            token,
        );
        (fetches, stream)
    }

    #[test]
    fn async_pages_items_and_limit_are_lazy() {
        let (fetches, stream) = async_pages();
        let items = block_on(stream.items(|p| p.0).try_collect()).unwrap();
        assert_eq!(items, [0, 1, 2, 3, 4]);
        assert_eq!(fetches.load(Ordering::SeqCst), 3);

        let (fetches, stream) = async_pages();
        let first_three = block_on(stream.items(|p| p.0).limit(3).try_collect()).unwrap();
        assert_eq!(first_three, [0, 1, 2]);
        assert_eq!(fetches.load(Ordering::SeqCst), 2, "the third page is never fetched");
    }

    #[test]
    fn blocking_pages_and_a_repeated_token_ends_the_listing() {
        let fetches = Arc::new(AtomicUsize::new(0));
        let pages: Vec<_> = PageIter::pages(fetcher(fetches.clone()), token).collect::<Result<_, _>>().unwrap();
        assert_eq!(pages.len(), 3);
        let looping: PageIter<_> = PageIter::pages(|_| Ok((vec![1u32], Some("same".to_string()))), token);
        assert_eq!(looping.count(), 2, "the second page repeats the token it was sent: stop");
    }

    #[test]
    fn an_error_is_yielded_once_and_ends_the_stream() {
        let mut calls = 0;
        let pages = PageIter::pages(
            move |_| {
                calls += 1;
                if calls == 1 {
                    Ok((vec![1u32], Some("next".to_string())))
                } else {
                    Err(Error::configuration("boom"))
                }
            },
            token,
        );
        let results: Vec<_> = pages.items(|p| p.0).collect();
        assert_eq!(results.len(), 2);
        assert!(results[1].is_err());
    }
}
