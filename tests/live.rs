//! Live collection against the local AWS emulator: an organization of three accounts seeded
//! through AssumeRole, collected by the real collector through the real CLI.

mod support;

use std::path::Path;
use std::process::Command;

use ringfence::collect::recorder::{audit_policy_actions, iam_action, is_read_only};
use ringfence::inventory::Snapshot;
use serde_json::Value;
use support::moto::Moto;

const BIN: &str = env!("CARGO_BIN_EXE_ringfence");

fn ringfence(moto: &Moto, dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .current_dir(dir)
        .envs(moto.env())
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .args(args)
        .output()
        .unwrap()
}

fn account<'a>(snapshot: &'a Snapshot, id: &Value) -> &'a ringfence::inventory::Account {
    snapshot
        .accounts
        .iter()
        .find(|a| a.id == id.as_str().unwrap())
        .unwrap()
}

#[test]
fn collects_an_organization_read_only_across_accounts_and_pages() {
    let moto = Moto::start();
    let seeded = moto.seed("small");
    let dir = tempfile::tempdir().unwrap();
    let out = ringfence(
        &moto,
        dir.path(),
        &[
            "collect",
            "--org",
            "--endpoint-url",
            &moto.endpoint,
            "--regions",
            "us-east-1,eu-west-1",
            "-o",
            "snapshot.json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("collected 3 accounts, 2 regions"),
        "{stderr}"
    );
    let snapshot = saved_snapshot(dir.path());
    // The emulator lacks a few APIs: they fail, are recorded, and leave their lists
    // uncollected — never empty.
    let unsupported = [
        ("cloudwatch", "DescribeAlarms"),
        ("ram", "ListResources"),
        ("rbin", "ListRules"),
        // Moto answers an unversioned bucket with a `GetBucketVersioningResponse` root element
        // instead of `VersioningConfiguration`, which the SDK rightly refuses.
        ("s3", "GetBucketVersioning"),
    ];
    for error in &snapshot.errors {
        assert!(
            unsupported.contains(&(error.service.as_str(), error.operation.as_str())),
            "unexpected collection error {error:?}"
        );
    }
    for account in &snapshot.accounts {
        for (name, region) in account.regions.as_ref().unwrap() {
            assert!(
                region.recycle_bin_rules.is_none() && region.cloudwatch_alarms.is_none(),
                "{name}"
            );
            assert!(region.ram_resource_shares.is_none(), "{name}");
            // acme-prod's multi-region trail is listed in every region (a shadow copy away
            // from its home region).
            let trails = usize::from(account.name.as_deref() == Some("acme-prod"));
            assert_eq!(
                region.cloudtrail_trails.as_ref().map(Vec::len),
                Some(trails),
                "{name}"
            );
            assert_eq!(
                region.cloudformation_stacks.as_ref().map(Vec::len),
                Some(0),
                "{name}"
            );
            assert_eq!(region.owns_ebs_snapshots, Some(false), "{name}");
        }
        assert!(
            snapshot.errors.iter().any(
                |e| e.account_id.as_deref() == Some(account.id.as_str()) && e.service == "rbin"
            ),
            "every account records the Recycle Bin failure"
        );
    }

    // The organization and every account, with their OU paths.
    let org = snapshot.organization.as_ref().unwrap();
    assert_eq!(org.management_account_id, "123456789012");
    assert_eq!(snapshot.accounts.len(), 3);
    let prod = account(&snapshot, &seeded["accounts"]["acme-prod"]);
    let sandbox = account(&snapshot, &seeded["accounts"]["acme-sandbox"]);
    assert_eq!(prod.name.as_deref(), Some("acme-prod"));
    let path: Vec<&str> = prod.ou_path.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(path, ["Root", "Workloads"]);

    // Each account's own data, through its own assumed role.
    let iam = prod.iam.as_ref().unwrap();
    assert_eq!(
        iam.roles.len(),
        122,
        "120 service roles, the audit role, OrganizationAccountAccessRole"
    );
    assert!(iam.roles.iter().all(|r| r.arn.contains(&prod.id)));
    assert!(
        iam.roles
            .iter()
            .all(|r| r.max_session_duration == Some(3600)),
        "ListRoles merged in"
    );
    // Read with the roles, for the escalation paths through instances.
    assert!(iam.roles.iter().all(|r| r.instance_profiles.is_some()));
    let ci = iam.users.iter().find(|u| u.name == "acme-prod-ci").unwrap();
    assert_eq!(ci.password_enabled, Some(false));
    assert!(
        ci.access_keys.as_ref().unwrap()[0].active,
        "credential report merged in"
    );
    // Two service roles, the audit role and the emulator's OrganizationAccountAccessRole.
    assert_eq!(sandbox.iam.as_ref().unwrap().roles.len(), 4);
    for region in ["us-east-1", "eu-west-1"] {
        let r = &prod.regions.as_ref().unwrap()[region];
        assert_eq!(
            r.rds_instances.as_ref().unwrap().len(),
            101,
            "{region}: RDS paged past 100"
        );
        assert_eq!(r.rds_clusters.as_ref().map(Vec::len), Some(0));
        assert_eq!(
            r.vpcs
                .as_ref()
                .unwrap()
                .iter()
                .filter(|v| !v.is_default)
                .count(),
            2
        );
        let db = r
            .rds_instances
            .as_ref()
            .unwrap()
            .iter()
            .find(|d| d.id == "acme-prod-db-0")
            .unwrap();
        assert_eq!(
            (db.deletion_protection, db.backup_retention_days),
            (Some(true), Some(0))
        );
        // Termination protection is read for production instances only.
        let instances = r.ec2_instances.as_ref().unwrap();
        assert_eq!(instances.len(), 3);
        assert_eq!(
            instances
                .iter()
                .filter(|i| i.termination_protection == Some(true))
                .count(),
            1
        );
        assert!(instances.iter().all(|i| i.termination_protection.is_some()));
        let sandbox_instances = sandbox.regions.as_ref().unwrap()[region]
            .ec2_instances
            .as_ref()
            .unwrap();
        assert!(
            sandbox_instances
                .iter()
                .all(|i| i.termination_protection.is_none())
        );
        let table = &r.dynamodb_tables.as_ref().unwrap()[0];
        assert_eq!(table.tags.get("team").map(String::as_str), Some("web"));
        assert_eq!(
            table.point_in_time_recovery.as_ref().map(|p| p.enabled),
            Some(false)
        );
    }

    // Every operation sent was a read, and paging happened where the estate needs it.
    let stats = snapshot.collection.as_ref().unwrap();
    for op in &stats.operations {
        assert!(
            is_read_only(&op.operation),
            "{} {} is not a read",
            op.service,
            op.operation
        );
        let call = (op.service.as_str(), op.operation.as_str());
        // AWS answers "none" with an error code for these: an untagged bucket, a bucket
        // without Object Lock. The collector reads them as empty, the statistics as errors.
        if [
            ("s3", "GetBucketTagging"),
            ("s3", "GetObjectLockConfiguration"),
        ]
        .contains(&call)
        {
            continue;
        }
        let emulator_gap = unsupported.contains(&call) || call == ("ram", "ListPrincipals");
        assert_eq!(op.errors == 0, !emulator_gap, "{op:?}");
    }
    // What was sent is what the shipped audit policy allows.
    for op in &stats.operations {
        if let Some(action) = iam_action(&op.service, &op.operation) {
            assert!(
                audit_policy_actions().contains(&action),
                "{action} was sent but is not in the audit policy"
            );
        }
    }
    let rbin = stats
        .operations
        .iter()
        .find(|o| o.service == "rbin")
        .unwrap();
    assert!(
        rbin.retries >= rbin.calls,
        "a 500 is retried before it is recorded: {rbin:?}"
    );
    let calls = |op: &str| {
        stats
            .operations
            .iter()
            .find(|o| o.operation == op)
            .map_or(0, |o| o.calls)
    };
    assert_eq!(
        calls("DescribeDBInstances"),
        2 * 2 + 2 * 2,
        "two pages in each prod region, one elsewhere"
    );
    assert_eq!(
        calls("ListRoles"),
        3,
        "one page of up to 1000 roles per account"
    );
    assert_eq!(
        calls("DescribeInstanceAttribute"),
        6,
        "only prod's instances, once each"
    );
    let rds = stats.services.iter().find(|s| s.service == "rds").unwrap();
    assert_eq!(
        rds.calls,
        calls("DescribeDBInstances")
            + calls("DescribeDBClusters")
            + calls("DescribeGlobalClusters")
    );
    assert_eq!(calls("DescribeGlobalClusters"), 3, "once per account");
}

#[test]
fn audits_the_organization_end_to_end_with_the_gate() {
    let moto = Moto::start();
    let seeded = moto.seed("small");
    let dir = tempfile::tempdir().unwrap();
    let out = ringfence(
        &moto,
        dir.path(),
        &[
            "audit",
            "--org",
            "--endpoint-url",
            &moto.endpoint,
            "--regions",
            "eu-west-1",
            "-f",
            "json",
            "--fail-on",
            "high",
            "--save-snapshot",
            "saved.json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the seeded databases fail DEL002: {stderr}"
    );
    assert!(
        stderr.starts_with("ringfence: gate failed: checks at or above high severity not passing:")
            && stderr.contains("DEL002 rds-deletion-protection (fail, high)"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["scope"]["source"], "live");
    assert_eq!(report["scope"]["accounts"].as_array().unwrap().len(), 3);
    let prod_id = seeded["accounts"]["acme-prod"].as_str().unwrap();
    let failing = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == "DEL002" && f["status"] == "fail" && f["account"] == prod_id)
        .count();
    assert_eq!(
        failing, 50,
        "odd-numbered databases of 101 lack deletion protection"
    );
    // The logging checks judge what the emulator holds: a multi-region trail without log file
    // validation, and an EventBridge rule on `Delete*` calls with a target.
    let finding = |check: &str, region: Option<&str>| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["check_id"] == check
                    && f["account"] == prod_id
                    && region.is_none_or(|r| f["region"] == r)
            })
            .unwrap_or_else(|| panic!("no {check} finding for acme-prod"))
            .clone()
    };
    assert_eq!(finding("LOG001", None)["status"], "pass");
    assert_eq!(finding("LOG002", None)["status"], "fail");
    let alert = finding("LOG003", Some("eu-west-1"));
    assert_eq!(alert["status"], "fail");
    assert_eq!(
        alert["evidence"]["uncaught_events"],
        serde_json::json!(["ec2:DeregisterImage", "ec2:TerminateInstances"])
    );
    assert_eq!(finding("DEL004", None)["status"], "fail");
    assert_eq!(finding("SEC004", None)["status"], "fail");
    // The sandbox VPC peered with production and routed to it: a network path, one way.
    let peering = &seeded["peering"];
    let prod_vpc = peering["prod_vpc"].as_str().unwrap();
    let route = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "SEG002" && f["resource"].as_str().unwrap().ends_with(prod_vpc))
        .unwrap_or_else(|| panic!("no SEG002 finding for {prod_vpc}"));
    assert_eq!(route["status"], "fail", "{route:#}");
    assert_eq!(route["evidence"]["source"]["vpc"], peering["source_vpc"]);
    assert_eq!(route["evidence"]["hops"][0]["id"], peering["route_table"]);
    assert_eq!(route["evidence"]["hops"][1]["id"], peering["id"]);
    assert_eq!(route["evidence"]["return_path"], false);
    assert_eq!(route["evidence"]["reaches"][0], "10.1.0.0/16");
    let services: Vec<&str> = report["scope"]["collection"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    for service in ["ec2", "iam", "organizations", "rds", "sts"] {
        assert!(
            services.contains(&service),
            "{service} missing from {services:?}"
        );
    }
    // The saved snapshot evaluates to the same findings.
    let again = Command::new(BIN)
        .current_dir(dir.path())
        .args(["evaluate", "saved.json", "-f", "json"])
        .output()
        .unwrap();
    let evaluated: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(evaluated["findings"], report["findings"]);
}

