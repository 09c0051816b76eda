//! The GDPR lists of the console (register, rights requests, breaches, processors): their
//! columns (a stable key, a French header) and their export. An export reads the list through
//! the very function that pages it for the console (`activity::page`, `requests::page`,
//! `breaches::page`, `processors::processors_page`), with the same filters and sort, so what is
//! exported is what is listed, row for row.
use super::activity::{self, Activity, ActivityFilter, ActivitySort, DpiaScreening};
use super::requests::{self, RequestFilter};
use super::vocab::*;
use super::{breaches, processors, GdprError};
use crate::entities::{gdpr_breach, gdpr_processor, gdpr_request, tenant};
use crate::paging::PageReq;
use crate::tenancy::Scope;
use chrono::{NaiveDate, Utc};
use formats::{Cell, Column, Document, Sheet};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// The most rows one export holds: beyond, the filters must narrow the list.
pub const MAX_EXPORT_ROWS: u64 = 10_000;

/// A list of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Activities,
    Requests,
    Breaches,
    Processors,
}

impl ListKind {
    pub const ALL: [ListKind; 4] = [
        ListKind::Activities,
        ListKind::Requests,
        ListKind::Breaches,
        ListKind::Processors,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ListKind::Activities => "activities",
            ListKind::Requests => "requests",
            ListKind::Breaches => "breaches",
            ListKind::Processors => "processors",
        }
    }

    pub fn parse(s: &str) -> Result<Self, GdprError> {
        ListKind::ALL
            .into_iter()
            .find(|k| k.key() == s)
            .ok_or_else(|| GdprError::BadInput {
                field: "list",
                message: format!(
                    "Liste inconnue « {s} » ; listes possibles : activities, requests, breaches, processors."
                ),
            })
    }

    /// The document's title.
    pub fn title(self) -> &'static str {
        match self {
            ListKind::Activities => "Registre des traitements",
            ListKind::Requests => "Demandes de droits",
            ListKind::Breaches => "Violations de données",
            ListKind::Processors => "Sous-traitants",
        }
    }

    /// Every column: its key (API, preferences, console) and its French header.
    pub fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ListKind::Activities => &[
                ("name", "Traitement"),
                ("commune", "Commune"),
                ("department", "Service"),
                ("status", "Statut"),
                ("completeness", "Complétude (%)"),
                ("dpia", "Analyse d'impact"),
                ("sensitive", "Données sensibles"),
                ("legal_bases", "Bases légales"),
                ("owner", "Responsable opérationnel"),
                ("updated_at", "Modifié le"),
            ],
            ListKind::Requests => &[
                ("requester", "Demandeur"),
                ("commune", "Commune"),
                ("kind", "Droit exercé"),
                ("received_on", "Reçue le"),
                ("due_on", "Échéance"),
                ("status", "Statut"),
                ("overdue", "En retard"),
                ("contact", "Contact"),
            ],
            ListKind::Breaches => &[
                ("title", "Violation"),
                ("commune", "Commune"),
                ("aware_at", "Connue le"),
                ("severity", "Gravité"),
                ("notify_deadline", "Échéance de notification (72 h)"),
                ("notification", "Notification"),
                ("people_count", "Personnes concernées"),
            ],
            ListKind::Processors => &[
                ("name", "Sous-traitant"),
                ("commune", "Commune"),
                ("siret", "SIRET"),
                ("country", "Pays"),
                ("contract", "Contrat"),
                ("dpa", "Clauses art. 28"),
                ("dpa_signed_on", "Signées le"),
            ],
        }
    }

    /// `keys` checked against the list's columns (unknown ones refused), in the list's order.
    pub fn pick(self, keys: &[String]) -> Result<Vec<&'static str>, GdprError> {
        let all = self.columns();
        if let Some(bad) = keys.iter().find(|k| !all.iter().any(|(c, _)| c == k)) {
            return Err(GdprError::BadInput {
                field: "columns",
                message: format!(
                    "Colonne inconnue « {bad} » ; colonnes possibles : {}.",
                    all.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        Ok(all
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| keys.iter().any(|x| x == k))
            .collect())
    }
}

/// A list with its filters and sort, as the console asks for it.
#[derive(Debug, Clone)]
pub enum ListQuery {
    Activities {
        filter: ActivityFilter,
        sort: ActivitySort,
        descending: bool,
    },
    Requests(RequestFilter),
    Breaches {
        tenant_ids: Option<Vec<Uuid>>,
        open_only: bool,
    },
    Processors {
        tenant_ids: Option<Vec<Uuid>>,
    },
}

impl ListQuery {
    pub fn kind(&self) -> ListKind {
        match self {
            ListQuery::Activities { .. } => ListKind::Activities,
            ListQuery::Requests(_) => ListKind::Requests,
            ListQuery::Breaches { .. } => ListKind::Breaches,
            ListQuery::Processors { .. } => ListKind::Processors,
        }
    }
}

fn too_many(total: u64) -> GdprError {
    GdprError::BadInput {
        field: "list",
        message: format!(
            "La liste compte {total} lignes : un export en contient {MAX_EXPORT_ROWS} au plus. Filtrez-la davantage."
        ),
    }
}

fn join(v: impl IntoIterator<Item = String>) -> String {
    v.into_iter().collect::<Vec<_>>().join(" ; ")
}

fn paris(t: chrono::DateTime<Utc>) -> String {
    crate::fr::date_time(t)
}

async fn tenant_names(
    db: &DatabaseConnection,
    scope: &Scope,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, String>, GdprError> {
    let txn = scope.begin(db).await?;
    let rows = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(ids))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows.into_iter().map(|t| (t.id, t.name)).collect())
}

