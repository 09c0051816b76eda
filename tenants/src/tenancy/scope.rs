//! The scope: the set of tenants one permission of one principal reaches. Tenant data is read
//! and written only through it (`Scope::find`, `Scope::begin`), in the spirit of svix's
//! `secure_find(org_id)`; PostgreSQL row-level security repeats the same rule underneath.
use super::principal::{Principal, PrincipalKind};
use super::role::Permission;
use crate::entities::{api_token, auditor_grant, membership, organisation, tenant};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, Select, TransactionTrait,
};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("Cette action demande le droit {}.", .0.label_fr())]
    Forbidden(Permission),
    #[error("Élément introuvable, ou hors de votre périmètre.")]
    NotFound,
}

#[derive(Debug, Clone)]
pub struct Scope {
    principal: Principal,
    permission: Permission,
    platform: bool,
    /// Organisations reached whole (org-wide roles).
    org_ids: Vec<Uuid>,
    /// Tenants reached one by one, and the organisations they belong to.
    tenant_ids: Vec<Uuid>,
    tenant_org_ids: Vec<Uuid>,
}

impl Principal {
    /// The scope of `permission` for this principal; `Forbidden` when no grant carries it.
    pub fn scope(&self, permission: Permission) -> Result<Scope, AccessError> {
        let platform = self.platform_admin && super::role::Role::PlatformAdmin.allows(permission);
        let mut org_ids = vec![];
        let mut tenant_ids = vec![];
        let mut tenant_org_ids = vec![];
        for g in self.grants_for(permission) {
            match g.tenant_id {
                None => org_ids.push(g.organisation_id),
                Some(t) => {
                    tenant_ids.push(t);
                    tenant_org_ids.push(g.organisation_id);
                }
            }
        }
        for v in [&mut org_ids, &mut tenant_ids, &mut tenant_org_ids] {
            v.sort();
            v.dedup();
        }
        if !platform && org_ids.is_empty() && tenant_ids.is_empty() {
            return Err(AccessError::Forbidden(permission));
        }
        Ok(Scope {
            principal: self.clone(),
            permission,
            platform,
            org_ids,
            tenant_ids,
            tenant_org_ids,
        })
    }
}

impl Scope {
    /// Read access to one tenant's GDPR data for its public register page: only the module
    /// that publishes that page (and filters it to the chosen fields) builds this, and open
    /// data to check what one commune publishes.
    pub(crate) fn public_register(tenant_id: Uuid) -> Scope {
        Scope {
            principal: Principal {
                kind: PrincipalKind::Public,
                email: None,
                display_name: "public".into(),
                platform_admin: false,
                grants: vec![],
            },
            permission: Permission::ReadGdpr,
            platform: false,
            org_ids: vec![],
            tenant_ids: vec![tenant_id],
            tenant_org_ids: vec![],
        }
    }

    /// Read access to one commune's data for a dataset it published in the open-data
    /// catalogue: only `opendata` builds this, after checking the publication.
    pub(crate) fn public_dataset(
        permission: Permission,
        organisation_id: Uuid,
        tenant_id: Uuid,
    ) -> Scope {
        let mut s = Scope::public_register(tenant_id);
        s.permission = permission;
        s.tenant_org_ids = vec![organisation_id];
        s
    }

    /// One tenant, for principals that hold no grants but act for one tenant by construction
    /// (an ingest token).
    pub(crate) fn single_tenant(
        principal: Principal,
        permission: Permission,
        organisation_id: Uuid,
        tenant_id: Uuid,
    ) -> Scope {
        Scope {
            principal,
            permission,
            platform: false,
            org_ids: vec![],
            tenant_ids: vec![tenant_id],
            tenant_org_ids: vec![organisation_id],
        }
    }

    /// One organisation whole, for the worker's per-organisation tasks (a consolidated report):
    /// every read is limited to it by the scope, as for its DSI.
    pub(crate) fn worker_for_organisation(permission: Permission, organisation_id: Uuid) -> Scope {
        Scope {
            principal: Principal::worker(),
            permission,
            platform: false,
            org_ids: vec![organisation_id],
            tenant_ids: vec![],
            tenant_org_ids: vec![],
        }
    }

