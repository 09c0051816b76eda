//! Names sort the French way on PostgreSQL (the ICU collation of migration 000014) exactly as
//! `tenants::collation::french_cmp` does in memory and on SQLite (sqlite_embedded checks that).
use integration_tests::*;
use serde_json::json;

#[tokio::test]
async fn lists_by_name_follow_the_french_order() {
    let app = spawn_app().await;
    let fx = app.fixture().await;
    let r = app
        .gql(
            &fx.org_admin_a,
            "{ tenants(first: 100) { items { name kind }} }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = data(&r)["tenants"]["items"]
        .as_array()
        .expect("tenants")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names.len(), 23, "{names:?}");
    let mut french = names.clone();
    french.sort_by(|a, b| tenants::collation::french_cmp(a, b));
    assert_eq!(names, french);
    // Byte order would put Bienville first and "Le Meux" before "Lacroix-Saint-Ouen".
    let at = |n: &str| names.iter().position(|x| *x == n).expect(n);
    assert!(at("Béthisy-Saint-Martin") < at("Bienville"), "{names:?}");
    assert!(at("Lacroix-Saint-Ouen") < at("Le Meux"), "{names:?}");
    assert!(at("Saintines") < at("Saint-Jean-aux-Bois"), "{names:?}");

    // The same collation answers a sample whose order only the French rules give.
    let sample = [
        "Vieux-Moulin",
        "côte",
        "Élincourt-Sainte-Marguerite",
        "Côte",
        "coté",
        "L'Haÿ-les-Roses",
        "Le Meux",
        "Nœux-les-Mines",
        "Noyon",
        "Néry",
        "Estrées-Saint-Denis",
    ];
    let values: Vec<String> = sample
        .iter()
        .map(|s| format!("('{}')", s.replace('\'', "''")))
        .collect();
    let rows: Vec<String> = {
        use sea_orm::{ConnectionTrait, Statement};
        app.db
            .query_all(Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                format!(
                    "SELECT n FROM (VALUES {}) AS v(n) ORDER BY n COLLATE mutualis_fr",
                    values.join(",")
                ),
            ))
            .await
            .expect("query")
            .into_iter()
            .map(|r| r.try_get::<String>("", "n").expect("n"))
            .collect()
    };
    let mut expected: Vec<String> = sample.iter().map(|s| (*s).to_owned()).collect();
    expected.sort_by(|a, b| tenants::collation::french_cmp(a, b));
    assert_eq!(rows, expected);
}
