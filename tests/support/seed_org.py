"""Seeds the local AWS emulator (moto server) with an organization for the live-collection tests.

Usage: seed_org.py ENDPOINT [--scale small|figures]

Prints a JSON object describing what was created (account ids by name, counts), so the tests can
assert the collected inventory against it.
"""
import json
import sys

import boto3

ENDPOINT = sys.argv[1]
SCALE = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--scale" else "small"
REGIONS = ["us-east-1", "eu-west-1"]
MANAGEMENT = "123456789012"


def client(service, region="us-east-1", creds=None):
    kwargs = dict(region_name=region, endpoint_url=ENDPOINT)
    if creds:
        kwargs.update(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
    else:
        kwargs.update(aws_access_key_id="test", aws_secret_access_key="test")
    return boto3.client(service, **kwargs)


def assume(account):
    sts = client("sts")
    return sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="seed"
    )["Credentials"]


def seed_account(account, name, spec, creds):
    iam = client("iam", creds=creds)
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    iam.create_role(RoleName="RingfenceAudit", AssumeRolePolicyDocument=trust)
    for i in range(spec["roles"]):
        iam.create_role(RoleName=f"{name}-service-{i}", AssumeRolePolicyDocument=trust)
    iam.create_user(UserName=f"{name}-ci")
    key_id = iam.create_access_key(UserName=f"{name}-ci")["AccessKey"]["AccessKeyId"]
    for region in REGIONS:
        ec2 = client("ec2", region, creds)
        rds = client("rds", region, creds)
        vpcs = []
        for v in range(spec["vpcs"]):
            vpc = ec2.create_vpc(CidrBlock=f"10.{v}.0.0/16")["Vpc"]["VpcId"]
            vpcs.append(vpc)
        subnet = ec2.create_subnet(VpcId=vpcs[0], CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        if spec["instances"]:
            ids = []
            remaining = spec["instances"]
            while remaining:
                batch = min(remaining, 100)
                out = ec2.run_instances(ImageId="ami-12c6146b", MinCount=batch, MaxCount=batch, SubnetId=subnet)
                ids += [i["InstanceId"] for i in out["Instances"]]
                remaining -= batch
            # Termination protection on the first instance only (moto ignores it at launch).
            ec2.modify_instance_attribute(InstanceId=ids[0], DisableApiTermination={"Value": True})
        for d in range(spec["databases"]):
            rds.create_db_instance(
                DBInstanceIdentifier=f"{name}-db-{d}",
                DBInstanceClass="db.t3.micro",
                Engine="postgres",
                AllocatedStorage=20,
                MasterUsername="admin",
                MasterUserPassword="example-password-1",
                DeletionProtection=(d % 2 == 0),
                BackupRetentionPeriod=(7 if d % 3 else 0),
            )
        if spec["tables"]:
            ddb = client("dynamodb", region, creds)
            ddb.create_table(
                TableName=f"{name}-sessions",
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                Tags=[{"Key": "team", "Value": "web"}],
            )
    return key_id


def seed_audit_trail(name, creds):
    """A multi-region trail without log file validation, and an alert on deletes only (not on
    terminations): LOG001 passes, LOG002 fails, LOG003 names the calls nothing alerts on."""
    region = "eu-west-1"
    bucket = f"{name}-audit-logs"
    client("s3", region, creds).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
    )
    trail = client("cloudtrail", region, creds)
    trail.create_trail(Name="audit", S3BucketName=bucket, IsMultiRegionTrail=True)
    trail.put_event_selectors(
        TrailName="audit", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )
    trail.start_logging(Name="audit")
    events = client("events", region, creds)
    events.put_rule(
        Name="deletes",
        EventPattern=json.dumps(
            {"detail-type": ["AWS API Call via CloudTrail"], "detail": {"eventName": [{"prefix": "Delete"}]}}
        ),
        State="ENABLED",
    )
    events.put_targets(
        Rule="deletes", Targets=[{"Id": "alert", "Arn": f"arn:aws:sns:{region}:{name}:security-alerts"}]
    )


def seed_peering(sandbox_creds, prod_account, prod_creds, region="eu-west-1"):
    """Peers the sandbox's 10.0.0.0/16 VPC with production's 10.1.0.0/16 one and routes the
    sandbox to it (one way): a non-production to production network path. Returns its id."""
    sandbox, prod = client("ec2", region, sandbox_creds), client("ec2", region, prod_creds)
    by_cidr = lambda ec2, cidr: ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": [cidr]}])["Vpcs"][0]["VpcId"]
    source, target = by_cidr(sandbox, "10.0.0.0/16"), by_cidr(prod, "10.1.0.0/16")
    pcx = sandbox.create_vpc_peering_connection(
        VpcId=source, PeerVpcId=target, PeerOwnerId=prod_account, PeerRegion=region
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    prod.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    table = sandbox.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [source]}])["RouteTables"][0]
    sandbox.create_route(
        RouteTableId=table["RouteTableId"], DestinationCidrBlock="10.1.0.0/16", VpcPeeringConnectionId=pcx
    )
    return {"id": pcx, "source_vpc": source, "prod_vpc": target, "route_table": table["RouteTableId"]}


def main():
    if SCALE == "figures":
        # 10 accounts (9 created + the management account) x 2 regions: 200 instances,
        # 20 databases, 300 roles and 10 VPCs per account.
        names = [("acme-prod-%d" % i if i % 2 else "acme-dev-%d" % i) for i in range(9)]
        spec = lambda name: dict(roles=300, vpcs=5, instances=100, databases=10, tables=0)
    else:
        names = ["acme-prod", "acme-sandbox"]
        spec = lambda name: (
            dict(roles=120, vpcs=2, instances=3, databases=101, tables=1)
            if name == "acme-prod"
            else dict(roles=2, vpcs=1, instances=1, databases=1, tables=0)
        )
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    workloads = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    accounts = {}
    credentials = {}
    access_keys = {}
    for name in names:
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        account = status["AccountId"]
        org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=workloads)
        accounts[name] = account
        creds = assume(account)
        credentials[name] = creds
        access_keys[name] = seed_account(account, name, spec(name), creds)
        if name == "acme-prod":
            seed_audit_trail(name, creds)
    # The management account holds a little too, with the caller's own credentials.
    management = spec("acme-management") if SCALE == "figures" else dict(roles=1, vpcs=1, instances=0, databases=0, tables=0)
    seed_account(MANAGEMENT, "acme-management", management, None)
    accounts["acme-management"] = MANAGEMENT
    seeded = {"accounts": accounts, "workloads_ou": workloads, "root": root, "access_keys": access_keys}
    if SCALE != "figures":
        seeded["peering"] = seed_peering(
            credentials["acme-sandbox"], accounts["acme-prod"], credentials["acme-prod"]
        )
    print(json.dumps(seeded))


main()
