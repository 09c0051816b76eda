//! Who sets which status: the DPO's statuses ("checked" for an activity, "validated" for a
//! DPIA record) need `CheckGdpr`, every other status `EditGdpr`. The rule is written here
//! once; a `StatusChange` is built only by `ask`, so a status never travels with a scope that
//! may not set it.
use crate::tenancy::{can, AccessError, Either, Principal, Scope};

/// A status vocabulary with statuses only the DPO sets.
pub trait DpoStatus: Copy {
    fn is_dpo_only(self) -> bool;
}

impl DpoStatus for super::vocab::ActivityStatus {
    fn is_dpo_only(self) -> bool {
        self == Self::Checked
    }
}

impl DpoStatus for super::vocab::DpiaStatus {
    fn is_dpo_only(self) -> bool {
        self == Self::Validated
    }
}

pub struct StatusChange<S> {
    scope: Either<can::CheckGdpr, can::EditGdpr>,
    status: S,
}

impl<S: DpoStatus> StatusChange<S> {
    /// The caller's scope for setting `status` (`Forbidden` naming the missing permission).
    pub fn ask(principal: &Principal, status: S) -> Result<Self, AccessError> {
        Ok(StatusChange {
            scope: Either::ask(principal, status.is_dpo_only())?,
            status,
        })
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    pub fn status(&self) -> S {
        self.status
    }
}
