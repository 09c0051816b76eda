//! One description of each exported column, read from the sea-orm entity: its name, its kind
//! (from the column type) and whether it may be null. The JSON values of the archive, the CSV
//! cells, the JSON Schemas and the README's field tables all come from it, and the import
//! turns the JSON values back into the same database values.
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sea_orm::sea_query::{ColumnType, Value};
use serde_json::{json, Value as Json};
use uuid::Uuid;

/// The kinds of value the entities use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Uuid,
    DateTime,
    Date,
    Text,
    Int,
    BigInt,
    Bool,
    Json,
    /// Binary content (a generated document), base64 in the archive.
    Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    pub kind: Kind,
    pub nullable: bool,
}

impl Kind {
    pub fn of(t: &ColumnType) -> Option<Kind> {
        Some(match t {
            ColumnType::Uuid => Kind::Uuid,
            ColumnType::TimestampWithTimeZone | ColumnType::Timestamp | ColumnType::DateTime => {
                Kind::DateTime
            }
            ColumnType::Date => Kind::Date,
            ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => Kind::Text,
            ColumnType::Integer | ColumnType::SmallInteger | ColumnType::TinyInteger => Kind::Int,
            ColumnType::BigInteger => Kind::BigInt,
            ColumnType::Boolean => Kind::Bool,
            ColumnType::Json | ColumnType::JsonBinary => Kind::Json,
            ColumnType::Binary(_) | ColumnType::VarBinary(_) | ColumnType::Blob => Kind::Bytes,
            _ => return None,
        })
    }

    /// The type in French, for the README.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Uuid => "identifiant (UUID)",
            Kind::DateTime => "date et heure UTC (ISO 8601)",
            Kind::Date => "date (AAAA-MM-JJ)",
            Kind::Text => "texte",
            Kind::Int | Kind::BigInt => "entier",
            Kind::Bool => "booléen",
            Kind::Json => "document JSON",
            Kind::Bytes => "contenu binaire (base64)",
        }
    }

    fn schema(self) -> Json {
        match self {
            Kind::Uuid => json!({"type": "string", "format": "uuid"}),
            Kind::DateTime => json!({"type": "string", "format": "date-time"}),
            Kind::Date => json!({"type": "string", "format": "date"}),
            Kind::Text => json!({"type": "string"}),
            Kind::Int => json!({"type": "integer", "minimum": i32::MIN, "maximum": i32::MAX}),
            Kind::BigInt => json!({"type": "integer"}),
            Kind::Bool => json!({"type": "boolean"}),
            Kind::Json => json!({}),
            Kind::Bytes => json!({"type": "string", "contentEncoding": "base64"}),
        }
    }
}

/// A database value as the archive writes it: UUIDs and dates as strings, date-times in UTC
/// with the digits they have (so they come back exactly), JSON columns as JSON.
pub fn to_json(v: Value) -> Json {
    match v {
        Value::Uuid(Some(u)) => Json::String(u.to_string()),
        Value::ChronoDateTimeUtc(Some(d)) => {
            Json::String(d.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        }
        Value::ChronoDate(Some(d)) => Json::String(d.format("%Y-%m-%d").to_string()),
        Value::String(Some(s)) => Json::String(*s),
        Value::Int(Some(i)) => json!(i),
        Value::SmallInt(Some(i)) => json!(i),
        Value::TinyInt(Some(i)) => json!(i),
        Value::BigInt(Some(i)) => json!(i),
        Value::Bool(Some(b)) => json!(b),
        Value::Json(Some(j)) => *j,
        Value::Bytes(Some(b)) => Json::String(BASE64.encode(*b)),
        _ => Json::Null,
    }
}

/// The database value of `j` for a column of `kind`: the exact variant the entity expects.
pub fn from_json(c: &ColumnInfo, j: &Json) -> Result<Value, String> {
    let bad = |what: &str| format!("« {} » : {what} attendu", c.name);
    if j.is_null() {
        if !c.nullable {
            return Err(format!(
                "« {} » : valeur obligatoire absente (null)",
                c.name
            ));
        }
        return Ok(match c.kind {
            Kind::Uuid => Value::Uuid(None),
            Kind::DateTime => Value::ChronoDateTimeUtc(None),
            Kind::Date => Value::ChronoDate(None),
            Kind::Text => Value::String(None),
            Kind::Int => Value::Int(None),
            Kind::BigInt => Value::BigInt(None),
            Kind::Bool => Value::Bool(None),
            Kind::Json => Value::Json(None),
            Kind::Bytes => Value::Bytes(None),
        });
    }
    Ok(match c.kind {
        Kind::Uuid => j
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .map(Value::from)
            .ok_or_else(|| bad("un UUID"))?,
        Kind::DateTime => j
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| Value::from(d.with_timezone(&Utc)))
            .ok_or_else(|| bad("une date et heure ISO 8601"))?,
        Kind::Date => j
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(Value::from)
            .ok_or_else(|| bad("une date AAAA-MM-JJ"))?,
        Kind::Text => j
            .as_str()
            .map(|s| Value::from(s.to_owned()))
            .ok_or_else(|| bad("un texte"))?,
        Kind::Int => j
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .map(Value::from)
            .ok_or_else(|| bad("un entier sur 32 bits"))?,
        Kind::BigInt => j
            .as_i64()
            .map(Value::from)
            .ok_or_else(|| bad("un entier"))?,
        Kind::Bool => j
            .as_bool()
            .map(Value::from)
            .ok_or_else(|| bad("un booléen"))?,
        Kind::Json => Value::Json(Some(Box::new(j.clone()))),
        Kind::Bytes => j
            .as_str()
            .and_then(|s| BASE64.decode(s).ok())
            .map(Value::from)
            .ok_or_else(|| bad("un contenu en base64"))?,
    })
}

