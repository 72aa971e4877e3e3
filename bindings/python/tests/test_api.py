"""The Pythonic API: rejections are values, misuse raises IkdError with its stable code,
time is an argument, and the test helpers issue and present credentials."""

import json
import threading
import time

import pytest

import ikd_verify
from ikd_verify import Challenge, DeviceKey, IkdError, Issuer, Verifier

NOW = 1_790_000_000
EMPTY_STORE = {"format": "ikd-trust-store/1", "keys": []}


def code_of(excinfo) -> str:
    return excinfo.value.code


@pytest.fixture
def issuer() -> Issuer:
    return Issuer(seed=bytes([7]) * 32)


@pytest.fixture
def verifier(issuer) -> Verifier:
    return Verifier(issuer.trust_store(NOW - 60, NOW + 86_400))


def test_module_facts():
    assert ikd_verify.__version__.count(".") == 2
    assert "trust_store_invalid" in ikd_verify.ERROR_CODES
    assert ikd_verify.ERROR_CODES[-1] == "bundle_refused"
    assert ikd_verify.DEFAULT_PRESENTATION_SECONDS > 0
    assert issubclass(IkdError, Exception)


def test_a_kk_verifies_and_a_tampered_one_is_a_rejection_value(issuer, verifier):
    qr = issuer.issue(ikd_verify.sample_document("kk-4"), now=NOW, lifetime_seconds=3600)
    verdict = verifier.verify(qr, now=NOW + 5)
    assert verdict.valid and verdict.doc_type == "kk"
    assert verdict.issuer_id == "ID-DUKCAPIL-3273"
    assert verdict.issuer_name == "Disdukcapil Kota Bandung"
    assert verdict.reason_code is None and verdict.warnings == []
    assert verdict.to_dict()["verdict"] == "valid"
    assert "valid" in repr(verdict)
    # Data minimisation: an age check sees no NIK.
    assert "nik" not in json.dumps(verdict.disclosed("age_check"))
    with pytest.raises(IkdError) as e:
        verdict.disclosed("everything")
    assert code_of(e) == "purpose_unknown"

    tampered = qr[:-8] + ("A" if qr[-8] != "A" else "B") + qr[-7:]
    rejected = verifier.verify(tampered, now=NOW + 5)
    assert not rejected.valid
    assert rejected.reason_code is not None and rejected.stage is not None
    assert rejected.to_dict()["reason"]["code"] == rejected.reason_code
    # Too late and not yet valid, by the time given.
    assert verifier.verify(qr, now=NOW + 7200).reason_code == "credential_expired"
    assert verifier.verify(qr, now=NOW - 3600).reason_code == "credential_issued_in_future"
    assert verifier.verify("https://example.com", now=NOW).reason_code == "not_ikd_credential"


def test_a_ktp_needs_its_presentation_with_the_challenge(issuer, verifier):
    key = DeviceKey.generate("ES256")
    assert key.alg == "ES256"
    qr = issuer.issue(ikd_verify.sample_document("ktp"), now=NOW, holder_key=key)
    # The default policy: a KTP-el is shown as a presentation, not a copy.
    assert verifier.verify(qr, now=NOW + 1).reason_code == "presentation_required"
    challenge = Challenge.generate(8, "BANK-01")
    shown = ikd_verify.present(qr, key, now=NOW + 10, challenge=challenge)
    verdict = verifier.verify(shown, now=NOW + 12, challenge=challenge)
    assert verdict.valid and verdict.doc_type == "ktp", verdict.to_dict()
    other = Challenge("7KQ2M9XD", "BANK-01")
    assert not verifier.verify(shown, now=NOW + 12, challenge=other).valid
    # A replay cache catches the second showing; an unreachable store refuses.
    verifier.set_replay_mode("local", 100)
    assert verifier.replay_mode == "local"
    assert verifier.verify(shown, now=NOW + 12, challenge=challenge).valid
    again = verifier.verify(shown, now=NOW + 13, challenge=challenge)
    assert again.reason_code == "presentation_replayed"
    verifier.set_replay_mode("unavailable")
    refused = verifier.verify(shown, now=NOW + 13, challenge=challenge)
    assert refused.reason_code == "replay_check_unavailable"
    # The key survives as its secret.
    same = DeviceKey.from_secret("ES256", key.secret)
    assert same.public_key == key.public_key


