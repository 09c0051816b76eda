//! What a person types for a contract (`ContractFields`, its lots and shares) and how it is
//! checked: amounts, durations, lots summing to the awarded amount, shares to the contract.
use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareInput {
    pub tenant_id: Uuid,
    pub amount_cents: i64,
}

/// A lot of a contract divided into lots (allotissement).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LotInput {
    /// 1, 2, …: unique within the contract.
    pub number: i32,
    pub object: String,
    /// The contract's CPV code when none is given.
    pub cpv: Option<String>,
    pub estimated_cents: i64,
    pub awarded_cents: Option<i64>,
    /// Supplier ids of the organisation holding the lot.
    pub supplier_ids: Vec<Uuid>,
    /// The lot's own firm duration, when it differs from the contract's.
    pub duration_months: Option<i32>,
}

/// A lot as validated: object trimmed, CPV resolved.
pub(crate) struct ValidLot {
    pub(in crate::procurement) number: i32,
    pub(in crate::procurement) object: String,
    pub(in crate::procurement) cpv: &'static str,
}

/// The DECP `id` of a lot: the contract's reference followed by `-` and the lot number on two
/// digits at least (the schema has no lot field; each lot is its own `marche`).
pub fn lot_decp_id(reference: &str, number: i32) -> String {
    format!("{reference}-{number:02}")
}

/// Checks the lots of a contract: numbers from 1 and unique, amounts not negative, a CPV code
/// from the official list, an object, and (when the contract states its awarded amount) the
/// lots' awarded amounts summing to it. Every error names the field `lots`.
pub(super) fn lots_valid(
    lots: &[LotInput],
    reference: &str,
    contract_cpv: &'static str,
    awarded: Option<i64>,
) -> Result<Vec<ValidLot>, ProcurementError> {
    let mut out: Vec<ValidLot> = vec![];
    let mut total: i64 = 0;
    for l in lots {
        if l.number < 1 {
            return Err(bad("lots", "Les lots sont numérotés à partir de 1."));
        }
        if out.iter().any(|v| v.number == l.number) {
            return Err(bad(
                "lots",
                format!("Le lot {} figure deux fois.", l.number),
            ));
        }
        if lot_decp_id(reference, l.number).chars().count() > 16 {
            return Err(bad(
                "lots",
                "Chaque lot est publié sous la forme référence-NN, en 16 caractères au plus : raccourcissez la référence.",
            ));
        }
        let object = l.object.trim().to_owned();
        if object.is_empty() {
            return Err(bad(
                "lots",
                format!("Lot {} : indiquez l'objet du lot.", l.number),
            ));
        }
        let cpv = match l.cpv.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => {
                cpv::parse(c)
                    .map_err(|e| {
                        bad::<ProcurementError>("lots", format!("Lot {} : {e}", l.number))
                    })?
                    .code
            }
            _ => contract_cpv,
        };
        if l.estimated_cents < 0 || l.awarded_cents.is_some_and(|a| a < 0) {
            return Err(bad(
                "lots",
                format!(
                    "Lot {} : les montants ne peuvent pas être négatifs.",
                    l.number
                ),
            ));
        }
        if let Some(m) = l.duration_months {
            months("lots", m)?;
        }
        match (awarded, l.awarded_cents) {
            (Some(_), Some(a)) => {
                total = total
                    .checked_add(a)
                    .ok_or_else(|| bad::<ProcurementError>("lots", "Montants trop élevés."))?
            }
            (Some(_), None) => {
                return Err(bad(
                    "lots",
                    format!(
                        "Lot {} : le marché est attribué, indiquez le montant attribué du lot.",
                        l.number
                    ),
                ))
            }
            (None, Some(_)) => {
                return Err(bad(
                    "lots",
                    format!(
                        "Lot {} : un lot attribué demande le montant attribué du marché.",
                        l.number
                    ),
                ))
            }
            (None, None) => {}
        }
        out.push(ValidLot {
            number: l.number,
            object,
            cpv,
        });
    }
    if let (Some(awarded), false) = (awarded, lots.is_empty()) {
        if total != awarded {
            return Err(bad(
                "lots",
                format!(
                    "Les montants attribués des lots totalisent {} HT, le montant attribué du marché est de {} HT : ils doivent être égaux.",
                    crate::costs::euros(total),
                    crate::costs::euros(awarded)
                ),
            ));
        }
    }
    Ok(out)
}

