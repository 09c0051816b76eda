//! The registry of exported tables: ONE line per table (`t::<entity>(file, title, filter)`),
//! in the order the import inserts them (parents before children). Adding a table to the
//! reversibility export, and to its import, is adding its line here; its columns, JSON
//! Schema, CSV and README section come from the entity itself.
//!
//! Left out, and why: sessions, login attempts and API tokens (credentials of this
//! instance), jobs and alert deliveries (this instance's queue), Stripe events (not an
//! organisation's data), the referential (public, reloaded from its source) and the
//! reversibility exports themselves, and each person's choice of list columns
//! (`user_list_preference`: a display setting of this instance, of no organisation).
use super::columns::{to_json, ColumnInfo, Kind};
use crate::entities::*;
use crate::tenancy::scope::Scoped;
use crate::tenancy::Scope;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, DbErr, EntityTrait, IdenStatic,
    IntoActiveModel, Iterable, ModelTrait, PaginatorTrait, PrimaryKeyToColumn, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::Value as Json;
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

pub type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// One row: its values in the order of the table's columns.
pub type Row = Vec<Json>;

/// What an export covers: an organisation whole, or some of its communes only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub organisation_id: Uuid,
    /// `None`: the whole organisation (its own tenant and every commune).
    pub tenants: Option<Vec<Uuid>>,
}

/// How a table's rows are chosen for a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// The organisation row itself.
    Organisation,
    /// Rows keyed by `organisation_id` and the named tenant column (`tenant_id`, or `id` for
    /// the tenant table).
    Tenant(&'static str),
    /// Rows of the organisation as a whole (auditor grants): in an organisation's export only.
    OrganisationOnly,
    /// The people who hold a role in the target (through `membership`, or an auditor grant
    /// for a whole organisation).
    Members,
}

pub struct TableDef {
    /// The table's name, also the archive's file stem (`gdpr_activity.json`…).
    pub file: &'static str,
    /// What it holds, in French (README).
    pub title: &'static str,
    pub filter: Filter,
    /// A column pointing to a row of the same table (inserted after the row it points to).
    pub self_ref: Option<&'static str>,
    /// Rows that are documents (a questionnaire, a report's figures) get no CSV.
    csv: bool,
    columns: fn() -> Vec<ColumnInfo>,
    primary_key: fn() -> Vec<String>,
    /// Columns of a type `Kind` does not know (none: a unit test checks).
    #[cfg_attr(not(test), allow(dead_code))]
    unmapped: fn() -> Vec<String>,
    scope_condition: fn(&Scope) -> Condition,
    condition: fn(Filter, &Target) -> Result<Condition, DbErr>,
    count: CountFn,
    page: PageFn,
    existing: RowsFn,
    insert: InsertFn,
}

type CountFn = for<'a> fn(&'a DatabaseTransaction, Condition) -> Fut<'a, Result<u64, DbErr>>;
type PageFn =
    for<'a> fn(&'a DatabaseTransaction, Condition, u64, u64) -> Fut<'a, Result<Vec<Row>, DbErr>>;
type RowsFn = for<'a> fn(&'a DatabaseTransaction, Vec<Row>) -> Fut<'a, Result<Vec<Row>, DbErr>>;
type InsertFn = for<'a> fn(&'a DatabaseTransaction, Vec<Row>) -> Fut<'a, Result<(), DbErr>>;

