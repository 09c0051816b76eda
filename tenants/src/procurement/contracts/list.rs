//! Lists of contracts: filters, sorts and pages, the ones to renew or re-tender soon, and the
//! shares of a joint procurement.
use super::*;

#[derive(Debug, Clone, Default)]
pub struct ContractFilter {
    pub tenant_ids: Option<Vec<Uuid>>,
    pub status: Option<Status>,
    /// CPV class (first four digits) or any prefix of a code.
    pub cpv_prefix: Option<String>,
    pub supplier_id: Option<Uuid>,
    pub joint: Option<bool>,
    /// Words found in the reference, the object or the CPV code and label (case and accents
    /// ignored).
    pub search: Option<String>,
    pub sort: ContractSort,
    pub descending: bool,
    pub offset: u64,
    pub limit: u64,
}

/// The columns a list of contracts is sorted by (on what the amendments made of them).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum ContractSort {
    /// The buyer's reference: the default.
    #[default]
    Reference,
    Object,
    NotifiedOn,
    EndOn,
    AwardedCents,
    Status,
}

/// Contracts within the scope (filters are computed on what the amendments made of them): the
/// page `f.offset`, `f.limit`.
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &ContractFilter,
    today: NaiveDate,
) -> Result<Vec<Contract>, ProcurementError> {
    Ok(page(db, scope, f, today).await?.items)
}

/// One page of the contracts the filter keeps, sorted, and how many it keeps in all.
pub async fn page(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &ContractFilter,
    today: NaiveDate,
) -> Result<Paged<Contract>, ProcurementError> {
    if let Some(p) = &f.cpv_prefix {
        if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "cpvPrefix",
                "De 1 à 8 chiffres, par exemple une classe CPV comme 7226.",
            ));
        }
    }
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<proc_contract::Entity>();
    if let Some(ids) = &f.tenant_ids {
        q = q.filter(proc_contract::Column::TenantId.is_in(ids.clone()));
    }
    if let Some(p) = &f.cpv_prefix {
        q = q.filter(proc_contract::Column::Cpv.starts_with(p.as_str()));
    }
    if let Some(j) = f.joint {
        q = q.filter(proc_contract::Column::Joint.eq(j));
    }
    let q = q
        .order_by_asc(proc_contract::Column::Reference)
        .order_by_asc(proc_contract::Column::Id);
    let words = crate::collation::search_words(f.search.as_deref());
    // In the stored order with no filter on what amendments made of the contracts: the page is
    // cut in SQL and only its contracts' amendments, lots and shares are read, in the same
    // transaction.
    let in_sql = f.status.is_none()
        && f.supplier_id.is_none()
        && words.is_empty()
        && f.sort == ContractSort::Reference
        && !f.descending;
    if in_sql {
        let rows = crate::paging::select(&txn, q, PageReq::new(f.offset, f.limit)).await?;
        let items = load_in(&txn, scope, rows.items).await?;
        txn.commit().await?;
        return Ok(Paged {
            items,
            total: rows.total,
        });
    }
    let rows = q.all(&txn).await?;
    let rows = rows
        .into_iter()
        .filter(|r| {
            words.is_empty() || {
                let label = super::cpv::lookup(&r.cpv)
                    .map(|e| e.label)
                    .unwrap_or_default();
                let text = crate::collation::fold(&format!(
                    "{} {} {} {}",
                    r.reference, r.object, r.cpv, label
                ));
                words.iter().all(|w| text.contains(w.as_str()))
            }
        })
        .collect();
    let loaded = load_in(&txn, scope, rows).await?;
    txn.commit().await?;
    let mut all: Vec<Contract> = loaded
        .into_iter()
        .filter(|c| f.status.is_none_or(|s| c.status(today) == s))
        .filter(|c| f.supplier_id.is_none_or(|s| c.supplier_ids.contains(&s)))
        .collect();
    // A stable sort on a list already in reference order: ties keep that order.
    match f.sort {
        ContractSort::Reference => {}
        ContractSort::Object => {
            all.sort_by(|a, b| crate::collation::french_cmp(&a.row.object, &b.row.object))
        }
        ContractSort::NotifiedOn => all.sort_by_key(|c| c.row.notified_on),
        ContractSort::EndOn => all.sort_by_key(|c| c.end_on()),
        ContractSort::AwardedCents => all.sort_by_key(|c| c.awarded_cents()),
        ContractSort::Status => all.sort_by_key(|c| c.status(today).code()),
    }
    if f.descending {
        all.reverse();
    }
    Ok(Paged::of_vec(all, PageReq::new(f.offset, f.limit)))
}

/// Active contracts whose renewal notice deadline or end falls within `within_days` of today.
pub async fn expiring(
    db: &DatabaseConnection,
    scope: &Scope,
    within_days: i64,
    today: NaiveDate,
) -> Result<Vec<Contract>, ProcurementError> {
    if !(0..=3660).contains(&within_days) {
        return Err(bad("withinDays", "De 0 à 3 660 jours."));
    }
    let horizon = today + chrono::Duration::days(within_days);
    let f = ContractFilter {
        status: Some(Status::Active),
        limit: u64::MAX,
        ..Default::default()
    };
    let mut v: Vec<(NaiveDate, Contract)> = list(db, scope, &f, today)
        .await?
        .into_iter()
        .filter_map(|c| {
            let notice = c.next_renewal(today).map(|(_, d)| d);
            let first = [notice, c.end_on()]
                .into_iter()
                .flatten()
                .filter(|d| *d >= today && *d <= horizon)
                .min()?;
            Some((first, c))
        })
        .collect();
    v.sort_by_key(|(d, c)| (*d, c.row.id));
    Ok(v.into_iter().map(|(_, c)| c).collect())
}

/// The joint-procurement shares the scope reaches: each member commune sees its part.
pub async fn shares(
    db: &DatabaseConnection,
    scope: &Scope,
    tenant_ids: Option<Vec<Uuid>>,
) -> Result<Vec<proc_share::Model>, ProcurementError> {
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<proc_share::Entity>();
    if let Some(ids) = tenant_ids {
        q = q.filter(proc_share::Column::TenantId.is_in(ids));
    }
    let rows = q
        .order_by_asc(proc_share::Column::Reference)
        .order_by_asc(proc_share::Column::TenantId)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}