/// A fake AWS endpoint: the caller's identity answers, AssumeRole is denied, DescribeDBInstances
/// is throttled before it answers, and every other call fails with HTTP 500.
fn fake_aws() -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    // DescribeDBInstances is throttled twice, then answers.
    static THROTTLED: AtomicUsize = AtomicUsize::new(0);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = stream.set_nodelay(true);
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                // Keep-alive: one request after another on the connection.
                loop {
                    let mut length = 0;
                    let mut target = String::new();
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if target.is_empty() {
                            target = line.clone();
                        }
                        if let Some(value) =
                            line.to_ascii_lowercase().strip_prefix("content-length:")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    let body = String::from_utf8_lossy(&body);
                    let (status, xml) = if body.contains("Action=GetCallerIdentity") {
                        (
                            "200 OK",
                            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/auditor</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
                        )
                    } else if body.contains("Action=AssumeRole") {
                        (
                            "403 Forbidden",
                            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>1</RequestId></ErrorResponse>",
                        )
                    } else if body.contains("Action=DescribeDBInstances")
                        && THROTTLED.fetch_add(1, Ordering::SeqCst) < 2
                    {
                        (
                            "400 Bad Request",
                            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>",
                        )
                    } else if body.contains("Action=DescribeDBInstances") {
                        (
                            "200 OK",
                            "<DescribeDBInstancesResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBInstancesResult><DBInstances></DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeDBInstancesResponse>",
                        )
                    } else if target.starts_with("POST /list-rules") {
                        // Recycle Bin (REST-JSON): one snapshot rule, no AMI rule.
                        if body.contains("EBS_SNAPSHOT") {
                            (
                                "200 OK",
                                r#"{"Rules":[{"Identifier":"rule-ebs","Description":"prod snapshots","RetentionPeriod":{"RetentionPeriodValue":14,"RetentionPeriodUnit":"DAYS"},"LockState":"locked"}]}"#,
                            )
                        } else {
                            ("200 OK", r#"{"Rules":[]}"#)
                        }
                    } else if target.starts_with("GET /rules/rule-ebs") {
                        (
                            "200 OK",
                            r#"{"Identifier":"rule-ebs","Description":"prod snapshots","ResourceType":"EBS_SNAPSHOT","RetentionPeriod":{"RetentionPeriodValue":14,"RetentionPeriodUnit":"DAYS"},"ResourceTags":[],"Status":"available","LockState":"locked","ExcludeResourceTags":[{"ResourceTagKey":"scratch","ResourceTagValue":"true"}]}"#,
                        )
                    } else {
                        (
                            "500 Internal Server Error",
                            "<Error><Code>InternalError</Code><Message>the fake service is broken</Message></Error>",
                        )
                    };
                    // One write per response: small writes stall on delayed acknowledgements.
                    let response = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n{xml}",
                        if xml.starts_with('{') {
                            "application/json"
                        } else {
                            "text/xml"
                        },
                        xml.len()
                    );
                    let written = writer.write_all(response.as_bytes());
                    if written.is_err() {
                        return;
                    }
                }
            });
        }
    });
    endpoint
}

