//! Rights requests and their clock: one month from receipt (Art. 12(3)), counted as Regulation
//! 1182/71 counts (see `calendar`), extendable by two further months with a reason recorded
//! before the first deadline.
use super::calendar::Calendar;
use super::vocab::{RequestKind, RequestStatus};
use super::GdprError;
use crate::audit::{self, Entry};
use crate::calendar::paris_today;
use crate::collation::{fold, search_words};
use crate::entities::{gdpr_request, gdpr_request_event};
use crate::paging::{self, PageReq, Paged};
use crate::tenancy::{can, AccessError, Can, PrincipalKind, Scope};
use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use crate::fault::bad;

/// The deadline in force: the extended one when there is one.
pub fn effective_due(r: &gdpr_request::Model) -> NaiveDate {
    r.extended_due_on.unwrap_or(r.due_on)
}

/// What the history says for an action, in French.
pub fn event_label(action: &str) -> &'static str {
    match action {
        "received" => "Demande enregistrée",
        "extended" => "Délai prolongé de deux mois (art. 12.3)",
        "in_progress" => "Demande prise en charge",
        "answered" => "Réponse envoyée",
        "rejected" => "Demande refusée (motifs donnés)",
        "withdrawn" => "Demande close (retirée)",
        "received_again" => "Demande remise à l'état « reçue »",
        _ => "Modification",
    }
}

/// Who did it, as a person reads it in the history.
fn actor_name(scope: &Scope) -> String {
    let p = scope.principal();
    match p.kind {
        PrincipalKind::User(_) | PrincipalKind::Token(_) => p.display_name.clone(),
        PrincipalKind::Operator => "Opérateur (ligne de commande)".into(),
        PrincipalKind::Worker | PrincipalKind::Ingest(_) | PrincipalKind::Public => {
            "Mutualis".into()
        }
    }
}

/// One line of the request's history, in the transaction of the change it records.
async fn record_event(
    txn: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    row: &gdpr_request::Model,
    action: &str,
    note: &str,
) -> Result<(), GdprError> {
    gdpr_request_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(row.organisation_id),
        tenant_id: Set(row.tenant_id),
        request_id: Set(row.id),
        at: Set(Utc::now()),
        actor: Set(actor_name(scope)),
        action: Set(action.to_owned()),
        note: Set(note.to_owned()),
        due_on: Set(Some(effective_due(row))),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The history of these requests, oldest first (within the scope).
pub async fn history(
    db: &DatabaseConnection,
    scope: &Scope,
    request_ids: &[Uuid],
) -> Result<Vec<gdpr_request_event::Model>, GdprError> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<gdpr_request_event::Entity>()
        .filter(gdpr_request_event::Column::RequestId.is_in(request_ids.to_vec()))
        .order_by_asc(gdpr_request_event::Column::At)
        .order_by_asc(gdpr_request_event::Column::Id)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}

/// When an extension would end: three months from receipt, on the commune's calendar.
pub fn extended_due(insee_code: &str, received_on: NaiveDate) -> NaiveDate {
    Calendar::for_insee(insee_code).months_later(received_on, 3)
}

pub fn is_overdue(r: &gdpr_request::Model, today: NaiveDate) -> bool {
    RequestStatus::parse(&r.status).is_ok_and(RequestStatus::is_open) && today > effective_due(r)
}

pub struct NewRequest {
    pub tenant_id: Uuid,
    pub kind: RequestKind,
    pub received_on: NaiveDate,
    pub requester: String,
    pub contact: String,
    pub details: String,
}

#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn create(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    r: NewRequest,
) -> Result<gdpr_request::Model, GdprError> {
    let requester = r.requester.trim().to_owned();
    if requester.is_empty() {
        return Err(bad("requester", "Indiquez qui a fait la demande."));
    }
    if r.received_on > paris_today() {
        return Err(bad(
            "receivedOn",
            "Une demande ne peut pas être reçue dans le futur : vérifiez la date de réception.",
        ));
    }
    let txn = scope.begin(db).await?;
    let tenant = super::activity::tenant_in_scope(&txn, scope, r.tenant_id).await?;
    let calendar = Calendar::for_insee(tenant.insee_code.as_deref().unwrap_or_default());
    let row = gdpr_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(tenant.organisation_id),
        tenant_id: Set(tenant.id),
        kind: Set(r.kind.code().to_owned()),
        received_on: Set(r.received_on),
        requester: Set(requester),
        contact: Set(r.contact.trim().to_owned()),
        details: Set(r.details.trim().to_owned()),
        status: Set(RequestStatus::Received.code().to_owned()),
        answer: Set(String::new()),
        answered_on: Set(None),
        due_on: Set(calendar.months_later(r.received_on, 1)),
        extended_due_on: Set(None),
        extension_reason: Set(None),
        extended_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "createRightsRequest",
            before: None,
            after: Some(json!({"id": row.id, "kind": row.kind, "receivedOn": row.received_on, "dueOn": row.due_on})),
        },
    )
    .await?;
    record_event(&txn, scope, &row, "received", "").await?;
    txn.commit().await?;
    Ok(row)
}