/// A CSV cell (`;`-separated, RFC 4180 quoting, formula starts neutralised as in `formats`).
pub fn csv_cell(j: &Json, out: &mut String) {
    let text = match j {
        Json::Null => return,
        Json::String(s) => formats::neutralize(s).into_owned(),
        Json::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
        Json::Number(n) => n.to_string(),
        other => other.to_string(),
    };
    if text.contains([';', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

/// The JSON Schema (draft 2020-12) of one entity's JSON file.
pub fn schema(file: &str, title: &str, columns: &[ColumnInfo]) -> Json {
    let mut props = serde_json::Map::new();
    for c in columns {
        let mut s = c.kind.schema();
        if c.nullable {
            s = json!({"anyOf": [s, {"type": "null"}]});
        }
        if let Some(obj) = s.as_object_mut() {
            obj.insert("description".into(), json!(describe(file, &c.name)));
        }
        props.insert(c.name.clone(), s);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{file}.schema.json"),
        "title": title,
        "type": "object",
        "required": ["entity", "rows"],
        "additionalProperties": false,
        "properties": {
            "entity": {"const": file},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
                    "properties": props,
                }
            }
        }
    })
}

/// What a field holds, in French: the common names from a glossary, the others from their
/// form (`…_id` points to another file, `…_cents` is money, `…_at` an instant, `…_on` a day).
pub fn describe(file: &str, name: &str) -> String {
    if name == "id" {
        return "identifiant de la ligne (UUID, stable d'un export à l'autre)".into();
    }
    if let Some((_, d)) = GLOSSARY.iter().find(|(n, _)| *n == name) {
        return (*d).to_owned();
    }
    let words = name.replace('_', " ");
    if let Some(stem) = name.strip_suffix("_ids") {
        return format!("identifiants liés ({}), liste JSON", stem.replace('_', " "));
    }
    if let Some(stem) = name.strip_suffix("_id") {
        return format!(
            "identifiant de l'élément lié « {} »",
            stem.replace('_', " ")
        );
    }
    if let Some(stem) = name.strip_suffix("_cents") {
        return format!("montant en centimes d'euro ({})", stem.replace('_', " "));
    }
    if let Some(stem) = name.strip_suffix("_at") {
        return format!("horodatage UTC : {}", stem.replace('_', " "));
    }
    if let Some(stem) = name.strip_suffix("_on") {
        return format!("date : {}", stem.replace('_', " "));
    }
    if let Some(stem) = name.strip_suffix("_bp") {
        return format!(
            "{} en points de base (10 000 = 100 %)",
            stem.replace('_', " ")
        );
    }
    let _ = file;
    format!("valeur « {words} » telle qu'enregistrée dans Mutualis")
}

