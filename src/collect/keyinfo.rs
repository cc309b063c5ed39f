//! `sts:GetAccessKeyInfo`: the account that owns an access key, asked with the key id only
//! (never the secret), for keys found on a workstation when the user asks for it.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::StreamExt;

use super::CollectOptions;
use super::clients::{self, failure};
use super::recorder::CallLog;
use crate::error::Error;

const SERVICE: &str = "sts";

/// The owning account of each key id, or why it could not be learned. Messages never hold a
/// key id: any echo of one is redacted. Asking ends at `--timeout` like collection does: a key
/// not answered by then stays unattributed, saying so.
pub fn key_accounts(
    options: &CollectOptions,
    ids: &[String],
) -> Result<BTreeMap<String, Result<String, String>>, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| Error::io("async runtime", err))?;
    runtime.block_on(async {
        let deadline = super::Deadline::new(options.timeout);
        let log = Arc::new(CallLog::default());
        let base = clients::base_config(options).await?;
        let sts = clients::sts(&base, &log);
        let answers: Vec<(String, Result<String, String>)> =
            futures::stream::iter(ids.iter().map(|id| {
                let (sts, deadline) = (sts.clone(), &deadline);
                async move {
                    let asked = deadline
                        .run(sts.get_access_key_info().access_key_id(id).send())
                        .await;
                    let answer = match asked {
                        None => Err(format!(
                            "no answer before the deadline ({}); raise --timeout",
                            deadline.flag()
                        )),
                        Some(Ok(info)) => info
                            .account()
                            .filter(|a| !a.is_empty())
                            .map(str::to_owned)
                            .ok_or_else(|| "GetAccessKeyInfo named no account".to_owned()),
                        Some(Err(err)) => Err(scrub(
                            &failure(SERVICE, "GetAccessKeyInfo", &err).summary(),
                            id,
                        )),
                    };
                    (id.clone(), answer)
                }
            }))
            .buffer_unordered(4)
            .collect()
            .await;
        Ok(answers.into_iter().collect())
    })
}

/// Replaces a key id anywhere in `text` by its redacted form.
fn scrub(text: &str, id: &str) -> String {
    if id.is_empty() {
        return text.to_owned();
    }
    text.replace(id, &crate::inventory::redacted_key_id(id))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_echoed_key_id_is_redacted() {
        assert_eq!(
            super::scrub(
                "InvalidClientTokenId: AKIAIOSFODNN7EXAMPLE is not valid",
                "AKIAIOSFODNN7EXAMPLE"
            ),
            "InvalidClientTokenId: AKIA…MPLE is not valid"
        );
    }
}
