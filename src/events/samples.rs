//! Sample CloudTrail records for checking rules and filters.
//!
//! The records follow the shape of real CloudTrail management events
//! (CloudTrail User Guide, "CloudTrail record contents for management, data,
//! and network activity events"): event version 1.08, an assumed-role
//! identity, realistic request parameters and response elements. Every value
//! that identifies something is obviously fake (documentation IP range,
//! `EXAMPLE` key ids, `0123456789abcdef0` resource ids), and the event time is
//! fixed so samples are deterministic.

use serde_json::{Value, json};

/// Fixed time of every sample event (no clock reads, so output is stable).
pub const EVENT_TIME: &str = "2026-11-20T09:00:00Z";

/// Name of the agent role whose session makes every sample call.
pub const AGENT_ROLE: &str = "coding-agent";

/// Session name of the agent's assumed-role session.
pub const AGENT_SESSION: &str = "session";

/// `detail-type` of CloudTrail API-call events on an EventBridge bus.
pub const API_CALL_DETAIL_TYPE: &str = "AWS API Call via CloudTrail";

/// Region that carries events of global services such as IAM.
pub const GLOBAL_REGION: &str = "us-east-1";

/// One sample API call, as CloudTrail records it.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleEvent {
    /// Service prefix and API action, e.g. `"ec2:TerminateInstances"`.
    pub name: &'static str,
    /// The CloudTrail record (one element of a log file's `Records` array).
    pub record: Value,
}

impl SampleEvent {
    /// The event as EventBridge delivers it on the default bus:
    /// `{"version":"0","id":…,"detail-type":"AWS API Call via CloudTrail",
    /// "source":"aws.ec2","account":…,"time":…,"region":…,"resources":[],
    /// "detail": <record>}` (EventBridge User Guide, "AWS service events
    /// delivered via AWS CloudTrail").
    pub fn envelope(&self) -> Value {
        let field = |name: &str| self.record.get(name).cloned().unwrap_or(Value::Null);
        json!({
            "version": "0",
            "id": envelope_id(&self.record),
            "detail-type": API_CALL_DETAIL_TYPE,
            "source": format!("aws.{}", self.service()),
            "account": field("recipientAccountId"),
            "time": field("eventTime"),
            "region": field("awsRegion"),
            "resources": [],
            "detail": self.record.clone(),
        })
    }

    /// Service prefix of the call (`"ec2"` for `"ec2:TerminateInstances"`).
    pub fn service(&self) -> &'static str {
        self.name.split(':').next().unwrap_or(self.name)
    }

    /// API action of the call (`"TerminateInstances"`).
    pub fn action(&self) -> &'static str {
        self.name.split(':').nth(1).unwrap_or(self.name)
    }
}

/// Destructive calls on production data and infrastructure, each made by a
/// non-CI principal: an assumed-role session of the agent role
/// (`arn:aws:sts::ACCOUNT:assumed-role/coding-agent/session`).
///
/// Covers ec2 TerminateInstances, DeleteSnapshot and DeregisterImage, rds
/// DeleteDBInstance and DeleteDBCluster, dynamodb DeleteTable, s3
/// DeleteBucket and cloudformation DeleteStack.
pub fn destructive(account: &str, region: &str) -> Vec<SampleEvent> {
    let call = Call { account, region };
    vec![
        call.sample(
            "ec2:TerminateInstances",
            1,
            json!({"instancesSet": {"items": [{"instanceId": "i-0123456789abcdef0"}]}}),
            json!({
                "requestId": request_id(1),
                "instancesSet": {"items": [{
                    "instanceId": "i-0123456789abcdef0",
                    "currentState": {"code": 32, "name": "shutting-down"},
                    "previousState": {"code": 16, "name": "running"}
                }]}
            }),
        ),
        call.sample(
            "ec2:DeleteSnapshot",
            2,
            json!({"snapshotId": "snap-0123456789abcdef0"}),
            json!({"requestId": request_id(2), "_return": true}),
        ),
        call.sample(
            "ec2:DeregisterImage",
            3,
            json!({"imageId": "ami-0123456789abcdef0"}),
            json!({"requestId": request_id(3), "_return": true}),
        ),
        call.sample(
            "rds:DeleteDBInstance",
            4,
            json!({
                "dBInstanceIdentifier": "prod-orders-db",
                "skipFinalSnapshot": true,
                "deleteAutomatedBackups": true
            }),
            json!({
                "dBInstanceIdentifier": "prod-orders-db",
                "dBInstanceClass": "db.r6g.large",
                "engine": "postgres",
                "dBInstanceStatus": "deleting",
                "dBInstanceArn": format!("arn:aws:rds:{region}:{account}:db:prod-orders-db")
            }),
        ),
        call.sample(
            "rds:DeleteDBCluster",
            5,
            json!({"dBClusterIdentifier": "prod-ledger-cluster", "skipFinalSnapshot": true}),
            json!({
                "dBClusterIdentifier": "prod-ledger-cluster",
                "engine": "aurora-postgresql",
                "status": "deleting",
                "dBClusterArn": format!("arn:aws:rds:{region}:{account}:cluster:prod-ledger-cluster")
            }),
        ),
        call.sample(
            "dynamodb:DeleteTable",
            6,
            json!({"tableName": "prod-sessions"}),
            json!({"tableDescription": {
                "tableName": "prod-sessions",
                "tableStatus": "DELETING",
                "tableArn": format!("arn:aws:dynamodb:{region}:{account}:table/prod-sessions")
            }}),
        ),
        call.sample(
            "s3:DeleteBucket",
            7,
            json!({
                "bucketName": "prod-invoices-example",
                "Host": "prod-invoices-example.s3.amazonaws.com"
            }),
            Value::Null,
        ),
        call.sample(
            "cloudformation:DeleteStack",
            8,
            json!({"stackName": "prod-network"}),
            Value::Null,
        ),
    ]
}

