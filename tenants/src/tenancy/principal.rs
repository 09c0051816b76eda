use super::role::{Permission, Role};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    User(Uuid),
    Token(Uuid),
    /// The operator's command line (migrate, import, verify): no login, full platform scope.
    Operator,
    /// An anonymous reader of a commune's public register page.
    Public,
    /// The background worker (backup collector, scheduled scans).
    Worker,
    /// A backup tool posting a signed job report with this ingest token.
    Ingest(Uuid),
}

/// One role held on an organisation (`tenant_id: None`, the whole organisation) or on a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub organisation_id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub role: Role,
    pub expires_at: Option<DateTime<Utc>>,
    /// When set, the grant carries only these of its role's permissions (an auditor grant
    /// never carries more than its granter held).
    pub permissions: Option<Vec<Permission>>,
}

impl Grant {
    pub fn allows(&self, p: Permission) -> bool {
        self.role.allows(p) && self.permissions.as_ref().is_none_or(|l| l.contains(&p))
    }
}

/// An authenticated caller with everything it may do. Built only by `resolve_*` (or
/// `Principal::operator` for the CLI), never from request input.
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub email: Option<String>,
    pub display_name: String,
    pub platform_admin: bool,
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn operator() -> Self {
        Principal {
            kind: PrincipalKind::Operator,
            email: None,
            display_name: "operator (command line)".into(),
            platform_admin: true,
            grants: vec![],
        }
    }

    /// The background worker: platform-wide, for its own tasks only.
    pub fn worker() -> Self {
        Principal {
            kind: PrincipalKind::Worker,
            email: None,
            display_name: "worker".into(),
            platform_admin: true,
            grants: vec![],
        }
    }

    /// A backup tool posting with one ingest token: no grants, its scope is built by the
    /// ingest module for the token's tenant only.
    pub fn ingest(token_id: Uuid) -> Self {
        Principal {
            kind: PrincipalKind::Ingest(token_id),
            email: None,
            display_name: "backup report webhook".into(),
            platform_admin: false,
            grants: vec![],
        }
    }

    /// The string recorded in the audit trail.
    pub fn audit_ref(&self) -> String {
        match &self.kind {
            PrincipalKind::User(id) => format!("user:{id}"),
            PrincipalKind::Token(id) => format!("token:{id}"),
            PrincipalKind::Operator => "cli".into(),
            PrincipalKind::Public => "public".into(),
            PrincipalKind::Worker => "worker".into(),
            PrincipalKind::Ingest(id) => format!("ingest:{id}"),
        }
    }

    pub fn user_id(&self) -> Option<Uuid> {
        match self.kind {
            PrincipalKind::User(id) => Some(id),
            _ => None,
        }
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        if self.platform_admin {
            roles.push(Role::PlatformAdmin);
        }
        roles.sort_by_key(|r| r.as_str());
        roles.dedup();
        roles
    }

    /// Grants that carry `p`.
    pub(crate) fn grants_for(&self, p: Permission) -> impl Iterator<Item = &Grant> {
        self.grants.iter().filter(move |g| g.allows(p))
    }

    /// The strongest role this principal holds over a tenant (org-wide grants included).
    pub fn role_on(&self, organisation_id: Uuid, tenant_id: Uuid) -> Option<Role> {
        if self.platform_admin {
            return Some(Role::PlatformAdmin);
        }
        self.grants
            .iter()
            .filter(|g| {
                g.organisation_id == organisation_id
                    && (g.tenant_id.is_none() || g.tenant_id == Some(tenant_id))
            })
            .map(|g| g.role)
            .min_by_key(|r| Role::ALL.iter().position(|x| x == r))
    }
}
