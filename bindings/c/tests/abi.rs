//! The C interface called as C would, from Rust: each misuse has its status and message,
//! rejections are verdicts, strings and handles are released by the library's own calls.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::undocumented_unsafe_blocks,
    missing_docs
)]

use ikd::*;
use ikd_conformance::vectors_dir;
use serde_json::Value;
use std::ffi::{CStr, CString, c_char};
use std::ptr;

const EMPTY_STORE: &CStr = c"{\"format\": \"ikd-trust-store/1\", \"keys\": []}";

fn last_error() -> String {
    let message = ikd_last_error_message();
    assert!(!message.is_null());
    unsafe { CStr::from_ptr(message) }
        .to_str()
        .unwrap()
        .to_owned()
}

fn name(status: i32) -> &'static str {
    unsafe { CStr::from_ptr(ikd_status_name(status)) }
        .to_str()
        .unwrap()
}

fn verifier(store: &CStr, policy: Option<&CStr>) -> *mut IkdVerifier {
    let mut out = ptr::null_mut();
    let policy = policy.map_or(ptr::null(), CStr::as_ptr);
    assert_eq!(
        unsafe { ikd_verifier_new(store.as_ptr(), policy, &mut out) },
        IkdStatus::IKD_OK
    );
    assert!(!out.is_null());
    out
}

/// Verifies and hands back the status, the verdict JSON and the details.
fn verify(
    v: *const IkdVerifier,
    qr: &[u8],
    now: i64,
    nonce: Option<&CStr>,
    audience: Option<&CStr>,
) -> (IkdStatus, Option<Value>, IkdDetails) {
    let mut json: *mut c_char = ptr::null_mut();
    let mut details = IkdDetails::default();
    let status = unsafe {
        ikd_verify(
            v,
            qr.as_ptr(),
            qr.len(),
            now,
            nonce.map_or(ptr::null(), CStr::as_ptr),
            audience.map_or(ptr::null(), CStr::as_ptr),
            &mut json,
            &mut details,
        )
    };
    let verdict = (!json.is_null()).then(|| {
        let value = serde_json::from_str(unsafe { CStr::from_ptr(json) }.to_str().unwrap());
        unsafe { ikd_string_free(json) };
        value.unwrap()
    });
    (status, verdict, details)
}

#[test]
fn version_and_status_names() {
    let version = unsafe { CStr::from_ptr(ikd_version()) };
    assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    assert_eq!(name(0), "ok");
    assert_eq!(
        name(IkdStatus::IKD_ERR_TRUST_STORE_INVALID as i32),
        "trust_store_invalid"
    );
    assert_eq!(name(IkdStatus::IKD_ERR_INTERNAL as i32), "internal");
    assert_eq!(
        name(IkdStatus::IKD_ERR_ISSUANCE_FAILED as i32),
        "issuance_failed"
    );
    assert_eq!(
        name(IkdStatus::IKD_ERR_NULL_ARGUMENT as i32),
        "null_argument"
    );
    assert_eq!(name(IkdStatus::IKD_ERR_BAD_ENUM as i32), "bad_enum");
    assert_eq!(name(-1), "unknown");
    assert_eq!(name(99), "unknown");
    // Every facade code has its own status, named alike.
    for code in ikd_facade::ErrorCode::ALL {
        let found = (0..=200).find(|s| name(*s) == code.as_str());
        assert!(found.is_some(), "{code} has no status");
    }
    let mut now = 0;
    assert_eq!(unsafe { ikd_now(&mut now) }, IkdStatus::IKD_OK);
    assert!(now > 1_750_000_000);
    assert_eq!(
        unsafe { ikd_now(ptr::null_mut()) },
        IkdStatus::IKD_ERR_NULL_ARGUMENT
    );
}

