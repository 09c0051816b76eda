use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Rôle inconnu « {0} » : les rôles sont platform_admin, org_admin, dpo, commune_admin, commune_editor et auditor.")]
pub struct RoleError(pub String);

/// The roles of the design brief. Org-wide roles cover every tenant of one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PlatformAdmin,
    OrgAdmin,
    Dpo,
    CommuneAdmin,
    CommuneEditor,
    Auditor,
}

/// What a handler may ask a principal for. A scope is always built for one permission, from
/// the grants whose role carries it, so a handler only reaches what that permission allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Organisations, tenants, the people who work in them.
    ReadDirectory,
    /// Invite people and give them roles.
    ManageUsers,
    /// Grant or revoke time-limited auditor access.
    ManageAuditors,
    /// Create or revoke API tokens.
    ManageTokens,
    /// Read and export the audit trail.
    ReadAudit,
    /// Read GDPR registers, requests, breaches.
    ReadGdpr,
    /// Change them.
    EditGdpr,
    /// Set an activity to "checked by the DPO" (the DPO only).
    CheckGdpr,
    /// Publish model activities for the organisation's communes.
    PublishModels,
    /// Export registers for auditors.
    ExportGdpr,
    /// Read contracts, suppliers, thresholds and alerts.
    ReadProcurement,
    /// Record contracts, suppliers, amendments.
    EditProcurement,
    /// Read backup policies, job reports, storage, RPO states, restore tests.
    ReadBackups,
    /// Define backup policies and ingest tokens (the DSI's service).
    ManageBackups,
    /// Record a restore test (continuity-plan evidence).
    RecordRestoreTests,
    /// Read cost shares (a commune: its own lines; the DSI: pools, runs, all lines).
    ReadCosts,
    /// Define services, subscriptions, keys and pools; run allocations.
    ManageCosts,
    /// Read the organisation's consolidated reports (all its communes side by side).
    ReadReports,
    /// Record a commune's maturity assessment (its administrator or the DPO, not an editor).
    AssessMaturity,
    /// Record a tenant's billing identity (SIRET, Chorus Pro service code, commitment, channel):
    /// the DSI for every tenant, a commune's administrator for its own.
    EditBillingIdentity,
    /// Validate or refuse a DPIA as the controller (the commune's administrator: the decision
    /// is the controller's, Art. 35(1), after the DPO's opinion, Art. 35(2)).
    ValidateDpia,
    /// Record the commune's GDPR actors (référent, representative, IT referent, committee):
    /// its administrator or the DPO, not an agent.
    EditGdprActors,
    /// Export every piece of data held for a commune or the organisation (reversibility): the
    /// DSI for the organisation and each commune, a commune's administrator for its own.
    ExportAllData,
}

impl Permission {
    pub const ALL: [Permission; 23] = [
        Permission::ReadDirectory,
        Permission::ManageUsers,
        Permission::ManageAuditors,
        Permission::ManageTokens,
        Permission::ReadAudit,
        Permission::ReadGdpr,
        Permission::EditGdpr,
        Permission::CheckGdpr,
        Permission::PublishModels,
        Permission::ExportGdpr,
        Permission::ReadProcurement,
        Permission::EditProcurement,
        Permission::ReadBackups,
        Permission::ManageBackups,
        Permission::RecordRestoreTests,
        Permission::ReadCosts,
        Permission::ManageCosts,
        Permission::ReadReports,
        Permission::AssessMaturity,
        Permission::EditBillingIdentity,
        Permission::ValidateDpia,
        Permission::EditGdprActors,
        Permission::ExportAllData,
    ];