    /// Every tenant, for the worker's own tasks (the backup collector).
    pub(crate) fn worker(permission: Permission) -> Scope {
        Scope {
            principal: Principal::worker(),
            permission,
            platform: true,
            org_ids: vec![],
            tenant_ids: vec![],
            tenant_org_ids: vec![],
        }
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }
    pub fn permission(&self) -> Permission {
        self.permission
    }
    pub fn is_platform(&self) -> bool {
        self.platform
    }

    /// Does this scope reach the tenant?
    pub fn covers(&self, organisation_id: Uuid, tenant_id: Uuid) -> bool {
        self.platform
            || self.org_ids.contains(&organisation_id)
            || self.tenant_ids.contains(&tenant_id)
    }

    /// Does this scope reach the organisation as a whole (org-wide grant)?
    pub fn covers_organisation(&self, organisation_id: Uuid) -> bool {
        self.platform || self.org_ids.contains(&organisation_id)
    }

    /// Organisations where this scope reaches at least one tenant (models are shared there).
    pub fn member_organisations(&self) -> Vec<Uuid> {
        let mut v = self.org_ids.clone();
        v.extend(self.tenant_org_ids.iter().copied());
        v.sort();
        v.dedup();
        v
    }

    /// Does this scope reach at least one tenant of the organisation?
    pub fn touches_organisation(&self, organisation_id: Uuid) -> bool {
        self.covers_organisation(organisation_id) || self.tenant_org_ids.contains(&organisation_id)
    }

    /// The filter for a table keyed by (organisation, tenant). It always names the organisations
    /// (those reached whole, and those of the tenants reached), even for a commune's scope whose
    /// tenants alone would say the same: on Citus, where tables are distributed on
    /// `organisation_id`, the query then goes to the shard of that organisation instead of every
    /// shard, and its row locks are allowed (Citus takes them in single-shard queries only).
    pub fn condition(&self, org_col: impl ColumnTrait, tenant_col: impl ColumnTrait) -> Condition {
        if self.platform {
            return Condition::all();
        }
        if self.tenant_ids.is_empty() {
            return Condition::all().add(org_col.is_in(self.org_ids.clone()));
        }
        let reach = Condition::any()
            .add(org_col.is_in(self.org_ids.clone()))
            .add(tenant_col.is_in(self.tenant_ids.clone()));
        if self.tenant_org_ids.is_empty() {
            // Tenants whose organisations the scope was not given (`public_register`).
            return reach;
        }
        Condition::all()
            .add(org_col.is_in(self.member_organisations()))
            .add(reach)
    }

    /// The filter for a table keyed by organisation only: organisations reached whole, or
    /// through one of their tenants.
    pub fn organisation_condition(&self, org_col: impl ColumnTrait) -> Condition {
        if self.platform {
            return Condition::all();
        }
        let mut orgs = self.org_ids.clone();
        orgs.extend(self.tenant_org_ids.iter().copied());
        Condition::all().add(org_col.is_in(orgs))
    }

    /// `SELECT` of a tenant-owned entity, restricted to this scope.
    pub fn find<E: Scoped>(&self) -> Select<E> {
        E::find().filter(E::scope_condition(self))
    }

    /// One row by id within this scope: `Ok(Err(NotFound))` when it is absent or foreign (callers
    /// write `scope.get::<E>(&txn, id).await??`).
    pub async fn get<E, C>(&self, c: &C, id: Uuid) -> Result<Result<E::Model, AccessError>, DbErr>
    where
        E: Scoped,
        C: ConnectionTrait,
        Uuid: Into<<E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType>,
    {
        Ok(E::find_by_id(id)
            .filter(E::scope_condition(self))
            .one(c)
            .await?
            .ok_or(AccessError::NotFound))
    }

    /// The organisation's own tenant (it holds the organisation-level rows: models, pools,
    /// questionnaires, reports), when the scope reaches it: `scope.organisation_tenant(&txn,
    /// org).await??`.
    pub async fn organisation_tenant<C: ConnectionTrait>(
        &self,
        c: &C,
        organisation_id: Uuid,
    ) -> Result<Result<tenant::Model, AccessError>, DbErr> {
        Ok(self
            .find::<tenant::Entity>()
            .filter(tenant::Column::OrganisationId.eq(organisation_id))
            .filter(tenant::Column::Kind.eq("organisation"))
            .one(c)
            .await?
            .ok_or(AccessError::NotFound))
    }

