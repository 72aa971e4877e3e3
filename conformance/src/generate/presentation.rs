//! Presentation vectors (spec/format.md §17): KTP-el credentials and purpose profiles
//! bound to a phone key and shown inside a presentation, verified under the default
//! bare-credential policy (KK only), and one vector for each holder-binding rejection and
//! for each rule that only profiles have (no `iss`, no `iat`).

use super::*;
use crate::forge::{Claims, Sign1, TYP_PRESENTATION, bstr, cat, claim, head};
use ikd_sdk::Credential;
use ikd_sdk::{Challenge, present};
use ikd_sdk::{HolderAlg, HolderSigningKey, IssueOptions};

/// The phone's key seed (Ed25519 seed, or P-256 scalar).
const PHONE: [u8; 32] = [0x21; 32];
/// Another phone's.
const OTHER_PHONE: [u8; 32] = [0x22; 32];
const NONCE: &str = "7KQ2M9XD";
const AUDIENCE: &str = "BANK-CABANG-01";

fn phone(alg: HolderAlg, seed: &[u8; 32]) -> Result<HolderSigningKey, String> {
    HolderSigningKey::from_secret(alg, seed).map_err(|e| e.to_string())
}

/// The default policy of a verifier at a counter: only a KK may be shown bare.
fn counter_policy() -> PolicySpec {
    PolicySpec {
        bare_credentials: Some(vec![DocType::Kk.name().to_owned()]),
        ..policy()
    }
}

/// A counter that accepts every document type, the purpose profiles included.
fn profile_policy() -> PolicySpec {
    PolicySpec {
        bare_credentials: Some(vec![DocType::Kk.name().to_owned()]),
        ..policy_with(60, &DocType::ALL)
    }
}

/// Issuer A's purpose profile of the sample KTP-el, as the reference issuer makes it (no
/// `iss`, `iat` or `cti`), bound to `holder` and valid until `exp`.
fn profile(
    document: &Document,
    holder: &HolderSigningKey,
    exp: i64,
    id: &str,
) -> Result<Credential, String> {
    let issuer =
        Issuer::new(IssuerSigningKey::from_seed(&SEED_A), ISSUER_A).map_err(|e| e.to_string())?;
    let options = IssueOptions {
        credential_id: ikd_sdk::CredentialId::Omitted,
        holder_key: Some(holder.public_key()),
        ..IssueOptions::default()
    };
    issuer
        .issue(document, validity(IAT, None, exp), &options)
        .map(|(credential, _)| credential)
        .map_err(|e| format!("{id}: {e}"))
}

/// `credential` with its claims edited and signed again by issuer A.
fn with_claims(
    credential: &Credential,
    edit: impl FnOnce(Claims) -> Claims,
) -> Result<Credential, String> {
    let read = |bytes: &[u8]| -> Result<Value, String> {
        ciborium::from_reader(bytes).map_err(|e| e.to_string())
    };
    let Value::Tag(18, message) = read(credential.as_bytes())? else {
        return Err("not a tagged COSE_Sign1".into());
    };
    let claims = match *message {
        Value::Array(parts) => match parts.get(2) {
            Some(Value::Bytes(payload)) => read(payload)?,
            _ => return Err("no payload".into()),
        },
        _ => return Err("not a COSE_Sign1 array".into()),
    };
    let Value::Map(entries) = claims else {
        return Err("claims are not a map".into());
    };
    let bytes = forge(&key_a(), &edit(Claims(entries)))?;
    Credential::from_bytes(bytes).map_err(|e| e.to_string())
}

/// Issuer A's KTP-el, bound to `holder` when given.
fn credential(
    fx: &Fixtures,
    holder: Option<&HolderSigningKey>,
    id: &str,
) -> Result<Credential, String> {
    let issuer =
        Issuer::new(IssuerSigningKey::from_seed(&SEED_A), ISSUER_A).map_err(|e| e.to_string())?;
    let options = IssueOptions {
        credential_id: ikd_sdk::CredentialId::Given(cti(id)),
        holder_key: holder.map(HolderSigningKey::public_key),
        ..IssueOptions::default()
    };
    issuer
        .issue(
            &Document::Ktp(fx.ktp.clone()),
            validity(IAT, None, EXP),
            &options,
        )
        .map(|(credential, _)| credential)
        .map_err(|e| format!("{id}: {e}"))
}

fn presented(
    credential: &Credential,
    key: &HolderSigningKey,
    at: i64,
    challenge: Option<(&str, Option<&str>)>,
) -> Result<String, String> {
    let challenge = challenge
        .map(|(nonce, audience)| Challenge::new(nonce, audience))
        .transpose()
        .map_err(|e| e.to_string())?;
    present(credential, key, UnixTime(at), 90, challenge.as_ref())
        .map(|p| p.to_qr_text())
        .map_err(|e| e.to_string())
}