/// What a client sends; closed lists as the DECP schema spells them.
#[derive(Debug, Clone, Default)]
pub struct ContractFields {
    pub reference: String,
    pub object: String,
    pub nature: String,
    pub category: String,
    pub procedure: String,
    pub techniques: Vec<String>,
    pub execution_modalities: Vec<String>,
    pub ccag: String,
    pub price_form: String,
    pub price_types: Vec<String>,
    pub cpv: String,
    pub estimated_cents: i64,
    pub awarded_cents: Option<i64>,
    /// Empty when the contract is not divided into lots.
    pub lots: Vec<LotInput>,
    pub notified_on: Option<NaiveDate>,
    pub duration_months: i32,
    pub renewals: i32,
    pub renewal_months: i32,
    pub notice_days: i32,
    pub place_code: String,
    pub place_type: String,
    pub social_considerations: Vec<String>,
    pub environmental_considerations: Vec<String>,
    pub subcontracting: bool,
    pub supplier_ids: Vec<Uuid>,
    pub shares: Vec<ShareInput>,
    pub buyer_siret: Option<String>,
    pub offers_received: Option<i32>,
    pub innovative: bool,
    pub advance_paid: bool,
    pub operator_grouping: String,
}

pub(crate) struct Valid {
    pub(in crate::procurement) reference: String,
    pub(in crate::procurement) object: String,
    pub(in crate::procurement) nature: &'static str,
    pub(in crate::procurement) category: Category,
    pub(in crate::procurement) procedure: &'static str,
    pub(in crate::procurement) techniques: Vec<&'static str>,
    pub(in crate::procurement) execution_modalities: Vec<&'static str>,
    pub(in crate::procurement) ccag: &'static str,
    pub(in crate::procurement) price_form: &'static str,
    pub(in crate::procurement) price_types: Vec<&'static str>,
    pub(in crate::procurement) cpv: &'static str,
    pub(in crate::procurement) place_code: String,
    pub(in crate::procurement) place_type: &'static str,
    pub(in crate::procurement) social: Vec<&'static str>,
    pub(in crate::procurement) environmental: Vec<&'static str>,
    pub(in crate::procurement) buyer_siret: Option<crate::identifiers::Siret>,
    pub(in crate::procurement) operator_grouping: &'static str,
    pub(in crate::procurement) lots: Vec<ValidLot>,
}

impl Valid {
    /// Checks against the commune's other contracts, for a new contract and an edited one
    /// (`except`): the buyer's SIRET is one of the commune's establishments, and the
    /// reference is not taken.
    pub(in crate::procurement) async fn check_in_commune(
        &self,
        txn: &DatabaseTransaction,
        scope: &Scope,
        t: &tenant::Model,
        except: Option<Uuid>,
    ) -> Result<(), ProcurementError> {
        if let Some(s) = &self.buyer_siret {
            if s.siren() != t.siren {
                return Err(bad(
                    "buyerSiret",
                    format!(
                        "Indiquez un établissement de l'acheteur (SIRET commençant par son SIREN {}).",
                        t.siren
                    ),
                ));
            }
        }
        let mut same = scope
            .find::<proc_contract::Entity>()
            .filter(proc_contract::Column::TenantId.eq(t.id))
            .filter(proc_contract::Column::Reference.eq(self.reference.clone()));
        if let Some(id) = except {
            same = same.filter(proc_contract::Column::Id.ne(id));
        }
        if same.one(txn).await?.is_some() {
            return Err(ProcurementError::Conflict(format!(
                "Cette commune a déjà un marché de référence « {} ».",
                self.reference
            )));
        }
        Ok(())
    }
}

pub(super) fn amount(field: &'static str, cents: i64) -> Result<i64, ProcurementError> {
    if cents < 0 {
        return Err(bad(
            field,
            "Le montant hors taxes ne peut pas être négatif.",
        ));
    }
    Ok(cents)
}