/// IAM policy changes: PutRolePolicy, AttachRolePolicy, DetachRolePolicy,
/// DeleteRolePolicy, PutUserPolicy, AttachUserPolicy, DetachUserPolicy,
/// DeleteUserPolicy, CreatePolicyVersion and UpdateAssumeRolePolicy.
///
/// IAM is a global service: its CloudTrail events carry `awsRegion`
/// `"us-east-1"` and reach EventBridge only in that region.
pub fn iam_changes(account: &str) -> Vec<SampleEvent> {
    let call = Call {
        account,
        region: GLOBAL_REGION,
    };
    let role = "app-prod-role";
    let user = "deploy-bot";
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    let document =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let customer_policy = format!("arn:aws:iam::{account}:policy/prod-data-access");
    vec![
        call.sample(
            "iam:PutRolePolicy",
            101,
            json!({"roleName": role, "policyName": "inline-admin", "policyDocument": document}),
            Value::Null,
        ),
        call.sample(
            "iam:AttachRolePolicy",
            102,
            json!({"roleName": role, "policyArn": admin}),
            Value::Null,
        ),
        call.sample(
            "iam:DetachRolePolicy",
            103,
            json!({"roleName": role, "policyArn": admin}),
            Value::Null,
        ),
        call.sample(
            "iam:DeleteRolePolicy",
            104,
            json!({"roleName": role, "policyName": "inline-admin"}),
            Value::Null,
        ),
        call.sample(
            "iam:PutUserPolicy",
            105,
            json!({"userName": user, "policyName": "inline-admin", "policyDocument": document}),
            Value::Null,
        ),
        call.sample(
            "iam:AttachUserPolicy",
            106,
            json!({"userName": user, "policyArn": admin}),
            Value::Null,
        ),
        call.sample(
            "iam:DetachUserPolicy",
            107,
            json!({"userName": user, "policyArn": admin}),
            Value::Null,
        ),
        call.sample(
            "iam:DeleteUserPolicy",
            108,
            json!({"userName": user, "policyName": "inline-admin"}),
            Value::Null,
        ),
        call.sample(
            "iam:CreatePolicyVersion",
            109,
            json!({"policyArn": customer_policy, "policyDocument": document, "setAsDefault": true}),
            json!({"policyVersion": {
                "versionId": "v2",
                "isDefaultVersion": true,
                "createDate": "Nov 20, 2026, 9:00:00 AM"
            }}),
        ),
        call.sample(
            "iam:UpdateAssumeRolePolicy",
            110,
            json!({"roleName": role, "policyDocument": trust}),
            Value::Null,
        ),
    ]
}

/// Where a sample call is made: the account and region of the record.
struct Call<'a> {
    account: &'a str,
    region: &'a str,
}

