// The npm package's API: misuse throws with a stable code, rejections are values, the
// defaults are the Rust SDK's, the holder side presents, replay and challenge work, and
// the trust summary tells stale data. IKD_WASM_PKG is the built package; IKD_WASM_FIXTURES
// a JSON file the Rust test wrote (demo credentials with a known device key).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadPackage } from "./adapter.mjs";

const ikd = await loadPackage(process.env.IKD_WASM_PKG);
const fx = JSON.parse(readFileSync(process.env.IKD_WASM_FIXTURES, "utf8"));
const bytes = (hex) => new Uint8Array(Buffer.from(hex, "hex"));
// The holder side (DeviceKey, present) is in the holder build only.
const holder = process.env.IKD_WASM_HOLDER === "1";

const throwsCode = (f, code) =>
  assert.throws(f, (e) => {
    assert.equal(e.code, code, e.message);
    assert.ok(e instanceof Error);
    return true;
  });

test("misuse throws an Error with the facade's stable code", () => {
  throwsCode(() => ikd.TrustData.fromStoreJson("{}"), "trust_store_invalid");
  throwsCode(() => ikd.Policy.fromJson('{"leeway_second": 5}'), "policy_invalid");
  throwsCode(() => new ikd.Challenge("ab"), "challenge_invalid");
  if (holder) throwsCode(() => ikd.DeviceKey.generate("RS256"), "device_key_invalid");
  throwsCode(() => ikd.TrustData.fromTrustList(new Uint8Array([1, 2]), "{}"), "roots_invalid");
  const verifier = new ikd.Verifier(ikd.TrustData.fromStoreJson(fx.trust_store), new ikd.Policy());
  throwsCode(() => verifier.verify("x", NaN), "time_invalid");
  throwsCode(() => verifier.verify("x", 1.5), "time_invalid");
  throwsCode(() => verifier.useReplayCache(0), "replay_capacity_invalid");
  throwsCode(() => verifier.verify("x", fx.now).disclosed("everything"), "purpose_unknown");
});

test("a rejection is a value, with its code, stage and messages", () => {
  const verifier = new ikd.Verifier(ikd.TrustData.fromStoreJson(fx.trust_store), new ikd.Policy());
  const outcome = verifier.verify("https://example.com", fx.now);
  assert.equal(outcome.valid, false);
  assert.equal(outcome.reasonCode, "not_ikd_credential");
  assert.equal(outcome.stage, "decode");
  const verdict = outcome.verdict();
  assert.equal(verdict.verdict, "rejected");
  assert.equal(verdict.reason.code, "not_ikd_credential");
  assert.equal(verdict.trace.length, 9);
  assert.deepEqual(JSON.parse(outcome.verdictJson()), verdict);
});

test("the default policy is the Rust SDK's", () => {
  assert.deepEqual(JSON.parse(new ikd.Policy().toJson()), fx.default_policy);
  assert.equal(ikd.Policy.fromJson("{}").toJson(), new ikd.Policy().toJson());
});

test("a printed KK verifies bare; a KTP-el needs a presentation by default", () => {
  const verifier = new ikd.Verifier(ikd.TrustData.fromStoreJson(fx.trust_store), new ikd.Policy());
  const kk = verifier.verify(fx.kk_qr, fx.now);
  assert.equal(kk.valid, true, kk.reasonCode);
  assert.equal(kk.docType, "kk");
  assert.equal(kk.verdict().document.nomor_kk.length, 16);
  assert.equal(kk.disclosed("kyc").purpose, "kyc");
  assert.equal(verifier.verify(fx.ktp_qr, fx.now).reasonCode, "presentation_required");
  // Long after the demo credential ends, the KK has expired.
  assert.equal(verifier.verify(fx.kk_qr, fx.now + 86400 * 400).reasonCode, "credential_expired");
});

