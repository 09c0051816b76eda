//! Platform tables: referential, organisations, tenants, users, access, sessions, audit trail.
use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_platform"
    }
}

#[derive(DeriveIden)]
enum RefEpci {
    Table,
    Siren,
    Name,
    Kind,
    Population,
}
#[derive(DeriveIden)]
enum RefCommune {
    Table,
    InseeCode,
    Siren,
    Name,
    Population,
    Departement,
    EpciSiren,
}
#[derive(DeriveIden)]
enum Organisation {
    Table,
    Id,
    Siren,
    Name,
    Kind,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
    OrganisationId,
    Kind,
    InseeCode,
    Siren,
    Name,
    Population,
    AuditHeadSeq,
    AuditHeadHash,
    CreatedAt,
}
#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Email,
    GivenName,
    UsualName,
    OidcIssuer,
    OidcSubject,
    Siret,
    PlatformAdmin,
    CreatedAt,
    LastLoginAt,
}
#[derive(DeriveIden)]
enum Membership {
    Table,
    Id,
    OrganisationId,
    TenantId,
    UserId,
    Role,
    CreatedAt,
    CreatedBy,
}
#[derive(DeriveIden)]
enum AuditorGrant {
    Table,
    Id,
    OrganisationId,
    UserId,
    TenantIds,
    Reason,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
    CreatedBy,
}
#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    OrganisationId,
    Name,
    SecretHash,
    Prefix,
    Role,
    TenantIds,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
    CreatedAt,
    CreatedBy,
}
#[derive(DeriveIden)]
enum Session {
    Table,
    IdHash,
    UserId,
    CsrfToken,
    Method,
    IdToken,
    CreatedAt,
    ExpiresAt,
}
#[derive(DeriveIden)]
enum LoginAttempt {
    Table,
    State,
    PkceVerifier,
    Nonce,
    ReturnTo,
    ExpiresAt,
}
#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    OrganisationId,
    TenantId,
    Seq,
    At,
    Principal,
    Operation,
    Before,
    After,
    PrevHash,
    Hash,
}