    /// The stored name (an auditor grant lists the permissions it carries).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadDirectory => "read_directory",
            Permission::ManageUsers => "manage_users",
            Permission::ManageAuditors => "manage_auditors",
            Permission::ManageTokens => "manage_tokens",
            Permission::ReadAudit => "read_audit",
            Permission::ReadGdpr => "read_gdpr",
            Permission::EditGdpr => "edit_gdpr",
            Permission::CheckGdpr => "check_gdpr",
            Permission::PublishModels => "publish_models",
            Permission::ExportGdpr => "export_gdpr",
            Permission::ReadProcurement => "read_procurement",
            Permission::EditProcurement => "edit_procurement",
            Permission::ReadBackups => "read_backups",
            Permission::ManageBackups => "manage_backups",
            Permission::RecordRestoreTests => "record_restore_tests",
            Permission::ReadCosts => "read_costs",
            Permission::ManageCosts => "manage_costs",
            Permission::ReadReports => "read_reports",
            Permission::AssessMaturity => "assess_maturity",
            Permission::EditBillingIdentity => "edit_billing_identity",
            Permission::ValidateDpia => "validate_dpia",
            Permission::EditGdprActors => "edit_gdpr_actors",
            Permission::ExportAllData => "export_all_data",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::PlatformAdmin,
        Role::OrgAdmin,
        Role::Dpo,
        Role::CommuneAdmin,
        Role::CommuneEditor,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::OrgAdmin => "org_admin",
            Role::Dpo => "dpo",
            Role::CommuneAdmin => "commune_admin",
            Role::CommuneEditor => "commune_editor",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Result<Self, RoleError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| RoleError(s.to_owned()))
    }

    /// The role in French for the messages people read: neutral forms, since nothing says
    /// who holds it (« administrateur ou administratrice de commune »).
    pub fn label_fr(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "opérateur ou opératrice de la plateforme",
            Role::OrgAdmin => "DSI de l'intercommunalité",
            Role::Dpo => "DPO de l'intercommunalité",
            Role::CommuneAdmin => "administrateur ou administratrice de commune",
            Role::CommuneEditor => "agent ou agente de commune",
            Role::Auditor => "auditeur ou auditrice",
        }
    }

    /// Org-wide roles are held on an organisation, the others on named tenants.
    pub fn is_org_wide(self) -> bool {
        matches!(self, Role::PlatformAdmin | Role::OrgAdmin | Role::Dpo)
    }

    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            // "Checked by the DPO" is the DPO's word, nobody else's; a DPIA's validation is the
            // controller's (the commune), not the intercommunality's.
            Role::PlatformAdmin | Role::OrgAdmin => !matches!(p, CheckGdpr | ValidateDpia),
            Role::Dpo => matches!(
                p,
                ReadDirectory
                    | ReadReports
                    | ReadBackups
                    | ManageAuditors
                    | ReadAudit
                    | ReadGdpr
                    | EditGdpr
                    | CheckGdpr
                    | PublishModels
                    | ExportGdpr
                    | AssessMaturity
                    | EditGdprActors
            ),
            Role::CommuneAdmin => matches!(
                p,
                ReadDirectory
                    | AssessMaturity
                    | ManageUsers
                    | ReadAudit
                    | ReadGdpr
                    | EditGdpr
                    | ExportGdpr
                    | ReadProcurement
                    | EditProcurement
                    | ReadBackups
                    | RecordRestoreTests
                    | ReadCosts
                    | EditBillingIdentity
                    | ValidateDpia
                    | EditGdprActors
                    | ExportAllData
            ),
            Role::CommuneEditor => matches!(
                p,
                ReadDirectory
                    | ReadGdpr
                    | EditGdpr
                    | ReadProcurement
                    | EditProcurement
                    | ReadBackups
            ),
            // Auditors read and export, never change.
            Role::Auditor => matches!(
                p,
                ReadDirectory
                    | ReadAudit
                    | ReadGdpr
                    | ExportGdpr
                    | ReadProcurement
                    | ReadBackups
                    | ReadCosts
            ),
        }
    }

    /// Which roles a holder of `self` may hand out (ManageUsers / ManageTokens).
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::PlatformAdmin => true,
            Role::OrgAdmin => other != Role::PlatformAdmin,
            Role::CommuneAdmin => matches!(other, Role::CommuneAdmin | Role::CommuneEditor),
            _ => false,
        }
    }
}

impl Permission {
    /// What the permission lets a person do, in French, with its elided preposition (« de
    /// consulter », « d'exporter »), to complete « le droit … » in the refusal a person reads
    /// (the variant name is the stable word for logs and code).
    pub fn label_fr(self) -> &'static str {
        use Permission::*;
        match self {
            ReadDirectory => "de consulter l'annuaire des communes et des personnes",
            ManageUsers => "d'inviter des personnes et de leur donner des rôles",
            ManageAuditors => "d'ouvrir ou de retirer des accès d'auditeur",
            ManageTokens => "de créer ou de révoquer des jetons d'API",
            ReadAudit => "de consulter le journal d'audit",
            ReadGdpr => "de consulter les registres RGPD",
            EditGdpr => "de modifier les registres RGPD",
            CheckGdpr => "de contrôler les registres (DPO)",
            PublishModels => "de publier des traitements modèles pour les communes",
            ExportGdpr => "d'exporter les registres RGPD",
            ReadProcurement => "de consulter les marchés publics",
            EditProcurement => "de modifier les marchés publics",
            ReadBackups => "de consulter les sauvegardes",
            ManageBackups => "de gérer les politiques de sauvegarde",
            RecordRestoreTests => "d'enregistrer des tests de restauration",
            ReadCosts => "de consulter les coûts et les factures",
            ManageCosts => "de gérer les coûts et la facturation",
            ReadReports => "de consulter les rapports consolidés",
            AssessMaturity => "d'enregistrer une évaluation de maturité",
            EditBillingIdentity => "de modifier l'identité de facturation",
            ValidateDpia => "de valider une analyse d'impact au nom du responsable de traitement",
            EditGdprActors => "de désigner les acteurs RGPD de la commune",
            ExportAllData => "d'exporter toutes les données (réversibilité)",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_reject_unknown() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert_eq!(Role::parse("admin"), Err(RoleError("admin".into())));
    }