/// The cells of one activity, by column key.
fn activity_cell(a: &Activity, key: &str, commune: &str) -> Cell {
    let f = &a.fields;
    match key {
        "name" => f.name.clone().into(),
        "commune" => commune.into(),
        "department" => f.department.clone().into(),
        "status" => a.status().label().into(),
        "completeness" => Cell::Int(i64::from(f.completeness())),
        "dpia" => match f.dpia_screening() {
            DpiaScreening::Required => "Requise",
            DpiaScreening::Review => "À examiner par le DPO",
            DpiaScreening::NotRequired => "Non requise",
        }
        .into(),
        "sensitive" => Cell::Bool(f.has_sensitive_data()),
        "legal_bases" => join(f.legal_bases.iter().map(|l| l.basis.label().to_owned())).into(),
        "owner" => f.owner.clone().into(),
        "updated_at" => a.row.updated_at.into(),
        _ => Cell::Empty,
    }
}

fn request_cell(r: &gdpr_request::Model, key: &str, commune: &str, today: NaiveDate) -> Cell {
    match key {
        "requester" => r.requester.clone().into(),
        "commune" => commune.into(),
        "kind" => RequestKind::parse(&r.kind)
            .map(|k| k.label())
            .unwrap_or("?")
            .into(),
        "received_on" => r.received_on.into(),
        "due_on" => requests::effective_due(r).into(),
        "status" => RequestStatus::parse(&r.status)
            .map(|k| k.label())
            .unwrap_or("?")
            .into(),
        "overdue" => Cell::Bool(requests::is_overdue(r, today)),
        "contact" => r.contact.clone().into(),
        _ => Cell::Empty,
    }
}

fn breach_cell(b: &gdpr_breach::Model, key: &str, commune: &str) -> Cell {
    match key {
        "title" => b.title.clone().into(),
        "commune" => commune.into(),
        "aware_at" => b.aware_at.into(),
        "severity" => Severity::parse(&b.severity)
            .map(|s| s.label())
            .unwrap_or("?")
            .into(),
        "notify_deadline" => b.notify_deadline.into(),
        "notification" => match (&b.notified_at, &b.not_notified_reason) {
            (Some(at), _) if *at > b.notify_deadline => {
                format!("Notifiée en retard le {}", paris(*at)).into()
            }
            (Some(at), _) => format!("Notifiée le {}", paris(*at)).into(),
            (None, Some(_)) => "Documentée, non notifiée".into(),
            (None, None) => "À décider".into(),
        },
        "people_count" => Cell::from(b.people_count),
        _ => Cell::Empty,
    }
}

fn processor_cell(p: &gdpr_processor::Model, key: &str, commune: &str) -> Cell {
    match key {
        "name" => p.name.clone().into(),
        "commune" => commune.into(),
        "siret" => Cell::from(p.siret.clone()),
        "country" => p.country.clone().into(),
        "contract" => p.contract_ref.clone().into(),
        "dpa" => DpaStatus::parse(&p.dpa_status)
            .map(|s| s.label())
            .unwrap_or("?")
            .into(),
        "dpa_signed_on" => Cell::from(p.dpa_signed_on),
        _ => Cell::Empty,
    }
}

/// The rows a list read, before they become cells.
enum Fetched {
    Activities(Vec<Activity>),
    Requests(Vec<gdpr_request::Model>),
    Breaches(Vec<gdpr_breach::Model>),
    Processors(Vec<gdpr_processor::Model>),
}