const GLOSSARY: &[(&str, &str)] = &[
    (
        "organisation_id",
        "identifiant de l'intercommunalité (fichier organisation)",
    ),
    (
        "tenant_id",
        "identifiant de la commune ou de l'intercommunalité propriétaire (fichier tenant)",
    ),
    ("created_at", "horodatage UTC de création"),
    ("updated_at", "horodatage UTC de la dernière modification"),
    ("created_by", "personne ou jeton ayant créé la ligne"),
    (
        "updated_by",
        "personne ou jeton ayant fait la dernière modification",
    ),
    ("name", "nom"),
    ("title", "intitulé"),
    ("label", "libellé"),
    ("status", "état (code stable en anglais)"),
    ("kind", "nature (code stable en anglais)"),
    ("version", "numéro de version"),
    ("siren", "numéro SIREN (9 chiffres)"),
    ("siret", "numéro SIRET (14 chiffres)"),
    (
        "insee_code",
        "code officiel géographique INSEE de la commune",
    ),
    (
        "population",
        "population municipale du référentiel officiel",
    ),
    ("email", "adresse électronique"),
    ("role", "rôle (code stable en anglais)"),
    ("object", "objet"),
    (
        "cpv",
        "code CPV 2008 (vocabulaire commun des marchés publics)",
    ),
    ("duration_months", "durée en mois"),
    ("renewals", "nombre de reconductions"),
    ("number", "numéro"),
    ("reference", "référence"),
    ("notes", "notes libres"),
    ("note", "note libre"),
    ("reason", "motif"),
    ("period_start", "premier jour de la période"),
    ("period_end", "dernier jour de la période"),
    ("period", "période (AAAA-MM ou AAAA)"),
    ("year", "année"),
    (
        "seq",
        "rang dans la chaîne du journal d'audit de la commune",
    ),
    ("hash", "empreinte SHA-256 chaînée de l'enregistrement"),
    (
        "prev_hash",
        "empreinte de l'enregistrement précédent de la chaîne",
    ),
    (
        "principal",
        "qui a agi (personne, jeton, opérateur ou tâche de fond)",
    ),
    ("operation", "opération effectuée"),
    ("before", "état avant l'opération (JSON)"),
    ("after", "état après l'opération (JSON)"),
    ("at", "horodatage UTC"),
    ("purposes", "finalités du traitement"),
    (
        "legal_bases",
        "bases légales (art. 6 RGPD) et leur justification",
    ),
    ("data_subjects", "catégories de personnes concernées"),
    (
        "data_categories",
        "catégories de données (sensibles art. 9 / pénales art. 10 signalées)",
    ),
    ("recipients", "destinataires"),
    (
        "transfers",
        "transferts hors de l'Union européenne et garanties",
    ),
    ("retention", "durées de conservation et sort final"),
    ("security_measures", "mesures de sécurité"),
    ("dpia_criteria", "critères AIPD de la CNIL remplis"),
    (
        "is_model",
        "traitement modèle publié par l'intercommunalité",
    ),
    ("model_id", "traitement modèle dont celui-ci est issu"),
    ("requester", "demandeur"),
    ("contact", "coordonnées"),
    ("details", "détail"),
    ("answer", "réponse"),
    ("due_on", "échéance légale"),
    (
        "aware_at",
        "prise de connaissance de la violation (début des 72 heures)",
    ),
    ("amount_cents", "montant en centimes d'euro"),
    ("total_cents", "total en centimes d'euro"),
    ("method", "méthode (code stable en anglais)"),
    (
        "channel",
        "canal de facturation : chorus_pro, titre ou stripe",
    ),
    (
        "audit_head_seq",
        "rang du dernier enregistrement du journal d'audit",
    ),
    (
        "audit_head_hash",
        "empreinte du dernier enregistrement du journal d'audit",
    ),
    ("epci_siren", "SIREN de l'intercommunalité d'appartenance"),
    ("departement", "code du département"),
    ("host", "machine sauvegardée"),
    ("tags", "étiquettes"),
    ("repository", "dépôt de sauvegarde"),
    (
        "password_ref",
        "nom (et non valeur) du mot de passe du dépôt dans la configuration",
    ),
    (
        "rpo_hours",
        "perte de données maximale admissible, en heures",
    ),
    ("stored_bytes", "octets stockés"),
    (
        "secret_hash",
        "empreinte du secret (jamais le secret lui-même)",
    ),
    ("permissions", "droits accordés (liste JSON)"),
    ("expires_at", "fin de validité (UTC)"),
    ("revoked_at", "révocation (UTC)"),
];
