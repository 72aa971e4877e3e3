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
    with_claims_by(&key_a(), credential, edit)
}

/// `credential` with its claims edited and signed again by `key`.
fn with_claims_by(
    key: &IssuerSigningKey,
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
    let bytes = forge(key, &edit(Claims(entries)))?;
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

// ---------------------------------------------------------------------------------------
// Readings settled by revision 1.1 of the spec: the presentation's own time limits, the
// order of the two headers' checks, the codes of faults inside a presentation, and when a
// replay store records a presentation.

/// A presentation of `credential` signed at `at` for `lifetime` seconds, no challenge.
fn presented_for(
    credential: &Credential,
    key: &HolderSigningKey,
    at: i64,
    lifetime: u32,
) -> Result<String, String> {
    present(credential, key, UnixTime(at), lifetime, None)
        .map(|p| p.to_qr_text())
        .map_err(|e| e.to_string())
}

/// The credential's protected header, claims and signature, as a presentation carries them.
fn parts(credential: &Credential) -> Result<[Vec<u8>; 3], String> {
    let value: Value = ciborium::from_reader(credential.as_bytes()).map_err(|e| e.to_string())?;
    let Value::Tag(18, message) = value else {
        return Err("not a tagged COSE_Sign1".into());
    };
    match *message {
        Value::Array(items) => match items.as_slice() {
            [
                Value::Bytes(protected),
                _,
                Value::Bytes(claims),
                Value::Bytes(signature),
            ] => Ok([protected.clone(), claims.clone(), signature.clone()]),
            _ => Err("not a COSE_Sign1 array".into()),
        },
        _ => Err("not a COSE_Sign1 array".into()),
    }
}

/// The presentation payload `[protected, claims, signature, iat, lifetime, tail…]` as raw
/// CBOR; `tail` holds already encoded elements (a nonce, an audience).
fn payload_of(parts: &[Vec<u8>; 3], iat: i64, lifetime: &[u8], tail: &[&[u8]]) -> Vec<u8> {
    let [protected, claims, signature] = parts;
    let mut out = cat(&[
        &head(4, 5 + tail.len() as u64),
        &bstr(protected),
        &bstr(claims),
        &bstr(signature),
        &head(0, iat.unsigned_abs()),
        lifetime,
    ]);
    for element in tail {
        out.extend_from_slice(element);
    }
    out
}

/// The protected header of a presentation: `{1: alg, 16: 65282}`, `alg` a raw CBOR
/// integer.
fn presentation_protected(alg: &[u8]) -> Vec<u8> {
    cat(&[&[0xA2, 0x01], alg, &[0x10], &head(0, TYP_PRESENTATION)])
}

/// A presentation built byte by byte and signed by the Ed25519 phone key.
fn forged_presentation(protected: Vec<u8>, payload: Vec<u8>) -> String {
    let signed = Sign1::signed(&IssuerSigningKey::from_seed(&PHONE), protected, payload);
    crate::forge::qr_plain(&signed.to_bytes())
}

/// `policy` with the presentation's own leeway and largest age.
fn presentation_times(policy: PolicySpec, leeway: u32, max_age: u32) -> PolicySpec {
    PolicySpec {
        presentation_leeway_seconds: Some(leeway),
        presentation_max_age_seconds: Some(max_age),
        ..policy
    }
}

/// Valid vectors of the presentation's time limits and of the warnings profiles give.
pub(super) fn settled_valid(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let ktp = Document::Ktp(fx.ktp.clone());
    let eddsa = phone(HolderAlg::EdDsa, &PHONE)?;

    let id = "presentation/max-age-60-at-90-seconds";
    let qr = presented_for(&credential(fx, Some(&eddsa), id)?, &eddsa, NOW - 90, 90)?;
    out.add(
        Case::new(
            id,
            "A presentation with a lifetime of 90 s, 90 s old, under a policy whose largest \
             presentation age is 60 s: it expires at iat + min(lifetime, 60) and the \
             presentation leeway of 30 s still covers it.",
            qr,
        )
        .policy(presentation_times(counter_policy(), 30, 60)),
        ok_a(&ktp),
    );

    let id = "presentation/leeway-is-its-own-at-120-seconds";
    let qr = presented_for(&credential(fx, Some(&eddsa), id)?, &eddsa, NOW - 120, 90)?;
    out.add(
        Case::new(
            id,
            "A 90 s presentation 120 s old with the credential leeway at 0: the presentation \
             has its own leeway (30 s), so it is still valid.",
            qr,
        )
        .policy(presentation_times(
            PolicySpec {
                leeway_seconds: 0,
                ..counter_policy()
            },
            30,
            90,
        )),
        ok_a(&ktp),
    );

    // Profiles give the warnings of their fields and no others (spec §17.6).
    let nik = |text: &str| ikd_sdk::Nik::parse(text).ok_or_else(|| format!("bad NIK {text}"));
    let mut identity = fx.ktp.identity_profile(false);
    identity.nik = nik("9999011708920003")?;
    let identity = Document::Identity(identity);
    let id = "profile/identity-nik-region-unknown";
    let qr = presented(&profile(&identity, &eddsa, EXP, id)?, &eddsa, NOW, None)?;
    out.add(
        Case::new(
            id,
            "An identity profile whose NIK has prefix 999901 (in no region list) and a birth \
             date and sex the profile cannot contradict: only nik_region_unknown. A profile \
             has no tanggal_lahir or jenis_kelamin, so no NIK consistency warning.",
            qr,
        )
        .store(Store::AllTypes)
        .policy(profile_policy()),
        ok_a(&identity).warn("nik_region_unknown", "nik"),
    );

    let mut identity = fx.ktp.identity_profile(false);
    identity.nik = nik("9101015708920003")?;
    let identity = Document::Identity(identity);
    let id = "profile/identity-nik-region-historical";
    let qr = presented(&profile(&identity, &eddsa, EXP, id)?, &eddsa, NOW, None)?;
    out.add(
        Case::new(
            id,
            "An identity profile whose NIK has prefix 910101, last listed in 2021: the \
             informational note, as for a KTP-el.",
            qr,
        )
        .store(Store::AllTypes)
        .policy(profile_policy()),
        ok_a(&identity).warn("nik_region_historical", "nik"),
    );

    let mut domicile = fx.ktp.domicile_profile();
    domicile.kode_wilayah = 3_273_019_999;
    let domicile = Document::Domicile(domicile);
    let id = "profile/domicile-region-code-unknown";
    let qr = presented(&profile(&domicile, &eddsa, EXP, id)?, &eddsa, NOW, None)?;
    out.add(
        Case::new(
            id,
            "A domicile profile whose kode_wilayah 3273019999 is well formed but not in the \
             region table: region_code_unknown, as for a KTP-el.",
            qr,
        )
        .store(Store::AllTypes)
        .policy(profile_policy()),
        ok_a(&domicile).warn("region_code_unknown", "kode_wilayah"),
    );
    Ok(())
}

/// Rejections that settle what revision 1.0 left open.
pub(super) fn settled_invalid(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
    let eddsa = phone(HolderAlg::EdDsa, &PHONE)?;
    let eddsa_alg: &[u8] = &[0x27];
    let es384_alg: &[u8] = &[0x38, 0x22];
    let lifetime_90 = head(0, 90);

    // Time limits: the presentation's own leeway and largest age.
    let id = "presentation/credential-leeway-does-not-apply";
    let qr = presented_for(&credential(fx, Some(&eddsa), id)?, &eddsa, NOW - 121, 90)?;
    out.add(
        Case::new(
            id,
            "A 90 s presentation 121 s old under a credential leeway of 300 s: the \
             presentation's leeway is its own (30 s), so it has expired.",
            qr,
        )
        .policy(presentation_times(
            PolicySpec {
                leeway_seconds: 300,
                ..counter_policy()
            },
            30,
            90,
        )),
        rej("presentation_expired"),
    );
    let id = "presentation/max-age-60-at-91-seconds";
    let qr = presented_for(&credential(fx, Some(&eddsa), id)?, &eddsa, NOW - 91, 90)?;
    out.add(
        Case::new(
            id,
            "A 90 s presentation 91 s old under a largest age of 60 s: past iat + 60 + 30.",
            qr,
        )
        .policy(presentation_times(counter_policy(), 30, 60)),
        rej("presentation_expired"),
    );
    let id = "presentation/lifetime-30-at-61-seconds";
    let qr = presented_for(&credential(fx, Some(&eddsa), id)?, &eddsa, NOW - 61, 30)?;
    out.add(
        Case::new(
            id,
            "A presentation with a lifetime of 30 s, 61 s old: its own lifetime, not the \
             policy's 90 s, ends it (iat + 30 + 30 < now).",
            qr,
        )
        .policy(presentation_times(counter_policy(), 30, 90)),
        rej("presentation_expired"),
    );
    let id = "presentation/leeway-0-issued-1-second-ahead";
    let qr = presented_for(&credential(fx, Some(&eddsa), id)?, &eddsa, NOW + 1, 90)?;
    out.add(
        Case::new(
            id,
            "A presentation signed 1 s after the verifier's time, with a presentation leeway \
             of 0 and a credential leeway of 60 s: issued in the future.",
            qr,
        )
        .policy(presentation_times(counter_policy(), 0, 90)),
        rej("presentation_issued_in_future"),
    );

    // Header order: the credential's header checks, including the kid lookup, come before
    // the presentation's; both come before any signature.
    let id = "presentation/kid-unknown-before-presentation-alg";
    let unknown = with_claims_by(&key_b(), &credential(fx, Some(&eddsa), id)?, |c| c)?;
    let qr = forged_presentation(
        presentation_protected(es384_alg),
        payload_of(&parts(&unknown)?, NOW, &lifetime_90, &[]),
    );
    out.add(
        Case::new(
            id,
            "A credential signed by a key the verifier does not trust, inside a presentation \
             whose alg is ES384 (-35): the credential's header and kid come first.",
            qr,
        )
        .policy(counter_policy()),
        rej("kid_unknown"),
    );
    let id = "presentation/kid-unknown-before-presentation-header-parameter";
    let unknown = with_claims_by(&key_b(), &credential(fx, Some(&eddsa), id)?, |c| c)?;
    let with_kid = cat(&[
        &[0xA3, 0x01],
        eddsa_alg,
        &[0x04, 0x48],
        &[0u8; 8],
        &[0x10],
        &head(0, TYP_PRESENTATION),
    ]);
    let qr = forged_presentation(
        with_kid,
        payload_of(&parts(&unknown)?, NOW, &lifetime_90, &[]),
    );
    out.add(
        Case::new(
            id,
            "A credential signed by a key the verifier does not trust, inside a presentation \
             whose protected header also holds a kid: kid_unknown, before the presentation's \
             protected_header_unexpected.",
            qr,
        )
        .policy(counter_policy()),
        rej("kid_unknown"),
    );
    let id = "presentation/alg-es384";
    let bound = credential(fx, Some(&eddsa), id)?;
    let qr = forged_presentation(
        presentation_protected(es384_alg),
        payload_of(&parts(&bound)?, NOW, &lifetime_90, &[]),
    );
    out.add(
        Case::new(
            id,
            "A good credential inside a presentation whose alg is ES384 (-35): the \
             presentation's header rules, in stage header.",
            qr,
        )
        .policy(counter_policy()),
        rej("alg_unsupported"),
    );
    let id = "presentation/header-before-credential-signature";
    let mut forged_parts = parts(&credential(fx, Some(&eddsa), id)?)?;
    if let Some(byte) = forged_parts[2].get_mut(0) {
        *byte ^= 0x01;
    }
    let protected = cat(&[
        &[0xA3, 0x01],
        eddsa_alg,
        &[0x04, 0x48],
        &[0u8; 8],
        &[0x10],
        &head(0, TYP_PRESENTATION),
    ]);
    let qr = forged_presentation(protected, payload_of(&forged_parts, NOW, &lifetime_90, &[]));
    out.add(
        Case::new(
            id,
            "A credential whose signature was altered, inside a presentation whose protected \
             header also holds a kid: the presentation's header rule (stage header) comes \
             before the credential's signature (stage signature).",
            qr,
        )
        .policy(counter_policy()),
        rej("protected_header_unexpected"),
    );

    // Faults inside the presentation payload.
    let bound = credential(fx, Some(&eddsa), "presentation/payload-faults")?;
    let bound_parts = parts(&bound)?;
    let long_lifetime = [0x19, 0x00, 0x5A];
    for (id, description, payload, expected) in [
        (
            "presentation/payload-long-head",
            "The presentation payload writes its lifetime 90 with a 2-byte head: a strict-CBOR \
             fault inside the presentation payload is presentation_malformed, not a cbor_* \
             code.",
            payload_of(&bound_parts, NOW, &long_lifetime, &[]),
            rej("presentation_malformed"),
        ),
        (
            "presentation/payload-trailing-byte",
            "The presentation payload is followed by a byte: presentation_malformed.",
            cat(&[&payload_of(&bound_parts, NOW, &lifetime_90, &[]), &[0x00]]),
            rej("presentation_malformed"),
        ),
        (
            "presentation/nonce-5-characters",
            "The nonce has 5 characters (at least 6): a badly formed nonce is \
             presentation_malformed, whether or not the verifier showed a challenge.",
            payload_of(&bound_parts, NOW, &lifetime_90, &[b"\x65ABCDE"]),
            rej("presentation_malformed"),
        ),
        (
            "presentation/nonce-with-space",
            "The nonce holds a space, which is not printable ASCII in the sense of §17.2: \
             presentation_malformed.",
            payload_of(&bound_parts, NOW, &lifetime_90, &[b"\x67ABC DEF"]),
            rej("presentation_malformed"),
        ),
        (
            "presentation/credential-signature-63-bytes",
            "The credential's signature element is a 63-byte string: the credential is read \
             as a COSE_Sign1 and its signature fails, signature_invalid.",
            {
                let mut short = bound_parts.clone();
                short[2].truncate(63);
                payload_of(&short, NOW, &lifetime_90, &[])
            },
            rej("signature_invalid"),
        ),
    ] {
        out.add(
            Case::new(
                id,
                description,
                forged_presentation(presentation_protected(eddsa_alg), payload),
            )
            .policy(counter_policy()),
            expected,
        );
    }

    // Replay recording: at the end of holder binding, before the content stage.
    let mut bad_content = fx.ktp_value();
    crate::forge::map_set(&mut bad_content, 11, crate::forge::int(8));
    let id = "presentation/content-fault";
    let faulty = with_claims(&credential(fx, Some(&eddsa), id)?, |claims| {
        claims.set(claim::DOCUMENT, bad_content.clone())
    })?;
    out.add(
        Case::new(
            id,
            "A presentation of a bound KTP-el whose agama is 8: refused in stage content.",
            presented(&faulty, &eddsa, NOW, None)?,
        )
        .policy(counter_policy()),
        rej("siak_code_invalid").field("agama").siak_code(8),
    );
    let id = "presentation/replay-recorded-before-content";
    let faulty = with_claims(&credential(fx, Some(&eddsa), id)?, |claims| {
        claims.set(claim::DOCUMENT, bad_content.clone())
    })?;
    out.add(
        Case::new(
            id,
            "The same kind of presentation shown twice to a verifier with a replay cache: the \
             first showing is recorded when holder binding passes, before the content check \
             refuses it, so the second is presentation_replayed.",
            presented(&faulty, &eddsa, NOW, None)?,
        )
        .policy(counter_policy())
        .replayed(),
        rej("presentation_replayed"),
    );
    let id = "presentation/replay-not-recorded-when-binding-fails";
    let bound = credential(fx, Some(&eddsa), id)?;
    out.add(
        Case::new(
            id,
            "A presentation binding another nonce, shown twice with a replay cache: a \
             presentation refused in holder binding before the replay check is not recorded, \
             so the second showing is nonce_mismatch again.",
            presented(&bound, &eddsa, NOW, Some(("AAAAAAAA", None)))?,
        )
        .policy(counter_policy())
        .challenge(NONCE, None)
        .replayed(),
        rej("nonce_mismatch"),
    );

    // `cnf`: a non-canonical Ed25519 key is refused like any key that is not a valid point.
    let id = "claims/cnf-ed25519-non-canonical";
    let mut non_canonical = [0xFFu8; 32];
    non_canonical[0] = 0xED + 9;
    non_canonical[31] = 0x7F;
    let cnf = Value::Map(vec![(
        crate::forge::int(1),
        Value::Map(vec![
            (crate::forge::int(1), crate::forge::int(1)),
            (crate::forge::int(-1), crate::forge::int(6)),
            (crate::forge::int(-2), Value::Bytes(non_canonical.to_vec())),
        ]),
    )]);
    let odd = with_claims(&credential(fx, Some(&eddsa), id)?, |claims| {
        claims.set(claim::CNF, cnf)
    })?;
    out.add(
        Case::new(
            id,
            "A cnf whose Ed25519 key is the non-canonical encoding (y = p + 9) of a valid \
             point: claims_malformed with claim cnf, as for a key that is not a point.",
            presented(&odd, &eddsa, NOW, None)?,
        )
        .policy(counter_policy()),
        rej("claims_malformed").claim("cnf"),
    );
    Ok(())
}
