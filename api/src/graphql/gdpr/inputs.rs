//! GDPR inputs. Closed lists travel as their codes (see `gdprVocabulary`) and are parsed here,
//! so an unknown value is a BAD_USER_INPUT naming its field.
use crate::graphql::errors::bad_input;
use async_graphql::{InputObject, Result};
use tenants::gdpr::activity::*;
use tenants::gdpr::vocab::*;
use uuid::Uuid;

fn parse<T>(field: &'static str, r: std::result::Result<T, VocabError>) -> Result<T> {
    r.map_err(|e| bad_input(field, e.to_string()))
}

#[derive(InputObject)]
pub struct LegalBasisInput {
    /// consent, contract, legal_obligation, public_task, vital_interest, legitimate_interest.
    pub basis: String,
    #[graphql(default)]
    pub justification: String,
}

#[derive(InputObject)]
pub struct DataSubjectInput {
    pub category: String,
    pub estimated_count: Option<i64>,
}

#[derive(InputObject)]
pub struct DataCategoryInput {
    pub category: String,
    /// Art. 9 special category (health, opinions, biometrics...).
    #[graphql(default)]
    pub sensitive: bool,
    /// Art. 10 data (offences, convictions).
    #[graphql(default)]
    pub criminal: bool,
}

#[derive(InputObject)]
pub struct TransferInput {
    pub country: String,
    pub recipient: String,
    pub safeguard: String,
}

#[derive(InputObject)]
pub struct RetentionInput {
    pub data: String,
    /// Required: a retention period without a duration is refused.
    pub duration_months: Option<i32>,
    #[graphql(default)]
    pub starting_event: String,
    /// destruction, archiving, anonymisation.
    pub final_fate: String,
}

#[derive(InputObject)]
pub struct ActivityInput {
    /// controller (Art. 30(1)) or processor (Art. 30(2)).
    #[graphql(default_with = "\"controller\".to_string()")]
    pub role: String,
    pub name: String,
    #[graphql(default)]
    pub purposes: String,
    pub controller_name: Option<String>,
    #[graphql(default)]
    pub legal_bases: Vec<LegalBasisInput>,
    #[graphql(default)]
    pub data_subjects: Vec<DataSubjectInput>,
    #[graphql(default)]
    pub data_categories: Vec<DataCategoryInput>,
    #[graphql(default)]
    pub recipients: Vec<String>,
    #[graphql(default)]
    pub transfers: Vec<TransferInput>,
    #[graphql(default)]
    pub retention: Vec<RetentionInput>,
    #[graphql(default)]
    pub security_measures: Vec<String>,
    /// Codes of the CNIL criteria that hold.
    #[graphql(default)]
    pub dpia_criteria: Vec<String>,
    #[graphql(default)]
    pub origin: String,
    #[graphql(default)]
    pub collection_method: String,
    #[graphql(default)]
    pub information: String,
    #[graphql(default)]
    pub software: String,
    #[graphql(default)]
    pub department: String,
    #[graphql(default)]
    pub owner: String,
    #[graphql(default)]
    pub processor_ids: Vec<Uuid>,
}