test("the holder side is present exactly in the holder build", () => {
  assert.equal(ikd.hasHolder(), holder);
  for (const name of ["DeviceKey", "present", "presentWithChallenge"]) assert.equal(name in ikd, holder, name);
});

test("the verifier build checks a presentation: challenge, replay, expiry, another phone's key", () => {
  const challenge = new ikd.Challenge(fx.ktp_challenge.nonce, fx.ktp_challenge.audience);
  const verifier = new ikd.Verifier(ikd.TrustData.fromStoreJson(fx.trust_store), new ikd.Policy());
  verifier.useReplayCache(100);
  const first = verifier.verifyWithChallenge(fx.ktp_presented, fx.now + 5, challenge);
  assert.equal(first.valid, true, first.reasonCode);
  assert.equal(first.docType, "ktp");
  assert.equal(first.verdict().presentation.nonce, fx.ktp_challenge.nonce);
  assert.equal(verifier.verifyWithChallenge(fx.ktp_presented, fx.now + 6, challenge).reasonCode, "presentation_replayed");
  const other = new ikd.Challenge("AAAAAAAA", fx.ktp_challenge.audience);
  verifier.replayOff();
  assert.equal(verifier.verifyWithChallenge(fx.ktp_presented, fx.now + 5, other).reasonCode, "nonce_mismatch");
  assert.equal(verifier.verify(fx.ktp_presented, fx.now + 3600).reasonCode, "presentation_expired");
  assert.equal(verifier.verify(fx.ktp_presented_by_stranger, fx.now + 5).reasonCode, "presentation_signature_invalid");
});

test("the holder presents with the device key; challenge and replay are enforced", { skip: !holder }, () => {
  const key = ikd.DeviceKey.fromSecret(fx.holder_alg, bytes(fx.holder_secret));
  assert.equal(Buffer.from(key.secret()).toString("hex"), fx.holder_secret);
  const challenge = ikd.Challenge.generate(8, "BANK-01");
  assert.equal(challenge.nonce.length, 8);
  assert.equal(ikd.Challenge.parse(challenge.qrText).nonce, challenge.nonce);
  const shown = ikd.presentWithChallenge(fx.ktp_qr, key, fx.now, 90, challenge);
  const verifier = new ikd.Verifier(ikd.TrustData.fromStoreJson(fx.trust_store), new ikd.Policy());
  verifier.useReplayCache(100);
  const first = verifier.verifyWithChallenge(shown, fx.now + 5, challenge);
  assert.equal(first.valid, true, first.reasonCode);
  assert.equal(first.docType, "ktp");
  // The challenge stays usable: passing it does not consume it.
  assert.equal(challenge.nonce.length, 8);
  assert.equal(verifier.verifyWithChallenge(shown, fx.now + 6, challenge).reasonCode, "presentation_replayed");
  const other = new ikd.Challenge("AAAAAAAA");
  const again = ikd.presentWithChallenge(fx.ktp_qr, key, fx.now, 90, challenge);
  assert.equal(verifier.verifyWithChallenge(again, fx.now + 5, other).reasonCode, "nonce_mismatch");
  verifier.replayStoreUnavailable();
  const fresh = ikd.presentWithChallenge(fx.ktp_qr, key, fx.now + 1, undefined, challenge);
  assert.equal(verifier.verifyWithChallenge(fresh, fx.now + 5, challenge).reasonCode, "replay_check_unavailable");
  // A key of another phone is refused.
  const stranger = ikd.DeviceKey.generate(fx.holder_alg);
  verifier.replayOff();
  assert.equal(
    verifier.verify(ikd.present(fx.ktp_qr, stranger, fx.now), fx.now + 5).reasonCode,
    "presentation_signature_invalid",
  );
  // The policy passed to a verifier stays the caller's.
  const policy = new ikd.Policy();
  new ikd.Verifier(ikd.TrustData.fromStoreJson(fx.trust_store), policy);
  assert.equal(policy.toJson(), new ikd.Policy().toJson());
});

