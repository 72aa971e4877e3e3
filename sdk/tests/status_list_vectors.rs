//! The Token Status List draft's own test vectors (tests/vectors/status-list/, see its
//! README for the source): every listed index of the four 2^20-entry lists (1, 2, 4 and 8
//! bits per entry), a sample of the unlisted indices (which must be 0), the two small lists
//! with their byte arrays, and the structure of the draft's example status-list CWT and
//! referenced-token CWT (ES256 with an unpublished key, so their signatures are not checked).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ciborium::Value as Cbor;
use ikd_sdk::StatusList;
use ikd_sdk::StatusReference;
use ikd_sdk::status_list::StatusListClaims;
use serde_json::Value as Json;
use std::collections::BTreeMap;

fn vectors() -> Json {
    serde_json::from_str(include_str!(
        "vectors/status-list/draft-ietf-oauth-status-list.json"
    ))
    .unwrap()
}

fn hex_of(value: &Json) -> Vec<u8> {
    hex::decode(value.as_str().unwrap()).unwrap()
}

/// A deterministic sample of indices: xorshift over [0, size).
fn sample(size: u64, count: usize) -> Vec<u64> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % size
        })
        .collect()
}

#[test]
fn the_four_long_lists_decode_at_every_listed_index() {
    let file = vectors();
    let long = file["long"].as_array().unwrap();
    let bits: Vec<u64> = long.iter().map(|l| l["bits"].as_u64().unwrap()).collect();
    assert_eq!(bits, [1, 2, 4, 8]);
    let mut checked = 0;
    for case in long {
        let bits = case["bits"].as_u64().unwrap() as u8;
        let size = case["size"].as_u64().unwrap();
        assert_eq!(size, 1 << 20);
        let list = StatusList::decode_cbor(&hex_of(&case["status_list_cbor_hex"])).unwrap();
        assert_eq!(list.bits(), bits);
        assert_eq!(list.len(), size, "{bits}-bit list length");
        let nonzero: BTreeMap<u64, u8> = case["nonzero"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(i, v)| (i.parse().unwrap(), v.as_u64().unwrap() as u8))
            .collect();
        assert!(nonzero.len() >= 11);
        for (&index, &status) in &nonzero {
            assert_eq!(
                list.get(index),
                Some(status),
                "{bits}-bit list, index {index}"
            );
            checked += 1;
        }
        // A sample of unlisted indices, and the neighbours of the listed ones, are 0.
        let neighbours = nonzero
            .keys()
            .flat_map(|&i| [i.wrapping_sub(1), i + 1])
            .filter(|i| *i < size);
        for index in sample(size, 2000).into_iter().chain(neighbours) {
            if !nonzero.contains_key(&index) {
                assert_eq!(list.get(index), Some(0), "{bits}-bit list, index {index}");
                checked += 1;
            }
        }
        // Every other index is 0 as well: the decoded list holds exactly the listed entries.
        let all_nonzero = (0..size).filter(|&i| list.get(i) != Some(0)).count();
        assert_eq!(all_nonzero, nonzero.len(), "{bits}-bit list");
        assert_eq!(list.get(size), None);
    }
    assert!(checked > 8000);
}

#[test]
fn the_small_lists_decode_to_their_byte_arrays() {
    let file = vectors();
    for case in file["small"].as_array().unwrap() {
        let list = StatusList::decode_cbor(&hex_of(&case["status_list_cbor_hex"])).unwrap();
        assert_eq!(list.bits() as u64, case["bits"].as_u64().unwrap());
        assert_eq!(list.as_bytes(), hex_of(&case["byte_array_hex"]));
        // Re-encoding and decoding again gives the same list.
        assert_eq!(StatusList::decode_cbor(&list.to_cbor()).unwrap(), list);
    }
}

#[test]
fn the_example_tokens_have_the_structure_verifiers_read() {
    let file = vectors();
    // The status list token: claims sub, iat, exp, ttl and the list, in the draft's order.
    let token = hex_of(&file["status_list_cwt_hex"]);
    let claims = StatusListClaims::decode_unverified(&token).unwrap();
    assert_eq!(claims.uri, "https://example.com/statuslists/1");
    assert_eq!(claims.ttl_seconds, Some(43_200));
    assert!(claims.expires_at.unwrap() > claims.issued_at);
    let small = &file["small"][0];
    assert_eq!(claims.list.as_bytes(), hex_of(&small["byte_array_hex"]));

    // The referenced token's status claim (65535) reads with the SDK's status-claim
    // decoder, names that list, and its index is 1 (INVALID) there.
    let referenced = hex_of(&file["referenced_token_cwt_hex"]);
    let Cbor::Tag(18, sign1) = ciborium::de::from_reader(referenced.as_slice()).unwrap() else {
        panic!("not a COSE_Sign1")
    };
    let Cbor::Array(parts) = *sign1 else { panic!() };
    let Cbor::Bytes(payload) = &parts[2] else {
        panic!()
    };
    let Cbor::Map(entries) = ciborium::de::from_reader(payload.as_slice()).unwrap() else {
        panic!()
    };
    let (_, status) = entries
        .iter()
        .find(|(k, _)| k.as_integer() == Some(65_535.into()))
        .unwrap();
    let mut status_bytes = Vec::new();
    ciborium::ser::into_writer(status, &mut status_bytes).unwrap();
    let reference = StatusReference::decode(&status_bytes).unwrap();
    assert_eq!(
        reference.uri, claims.uri,
        "the token's sub is the referencing URI"
    );
    assert_eq!(reference.index, 0);
    assert_eq!(claims.list.get(reference.index), Some(1));
}
