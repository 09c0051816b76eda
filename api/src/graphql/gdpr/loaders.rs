//! Batched loads for nested GDPR fields: one query per request and field, not one per item.
use super::types::{Action, Dpia, RightsRequestEvent};
use crate::graphql::context::RequestCtx;
use async_graphql::dataloader::Loader;
use std::collections::HashMap;
use std::sync::Arc;
use tenants::tenancy::Scope;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKey {
    ActivityDpia(Uuid),
    ProcessorActivities(Uuid),
    RequestHistory(Uuid),
    ActivityActions(Uuid),
}

#[derive(Clone)]
pub enum Linked {
    Dpia(Box<Dpia>),
    Ids(Vec<Uuid>),
    Events(Vec<RightsRequestEvent>),
    Actions(Vec<Action>),
}

impl Linked {
    pub fn ids(self) -> Vec<Uuid> {
        match self {
            Linked::Ids(v) => v,
            Linked::Dpia(_) | Linked::Events(_) | Linked::Actions(_) => vec![],
        }
    }
}

pub struct GdprLoader {
    pub db: sea_orm::DatabaseConnection,
    /// The caller's ReadGdpr scope; None loads nothing.
    pub scope: Option<Scope>,
}

impl GdprLoader {
    pub fn new(ctx: &RequestCtx) -> Self {
        let scope = match &ctx.caller {
            crate::http::auth::Caller::Authenticated(p) => {
                p.scope(tenants::tenancy::Permission::ReadGdpr).ok()
            }
            _ => None,
        };
        Self {
            db: ctx.db.clone(),
            scope,
        }
    }
}

impl Loader<LinkKey> for GdprLoader {
    type Value = Linked;
    type Error = Arc<tenants::gdpr::GdprError>;

    async fn load(&self, keys: &[LinkKey]) -> Result<HashMap<LinkKey, Linked>, Self::Error> {
        let Some(scope) = &self.scope else {
            return Ok(HashMap::new());
        };
        let mut out = HashMap::new();
        let activities: Vec<Uuid> = keys
            .iter()
            .filter_map(|k| match k {
                LinkKey::ActivityDpia(a) => Some(*a),
                _ => None,
            })
            .collect();
        if !activities.is_empty() {
            for d in tenants::gdpr::processors::dpias(&self.db, scope, &activities)
                .await
                .map_err(Arc::new)?
            {
                out.insert(
                    LinkKey::ActivityDpia(d.activity_id),
                    Linked::Dpia(Box::new(d.into())),
                );
            }
        }
        let processors: Vec<Uuid> = keys
            .iter()
            .filter_map(|k| match k {
                LinkKey::ProcessorActivities(p) => Some(*p),
                _ => None,
            })
            .collect();
        if !processors.is_empty() {
            let mut by: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
            for (p, a) in tenants::gdpr::processors::activities_using(&self.db, scope, &processors)
                .await
                .map_err(Arc::new)?
            {
                by.entry(p).or_default().push(a);
            }
            for (p, mut v) in by {
                v.sort();
                out.insert(LinkKey::ProcessorActivities(p), Linked::Ids(v));
            }
        }
        let requests: Vec<Uuid> = keys
            .iter()
            .filter_map(|k| match k {
                LinkKey::RequestHistory(r) => Some(*r),
                _ => None,
            })
            .collect();
        if !requests.is_empty() {
            let mut by: HashMap<Uuid, Vec<RightsRequestEvent>> = HashMap::new();
            for e in tenants::gdpr::requests::history(&self.db, scope, &requests)
                .await
                .map_err(Arc::new)?
            {
                by.entry(e.request_id).or_default().push(e.into());
            }
            for (r, v) in by {
                out.insert(LinkKey::RequestHistory(r), Linked::Events(v));
            }
        }
        let with_actions: Vec<Uuid> = keys
            .iter()
            .filter_map(|k| match k {
                LinkKey::ActivityActions(a) => Some(*a),
                _ => None,
            })
            .collect();
        if !with_actions.is_empty() {
            let mut by: HashMap<Uuid, Vec<Action>> = HashMap::new();
            for a in
                tenants::gdpr::processors::actions_of_activities(&self.db, scope, &with_actions)
                    .await
                    .map_err(Arc::new)?
            {
                if let Some(activity) = a.activity_id {
                    by.entry(activity).or_default().push(a.into());
                }
            }
            for (a, v) in by {
                out.insert(LinkKey::ActivityActions(a), Linked::Actions(v));
            }
        }
        Ok(out)
    }
}
