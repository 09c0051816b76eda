//! One page of a list and how many rows the whole list has: every list the API serves says its
//! total, counted in the same transaction and with the same filters as the page, so that no
//! list is ever cut without saying so.
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QuerySelect, Select};

/// Which slice of a list: `offset` rows skipped, at most `limit` kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageReq {
    pub offset: u64,
    pub limit: u64,
}

impl PageReq {
    /// The whole list (for the callers inside the domain that need every row).
    pub const ALL: PageReq = PageReq {
        offset: 0,
        limit: i64::MAX as u64,
    };

    pub fn new(offset: u64, limit: u64) -> Self {
        // Both end up as SQL integers: never past i64.
        Self {
            offset: offset.min(i64::MAX as u64),
            limit: limit.min(i64::MAX as u64),
        }
    }
}

impl Default for PageReq {
    fn default() -> Self {
        Self::ALL
    }
}

/// A page of rows and the number of rows of the whole list.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl<T> Paged<T> {
    /// The page of a list already read in full (lists filtered or sorted in memory).
    pub fn of_vec(all: Vec<T>, p: PageReq) -> Self {
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(usize::try_from(p.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(p.limit).unwrap_or(usize::MAX))
            .collect();
        Self { items, total }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
        }
    }
}

tokio::task_local! {
    /// Whether the lists read in this task must count their total (the default when unset).
    static TOTAL_WANTED: bool;
}

/// Runs `fut`, in which the lists read count their total only when `wanted`: a GraphQL list
/// whose `totalCount` the request does not select skips its `COUNT(*)` (one query less).
/// The totals it then returns are what the page shows (offset and rows), never to be shown.
pub async fn totals<F: std::future::Future>(wanted: bool, fut: F) -> F::Output {
    TOTAL_WANTED.scope(wanted, fut).await
}

fn total_wanted() -> bool {
    TOTAL_WANTED.try_with(|w| *w).unwrap_or(true)
}

/// The page of a `SELECT` and its `COUNT(*)`, both on the same connection (the caller's scoped
/// transaction), with the same filters. The page is read first: when it is the last one (some
/// rows, fewer than asked), its rows give the total and the count is not run.
pub async fn select<E, C>(c: &C, q: Select<E>, p: PageReq) -> Result<Paged<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let items = q.clone().offset(p.offset).limit(p.limit).all(c).await?;
    let seen = p.offset.saturating_add(items.len() as u64);
    let last = (items.len() as u64) < p.limit && (!items.is_empty() || p.offset == 0);
    let total = if last || !total_wanted() {
        seen
    } else {
        q.count(c).await?
    };
    Ok(Paged { items, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_of_a_vector_keeps_the_total() {
        let p = Paged::of_vec((0..105).collect::<Vec<_>>(), PageReq::new(100, 50));
        assert_eq!(p.total, 105);
        assert_eq!(p.items, vec![100, 101, 102, 103, 104]);
        let none = Paged::of_vec(vec![1, 2], PageReq::new(u64::MAX, u64::MAX));
        assert_eq!(none.total, 2);
        assert!(none.items.is_empty());
    }
}