impl Fetched {
    fn tenant_ids(&self) -> Vec<Uuid> {
        match self {
            Fetched::Activities(v) => v.iter().map(|a| a.row.tenant_id).collect(),
            Fetched::Requests(v) => v.iter().map(|r| r.tenant_id).collect(),
            Fetched::Breaches(v) => v.iter().map(|b| b.tenant_id).collect(),
            Fetched::Processors(v) => v.iter().map(|p| p.tenant_id).collect(),
        }
    }
}

/// The list as the console shows it (same filters, same sort, every page), in the columns
/// `columns` (all of them when none is given), as one sheet with French headers.
pub async fn export(
    db: &DatabaseConnection,
    scope: &Scope,
    q: &ListQuery,
    columns: &[String],
    today: NaiveDate,
) -> Result<Document, GdprError> {
    let kind = q.kind();
    let keys = if columns.is_empty() {
        kind.columns().iter().map(|(k, _)| *k).collect()
    } else {
        kind.pick(columns)?
    };
    let all = PageReq::new(0, MAX_EXPORT_ROWS);
    // Each arm reads the list through the console's own paging function.
    let (total, fetched) = match q {
        ListQuery::Activities {
            filter,
            sort,
            descending,
        } => {
            let f = ActivityFilter {
                offset: all.offset,
                limit: all.limit,
                ..filter.clone()
            };
            let page = activity::page(db, scope, &f, *sort, *descending).await?;
            (page.total, Fetched::Activities(page.items))
        }
        ListQuery::Requests(filter) => {
            let f = RequestFilter {
                offset: all.offset,
                limit: all.limit,
                ..filter.clone()
            };
            let page = requests::page(db, scope, &f, today).await?;
            (page.total, Fetched::Requests(page.items))
        }
        ListQuery::Breaches {
            tenant_ids,
            open_only,
        } => {
            let page = breaches::page(db, scope, tenant_ids.clone(), *open_only, all).await?;
            (page.total, Fetched::Breaches(page.items))
        }
        ListQuery::Processors { tenant_ids } => {
            let page = processors::processors_page(db, scope, tenant_ids.clone(), all).await?;
            (page.total, Fetched::Processors(page.items))
        }
    };
    if total > MAX_EXPORT_ROWS {
        return Err(too_many(total));
    }
    let mut ids = fetched.tenant_ids();
    ids.sort();
    ids.dedup();
    let names = tenant_names(db, scope, ids).await?;
    let name = |t: &Uuid| names.get(t).map_or("", String::as_str);
    let rows: Vec<Vec<Cell>> = match &fetched {
        Fetched::Activities(v) => v
            .iter()
            .map(|a| {
                keys.iter()
                    .map(|k| activity_cell(a, k, name(&a.row.tenant_id)))
                    .collect()
            })
            .collect(),
        Fetched::Requests(v) => v
            .iter()
            .map(|r| {
                keys.iter()
                    .map(|k| request_cell(r, k, name(&r.tenant_id), today))
                    .collect()
            })
            .collect(),
        Fetched::Breaches(v) => v
            .iter()
            .map(|b| {
                keys.iter()
                    .map(|k| breach_cell(b, k, name(&b.tenant_id)))
                    .collect()
            })
            .collect(),
        Fetched::Processors(v) => v
            .iter()
            .map(|p| {
                keys.iter()
                    .map(|k| processor_cell(p, k, name(&p.tenant_id)))
                    .collect()
            })
            .collect(),
    };
    let labels: HashMap<&str, &str> = kind.columns().iter().copied().collect();
    Ok(Document {
        title: kind.title().into(),
        subtitle: Some("Liste filtrée telle qu'affichée dans la console".into()),
        sheets: vec![Sheet {
            name: kind.title().into(),
            columns: keys
                .iter()
                .map(|k| Column::new(*k, labels.get(k).copied().unwrap_or(*k)))
                .collect(),
            rows,
        }],
        generated_at: Utc::now(),
        charts: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_picked_in_the_list_order_and_unknown_ones_refused() {
        let picked = ListKind::Activities
            .pick(&["status".into(), "name".into()])
            .expect("known");
        assert_eq!(picked, ["name", "status"]);
        assert!(matches!(
            ListKind::Requests.pick(&["salary".into()]),
            Err(GdprError::BadInput {
                field: "columns",
                ..
            })
        ));
        assert!(ListKind::parse("contracts").is_err());
        for k in ListKind::ALL {
            assert_eq!(ListKind::parse(k.key()).ok(), Some(k));
        }
    }
}
