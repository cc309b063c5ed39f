//! The snapshot loader: clear errors with file, line, column and path; never a panic.

use proptest::prelude::*;
use ringfence::inventory::{SNAPSHOT_SCHEMA_VERSION, Snapshot};

fn load(text: &str) -> Result<Snapshot, String> {
    Snapshot::from_json(text.as_bytes(), "estate.json").map_err(|e| e.to_string())
}

const MINIMAL: &str =
    r#"{"schema_version": "1.0", "collected_at": "2026-11-20T09:00:00Z", "accounts": []}"#;

#[test]
fn a_minimal_snapshot_loads() {
    let snapshot = load(MINIMAL).unwrap();
    assert!(snapshot.accounts.is_empty());
    // A 1.0 snapshot is read by this 1.x build as it was written.
    assert_eq!(snapshot.schema_version, "1.0");
    assert!(SNAPSHOT_SCHEMA_VERSION.starts_with("1."));
    let current = MINIMAL.replace("\"1.0\"", &format!("\"{SNAPSHOT_SCHEMA_VERSION}\""));
    assert!(load(&current).is_ok());
}

#[test]
fn syntax_errors_give_line_and_column() {
    let err = load("{\n  \"schema_version\": \"1.0\",\n  \"accounts\": [\n}").unwrap_err();
    assert!(err.starts_with("estate.json:4:1: "), "{err}");
}

#[test]
fn type_errors_give_the_json_path() {
    let text = r#"{"schema_version": "1.0", "collected_at": "2026-11-20T09:00:00Z", "accounts": [
        {"id": "222222222222", "regions": {"eu-west-1": {"rds_instances": [
            {"id": "orders", "arn": "arn:aws:rds:eu-west-1:222222222222:db:orders", "engine": "postgres",
             "status": "available", "deletion_protection": "yes"}
        ]}}}
    ]}"#;
    let err = load(text).unwrap_err();
    assert!(err.starts_with("estate.json:4:64: "), "{err}");
    assert!(
        err.contains("accounts[0].regions.eu-west-1.rds_instances[0].deletion_protection"),
        "{err}"
    );
    assert!(err.contains("expected a boolean"), "{err}");
}

#[test]
fn unknown_fields_are_rejected_by_name() {
    let text = r#"{"schema_version": "1.0", "collected_at": "2026-11-20T09:00:00Z", "accounts": [
        {"id": "222222222222", "regions": {"eu-west-1": {"rds_instance": []}}}]}"#;
    let err = load(text).unwrap_err();
    assert!(err.contains("unknown field `rds_instance`"), "{err}");
    assert!(
        err.contains("rds_instances"),
        "the expected names are listed: {err}"
    );
}

#[test]
fn other_major_versions_are_refused_with_what_is_supported() {
    let err = load(&MINIMAL.replace("1.0", "2.0")).unwrap_err();
    assert!(
        err.starts_with("estate.json:1:2: schema_version: "),
        "{err}"
    );
    assert!(
        err.contains("snapshot format 2.0 is not supported"),
        "{err}"
    );
    assert!(err.contains("reads 1.x"), "{err}");
    // Even when the rest of the document no longer matches this version's shape.
    let err = load(r#"{"schema_version": "2.0", "inventory": {}}"#).unwrap_err();
    assert!(err.contains("2.0 is not supported"), "{err}");
}

#[test]
fn newer_minor_versions_ask_for_an_upgrade() {
    let err = load(&MINIMAL.replace("1.0", "1.7")).unwrap_err();
    assert!(err.contains("newer ringfence"), "{err}");
}

#[test]
fn missing_or_malformed_versions_are_explained() {
    let err = load(r#"{"collected_at": "2026-11-20T09:00:00Z", "accounts": []}"#).unwrap_err();
    assert!(err.contains("missing field `schema_version`"), "{err}");
    let err = load(&MINIMAL.replace("\"1.0\"", "1")).unwrap_err();
    assert!(err.contains("schema_version: expected a string"), "{err}");
    let err = load(&MINIMAL.replace("1.0", "one")).unwrap_err();
    assert!(err.contains("not a MAJOR.MINOR version"), "{err}");
}

#[test]
fn bad_and_duplicate_account_ids_are_refused() {
    let bad = MINIMAL.replace("\"accounts\": []", r#""accounts": [{"id": "2222"}]"#);
    assert!(
        load(&bad)
            .unwrap_err()
            .contains("accounts[0].id: `2222` is not a 12-digit")
    );
    let dup = MINIMAL.replace(
        "\"accounts\": []",
        r#""accounts": [{"id": "222222222222"}, {"id": "222222222222"}]"#,
    );
    assert!(load(&dup).unwrap_err().contains("appears more than once"));
}

#[test]
fn the_demo_estate_round_trips_byte_identically() {
    let demo = ringfence::demo::snapshot().unwrap();
    let once = demo.to_json();
    let again = Snapshot::from_json(once.as_bytes(), "again")
        .unwrap()
        .to_json();
    assert_eq!(once, again);
    assert_eq!(Snapshot::from_json(once.as_bytes(), "x").unwrap(), {
        let mut sorted = demo.clone();
        sorted.normalize();
        sorted
    });
}

#[test]
fn not_collected_stays_apart_from_empty_and_false() {
    let text = r#"{"schema_version": "1.0", "collected_at": "2026-11-20T09:00:00Z", "accounts": [
        {"id": "222222222222", "regions": {"eu-west-1": {"rds_instances": [], "dynamodb_tables": [
            {"name": "t", "arn": "arn:aws:dynamodb:eu-west-1:222222222222:table/t", "status": "ACTIVE", "deletion_protection": false}
        ]}}}]}"#;
    let snapshot = load(text).unwrap();
    let region = &snapshot.accounts[0].regions.as_ref().unwrap()["eu-west-1"];
    assert_eq!(region.rds_instances, Some(vec![]));
    assert_eq!(region.rds_clusters, None);
    let table = &region.dynamodb_tables.as_ref().unwrap()[0];
    assert_eq!(table.deletion_protection, Some(false));
    assert_eq!(table.point_in_time_recovery, None);
    // And it survives a save.
    let saved = Snapshot::from_json(snapshot.to_json().as_bytes(), "saved").unwrap();
    assert_eq!(saved, snapshot);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Snapshot::from_json(&bytes, "fuzz.json");
    }

    #[test]
    fn mutated_snapshots_never_panic(cut in 0usize..4000, byte in any::<u8>()) {
        let demo = ringfence::demo::ESTATE_JSON.as_bytes();
        let mut bytes = demo[..cut.min(demo.len())].to_vec();
        bytes.push(byte);
        bytes.extend_from_slice(&demo[cut.min(demo.len())..]);
        let _ = Snapshot::from_json(&bytes, "fuzz.json");
    }
}
