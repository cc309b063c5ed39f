//! A memory budget, so that a run too large for the machine ends with a sentence instead of an
//! allocator abort or the kernel's OOM killer.
//!
//! The binary installs [`Budget`] as its global allocator. It counts the bytes in use and,
//! when an allocation would pass the limit, writes one message on standard error and exits
//! with [`crate::error::exit::OUT_OF_MEMORY`]. The limit is `RINGFENCE_MEMORY_LIMIT` (`512M`,
//! `4G`, a number of bytes, or `off`), else 90% of the smaller of the machine's memory and
//! the cgroup's `memory.max`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Bytes allocated and not yet freed.
static USED: AtomicUsize = AtomicUsize::new(0);
/// The limit in bytes; 0 is none (until [`set_limit`] is called, or when it is `off`).
static LIMIT: AtomicUsize = AtomicUsize::new(0);
/// Set once the limit is hit: the allocations of the way out are not refused.
static EXHAUSTED: AtomicBool = AtomicBool::new(false);
/// Where the limit came from, for the message.
static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The counting allocator (the system's, with a budget).
pub struct Budget;

impl Budget {
    fn refuse(size: usize) -> bool {
        let limit = LIMIT.load(Ordering::Relaxed);
        limit != 0
            && USED.load(Ordering::Relaxed).saturating_add(size) > limit
            && !EXHAUSTED.swap(true, Ordering::Relaxed)
    }

    /// Allocates `size` bytes with `allocate` unless that passes the budget, and counts them.
    fn counted(size: usize, allocate: impl FnOnce() -> *mut u8) -> *mut u8 {
        if Self::refuse(size) {
            exhausted(size);
        }
        let ptr = allocate();
        if !ptr.is_null() {
            USED.fetch_add(size, Ordering::Relaxed);
        }
        ptr
    }
}

// SAFETY: every call is passed to `System` unchanged; only a counter is kept beside it, and
// a refusal never returns (it exits the process).
unsafe impl GlobalAlloc for Budget {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is System's.
        Self::counted(layout.size(), || unsafe { System.alloc(layout) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is System's.
        Self::counted(layout.size(), || unsafe { System.alloc_zeroed(layout) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is System's.
        unsafe { System.dealloc(ptr, layout) };
        USED.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let grows = new_size.saturating_sub(layout.size());
        if grows > 0 && Self::refuse(grows) {
            exhausted(new_size);
        }
        // SAFETY: the caller's contract is System's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            USED.fetch_add(new_size, Ordering::Relaxed);
            USED.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        new
    }
}

/// Says what happened and exits. Allocating here is allowed: the budget is off by now.
fn exhausted(size: usize) -> ! {
    let limit = LIMIT.load(Ordering::Relaxed);
    let used = USED.load(Ordering::Relaxed);
    let source = SOURCE.get().map_or("the limit", String::as_str);
    let removed = crate::output::remove_partial_files_if_free();
    let _ = writeln!(
        std::io::stderr(),
        "\nringfence: out of memory: this run needed more than {} ({source}), holding {} when it asked for {} more. \
The run stopped here: a report not yet written is not written. Evaluate a smaller part of the estate (collect fewer accounts or regions), \
use a machine with more memory, or set RINGFENCE_MEMORY_LIMIT (e.g. 16G, or off)",
        human(limit),
        human(used),
        human(size)
    );
    for (_, target) in removed {
        let _ = writeln!(
            std::io::stderr(),
            "ringfence: {} was not written",
            target.display()
        );
    }
    std::process::exit(i32::from(crate::error::exit::OUT_OF_MEMORY));
}

fn human(bytes: usize) -> String {
    let bytes = bytes as f64;
    const MIB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024.0 * MIB {
        format!("{:.1} GiB", bytes / (1024.0 * MIB))
    } else {
        format!("{:.0} MiB", bytes / MIB)
    }
}

/// Sets the limit from `RINGFENCE_MEMORY_LIMIT` or the machine. A value that cannot be read
/// is an error for the caller to report as bad usage.
pub fn set_limit() -> Result<(), String> {
    let (limit, source) = match std::env::var("RINGFENCE_MEMORY_LIMIT") {
        Ok(text) => match parse_size(&text) {
            Some(0) => return Ok(()),
            Some(bytes) => (bytes, format!("RINGFENCE_MEMORY_LIMIT={}", text.trim())),
            None => {
                return Err(format!(
                    "RINGFENCE_MEMORY_LIMIT={text}: expected a size such as 512M, 4G or 1073741824, or off"
                ));
            }
        },
        Err(_) => match machine_memory() {
            Some((bytes, from)) => (bytes / 10 * 9, format!("90% of {from}")),
            None => return Ok(()),
        },
    };
    let _ = SOURCE.set(source);
    LIMIT.store(limit, Ordering::Relaxed);
    Ok(())
}

/// `512M`, `4G`, `1.5G`, `1073741824`; `off` and `0` are 0 (no limit).
fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Some(0);
    }
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => (&text[..at], text[at..].to_ascii_uppercase()),
        None => (text, String::new()),
    };
    let scale: f64 = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let value: f64 = number.trim().parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some((value * scale) as usize)
}

/// The memory this process may use: the cgroup's limit when it is set, else the machine's.
fn machine_memory() -> Option<(usize, String)> {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<usize>()
                        .ok()
                })
                .map(|kib| kib * 1024)
        });
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .find_map(|path| std::fs::read_to_string(path).ok())
    .and_then(|text| text.trim().parse::<usize>().ok());
    match (cgroup, total) {
        (Some(c), Some(t)) if c < t => Some((c, format!("the cgroup's {}", human(c)))),
        (_, Some(t)) => Some((t, format!("this machine's {}", human(t)))),
        (Some(c), None) => Some((c, format!("the cgroup's {}", human(c)))),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("4g"), Some(4 << 30));
        assert_eq!(parse_size("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("off"), Some(0));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("-1G"), None);
        assert_eq!(parse_size("5X"), None);
    }
}
