//! One commune's line of the stored report, for whoever reads the commune's register: its
//! administrator's home page (`communeSummary`) and its council summary
//! (`documents::commune_summary`) read it here, so both show the same figures. The stored report
//! is the organisation's: it is read with the organisation's scope once the caller's access to
//! the commune is checked, and only that commune's line (and the whole's, for the summary's
//! comparison) leaves it. Each section is shown as its own permission allows on this commune:
//! no more than the module would (a commune editor or the DPO reads no costs, the DPO no
//! contracts).
use super::snapshot::{stored, CommuneFigures, Figures};
use super::ReportError;
use crate::calendar::Period;
use crate::entities::{report_snapshot, tenant};
use crate::tenancy::{can, AccessError, Can, Permission, Scope};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use uuid::Uuid;

/// What the caller may read of the commune beyond its register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sections {
    pub procurement: bool,
    pub backups: bool,
    pub costs: bool,
}

/// The commune's line of a stored report.
#[derive(Debug, Clone)]
pub struct CommuneLine {
    pub row: report_snapshot::Model,
    pub period: Period,
    pub commune: CommuneFigures,
    pub all: Figures,
    pub sections: Sections,
}

pub(super) fn not_computed(period: Period) -> ReportError {
    ReportError::BadInput {
        field: "period",
        message: format!(
            "Aucun rapport n'a encore été calculé pour {} : lancez d'abord son calcul.",
            period.french()
        ),
    }
}

/// The commune's line of `period`'s report, or of the latest stored one without a period;
/// `None` when no report holds the commune yet. The caller needs to read the commune's
/// register (`ReadGdpr`).
#[tracing::instrument(skip_all, fields(actor = %scope.principal().audit_ref(), tenant_id = %tenant_id, organisation_id = tracing::field::Empty))]
pub async fn commune_line(
    db: &DatabaseConnection,
    scope: &Can<can::ReadGdpr>,
    tenant_id: Uuid,
    period: Option<Period>,
) -> Result<Option<CommuneLine>, ReportError> {
    let txn = scope.begin(db).await?;
    let t = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.eq(tenant_id))
        .one(&txn)
        .await?
        .ok_or(AccessError::NotFound)?;
    txn.commit().await?;
    if t.kind == "organisation" {
        return Err(ReportError::BadInput {
            field: "tenant",
            message: "La synthèse porte sur une commune, pas sur l'intercommunalité.".into(),
        });
    }
    let org_scope = Scope::worker_for_organisation(Permission::ReadReports, t.organisation_id);
    // Newest first: the period's report, or the latest.
    let Some((row, all)) = stored(db, &org_scope, t.organisation_id, period)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let Some(commune) = all
        .communes
        .iter()
        .find(|c| c.tenant_id == Some(t.id))
        .cloned()
    else {
        return Ok(None);
    };
    let period = Period::parse(&row.period).map_err(|e| ReportError::Source(e.to_string()))?;
    let principal = scope.principal();
    let may = |p: Permission| {
        principal
            .scope(p)
            .is_ok_and(|s| s.covers(t.organisation_id, t.id))
    };
    Ok(Some(CommuneLine {
        row,
        period,
        commune,
        all,
        sections: Sections {
            procurement: may(Permission::ReadProcurement),
            backups: may(Permission::ReadBackups),
            costs: may(Permission::ReadCosts),
        },
    }))
}
