//! The only forms in which a credential leaves this module.

/// `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`: the first four characters (the kind of key) and the
/// last four, as the AWS console shows keys; the one rule every part of ringfence applies.
pub fn redact_key_id(id: &str) -> String {
    crate::inventory::redacted_key_id(id)
}

/// `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` → `wJal…`: the first four characters followed by
/// `…`, and only when they are at most a quarter of the value (16 characters or more); a
/// shorter value becomes `****`. Nothing is ever shown from the end of the value, and the
/// length is not shown.
pub fn redact_secret(value: &str) -> String {
    if value.chars().nth(15).is_none() {
        return "****".to_owned();
    }
    let head: String = value.chars().take(4).collect();
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_keep_four_characters_at_each_end() {
        assert_eq!(redact_key_id("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
        assert_eq!(redact_key_id("ASIAIOSFODNN7EXAMPLE"), "ASIA…MPLE");
        assert_eq!(redact_key_id("AKIA1234"), "****");
        assert_eq!(redact_key_id(""), "****");
    }

    #[test]
    fn secrets_show_at_most_a_quarter_and_four_characters() {
        assert_eq!(
            redact_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            "wJal…"
        );
        assert_eq!(redact_secret("0123456789abcdef"), "0123…");
        assert_eq!(redact_secret("0123456789abcde"), "****");
        assert_eq!(redact_secret("hunter2"), "****");
        assert_eq!(redact_secret(""), "****");
        // Characters, not bytes.
        assert_eq!(redact_secret("ééééééééééééééé"), "****");
        assert_eq!(redact_secret("éééééééééééééééé"), "éééé…");
    }
}
