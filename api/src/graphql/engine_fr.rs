//! The GraphQL engine's own refusals (syntax, unknown fields, arguments, variables, limits,
//! argument validators) come in English from async-graphql, which we cannot change at the
//! source: this gives each the French sentence a person reads. The engine's text stays in
//! `extensions.detail`, so a developer can still search for it; `extensions.code` does not
//! change.

/// The text between the first pair of double quotes of `s`, and what follows it.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let start = s.find('"')? + 1;
    let len = s[start..].find('"')?;
    Some((&s[start..start + len], &s[start + len + 1..]))
}

/// Up to three quoted names, in order.
fn names(s: &str) -> Vec<&str> {
    let mut out = vec![];
    let mut rest = s;
    while let Some((name, tail)) = quoted(rest) {
        out.push(name);
        rest = tail;
        if out.len() == 3 {
            break;
        }
    }
    out
}

/// ` Did you mean "x"?` or ` Did you mean "x" or "y"?` at the end of a message.
fn suggestion(s: &str) -> String {
    match s.find("Did you mean") {
        Some(i) => {
            let options: Vec<String> = names(&s[i..])
                .into_iter()
                .map(|n| format!("« {n} »"))
                .collect();
            if options.is_empty() {
                String::new()
            } else {
                format!(" Vouliez-vous dire {} ?", options.join(" ou "))
            }
        }
        None => String::new(),
    }
}

/// The validators' and scalars' reasons (`the value is 0, must be greater than or equal to 1`).
fn reason(r: &str) -> String {
    let r = r.trim().trim_end_matches('.');
    let numbers: Vec<&str> = r
        .split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .filter(|s| !s.is_empty() && *s != "-")
        .collect();
    let pair = || (numbers.first().copied(), numbers.get(1).copied());
    let bound = |what: &str, unit: &str| -> Option<String> {
        let (found, limit) = pair();
        let (found, limit) = (found?, limit?);
        let side = if r.contains("less than or equal") {
            "au plus"
        } else {
            "au moins"
        };
        Some(format!(
            "{what} {found}{unit}, il en faut {limit}{unit} {side}"
        ))
    };
    let described = if r.starts_with("the value is ") {
        let (found, limit) = pair();
        found.zip(limit).map(|(found, limit)| {
            let side = if r.contains("less than or equal") {
                "inférieure ou égale"
            } else {
                "supérieure ou égale"
            };
            format!("la valeur est {found}, elle doit être {side} à {limit}")
        })
    } else if r.starts_with("the string length is ") || r.starts_with("the chars length is ") {
        bound("le texte compte", " caractères")
    } else if r.starts_with("the value length is ") {
        bound("la liste compte", " éléments")
    } else if let Some(rest) = r.strip_prefix("Expected input type ") {
        quoted(rest).map(|(t, _)| format!("une valeur de type {t} est attendue"))
    } else if let Some(rest) = r.strip_prefix("expected type ") {
        quoted(rest).map(|(t, _)| format!("une valeur de type {t} est attendue"))
    } else if r.starts_with("field ") && r.contains("is required but not provided") {
        let n = names(r);
        n.first()
            .zip(n.get(1))
            .map(|(f, t)| format!("le champ « {f} » (type {t}) est obligatoire"))
    } else if r.starts_with("unknown field ") {
        let n = names(r);
        n.first()
            .zip(n.get(1))
            .map(|(f, t)| format!("le champ « {f} » n'existe pas dans le type {t}"))
    } else if r.starts_with("enumeration type ") {
        let n = names(r);
        n.first()
            .zip(n.get(1))
            .map(|(t, v)| format!("la valeur « {v} » n'existe pas dans l'énumération {t}"))
    } else if let Some(rest) = r.strip_prefix("Failed to parse ") {
        quoted(rest).map(|(t, tail)| {
            format!(
                "valeur invalide pour le type {t} : {}",
                reason(tail.trim_start_matches(':'))
            )
        })
    } else {
        None
    };
    // Our own scalars already speak French: their reason is kept as it is.
    described.unwrap_or_else(|| {
        if looks_english(r) {
            "valeur refusée".to_owned()
        } else {
            r.to_owned()
        }
    })
}

