//! Reading one candidate file, within limits. Problems name the file and a reason, never its
//! content.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::Tally;
use crate::inventory::ProblemKind;

/// Files holding a NUL byte in their first this many bytes are binary.
const BINARY_PROBE_BYTES: usize = 8 * 1024;

/// Reads a candidate file (already counted as a candidate) and returns its text, or `None` after
/// counting why it was not searched. Invalid UTF-8 is replaced and counted, and the file is
/// still searched.
pub(super) fn read_candidate(
    path: &Path,
    shown: &str,
    max_bytes: u64,
    tally: &mut Tally,
) -> Option<String> {
    let unreadable = |tally: &mut Tally, err: std::io::Error| {
        tally.stats.unreadable += 1;
        tally.problem(shown, ProblemKind::Unreadable, err.kind().to_string());
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) => {
            unreadable(tally, err);
            return None;
        }
    };
    let len = match file.metadata() {
        Ok(metadata) => metadata.len(),
        Err(err) => {
            unreadable(tally, err);
            return None;
        }
    };
    if len > max_bytes {
        too_large(tally, shown, len, max_bytes);
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // The file may have grown since it was measured: never read past the limit.
    if let Err(err) = file.take(max_bytes + 1).read_to_end(&mut bytes) {
        unreadable(tally, err);
        return None;
    }
    if bytes.len() as u64 > max_bytes {
        too_large(tally, shown, bytes.len() as u64, max_bytes);
        return None;
    }
    if bytes[..bytes.len().min(BINARY_PROBE_BYTES)].contains(&0) {
        tally.stats.skipped_binary += 1;
        tally.problem(shown, ProblemKind::Binary, "holds NUL bytes".to_owned());
        return None;
    }
    tally.stats.files_read += 1;
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(err) => {
            tally.stats.non_utf8 += 1;
            tally.problem(
                shown,
                ProblemKind::NonUtf8,
                "not valid UTF-8; searched with the invalid bytes replaced".to_owned(),
            );
            Some(String::from_utf8_lossy(err.as_bytes()).into_owned())
        }
    }
}

fn too_large(tally: &mut Tally, shown: &str, len: u64, max_bytes: u64) {
    tally.stats.skipped_large += 1;
    tally.problem(
        shown,
        ProblemKind::TooLarge,
        format!(
            "{}, over the {} limit",
            human_bytes(len),
            human_bytes(max_bytes)
        ),
    );
}

/// `512 bytes`, `3.5 KiB`, `2.4 MiB`, `1.2 GiB`.
pub(super) fn human_bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let value = n as f64;
    if n < 1024 {
        format!("{n} bytes")
    } else if value < KIB * KIB {
        format!("{:.1} KiB", value / KIB)
    } else if value < KIB * KIB * KIB {
        format!("{:.1} MiB", value / (KIB * KIB))
    } else {
        format!("{:.1} GiB", value / (KIB * KIB * KIB))
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn sizes() {
        assert_eq!(human_bytes(0), "0 bytes");
        assert_eq!(human_bytes(1023), "1023 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(1024 * 1024), "1.0 MiB");
        assert_eq!(human_bytes(2_516_582), "2.4 MiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
