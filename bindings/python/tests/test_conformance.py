"""Every conformance vector through the installed wheel, compared with the vector's
expectation as conformance/README.md ("Writing a runner") says."""

import json

import pytest

import ikd_verify
from conftest import VECTORS

ALL_TYPES = ["ktp", "kk", "identity", "age_over_17", "domicile"]


def _vectors():
    files = sorted(VECTORS.glob("*.json"))
    assert files, f"no vectors in {VECTORS}"
    for path in files:
        file = json.loads(path.read_text(encoding="utf-8"))
        for vector in file["vectors"]:
            yield pytest.param(file, vector, id=vector["id"])


VECTOR_PARAMS = list(_vectors())


def _verifier(file, vector):
    policy = dict(vector["policy"])
    # Absent from a vector: every type is accepted bare (the SDK's default is KK only).
    policy.setdefault("bare_credentials", ALL_TYPES)
    status_lists = [
        bytes.fromhex(file["status_lists"][name]["token"])
        for name in vector.get("status_lists", [])
    ]
    if "trust_store" in vector:
        verifier = ikd_verify.Verifier(
            file["trust_stores"][vector["trust_store"]],
            status_lists=status_lists,
            policy=policy,
        )
    else:
        trust_list = file["trust_lists"][vector["trust_list"]]
        verifier = ikd_verify.Verifier(
            trust_list=bytes.fromhex(trust_list["token"]),
            roots=trust_list["roots"],
            status_lists=status_lists,
            policy=policy,
        )
    if vector.get("replay_store_unavailable"):
        verifier.set_replay_mode("unavailable")
    elif vector.get("replay"):
        verifier.set_replay_mode("local", 16)
    return verifier


def _verify(file, vector):
    verifier = _verifier(file, vector)
    challenge = vector.get("challenge")
    if challenge is not None:
        challenge = ikd_verify.Challenge(challenge["nonce"], challenge.get("audience"))
    if vector.get("replay"):
        verifier.verify(vector["qr"], vector["now"], challenge)
    return verifier.verify(vector["qr"], vector["now"], challenge)


def test_every_file_has_vectors():
    groups = {param.values[0]["group"] for param in VECTOR_PARAMS}
    assert groups == {"valid", "invalid", "edge", "trust"}
    assert len(VECTOR_PARAMS) == 353


@pytest.mark.parametrize("file,vector", VECTOR_PARAMS)
def test_vector(file, vector):
    expected = vector["expected"]
    verdict = _verify(file, vector)
    data = verdict.to_dict()
    assert data == json.loads(verdict.to_json())
    if expected["verdict"] == "rejected":
        assert not verdict.valid, data
        assert verdict.reason_code == expected["reason_code"], data
        assert verdict.stage == expected["stage"]
        assert data["reason"]["code"] == expected["reason_code"]
        for member, got in [
            ("field", verdict.reason_field),
            ("claim", verdict.reason_claim),
            ("tag", verdict.cose_tag),
            ("doc_type_number", verdict.doc_type_number),
            ("siak_code", verdict.siak_code),
        ]:
            if member in expected:
                assert got == expected[member], member
        assert verdict.doc_type is None and verdict.warnings == []
        return
    assert verdict.valid, data
    assert verdict.reason_code is None and verdict.stage is None
    assert verdict.issuer_id == expected["issuer"] == data["issuer"]["id"]
    assert verdict.issuer_name == expected["issuer_name"] == data["issuer"]["name"]
    assert data["kid"] == expected["kid"]
    assert verdict.doc_type == expected["doc_type"] == data["doc_type"]
    document = data.get("document", {})
    if "nik" in expected:
        assert document["nik"] == expected["nik"]
    if "nomor_kk" in expected:
        assert document["nomor_kk"] == expected["nomor_kk"]
    if "member_niks" in expected:
        assert [m["nik"] for m in document["anggota"]] == expected["member_niks"]
    warnings = [(w["code"], w["field"]) for w in data["warnings"]]
    assert warnings == [(w["code"], w["field"]) for w in expected["warnings"]]
    assert verdict.warnings == [w["code"] for w in expected["warnings"]]
    if "trust_list_sequence" in expected:
        assert data["trust_data"]["sequence"] == expected["trust_list_sequence"]
