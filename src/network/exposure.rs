//! Whether the internet reaches a resource: the route table of each of its subnets (the
//! explicit association, else the VPC's main table; a subnet shared through RAM is routed by
//! its owner's tables) and whether its security groups admit the internet on a port.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{Value, json};

use crate::inventory::{
    Account, RdsInstance, Region, Route, RouteState, RouteTable, RouteTarget, SecurityGroup,
    SecurityGroupRule, Snapshot,
};

/// The subnets of an instance's DB subnet group, and whether any routes to an internet gateway.
pub struct Routes<'s> {
    pub subnets: Vec<SubnetRoute<'s>>,
    /// `None`: no subnet is known to route to the internet, and one or more is not known.
    pub held: Option<bool>,
    /// Why `held` is not known.
    pub unknown: Vec<String>,
}

/// An instance's security groups, and whether any admits the internet on the database port.
pub struct Groups<'s> {
    pub groups: Vec<GroupVerdict<'s>>,
    /// `None`: no group is known to admit the internet, and one or more is not known.
    pub held: Option<bool>,
    /// Why `held` is not known.
    pub unknown: Vec<String>,
}

/// The port the database listens on, and where it was learned.
pub struct DbPort {
    /// `None`: unknown, so a rule on any port counts.
    pub number: Option<u16>,
    pub source: &'static str,
}

impl DbPort {
    pub fn of(instance: &RdsInstance) -> DbPort {
        if let Some(port) = instance.endpoint.as_ref().and_then(|e| e.port) {
            return DbPort {
                number: Some(port),
                source: "endpoint",
            };
        }
        match default_port(&instance.engine) {
            Some(port) => DbPort {
                number: Some(port),
                source: "engine default",
            },
            None => DbPort {
                number: None,
                source: "unknown: any port counts",
            },
        }
    }

    /// `port 5432`, or `any port`.
    pub fn phrase(&self) -> String {
        match self.number {
            Some(port) => format!("port {port}"),
            None => "any port".to_owned(),
        }
    }

    /// `5432`, or the ports of `rule` when the database port is unknown.
    pub fn or_rule(&self, rule: &SecurityGroupRule) -> String {
        match self.number {
            Some(port) => port.to_string(),
            None => rule_ports(rule),
        }
    }
}

/// The port RDS gives an engine when none is chosen.
pub fn default_port(engine: &str) -> Option<u16> {
    let engine = engine.strip_prefix("custom-").unwrap_or(engine);
    match engine {
        "mysql" | "mariadb" | "aurora" | "aurora-mysql" => Some(3306),
        "postgres" | "aurora-postgresql" => Some(5432),
        _ if engine.starts_with("oracle") => Some(1521),
        _ if engine.starts_with("sqlserver") => Some(1433),
        _ if engine.starts_with("db2") => Some(50000),
        _ => None,
    }
}

/// `all ports`, `port 22` or `ports 1024-65535`.
pub fn rule_ports(rule: &SecurityGroupRule) -> String {
    match (rule.protocol.as_str(), rule.from_port, rule.to_port) {
        ("-1", _, _) | (_, None, None) => "all ports".to_owned(),
        (_, Some(from), Some(to)) if from == to => format!("port {from}"),
        (_, from, to) => format!("ports {}-{}", from.unwrap_or(0), to.unwrap_or(u16::MAX)),
    }
}

/// The same region in every account of the snapshot, the instance's own account first: the
/// route tables of a subnet shared through RAM live in the account that owns its VPC.
pub struct RegionView<'s> {
    pub region: &'s str,
    pub views: Vec<(&'s Account, &'s Region)>,
}