impl Call<'_> {
    /// Builds one sample; `seq` makes the record's ids unique and stable.
    fn sample(
        &self,
        name: &'static str,
        seq: u32,
        request_parameters: Value,
        response_elements: Value,
    ) -> SampleEvent {
        let (service, action) = name.split_once(':').unwrap_or((name, name));
        SampleEvent {
            name,
            record: json!({
                "eventVersion": "1.08",
                "userIdentity": agent_identity(self.account),
                "eventTime": EVENT_TIME,
                "eventSource": format!("{service}.amazonaws.com"),
                "eventName": action,
                "awsRegion": self.region,
                "sourceIPAddress": "198.51.100.23",
                "userAgent": format!("aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64 command/{service}.{}", kebab(action)),
                "requestParameters": request_parameters,
                "responseElements": response_elements,
                "requestID": request_id(seq),
                "eventID": event_id(seq),
                "readOnly": false,
                "eventType": "AwsApiCall",
                "managementEvent": true,
                "recipientAccountId": self.account,
                "eventCategory": "Management",
                "tlsDetails": {
                    "tlsVersion": "TLSv1.3",
                    "cipherSuite": "TLS_AES_128_GCM_SHA256",
                    "clientProvidedHostHeader": format!("{service}.{}.amazonaws.com", self.region)
                }
            }),
        }
    }
}

/// The `userIdentity` block of an assumed-role session of the agent role.
fn agent_identity(account: &str) -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": format!("AROAEXAMPLEAGENTROLE:{AGENT_SESSION}"),
        "arn": format!("arn:aws:sts::{account}:assumed-role/{AGENT_ROLE}/{AGENT_SESSION}"),
        "accountId": account,
        "accessKeyId": "ASIAEXAMPLEAGENTKEY1",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEAGENTROLE",
                "arn": format!("arn:aws:iam::{account}:role/{AGENT_ROLE}"),
                "accountId": account,
                "userName": AGENT_ROLE
            },
            "webIdFederationData": {},
            "attributes": {
                "creationDate": "2026-11-20T08:55:00Z",
                "mfaAuthenticated": "false"
            }
        }
    })
}

/// A fake but well-formed request id.
fn request_id(seq: u32) -> String {
    format!("00000000-0000-4000-8000-{seq:012}")
}

/// A fake but well-formed CloudTrail event id.
fn event_id(seq: u32) -> String {
    format!("11111111-1111-4111-8111-{seq:012}")
}

/// A fake EventBridge event id, derived from the record's event id so the
/// envelope is deterministic.
fn envelope_id(record: &Value) -> String {
    let event_id = record.get("eventID").and_then(Value::as_str).unwrap_or("");
    let tail: String = event_id.chars().skip(8).collect();
    format!("eeeeeeee{tail}")
}

