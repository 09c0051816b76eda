//! Allocation methods, stored as JSON on the pool:
//! - `{"kind": "key", "key": "population"}`: in proportion to a key (`population` comes from
//!   the official referential; any other key from the values the DSI records per commune and
//!   year);
//! - `{"kind": "usage", "metric": "backup_gb_month"}`: unit cost × measured usage, the unit cost
//!   being the pool divided by the total usage (`backup_gb_month` is metered from the backup
//!   reports over the pool's months; other metrics, such as tickets or workstations in service,
//!   are recorded values);
//! - `{"kind": "percentages", "shares": [{"tenantId": …, "basisPoints": 2500}, …]}`: fixed
//!   shares in hundredths of a percent, summing to exactly 100 %;
//! - `{"kind": "mix", "parts": [{"key": "population", "weight": 60}, {"key": "agents", …}]}`: a
//!   weighted mix of keys (each commune's share of each key, weighted).
use super::{bad, CostError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const BACKUP_METRIC: &str = "backup_gb_month";
pub const POPULATION: &str = "population";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    Key { key: String },
    Usage { metric: String },
    Percentages { shares: Vec<FixedShare> },
    Mix { parts: Vec<MixPart> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixedShare {
    pub tenant_id: Uuid,
    pub basis_points: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MixPart {
    pub key: String,
    pub weight: u32,
}

/// A key or metric name: lower case letters, digits and `_`.
pub fn key_name(field: &'static str, raw: &str) -> Result<String, CostError> {
    let k = raw.trim().to_ascii_lowercase();
    if k.is_empty()
        || k.len() > 40
        || !k
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(bad(
            field,
            format!(
                "« {raw} » : un nom de clé compte de 1 à 40 lettres minuscules sans accent, chiffres ou « _ »."
            ),
        ));
    }
    Ok(k)
}

impl Method {
    /// Normalises names and checks the method's own rules (not yet the communes).
    pub fn validate(self) -> Result<Method, CostError> {
        Ok(match self {
            Method::Key { key } => Method::Key {
                key: key_name("method.key", &key)?,
            },
            Method::Usage { metric } => Method::Usage {
                metric: key_name("method.metric", &metric)?,
            },
            Method::Percentages { shares } => {
                if shares.is_empty() {
                    return Err(bad(
                        "method.shares",
                        "Indiquez la part d'au moins une commune.",
                    ));
                }
                let total: u64 = shares.iter().map(|s| u64::from(s.basis_points)).sum();
                if total != 10_000 {
                    return Err(bad(
                        "method.shares",
                        format!(
                            "Les pourcentages totalisent {},{:02} % au lieu de 100 %.",
                            total / 100,
                            total % 100
                        ),
                    ));
                }
                let mut ids: Vec<Uuid> = shares.iter().map(|s| s.tenant_id).collect();
                ids.sort();
                ids.dedup();
                if ids.len() != shares.len() {
                    return Err(bad("method.shares", "Une commune figure deux fois."));
                }
                Method::Percentages { shares }
            }
            Method::Mix { parts } => {
                if parts.is_empty() || parts.len() > 4 {
                    return Err(bad("method.parts", "De une à quatre clés."));
                }
                let mut out = Vec::with_capacity(parts.len());
                for p in parts {
                    if p.weight == 0 || p.weight > 1000 {
                        return Err(bad(
                            "method.parts",
                            "Chaque poids est compris entre 1 et 1 000.",
                        ));
                    }
                    let key = key_name("method.parts", &p.key)?;
                    if out.iter().any(|o: &MixPart| o.key == key) {
                        return Err(bad(
                            "method.parts",
                            format!("La clé « {key} » figure deux fois."),
                        ));
                    }
                    out.push(MixPart {
                        key,
                        weight: p.weight,
                    });
                }
                Method::Mix { parts: out }
            }
        })
    }

    /// The keys (or metric) the method reads, for each commune.
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Method::Key { key } => vec![key.as_str()],
            Method::Usage { metric } => vec![metric.as_str()],
            Method::Percentages { .. } => vec![],
            Method::Mix { parts } => parts.iter().map(|p| p.key.as_str()).collect(),
        }
    }

    pub fn parse(v: &serde_json::Value) -> Result<Method, CostError> {
        serde_json::from_value(v.clone()).map_err(|e| CostError::Corrupt(e.to_string()))
    }

    /// In French, for explanations.
    pub fn describe(&self) -> String {
        match self {
            Method::Key { key } => format!("au prorata de la clé « {key} »"),
            Method::Usage { metric } => format!("coût unitaire × usage mesuré ({metric})"),
            Method::Percentages { .. } => "parts fixes".into(),
            Method::Mix { parts } => {
                let total: u32 = parts.iter().map(|p| p.weight).sum();
                let list: Vec<String> = parts
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {}",
                            p.key,
                            super::percent(u128::from(p.weight), u128::from(total))
                        )
                    })
                    .collect();
                format!("clés pondérées ({})", list.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn costs_methods_parse_and_validate() {
        let m: Method = serde_json::from_value(json!({"kind": "mix", "parts": [
            {"key": "Population", "weight": 60}, {"key": "agents", "weight": 40}]}))
        .expect("json");
        let m = m.validate().expect("valid");
        assert_eq!(m.keys(), vec!["population", "agents"]);
        let pct = |bps: &[u32]| Method::Percentages {
            shares: bps
                .iter()
                .enumerate()
                .map(|(i, b)| FixedShare {
                    tenant_id: Uuid::from_u128(i as u128 + 1),
                    basis_points: *b,
                })
                .collect(),
        };
        assert!(pct(&[5000, 5000]).validate().is_ok());
        match pct(&[5000, 4999]).validate() {
            Err(CostError::BadInput { field, message }) => {
                assert_eq!(field, "method.shares");
                assert!(message.contains("99,99 %"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(Method::Key { key: "a b".into() }.validate().is_err());
        assert!(Method::Mix { parts: vec![] }.validate().is_err());
    }
}