async fn load(
    txn: &sea_orm::DatabaseTransaction,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_request::Model, GdprError> {
    scope
        .find::<gdpr_request::Entity>()
        .filter(gdpr_request::Column::Id.eq(id))
        .one(txn)
        .await?
        .ok_or(GdprError::Access(AccessError::NotFound))
}

/// Two further months (Art. 12(3)), only with a reason and only before the first deadline ends.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn extend(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
    reason: &str,
    today: NaiveDate,
) -> Result<gdpr_request::Model, GdprError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(bad(
            "reason",
            "Indiquez le motif de la prolongation (complexité ou nombre de demandes).",
        ));
    }
    let txn = scope.begin(db).await?;
    let r = load(&txn, scope, id).await?;
    if r.extended_due_on.is_some() {
        return Err(GdprError::Conflict(
            "Cette demande a déjà été prolongée.".into(),
        ));
    }
    if !RequestStatus::parse(&r.status).is_ok_and(RequestStatus::is_open) {
        return Err(GdprError::Conflict("Cette demande est close.".into()));
    }
    if today > r.due_on {
        return Err(bad(
            "id",
            format!(
                "La première échéance ({}) est passée : la prolongation devait être décidée avant elle.",
                crate::fr::date(r.due_on)
            ),
        ));
    }
    let tenant = super::activity::tenant_in_scope(&txn, scope, r.tenant_id).await?;
    let calendar = Calendar::for_insee(tenant.insee_code.as_deref().unwrap_or_default());
    let mut a: gdpr_request::ActiveModel = r.clone().into();
    a.extended_due_on = Set(Some(calendar.months_later(r.received_on, 3)));
    a.extension_reason = Set(Some(reason.to_owned()));
    a.extended_at = Set(Some(Utc::now()));
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "extendRightsRequest",
            before: Some(json!({"id": row.id, "dueOn": r.due_on})),
            after: Some(
                json!({"id": row.id, "extendedDueOn": row.extended_due_on, "reason": reason}),
            ),
        },
    )
    .await?;
    record_event(&txn, scope, &row, "extended", reason).await?;
    txn.commit().await?;
    Ok(row)
}

/// Moves the request through its workflow; answering or refusing needs the answer given.
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), id = %id, organisation_id = tracing::field::Empty, tenant_id = tracing::field::Empty))]
pub async fn set_status(
    db: &DatabaseConnection,
    scope: &Can<can::EditGdpr>,
    id: Uuid,
    status: RequestStatus,
    answer: Option<String>,
    answered_on: Option<NaiveDate>,
) -> Result<gdpr_request::Model, GdprError> {
    let txn = scope.begin(db).await?;
    let r = load(&txn, scope, id).await?;
    if !RequestStatus::parse(&r.status).is_ok_and(RequestStatus::is_open) {
        return Err(GdprError::Conflict(
            "Cette demande est close : son statut ne change plus.".into(),
        ));
    }
    let answer = answer
        .map(|a| a.trim().to_owned())
        .unwrap_or_else(|| r.answer.clone());
    let closing = matches!(status, RequestStatus::Answered | RequestStatus::Rejected);
    if closing && answer.is_empty() {
        return Err(bad(
            "answer",
            "Indiquez la réponse donnée (ou les motifs du refus, art. 12.4 du RGPD).",
        ));
    }
    let answered_on = if closing {
        Some(answered_on.unwrap_or_else(paris_today))
    } else {
        None
    };
    if let Some(d) = answered_on {
        if d < r.received_on || d > paris_today() {
            return Err(bad(
                "answeredOn",
                "La date de réponse doit être comprise entre la réception et aujourd'hui.",
            ));
        }
    }
    let before = json!({"id": r.id, "status": r.status});
    let mut a: gdpr_request::ActiveModel = r.into();
    a.status = Set(status.code().to_owned());
    a.answer = Set(answer);
    a.answered_on = Set(answered_on);
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        scope,
        Entry {
            organisation_id: row.organisation_id,
            tenant_id: row.tenant_id,
            operation: "setRightsRequestStatus",
            before: Some(before),
            after: Some(json!({"id": row.id, "status": row.status, "answeredOn": row.answered_on})),
        },
    )
    .await?;
    let action = match status {
        RequestStatus::Received => "received_again",
        s => s.code(),
    };
    let note = if status.is_open() {
        String::new()
    } else {
        row.answer.clone()
    };
    record_event(&txn, scope, &row, action, &note).await?;
    txn.commit().await?;
    Ok(row)
}