impl<'s> RegionView<'s> {
    /// Region `name` of every account, `account`'s (whose listing is `region`) first.
    pub fn of(
        snapshot: &'s Snapshot,
        account: &'s Account,
        name: &'s str,
        region: &'s Region,
    ) -> RegionView<'s> {
        let mut views = vec![(account, region)];
        views.extend(
            snapshot
                .accounts
                .iter()
                .filter(|a| a.id != account.id)
                .filter_map(|a| Some((a, a.regions.as_ref()?.get(name)?))),
        );
        RegionView {
            region: name,
            views,
        }
    }

    /// The account that holds the data, when it is not the instance's own.
    pub fn foreign(&self, account: &'s Account) -> Option<&'s str> {
        (account.id != self.views[0].0.id).then_some(account.id.as_str())
    }

    /// Why `thing` could not be found: which accounts did not collect the list it lives in.
    pub fn absent(&self, thing: &str, plural: &str, collected: impl Fn(&Region) -> bool) -> String {
        let missing: Vec<&str> = self
            .views
            .iter()
            .filter(|(_, region)| !collected(region))
            .map(|(account, _)| account.display_name())
            .collect();
        if missing.is_empty() {
            format!("{thing} is not in the snapshot")
        } else {
            format!(
                "{thing} is not in the snapshot ({plural} of {} in {} were not collected)",
                missing.join(", "),
                self.region
            )
        }
    }

    /// The VPC a subnet belongs to, from the collected subnets.
    pub fn subnet_vpc(&self, subnet: &str) -> Option<&'s str> {
        self.views
            .iter()
            .filter_map(|(_, region)| region.subnets.as_ref())
            .flatten()
            .find(|s| s.id == subnet)
            .map(|s| s.vpc_id.as_str())
    }

    /// The route tables of a VPC, from the first account whose collected route tables hold it.
    pub fn route_tables(&self, vpc: &str) -> Result<(&'s Account, Vec<&'s RouteTable>), String> {
        for &(account, region) in &self.views {
            let Some(tables) = &region.route_tables else {
                continue;
            };
            let of_vpc: Vec<&RouteTable> = tables.iter().filter(|t| t.vpc_id == vpc).collect();
            if !of_vpc.is_empty() {
                return Ok((account, of_vpc));
            }
        }
        Err(
            self.absent(&format!("the route table of {vpc}"), "route tables", |r| {
                r.route_tables.is_some()
            }),
        )
    }

    /// Whether a subnet of the instance's DB subnet group routes to an internet gateway.
    pub fn routes(&self, instance: &'s RdsInstance) -> Routes<'s> {
        let subnets: Vec<SubnetRoute> = instance
            .subnet_ids
            .iter()
            .map(|subnet| self.subnet_route(subnet, instance.vpc_id.as_deref()))
            .collect();
        let mut unknown = Vec::new();
        if subnets.is_empty() {
            unknown.push("the subnets of its DB subnet group were not collected".to_owned());
        }
        for why in subnets.iter().filter_map(|s| s.unknown.as_ref()) {
            // Subnets of one VPC share their reasons: say each once.
            if !unknown.contains(why) {
                unknown.push(why.clone());
            }
        }
        let held = if subnets.iter().any(|s| s.internet.is_some()) {
            Some(true)
        } else if unknown.is_empty() {
            Some(false)
        } else {
            None
        };
        Routes {
            subnets,
            held,
            unknown,
        }
    }

    /// Whether a security group of the instance admits the internet on its port.
    pub fn groups(&self, instance: &'s RdsInstance, port: &DbPort) -> Groups<'s> {
        let groups: Vec<GroupVerdict> = instance
            .security_group_ids
            .iter()
            .map(|id| self.group_verdict(id, port.number))
            .collect();
        let mut unknown = Vec::new();
        if groups.is_empty() {
            unknown.push("its security groups were not collected".to_owned());
        }
        for group in &groups {
            match (&group.unknown, group.admits) {
                (Some(why), _) => unknown.push(why.clone()),
                (None, None) => unknown.extend(group.rules.iter().map(|rule| {
                    format!(
                        "security group {} admits {} on {}, whose addresses were not collected",
                        group.id,
                        rule.opaque.join(", "),
                        port.or_rule(rule.rule)
                    )
                })),
                (None, Some(_)) => {}
            }
        }
        let held = if groups.iter().any(|g| g.admits == Some(true)) {
            Some(true)
        } else if unknown.is_empty() {
            Some(false)
        } else {
            None
        };
        Groups {
            groups,
            held,
            unknown,
        }
    }

    /// The route table of one subnet: its explicit association, else its VPC's main table.
    pub fn subnet_route(&self, subnet: &'s str, vpc: Option<&'s str>) -> SubnetRoute<'s> {
        let mut route = SubnetRoute {
            subnet,
            table: None,
            owner: None,
            internet: None,
            unknown: None,
        };
        let Some(vpc) = self.subnet_vpc(subnet).or(vpc) else {
            route.unknown = Some(format!("the VPC of {subnet} is not known"));
            return route;
        };
        let (account, tables) = match self.route_tables(vpc) {
            Ok(found) => found,
            Err(why) => {
                route.unknown = Some(why);
                return route;
            }
        };
        let table = tables
            .iter()
            .find(|t| t.subnet_ids.iter().any(|s| s == subnet))
            .or_else(|| tables.iter().find(|t| t.main));
        let Some(table) = table else {
            route.unknown = Some(format!(
                "no route table of {vpc} is associated with {subnet} and its main route table is not in the snapshot"
            ));
            return route;
        };
        route.table = Some(table);
        route.owner = self.foreign(account);
        route.internet = table
            .routes
            .iter()
            .find_map(|r| match (&r.target, r.state) {
                (RouteTarget::InternetGateway(igw), RouteState::Active) => Some((r, igw.as_str())),
                _ => None,
            });
        route
    }

    /// A security group by id, from the first account whose collected groups hold it.
    pub fn security_group(&self, id: &str) -> Result<(&'s Account, &'s SecurityGroup), String> {
        self.views
            .iter()
            .find_map(|&(account, region)| {
                let group = region
                    .security_groups
                    .as_ref()?
                    .iter()
                    .find(|g| g.id == id)?;
                Some((account, group))
            })
            .ok_or_else(|| {
                self.absent(&format!("security group {id}"), "security groups", |r| {
                    r.security_groups.is_some()
                })
            })
    }

    /// Whether a security group admits the internet on `port`.
    pub fn group_verdict(&self, id: &'s str, port: Option<u16>) -> GroupVerdict<'s> {
        let (account, group) = match self.security_group(id) {
            Ok(found) => found,
            Err(why) => {
                return GroupVerdict {
                    id,
                    owner: None,
                    admits: None,
                    rules: Vec::new(),
                    unknown: Some(why),
                };
            }
        };
        let rules: Vec<RuleVerdict> = group
            .ingress
            .iter()
            .filter(|rule| covers(rule, port))
            .map(RuleVerdict::of)
            .collect();
        let admitting: Vec<RuleVerdict> = rules
            .iter()
            .filter(|r| !r.public.is_empty())
            .cloned()
            .collect();
        let (admits, rules) = if !admitting.is_empty() {
            (Some(true), admitting)
        } else {
            let opaque: Vec<RuleVerdict> =
                rules.into_iter().filter(|r| !r.opaque.is_empty()).collect();
            (if opaque.is_empty() { Some(false) } else { None }, opaque)
        };
        GroupVerdict {
            id,
            owner: self.foreign(account),
            admits,
            rules,
            unknown: None,
        }
    }
}

/// How one subnet of the DB subnet group routes.
pub struct SubnetRoute<'s> {
    pub subnet: &'s str,
    pub table: Option<&'s RouteTable>,
    /// The account holding the route table, when it is not the instance's (a shared VPC).
    pub owner: Option<&'s str>,
    /// The active route to an internet gateway, and the gateway.
    pub internet: Option<(&'s Route, &'s str)>,
    /// Why the route table is not known.
    pub unknown: Option<String>,
}

