//! Text that no column can hold: PostgreSQL refuses the NUL character (U+0000) in `text`, `jsonb`
//! and every other string type. A request carrying one in any string it sends (an argument, an
//! input object's field or key, a variable, a default value) is refused before anything runs,
//! with BAD_USER_INPUT and the argument or variable in `extensions.field`, instead of reaching
//! the database and coming back as an internal error.
use super::errors::code;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Pos, Positioned, ServerError, ServerResult, Value as ConstValue, Variables};
use std::sync::Arc;

pub struct NoNulText;

impl ExtensionFactory for NoNulText {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(NoNulTextExtension)
    }
}

struct NoNulTextExtension;

fn has_nul(s: &str) -> bool {
    s.contains('\0')
}

fn const_has_nul(v: &ConstValue) -> bool {
    match v {
        ConstValue::String(s) => has_nul(s),
        ConstValue::List(items) => items.iter().any(const_has_nul),
        ConstValue::Object(map) => map.iter().any(|(k, v)| has_nul(k) || const_has_nul(v)),
        _ => false,
    }
}

/// An argument's value with its variables as null (the variables are checked on their own). A
/// macro: the parser's `Value` type is not exported under a name.
macro_rules! constant {
    ($v:expr) => {
        match $v
            .clone()
            .into_const_with(|_| Ok::<_, std::convert::Infallible>(ConstValue::Null))
        {
            Ok(c) => c,
            Err(never) => match never {},
        }
    };
}

/// The first argument holding a NUL: its name and where it is.
type Found = Option<(String, Pos)>;

fn in_directives(directives: &[Positioned<Directive>]) -> Found {
    directives.iter().find_map(|d| {
        d.node
            .arguments
            .iter()
            .find(|(_, v)| const_has_nul(&constant!(v.node)))
            .map(|(n, v)| (n.node.to_string(), v.pos))
    })
}

fn in_selection_set(set: &SelectionSet) -> Found {
    set.items.iter().find_map(|s| match &s.node {
        Selection::Field(f) => f
            .node
            .arguments
            .iter()
            .find(|(_, v)| const_has_nul(&constant!(v.node)))
            .map(|(n, v)| (n.node.to_string(), v.pos))
            .or_else(|| in_directives(&f.node.directives))
            .or_else(|| in_selection_set(&f.node.selection_set.node)),
        Selection::FragmentSpread(f) => in_directives(&f.node.directives),
        Selection::InlineFragment(f) => in_directives(&f.node.directives)
            .or_else(|| in_selection_set(&f.node.selection_set.node)),
    })
}

/// Where the document or its variables carry a NUL character, if they do.
pub fn find_nul(doc: &ExecutableDocument, variables: &Variables) -> Found {
    if let Some((name, _)) = variables
        .iter()
        .find(|(k, v)| has_nul(k) || const_has_nul(v))
    {
        return Some((format!("${name}"), Pos::default()));
    }
    let ops: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(map) => map.values().collect(),
    };
    ops.into_iter()
        .find_map(|op| {
            op.node
                .variable_definitions
                .iter()
                .find_map(|d| {
                    d.node
                        .default_value
                        .as_ref()
                        .filter(|v| const_has_nul(&v.node))
                        .map(|v| (format!("${}", d.node.name.node), v.pos))
                })
                .or_else(|| in_directives(&op.node.directives))
                .or_else(|| in_selection_set(&op.node.selection_set.node))
        })
        .or_else(|| {
            doc.fragments.values().find_map(|f| {
                in_directives(&f.node.directives)
                    .or_else(|| in_selection_set(&f.node.selection_set.node))
            })
        })
}

#[async_trait::async_trait]
impl Extension for NoNulTextExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        if let Some((field, pos)) = find_nul(&doc, variables) {
            let mut e = ServerError::new(
                format!("{field} : le texte ne peut pas contenir le caractère NUL (U+0000)."),
                (pos != Pos::default()).then_some(pos),
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
        find_nul(&doc, &Variables::from_json(vars)).map(|(f, _)| f)
    }

    #[test]
    fn nul_characters_are_found_wherever_a_string_is_sent() {
        let none = serde_json::json!({});
        assert_eq!(
            found(r#"{ a(x: "ok", y: ["fine"]) { b } }"#, none.clone()),
            None
        );
        assert_eq!(
            found(r#"{ a(x: "ok\u0000") { b } }"#, none.clone()).as_deref(),
            Some("x")
        );
        assert_eq!(
            found(
                r#"{ a { b(input: { deep: ["", "\u0000"] }) } }"#,
                none.clone()
            )
            .as_deref(),
            Some("input")
        );
        assert_eq!(
            found(
                r#"query Q($v: String = "\u0000") { a { ...F } } fragment F on T { b }"#,
                none.clone()
            )
            .as_deref(),
            Some("$v")
        );
        assert_eq!(
            found(
                r#"{ a { ...F } } fragment F on T { b @include(if: true) { c(s: "a\u0000") } }"#,
                none.clone()
            )
            .as_deref(),
            Some("s")
        );
        assert_eq!(
            found(
                "query Q($i: In) { a(i: $i) { b } }",
                serde_json::json!({ "i": { "list": ["x", { "k\u{0}": 1 }] } })
            )
            .as_deref(),
            Some("$i")
        );
        assert_eq!(
            found(
                "query Q($i: In) { a(i: $i) { b } }",
                serde_json::json!({ "i": "tab\tand é are fine" })
            ),
            None
        );
    }
}