#[test]
fn misuse_has_its_status_and_message() {
    let mut out = ptr::null_mut();
    let status = unsafe { ikd_verifier_new(c"{}".as_ptr(), ptr::null(), &mut out) };
    assert_eq!(status, IkdStatus::IKD_ERR_TRUST_STORE_INVALID);
    assert!(out.is_null());
    assert!(last_error().starts_with("trust store"), "{}", last_error());
    let status =
        unsafe { ikd_verifier_new(EMPTY_STORE.as_ptr(), c"{\"leeway\": 1}".as_ptr(), &mut out) };
    assert_eq!(status, IkdStatus::IKD_ERR_POLICY_INVALID);
    let status = unsafe { ikd_verifier_new(ptr::null(), ptr::null(), &mut out) };
    assert_eq!(status, IkdStatus::IKD_ERR_NULL_ARGUMENT);
    assert_eq!(last_error(), "trust_store_json is NULL");
    let status = unsafe { ikd_verifier_new(EMPTY_STORE.as_ptr(), ptr::null(), ptr::null_mut()) };
    assert_eq!(status, IkdStatus::IKD_ERR_NULL_ARGUMENT);
    let not_utf8 = CString::new(vec![0xff, 0xfe]).unwrap();
    let status = unsafe { ikd_verifier_new(not_utf8.as_ptr(), ptr::null(), &mut out) };
    assert_eq!(status, IkdStatus::IKD_ERR_NOT_UTF8);

    let v = verifier(EMPTY_STORE, Some(c"{}"));
    // A bad nonce, an audience alone, QR bytes that are not UTF-8, no verifier.
    let (status, verdict, _) = verify(v, b"IKD1:X", 0, Some(c"ab"), None);
    assert_eq!(
        (status, verdict),
        (IkdStatus::IKD_ERR_CHALLENGE_INVALID, None)
    );
    let (status, _, _) = verify(v, b"IKD1:X", 0, None, Some(c"BANK"));
    assert_eq!(status, IkdStatus::IKD_ERR_CHALLENGE_INVALID);
    let (status, _, _) = verify(v, &[0xff], 0, None, None);
    assert_eq!(status, IkdStatus::IKD_ERR_NOT_UTF8);
    assert_eq!(last_error(), "qr is not UTF-8");
    let (status, _, _) = verify(ptr::null(), b"x", 0, None, None);
    assert_eq!(status, IkdStatus::IKD_ERR_NULL_ARGUMENT);
    let status = unsafe {
        ikd_verify(
            v,
            b"x".as_ptr(),
            1,
            0,
            ptr::null(),
            ptr::null(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(status, IkdStatus::IKD_ERR_NULL_ARGUMENT);
    // QR bytes NULL with a length.
    let mut json = ptr::null_mut();
    let status = unsafe {
        ikd_verify(
            v,
            ptr::null(),
            5,
            0,
            ptr::null(),
            ptr::null(),
            &mut json,
            ptr::null_mut(),
        )
    };
    assert_eq!(status, IkdStatus::IKD_ERR_NULL_ARGUMENT);
    assert!(json.is_null());

    let vm = v;
    for (mode, capacity, expected) in [
        (1, 0, IkdStatus::IKD_ERR_REPLAY_CAPACITY_INVALID),
        (1, 1_000_001, IkdStatus::IKD_ERR_REPLAY_CAPACITY_INVALID),
        (7, 16, IkdStatus::IKD_ERR_BAD_ENUM),
        (-1, 16, IkdStatus::IKD_ERR_BAD_ENUM),
        (1, 16, IkdStatus::IKD_OK),
        (2, 0, IkdStatus::IKD_OK),
        (0, 0, IkdStatus::IKD_OK),
    ] {
        assert_eq!(
            unsafe { ikd_verifier_set_replay_mode(vm, mode, capacity) },
            expected
        );
    }
    assert_eq!(
        unsafe { ikd_verifier_set_replay_mode(ptr::null_mut(), 0, 0) },
        IkdStatus::IKD_ERR_NULL_ARGUMENT
    );
    assert_eq!(
        unsafe { ikd_verifier_add_status_list(vm, [0xd2, 0x84].as_ptr(), 2) },
        IkdStatus::IKD_ERR_STATUS_LIST_INVALID
    );
    let mut disclosed = ptr::null_mut();
    let status = unsafe {
        ikd_verify_disclosed(
            v,
            b"x".as_ptr(),
            1,
            0,
            ptr::null(),
            ptr::null(),
            c"everything".as_ptr(),
            &mut disclosed,
        )
    };
    assert_eq!(status, IkdStatus::IKD_ERR_PURPOSE_UNKNOWN);
    assert!(disclosed.is_null());
    unsafe { ikd_verifier_free(v) };
    unsafe { ikd_verifier_free(ptr::null_mut()) };
    unsafe { ikd_string_free(ptr::null_mut()) };
}

#[test]
fn a_rejection_is_a_verdict_not_an_error() {
    let v = verifier(EMPTY_STORE, None);
    for qr in [&b""[..], b"https://example.com", b"IKD1:%%%"] {
        let (status, verdict, details) = verify(v, qr, 1_790_000_000, None, None);
        assert_eq!(status, IkdStatus::IKD_OK);
        let verdict = verdict.unwrap();
        assert_eq!(verdict["verdict"], "rejected");
        assert!(!details.valid);
        assert!(verdict["reason"]["code"].is_string());
    }
    let (_, verdict, _) = verify(v, b"https://example.com", 1_790_000_000, None, None);
    assert_eq!(verdict.unwrap()["reason"]["code"], "not_ikd_credential");
    let mut json = ptr::null_mut();
    let status = unsafe {
        ikd_verify_disclosed(
            v,
            b"x".as_ptr(),
            1,
            0,
            ptr::null(),
            ptr::null(),
            c"kyc".as_ptr(),
            &mut json,
        )
    };
    assert_eq!(status, IkdStatus::IKD_OK);
    let disclosed: Value =
        serde_json::from_str(unsafe { CStr::from_ptr(json) }.to_str().unwrap()).unwrap();
    unsafe { ikd_string_free(json) };
    assert_eq!(disclosed["verdict"], "rejected");
    unsafe { ikd_verifier_free(v) };
}

/// A signed trust list with its roots as hex or as trust anchors JSON, and a status list.
#[test]
fn a_trust_list_verifier_accepts_its_credential() {
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_dir().join("trust.json")).unwrap())
            .unwrap();
    let vector = file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "trust/list-no-status-claim")
        .unwrap();
    let list = &file["trust_lists"]["main"];
    let token = ikd_sdk::encoding::hex_decode(list["token"].as_str().unwrap()).unwrap();
    let roots: Vec<&str> = list["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let hex_roots = CString::new(roots.join(", ")).unwrap();
    // Absent from a vector, `bare_credentials` means every type (the SDK's default: KK).
    let mut policy = vector["policy"].clone();
    policy["bare_credentials"] = policy["accepted_doc_types"].clone();
    let policy = CString::new(policy.to_string()).unwrap();
    let mut v = ptr::null_mut();
    let status = unsafe {
        ikd_verifier_new_from_trust_list(
            token.as_ptr(),
            token.len(),
            hex_roots.as_ptr(),
            policy.as_ptr(),
            &mut v,
        )
    };
    assert_eq!(status, IkdStatus::IKD_OK);
    let qr = vector["qr"].as_str().unwrap().as_bytes();
    let (status, verdict, details) = verify(v, qr, vector["now"].as_i64().unwrap(), None, None);
    assert_eq!(status, IkdStatus::IKD_OK);
    let verdict = verdict.unwrap();
    assert_eq!(verdict["verdict"], "valid", "{verdict}");
    assert!(details.valid);
    for status_list in file["status_lists"].as_object().unwrap().values() {
        let token = ikd_sdk::encoding::hex_decode(status_list["token"].as_str().unwrap()).unwrap();
        assert_eq!(
            unsafe { ikd_verifier_add_status_list(v, token.as_ptr(), token.len()) },
            IkdStatus::IKD_OK
        );
    }
    unsafe { ikd_verifier_free(v) };

    for (roots, expected) in [
        (c"".to_owned(), IkdStatus::IKD_ERR_ROOTS_INVALID),
        (c"zz".to_owned(), IkdStatus::IKD_ERR_ROOTS_INVALID),
        (c"{}".to_owned(), IkdStatus::IKD_ERR_ROOTS_INVALID),
    ] {
        let mut v = ptr::null_mut();
        let status = unsafe {
            ikd_verifier_new_from_trust_list(
                token.as_ptr(),
                token.len(),
                roots.as_ptr(),
                ptr::null(),
                &mut v,
            )
        };
        assert_eq!(status, expected);
        assert!(v.is_null());
    }
    let other_root =
        CString::new("d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737").unwrap();
    let mut v = ptr::null_mut();
    let status = unsafe {
        ikd_verifier_new_from_trust_list(
            token.as_ptr(),
            token.len(),
            other_root.as_ptr(),
            ptr::null(),
            &mut v,
        )
    };
    assert_eq!(status, IkdStatus::IKD_ERR_TRUST_LIST_INVALID);
}

/// A trust bundle: a verifier made from one, the same installed again, refusals.
#[test]
fn a_trust_bundle_installs_under_the_import_rules() {
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_dir().join("trust.json")).unwrap())
            .unwrap();
    let list = &file["trust_lists"]["main"];
    let unhex = |v: &Value| ikd_sdk::encoding::hex_decode(v.as_str().unwrap()).unwrap();
    let mut bundle = ikd_sdk::TrustBundle::new(unhex(&list["token"])).unwrap();
    bundle
        .add_status_list(unhex(&file["status_lists"]["a1"]["token"]))
        .unwrap();
    let bundle = bundle.to_bytes();
    let roots = CString::new(list["roots"][0].as_str().unwrap()).unwrap();
    // The list was issued an hour before this.
    let now = 1_790_000_000;
    let summary = |json: *mut c_char| -> Value {
        let value = serde_json::from_str(unsafe { CStr::from_ptr(json) }.to_str().unwrap());
        unsafe { ikd_string_free(json) };
        value.unwrap()
    };

    let (mut v, mut json) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        ikd_verifier_new_from_bundle(
            bundle.as_ptr(),
            bundle.len(),
            roots.as_ptr(),
            now,
            ptr::null(),
            &mut v,
            &mut json,
        )
    };
    assert_eq!(status, IkdStatus::IKD_OK, "{}", last_error());
    let first = summary(json);
    assert_eq!(first["sequence"], 7);
    assert_eq!(first["unchanged"], false);
    assert_eq!(first["status_lists"][0]["outcome"], "installed");

    let install = |bytes: &[u8], out: *mut *mut c_char| unsafe {
        ikd_verifier_install_bundle(v, bytes.as_ptr(), bytes.len(), roots.as_ptr(), now, out)
    };
    assert_eq!(install(&bundle, &mut json), IkdStatus::IKD_OK);
    assert_eq!(summary(json)["unchanged"], true);
    // The summary is optional.
    assert_eq!(install(&bundle, ptr::null_mut()), IkdStatus::IKD_OK);
    // A refused bundle leaves the summary NULL and the data held as it was.
    json = c"not touched".as_ptr().cast_mut();
    let status = install(&bundle[..bundle.len() - 1], &mut json);
    assert_eq!(status, IkdStatus::IKD_ERR_BUNDLE_REFUSED);
    assert!(json.is_null());
    assert!(
        last_error().starts_with("bundle_malformed"),
        "{}",
        last_error()
    );
    unsafe { ikd_verifier_free(v) };

    let other_root = c"d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737".to_owned();
    for (roots, at, expected, message) in [
        (
            other_root,
            now,
            IkdStatus::IKD_ERR_BUNDLE_REFUSED,
            "bundle_trust_list_unknown_root",
        ),
        (
            roots.clone(),
            now + 40 * 86_400,
            IkdStatus::IKD_ERR_BUNDLE_REFUSED,
            "bundle_trust_list_expired",
        ),
        (c"zz".to_owned(), now, IkdStatus::IKD_ERR_ROOTS_INVALID, ""),
    ] {
        let mut v = ptr::null_mut();
        let status = unsafe {
            ikd_verifier_new_from_bundle(
                bundle.as_ptr(),
                bundle.len(),
                roots.as_ptr(),
                at,
                ptr::null(),
                &mut v,
                ptr::null_mut(),
            )
        };
        assert_eq!(status, expected);
        assert!(v.is_null());
        assert!(last_error().starts_with(message), "{}", last_error());
    }
    let mut v = ptr::null_mut();
    let status = unsafe {
        ikd_verifier_new_from_bundle(
            ptr::null(),
            5,
            roots.as_ptr(),
            now,
            ptr::null(),
            &mut v,
            ptr::null_mut(),
        )
    };
    assert_eq!(status, IkdStatus::IKD_ERR_NULL_ARGUMENT);
    let status = unsafe {
        ikd_verifier_install_bundle(
            ptr::null_mut(),
            bundle.as_ptr(),
            bundle.len(),
            roots.as_ptr(),
            now,
            ptr::null_mut(),
        )
    };
    assert_eq!(status, IkdStatus::IKD_ERR_NULL_ARGUMENT);
}

/// One handle, verified with from several threads at once.
#[test]
fn one_verifier_serves_many_threads() {
    struct Shared(*const IkdVerifier);
    // SAFETY: the library documents `ikd_verify` on one handle from many threads.
    unsafe impl Sync for Shared {}
    let v = verifier(EMPTY_STORE, None);
    let shared = Shared(v);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let shared = &shared;
                for _ in 0..50 {
                    let (status, verdict, _) =
                        verify(shared.0, b"IKD1:", 1_790_000_000, None, None);
                    assert_eq!(status, IkdStatus::IKD_OK);
                    assert_eq!(verdict.unwrap()["verdict"], "rejected");
                }
            });
        }
    });
    unsafe { ikd_verifier_free(v) };
}