/// `DeleteDBInstance` -> `delete-db-instance`, as the AWS CLI names commands:
/// a dash goes before an upper-case letter that starts a word, that is one
/// after a lower-case letter or one that ends an acronym.
fn kebab(action: &str) -> String {
    let chars: Vec<char> = action.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev_lower = i > 0 && chars[i - 1].is_ascii_lowercase();
        let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
        let acronym_end = i > 0 && chars[i - 1].is_ascii_uppercase() && next_lower;
        if c.is_ascii_uppercase() && (prev_lower || acronym_end) {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "111122223333";
    const REGION: &str = "eu-west-1";

    fn all() -> Vec<SampleEvent> {
        let mut samples = destructive(ACCOUNT, REGION);
        samples.extend(iam_changes(ACCOUNT));
        samples
    }

    #[test]
    fn destructive_covers_the_listed_calls() {
        let names: Vec<&str> = destructive(ACCOUNT, REGION)
            .iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(
            names,
            [
                "ec2:TerminateInstances",
                "ec2:DeleteSnapshot",
                "ec2:DeregisterImage",
                "rds:DeleteDBInstance",
                "rds:DeleteDBCluster",
                "dynamodb:DeleteTable",
                "s3:DeleteBucket",
                "cloudformation:DeleteStack",
            ]
        );
    }

    #[test]
    fn iam_changes_cover_the_listed_calls_in_us_east_1() {
        let samples = iam_changes(ACCOUNT);
        let actions: Vec<&str> = samples.iter().map(SampleEvent::action).collect();
        assert_eq!(
            actions,
            [
                "PutRolePolicy",
                "AttachRolePolicy",
                "DetachRolePolicy",
                "DeleteRolePolicy",
                "PutUserPolicy",
                "AttachUserPolicy",
                "DetachUserPolicy",
                "DeleteUserPolicy",
                "CreatePolicyVersion",
                "UpdateAssumeRolePolicy",
            ]
        );
        for sample in &samples {
            assert_eq!(sample.record["eventSource"], "iam.amazonaws.com");
            assert_eq!(sample.record["awsRegion"], "us-east-1");
        }
    }

    #[test]
    fn records_have_the_cloudtrail_shape() {
        for sample in all() {
            let r = &sample.record;
            assert_eq!(r["eventVersion"], "1.08", "{}", sample.name);
            assert_eq!(r["eventTime"], EVENT_TIME);
            assert_eq!(r["eventName"], sample.action());
            assert_eq!(
                r["eventSource"],
                format!("{}.amazonaws.com", sample.service())
            );
            assert_eq!(r["readOnly"], false);
            assert_eq!(r["eventType"], "AwsApiCall");
            assert_eq!(r["managementEvent"], true);
            assert_eq!(r["eventCategory"], "Management");
            assert_eq!(r["recipientAccountId"], ACCOUNT);
            assert!(r["requestParameters"].is_object(), "{}", sample.name);
            assert!(r.get("responseElements").is_some());
            assert!(r["sourceIPAddress"].is_string());
            assert!(r["userAgent"].is_string());
            let identity = &r["userIdentity"];
            assert_eq!(identity["type"], "AssumedRole");
            assert_eq!(identity["accountId"], ACCOUNT);
            assert_eq!(
                identity["arn"],
                "arn:aws:sts::111122223333:assumed-role/coding-agent/session"
            );
            let issuer = &identity["sessionContext"]["sessionIssuer"];
            assert_eq!(issuer["type"], "Role");
            assert_eq!(issuer["arn"], "arn:aws:iam::111122223333:role/coding-agent");
            assert_eq!(issuer["userName"], "coding-agent");
        }
    }

    #[test]
    fn request_parameters_name_the_resource() {
        let samples = destructive(ACCOUNT, REGION);
        let params = |i: usize| &samples[i].record["requestParameters"];
        assert_eq!(
            params(0)["instancesSet"]["items"][0]["instanceId"],
            "i-0123456789abcdef0"
        );
        assert_eq!(params(3)["dBInstanceIdentifier"], "prod-orders-db");
        assert_eq!(params(5)["tableName"], "prod-sessions");
        assert_eq!(params(6)["bucketName"], "prod-invoices-example");
        assert_eq!(params(7)["stackName"], "prod-network");
    }

    #[test]
    fn envelope_wraps_the_record_as_eventbridge_delivers_it() {
        let sample = &destructive(ACCOUNT, REGION)[0];
        let envelope = sample.envelope();
        assert_eq!(envelope["version"], "0");
        assert_eq!(envelope["detail-type"], "AWS API Call via CloudTrail");
        assert_eq!(envelope["source"], "aws.ec2");
        assert_eq!(envelope["account"], ACCOUNT);
        assert_eq!(envelope["region"], REGION);
        assert_eq!(envelope["time"], EVENT_TIME);
        assert_eq!(envelope["resources"], json!([]));
        assert_eq!(envelope["detail"], sample.record);
        assert_eq!(envelope["id"], "eeeeeeee-1111-4111-8111-000000000001");
    }

    #[test]
    fn envelope_sources_use_the_service_prefix() {
        let sources: Vec<Value> = all()
            .iter()
            .map(|s| s.envelope()["source"].clone())
            .collect();
        for expected in [
            "aws.ec2",
            "aws.rds",
            "aws.dynamodb",
            "aws.s3",
            "aws.cloudformation",
            "aws.iam",
        ] {
            assert!(sources.contains(&json!(expected)), "{expected}");
        }
    }

    #[test]
    fn samples_are_deterministic_and_ids_unique() {
        assert_eq!(all(), all());
        let mut ids: Vec<String> = all()
            .iter()
            .map(|s| s.record["eventID"].as_str().unwrap_or_default().to_owned())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all().len());
    }

    #[test]
    fn kebab_case_matches_cli_command_names() {
        assert_eq!(kebab("TerminateInstances"), "terminate-instances");
        assert_eq!(kebab("DeleteDBCluster"), "delete-db-cluster");
        assert_eq!(kebab("CreatePolicyVersion"), "create-policy-version");
    }
}