def test_misuse_raises_with_stable_codes(issuer):
    cases = [
        (lambda: Verifier("{}"), "trust_store_invalid"),
        (lambda: Verifier(EMPTY_STORE, policy={"leeway": 1}), "policy_invalid"),
        (lambda: Verifier(EMPTY_STORE, policy='{"accepted_doc_types": ["x"]}'), "policy_invalid"),
        (lambda: Verifier(trust_list=b"nope", roots=["zz"]), "roots_invalid"),
        (lambda: Verifier(trust_list=b"nope", roots="{}"), "roots_invalid"),
        (lambda: Verifier(trust_list=b"nope", roots=[issuer.public_key_hex]), "trust_list_invalid"),
        (lambda: Verifier(EMPTY_STORE, status_lists=[b"\xd2\x84"]), "status_list_invalid"),
        (lambda: Verifier(EMPTY_STORE).set_replay_mode("local", 0), "replay_capacity_invalid"),
        (lambda: Verifier(EMPTY_STORE).verify("x", now=1.5), "time_invalid"),
        (lambda: Verifier(EMPTY_STORE).verify("x", now=float("nan")), "time_invalid"),
        (lambda: Verifier(EMPTY_STORE).verify("x", now=2**60), "time_invalid"),
        (lambda: Verifier(EMPTY_STORE).verify("x", now=2**70), "time_invalid"),
        (lambda: Challenge("ab"), "challenge_invalid"),
        (lambda: Challenge.parse("IKDX:1234"), "challenge_invalid"),
        (lambda: DeviceKey.generate("RSA"), "device_key_invalid"),
        (lambda: DeviceKey.from_secret("EdDSA", b"short"), "device_key_invalid"),
        (lambda: ikd_verify.present("https://example.com", DeviceKey.generate(), now=NOW), "credential_invalid"),
        (lambda: Issuer(seed=b"short"), "issuer_invalid"),
        (lambda: issuer.trust_store(0, 1, ["passport"]), "issuer_invalid"),
        (lambda: issuer.issue("{}", now=NOW), "document_invalid"),
        (lambda: issuer.issue(ikd_verify.sample_document("ktp"), now=NOW, lifetime_seconds=-5), "issuance_failed"),
    ]
    for make, code in cases:
        with pytest.raises(IkdError) as e:
            make()
        assert code_of(e) == code, (code, e.value)
        assert e.value.message and code in str(e.value)
        assert code in ikd_verify.ERROR_CODES
    # Python-level argument mistakes are Python's own errors.
    with pytest.raises(TypeError):
        Verifier()
    with pytest.raises(TypeError):
        Verifier(trust_list=b"x")
    with pytest.raises(TypeError):
        Verifier(EMPTY_STORE).verify("x", now="2026-01-01")
    with pytest.raises(TypeError):
        Verifier(EMPTY_STORE).verify("x", now=True)
    with pytest.raises(ValueError):
        Verifier(EMPTY_STORE).set_replay_mode("sometimes")
    with pytest.raises(ValueError):
        ikd_verify.sample_document("passport")


def test_now_none_reads_the_host_clock(issuer):
    now = int(time.time())
    verifier = Verifier(issuer.trust_store(now - 60, now + 3600))
    qr = issuer.issue(ikd_verify.sample_document("kk-8"), lifetime_seconds=600)
    assert verifier.verify(qr).valid
    assert verifier.verify(qr, now=float(now)).valid
    assert verifier.trust_summary()["source"] == "local"


def test_challenges_and_inspect():
    challenge = Challenge("7kq2-m9xd", "BANK")
    assert challenge.nonce == "7KQ2M9XD"
    assert challenge.display_code == "7KQ2-M9XD"
    assert Challenge.parse(challenge.qr_text) == challenge
    assert challenge.audience == "BANK"
    assert isinstance(ikd_verify.inspect("not a credential"), dict)


def test_one_verifier_from_many_threads(issuer, verifier):
    qr = issuer.issue(ikd_verify.sample_document("kk-4"), now=NOW)
    results = []

    def work():
        results.extend(verifier.verify(qr, now=NOW + 1).valid for _ in range(20))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 80


