//! Procurement writes: each one transaction in the domain, audited there.
use super::inputs::*;
use super::types::*;
use crate::graphql::context::scoped;
use crate::graphql::errors::GqlResult;
use async_graphql::{Context, Object, Result};
use tenants::procurement::{contracts, import, suppliers};
use tenants::tenancy::can;
use uuid::Uuid;

#[derive(Default)]
pub struct ProcurementMutation;

#[Object]
impl ProcurementMutation {
    /// Records a supplier for the organisation of `tenantId`, or returns the existing one with
    /// that identifier (one SIRET, one supplier).
    async fn create_supplier(&self, ctx: &Context<'_>, input: SupplierInput) -> Result<Supplier> {
        let (db, s) = scoped::<can::EditProcurement>(ctx)?;
        let (row, _) = suppliers::create(db, &s, input.into()).await.gql()?;
        Ok(row.into())
    }

    /// Records a contract of a tenant; with `shares`, a joint procurement it coordinates.
    async fn create_contract(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        input: ContractInput,
    ) -> Result<Contract> {
        let (db, s) = scoped::<can::EditProcurement>(ctx)?;
        Ok(contracts::create(db, &s, tenant_id, input.into())
            .await
            .gql()?
            .into())
    }

    /// Edits a contract read at `version` (CONFLICT when it changed since). Before its
    /// notification everything may change, its lots, contractors and shares included; once
    /// notified, its amount, duration, contractors, shares and its lots' amounts and holders
    /// change only by `amendContract` (BAD_USER_INPUT naming the field otherwise).
    async fn update_contract(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        version: i32,
        input: ContractInput,
    ) -> Result<Contract> {
        let (db, s) = scoped::<can::EditProcurement>(ctx)?;
        Ok(
            tenants::procurement::edit::update(db, &s, id, version, input.into())
                .await
                .gql()?
                .into(),
        )
    }

    /// Records an amendment (modification): new amount, duration or contractors.
    async fn amend_contract(
        &self,
        ctx: &Context<'_>,
        contract_id: Uuid,
        input: AmendmentInput,
    ) -> Result<Contract> {
        let (db, s) = scoped::<can::EditProcurement>(ctx)?;
        Ok(contracts::amend(db, &s, contract_id, input.into())
            .await
            .gql()?
            .into())
    }

    /// Records a special act of subcontracting (acte spécial de sous-traitance) on a notified
    /// contract.
    async fn add_subcontracting_act(
        &self,
        ctx: &Context<'_>,
        contract_id: Uuid,
        input: SubcontractingActInput,
    ) -> Result<Contract> {
        let (db, s) = scoped::<can::EditProcurement>(ctx)?;
        Ok(
            contracts::add_subcontracting_act(db, &s, contract_id, input.into())
                .await
                .gql()?
                .into(),
        )
    }

    /// Imports a contract list (CSV, `;`, UTF-8, header line; see the columns in the console
    /// help). Every row is checked first: if one is rejected nothing is imported, and the
    /// report lists each rejected row and why. `dryRun` only checks.
    async fn import_contracts(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        csv: String,
        #[graphql(default)] dry_run: bool,
    ) -> Result<ContractImport> {
        let (db, s) = scoped::<can::EditProcurement>(ctx)?;
        if csv.len() > 5 * 1024 * 1024 {
            return Err(crate::graphql::errors::bad_input(
                "csv",
                "Le fichier fait 5 Mo au plus.",
            ));
        }
        Ok(import::import_csv(db, &s, tenant_id, &csv, dry_run)
            .await
            .gql()?
            .into())
    }

    /// Imports a contract list from an XLSX workbook (`xlsx`: the file, base64-encoded, at
    /// most 5 MB). The first worksheet is read like the CSV file: a header row with the same
    /// column names, then one contract a row; dates may be date cells or text, amounts numbers
    /// or text. Same rules and report as `importContracts`: nothing is imported if one row is
    /// rejected, and `dryRun` only checks.
    async fn import_contracts_xlsx(
        &self,
        ctx: &Context<'_>,
        tenant_id: Uuid,
        xlsx: String,
        #[graphql(default)] dry_run: bool,
    ) -> Result<ContractImport> {
        use base64::Engine as _;
        const MAX: usize = 5 * 1024 * 1024;
        let (db, s) = scoped::<can::EditProcurement>(ctx)?;
        // Refused before decoding when the text cannot be at most MAX bytes once decoded.
        if xlsx.len() > MAX.div_ceil(3) * 4 + 1024 {
            return Err(crate::graphql::errors::bad_input(
                "xlsx",
                "Le fichier fait 5 Mo au plus.",
            ));
        }
        let compact: String = xlsx.split_ascii_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&compact)
            .map_err(|_| {
                crate::graphql::errors::bad_input("xlsx", "Le fichier n'est pas encodé en base64.")
            })?;
        if bytes.len() > MAX {
            return Err(crate::graphql::errors::bad_input(
                "xlsx",
                "Le fichier fait 5 Mo au plus.",
            ));
        }
        Ok(import::import_xlsx(db, &s, tenant_id, bytes, dry_run)
            .await
            .gql()?
            .into())
    }
}