impl SubnetRoute<'_> {
    pub fn evidence(&self) -> Value {
        let mut evidence = json!({
            "subnet": self.subnet,
            "route_table": self.table.map(|t| &t.id),
            "internet_route": self.internet.map(|(route, gateway)| json!({
                "destination": route.destination,
                "gateway": gateway,
            })),
        });
        if let Some(owner) = self.owner {
            evidence["route_table_account"] = json!(owner);
        }
        if let Some(why) = &self.unknown {
            evidence["unknown"] = json!(why);
        }
        evidence
    }
}

/// Whether one security group admits the internet on the database port.
pub struct GroupVerdict<'s> {
    pub id: &'s str,
    /// The account holding the group, when it is not the instance's (a shared VPC).
    pub owner: Option<&'s str>,
    /// `None`: a rule's sources cannot be judged, or the group is not in the snapshot.
    pub admits: Option<bool>,
    /// The rules that admit the internet (`admits` true) or that cannot be judged (`None`).
    pub rules: Vec<RuleVerdict<'s>>,
    /// Why the group is not known.
    pub unknown: Option<String>,
}

impl GroupVerdict<'_> {
    pub fn evidence(&self) -> Value {
        let mut evidence = json!({
            "group": self.id,
            "admits_internet": self.admits,
            "rules": self.rules.iter().map(RuleVerdict::evidence).collect::<Vec<_>>(),
        });
        if let Some(owner) = self.owner {
            evidence["group_account"] = json!(owner);
        }
        if let Some(why) = &self.unknown {
            evidence["unknown"] = json!(why);
        }
        evidence
    }

    /// The command that revokes the internet ranges of an admitting rule.
    pub fn revoke(&self, rule: &RuleVerdict, region: &str) -> String {
        let r = rule.rule;
        let mut permission = format!("IpProtocol={}", r.protocol);
        if r.protocol != "-1" {
            if let Some(from) = r.from_port {
                permission.push_str(&format!(",FromPort={from}"));
            }
            if let Some(to) = r.to_port {
                permission.push_str(&format!(",ToPort={to}"));
            }
        }
        let (v6, v4): (Vec<&str>, Vec<&str>) = rule.public.iter().partition(|c| c.contains(':'));
        if !v4.is_empty() {
            let ranges: Vec<String> = v4.iter().map(|c| format!("{{CidrIp={c}}}")).collect();
            permission.push_str(&format!(",IpRanges=[{}]", ranges.join(",")));
        }
        if !v6.is_empty() {
            let ranges: Vec<String> = v6.iter().map(|c| format!("{{CidrIpv6={c}}}")).collect();
            permission.push_str(&format!(",Ipv6Ranges=[{}]", ranges.join(",")));
        }
        let mut command = format!(
            "aws ec2 revoke-security-group-ingress --group-id {} --ip-permissions '{permission}' --region {}",
            self.id, region
        );
        if let Some(owner) = self.owner {
            command.push_str(&format!(" (in account {owner}, which holds the group)"));
        }
        command
    }
}

