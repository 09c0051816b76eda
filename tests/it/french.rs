//! The API speaks French: the check every GraphQL error message goes through, and the
//! accessors of a GraphQL answer.
use serde_json::Value;

/// English words that have no place in a French sentence. Short French homographs (a, an,
/// as, on, but, or…) are left out: the check must never fail a correct French message.
const ENGLISH_WORDS: &[&str] = &[
    "the", "is", "are", "was", "were", "be", "been", "must", "cannot", "can", "not", "no", "you",
    "your", "this", "that", "these", "required", "invalid", "unknown", "missing", "between",
    "already", "and", "of", "to", "for", "with", "from", "should", "expected", "only", "than",
    "at", "has", "have", "does", "which", "when", "in", "it", "its", "please", "needs", "need",
    "may", "too", "more", "less", "after", "before", "since", "allowed", "exists", "by", "if",
    "will", "would", "there", "they", "any", "every", "each", "one", "into", "yet", "wrong",
];

/// Fails unless `message` reads as French: no English function word outside quoted values
/// (« … », "…", `…`: names and codes the caller sent or the API quotes). Every GraphQL error
/// message a test receives goes through it, so the whole suite checks the API speaks French.
pub fn assert_french(message: &str) {
    let mut plain = String::with_capacity(message.len());
    let mut closing: Option<char> = None;
    for c in message.chars() {
        match closing {
            Some(end) if c == end => closing = None,
            Some(_) => {}
            None => match c {
                '«' => closing = Some('»'),
                '"' => closing = Some('"'),
                '`' => closing = Some('`'),
                _ => plain.push(c),
            },
        }
    }
    let english: Vec<&str> = plain
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '\''))
        .filter(|w| ENGLISH_WORDS.contains(&w.to_lowercase().as_str()))
        .collect();
    assert!(
        english.is_empty() && !message.trim().is_empty(),
        "not a French message ({english:?}): {message:?}"
    );
}

/// `assert_french` on every `errors[].message` of a GraphQL answer.
pub fn assert_french_errors(body: &Value) {
    for e in body["errors"].as_array().into_iter().flatten() {
        assert_french(e["message"].as_str().unwrap_or_default());
    }
}

/// The `extensions.code` of the first error, if any.
pub fn error_code(resp: &Value) -> Option<String> {
    resp["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}

/// The data of a response that must have succeeded.
pub fn data(resp: &Value) -> &Value {
    assert!(
        resp.get("errors").is_none_or(Value::is_null),
        "unexpected errors: {resp}"
    );
    &resp["data"]
}
