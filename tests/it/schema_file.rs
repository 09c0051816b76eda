//! `api/schema.graphql` is the schema the server serves (the console builds against it).
#[test]
fn checked_in_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/schema.graphql");
    let current = api::graphql::sdl();
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    if stored != current {
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &current).expect("write schema");
            return;
        }
        panic!("api/schema.graphql is stale: run `UPDATE_SCHEMA=1 tests/run schema` or `cargo run -- print-schema > api/schema.graphql`");
    }
}