/// A crude test: does the text use an English function word? Used only to decide whether a
/// reason the engine passed through (ours, in French, or one of its own) can be shown.
pub fn looks_english(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "the", "is", "are", "must", "not", "be", "of", "to", "for", "with", "and", "an",
    ];
    s.split(|c: char| !c.is_alphabetic())
        .any(|w| WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// The French sentence for one of the engine's messages (`None`: not one we know).
pub fn translate(message: &str) -> Option<String> {
    // A scalar's reason read inside another type carries where, in English: the type is
    // already named.
    let m = match message.find(" (occurred while parsing \"") {
        Some(i) => &message[..i],
        None => message,
    };
    let m = m.trim();
    let n = names(m);
    let first = n.first().copied().unwrap_or_default();
    let second = n.get(1).copied().unwrap_or_default();
    let third = n.get(2).copied().unwrap_or_default();
    Some(if m == "Query is too complex." {
        format!(
            "La requête est trop complexe (complexité de {} au plus) : demandez moins de champs.",
            super::MAX_COMPLEXITY
        )
    } else if m == "Query is nested too deep." {
        format!(
            "La requête est trop imbriquée ({} niveaux au plus).",
            super::MAX_DEPTH
        )
    } else if m.starts_with("Unknown field ") {
        format!(
            "Champ inconnu « {first} » dans le type {second}.{}",
            suggestion(m)
        )
    } else if m.starts_with("Unknown argument ") && m.contains(" on field ") {
        format!(
            "Argument inconnu « {first} » pour le champ « {second} » du type {third}.{}",
            suggestion(m)
        )
    } else if m.starts_with("Unknown argument ") {
        format!(
            "Argument inconnu « {first} » pour la directive « {second} ».{}",
            suggestion(m)
        )
    } else if m.starts_with("Field ") && m.ends_with("is required but not provided") {
        format!("L'argument « {second} » (type {third}) du champ « {first} » est obligatoire.")
    } else if m.starts_with("Directive ") && m.ends_with("is required but not provided") {
        format!(
            "L'argument « {second} » (type {third}) de la directive « {first} » est obligatoire."
        )
    } else if let Some(rest) = m.strip_prefix("Invalid value for argument ") {
        let (arg, tail) = quoted(rest)?;
        format!(
            "Valeur invalide pour l'argument « {arg} » : {}.",
            reason(tail.trim_start_matches(',').trim())
        )
    } else if m.starts_with("Failed to parse ") || m.starts_with("Expected input type ") {
        let r = reason(m);
        let mut c = r.chars();
        let first = c.next().map(|f| f.to_uppercase().collect::<String>())?;
        format!("{first}{}.", c.as_str())
    } else if m.starts_with("Variable ") && m.contains("is not defined") {
        let var = first_or_word(m, "Variable ");
        format!("La variable {var} n'est pas déclarée par l'opération.")
    } else if m.starts_with("Variable ") && m.contains("is not used") {
        let var = first_or_word(m, "Variable ");
        format!("La variable {var} est déclarée mais pas utilisée.")
    } else if m.starts_with("Variable ") && m.contains("used in position expecting type") {
        format!(
            "La variable {first} est de type {second}, alors que cet emplacement attend le type {third}."
        )
    } else if m.starts_with("Variable ") && m.contains("cannot be of non-input type") {
        format!("La variable {first} ne peut pas être du type {second}, qui n'est pas un type d'entrée.")
    } else if m.starts_with("There can only be one variable named") {
        format!("La variable {first} est déclarée deux fois.")
    } else if m.starts_with("There can only be one argument named") {
        format!("L'argument « {first} » est donné deux fois.")
    } else if m.starts_with("Unknown type ") {
        format!("Type inconnu « {first} ».")
    } else if m.starts_with("Unknown directive ") {
        format!("Directive inconnue « {first} ».")
    } else if m.starts_with("Fragment ") && m.contains("is never used") {
        format!("Le fragment « {first} » n'est jamais utilisé.")
    } else if m.starts_with("Unknown fragment") {
        format!("Fragment inconnu « {first} ».")
    } else if m.starts_with("Unknown operation named ") {
        format!("Aucune opération nommée « {first} » dans la requête.")
    } else if m == "Operation name required in request." {
        "La requête contient plusieurs opérations : indiquez laquelle exécuter (operationName)."
            .to_owned()
    } else if m.starts_with("Fields ") && m.contains(" conflict because ") {
        format!(
            "Les champs « {first} » sont en conflit : donnez-leur des alias différents pour les demander ensemble."
        )
    } else if m.starts_with("Cannot spread fragment ") || m.starts_with("Fragment ") {
        format!("Le fragment « {first} » ne peut pas être utilisé ici.")
    } else if m.starts_with("Duplicate directive ") {
        format!("La directive « {first} » est donnée deux fois.")
    } else if let Some(at) = m.strip_prefix("-->") {
        // A syntax error from the parser: ` --> 1:2` then the offending line.
        let place = at.split_whitespace().next().unwrap_or_default();
        match place.split_once(':') {
            Some((line, column)) => format!(
                "Requête GraphQL illisible : erreur de syntaxe ligne {line}, colonne {column}."
            ),
            None => "Requête GraphQL illisible : erreur de syntaxe.".to_owned(),
        }
    } else {
        return None;
    })
}

/// `Variable "$x" …` or `Variable $x is not defined.`: the variable's name either way.
fn first_or_word<'a>(m: &'a str, prefix: &str) -> &'a str {
    match quoted(m) {
        Some((name, _)) => name,
        None => m
            .strip_prefix(prefix)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_messages_read_in_french() {
        let cases = [
            (
                "Query is too complex.",
                "La requête est trop complexe (complexité de 1000 au plus) : demandez moins de champs.",
            ),
            (
                r#"Unknown field "nope" on type "Query". Did you mean "note"?"#,
                "Champ inconnu « nope » dans le type Query. Vouliez-vous dire « note » ?",
            ),
            (
                r#"Field "tenant" argument "id" of type "Query" is required but not provided"#,
                "L'argument « id » (type Query) du champ « tenant » est obligatoire.",
            ),
            (
                r#"Invalid value for argument "first", expected type "Int""#,
                "Valeur invalide pour l'argument « first » : une valeur de type Int est attendue.",
            ),
            (
                r#"Failed to parse "Int": the value is 100000, must be less than or equal to 500"#,
                "Valeur invalide pour le type Int : la valeur est 100000, elle doit être inférieure ou égale à 500.",
            ),
            (
                r#"Failed to parse "Date": « 2026-13-01 » n'est pas une date au format AAAA-MM-JJ (YYYY-MM-DD)."#,
                "Valeur invalide pour le type Date : « 2026-13-01 » n'est pas une date au format AAAA-MM-JJ (YYYY-MM-DD).",
            ),
            (
                " --> 1:2\n  |\n1 | {\n  |  ^---\n  |\n  = expected selection",
                "Requête GraphQL illisible : erreur de syntaxe ligne 1, colonne 2.",
            ),
            (
                r#"Variable "$v" is not defined"#,
                "La variable $v n'est pas déclarée par l'opération.",
            ),
        ];
        for (english, french) in cases {
            assert_eq!(translate(english).as_deref(), Some(french), "{english}");
        }
        assert_eq!(translate("something new"), None);
    }
}