pub(super) fn valid(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let ktp = Document::Ktp(fx.ktp.clone());
    let es256 = phone(HolderAlg::Es256, &PHONE)?;
    let id = "presentation-es256";
    let qr = presented(&credential(fx, Some(&es256), id)?, &es256, NOW, None)?;
    out.add(
        Case::new(
            id,
            "KTP-el bound to a P-256 phone key, presented (ES256) at the verifier's time.",
            qr,
        )
        .policy(counter_policy()),
        ok_a(&ktp),
    );
    let eddsa = phone(HolderAlg::EdDsa, &PHONE)?;
    let id = "presentation-eddsa-challenge";
    let qr = presented(
        &credential(fx, Some(&eddsa), id)?,
        &eddsa,
        NOW - 60,
        Some((NONCE, Some(AUDIENCE))),
    )?;
    out.add(
        Case::new(
            id,
            "KTP-el bound to an Ed25519 phone key, presented 60 s ago binding the verifier's nonce and audience.",
            qr,
        )
        .policy(counter_policy())
        .challenge(NONCE, Some(AUDIENCE)),
        ok_a(&ktp),
    );

    let identity = Document::Identity(fx.ktp.identity_profile(false));
    let id = "profile-identity";
    let qr = presented(&profile(&identity, &es256, EXP, id)?, &es256, NOW, None)?;
    out.add(
        Case::new(
            id,
            "An identity profile as the reference issuer makes it (no iss, iat or cti), bound \
             to a P-256 phone key and presented: the trust entry names the issuer.",
            qr,
        )
        .store(Store::AllTypes)
        .policy(profile_policy()),
        ok_a(&identity),
    );

    let domicile = Document::Domicile(fx.ktp.domicile_profile());
    let id = "profile-domicile-with-iss-iat";
    let stated = with_claims(&profile(&domicile, &eddsa, EXP, id)?, |claims| {
        claims
            .set(claim::ISS, Value::from(ISSUER_A))
            .set(claim::IAT, Value::from(IAT))
    })?;
    out.add(
        Case::new(
            id,
            "A domicile profile that states iss and iat, as a profile may: checked as for a \
             KTP-el.",
            presented(&stated, &eddsa, NOW, None)?,
        )
        .store(Store::AllTypes)
        .policy(profile_policy()),
        ok_a(&domicile),
    );

    // With `iat`, the key's window constrains the signing time only: still valid after it.
    let age = Document::AgeOver17(fx.ktp.age_profile(UnixTime(IAT).date()));
    let id = "profile-age-iat-key-window-ended";
    let after_window = KEY_VALID_UNTIL + 3_600;
    let stated = with_claims(
        &profile(&age, &eddsa, KEY_VALID_UNTIL + 86_400, id)?,
        |claims| claims.set(claim::IAT, Value::from(IAT)),
    )?;
    out.add(
        Case::new(
            id,
            "An age profile that states iat, inside its key's window, presented an hour after \
             the window ended: valid, as a KTP-el would be.",
            presented(&stated, &eddsa, after_window, None)?,
        )
        .store(Store::AllTypes)
        .policy(profile_policy())
        .now(after_window),
        ok_a(&age),
    );
    Ok(())
}

/// The rules only purpose profiles have: `iss` may be absent but must match when present;
/// without `iat` the key must be valid now.
fn profile_rejections(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let eddsa = phone(HolderAlg::EdDsa, &PHONE)?;
    let age = Document::AgeOver17(fx.ktp.age_profile(UnixTime(IAT).date()));

    let id = "profile-key-not-valid-now";
    let after_window = KEY_VALID_UNTIL + 3_600;
    let undated = profile(&age, &eddsa, KEY_VALID_UNTIL + 86_400, id)?;
    out.add(
        Case::new(
            id,
            "An age profile without iat, not yet expired, presented an hour after its key's \
             window ended: without an issue time the key must be valid now.",
            presented(&undated, &eddsa, after_window, None)?,
        )
        .store(Store::AllTypes)
        .policy(profile_policy())
        .now(after_window),
        rej("key_not_valid_now"),
    );

    let id = "profile-issuer-mismatch";
    let identity = Document::Identity(fx.ktp.identity_profile(false));
    let other = with_claims(&profile(&identity, &eddsa, EXP, id)?, |claims| {
        claims.set(claim::ISS, Value::from(ISSUER_C))
    })?;
    out.add(
        Case::new(
            id,
            "An identity profile whose iss names another issuer than the key's trust entry: a \
             profile may leave iss out, but not state a wrong one.",
            presented(&other, &eddsa, NOW, None)?,
        )
        .store(Store::AllTypes)
        .policy(profile_policy()),
        rej("issuer_mismatch"),
    );

    // A full document may not leave out what a profile may: the contrast to the above.
    let id = "ktp-presented-without-iat";
    let ktp = with_claims(&credential(fx, Some(&eddsa), id)?, |claims| {
        claims.remove(claim::IAT)
    })?;
    out.add(
        Case::new(
            id,
            "A presented KTP-el without iat: only purpose profiles may leave it out.",
            presented(&ktp, &eddsa, NOW, None)?,
        )
        .policy(counter_policy()),
        rej("iat_missing"),
    );
    Ok(())
}