/// The columns a list of requests is sorted by.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum RequestSort {
    /// The deadline in force (the extended one when extended): the default.
    #[default]
    Due,
    ReceivedOn,
    Requester,
    Kind,
    Status,
}

#[derive(Debug, Default, Clone)]
pub struct RequestFilter {
    pub tenant_ids: Option<Vec<Uuid>>,
    pub open_only: bool,
    pub overdue_only: bool,
    /// Words found in the requester, the contact or the details (case and accents ignored).
    pub search: Option<String>,
    pub sort: RequestSort,
    pub descending: bool,
    pub offset: u64,
    pub limit: u64,
}

/// Every request of the filter (the callers inside the domain want them all).
pub async fn list(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &RequestFilter,
    today: NaiveDate,
) -> Result<Vec<gdpr_request::Model>, GdprError> {
    Ok(page(db, scope, f, today).await?.items)
}

/// One page of the filter's requests and how many there are in all.
pub async fn page(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &RequestFilter,
    today: NaiveDate,
) -> Result<Paged<gdpr_request::Model>, GdprError> {
    use sea_orm::sea_query::Expr;
    use sea_orm::Order;
    let txn = scope.begin(db).await?;
    let mut q = scope.find::<gdpr_request::Entity>();
    if let Some(ids) = &f.tenant_ids {
        q = q.filter(gdpr_request::Column::TenantId.is_in(ids.clone()));
    }
    if f.open_only || f.overdue_only {
        q = q.filter(gdpr_request::Column::Status.is_in([
            RequestStatus::Received.code(),
            RequestStatus::InProgress.code(),
        ]));
    }
    if f.overdue_only {
        // Overdue: past the deadline in force (extended when extended).
        q = q.filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(gdpr_request::Column::ExtendedDueOn.is_null())
                        .add(gdpr_request::Column::DueOn.lt(today)),
                )
                .add(gdpr_request::Column::ExtendedDueOn.lt(today)),
        );
    }
    let order = if f.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    q = match f.sort {
        RequestSort::Due => q.order_by(
            Expr::cust(
                "COALESCE(\"gdpr_request\".\"extended_due_on\", \"gdpr_request\".\"due_on\")",
            ),
            order.clone(),
        ),
        RequestSort::ReceivedOn => q.order_by(gdpr_request::Column::ReceivedOn, order.clone()),
        RequestSort::Requester => q.order_by(
            crate::collation::collated(gdpr_request::Column::Requester),
            order.clone(),
        ),
        RequestSort::Kind => q.order_by(gdpr_request::Column::Kind, order.clone()),
        RequestSort::Status => q.order_by(gdpr_request::Column::Status, order.clone()),
    };
    // Ties in the order of the deadline, then of creation: a total order, so pages never
    // repeat or skip a row.
    q = q
        .order_by(gdpr_request::Column::DueOn, order.clone())
        .order_by(gdpr_request::Column::Id, order);
    let req = PageReq::new(f.offset, f.limit);
    let words = search_words(f.search.as_deref());
    let out = if words.is_empty() {
        paging::select(&txn, q, req).await?
    } else {
        let all = q.all(&txn).await?;
        let hits = all
            .into_iter()
            .filter(|r| {
                let text = fold(&format!("{} {} {}", r.requester, r.contact, r.details));
                words.iter().all(|w| text.contains(w.as_str()))
            })
            .collect();
        Paged::of_vec(hits, req)
    };
    txn.commit().await?;
    Ok(out)
}

pub async fn get(
    db: &DatabaseConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<gdpr_request::Model, GdprError> {
    let txn = scope.begin(db).await?;
    let r = load(&txn, scope, id).await?;
    txn.commit().await?;
    Ok(r)
}