def test_a_signed_trust_list_and_its_status_lists(vectors_dir):
    file = json.loads((vectors_dir / "trust.json").read_text(encoding="utf-8"))
    trust_list = file["trust_lists"]["main"]
    verifier = Verifier(
        trust_list=bytes.fromhex(trust_list["token"]), roots=trust_list["roots"]
    )
    issued = NOW - 3600  # the list: sequence 7, issued an hour before NOW
    summary = verifier.trust_summary(now=issued + 60)
    assert summary["source"] == "trust_list"
    assert summary["trust_list"]["sequence"] == 7
    assert summary["trust_list"]["freshness"] == "fresh"
    assert verifier.trust_summary(now=issued + 40 * 86_400)["trust_list"]["freshness"] == "stale"
    for status_list in file["status_lists"].values():
        added = verifier.add_status_list(bytes.fromhex(status_list["token"]))
        assert added["uri"] == status_list["uri"]
    assert verifier.trust_summary(now=issued + 60)["status_lists"]
    with pytest.raises(IkdError) as e:
        verifier.add_status_list(b"\xd2\x84")
    assert code_of(e) == "status_list_invalid"


def cbor(value) -> bytes:
    """Deterministic CBOR of ints, texts, bytes, lists and int-keyed maps (keys given in order)."""

    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        for extra, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * width):
                return bytes([major << 5 | extra]) + n.to_bytes(width, "big")
        raise ValueError(n)

    if isinstance(value, int):
        return head(0, value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return head(3, len(data)) + data
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(value)


def bundle_of(trust_list: bytes, status_lists) -> bytes:
    """A trust bundle (spec §9.6) written from its table, not by the SDK."""
    parts = [{1: s["uri"], 2: bytes.fromhex(s["token"])} for s in status_lists]
    return cbor({1: "ikd-trust-bundle/1", 2: trust_list, 3: parts})


def test_a_trust_bundle_installs_under_the_import_rules(vectors_dir):
    file = json.loads((vectors_dir / "trust.json").read_text(encoding="utf-8"))
    main = file["trust_lists"]["main"]
    token = bytes.fromhex(main["token"])
    lists = file["status_lists"]
    at = NOW  # the list: sequence 7, issued an hour before NOW
    bundle = bundle_of(token, [lists["a1"], lists["a2"]])

    verifier, summary = Verifier.from_bundle(bundle, main["roots"], now=at)
    assert summary["sequence"] == 7 and summary["unchanged"] is False
    assert [(p["uri"], p["outcome"]) for p in summary["status_lists"]] == [
        (lists["a1"]["uri"], "installed"),
        (lists["a2"]["uri"], "installed"),
    ]
    held = verifier.trust_summary(now=at)
    assert held["source"] == "trust_list" and len(held["status_lists"]) == 2

    # The same bundle again is no change; one whose status list another issuer signed
    # leaves that list out and keeps the one held.
    assert verifier.install_bundle(bundle, main["roots"], now=at)["unchanged"] is True
    swapped = bundle_of(token, [lists["a1_by_c"], lists["a2"]])
    outcomes = [p["outcome"] for p in verifier.install_bundle(swapped, main["roots"], now=at)["status_lists"]]
    assert outcomes == ["bundle_status_list_invalid", "installed"]
    assert len(verifier.trust_summary(now=at)["status_lists"]) == 2

    other_root = [Issuer(seed=bytes(32)).public_key_hex]
    for args, detail in [
        ((bundle, other_root, at), "bundle_trust_list_unknown_root"),
        ((bundle, main["roots"], at + 40 * 86_400), "bundle_trust_list_expired"),
        ((b"\x01\x02\x03", main["roots"], at), "bundle_malformed"),
        ((cbor({1: "ikd-trust-bundle/9", 2: token}), main["roots"], at), "bundle_format_unknown"),
    ]:
        with pytest.raises(IkdError) as e:
            Verifier.from_bundle(*args)
        assert code_of(e) == "bundle_refused"
        assert e.value.message.startswith(detail), e.value.message
    # Over data held, the root that signed the list in use is accepted too (spec §9.6).
    assert verifier.install_bundle(bundle, other_root, now=at)["unchanged"] is True
    # A refused bundle changes nothing held.
    with pytest.raises(IkdError) as e:
        verifier.install_bundle(bundle[:-1], main["roots"], now=at)
    assert code_of(e) == "bundle_refused" and e.value.message.startswith("bundle_malformed")
    assert len(verifier.trust_summary(now=at)["status_lists"]) == 2
