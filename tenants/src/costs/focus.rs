//! Cost lines in FOCUS columns (FinOps Open Cost and Usage Specification 1.0), so the shared
//! service's costs can be read by the tools that read cloud bills. One row per cost line: the
//! commune is the sub-account, the intercommunality the billing account.
use super::runs::{self, LineFilter};
use super::CostError;
use crate::entities::{cost_line, organisation, tenant};
use crate::tenancy::Scope;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

pub const COLUMNS: &[&str] = &[
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "BillingCurrency",
    "BillingAccountId",
    "BillingAccountName",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ChargeDescription",
    "ChargeFrequency",
    "InvoiceIssuerName",
    "ProviderName",
    "PublisherName",
    "ServiceName",
    "ServiceCategory",
    "SubAccountId",
    "SubAccountName",
    "x_AllocationRunId",
    "x_CostPool",
    "x_InseeCode",
];

fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// A text field: the formula guard every spreadsheet-readable export uses
/// ([`formats::neutralize`]: a label starting with `=`, `+`, `-`, `@`... gets a leading quote),
/// then RFC 4180 quoting (quoted when needed, quotes doubled). Amounts do not pass here.
fn field(s: &str) -> String {
    let s = formats::neutralize(s);
    quoted(&s)
}

fn quoted(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The CSV (comma-separated, UTF-8, header first). Periods are closed-open in FOCUS: the end
/// is the day after the pool's last day, at midnight UTC.
pub fn csv(
    lines: &[cost_line::Model],
    tenants: &HashMap<Uuid, tenant::Model>,
    organisations: &HashMap<Uuid, organisation::Model>,
) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for l in lines {
        let t = tenants.get(&l.tenant_id);
        let (org_siren, org_name) = organisations
            .get(&l.organisation_id)
            .map(|o| (o.siren.clone(), o.name.clone()))
            .unwrap_or_default();
        let start = format!("{}T00:00:00Z", l.period_start);
        let end = format!(
            "{}T00:00:00Z",
            l.period_end.succ_opt().unwrap_or(l.period_end)
        );
        let amount = money(l.amount_cents);
        let row = [
            amount.clone(),
            amount.clone(),
            amount.clone(),
            amount,
            "EUR".into(),
            org_siren,
            org_name.clone(),
            start.clone(),
            end.clone(),
            start,
            end,
            if l.amount_cents < 0 || l.basis.get("invoiced").is_some() {
                "Adjustment".into()
            } else {
                "Usage".into()
            },
            l.explanation.clone(),
            "Recurring".into(),
            org_name.clone(),
            org_name.clone(),
            org_name,
            l.service_name.clone(),
            "Other".into(),
            t.map(|t| t.siren.clone())
                .unwrap_or_else(|| l.tenant_id.to_string()),
            t.map(|t| t.name.clone()).unwrap_or_default(),
            l.run_id.to_string(),
            l.pool_label.clone(),
            t.and_then(|t| t.insee_code.clone()).unwrap_or_default(),
        ];
        // The four cost columns are numbers (a credit is negative): written as they are.
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, s)| if i < 4 { quoted(s) } else { field(s) })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The scope's cost lines matching `f`, as FOCUS CSV.
pub async fn export(
    db: &DatabaseConnection,
    scope: &Scope,
    f: &LineFilter,
) -> Result<String, CostError> {
    let lines = runs::lines(db, scope, f).await?;
    let mut tids: Vec<Uuid> = lines.iter().map(|l| l.tenant_id).collect();
    tids.sort();
    tids.dedup();
    let txn = scope.begin(db).await?;
    let tenants: HashMap<Uuid, tenant::Model> = scope
        .find::<tenant::Entity>()
        .filter(tenant::Column::Id.is_in(tids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let orgs: HashMap<Uuid, organisation::Model> = scope
        .find::<organisation::Entity>()
        .all(&txn)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    txn.commit().await?;
    Ok(csv(&lines, &tenants, &orgs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18, finding 8: labels went out as live formulas while the other exports were
    /// guarded.
    #[test]
    fn labels_that_a_spreadsheet_would_run_are_neutralised_and_amounts_are_not() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let line = cost_line::Model {
            id: Uuid::nil(),
            organisation_id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            run_id: Uuid::nil(),
            pool_id: Uuid::nil(),
            service_code: "x".into(),
            service_name: "=HYPERLINK(\"https://evil.example\",\"clic\")".into(),
            pool_label: "+cmd|' /C calc'!A0".into(),
            amount_cents: -1234,
            basis: serde_json::json!({}),
            explanation: "@SUM(1+1)".into(),
            period_start: d("2026-01-01"),
            period_end: d("2026-12-31"),
            superseded: false,
        };
        let out = csv(&[line], &HashMap::new(), &HashMap::new());
        let row = out.lines().nth(1).expect("one row");
        assert!(row.starts_with("-12.34,-12.34,-12.34,-12.34,EUR,"), "{row}");
        assert!(
            row.contains("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"clic\"\")\""),
            "{row}"
        );
        assert!(row.contains(",'+cmd|' /C calc'!A0,"), "{row}");
        assert!(row.contains(",'@SUM(1+1),"), "{row}");
        for cell in row.split(',') {
            assert!(!cell.starts_with(['=', '+', '@']), "{cell} in {row}");
        }
    }
}