impl ActivityInput {
    pub fn into_fields(self) -> Result<(ActivityFields, Vec<Uuid>)> {
        let fields = ActivityFields {
            role: parse("role", RegisterRole::parse(&self.role))?,
            name: self.name,
            purposes: self.purposes,
            controller_name: self.controller_name,
            legal_bases: self
                .legal_bases
                .into_iter()
                .map(|l| {
                    Ok(LegalBasisEntry {
                        basis: parse("legalBases", LegalBasis::parse(&l.basis))?,
                        justification: l.justification,
                    })
                })
                .collect::<Result<_>>()?,
            data_subjects: self
                .data_subjects
                .into_iter()
                .map(|d| DataSubjectEntry {
                    category: d.category,
                    estimated_count: d.estimated_count,
                })
                .collect(),
            data_categories: self
                .data_categories
                .into_iter()
                .map(|d| DataCategoryEntry {
                    category: d.category,
                    sensitive: d.sensitive,
                    criminal: d.criminal,
                })
                .collect(),
            recipients: self.recipients,
            transfers: self
                .transfers
                .into_iter()
                .map(|t| {
                    Ok(TransferEntry {
                        country: t.country,
                        recipient: t.recipient,
                        safeguard: parse("transfers", Safeguard::parse(&t.safeguard))?,
                    })
                })
                .collect::<Result<_>>()?,
            retention: self
                .retention
                .into_iter()
                .map(|r| {
                    let months = r.duration_months.filter(|m| *m > 0).ok_or_else(|| {
                        bad_input(
                            "retention",
                            "Chaque durée de conservation indique un nombre de mois.",
                        )
                    })?;
                    Ok(RetentionEntry {
                        data: r.data,
                        duration_months: months as u32,
                        starting_event: r.starting_event,
                        final_fate: parse("retention", FinalFate::parse(&r.final_fate))?,
                    })
                })
                .collect::<Result<_>>()?,
            security_measures: self.security_measures,
            dpia_criteria: self
                .dpia_criteria
                .iter()
                .map(|c| parse("dpiaCriteria", DpiaCriterion::parse(c)))
                .collect::<Result<_>>()?,
            origin: self.origin,
            collection_method: self.collection_method,
            information: self.information,
            software: self.software,
            department: self.department,
            owner: self.owner,
        };
        Ok((fields, self.processor_ids))
    }
}

#[derive(InputObject)]
pub struct ProcessorInput {
    pub tenant_id: Uuid,
    pub name: String,
    pub siret: Option<String>,
    #[graphql(default)]
    pub contact: String,
    /// ISO 3166-1 alpha-2.
    #[graphql(default_with = "\"FR\".to_string()")]
    pub country: String,
    #[graphql(default)]
    pub contract_ref: String,
    /// none, requested, signed.
    #[graphql(default_with = "\"none\".to_string()")]
    pub dpa_status: String,
    pub dpa_signed_on: Option<crate::graphql::scalars::Date>,
}

/// A processor's identity and contract as changed (its commune stays).
#[derive(InputObject)]
pub struct ProcessorChangesInput {
    pub name: String,
    pub siret: Option<String>,
    #[graphql(default)]
    pub contact: String,
    /// ISO 3166-1 alpha-2.
    #[graphql(default_with = "\"FR\".to_string()")]
    pub country: String,
    #[graphql(default)]
    pub contract_ref: String,
    /// none, requested, signed.
    #[graphql(default_with = "\"none\".to_string()")]
    pub dpa_status: String,
    pub dpa_signed_on: Option<crate::graphql::scalars::Date>,
}

#[derive(InputObject)]
pub struct RightsRequestInput {
    pub tenant_id: Uuid,
    /// access, rectification, erasure, restriction, portability, objection, consent_withdrawal.
    pub kind: String,
    pub received_on: crate::graphql::scalars::Date,
    pub requester: String,
    #[graphql(default)]
    pub contact: String,
    #[graphql(default)]
    pub details: String,
}

#[derive(InputObject)]
pub struct BreachInput {
    pub tenant_id: Uuid,
    pub title: String,
    pub aware_at: chrono::DateTime<chrono::Utc>,
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    /// confidentiality, integrity, availability.
    pub natures: Vec<String>,
    #[graphql(default)]
    pub data_categories: String,
    pub people_count: Option<i64>,
    pub records_count: Option<i64>,
    #[graphql(default)]
    pub consequences: String,
    #[graphql(default)]
    pub measures: String,
    /// low, medium, high.
    pub severity: String,
}

pub fn vocab<T>(field: &'static str, r: std::result::Result<T, VocabError>) -> Result<T> {
    parse(field, r)
}
