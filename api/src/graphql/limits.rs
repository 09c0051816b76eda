//! Alias limit. async-graphql limits depth and complexity itself; aliases let one request
//! repeat an expensive field hundreds of times at the same depth, so they are capped too.
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{ServerError, ServerResult, Variables};
use std::sync::Arc;

pub struct AliasLimit(pub usize);

impl ExtensionFactory for AliasLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AliasLimitExtension(self.0))
    }
}

struct AliasLimitExtension(usize);

fn count(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some()) + count(&f.node.selection_set.node)
            }
            Selection::InlineFragment(i) => count(&i.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

pub fn aliases(doc: &ExecutableDocument) -> usize {
    let ops: usize = match &doc.operations {
        DocumentOperations::Single(op) => count(&op.node.selection_set.node),
        DocumentOperations::Multiple(map) => map
            .values()
            .map(|op| count(&op.node.selection_set.node))
            .sum(),
    };
    ops + doc
        .fragments
        .values()
        .map(|f| count(&f.node.selection_set.node))
        .sum::<usize>()
}

#[async_trait::async_trait]
impl Extension for AliasLimitExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let n = aliases(&doc);
        if n > self.0 {
            let mut e = ServerError::new(
                format!(
                    "La requête utilise {n} alias (aliases) ; la limite est de {}.",
                    self.0
                ),
                None,
            );
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", super::errors::code::VALIDATION);
            e.extensions = Some(ext);
            return Err(e);
        }
        Ok(doc)
    }
}
