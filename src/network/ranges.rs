//! IPv4 address sets as sorted, disjoint, inclusive ranges: what a route's destination
//! covers once more specific routes have taken their part, and what survives each hop.

use std::fmt;

/// A set of IPv4 addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Ranges(Vec<(u32, u32)>);

/// Parses `a.b.c.d/n` into its first and last address; `None` for anything else (IPv6,
/// prefix lists, malformed text).
pub fn parse_cidr(text: &str) -> Option<(u32, u32)> {
    let (addr, len) = text.trim().split_once('/')?;
    let len: u32 = len.parse().ok()?;
    if len > 32 {
        return None;
    }
    let addr: std::net::Ipv4Addr = addr.parse().ok()?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    let start = u32::from(addr) & mask;
    Some((start, start | !mask))
}

/// The prefix length of a CIDR (`None` when it is not IPv4 CIDR text).
pub fn prefix_len(text: &str) -> Option<u32> {
    parse_cidr(text)?;
    text.trim().split_once('/')?.1.parse().ok()
}

impl Ranges {
    /// The empty set.
    pub fn new() -> Ranges {
        Ranges(Vec::new())
    }

    /// The addresses of one CIDR (empty when it does not parse).
    pub fn cidr(text: &str) -> Ranges {
        Ranges(parse_cidr(text).into_iter().collect())
    }

    /// The addresses of several CIDRs.
    pub fn cidrs<'a>(texts: impl IntoIterator<Item = &'a str>) -> Ranges {
        let mut set = Ranges::new();
        for text in texts {
            set = set.union(&Ranges::cidr(text));
        }
        set
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of addresses (as u64: the whole space has 2^32).
    pub fn size(&self) -> u64 {
        self.0
            .iter()
            .map(|&(a, b)| u64::from(b) - u64::from(a) + 1)
            .sum()
    }

    pub fn union(&self, other: &Ranges) -> Ranges {
        let mut all: Vec<(u32, u32)> = self.0.iter().chain(&other.0).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(all.len());
        for (a, b) in all {
            match out.last_mut() {
                Some(last) if u64::from(a) <= u64::from(last.1) + 1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        Ranges(out)
    }

    pub fn intersect(&self, other: &Ranges) -> Ranges {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.0.len() && j < other.0.len() {
            let (a1, b1) = self.0[i];
            let (a2, b2) = other.0[j];
            let (a, b) = (a1.max(a2), b1.min(b2));
            if a <= b {
                out.push((a, b));
            }
            if b1 < b2 {
                i += 1;
            } else {
                j += 1;
            }
        }
        Ranges(out)
    }

    /// Whether the two sets share an address (without building the intersection).
    pub fn meets(&self, other: &Ranges) -> bool {
        let (mut i, mut j) = (0, 0);
        while i < self.0.len() && j < other.0.len() {
            let (a1, b1) = self.0[i];
            let (a2, b2) = other.0[j];
            if a1.max(a2) <= b1.min(b2) {
                return true;
            }
            if b1 < b2 {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    pub fn subtract(&self, other: &Ranges) -> Ranges {
        let mut out = Vec::new();
        let mut j = 0;
        for &(a, b) in &self.0 {
            let mut start = u64::from(a);
            let end = u64::from(b);
            while j < other.0.len() && u64::from(other.0[j].1) < start {
                j += 1;
            }
            let mut k = j;
            while k < other.0.len() && u64::from(other.0[k].0) <= end {
                let (c, d) = (u64::from(other.0[k].0), u64::from(other.0[k].1));
                if c > start {
                    out.push((start as u32, (c - 1) as u32));
                }
                start = start.max(d + 1);
                if start > end {
                    break;
                }
                k += 1;
            }
            if start <= end {
                out.push((start as u32, end as u32));
            }
        }
        Ranges(out)
    }

    /// The set as the fewest CIDR blocks.
    pub fn to_cidrs(&self) -> Vec<String> {
        let mut out = Vec::new();
        for &(a, b) in &self.0 {
            let mut start = u64::from(a);
            let end = u64::from(b);
            while start <= end {
                // The largest aligned block starting at `start` that fits.
                let mut len = if start == 0 {
                    32
                } else {
                    start.trailing_zeros().min(32)
                };
                while len > 0 && start + (1u64 << len) - 1 > end {
                    len -= 1;
                }
                out.push(format!(
                    "{}/{}",
                    std::net::Ipv4Addr::from(start as u32),
                    32 - len
                ));
                start += 1u64 << len;
            }
        }
        out
    }
}

impl fmt::Display for Ranges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_cidrs().join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_parse_and_print_back() {
        assert_eq!(parse_cidr("10.0.0.0/8"), Some((0x0a00_0000, 0x0aff_ffff)));
        assert_eq!(parse_cidr("0.0.0.0/0"), Some((0, u32::MAX)));
        assert_eq!(parse_cidr("10.1.2.3/16"), Some((0x0a01_0000, 0x0a01_ffff)));
        assert_eq!(parse_cidr("pl-123"), None);
        assert_eq!(parse_cidr("::/0"), None);
        assert_eq!(parse_cidr("10.0.0.0/33"), None);
        assert_eq!(Ranges::cidr("0.0.0.0/0").to_cidrs(), ["0.0.0.0/0"]);
        assert_eq!(Ranges::cidr("10.1.0.0/16").size(), 65_536);
        assert_eq!(prefix_len("10.1.0.0/16"), Some(16));
    }

    #[test]
    fn set_operations() {
        let big = Ranges::cidr("10.0.0.0/8");
        let a = Ranges::cidr("10.1.0.0/16");
        let b = Ranges::cidr("10.1.5.0/24");
        let rest = a.subtract(&b);
        assert_eq!(rest.size(), 65_536 - 256);
        assert!(!rest.meets(&b));
        assert_eq!(rest.union(&b), a);
        assert_eq!(big.intersect(&a), a);
        assert!(Ranges::cidr("192.168.0.0/16").intersect(&big).is_empty());
        assert_eq!(
            a.subtract(&b).to_cidrs(),
            [
                "10.1.0.0/22",
                "10.1.4.0/24",
                "10.1.6.0/23",
                "10.1.8.0/21",
                "10.1.16.0/20",
                "10.1.32.0/19",
                "10.1.64.0/18",
                "10.1.128.0/17"
            ]
        );
        assert!(a.subtract(&big).is_empty());
        let all = Ranges::cidr("0.0.0.0/0");
        assert_eq!(all.subtract(&Ranges::new()), all);
        assert_eq!(
            all.subtract(&Ranges::cidr("0.0.0.0/1")).to_cidrs(),
            ["128.0.0.0/1"]
        );
    }
}