test("a signed trust list with its anchors, status lists, and a summary that tells stale data", () => {
  const trust = ikd.TrustData.fromTrustList(bytes(fx.trust_list), fx.anchors);
  for (const token of fx.status_lists) trust.addStatusList(bytes(token));
  assert.ok(trust.keyCount > 0);
  const policy = new ikd.Policy();
  const fresh = trust.summary(fx.trust_list_issued_at + 3600, policy);
  assert.equal(fresh.source, "trust_list");
  assert.equal(fresh.trust_list.freshness, "fresh");
  assert.equal(trust.summary(fx.trust_list_issued_at + 8 * 86400, policy).trust_list.freshness, "stale_in_grace");
  assert.equal(trust.summary(fx.trust_list_issued_at + 40 * 86400, policy).trust_list.freshness, "stale");
  throwsCode(() => ikd.TrustData.fromTrustList(bytes(fx.trust_list), fx.other_anchors), "trust_list_invalid");
  throwsCode(() => trust.addStatusList(new Uint8Array([0xd2])), "status_list_invalid");
});

test("a trust bundle loads under the import rules; a refused one throws bundle_refused", () => {
  const policy = new ikd.Policy();
  const at = fx.trust_list_issued_at + 3600;
  const loaded = ikd.TrustData.fromBundle(bytes(fx.bundle), fx.anchors, at, policy);
  assert.equal(loaded.summary.unchanged, false);
  assert.equal(loaded.summary.status_lists[0].outcome, "installed");
  const summary = loaded.trust.summary(at, policy);
  assert.equal(summary.source, "trust_list");
  assert.equal(summary.trust_list.sequence, loaded.summary.sequence);
  assert.equal(summary.status_lists.length, 1);
  // The same bundle over the data it made is no change.
  const again = loaded.trust.installBundle(bytes(fx.bundle), fx.anchors, at, policy);
  assert.equal(again.summary.unchanged, true);
  throwsCode(() => ikd.TrustData.fromBundle(bytes(fx.bundle), fx.other_anchors, at, policy), "bundle_refused");
  assert.throws(
    () => ikd.TrustData.fromBundle(bytes(fx.bundle), fx.other_anchors, at, policy),
    (e) => e.message.startsWith("bundle_trust_list_unknown_root"),
  );
  assert.throws(
    () => ikd.TrustData.fromBundle(bytes(fx.bundle), fx.anchors, at + 40 * 86400, policy),
    (e) => e.code === "bundle_refused" && e.message.startsWith("bundle_trust_list_expired"),
  );
  throwsCode(() => ikd.TrustData.fromBundle(new Uint8Array([1, 2, 3]), fx.anchors, at, policy), "bundle_refused");
});

test("inspect reads layers unverified", () => {
  const layers = ikd.inspect(fx.kk_qr);
  assert.equal(layers.unverified, true);
  assert.equal(layers.claims.document.type, "kk");
  assert.equal(ikd.inspect("hello").decode_problem.code, "not_ikd_credential");
});

test("nowSeconds is whole Unix seconds", () => {
  const now = ikd.nowSeconds();
  assert.ok(Number.isInteger(now) && Math.abs(now - Date.now() / 1000) < 2);
});

test("scanning is present exactly in the scanning build", () => {
  assert.equal(ikd.hasScanning(), process.env.IKD_WASM_SCAN === "1");
  assert.equal(typeof ikd.scanRgba === "function", process.env.IKD_WASM_SCAN === "1");
  if (process.env.IKD_WASM_SCAN === "1") {
    const frame = JSON.parse(readFileSync(process.env.IKD_WASM_FRAME, "utf8"));
    const pixels = new Uint8ClampedArray(Buffer.from(frame.rgba, "base64"));
    assert.deepEqual(ikd.scanRgba(pixels, frame.width, frame.height), [fx.kk_qr]);
    throwsCode(() => ikd.scanRgba(new Uint8Array(15), 2, 2), "frame_invalid");
  }
});