    /// A transaction whose PostgreSQL settings carry this scope for row-level security.
    pub async fn begin(&self, db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
        let txn = db.begin().await?;
        self.carry(db, txn).await
    }

    /// The same, reading one consistent snapshot (REPEATABLE READ, READ ONLY on PostgreSQL),
    /// for a long read made of many queries (the reversibility export).
    pub async fn begin_read_snapshot(
        &self,
        db: &DatabaseConnection,
    ) -> Result<DatabaseTransaction, DbErr> {
        let txn = if db.get_database_backend() == DatabaseBackend::Postgres {
            db.begin_with_config(
                Some(sea_orm::IsolationLevel::RepeatableRead),
                Some(sea_orm::AccessMode::ReadOnly),
            )
            .await?
        } else {
            db.begin().await?
        };
        self.carry(db, txn).await
    }

    async fn carry(
        &self,
        db: &DatabaseConnection,
        txn: DatabaseTransaction,
    ) -> Result<DatabaseTransaction, DbErr> {
        if db.get_database_backend() == DatabaseBackend::Postgres {
            let user = match self.principal.kind {
                PrincipalKind::User(id) => id.to_string(),
                _ => String::new(),
            };
            set_pg_scope(
                &txn,
                PgScope {
                    tenant_ids: &pg_array(&self.tenant_ids),
                    org_ids: &pg_array(&self.org_ids),
                    member_org_ids: &pg_array(&self.member_organisations()),
                    user_id: &user,
                    token_hash: "",
                    platform: self.platform,
                },
            )
            .await?;
        }
        Ok(txn)
    }
}

/// The scope's settings, local to the transaction (`SET LOCAL`), so a pooled connection never
/// carries a previous request's scope.
pub(crate) struct PgScope<'a> {
    pub tenant_ids: &'a str,
    pub org_ids: &'a str,
    pub member_org_ids: &'a str,
    pub user_id: &'a str,
    pub token_hash: &'a str,
    pub platform: bool,
}

impl PgScope<'_> {
    pub(crate) const NONE: PgScope<'static> = PgScope {
        tenant_ids: "{}",
        org_ids: "{}",
        member_org_ids: "{}",
        user_id: "",
        token_hash: "",
        platform: false,
    };

    /// The statements that carry the scope: `SET LOCAL`, which a Citus coordinator forwards to
    /// the workers running the shards' policies once `citus.propagate_set_commands` is `local`
    /// (it forwards no `set_config()` call). On PostgreSQL without Citus, `citus.` is no
    /// reserved prefix: the first statement sets a placeholder and the rest work as before, so
    /// both run the same statements. `SET` takes no bind parameters: every value is a literal,
    /// and only the characters of UUIDs, arrays of them and hex digests are let through.
    pub(crate) fn statements(&self) -> Result<String, DbErr> {
        let mut sql = String::from("SET LOCAL citus.propagate_set_commands = 'local';");
        for (name, value) in [
            ("tenant_ids", self.tenant_ids),
            ("org_ids", self.org_ids),
            ("user_id", self.user_id),
            ("token_hash", self.token_hash),
            ("platform", if self.platform { "on" } else { "off" }),
            ("member_org_ids", self.member_org_ids),
        ] {
            if !value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '{' | '}' | ',' | '-'))
            {
                return Err(DbErr::Custom(format!(
                    "scope setting app.{name} holds a character outside UUIDs and hex digests"
                )));
            }
            sql.push_str(&format!(" SET LOCAL app.{name} = '{value}';"));
        }
        Ok(sql)
    }
}

pub(crate) async fn set_pg_scope(txn: &DatabaseTransaction, s: PgScope<'_>) -> Result<(), DbErr> {
    txn.execute_unprepared(&s.statements()?).await.map(|_| ())
}

pub(crate) fn pg_array(ids: &[Uuid]) -> String {
    let inner: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    format!("{{{}}}", inner.join(","))
}

/// A tenant-owned entity and how a scope restricts it.
pub trait Scoped: EntityTrait {
    fn scope_condition(scope: &Scope) -> Condition;
}