/// Every exported table, parents first (one line each: kept so by `rustfmt::skip`).
#[rustfmt::skip]
pub fn tables() -> Vec<TableDef> {
    use Filter::*;
    const T: Filter = Tenant("tenant_id");
    vec![
        t::<organisation::Entity>("organisation", "L'intercommunalité", Organisation),
        t::<tenant::Entity>("tenant", "Communes membres et espace propre de l'intercommunalité", Tenant("id")),
        u::<app_user::Entity>("app_user", "Personnes ayant un rôle (annuaire)", Members),
        t::<membership::Entity>("membership", "Rôles des personnes dans l'intercommunalité et les communes", T),
        t::<auditor_grant::Entity>("auditor_grant", "Accès d'auditeurs limités dans le temps", OrganisationOnly),
        t::<gdpr_register_settings::Entity>("gdpr_register_settings", "Réglages du registre public de chaque commune", T),
        t::<gdpr_actor::Entity>("gdpr_actor", "Acteurs RGPD des communes (référents, représentants, comité)", T),
        t::<gdpr_processor::Entity>("gdpr_processor", "Sous-traitants (art. 28 RGPD)", T),
        t::<gdpr_activity::Entity>("gdpr_activity", "Activités de traitement (registre art. 30 RGPD), modèles compris", T).self_ref("model_id"),
        t::<gdpr_activity_processor::Entity>("gdpr_activity_processor", "Sous-traitants de chaque activité", T),
        t::<gdpr_dpia_model::Entity>("gdpr_dpia_model", "Modèles d'analyse d'impact de l'intercommunalité", T).documents(),
        t::<gdpr_dpia::Entity>("gdpr_dpia", "Analyses d'impact (AIPD)", T),
        t::<gdpr_dpia_risk::Entity>("gdpr_dpia_risk", "Risques évalués de chaque analyse d'impact", T),
        t::<gdpr_action::Entity>("gdpr_action", "Plans d'action RGPD", T),
        t::<gdpr_dpia_measure::Entity>("gdpr_dpia_measure", "Mesures de chaque risque d'une analyse d'impact", T),
        t::<gdpr_request::Entity>("gdpr_request", "Demandes d'exercice des droits", T),
        t::<gdpr_request_event::Entity>("gdpr_request_event", "Historique des demandes d'exercice des droits", T),
        t::<gdpr_breach::Entity>("gdpr_breach", "Violations de données (art. 33 et 34 RGPD)", T),
        t::<gdpr_document::Entity>("gdpr_document", "Pièces justificatives déposées (description ; le fichier : fichier_<storage_key>)", T),
        t::<gdpr_document_link::Entity>("gdpr_document_link", "Rattachement des pièces aux traitements, sous-traitants, demandes, violations", T),
        t::<gdpr_resource::Entity>("gdpr_resource", "Bibliothèque de ressources du délégué", T),
        t::<gdpr_resource_version::Entity>("gdpr_resource_version", "Versions publiées des ressources (le fichier : fichier_<storage_key>)", T),
        t::<gdpr_resource_read::Entity>("gdpr_resource_read", "Prises de connaissance des ressources par les communes", T),
        t::<gdpr_bilan_run::Entity>("gdpr_bilan_run", "Campagnes de bilans annuels du délégué", T),
        t::<gdpr_bilan::Entity>("gdpr_bilan", "Bilans annuels des communes (chiffres, DOCX et PDF en base64)", T).documents(),
        t::<proc_supplier::Entity>("proc_supplier", "Fournisseurs (titulaires des marchés)", T),
        t::<proc_contract::Entity>("proc_contract", "Marchés publics", T),
        t::<proc_lot::Entity>("proc_lot", "Lots des marchés", T),
        t::<proc_contract_supplier::Entity>("proc_contract_supplier", "Titulaires de chaque marché", T),
        t::<proc_amendment::Entity>("proc_amendment", "Avenants (modifications de marché)", T),
        t::<proc_share::Entity>("proc_share", "Parts des communes dans les groupements de commandes", T),
        t::<proc_subcontracting_act::Entity>("proc_subcontracting_act", "Actes spéciaux de sous-traitance", T),
        t::<opendata_publication::Entity>("opendata_publication", "Jeux de données publiés en données ouvertes (DECP)", T),
        t::<backup_policy::Entity>("backup_policy", "Politiques de sauvegarde", T),
        t::<backup_job::Entity>("backup_job", "Historique des sauvegardes", T),
        t::<backup_storage_sample::Entity>("backup_storage_sample", "Mesures du stockage des sauvegardes", T),
        t::<backup_restore_test::Entity>("backup_restore_test", "Tests de restauration (preuves du PCA)", T),
        t::<backup_ingest_token::Entity>("backup_ingest_token", "Jetons de dépôt des rapports de sauvegarde (sans secret)", T),
        t::<backup_ingest_event::Entity>("backup_ingest_event", "Rapports de sauvegarde reçus ou refusés", T),
        t::<cost_service::Entity>("cost_service", "Catalogue des services mutualisés", T),
        t::<cost_subscription::Entity>("cost_subscription", "Abonnements des communes aux services", T),
        t::<cost_key_value::Entity>("cost_key_value", "Valeurs des clés de répartition", T),
        t::<cost_pool::Entity>("cost_pool", "Enveloppes de coûts à répartir", T),
        t::<cost_run::Entity>("cost_run", "Répartitions calculées", T).self_ref("corrects_run_id"),
        t::<cost_line::Entity>("cost_line", "Lignes de répartition par commune", T),
        t::<billing_identity::Entity>("billing_identity", "Identités de facturation (SIRET, Chorus Pro, canal)", T),
        t::<billing_customer::Entity>("billing_customer", "Clients Stripe des communes", T),
        t::<billing_run::Entity>("billing_run", "Campagnes de facturation", T),
        t::<billing_invoice::Entity>("billing_invoice", "Factures", T),
        t::<maturity_questionnaire::Entity>("maturity_questionnaire", "Questionnaires de maturité", T).documents(),
        t::<maturity_assessment::Entity>("maturity_assessment", "Évaluations de maturité des communes", T),
        t::<report_snapshot::Entity>("report_snapshot", "Rapports consolidés calculés", T).documents(),
        t::<alert::Entity>("alert", "Alertes (échéances, sauvegardes, factures)", T),
        t::<audit_log::Entity>("audit_log", "Journal d'audit chaîné (SHA-256)", T),
    ]
}