pub(super) fn months(field: &'static str, m: i32) -> Result<i32, ProcurementError> {
    if m <= 0 {
        return Err(bad(field, "La durée est d'au moins 1 mois."));
    }
    if m > 1200 {
        return Err(bad(field, "La durée est de 1 200 mois au plus."));
    }
    Ok(m)
}

pub(super) fn shares_sum(
    shares: &[ShareInput],
    awarded: Option<i64>,
) -> Result<(), ProcurementError> {
    if shares.is_empty() {
        return Ok(());
    }
    let Some(awarded) = awarded else {
        return Err(bad(
            "awardedCents",
            "Les parts d'un groupement de commandes divisent le montant attribué : indiquez-le.",
        ));
    };
    let mut seen = vec![];
    let mut total: i64 = 0;
    for s in shares {
        amount("shares", s.amount_cents)?;
        if seen.contains(&s.tenant_id) {
            return Err(bad("shares", "Une seule part par commune."));
        }
        seen.push(s.tenant_id);
        total = total
            .checked_add(s.amount_cents)
            .ok_or_else(|| bad::<ProcurementError>("shares", "Montants trop élevés."))?;
    }
    if total != awarded {
        return Err(bad(
            "shares",
            format!(
                "Les parts totalisent {} HT, le montant attribué est de {} HT : ils doivent être égaux.",
                crate::costs::euros(total),
                crate::costs::euros(awarded)
            ),
        ));
    }
    Ok(())
}