impl Scoped for tenant::Entity {
    fn scope_condition(scope: &Scope) -> Condition {
        scope.condition(tenant::Column::OrganisationId, tenant::Column::Id)
    }
}
impl Scoped for organisation::Entity {
    fn scope_condition(scope: &Scope) -> Condition {
        scope.organisation_condition(organisation::Column::Id)
    }
}
/// Entities keyed by (organisation_id, tenant_id).
macro_rules! tenant_scoped {
    ($($m:ident),* $(,)?) => {$(
        impl Scoped for crate::entities::$m::Entity {
            fn scope_condition(scope: &Scope) -> Condition {
                scope.condition(
                    crate::entities::$m::Column::OrganisationId,
                    crate::entities::$m::Column::TenantId,
                )
            }
        }
    )*};
}
tenant_scoped!(
    audit_log,
    gdpr_activity,
    gdpr_processor,
    gdpr_activity_processor,
    gdpr_dpia,
    gdpr_dpia_risk,
    gdpr_dpia_measure,
    gdpr_dpia_model,
    gdpr_action,
    gdpr_actor,
    gdpr_bilan,
    gdpr_bilan_run,
    gdpr_request,
    gdpr_request_event,
    gdpr_breach,
    gdpr_register_settings,
    gdpr_document,
    gdpr_document_link,
    gdpr_resource,
    gdpr_resource_version,
    gdpr_resource_read,
    opendata_publication,
    proc_supplier,
    proc_contract,
    proc_contract_supplier,
    proc_amendment,
    proc_share,
    proc_lot,
    proc_subcontracting_act,
    backup_policy,
    backup_job,
    backup_storage_sample,
    backup_restore_test,
    backup_ingest_token,
    backup_ingest_event,
    cost_service,
    cost_subscription,
    cost_key_value,
    cost_pool,
    cost_run,
    cost_line,
    job,
    billing_run,
    billing_invoice,
    billing_customer,
    billing_identity,
    report_snapshot,
    alert,
    alert_delivery,
    maturity_questionnaire,
    maturity_assessment,
    reversibility_export,
    reversibility_archive,
);
impl Scoped for membership::Entity {
    fn scope_condition(scope: &Scope) -> Condition {
        if scope.platform {
            return Condition::all();
        }
        // Org-wide memberships are shown to org-wide scopes only; a commune sees its own people.
        Condition::any()
            .add(membership::Column::OrganisationId.is_in(scope.org_ids.clone()))
            .add(membership::Column::TenantId.is_in(scope.tenant_ids.clone()))
    }
}
impl Scoped for api_token::Entity {
    fn scope_condition(scope: &Scope) -> Condition {
        if scope.platform {
            return Condition::all();
        }
        Condition::all().add(api_token::Column::OrganisationId.is_in(scope.org_ids.clone()))
    }
}
impl Scoped for auditor_grant::Entity {
    fn scope_condition(scope: &Scope) -> Condition {
        if scope.platform {
            return Condition::all();
        }
        Condition::all().add(auditor_grant::Column::OrganisationId.is_in(scope.org_ids.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_settings_are_set_local_literals_and_refuse_anything_else() {
        let ids = pg_array(&[Uuid::nil(), Uuid::from_u128(1)]);
        let sql = PgScope {
            tenant_ids: &ids,
            user_id: "00000000-0000-0000-0000-000000000000",
            token_hash: "ab12",
            platform: true,
            ..PgScope::NONE
        }
        .statements()
        .expect("valid settings");
        assert!(sql.starts_with("SET LOCAL citus.propagate_set_commands = 'local';"));
        assert!(sql.contains(&format!(" SET LOCAL app.tenant_ids = '{ids}';")));
        assert!(sql.contains(" SET LOCAL app.org_ids = '{}';"));
        assert!(sql.contains(" SET LOCAL app.platform = 'on';"));
        assert!(!sql.contains("set_config"));
        for bad in ["x'; RESET ALL; --", "a b", "{1}\\", "é"] {
            let s = PgScope {
                token_hash: bad,
                ..PgScope::NONE
            };
            assert!(s.statements().is_err(), "{bad} let through");
        }
    }
}
