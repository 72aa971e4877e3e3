//! Reading a QR text's layers without checking anything, to debug: never to decide.

use ikd_sdk::ReasonReport;

/// The unverified layers of `qr_text` as JSON: the SDK's inspection (sizes, header,
/// claims, each problem found), always with `"unverified": true` and its notice. When the
/// text cannot be decoded to a COSE_Sign1 at all, the JSON says why in `decode_problem`
/// (a reason of the decode stage).
pub fn inspect_json(qr_text: &str) -> String {
    match ikd_sdk::inspect(qr_text) {
        // Plain data: serializing cannot fail.
        Ok(inspection) => serde_json::to_string(&inspection).unwrap_or_default(),
        Err(reason) => {
            // Members in alphabetical order, as they have always been written.
            #[derive(serde::Serialize)]
            struct Undecodable {
                decode_problem: ReasonReport,
                notice: &'static str,
                unverified: bool,
            }
            let out = Undecodable {
                decode_problem: ReasonReport::from(&reason),
                notice: ikd_sdk::UNVERIFIED_NOTICE,
                unverified: true,
            };
            serde_json::to_string(&out).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn undecodable_text_says_why() {
        let json: Value = serde_json::from_str(&inspect_json("hello")).unwrap();
        assert_eq!(json["unverified"], true);
        assert_eq!(json["decode_problem"]["code"], "not_ikd_credential");
    }

    #[test]
    fn a_credential_is_read_unverified() {
        let demo = ikd_sdk::demo::DemoData::generate(ikd_sdk::UnixTime(1_790_000_000)).unwrap();
        let kk = demo.credential("kk-4").unwrap();
        let json: Value = serde_json::from_str(&inspect_json(&kk.qr_text)).unwrap();
        assert_eq!(json["unverified"], true);
        assert!(json.get("decode_problem").is_none());
        assert_eq!(json["claims"]["document"]["type"], "kk");
    }
}