    #[test]
    fn refusals_name_the_permission_in_french() {
        use crate::tenancy::AccessError;
        assert_eq!(
            AccessError::Forbidden(Permission::CheckGdpr).to_string(),
            "Cette action demande le droit de contrôler les registres (DPO)."
        );
        assert_eq!(
            AccessError::Forbidden(Permission::ExportGdpr).to_string(),
            "Cette action demande le droit d'exporter les registres RGPD."
        );
    }

    #[test]
    fn permissions_follow_the_brief() {
        assert!(Role::Dpo.allows(Permission::ManageAuditors));
        assert!(!Role::Dpo.allows(Permission::ManageTokens));
        assert!(!Role::CommuneEditor.allows(Permission::ManageUsers));
        assert!(!Role::Auditor.allows(Permission::ManageUsers));
        assert!(Role::CommuneAdmin.may_grant(Role::CommuneEditor));
        assert!(!Role::CommuneAdmin.may_grant(Role::OrgAdmin));
        assert!(!Role::OrgAdmin.may_grant(Role::PlatformAdmin));
        assert!(Role::Dpo.allows(Permission::CheckGdpr));
        assert!(!Role::OrgAdmin.allows(Permission::CheckGdpr));
        assert!(!Role::Auditor.allows(Permission::EditGdpr));
        assert!(Role::Auditor.allows(Permission::ExportGdpr));
        assert!(Role::Auditor.allows(Permission::ReadProcurement));
        assert!(!Role::Auditor.allows(Permission::EditProcurement));
        assert!(!Role::Dpo.allows(Permission::ReadProcurement));
        assert!(Role::CommuneEditor.allows(Permission::EditProcurement));
        assert!(Role::OrgAdmin.allows(Permission::EditProcurement));
        // Backups: the DSI runs the service, communes read it and log their restore tests.
        assert!(Role::OrgAdmin.allows(Permission::ManageBackups));
        assert!(!Role::CommuneAdmin.allows(Permission::ManageBackups));
        assert!(Role::CommuneAdmin.allows(Permission::RecordRestoreTests));
        assert!(!Role::CommuneEditor.allows(Permission::RecordRestoreTests));
        assert!(Role::Auditor.allows(Permission::ReadBackups));
        assert!(!Role::Auditor.allows(Permission::RecordRestoreTests));
        assert!(!Role::Dpo.allows(Permission::ManageBackups));
        // Costs: the DSI allocates; a commune and an auditor (CRC) read.
        assert!(Role::OrgAdmin.allows(Permission::ManageCosts));
        assert!(!Role::CommuneAdmin.allows(Permission::ManageCosts));
        assert!(Role::CommuneAdmin.allows(Permission::ReadCosts));
        assert!(Role::Auditor.allows(Permission::ReadCosts));
        assert!(!Role::CommuneEditor.allows(Permission::ReadCosts));
        // Consolidated reports: the organisation's view, not a commune's nor an auditor's.
        assert!(Role::OrgAdmin.allows(Permission::ReadReports));
        assert!(Role::Dpo.allows(Permission::ReadReports));
        assert!(!Role::CommuneAdmin.allows(Permission::ReadReports));
        assert!(!Role::Auditor.allows(Permission::ReadReports));
        // Maturity assessments: the commune's administrator or the DPO (and the DSI).
        assert!(Role::CommuneAdmin.allows(Permission::AssessMaturity));
        assert!(Role::Dpo.allows(Permission::AssessMaturity));
        assert!(Role::OrgAdmin.allows(Permission::AssessMaturity));
        assert!(!Role::CommuneEditor.allows(Permission::AssessMaturity));
        assert!(!Role::Auditor.allows(Permission::AssessMaturity));
        // A DPIA is validated by the controller's side: the commune, not the DPO nor the DSI.
        assert!(Role::CommuneAdmin.allows(Permission::ValidateDpia));
        assert!(!Role::Dpo.allows(Permission::ValidateDpia));
        assert!(!Role::OrgAdmin.allows(Permission::ValidateDpia));
        assert!(!Role::CommuneEditor.allows(Permission::ValidateDpia));
        assert!(!Role::Auditor.allows(Permission::ValidateDpia));
        // GDPR actors: the commune's administrator or the DPO, never an agent or an auditor.
        assert!(Role::CommuneAdmin.allows(Permission::EditGdprActors));
        assert!(Role::Dpo.allows(Permission::EditGdprActors));
        assert!(!Role::CommuneEditor.allows(Permission::EditGdprActors));
        assert!(!Role::Auditor.allows(Permission::EditGdprActors));
        // Reversibility: the DSI and a commune's administrator, nobody else.
        assert!(Role::OrgAdmin.allows(Permission::ExportAllData));
        assert!(Role::CommuneAdmin.allows(Permission::ExportAllData));
        assert!(!Role::Dpo.allows(Permission::ExportAllData));
        assert!(!Role::CommuneEditor.allows(Permission::ExportAllData));
        assert!(!Role::Auditor.allows(Permission::ExportAllData));
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
    }
}
