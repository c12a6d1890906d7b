//! (stub: filled by the resources/paginators/waiters issue)
