//! The demo procurement data: realistic contracts across the demo communes, a joint
//! procurement, a splitting alert and a joint-procurement opportunity, a valid DECP export.
use integration_tests::*;
use tenants::procurement::{contracts, decp, splitting};
use tenants::tenancy::{can, Principal};

#[tokio::test]
async fn the_demo_seeds_contracts_once_with_something_to_show() {
    let app = spawn_app().await;
    assert!(tenants::demo::seed(&app.db).await.expect("seed"));
    assert!(!tenants::demo::seed(&app.db).await.expect("reseed"));
    assert_eq!(app.count("proc_contract").await, 10);
    assert_eq!(app.count("proc_supplier").await, 6);
    let read = Principal::operator()
        .can::<can::ReadProcurement>()
        .expect("operator");
    let today = tenants::calendar::paris_today();
    let all = contracts::list(
        &app.db,
        &read,
        &contracts::ContractFilter {
            limit: 100,
            ..Default::default()
        },
        today,
    )
    .await
    .expect("contracts");
    let joint: Vec<_> = all.iter().filter(|c| c.row.joint).collect();
    assert_eq!(joint.len(), 1);
    assert_eq!(
        joint[0].shares.iter().map(|s| s.amount_cents).sum::<i64>(),
        joint[0].awarded_cents().expect("awarded")
    );
    assert!(joint[0].shares.len() >= 2);
    // Margny's cleaning in two lots, the schools' lot partly subcontracted.
    let lotted: Vec<_> = all.iter().filter(|c| !c.lots.is_empty()).collect();
    assert_eq!(lotted.len(), 1);
    let lotted = lotted[0];
    assert_eq!(lotted.row.reference, "MRG-2024-NET");
    assert_eq!(
        lotted.lots.iter().map(|l| l.number).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(
        lotted
            .lots
            .iter()
            .map(|l| l.awarded_cents.expect("awarded"))
            .sum::<i64>(),
        lotted.awarded_cents().expect("awarded")
    );
    assert_eq!(lotted.subcontracting_acts.len(), 1);
    assert_eq!(lotted.subcontracting_acts[0].lot, Some(1));
    // Compiègne's three cleaning contracts, each under 40 000 EUR, 83 000 EUR together.
    let alerts = splitting::alerts(&all);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].cpv_class, "9091");
    assert_eq!(alerts[0].total_estimated_cents, 83_000 * 100);
    // Compiègne and Margny both clean: a joint procurement candidate.
    let org = all[0].row.organisation_id;
    let opp = splitting::organisation_opportunities(&app.db, &read, org, Some(2025))
        .await
        .expect("opportunities");
    assert!(opp
        .iter()
        .any(|o| o.cpv_class == "9091" && o.tenants.len() == 2));
    // Everything is complete enough to be published.
    let e = decp::export(&app.db, &read, None, Some(org), today)
        .await
        .expect("export");
    // Ten contracts, the one in lots published as two `marche`.
    assert_eq!(e.exported, 11, "{:?}", e.skipped);
    let marches = e.document["marches"]["marche"].as_array().expect("marches");
    let lot = |id: &str| {
        marches
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {:#}", e.document))
    };
    assert_eq!(lot("MRG-2024-NET-01")["montant"], 28_700);
    assert_eq!(
        lot("MRG-2024-NET-01")["actesSousTraitance"][0]["acteSousTraitance"]["sousTraitant"]["id"],
        "81890123300010"
    );
    assert_eq!(lot("MRG-2024-NET-02")["codeCPV"], "90919200");
    assert!(lot("MRG-2024-NET-02").get("actesSousTraitance").is_none());
    let schema: serde_json::Value =
        serde_json::from_str(tenants::procurement::decp::SCHEMA).expect("json");
    let v = jsonschema::validator_for(&schema).expect("schema");
    let errs: Vec<String> = v.iter_errors(&e.document).map(|e| e.to_string()).collect();
    assert!(errs.is_empty(), "{errs:?}");
}