impl ContractFields {
    pub(crate) fn validate(&self) -> Result<Valid, ProcurementError> {
        let reference = self.reference.trim().to_owned();
        // DECP `id`: the buyer's reference, 1 to 16 characters.
        if reference.is_empty() || reference.chars().count() > 16 {
            return Err(bad(
                "reference",
                "La référence de l'acheteur compte de 1 à 16 caractères.",
            ));
        }
        let object = self.object.trim().to_owned();
        if object.is_empty() {
            return Err(bad("object", "Indiquez l'objet du marché."));
        }
        let cpv =
            cpv::parse(&self.cpv).map_err(|e| bad::<ProcurementError>("cpv", e.to_string()))?;
        amount("estimatedCents", self.estimated_cents)?;
        if let Some(a) = self.awarded_cents {
            amount("awardedCents", a)?;
        }
        months("durationMonths", self.duration_months)?;
        if self.renewals < 0 {
            return Err(bad(
                "renewals",
                "Le nombre de reconductions ne peut pas être négatif.",
            ));
        }
        if self.renewals > 0 {
            months("renewalMonths", self.renewal_months)?;
        } else if self.renewal_months != 0 {
            return Err(bad(
                "renewalMonths",
                "Une durée de reconduction demande au moins une reconduction.",
            ));
        }
        if self.notice_days < 0 {
            return Err(bad("noticeDays", "Le préavis ne peut pas être négatif."));
        }
        if let Some(n) = self.notified_on {
            if n > crate::calendar::paris_today() {
                return Err(bad(
                    "notifiedOn",
                    "La date de notification ne peut pas être dans le futur.",
                ));
            }
            if self.awarded_cents.is_none() {
                return Err(bad(
                    "awardedCents",
                    "Un marché notifié a un montant attribué : indiquez-le.",
                ));
            }
        }
        let place_code = self.place_code.trim().to_owned();
        if place_code.is_empty() {
            return Err(bad("placeCode", "Indiquez le lieu d'exécution du marché."));
        }
        shares_sum(&self.shares, self.awarded_cents)?;
        if self.offers_received.is_some_and(|n| n < 1) {
            return Err(bad(
                "offersReceived",
                "Le nombre d'offres reçues est d'au moins 1.",
            ));
        }
        let buyer_siret = match self.buyer_siret.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => Some(
                crate::identifiers::Siret::parse(s)
                    .map_err(|e| bad::<ProcurementError>("buyerSiret", e.to_string()))?,
            ),
            _ => None,
        };
        let lots = lots_valid(&self.lots, &reference, cpv.code, self.awarded_cents)?;
        Ok(Valid {
            lots,
            buyer_siret,
            operator_grouping: one_of(
                "operatorGrouping",
                &self.operator_grouping,
                OPERATOR_GROUPINGS,
            )?,
            reference,
            object,
            nature: one_of("nature", &self.nature, NATURES)?,
            category: Category::parse("category", &self.category)?,
            procedure: one_of("procedure", &self.procedure, PROCEDURES)?,
            techniques: list_of("techniques", &self.techniques, TECHNIQUES)?,
            execution_modalities: list_of(
                "executionModalities",
                &self.execution_modalities,
                EXECUTION_MODALITIES,
            )?,
            ccag: one_of("ccag", &self.ccag, CCAGS)?,
            price_form: one_of("priceForm", &self.price_form, PRICE_FORMS)?,
            price_types: list_of("priceTypes", &self.price_types, PRICE_TYPES)?,
            cpv: cpv.code,
            place_code,
            place_type: one_of("placeType", &self.place_type, PLACE_TYPES)?,
            social: list_of("socialConsiderations", &self.social_considerations, SOCIAL)?,
            environmental: list_of(
                "environmentalConsiderations",
                &self.environmental_considerations,
                ENVIRONMENTAL,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lot(number: i32, awarded: Option<i64>) -> LotInput {
        LotInput {
            number,
            object: format!("lot {number}"),
            estimated_cents: 100,
            awarded_cents: awarded,
            ..Default::default()
        }
    }

    fn lots_err(lots: &[LotInput], reference: &str, awarded: Option<i64>) -> Option<&'static str> {
        match lots_valid(lots, reference, "72267000", awarded) {
            Ok(_) => None,
            Err(ProcurementError::BadInput { field, .. }) => Some(field),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn lots_sum_to_the_awarded_amount_with_unique_numbers() {
        let two = [lot(1, Some(60)), lot(2, Some(40))];
        assert_eq!(lots_err(&two, "2025-01", Some(100)), None);
        let v = lots_valid(&two, "2025-01", "72267000", Some(100)).expect("valid");
        assert_eq!(v[1].cpv, "72267000", "the contract's CPV by default");
        assert_eq!(lots_err(&two, "2025-01", Some(101)), Some("lots"));
        assert_eq!(lots_err(&two, "2025-01", None), Some("lots"));
        assert_eq!(
            lots_err(&[lot(1, Some(60)), lot(1, Some(40))], "x", Some(100)),
            Some("lots")
        );
        assert_eq!(lots_err(&[lot(0, Some(100))], "x", Some(100)), Some("lots"));
        assert_eq!(
            lots_err(&[lot(1, Some(-1)), lot(2, Some(101))], "x", Some(100)),
            Some("lots")
        );
        assert_eq!(lots_err(&[lot(1, None)], "x", Some(100)), Some("lots"));
        assert_eq!(lots_err(&[lot(1, None), lot(2, None)], "x", None), None);
        // reference-NN must fit the 16 characters of a DECP id.
        assert_eq!(lots_err(&[lot(1, None)], "ABCDEFGHIJKLM", None), None);
        assert_eq!(
            lots_err(&[lot(1, None)], "ABCDEFGHIJKLMN", None),
            Some("lots")
        );
        assert_eq!(lot_decp_id("2025-01", 3), "2025-01-03");
        let mut bad_cpv = lot(1, None);
        bad_cpv.cpv = Some("99999999".into());
        assert_eq!(lots_err(&[bad_cpv], "x", None), Some("lots"));
    }

    #[test]
    fn shares_must_sum_to_the_awarded_amount() {
        let t1 = Uuid::from_u128(1);
        let t2 = Uuid::from_u128(2);
        let s = |a, b| {
            vec![
                ShareInput {
                    tenant_id: t1,
                    amount_cents: a,
                },
                ShareInput {
                    tenant_id: t2,
                    amount_cents: b,
                },
            ]
        };
        assert!(shares_sum(&s(60, 40), Some(100)).is_ok());
        assert!(matches!(
            shares_sum(&s(60, 39), Some(100)),
            Err(ProcurementError::BadInput {
                field: "shares",
                ..
            })
        ));
        assert!(matches!(
            shares_sum(&s(120, -20), Some(100)),
            Err(ProcurementError::BadInput {
                field: "shares",
                ..
            })
        ));
        assert!(matches!(
            shares_sum(&s(60, 40), None),
            Err(ProcurementError::BadInput {
                field: "awardedCents",
                ..
            })
        ));
    }
}
