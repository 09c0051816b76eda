use sea_orm::entity::prelude::*;

/// A person. Identity only: what they may do comes from memberships and grants.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub given_name: Option<String>,
    pub usual_name: Option<String>,
    /// OpenID issuer and subject, linked at first login.
    pub oidc_issuer: Option<String>,
    pub oidc_subject: Option<String>,
    /// ProConnect's `siret` claim at last login.
    pub siret: Option<String>,
    pub platform_admin: bool,
    pub created_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    /// immediate (one email per alert), digest (one a day) or off.
    pub alert_mode: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
