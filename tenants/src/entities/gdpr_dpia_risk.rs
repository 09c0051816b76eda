use sea_orm::entity::prelude::*;

/// One of the three risks of a DPIA (illegitimate access, unwanted modification,
/// disappearance), with its levels on the CNIL's four-level scales before and after measures.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gdpr_dpia_risk")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub tenant_id: Uuid,
    pub dpia_id: Uuid,
    pub kind: String,
    pub sources: String,
    pub threats: String,
    pub impacts: String,
    pub severity: Option<i32>,
    pub likelihood: Option<i32>,
    pub residual_severity: Option<i32>,
    pub residual_likelihood: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
