//! DataLoaders, built per request with the caller's scope.
use async_graphql::dataloader::Loader;
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::Arc;
use tenants::tenancy::Scope;
use uuid::Uuid;

use super::types::Tenant;

pub struct TenantLoader {
    pub db: DatabaseConnection,
    /// `None` for anonymous callers: they load nothing.
    pub scope: Option<Scope>,
}

impl Loader<Uuid> for TenantLoader {
    type Value = Tenant;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Tenant>, Self::Error> {
        let Some(scope) = &self.scope else {
            return Ok(HashMap::new());
        };
        Ok(tenants::directory::tenants_by_ids(&self.db, scope, keys)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|t| (t.id, Tenant::from(t)))
            .collect())
    }
}