/// An ingress rule that covers the database port, and what its sources say.
#[derive(Clone)]
pub struct RuleVerdict<'s> {
    pub rule: &'s SecurityGroupRule,
    /// Its IPv4 and IPv6 ranges that hold public addresses.
    pub public: Vec<&'s str>,
    /// Sources whose addresses are unknown: prefix lists, ranges that do not parse.
    pub opaque: Vec<&'s str>,
}

impl<'s> RuleVerdict<'s> {
    pub fn of(rule: &'s SecurityGroupRule) -> RuleVerdict<'s> {
        let mut verdict = RuleVerdict {
            rule,
            public: Vec::new(),
            opaque: rule.prefix_list_ids.iter().map(String::as_str).collect(),
        };
        let v4 = rule.ipv4_ranges.iter().map(|c| (c, ipv4_is_public(c)));
        let v6 = rule.ipv6_ranges.iter().map(|c| (c, ipv6_is_public(c)));
        for (cidr, public) in v4.chain(v6) {
            match public {
                Some(true) => verdict.public.push(cidr),
                Some(false) => {}
                None => verdict.opaque.push(cidr),
            }
        }
        // Source security groups are other resources' interfaces, never the internet.
        verdict
    }

    pub fn evidence(&self) -> Value {
        let r = self.rule;
        let mut evidence = json!({
            "protocol": r.protocol,
            "from_port": r.from_port,
            "to_port": r.to_port,
            "ranges": self.public,
        });
        if !self.opaque.is_empty() {
            evidence["unjudged_sources"] = json!(self.opaque);
        }
        evidence
    }
}

/// Whether an ingress rule lets traffic to `port` through (any TCP port when `None`).
pub fn covers(rule: &SecurityGroupRule, port: Option<u16>) -> bool {
    match rule.protocol.as_str() {
        "-1" => true,
        "tcp" | "6" => {
            let from = rule.from_port.unwrap_or(0);
            let to = rule.to_port.unwrap_or(u16::MAX);
            port.is_none_or(|port| from <= port && port <= to)
        }
        _ => false,
    }
}

/// IPv4 blocks that hold no public address: private, shared (CGNAT), loopback, link-local.
const NOT_PUBLIC_V4: [([u8; 4], u32); 6] = [
    ([10, 0, 0, 0], 8),
    ([172, 16, 0, 0], 12),
    ([192, 168, 0, 0], 16),
    ([100, 64, 0, 0], 10),
    ([127, 0, 0, 0], 8),
    ([169, 254, 0, 0], 16),
];

/// IPv6 blocks that hold no public address: unique local, link-local.
const NOT_PUBLIC_V6: [(u128, u32); 2] = [(0xfc00 << 112, 7), (0xfe80 << 112, 10)];

/// `addr/len` → (address, prefix length); a bare address is a single host.
pub fn split_cidr(cidr: &str, max: u32) -> Option<(&str, u32)> {
    match cidr.trim().split_once('/') {
        Some((addr, len)) => Some((addr, len.parse().ok().filter(|len| *len <= max)?)),
        None => Some((cidr.trim(), max)),
    }
}

/// Whether an IPv4 CIDR holds a public address (is not inside one of [`NOT_PUBLIC_V4`]);
/// `None` when it does not parse. The blocks are disjoint and none is adjacent to another
/// of the same size, so a CIDR inside their union is inside one of them.
pub fn ipv4_is_public(cidr: &str) -> Option<bool> {
    let (addr, len) = split_cidr(cidr, 32)?;
    let addr = u32::from(addr.parse::<Ipv4Addr>().ok()?);
    let inside = |(net, bits): ([u8; 4], u32)| {
        let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
        len >= bits && addr & mask == u32::from_be_bytes(net)
    };
    Some(!NOT_PUBLIC_V4.into_iter().any(inside))
}

/// Whether an IPv6 CIDR holds a public address (is not inside one of [`NOT_PUBLIC_V6`]);
/// `None` when it does not parse.
pub fn ipv6_is_public(cidr: &str) -> Option<bool> {
    let (addr, len) = split_cidr(cidr, 128)?;
    let addr = u128::from(addr.parse::<Ipv6Addr>().ok()?);
    let inside = |(net, bits): (u128, u32)| {
        let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
        len >= bits && addr & mask == net
    };
    Some(!NOT_PUBLIC_V6.into_iter().any(inside))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_ranges_are_those_outside_private_shared_loopback_and_link_local() {
        for (cidr, public) in [
            ("0.0.0.0/0", true),
            ("203.0.113.7/32", true),
            ("172.32.0.0/16", true),
            ("10.0.0.0/7", true),
            ("10.0.0.0/8", false),
            ("172.31.255.0/24", false),
            ("192.168.1.1", false),
            ("100.127.0.0/16", false),
            ("169.254.169.254/32", false),
        ] {
            assert_eq!(ipv4_is_public(cidr), Some(public), "{cidr}");
        }
        for (cidr, public) in [
            ("::/0", true),
            ("2001:db8::/32", true),
            ("fd00:1::/64", false),
            ("fe80::/64", false),
            ("fc00::/6", true),
        ] {
            assert_eq!(ipv6_is_public(cidr), Some(public), "{cidr}");
        }
        assert_eq!(ipv4_is_public("10.0.0.0/40"), None);
        assert_eq!(ipv4_is_public("pl-0123"), None);
    }
}