impl TableDef {
    fn self_ref(mut self, column: &'static str) -> Self {
        self.self_ref = Some(column);
        self
    }

    pub fn columns(&self) -> Vec<ColumnInfo> {
        (self.columns)()
    }

    pub fn primary_key(&self) -> Vec<String> {
        (self.primary_key)()
    }

    /// Tables of rows get a CSV file too (JSON fields written there as JSON text); tables of
    /// documents do not.
    pub fn tabular(&self) -> bool {
        self.csv
    }

    fn documents(mut self) -> Self {
        self.csv = false;
        self
    }

    /// The rows of `target` this scope reaches; `None` when the table is not part of it.
    pub fn selection(&self, scope: &Scope, target: &Target) -> Result<Option<Condition>, DbErr> {
        if self.filter == Filter::OrganisationOnly && target.tenants.is_some() {
            return Ok(None);
        }
        Ok(Some(
            Condition::all()
                .add((self.scope_condition)(scope))
                .add((self.condition)(self.filter, target)?),
        ))
    }

    pub async fn count(&self, txn: &DatabaseTransaction, c: Condition) -> Result<u64, DbErr> {
        (self.count)(txn, c).await
    }

    /// Rows `offset..offset + limit` in primary-key order.
    pub async fn page(
        &self,
        txn: &DatabaseTransaction,
        c: Condition,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Row>, DbErr> {
        (self.page)(txn, c, offset, limit).await
    }

    /// The primary keys (values in key order) of `rows` already present.
    pub async fn existing(
        &self,
        txn: &DatabaseTransaction,
        keys: Vec<Row>,
    ) -> Result<Vec<Row>, DbErr> {
        (self.existing)(txn, keys).await
    }

    pub async fn insert(&self, txn: &DatabaseTransaction, rows: Vec<Row>) -> Result<(), DbErr> {
        if rows.is_empty() {
            return Ok(());
        }
        (self.insert)(txn, rows).await
    }
}

fn columns<E: EntityTrait>() -> Vec<ColumnInfo> {
    E::Column::iter()
        .map(|c| {
            let def = c.def();
            ColumnInfo {
                name: c.as_str().to_owned(),
                // The entities use only the kinds of `Kind` (a unit test checks every table).
                kind: Kind::of(def.get_column_type()).unwrap_or(Kind::Json),
                nullable: def.is_null(),
            }
        })
        .collect()
}

fn unmapped<E: EntityTrait>() -> Vec<String> {
    E::Column::iter()
        .filter(|c| Kind::of(c.def().get_column_type()).is_none())
        .map(|c| c.as_str().to_owned())
        .collect()
}

fn primary_key<E: EntityTrait>() -> Vec<String> {
    E::PrimaryKey::iter()
        .map(|k| k.into_column().as_str().to_owned())
        .collect()
}

fn column<E: EntityTrait>(name: &str) -> Result<E::Column, DbErr> {
    E::Column::iter()
        .find(|c| c.as_str() == name)
        .ok_or_else(|| DbErr::Custom(format!("reversibility: no column {name}")))
}

fn condition<E: EntityTrait>(f: Filter, t: &Target) -> Result<Condition, DbErr> {
    let org = t.organisation_id;
    Ok(match f {
        Filter::Organisation => Condition::all().add(column::<E>("id")?.eq(org)),
        Filter::OrganisationOnly => Condition::all().add(column::<E>("organisation_id")?.eq(org)),
        Filter::Tenant(tenant_col) => {
            let mut c = Condition::all().add(column::<E>("organisation_id")?.eq(org));
            if let Some(ts) = &t.tenants {
                c = c.add(column::<E>(tenant_col)?.is_in(ts.clone()));
            }
            c
        }
        Filter::Members => {
            let mut members = Query::select();
            members
                .column(membership::Column::UserId)
                .from(membership::Entity)
                .and_where(membership::Column::OrganisationId.eq(org));
            match &t.tenants {
                Some(ts) => {
                    members.and_where(membership::Column::TenantId.is_in(ts.clone()));
                }
                None => {
                    members.union(
                        sea_orm::sea_query::UnionType::Distinct,
                        Query::select()
                            .column(auditor_grant::Column::UserId)
                            .from(auditor_grant::Entity)
                            .and_where(auditor_grant::Column::OrganisationId.eq(org))
                            .to_owned(),
                    );
                }
            }
            Condition::all().add(Expr::col(column::<E>("id")?).in_subquery(members.to_owned()))
        }
    })
}

fn count<E: EntityTrait>(txn: &DatabaseTransaction, c: Condition) -> Fut<'_, Result<u64, DbErr>>
where
    E::Model: Sync,
{
    Box::pin(async move { E::find().filter(c).count(txn).await })
}

fn page<E: EntityTrait>(
    txn: &DatabaseTransaction,
    c: Condition,
    offset: u64,
    limit: u64,
) -> Fut<'_, Result<Vec<Row>, DbErr>>
where
    E::Model: Sync,
{
    Box::pin(async move {
        let mut q = E::find().filter(c);
        for k in E::PrimaryKey::iter() {
            q = q.order_by_asc(k.into_column());
        }
        let models = q.offset(offset).limit(limit).all(txn).await?;
        Ok(models
            .into_iter()
            .map(|m| E::Column::iter().map(|c| to_json(m.get(c))).collect())
            .collect())
    })
}

fn key_condition<E: EntityTrait>(keys: &[Row]) -> Result<Condition, DbErr> {
    let cols: Vec<ColumnInfo> = columns::<E>();
    let pk: Vec<E::Column> = E::PrimaryKey::iter().map(|k| k.into_column()).collect();
    let mut any = Condition::any();
    for key in keys {
        let mut all = Condition::all();
        for (col, v) in pk.iter().zip(key) {
            let info = cols
                .iter()
                .find(|c| c.name == col.as_str())
                .ok_or_else(|| DbErr::Custom("reversibility: key column".into()))?;
            let value = super::columns::from_json(info, v).map_err(DbErr::Custom)?;
            all = all.add(col.eq(value));
        }
        any = any.add(all);
    }
    Ok(any)
}

fn existing<E: EntityTrait>(
    txn: &DatabaseTransaction,
    keys: Vec<Row>,
) -> Fut<'_, Result<Vec<Row>, DbErr>>
where
    E::Model: Sync,
{
    Box::pin(async move {
        if keys.is_empty() {
            return Ok(vec![]);
        }
        let found = E::find()
            .filter(key_condition::<E>(&keys)?)
            .all(txn)
            .await?;
        let pk: Vec<E::Column> = E::PrimaryKey::iter().map(|k| k.into_column()).collect();
        Ok(found
            .into_iter()
            .map(|m| pk.iter().map(|c| to_json(m.get(*c))).collect())
            .collect())
    })
}

fn insert<E: EntityTrait>(txn: &DatabaseTransaction, rows: Vec<Row>) -> Fut<'_, Result<(), DbErr>>
where
    E::Model: Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: Send,
{
    Box::pin(async move {
        let cols = columns::<E>();
        let mut models = Vec::with_capacity(rows.len());
        for row in rows {
            let mut am = <E::ActiveModel as ActiveModelTrait>::default();
            for ((c, info), v) in E::Column::iter().zip(&cols).zip(&row) {
                let value = super::columns::from_json(info, v).map_err(DbErr::Custom)?;
                am.try_set(c, value)?;
            }
            models.push(am);
        }
        E::insert_many(models).exec_without_returning(txn).await?;
        Ok(())
    })
}

fn def<E: EntityTrait>(
    file: &'static str,
    title: &'static str,
    filter: Filter,
    scope_condition: fn(&Scope) -> Condition,
) -> TableDef
where
    E::Model: Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: Send,
{
    TableDef {
        file,
        title,
        filter,
        self_ref: None,
        csv: true,
        columns: columns::<E>,
        primary_key: primary_key::<E>,
        unmapped: unmapped::<E>,
        scope_condition,
        condition: condition::<E>,
        count: count::<E>,
        page: page::<E>,
        existing: existing::<E>,
        insert: insert::<E>,
    }
}

/// A table reached through the scope (every organisation or tenant table).
fn t<E: Scoped>(file: &'static str, title: &'static str, filter: Filter) -> TableDef
where
    E::Model: Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: Send,
{
    def::<E>(file, title, filter, E::scope_condition)
}

/// The people: a table of no organisation, reached through the memberships the scope reads.
fn u<E: EntityTrait>(file: &'static str, title: &'static str, filter: Filter) -> TableDef
where
    E::Model: Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: Send,
{
    def::<E>(file, title, filter, |_| Condition::all())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_described_with_known_kinds_and_a_key() {
        let mut seen = std::collections::HashSet::new();
        for t in tables() {
            assert!(seen.insert(t.file), "{} twice", t.file);
            assert!(!t.primary_key().is_empty(), "{} has no key", t.file);
            assert_eq!((t.unmapped)(), Vec::<String>::new(), "{}", t.file);
            if let Some(r) = t.self_ref {
                assert!(t.columns().iter().any(|c| c.name == r), "{}.{r}", t.file);
            }
        }
        assert!(seen.len() >= 40);
    }
}
