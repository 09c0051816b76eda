//! Permissions in the type of the scope, in the spirit of lldap's typed handlers: a domain
//! write takes `&Can<EditGdpr>`, and the only ways to get one are `Principal::can` (which
//! fails with `Forbidden` when no grant carries the permission) and the crate's own worker and
//! public constructors. Calling a write with a scope built for another permission does not
//! compile; reads that any scope may make keep taking `&Scope`, which `Can<P>` derefs to.
use super::principal::Principal;
use super::role::Permission;
use super::scope::{AccessError, Scope};
use std::marker::PhantomData;
use std::ops::Deref;

/// A permission known at compile time: one zero-sized marker per `Permission`.
pub trait Capability: Send + Sync + 'static {
    const PERMISSION: Permission;
}

/// A scope that carries the permission `P`. A write asked with a reader's scope does not
/// compile:
///
/// ```compile_fail
/// # use tenants::tenancy::{can, Principal};
/// # async fn f(db: &sea_orm::DatabaseConnection, p: &Principal, b: tenants::gdpr::breaches::NewBreach) {
/// let scope = p.can::<can::ReadGdpr>().expect("a reader");
/// let _ = tenants::gdpr::breaches::create(db, &scope, b).await;
/// # }
/// ```
///
/// and the same line with the editor's permission does:
///
/// ```no_run
/// # use tenants::tenancy::{can, Principal};
/// # async fn f(db: &sea_orm::DatabaseConnection, p: &Principal, b: tenants::gdpr::breaches::NewBreach) {
/// let scope = p.can::<can::EditGdpr>().expect("an editor");
/// let _ = tenants::gdpr::breaches::create(db, &scope, b).await;
/// # }
/// ```
pub struct Can<P: Capability> {
    scope: Scope,
    _p: PhantomData<fn() -> P>,
}

impl<P: Capability> Can<P> {
    /// The crate's own constructors (worker, public pages, ingest token): the scope was built
    /// for `P` by construction, which this checks once more.
    pub(crate) fn assume(scope: Scope) -> Can<P> {
        debug_assert_eq!(scope.permission(), P::PERMISSION);
        Can {
            scope,
            _p: PhantomData,
        }
    }

    /// The worker acting for one organisation whole (see `Scope::worker_for_organisation`).
    pub(crate) fn worker_for_organisation(organisation_id: uuid::Uuid) -> Can<P> {
        Can::assume(Scope::worker_for_organisation(
            P::PERMISSION,
            organisation_id,
        ))
    }

    /// One tenant, for a principal acting for it by construction (see `Scope::single_tenant`).
    pub(crate) fn single_tenant(
        principal: Principal,
        organisation_id: uuid::Uuid,
        tenant_id: uuid::Uuid,
    ) -> Can<P> {
        Can::assume(Scope::single_tenant(
            principal,
            P::PERMISSION,
            organisation_id,
            tenant_id,
        ))
    }

    /// The untyped scope, to hand to code that takes `Scope` by value.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

impl<P: Capability> Deref for Can<P> {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl<P: Capability> Clone for Can<P> {
    fn clone(&self) -> Self {
        Can::assume(self.scope.clone())
    }
}

impl<P: Capability> std::fmt::Debug for Can<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Can").field(&self.scope).finish()
    }
}

impl Principal {
    /// The scope of the permission `P` for this principal; `Forbidden` when no grant carries it.
    pub fn can<P: Capability>(&self) -> Result<Can<P>, AccessError> {
        self.scope(P::PERMISSION).map(Can::assume)
    }
}

impl Scope {
    /// The typed scope, when this one was built for `P`: for the places where the permission
    /// is chosen at run time (`Forbidden` otherwise).
    pub fn into_can<P: Capability>(self) -> Result<Can<P>, AccessError> {
        if self.permission() == P::PERMISSION {
            Ok(Can::assume(self))
        } else {
            Err(AccessError::Forbidden(P::PERMISSION))
        }
    }
}

/// A scope whose permission is chosen at run time between two (which status, which dataset):
/// the function that chooses is the one place that says which case needs which permission.
pub enum Either<A: Capability, B: Capability> {
    A(Can<A>),
    B(Can<B>),
}

impl<A: Capability, B: Capability> Either<A, B> {
    /// `A`'s scope when `first`, else `B`'s.
    pub fn ask(principal: &Principal, first: bool) -> Result<Self, AccessError> {
        Ok(if first {
            Either::A(principal.can()?)
        } else {
            Either::B(principal.can()?)
        })
    }
}

impl<A: Capability, B: Capability> Deref for Either<A, B> {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        match self {
            Either::A(s) => s,
            Either::B(s) => s,
        }
    }
}

/// The markers, one per permission, named as the permission.
pub mod can {
    use super::{Capability, Permission};
    macro_rules! markers {
        ($($name:ident),* $(,)?) => {
            $(
                #[derive(Debug, Clone, Copy)]
                pub struct $name;
                impl Capability for $name {
                    const PERMISSION: Permission = Permission::$name;
                }
            )*
            /// The permission of every marker, in order (checked against `Permission::ALL`).
            #[cfg(test)]
            pub(super) const MARKED: &[Permission] = &[$($name::PERMISSION),*];
        };
    }
    markers!(
        ReadDirectory,
        ManageUsers,
        ManageAuditors,
        ManageTokens,
        ReadAudit,
        ReadGdpr,
        EditGdpr,
        CheckGdpr,
        PublishModels,
        ExportGdpr,
        ReadProcurement,
        EditProcurement,
        ReadBackups,
        ManageBackups,
        RecordRestoreTests,
        ReadCosts,
        ManageCosts,
        ReadReports,
        AssessMaturity,
        EditBillingIdentity,
        ValidateDpia,
        EditGdprActors,
        ExportAllData,
    );
}

#[cfg(test)]
mod tests {
    use super::can::*;
    use super::*;

    #[test]
    fn every_permission_has_one_marker() {
        assert_eq!(super::can::MARKED, &Permission::ALL[..]);
    }

    #[test]
    fn a_scope_becomes_typed_only_for_its_own_permission() {
        let s = Scope::worker(Permission::ReadGdpr);
        assert!(s.clone().into_can::<EditGdpr>().is_err());
        let typed = s.into_can::<ReadGdpr>().expect("same permission");
        assert_eq!(typed.permission(), Permission::ReadGdpr);
    }

    #[test]
    fn either_asks_for_the_permission_of_its_case() {
        use crate::tenancy::{Grant, PrincipalKind, Role};
        let org = uuid::Uuid::from_u128(1);
        let editor = Principal {
            kind: PrincipalKind::Public,
            email: None,
            display_name: "agent".into(),
            platform_admin: false,
            grants: vec![Grant {
                organisation_id: org,
                tenant_id: Some(uuid::Uuid::from_u128(2)),
                role: Role::CommuneEditor,
                expires_at: None,
                permissions: None,
            }],
        };
        let edit = Either::<CheckGdpr, EditGdpr>::ask(&editor, false).expect("an editor edits");
        assert_eq!(edit.permission(), Permission::EditGdpr);
        assert!(matches!(
            Either::<CheckGdpr, EditGdpr>::ask(&editor, true),
            Err(AccessError::Forbidden(Permission::CheckGdpr))
        ));
    }
}