#[test]
fn denied_roles_and_failing_services_become_error_records_not_an_abort() {
    let endpoint = fake_aws();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "3")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .args([
            "collect",
            "--endpoint-url",
            &endpoint,
            "--regions",
            "us-east-1",
            "--accounts",
            "123456789012,999999999999",
            "-o",
            "snapshot.json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the caller's account is reachable: {stderr}"
    );
    let snapshot = saved_snapshot(dir.path());

    // The account whose role was denied: no data, one error record naming the call.
    let other = snapshot
        .accounts
        .iter()
        .find(|a| a.id == "999999999999")
        .unwrap();
    assert!(other.regions.is_none() && other.iam.is_none());
    let denied = snapshot
        .errors
        .iter()
        .find(|e| e.account_id.as_deref() == Some("999999999999"))
        .unwrap();
    assert_eq!(
        (denied.service.as_str(), denied.operation.as_str()),
        ("sts", "AssumeRole")
    );
    assert!(
        denied.message.contains("RingfenceAudit"),
        "{}",
        denied.message
    );
    assert_eq!(denied.code.as_deref(), Some("AccessDenied"), "{denied:?}");
    assert!(
        denied.message.len() < 200,
        "a readable message: {}",
        denied.message
    );

    // The caller's account: every failing service is a record, every list stays "not collected".
    let own = snapshot
        .accounts
        .iter()
        .find(|a| a.id == "123456789012")
        .unwrap();
    assert!(own.iam.is_none());
    let region = &own.regions.as_ref().unwrap()["us-east-1"];
    assert!(
        region.rds_clusters.is_none()
            && region.ec2_instances.is_none()
            && region.dynamodb_tables.is_none()
    );
    // The Recycle Bin collector, which the emulator lacks, reads both resource types and the rule.
    let rules = region
        .recycle_bin_rules
        .as_ref()
        .expect("recycle bin rules collected");
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(
        (rules[0].id.as_str(), rules[0].resource_type.as_str()),
        ("rule-ebs", "EBS_SNAPSHOT")
    );
    assert_eq!(
        (rules[0].retention_days, rules[0].lock_state.as_deref()),
        (14, Some("locked"))
    );
    assert_eq!(rules[0].status, "available");
    assert_eq!(
        rules[0]
            .exclude_resource_tags
            .get("scratch")
            .map(String::as_str),
        Some("true")
    );
    // Throttled twice, then answered: collected, no error.
    assert_eq!(region.rds_instances.as_ref().map(Vec::len), Some(0));
    assert!(
        !snapshot
            .errors
            .iter()
            .any(|e| e.operation == "DescribeDBInstances")
    );
    for (service, operation) in [
        ("iam", "GetAccountAuthorizationDetails"),
        ("rds", "DescribeDBClusters"),
        ("ec2", "DescribeVpcs"),
        ("dynamodb", "ListTables"),
    ] {
        let error = snapshot
            .errors
            .iter()
            .find(|e| e.service == service && e.operation == operation)
            .unwrap_or_else(|| {
                panic!(
                    "no error record for {service}:{operation}: {:#?}",
                    snapshot.errors
                )
            });
        assert_eq!(error.account_id.as_deref(), Some("123456789012"));
        if service != "iam" {
            assert_eq!(error.region.as_deref(), Some("us-east-1"));
        }
    }
    // Retried: through the throttling, and before giving up on the 500s.
    let stats = snapshot.collection.as_ref().unwrap();
    let op = |name: &str| {
        stats
            .operations
            .iter()
            .find(|o| o.operation == name)
            .unwrap()
            .clone()
    };
    let throttled = op("DescribeDBInstances");
    assert_eq!(
        (throttled.calls, throttled.retries, throttled.errors),
        (1, 2, 0)
    );
    let broken = op("DescribeDBClusters");
    assert_eq!((broken.calls, broken.errors), (1, 1));
    assert!(broken.retries >= 2, "{broken:?}");

    // Evaluating it: unknown, never pass.
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args([
            "evaluate",
            "snapshot.json",
            "-f",
            "json",
            "--fail-on",
            "high",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let del002 = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "DEL002")
        .unwrap();
    assert_eq!(del002["status"], "unknown");
}

#[test]
fn no_credentials_exits_three_with_how_to_provide_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .args(["audit", "--endpoint-url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("no AWS credentials could be used"),
        "{stderr}"
    );
    assert!(stderr.contains("--profile"), "{stderr}");
}

#[test]
fn a_workstation_key_is_attributed_by_the_inventory_and_by_sts_and_never_saved() {
    let moto = Moto::start();
    let seeded = moto.seed("small");
    let dir = tempfile::tempdir().unwrap();
    let prod_key = seeded["access_keys"]["acme-prod"].as_str().unwrap();
    // Fake secrets; the prod key id is the emulator's own key of the acme-prod-ci user.
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let stranger = "AKIAI44QH8DHBEXAMPLE";
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(
        ws.join(".env"),
        format!("AWS_ACCESS_KEY_ID={prod_key}\nAWS_SECRET_ACCESS_KEY={secret}\n"),
    )
    .unwrap();
    std::fs::write(
        ws.join("old.env"),
        format!("AWS_ACCESS_KEY_ID={stranger}\n"),
    )
    .unwrap();
    let out = ringfence(
        &moto,
        dir.path(),
        &[
            "audit",
            "--org",
            "--endpoint-url",
            &moto.endpoint,
            "--regions",
            "eu-west-1",
            "--workspace",
            "ws",
            "--no-aws-home",
            "--attribute-keys",
            "-f",
            "json",
            "--save-snapshot",
            "saved.json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let sec001: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == "SEC001")
        .collect();
    let prod_id = seeded["accounts"]["acme-prod"].as_str().unwrap();
    // ListAccessKeys gave the IAM user's key its id: the inventory attributes it.
    let found = sec001
        .iter()
        .find(|f| f["resource"] == "ws/.env:1")
        .unwrap_or_else(|| panic!("{sec001:#?}"));
    assert_eq!(found["status"], "fail", "{found:#}");
    assert_eq!(found["account"], prod_id);
    assert_eq!(found["evidence"]["owner"]["source"], "inventory");
    // The emulator's GetAccessKeyInfo names the caller's account for any key.
    let asked = sec001
        .iter()
        .find(|f| f["resource"] == "ws/old.env:1")
        .unwrap();
    assert_eq!(asked["evidence"]["owner"]["source"], "get_access_key_info");
    assert_eq!(asked["evidence"]["owner"]["account_id"], "123456789012");
    let saved = std::fs::read_to_string(dir.path().join("saved.json")).unwrap();
    for text in [&*stdout, &*stderr, &saved] {
        for whole in [prod_key, secret, stranger] {
            assert!(!text.contains(whole), "a secret was written out");
        }
    }
    let snapshot = Snapshot::from_json(saved.as_bytes(), "saved.json").unwrap();
    assert_eq!(snapshot.workstation.unwrap().credentials.len(), 2);
}

/// A ringfence process with fake credentials in the environment and no AWS config files, except
/// what the test sets.
fn isolated(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"));
    cmd
}

/// The snapshot a test's `collect -o snapshot.json` wrote into `dir`.
fn saved_snapshot(dir: &Path) -> Snapshot {
    let saved = std::fs::read_to_string(dir.join("snapshot.json")).unwrap();
    Snapshot::from_json(saved.as_bytes(), "snapshot.json").unwrap()
}

/// `collect` in us-east-1 against a fake `endpoint`, with `extra` arguments: the process's
/// output, the snapshot it wrote and how long it took.
fn collect_from(
    endpoint: &str,
    extra: &[&str],
) -> (std::process::Output, Snapshot, std::time::Duration) {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = isolated(dir.path())
        .env("AWS_REGION", "us-east-1")
        .args(["collect", "--endpoint-url", endpoint])
        .args(extra)
        .args(["-o", "snapshot.json"])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let snapshot = saved_snapshot(dir.path());
    (out, snapshot, elapsed)
}

#[test]
fn an_explicit_profile_wins_over_environment_keys_and_gives_its_region() {
    let fake = support::fake::Fake::start(1);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config"),
        "[profile auditor]\nregion = eu-west-1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        "[auditor]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n",
    )
    .unwrap();
    let out = isolated(dir.path())
        .env("AWS_MAX_ATTEMPTS", "1")
        .args([
            "collect",
            "--profile",
            "auditor",
            "--endpoint-url",
            &fake.endpoint,
            "--regions",
            "us-east-1",
            "-o",
            "snapshot.json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let requests = fake.requests();
    let identity = requests
        .iter()
        .find(|r| r.body.contains("Action=GetCallerIdentity"))
        .unwrap_or_else(|| panic!("no GetCallerIdentity: {requests:#?} {stderr}"));
    // SigV4 names the access key id and the signing region.
    assert!(
        identity
            .authorization
            .contains("Credential=AKIAI44QH8DHBEXAMPLE/"),
        "the profile's key, not the environment's: {}",
        identity.authorization
    );
    assert!(
        identity.authorization.contains("/eu-west-1/sts/"),
        "the profile's region: {}",
        identity.authorization
    );
}

#[test]
fn an_unknown_profile_is_bad_usage_naming_the_files_looked_in() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config"),
        "[profile auditor]\nregion = eu-west-1\n",
    )
    .unwrap();
    let endpoint = format!("http://127.0.0.1:{}", support::fake::closed_port());
    let out = isolated(dir.path())
        .args([
            "audit",
            "--profile",
            "nosuchprofile",
            "--endpoint-url",
            &endpoint,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--profile nosuchprofile"), "{stderr}");
    for file in ["config", "credentials"] {
        let path = dir.path().join(file).display().to_string();
        assert!(stderr.contains(&path), "names {path}: {stderr}");
    }
    assert!(
        stderr.contains("auditor"),
        "lists the profiles there: {stderr}"
    );
}

#[test]
fn a_refused_connection_is_reported_as_such_without_a_credentials_hint() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = format!("http://127.0.0.1:{}", support::fake::closed_port());
    let run = |verbose: bool| {
        let mut cmd = isolated(dir.path());
        cmd.env("AWS_REGION", "us-east-1")
            .args(["audit", "--endpoint-url", &endpoint]);
        if verbose {
            cmd.arg("--verbose");
        }
        cmd.output().unwrap()
    };
    let out = run(false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(stderr.contains(&endpoint), "names the endpoint: {stderr}");
    assert!(
        stderr.contains("--endpoint-url"),
        "the hint that fits: {stderr}"
    );
    for wrong in [
        "credentials",
        "--profile",
        "aws sso login",
        "DispatchFailure",
        "ConnectorError",
        "{",
    ] {
        assert!(!stderr.contains(wrong), "`{wrong}` in: {stderr}");
    }
    assert!(stderr.lines().count() <= 2, "short: {stderr}");
    // --verbose adds the SDK's whole error.
    let out = run(true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(stderr.contains("DispatchFailure"), "{stderr}");
}

#[test]
fn an_endpoint_that_dies_mid_run_is_given_up_per_scope_and_nothing_passes() {
    // The endpoint answers the caller's identity, then refuses every connection.
    let fake = support::fake::Fake::start(1);
    let (out, snapshot, elapsed) = collect_from(
        &fake.endpoint,
        &["--regions", "us-east-1,eu-west-1", "--concurrency", "4"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Nothing but the identity answered: nothing was collected, and the snapshot says why.
    assert_eq!(out.status.code(), Some(3), "{stderr}");

    // Attempts sent: the identity, then per scope (account, region, service) at most the
    // breaker's three refused connections, plus the calls already in flight (concurrency 4).
    // The scopes: ten services in each of the two regions, and IAM and S3 once.
    let stats = snapshot.collection.as_ref().unwrap();
    let attempts: u64 = stats.operations.iter().map(|o| o.calls + o.retries).sum();
    let scopes = 2 * 10 + 2;
    assert!(
        attempts <= 1 + scopes * 3 + 4,
        "{attempts} attempts in {elapsed:?}: {:#?}",
        stats.operations
    );
    // Every call that was not sent is a record saying so; the refused ones say why; none
    // carries the SDK's debug text.
    let not_sent = snapshot
        .errors
        .iter()
        .filter(|e| {
            e.message.starts_with("not collected: the ")
                && e.message
                    .contains(" endpoint refused 3 connections in a row")
        })
        .count();
    assert!(not_sent > 0, "{:#?}", snapshot.errors);
    for error in &snapshot.errors {
        assert!(
            error.message.starts_with("not collected: the ")
                || error.message.starts_with("endpoint unreachable:"),
            "{error:?}"
        );
        assert!(error.message.len() < 200, "{error:?}");
    }
    let reached = |region: &str| {
        snapshot
            .errors
            .iter()
            .any(|e| e.region.as_deref() == Some(region) && e.message.contains(region))
    };
    assert!(
        reached("us-east-1") && reached("eu-west-1"),
        "a breaker per region"
    );

    // Nothing passes.
    let report = ringfence::evaluate(
        &snapshot,
        &ringfence::config::Config::default(),
        ringfence::Source::Live,
        None,
        snapshot.collected_at,
    );
    let report = serde_json::to_value(&report).unwrap();
    for finding in report["findings"].as_array().unwrap() {
        assert_ne!(finding["status"], "pass", "{finding:#}");
    }
}

#[test]
fn collection_ends_at_its_deadline_when_the_endpoint_hangs() {
    // Before: DescribeRegions and then every call of the region waited the full 120 s
    // operation timeout, one after another (1,560 s for one account and one region).
    let fake = support::fake::Fake::hanging();
    let (out, snapshot, wall) = collect_from(&fake.endpoint, &["--timeout", "3s"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("collection against a hanging endpoint with --timeout 3s: {wall:.1?}");
    // A bound far below one call's own timeout (120 s), not a performance target.
    assert!(wall.as_secs() < 60, "{wall:?} {stderr}");
    assert_eq!(
        out.status.code(),
        Some(3),
        "nothing was collected: {stderr}"
    );
    let stopped: Vec<(&str, &str)> = snapshot
        .errors
        .iter()
        .filter(|e| e.code.as_deref() == Some("DeadlineReached"))
        .map(|e| (e.service.as_str(), e.operation.as_str()))
        .collect();
    // The region list is an error record, not a silent shrink to one region; the region's
    // services and the account's global ones are each recorded as stopped.
    for expected in [
        ("ec2", "DescribeRegions"),
        ("ec2", "*"),
        ("iam", "*"),
        ("s3", "*"),
        ("rds", "*"),
        ("cloudtrail", "*"),
        ("dynamodb", "*"),
    ] {
        assert!(stopped.contains(&expected), "{expected:?} in {stopped:?}");
    }
    let record = snapshot
        .errors
        .iter()
        .find(|e| e.code.as_deref() == Some("DeadlineReached"))
        .unwrap();
    assert!(
        record
            .message
            .starts_with("not collected: deadline reached (--timeout 3s)"),
        "{}",
        record.message
    );
    let listing = snapshot
        .errors
        .iter()
        .find(|e| e.operation == "DescribeRegions")
        .unwrap();
    assert!(
        listing
            .message
            .ends_with("so only us-east-1 was collected: name the regions to audit with --regions"),
        "{}",
        listing.message
    );
    // Nothing is reported as collected that was not read.
    let region = &snapshot.accounts[0].regions.as_ref().unwrap()["us-east-1"];
    assert!(region.vpcs.is_none() && region.rds_instances.is_none());
    assert!(snapshot.accounts[0].iam.is_none());
}

#[test]
fn an_audit_stopped_by_the_deadline_before_any_answer_still_writes_its_report() {
    // Before: exit 3 and no report at all, so a scheduled job had nothing to upload.
    let fake = support::fake::Fake::hanging();
    let dir = tempfile::tempdir().unwrap();
    let out = isolated(dir.path())
        .env("AWS_REGION", "us-east-1")
        .args(["audit", "--endpoint-url", &fake.endpoint, "--timeout", "2s"])
        .args(["-f", "json=report.json", "-f", "table"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("nothing was collected")
            && stderr.contains("the deadline among them: raise --timeout")
            && stderr.contains("the report was written with every check unknown"),
        "{stderr}"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        assert!(
            finding["status"] == "unknown" || finding["status"] == "not_applicable",
            "{finding:#}"
        );
    }
    assert!(findings.iter().any(|f| f["status"] == "unknown"));
    assert!(report["summary"]["level"].is_null() || report["summary"]["level"] == 0);
    assert!(!out.stdout.is_empty(), "the table is printed too");
}

#[test]
fn key_attribution_ends_at_the_deadline_and_the_key_stays_unknown() {
    // Before: sts:GetAccessKeyInfo was bounded only by its own per-call timeouts.
    let fake = support::fake::Fake::hanging();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join(".env"), "AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE\n").unwrap();
    let started = std::time::Instant::now();
    let out = isolated(dir.path())
        .env("AWS_REGION", "us-east-1")
        .args(["scan", "ws", "--demo", "--no-aws-home", "--attribute-keys"])
        .args([
            "--endpoint-url",
            &fake.endpoint,
            "--timeout",
            "2s",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("key attribution against a hanging endpoint with --timeout 2s: {wall:.1?}");
    assert!(
        wall.as_secs() < 30,
        "{wall:?}: far below one call's own limit of 60 s"
    );
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|err| panic!("{err}: {stderr}"));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "SEC001")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(finding["status"], "unknown", "{finding:#}");
    let text = finding.to_string();
    assert!(
        text.contains("no answer before the deadline (--timeout 2s); raise --timeout"),
        "{finding:#}"
    );
    assert!(
        !text.contains("AKIAI44QH8DHBEXAMPLE"),
        "the key id is redacted"
    );
}

#[test]
fn a_malformed_timeout_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, bad, says) in [
        ("--timeout", "0s", ""),
        ("--timeout", "soon", ""),
        ("--timeout", "-5m", ""),
        ("--call-timeout", "dns=5s", "`dns` is not a kind of call"),
        ("--call-timeout", "read=0s", "longer than zero"),
        ("--call-timeout", "iam=later", "not a duration"),
        ("--call-timeout", "2h", "at most 1h"),
    ] {
        let out = isolated(dir.path())
            .args(["collect", &format!("{flag}={bad}"), "-o", "s.json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}={bad}: {stderr}");
        assert!(
            stderr.contains(flag) && stderr.contains(says),
            "{flag}={bad}: {stderr}"
        );
    }
}

/// `audit --org` of the seeded organization in eu-west-1, through `endpoint`, with `extra`
/// arguments: the process's output, its JSON report, the snapshot it saved and how long it
/// took.
fn audit_org(
    moto: &Moto,
    endpoint: &str,
    extra: &[&str],
) -> (std::process::Output, Value, Snapshot, std::time::Duration) {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let mut args = vec![
        "audit",
        "--org",
        "--endpoint-url",
        endpoint,
        "--regions",
        "eu-west-1",
        "-f",
        "json=report.json",
        "--save-snapshot",
        "snapshot.json",
    ];
    args.extend_from_slice(extra);
    let out = ringfence(moto, dir.path(), &args);
    let wall = started.elapsed();
    let report = std::fs::read(dir.path().join("report.json")).unwrap_or_else(|err| {
        panic!(
            "no report ({err}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let report = serde_json::from_slice(&report).unwrap();
    (out, report, saved_snapshot(dir.path()), wall)
}

/// The passing findings of a report, by (check, account, region, resource).
fn passes(report: &Value) -> std::collections::BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "pass")
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["check_id"], f["account"], f["region"], f["resource"]
            )
        })
        .collect()
}

#[test]
fn a_hanging_service_costs_its_own_breaker_and_the_rest_is_audited() {
    let moto = Moto::start();
    let seeded = moto.seed("small");
    let (_, clean, clean_snapshot, clean_wall) = audit_org(&moto, &moto.endpoint, &[]);
    // EC2's endpoint hangs; every other service answers.
    let proxy =
        support::proxy::Proxy::start(&moto.endpoint, support::proxy::Fault::HangService("ec2"));
    let (out, report, snapshot, wall) =
        audit_org(&moto, &proxy.endpoint, &["--call-timeout", "read=1s"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!(
        "audit of 3 accounts with EC2 hanging (--call-timeout read=1s): {wall:.1?}, {} EC2 attempts held; unfaulted: {clean_wall:.1?}",
        proxy.held().len()
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Per account, the EC2 breaker opened after three timed-out attempts: nothing more was
    // sent to EC2 there, and no other service's calls were held. Before it opened, at most two
    // attempts had timed out and EC2's four groups of calls had one attempt each in flight.
    let held = proxy.held();
    assert!(held.iter().all(|s| s == "ec2"), "{held:?}");
    assert!(!held.is_empty() && held.len() <= 3 * (2 + 4), "{held:?}");
    for account in &snapshot.accounts {
        let region = &account.regions.as_ref().unwrap()["eu-west-1"];
        assert!(
            region.vpcs.is_none() && region.ec2_instances.is_none(),
            "{}",
            account.id
        );
        assert!(
            region.rds_instances.is_some(),
            "{}: RDS answered",
            account.id
        );
        assert!(account.iam.is_some(), "{}: IAM answered", account.id);
        let stopped = snapshot.errors.iter().any(|e| {
            e.account_id.as_deref() == Some(&account.id)
                && e.service == "ec2"
                && e.message
                    .contains("the ec2 endpoint timed out 3 connections in a row")
        });
        assert!(stopped, "{}: {:#?}", account.id, snapshot.errors);
    }
    // The emulator lacks a few operations (RAM, Recycle Bin): those fail in both runs.
    let failed = |snapshot: &Snapshot| -> std::collections::BTreeSet<String> {
        snapshot
            .errors
            .iter()
            .map(|e| format!("{:?} {}:{}", e.account_id, e.service, e.operation))
            .collect()
    };
    let new: Vec<String> = failed(&snapshot)
        .difference(&failed(&clean_snapshot))
        .cloned()
        .collect();
    assert!(
        !new.is_empty() && new.iter().all(|e| e.contains(" ec2:")),
        "only EC2 failed: {new:#?}"
    );
    // What RDS answered is judged as before: the odd-numbered production databases fail.
    let prod_id = seeded["accounts"]["acme-prod"].as_str().unwrap();
    let count = |report: &Value, check: &str, status: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check_id"] == check && f["status"] == status && f["account"] == prod_id)
            .count()
    };
    assert_eq!(count(&report, "DEL002", "fail"), 50);
    // The network was not read: the route from the sandbox is unknown, never a pass.
    assert_eq!(count(&clean, "SEG002", "fail"), 1);
    assert_eq!(count(&report, "SEG002", "pass"), 0);
    // Nothing passes that does not pass with every answer read.
    let extra: Vec<String> = passes(&report)
        .difference(&passes(&clean))
        .cloned()
        .collect();
    assert!(extra.is_empty(), "passes only without EC2: {extra:#?}");
    let unknown = |report: &Value| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "unknown")
            .count()
    };
    assert!(unknown(&report) > unknown(&clean));
}

#[test]
fn a_scope_s_independent_calls_run_side_by_side_under_the_concurrency_bound() {
    // Before: a region's 13 EC2 calls were sent one after another.
    let moto = Moto::start();
    // The most requests answered at once by a proxy that answers each `delay_ms` late, for a
    // collection of us-east-1 with `--concurrency N`.
    let flight = |delay_ms: u64, concurrency: &str| {
        let proxy = support::proxy::Proxy::start(
            &moto.endpoint,
            support::proxy::Fault::Delay(std::time::Duration::from_millis(delay_ms)),
        );
        let dir = tempfile::tempdir().unwrap();
        let args = [
            "collect",
            "--endpoint-url",
            &proxy.endpoint,
            "--regions",
            "us-east-1",
            "--concurrency",
            concurrency,
            "-o",
            "snapshot.json",
        ];
        let out = ringfence(&moto, dir.path(), &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        proxy.flight()
    };
    let eight = flight(200, "8");
    eprintln!("--concurrency 8: {eight:?}");
    assert!(eight.most_of("ec2") >= 2, "{eight:?}");
    assert!(eight.most <= 8, "{eight:?}");
    let one = flight(50, "1");
    assert_eq!(one.most, 1, "one call at a time: {one:?}");
}

#[test]
fn late_answers_give_a_partial_report_at_the_deadline() {
    let moto = Moto::start();
    moto.seed("small");
    let (_, clean, _, clean_wall) = audit_org(&moto, &moto.endpoint, &[]);
    // Every answer comes 300 ms late: the whole audit takes about 10 s (some 30 calls depend
    // on one another), so a 6 s deadline stops it part way, after the accounts are known.
    let proxy = support::proxy::Proxy::start(
        &moto.endpoint,
        support::proxy::Fault::Delay(std::time::Duration::from_millis(300)),
    );
    let (out, report, snapshot, wall) = audit_org(&moto, &proxy.endpoint, &["--timeout", "6s"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!(
        "audit of 3 accounts, every answer 300 ms late, --timeout 6s: {wall:.1?} ({} answers); unfaulted: {clean_wall:.1?}",
        proxy.forwarded()
    );
    // The deadline plus a margin for evaluation and the process, not a performance target.
    assert!(wall < std::time::Duration::from_secs(6 + 20), "{wall:?}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Some of it was collected, the rest is recorded as stopped by the deadline.
    let stopped: Vec<String> = snapshot
        .errors
        .iter()
        .filter(|e| e.code.as_deref() == Some("DeadlineReached"))
        .map(|e| format!("{:?} {}:{}", e.account_id, e.service, e.operation))
        .collect();
    assert!(!stopped.is_empty(), "{:#?}", snapshot.errors);
    assert!(
        snapshot.accounts.iter().any(|a| a.iam.is_some()
            || a.regions
                .as_ref()
                .is_some_and(|r| r.values().any(|r| r.dynamodb_tables.is_some()))),
        "something was collected before the deadline"
    );
    assert_eq!(report["scope"]["accounts"].as_array().unwrap().len(), 3);
    let extra: Vec<String> = passes(&report)
        .difference(&passes(&clean))
        .cloned()
        .collect();
    assert!(extra.is_empty(), "passes only at the deadline: {extra:#?}");
}