pub(super) fn invalid(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    profile_rejections(fx, out)?;
    let es256 = phone(HolderAlg::Es256, &PHONE)?;
    let eddsa = phone(HolderAlg::EdDsa, &PHONE)?;

    let id = "presentation-required";
    let bound = credential(fx, Some(&es256), id)?;
    out.add(
        Case::new(
            id,
            "A KTP-el bound to a phone key, shown bare (a screenshot of the credential).",
            bound.to_qr_text(),
        )
        .policy(counter_policy()),
        rej("presentation_required"),
    );

    let id = "presentation-required-unbound";
    let unbound = credential(fx, None, id)?;
    out.add(
        Case::new(
            id,
            "An unbound KTP-el shown bare to a verifier that accepts only a KK bare.",
            unbound.to_qr_text(),
        )
        .policy(counter_policy()),
        rej("presentation_required"),
    );

    let id = "holder-key-missing";
    let unbound = credential(fx, None, id)?;
    out.add(
        Case::new(
            id,
            "A KTP-el without cnf inside a presentation.",
            presented(&unbound, &es256, NOW, None)?,
        )
        .policy(counter_policy()),
        rej("holder_key_missing"),
    );

    let id = "presentation-signature-other-phone";
    let bound = credential(fx, Some(&es256), id)?;
    let thief = phone(HolderAlg::Es256, &OTHER_PHONE)?;
    out.add(
        Case::new(
            id,
            "A bound KTP-el presented by another phone's key.",
            presented(&bound, &thief, NOW, None)?,
        )
        .policy(counter_policy()),
        rej("presentation_signature_invalid"),
    );

    let id = "presentation-expired";
    let bound = credential(fx, Some(&es256), id)?;
    out.add(
        Case::new(
            id,
            "A presentation 121 s old: past its 90 s and the 30 s leeway.",
            presented(&bound, &es256, NOW - 121, None)?,
        )
        .policy(counter_policy()),
        rej("presentation_expired"),
    );

    let id = "presentation-issued-in-future";
    let bound = credential(fx, Some(&es256), id)?;
    out.add(
        Case::new(
            id,
            "A presentation made 31 s after the verifier's time, beyond the 30 s leeway.",
            presented(&bound, &es256, NOW + 31, None)?,
        )
        .policy(counter_policy()),
        rej("presentation_issued_in_future"),
    );

    let id = "nonce-mismatch";
    let bound = credential(fx, Some(&eddsa), id)?;
    out.add(
        Case::new(
            id,
            "The verifier showed a challenge; the presentation binds another nonce.",
            presented(&bound, &eddsa, NOW, Some(("AAAAAAAA", None)))?,
        )
        .policy(counter_policy())
        .challenge(NONCE, None),
        rej("nonce_mismatch"),
    );

    let id = "audience-mismatch";
    let bound = credential(fx, Some(&eddsa), id)?;
    out.add(
        Case::new(
            id,
            "The right nonce, made for another verifier.",
            presented(&bound, &eddsa, NOW, Some((NONCE, Some("BANK-CABANG-02"))))?,
        )
        .policy(counter_policy())
        .challenge(NONCE, Some(AUDIENCE)),
        rej("audience_mismatch"),
    );

    let id = "presentation-replayed";
    let bound = credential(fx, Some(&es256), id)?;
    out.add(
        Case::new(
            id,
            "A presentation this verifier has already accepted once.",
            presented(&bound, &es256, NOW, None)?,
        )
        .policy(counter_policy())
        .replayed(),
        rej("presentation_replayed"),
    );

    let id = "replay-check-unavailable";
    let bound = credential(fx, Some(&eddsa), id)?;
    out.add(
        Case::new(
            id,
            "A valid presentation while the verifier's shared replay store cannot answer: \
             refused, not accepted unchecked.",
            presented(&bound, &eddsa, NOW, None)?,
        )
        .policy(counter_policy())
        .replay_store_down(),
        rej("replay_check_unavailable"),
    );

    // A presentation whose payload is a map, signed by the phone (Ed25519 seeds are the
    // same keys for both key types).
    let id = "presentation-malformed";
    let bound = credential(fx, Some(&eddsa), id)?;
    let protected = cat(&[&[0xA2, 0x01, 0x27, 0x10], &head(0, TYP_PRESENTATION)]);
    let mut payload = vec![0xA1, 0x01];
    payload.extend(bstr(bound.as_bytes()));
    let forged = Sign1::signed(&IssuerSigningKey::from_seed(&PHONE), protected, payload);
    out.add(
        Case::new(
            id,
            "A presentation whose payload is a map, not the array of §17.2.",
            crate::forge::qr_plain(&forged.to_bytes()),
        )
        .policy(counter_policy()),
        rej("presentation_malformed"),
    );
    Ok(())
}
