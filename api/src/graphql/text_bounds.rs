//! Bounds on the text a request sends, checked before anything runs (issue 18: a 300 KB
//! `search` reached SQLite's LIKE and came back as an internal error). Every string of an
//! argument, of an input object's field or of a variable is bounded by the argument it feeds:
//! search words ([`SEARCH_ARGS`]) to [`MAX_SEARCH_CHARS`], files sent as text ([`FILE_ARGS`],
//! bounded by the body limit and their own parsers) not here, anything else to
//! [`MAX_TEXT_CHARS`]. A longer one is refused with BAD_USER_INPUT naming the argument (or the
//! `$variable`).
use super::errors::code;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, ServerError, ServerResult, Value as ConstValue, Variables};
use std::collections::HashMap;
use std::sync::Arc;

/// Arguments that hold words to look for.
pub const SEARCH_ARGS: &[&str] = &["search", "query"];
/// The longest search: more than any name or label searched for.
pub const MAX_SEARCH_CHARS: usize = 200;
/// Arguments that hold a whole file (CSV text, base64 XLSX).
pub const FILE_ARGS: &[&str] = &["csv", "xlsx", "treatmentsCsv", "contractorsCsv"];
/// The longest text of any other argument or field (a long description is a few pages).
pub const MAX_TEXT_CHARS: usize = 10_000;

fn limit_of(argument: &str) -> Option<usize> {
    if FILE_ARGS.contains(&argument) {
        None
    } else if SEARCH_ARGS.contains(&argument) {
        Some(MAX_SEARCH_CHARS)
    } else {
        Some(MAX_TEXT_CHARS)
    }
}

/// The length of the first string in `v` longer than `max` characters.
fn too_long(v: &ConstValue, max: usize) -> Option<usize> {
    match v {
        ConstValue::String(s) if s.len() > max => {
            let n = s.chars().count();
            (n > max).then_some(n)
        }
        ConstValue::List(items) => items.iter().find_map(|i| too_long(i, max)),
        ConstValue::Object(map) => map.values().find_map(|i| too_long(i, max)),
        _ => None,
    }
}

/// What is refused: the argument (or `$variable`), its bound and the length sent.
type Found = Option<(String, usize, usize)>;

/// Checks a list of arguments: their constant value, and the variables they use. A macro: the
/// parser's `Value` type is not exported under a name.
macro_rules! each {
    ($walk:expr, $args:expr) => {
        for (name, value) in $args {
            let mut used = vec![];
            let constant = match value.node.clone().into_const_with(|var| {
                used.push(var);
                Ok::<_, std::convert::Infallible>(ConstValue::Null)
            }) {
                Ok(c) => c,
                Err(never) => match never {},
            };
            $walk.argument(name.node.as_str(), &constant, used);
        }
    };
}

/// Walks every argument: checks its literal strings, and records which variables it uses
/// (a variable gets the strictest bound of the arguments it feeds).
struct Walk {
    found: Found,
    variables: HashMap<Name, Option<usize>>,
}