fn fk(
    from_table: impl IntoIden + 'static,
    from_col: impl IntoIden + 'static,
    to_table: impl IntoIden + 'static,
    to_col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RefEpci::Table)
                    .col(string(RefEpci::Siren).primary_key())
                    .col(string(RefEpci::Name))
                    .col(string(RefEpci::Kind))
                    .col(big_integer(RefEpci::Population))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefCommune::Table)
                    .col(string(RefCommune::InseeCode).primary_key())
                    .col(string_null(RefCommune::Siren))
                    .col(string(RefCommune::Name))
                    .col(big_integer(RefCommune::Population))
                    .col(string_null(RefCommune::Departement))
                    .col(string_null(RefCommune::EpciSiren))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ref_commune_epci")
                    .table(RefCommune::Table)
                    .col(RefCommune::EpciSiren)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Organisation::Table)
                    .col(uuid(Organisation::Id).primary_key())
                    .col(string(Organisation::Siren).unique_key())
                    .col(string(Organisation::Name))
                    .col(string(Organisation::Kind))
                    .col(timestamp_with_time_zone(Organisation::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Tenant::Table)
                    .col(uuid(Tenant::Id).primary_key())
                    .col(uuid(Tenant::OrganisationId))
                    .col(string(Tenant::Kind))
                    .col(string_null(Tenant::InseeCode))
                    .col(string(Tenant::Siren))
                    .col(string(Tenant::Name))
                    .col(big_integer(Tenant::Population))
                    .col(big_integer(Tenant::AuditHeadSeq).default(0))
                    .col(string(Tenant::AuditHeadHash).default(""))
                    .col(timestamp_with_time_zone(Tenant::CreatedAt))
                    .foreign_key(&mut fk(
                        Tenant::Table,
                        Tenant::OrganisationId,
                        Organisation::Table,
                        Organisation::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        // One tenant per SIREN within an organisation: the natural key of the import.
        manager
            .create_index(
                Index::create()
                    .name("tenant_org_siren")
                    .table(Tenant::Table)
                    .col(Tenant::OrganisationId)
                    .col(Tenant::Siren)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(uuid(AppUser::Id).primary_key())
                    .col(string(AppUser::Email).unique_key())
                    .col(string_null(AppUser::GivenName))
                    .col(string_null(AppUser::UsualName))
                    .col(string_null(AppUser::OidcIssuer))
                    .col(string_null(AppUser::OidcSubject))
                    .col(string_null(AppUser::Siret))
                    .col(boolean(AppUser::PlatformAdmin).default(false))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .col(timestamp_with_time_zone_null(AppUser::LastLoginAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("app_user_oidc")
                    .table(AppUser::Table)
                    .col(AppUser::OidcIssuer)
                    .col(AppUser::OidcSubject)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Membership::Table)
                    .col(uuid(Membership::Id).primary_key())
                    .col(uuid(Membership::OrganisationId))
                    .col(uuid_null(Membership::TenantId))
                    .col(uuid(Membership::UserId))
                    .col(string(Membership::Role))
                    .col(timestamp_with_time_zone(Membership::CreatedAt))
                    .col(uuid_null(Membership::CreatedBy))
                    .foreign_key(&mut fk(
                        Membership::Table,
                        Membership::OrganisationId,
                        Organisation::Table,
                        Organisation::Id,
                    ))
                    .foreign_key(&mut fk(
                        Membership::Table,
                        Membership::TenantId,
                        Tenant::Table,
                        Tenant::Id,
                    ))
                    .foreign_key(&mut fk(
                        Membership::Table,
                        Membership::UserId,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("membership_user")
                    .table(Membership::Table)
                    .col(Membership::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditorGrant::Table)
                    .col(uuid(AuditorGrant::Id).primary_key())
                    .col(uuid(AuditorGrant::OrganisationId))
                    .col(uuid(AuditorGrant::UserId))
                    .col(json_binary(AuditorGrant::TenantIds))
                    .col(string(AuditorGrant::Reason))
                    .col(timestamp_with_time_zone(AuditorGrant::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuditorGrant::RevokedAt))
                    .col(timestamp_with_time_zone(AuditorGrant::CreatedAt))
                    .col(uuid_null(AuditorGrant::CreatedBy))
                    .foreign_key(&mut fk(
                        AuditorGrant::Table,
                        AuditorGrant::OrganisationId,
                        Organisation::Table,
                        Organisation::Id,
                    ))
                    .foreign_key(&mut fk(
                        AuditorGrant::Table,
                        AuditorGrant::UserId,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(uuid(ApiToken::Id).primary_key())
                    .col(uuid(ApiToken::OrganisationId))
                    .col(string(ApiToken::Name))
                    .col(string(ApiToken::SecretHash).unique_key())
                    .col(string(ApiToken::Prefix))
                    .col(string(ApiToken::Role))
                    .col(json_binary_null(ApiToken::TenantIds))
                    .col(timestamp_with_time_zone(ApiToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                    .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                    .col(uuid_null(ApiToken::CreatedBy))
                    .foreign_key(&mut fk(
                        ApiToken::Table,
                        ApiToken::OrganisationId,
                        Organisation::Table,
                        Organisation::Id,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Session::Table)
                    .col(string(Session::IdHash).primary_key())
                    .col(uuid(Session::UserId))
                    .col(string(Session::CsrfToken))
                    .col(string(Session::Method))
                    .col(text_null(Session::IdToken))
                    .col(timestamp_with_time_zone(Session::CreatedAt))
                    .col(timestamp_with_time_zone(Session::ExpiresAt))
                    .foreign_key(&mut fk(
                        Session::Table,
                        Session::UserId,
                        AppUser::Table,
                        AppUser::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempt::Table)
                    .col(string(LoginAttempt::State).primary_key())
                    .col(string(LoginAttempt::PkceVerifier))
                    .col(string(LoginAttempt::Nonce))
                    .col(string(LoginAttempt::ReturnTo))
                    .col(timestamp_with_time_zone(LoginAttempt::ExpiresAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(uuid(AuditLog::Id).primary_key())
                    .col(uuid(AuditLog::OrganisationId))
                    .col(uuid(AuditLog::TenantId))
                    .col(big_integer(AuditLog::Seq))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(string(AuditLog::Principal))
                    .col(string(AuditLog::Operation))
                    .col(json_binary_null(AuditLog::Before))
                    .col(json_binary_null(AuditLog::After))
                    .col(string(AuditLog::PrevHash))
                    .col(string(AuditLog::Hash))
                    .foreign_key(&mut fk(
                        AuditLog::Table,
                        AuditLog::TenantId,
                        Tenant::Table,
                        Tenant::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("audit_log_chain")
                    .table(AuditLog::Table)
                    .col(AuditLog::TenantId)
                    .col(AuditLog::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;

        if manager.get_database_backend() == DatabaseBackend::Postgres {
            crate::rls::install(manager).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The first migration is not reversible: dropping it would drop every tenant's data.
        Err(DbErr::Migration(
            "m20261123_000001_platform cannot be reverted".into(),
        ))
    }
}
