//! The printable sheet of a processing activity (issue 19): every field of its register entry,
//! as the register export writes them, then its processors with their Art. 28 clauses, its
//! DPIA and its action plan. Several activities make one document, one sheet each (the PDF
//! starts each on a new page and lays it out as a form: label beside value).
use super::activity::{self, Activity};
use super::export::register_document;
use super::vocab::{ActionStatus, DpaStatus, DpiaStatus};
use super::{processors, GdprError};
use crate::entities::{gdpr_processor, tenant};
use crate::tenancy::{AccessError, Scope};
use chrono::Utc;
use formats::{Cell, Column, Document, Sheet};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// The most sheets printed at once.
pub const MAX_SHEETS: usize = 200;

fn join_lines(v: impl IntoIterator<Item = String>) -> String {
    let v: Vec<String> = v.into_iter().collect();
    if v.is_empty() {
        "—".into()
    } else {
        v.join(" ; ")
    }
}

/// The sheets of `ids` (in that order), every one within the scope (NOT_FOUND otherwise).
pub async fn activity_sheets(
    db: &DatabaseConnection,
    scope: &Scope,
    ids: &[Uuid],
) -> Result<Document, GdprError> {
    let mut ids = ids.to_vec();
    let mut seen = std::collections::HashSet::new();
    ids.retain(|i| seen.insert(*i));
    if ids.is_empty() {
        return Err(GdprError::BadInput {
            field: "id",
            message: "Choisissez au moins un traitement à imprimer.".into(),
        });
    }
    if ids.len() > MAX_SHEETS {
        return Err(GdprError::BadInput {
            field: "id",
            message: format!("On imprime {MAX_SHEETS} fiches au plus à la fois."),
        });
    }
    let mut acts: Vec<Activity> = Vec::with_capacity(ids.len());
    for id in &ids {
        acts.push(activity::get(db, scope, *id).await?);
    }
    let tenant_ids: Vec<Uuid> = acts.iter().map(|a| a.row.tenant_id).collect();
    let txn = scope.begin(db).await?;
    let tenants: HashMap<Uuid, tenant::Model> = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(tenant_ids.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let procs: Vec<gdpr_processor::Model> = scope
        .find::<gdpr_processor::Entity>()
        .filter(gdpr_processor::Column::TenantId.is_in(tenant_ids))
        .all(&txn)
        .await?;
    txn.commit().await?;
    if tenants.len()
        < acts
            .iter()
            .map(|a| a.row.tenant_id)
            .collect::<std::collections::HashSet<_>>()
            .len()
    {
        return Err(AccessError::NotFound.into());
    }
    let dpias = processors::dpias(db, scope, &ids).await?;
    let actions = processors::actions_of_activities(db, scope, &ids).await?;
    let now = Utc::now();
    let mut sheets = Vec::with_capacity(acts.len());
    for a in &acts {
        // The register export's own row for this activity: the same labels and wording.
        let reg = register_document(&tenants, std::slice::from_ref(a), &procs, now);
        let Some(register) = reg.sheets.into_iter().next() else {
            continue;
        };
        let mut columns = register.columns;
        let mut row = register.rows.into_iter().next().unwrap_or_default();
        let f = &a.fields;
        let extra: Vec<(&str, &str, Cell)> = vec![
            ("origin", "Origine des données", f.origin.clone().into()),
            (
                "collection",
                "Mode de collecte",
                f.collection_method.clone().into(),
            ),
            (
                "information",
                "Information des personnes",
                f.information.clone().into(),
            ),
            (
                "processor_clauses",
                "Sous-traitants et clauses art. 28",
                join_lines(
                    procs
                        .iter()
                        .filter(|p| a.processor_ids.contains(&p.id))
                        .map(|p| {
                            let dpa = DpaStatus::parse(&p.dpa_status).map_or("?", |s| s.label());
                            match p.dpa_signed_on {
                                Some(d) => format!("{} ({dpa}, le {})", p.name, crate::fr::date(d)),
                                None => format!("{} ({dpa})", p.name),
                            }
                        }),
                )
                .into(),
            ),
            (
                "dpia_status",
                "Analyse d'impact : état",
                join_lines(dpias.iter().filter(|d| d.activity_id == a.row.id).map(|d| {
                    let s = DpiaStatus::parse(&d.status).map_or("?", |s| s.label());
                    let mut t = s.to_owned();
                    if let Some(on) = d.completed_on {
                        t.push_str(&format!(", le {}", crate::fr::date(on)));
                    }
                    if !d.conclusion.is_empty() {
                        t.push_str(&format!(" — {}", d.conclusion));
                    }
                    t
                }))
                .into(),
            ),
            (
                "actions",
                "Plan d'actions",
                join_lines(
                    actions
                        .iter()
                        .filter(|x| x.activity_id == Some(a.row.id))
                        .map(|x| {
                            let s = ActionStatus::parse(&x.status).map_or("?", |s| s.label());
                            format!(
                                "{} (échéance {}, {})",
                                x.title,
                                crate::fr::date(x.due_on),
                                s.to_lowercase()
                            )
                        }),
                )
                .into(),
            ),
            ("version", "Version", Cell::Int(i64::from(a.row.version))),
        ];
        for (k, l, c) in extra {
            columns.push(Column::new(k, l));
            row.push(c);
        }
        sheets.push(Sheet {
            name: f.name.clone(),
            columns,
            rows: vec![row],
        });
    }
    let title = if acts.len() == 1 {
        format!("Fiche du traitement {}", acts[0].fields.name)
    } else {
        format!("Fiches de {} traitements", acts.len())
    };
    Ok(Document {
        title,
        subtitle: Some("Article 30 du RGPD — fiche du registre des activités de traitement".into()),
        sheets,
        generated_at: now,
        charts: Vec::new(),
    })
}