impl Walk {
    fn argument(&mut self, name: &str, value: &ConstValue, used: Vec<Name>) {
        let limit = limit_of(name);
        for v in used {
            let slot = self.variables.entry(v).or_insert(limit);
            *slot = match (*slot, limit) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        if self.found.is_none() {
            if let Some(max) = limit {
                if let Some(n) = too_long(value, max) {
                    self.found = Some((name.to_owned(), max, n));
                }
            }
        }
    }

    fn directives(&mut self, directives: &[Positioned<Directive>]) {
        for d in directives {
            each!(self, &d.node.arguments);
        }
    }

    fn selection_set(&mut self, set: &SelectionSet) {
        for s in &set.items {
            match &s.node {
                Selection::Field(f) => {
                    each!(self, &f.node.arguments);
                    self.directives(&f.node.directives);
                    self.selection_set(&f.node.selection_set.node);
                }
                Selection::FragmentSpread(f) => self.directives(&f.node.directives),
                Selection::InlineFragment(f) => {
                    self.directives(&f.node.directives);
                    self.selection_set(&f.node.selection_set.node);
                }
            }
        }
    }
}

/// The first string of the document or its variables over its bound, if any.
pub fn find_too_long(doc: &ExecutableDocument, variables: &Variables) -> Found {
    let mut w = Walk {
        found: None,
        variables: HashMap::new(),
    };
    let ops: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(map) => map.values().collect(),
    };
    let mut defaults = vec![];
    for op in ops {
        w.directives(&op.node.directives);
        w.selection_set(&op.node.selection_set.node);
        for d in &op.node.variable_definitions {
            if let Some(v) = &d.node.default_value {
                defaults.push((d.node.name.node.clone(), v.node.clone()));
            }
        }
    }
    for f in doc.fragments.values() {
        w.directives(&f.node.directives);
        w.selection_set(&f.node.selection_set.node);
    }
    if w.found.is_some() {
        return w.found;
    }
    let bound = |name: &Name| {
        w.variables
            .get(name)
            .copied()
            .unwrap_or(Some(MAX_TEXT_CHARS))
    };
    for (name, value) in variables.iter().chain(defaults.iter().map(|(n, v)| (n, v))) {
        if let Some(max) = bound(name) {
            if let Some(n) = too_long(value, max) {
                return Some((format!("${name}"), max, n));
            }
        }
    }
    None
}

pub struct TextBounds;

impl ExtensionFactory for TextBounds {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TextBoundsExtension)
    }
}

struct TextBoundsExtension;

#[async_trait::async_trait]
impl Extension for TextBoundsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        if let Some((field, max, n)) = find_too_long(&doc, variables) {
            let mut e = ServerError::new(
                format!("{field} : {max} caractères au plus ({n} reçus)"),
                None,
            );
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", code::BAD_USER_INPUT);
            ext.set("field", field);
            e.extensions = Some(ext);
            return Err(e);
        }
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(query: &str, vars: serde_json::Value) -> Option<String> {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        find_too_long(&doc, &Variables::from_json(vars)).map(|(f, _, _)| f)
    }

    #[test]
    fn every_string_is_bounded_by_the_argument_it_feeds() {
        let none = serde_json::json!({});
        let long_search = "a".repeat(MAX_SEARCH_CHARS + 1);
        let long_text = "é".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            found(
                &format!(
                    r#"{{ a(search: "{}") {{ b }} }}"#,
                    "é".repeat(MAX_SEARCH_CHARS)
                ),
                none.clone()
            ),
            None
        );
        assert_eq!(
            found(
                &format!(r#"{{ a(search: "{long_search}") {{ b }} }}"#),
                none.clone()
            )
            .as_deref(),
            Some("search")
        );
        assert_eq!(
            found(
                &format!(r#"{{ a {{ b(input: {{ name: ["{long_text}"] }}) }} }}"#),
                none.clone()
            )
            .as_deref(),
            Some("input")
        );
        assert_eq!(
            found(
                &format!(r#"mutation {{ importContracts(csv: "{long_text}") {{ rows }} }}"#),
                none.clone()
            ),
            None
        );
        // Variables: bounded by where they are used.
        let q = "query Q($s: String, $c: String!) { a(search: $s) { b } i(csv: $c) { rows } }";
        assert_eq!(
            found(q, serde_json::json!({"s": "mairie", "c": long_text})),
            None
        );
        assert_eq!(
            found(q, serde_json::json!({"s": long_search})).as_deref(),
            Some("$s")
        );
        assert_eq!(
            found(
                "query Q($i: In) { a(input: $i) { b } }",
                serde_json::json!({"i": {"deep": [long_text]}})
            )
            .as_deref(),
            Some("$i")
        );
        assert_eq!(
            found(
                &format!(r#"query Q($s: String = "{long_search}") {{ a(search: $s) {{ b }} }}"#),
                none
            )
            .as_deref(),
            Some("$s")
        );
    }
}
