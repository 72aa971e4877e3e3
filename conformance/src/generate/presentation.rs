//! Presentation vectors (spec/format.md §17): KTP-el credentials bound to a phone key and
//! shown inside a presentation, verified under the default bare-credential policy (KK
//! only), and one vector for each holder-binding rejection.

use super::*;
use crate::forge::{Sign1, TYP_PRESENTATION, bstr, cat, head};
use ikd_sdk::Credential;
use ikd_sdk::presentation::{Challenge, present};
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
        .issue_with(
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
    Ok(())
}

pub(super) fn invalid(fx: &Fixtures, out: &mut Out) -> Result<(), String> {
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
