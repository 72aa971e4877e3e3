package id.ikd.verify;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java API's tests, as a plain runner (no test framework to download): each test is a
 * method run in turn; the process exits 1 if any fails. Argument: the conformance vectors'
 * directory, whose credentials and trust data the tests use.
 */
public final class ApiTests {
    private static Map<String, Object> valid;
    private static Map<String, Object> invalid;
    private static Map<String, Object> trustFile;
    private static String mainStore;

    private interface Test {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String dir = args.length > 0 ? args[0] : "conformance/vectors";
        vectorsDir = dir;
        valid = file(dir, "valid.json");
        invalid = file(dir, "invalid.json");
        trustFile = file(dir, "trust.json");
        mainStore = Json.write(Json.object(valid.get("trust_stores")).get("main"));

        Map<String, Test> tests = new LinkedHashMap<>();
        tests.put("a valid credential's verdict and typed getters", ApiTests::validVerdict);
        tests.put("a rejection is a value with its reason code", ApiTests::rejectionIsAValue);
        tests.put("the defaults are the Rust SDK's", ApiTests::defaults);
        tests.put("misuse throws IkdException with a stable code", ApiTests::misuseCodes);
        tests.put("an unknown purpose is refused before the replay cache", ApiTests::purposeFirst);
        tests.put("disclosed verdicts per purpose", ApiTests::disclosed);
        tests.put("replay modes", ApiTests::replayModes);
        tests.put("challenges normalise and round-trip", ApiTests::challenges);
        tests.put("a signed trust list, status lists and the summary", ApiTests::trustList);
        tests.put("a trust bundle under the import rules", ApiTests::trustBundle);
        tests.put("holder present, verified with its challenge", ApiTests::holderPresent);
        tests.put("close, double close, use after close", ApiTests::closing);
        tests.put("trust data may be closed once a verifier holds it", ApiTests::trustCopied);
        tests.put("one verifier shared by eight threads", ApiTests::sharedAcrossThreads);
        tests.put("close while other threads verify", ApiTests::closeWhileVerifying);
        tests.put("unclosed objects are freed once unreachable", ApiTests::safetyNet);
        tests.put("clock and inspection conveniences", ApiTests::conveniences);

        int failed = 0;
        for (Map.Entry<String, Test> test : tests.entrySet()) {
            try {
                test.getValue().run();
                System.out.println("ok   " + test.getKey());
            } catch (Throwable t) {
                failed++;
                System.out.println("FAIL " + test.getKey() + ": " + t);
                t.printStackTrace(System.out);
            }
        }
        System.out.println("java api tests: " + (tests.size() - failed) + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    // ---- helpers ----

    private static Map<String, Object> file(String dir, String name) throws Exception {
        byte[] bytes = Files.readAllBytes(Paths.get(dir, name));
        return Json.object(Json.parse(new String(bytes, StandardCharsets.UTF_8)));
    }

    private static Map<String, Object> vector(Map<String, Object> file, String id) {
        for (Object v : Json.array(file.get("vectors"))) {
            if (id.equals(Json.object(v).get("id"))) {
                return Json.object(v);
            }
        }
        throw new AssertionError("no vector " + id);
    }

    private static String qr(Map<String, Object> file, String id) {
        return Json.string(vector(file, id).get("qr"));
    }

    private static final long NOW = 1_790_003_600L;

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private static void equal(Object expected, Object actual, String what) {
        if (expected == null ? actual != null : !expected.equals(actual)) {
            throw new AssertionError(what + ": expected " + expected + ", got " + actual);
        }
    }

    private static IkdException misuse(String code, Runnable call) {
        try {
            call.run();
        } catch (IkdException e) {
            equal(code, e.getCode(), "the exception's code");
            check(e.getMessage().startsWith(code + ": "), "the message starts with the code");
            return e;
        }
        throw new AssertionError("expected IkdException " + code);
    }

    private static void closed(Runnable call) {
        try {
            call.run();
        } catch (IllegalStateException e) {
            check(e.getMessage().contains("closed"), "the message says closed: " + e.getMessage());
            return;
        }
        throw new AssertionError("expected IllegalStateException after close");
    }

    /** The vectors' policy: a bare KTP-el is accepted (the default accepts only a KK bare). */
    private static final String BARE_KTP = "{\"accepted_doc_types\": [\"ktp\", \"kk\"], \"bare_credentials\": [\"ktp\", \"kk\"]}";

    private static Verifier verifier() {
        try (TrustData trust = TrustData.fromStoreJson(mainStore)) {
            return new Verifier(trust, Policy.fromJson(BARE_KTP));
        }
    }

    private static long nowOf(Map<String, Object> file, String id) {
        return ((Json.Num) vector(file, id).get("now")).longValue();
    }

    /** The trust list's pinned root, as hex. */
    private static String root() {
        Map<String, Object> list = Json.object(Json.object(trustFile.get("trust_lists")).values().iterator().next());
        return Json.string(Json.array(list.get("roots")).get(0));
    }

    // ---- tests ----

    private static void validVerdict() {
        try (Verifier v = verifier()) {
            Verdict verdict = v.verify(qr(valid, "valid/ktp-plain"), NOW);
            check(verdict.isValid(), "valid");
            equal("ktp", verdict.getDocType().orElse(null), "doc type");
            equal("ID-DUKCAPIL-3273", verdict.getIssuerId().orElse(null), "issuer id");
            equal("Disdukcapil Kota Bandung", verdict.getIssuerName().orElse(null), "issuer name");
            check(!verdict.getReasonCode().isPresent(), "no reason code");
            check(verdict.getWarningCodes().isEmpty(), "no warnings");
            check(!verdict.getDisclosedJson().isPresent(), "no disclosed verdict unasked");
            Map<String, Object> json = Json.object(Json.parse(verdict.toJson()));
            equal("valid", json.get("verdict"), "the JSON's verdict");
            equal(verdict.toJson(), verdict.toString(), "toString is the JSON");
            equal(null, ConformanceAdapter.disagreement(verdict, json), "getters = JSON");

            Verdict warned = v.verify(qr(Json.object(Json.parse(read("edge.json"))), "edge/warning-nik-sex"), NOW);
            check(warned.isValid(), "valid with a warning");
            equal(Arrays.asList("nik_sex_mismatch"), warned.getWarningCodes(), "warning codes");
        }
    }

    private static String read(String name) throws RuntimeException {
        try {
            return new String(Files.readAllBytes(Paths.get(vectorsDir, name)), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static String vectorsDir = "conformance/vectors";

    private static void rejectionIsAValue() {
        try (Verifier v = verifier()) {
            Verdict verdict = v.verify("https://example.com", NOW);
            check(!verdict.isValid(), "rejected");
            equal("not_ikd_credential", verdict.getReasonCode().orElse(null), "reason code");
            equal("decode", verdict.getStage().orElse(null), "stage");
            check(!verdict.getDocType().isPresent(), "no doc type");

            Verdict altered = v.verify(qr(invalid, "invalid/signature/payload-altered"), NOW);
            equal("signature_invalid", altered.getReasonCode().orElse(null), "signature");
            equal("signature", altered.getStage().orElse(null), "signature stage");

            Verdict tag = v.verify(qr(invalid, "invalid/decode/cose-tag-sign"), NOW);
            equal("cose_tag_wrong", tag.getReasonCode().orElse(null), "tag code");
            equal(98L, tag.getCoseTag().getAsLong(), "the tag found");

            Verdict agama = v.verify(qr(invalid, "invalid/content/agama-8"), NOW);
            equal("siak_code_invalid", agama.getReasonCode().orElse(null), "siak code");
            equal("agama", agama.getReasonField().orElse(null), "the field");
            equal(8L, agama.getSiakCode().getAsLong(), "the code found");

            Verdict empty = v.verify("", NOW);
            check(!empty.isValid(), "an empty text is a rejection, not an exception");
        }
    }

    private static void defaults() {
        // The default policy accepts a KTP-el bound to a phone key only when presented (a KK
        // bare), as the Rust SDK's does; the replay check is off.
        Verifier v;
        try (TrustData trust = TrustData.fromStoreJson(mainStore)) {
            v = new Verifier(trust);
        }
        try {
            equal(ReplayMode.OFF, v.getReplayMode(), "replay off by default");
            Verdict bare = v.verify(qr(invalid, "invalid/presentation-required-unbound"), NOW);
            equal("presentation_required", bare.getReasonCode().orElse(null), "bare KTP-el");
            check(v.verify(qr(valid, "valid/kk4-plain"), NOW).isValid(), "a bare KK");
            equal("{}", Policy.defaults().toJson(), "the default policy is the empty JSON");
            // A credential one second past its expiry and the default leeway of 60 s.
            String id = "invalid/time/expired-one-second-past-leeway";
            Verdict expired = v.verify(qr(invalid, id), nowOf(invalid, id));
            equal("credential_expired", expired.getReasonCode().orElse(null), "leeway 60 s");
        } finally {
            v.close();
        }
        equal(90, Holder.DEFAULT_PRESENTATION_SECONDS, "presentations last 90 s");
    }

    private static void misuseCodes() {
        misuse("trust_store_invalid", () -> TrustData.fromStoreJson("{"));
        misuse("policy_invalid", () -> Policy.fromJson("{\"leway_seconds\": 60}"));
        misuse("policy_invalid", () -> Policy.fromJson("[]"));
        misuse("challenge_invalid", () -> Challenge.of("ab"));
        misuse("challenge_invalid", () -> Challenge.parse("https://example.com"));
        misuse("challenge_invalid", () -> Challenge.generate(-1, null));
        misuse("roots_invalid", () -> Roots.fromHexKeys("zz"));
        misuse("roots_invalid", () -> Roots.fromHexKeys());
        misuse("roots_invalid", () -> Roots.fromAnchorsJson("{}"));
        try (Roots roots = Roots.fromHexKeys(root())) {
            misuse("trust_list_invalid", () -> TrustData.fromTrustList(new byte[] {1, 2, 3}, roots));
        }
        try (TrustData trust = TrustData.fromStoreJson(mainStore)) {
            misuse("status_list_invalid", () -> trust.addStatusList(new byte[0]));
        }
        misuse("device_key_invalid", () -> DeviceKey.generate("RS256"));
        misuse("device_key_invalid", () -> DeviceKey.fromSecret("EdDSA", new byte[31]));
        DeviceKey key = DeviceKey.generate("eddsa");
        equal("EdDSA", key.getAlg(), "the algorithm's canonical name");
        equal(32, key.getPublicKey().length, "an Ed25519 public key");
        misuse("credential_invalid", () -> Holder.present("hello", key, NOW, 90, null));
        String credential = qr(invalid, "invalid/presentation-required");
        misuse("presentation_failed", () -> Holder.present(credential, key, NOW, -1, null));
        try (Verifier v = verifier()) {
            misuse("purpose_unknown", () -> v.verify("", NOW, null, "everything"));
            misuse("replay_capacity_invalid", () -> v.setReplayMode(ReplayMode.local(0)));
            misuse("replay_capacity_invalid", () -> v.setReplayMode(ReplayMode.local(1_000_001)));
            equal(ReplayMode.OFF, v.getReplayMode(), "a refused mode leaves the mode");
        }
        // Null arguments are Java's own misuse.
        try {
            TrustData.fromStoreJson(null);
            throw new AssertionError("expected NullPointerException");
        } catch (NullPointerException expected) {
            // as documented
        }
    }

    private static String repeat(String s, int n) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append(s);
        }
        return out.toString();
    }

    private static Map<String, Object> presentationVector() {
        return vector(valid, "valid/presentation-eddsa-challenge");
    }

    private static Challenge challengeOf(Map<String, Object> vector) {
        Map<String, Object> c = Json.object(vector.get("challenge"));
        Object audience = c.get("audience");
        return Challenge.of(Json.string(c.get("nonce")), audience instanceof String ? (String) audience : null);
    }

    private static void purposeFirst() {
        Map<String, Object> vector = presentationVector();
        Challenge challenge = challengeOf(vector);
        String qr = Json.string(vector.get("qr"));
        long now = ((Json.Num) vector.get("now")).longValue();
        try (Verifier v = verifier()) {
            v.setReplayMode(ReplayMode.local(10));
            misuse("purpose_unknown", () -> v.verify(qr, now, challenge, "everything"));
            // The refused call recorded nothing: the first real showing is valid.
            check(v.verify(qr, now, challenge).isValid(), "first showing valid");
            equal("presentation_replayed", v.verify(qr, now, challenge).getReasonCode().orElse(null), "second showing");
        }
    }

    private static void disclosed() {
        equal(Arrays.asList("kyc", "identity", "age_check", "domicile"), Verifier.purposes(), "purposes");
        try (Verifier v = verifier()) {
            String qr = qr(valid, "valid/ktp-plain");
            for (String purpose : Verifier.purposes()) {
                Verdict verdict = v.verify(qr, NOW, null, purpose);
                check(verdict.isValid(), "valid");
                String disclosed = verdict.getDisclosedJson().orElseThrow(() -> new AssertionError("disclosed"));
                Map<String, Object> json = Json.object(Json.parse(disclosed));
                equal("valid", json.get("verdict"), purpose + ": verdict");
            }
            // The age check sees no NIK; KYC does.
            String kyc = v.verify(qr, NOW, null, "kyc").getDisclosedJson().orElse("");
            String age = v.verify(qr, NOW, null, "age_check").getDisclosedJson().orElse("");
            String nik = Json.string(Json.object(vector(valid, "valid/ktp-plain").get("expected")).get("nik"));
            check(kyc.contains(nik), "KYC sees the NIK");
            check(!age.contains(nik), "the age check does not");
        }
    }

    private static void replayModes() {
        Map<String, Object> vector = presentationVector();
        Challenge challenge = challengeOf(vector);
        String qr = Json.string(vector.get("qr"));
        long now = ((Json.Num) vector.get("now")).longValue();
        try (Verifier v = verifier()) {
            check(v.verify(qr, now, challenge).isValid(), "off: valid");
            check(v.verify(qr, now, challenge).isValid(), "off: valid again");
            // With another challenge the presentation does not verify: a value, not an exception.
            Verdict other = v.verify(qr, now, Challenge.generate(8, null));
            equal("nonce_mismatch", other.getReasonCode().orElse(null), "another challenge");
            v.setReplayMode(ReplayMode.UNAVAILABLE);
            equal(ReplayMode.UNAVAILABLE, v.getReplayMode(), "mode");
            equal("replay_check_unavailable", v.verify(qr, now, challenge).getReasonCode().orElse(null), "store down");
            v.setReplayMode(ReplayMode.local(1));
            check(v.getReplayMode().isLocal() && v.getReplayMode().getCapacity() == 1, "local(1)");
            check(v.verify(qr, now, challenge).isValid(), "local: first");
            equal("presentation_replayed", v.verify(qr, now, challenge).getReasonCode().orElse(null), "local: second");
        }
    }

    private static void challenges() {
        Challenge c = Challenge.of("7kq2-m9xd", "BANK");
        equal("7KQ2M9XD", c.getNonce(), "normalised");
        equal("BANK", c.getAudience().orElse(null), "audience");
        equal("7KQ2-M9XD", c.getDisplayCode(), "display code");
        equal(c, Challenge.parse(c.toQrText()), "QR round trip");
        check(!Challenge.of("7KQ2M9XD").getAudience().isPresent(), "no audience");
        Challenge fresh = Challenge.generate(8, null);
        equal(8, fresh.getNonce().length(), "8 characters");
    }

    private static void trustList() {
        Map<String, Object> lists = Json.object(trustFile.get("trust_lists"));
        Map<String, Object> list = Json.object(lists.values().iterator().next());
        List<Object> hexRoots = Json.array(list.get("roots"));
        String[] keys = new String[hexRoots.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = Json.string(hexRoots.get(i));
        }
        try (Roots roots = Roots.fromHexKeys(keys);
                TrustData trust = TrustData.fromTrustList(Json.hex(Json.string(list.get("token"))), roots)) {
            equal(keys.length, roots.size(), "roots");
            check(trust.getKeyCount() > 0, "keys from the list");
            int statusLists = 0;
            for (Object status : Json.object(trustFile.get("status_lists")).values()) {
                String summary = trust.addStatusList(Json.hex(Json.string(Json.object(status).get("token"))));
                check(Json.object(Json.parse(summary)).containsKey("uri"), "status summary");
                statusLists++;
            }
            check(statusLists > 0, "status lists loaded");
            long issued = 1_790_000_000L - 3_600;
            Map<String, Object> fresh = Json.object(Json.parse(trust.summaryJson(issued + 3_600, Policy.defaults())));
            equal("trust_list", fresh.get("source"), "source");
            equal("fresh", Json.object(fresh.get("trust_list")).get("freshness"), "fresh");
            Map<String, Object> stale = Json.object(Json.parse(trust.summaryJson(issued + 40 * 86_400, Policy.defaults())));
            equal("stale", Json.object(stale.get("trust_list")).get("freshness"), "stale");
            try (Verifier v = new Verifier(trust, Policy.fromJson(BARE_KTP))) {
                Verdict verdict = v.verify(qr(valid, "valid/ktp-plain"), NOW);
                check(verdict.isValid(), "verified through the trust list: " + verdict);
            }
        }
    }

    /** Deterministic CBOR of ints, texts, byte strings, lists and maps with int keys in order. */
    private static void cbor(java.io.ByteArrayOutputStream out, Object value) {
        if (value instanceof Integer) {
            head(out, 0, (Integer) value);
        } else if (value instanceof String) {
            byte[] text = ((String) value).getBytes(StandardCharsets.UTF_8);
            head(out, 3, text.length);
            out.write(text, 0, text.length);
        } else if (value instanceof byte[]) {
            byte[] bytes = (byte[]) value;
            head(out, 2, bytes.length);
            out.write(bytes, 0, bytes.length);
        } else if (value instanceof List) {
            head(out, 4, ((List<?>) value).size());
            for (Object item : (List<?>) value) {
                cbor(out, item);
            }
        } else {
            Map<?, ?> map = (Map<?, ?>) value;
            head(out, 5, map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                cbor(out, entry.getKey());
                cbor(out, entry.getValue());
            }
        }
    }

    private static void head(java.io.ByteArrayOutputStream out, int major, int n) {
        if (n < 24) {
            out.write(major << 5 | n);
        } else if (n < 0x100) {
            out.write(major << 5 | 24);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(major << 5 | 25);
            out.write(n >> 8);
            out.write(n & 0xff);
        } else {
            out.write(major << 5 | 26);
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write(n >> shift & 0xff);
            }
        }
    }

    /** A trust bundle written from the spec's table, not by the SDK. */
    private static byte[] bundle(byte[] trustList, String... statusListNames) {
        List<Object> parts = new ArrayList<>();
        Map<String, Object> statusLists = Json.object(trustFile.get("status_lists"));
        for (String name : statusListNames) {
            Map<String, Object> status = Json.object(statusLists.get(name));
            Map<Object, Object> part = new LinkedHashMap<>();
            part.put(1, Json.string(status.get("uri")));
            part.put(2, Json.hex(Json.string(status.get("token"))));
            parts.add(part);
        }
        Map<Object, Object> bundle = new LinkedHashMap<>();
        bundle.put(1, "ikd-trust-bundle/1");
        bundle.put(2, trustList);
        bundle.put(3, parts);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        cbor(out, bundle);
        return out.toByteArray();
    }

    private static void trustBundle() {
        Map<String, Object> list = Json.object(Json.object(trustFile.get("trust_lists")).get("main"));
        byte[] token = Json.hex(Json.string(list.get("token")));
        String root = Json.string(Json.array(list.get("roots")).get(0));
        long at = 1_790_000_000L; // an hour after the list was issued
        byte[] both = bundle(token, "a1", "a2");
        try (Roots roots = Roots.fromHexKeys(root);
                Roots otherRoots = Roots.fromHexKeys("d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737")) {
            BundleLoad loaded = TrustData.fromBundle(both, roots, at, Policy.defaults());
            try (TrustData trust = loaded.trust()) {
                Map<String, Object> summary = Json.object(Json.parse(loaded.summaryJson()));
                equal(7L, ((Json.Num) summary.get("sequence")).longValue(), "sequence");
                equal(false, summary.get("unchanged"), "a new list");
                for (Object part : Json.array(summary.get("status_lists"))) {
                    equal("installed", Json.object(part).get("outcome"), "each status list installed");
                }
                Map<String, Object> held = Json.object(Json.parse(trust.summaryJson(at, Policy.defaults())));
                equal(2, Json.array(held.get("status_lists")).size(), "status lists held");

                // A status list signed by another issuer is left out; the one held stays.
                BundleLoad swapped = trust.installBundle(bundle(token, "a1_by_c", "a2"), roots, at, Policy.defaults());
                try (TrustData after = swapped.trust()) {
                    Map<String, Object> s = Json.object(Json.parse(swapped.summaryJson()));
                    equal(true, s.get("unchanged"), "the same list");
                    equal("bundle_status_list_invalid",
                            Json.object(Json.array(s.get("status_lists")).get(0)).get("outcome"), "left out");
                    Map<String, Object> kept = Json.object(Json.parse(after.summaryJson(at, Policy.defaults())));
                    equal(2, Json.array(kept.get("status_lists")).size(), "the one held stays");
                }
                // Over data held, the root that signed the list in use is accepted too.
                try (TrustData again = trust.installBundle(both, otherRoots, at, Policy.defaults()).trust()) {
                    check(again.getKeyCount() == trust.getKeyCount(), "same keys");
                }
                IkdException e = misuse("bundle_refused",
                        () -> trust.installBundle(Arrays.copyOf(both, both.length - 1), roots, at, Policy.defaults()));
                check(e.getMessage().startsWith("bundle_refused: bundle_malformed"), e.getMessage());
            }
            String[][] refusals = {
                {"other", "0", "bundle_trust_list_unknown_root"},
                {"pinned", "3456000", "bundle_trust_list_expired"},
            };
            for (String[] refusal : refusals) {
                Roots r = refusal[0].equals("other") ? otherRoots : roots;
                long when = at + Long.parseLong(refusal[1]);
                IkdException e = misuse("bundle_refused", () -> TrustData.fromBundle(both, r, when, Policy.defaults()));
                check(e.getMessage().startsWith("bundle_refused: " + refusal[2]), e.getMessage());
            }
        }
    }

    private static void holderPresent() {
        String credential = qr(invalid, "invalid/presentation-required");
        byte[] phone = new byte[32];
        Arrays.fill(phone, (byte) 0x21);
        Challenge challenge = Challenge.generate(8, "BANK-CABANG-01");
        try (Verifier v = verifier()) {
            List<String> outcomes = new ArrayList<>();
            for (String alg : new String[] {"EdDSA", "ES256"}) {
                DeviceKey key = DeviceKey.fromSecret(alg, phone);
                String presentation = Holder.present(credential, key, NOW, Holder.DEFAULT_PRESENTATION_SECONDS, challenge);
                Verdict verdict = v.verify(presentation, NOW, challenge);
                outcomes.add(verdict.isValid() ? "valid" : verdict.getReasonCode().orElse("?"));
                if (verdict.isValid()) {
                    equal("ktp", verdict.getDocType().orElse(null), "presented KTP-el");
                    Verdict other = v.verify(presentation, NOW, Challenge.generate(8, "BANK-CABANG-01"));
                    equal("nonce_mismatch", other.getReasonCode().orElse(null), "another challenge");
                    Verdict late = v.verify(presentation, NOW + 200, challenge);
                    equal("presentation_expired", late.getReasonCode().orElse(null), "too late");
                }
            }
            // The credential binds one of the two phone keys; the other key's presentation is refused.
            check(outcomes.contains("valid") && outcomes.contains("presentation_signature_invalid"), "outcomes: " + outcomes);
        }
    }

    private static void closing() {
        Verifier v = verifier();
        check(!v.isClosed(), "open");
        v.close();
        check(v.isClosed(), "closed");
        v.close();
        closed(() -> v.verify("", NOW));
        closed(() -> v.setPolicy(Policy.defaults()));
        closed(() -> v.setReplayMode(ReplayMode.OFF));
        TrustData trust = TrustData.fromStoreJson(mainStore);
        trust.close();
        trust.close();
        closed(trust::getKeyCount);
        closed(() -> new Verifier(trust));
        closed(() -> trust.addStatusList(new byte[0]));
        Roots roots = Roots.fromHexKeys(root());
        roots.close();
        roots.close();
        closed(roots::size);
        closed(() -> TrustData.fromTrustList(new byte[0], roots));
        try (Verifier open = verifier()) {
            closed(() -> open.setTrust(trust));
        }
    }

    private static void trustCopied() {
        TrustData trust = TrustData.fromStoreJson(mainStore);
        Verifier v = new Verifier(trust, Policy.fromJson(BARE_KTP));
        trust.close();
        check(v.verify(qr(valid, "valid/ktp-plain"), NOW).isValid(), "still verifies");
        try (TrustData empty = TrustData.fromStoreJson("{\"format\": \"ikd-trust-store/1\", \"keys\": []}")) {
            v.setTrust(empty);
        }
        equal("kid_unknown", v.verify(qr(valid, "valid/ktp-plain"), NOW).getReasonCode().orElse(null), "new trust");
        v.setPolicy(Policy.fromJson("{\"accepted_doc_types\": [\"kk\"]}"));
        v.close();
    }

    /** Several vectors of each kind, with the verdict JSON one thread gets for each. */
    private static Map<String, String> sample(Verifier v, Map<String, Long> times) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (Map<String, Object> file : Arrays.asList(valid, invalid)) {
            int n = 0;
            for (Object item : Json.array(file.get("vectors"))) {
                Map<String, Object> vector = Json.object(item);
                if (vector.containsKey("challenge") || !"main".equals(vector.get("trust_store")) || n++ % 7 != 0) {
                    continue;
                }
                String qr = Json.string(vector.get("qr"));
                long now = ((Json.Num) vector.get("now")).longValue();
                times.put(qr, now);
                expected.put(qr, v.verify(qr, now).toJson());
            }
        }
        return expected;
    }

    private static void sharedAcrossThreads() throws Exception {
        try (Verifier v = verifier()) {
            Map<String, Long> times = new LinkedHashMap<>();
            Map<String, String> expected = sample(v, times);
            check(expected.size() > 20, "a sample of vectors: " + expected.size());
            List<String> qrs = new ArrayList<>(expected.keySet());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int offset = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int checked = 0;
                    for (int round = 0; round < 3; round++) {
                        for (int i = 0; i < qrs.size(); i++) {
                            String qr = qrs.get((i + offset * 5) % qrs.size());
                            String json = v.verify(qr, times.get(qr)).toJson();
                            if (!json.equals(expected.get(qr))) {
                                throw new AssertionError("a verdict differs across threads");
                            }
                            checked++;
                        }
                        // One thread sets the policy meanwhile (the same one): a write among reads.
                        if (offset == 0) {
                            v.setPolicy(Policy.fromJson(BARE_KTP));
                        }
                    }
                    return checked;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            equal(8 * 3 * qrs.size(), total, "every verification checked");
        }
    }

    private static void closeWhileVerifying() throws Exception {
        Verifier v = verifier();
        String qr = qr(valid, "valid/ktp-plain");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger verified = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(4);
        List<Future<?>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            results.add(pool.submit(() -> {
                running.countDown();
                while (true) {
                    try {
                        check(v.verify(qr, NOW).isValid(), "valid until closed");
                        verified.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        refused.incrementAndGet();
                        return null;
                    }
                }
            }));
        }
        running.await();
        Thread.sleep(50);
        v.close();
        for (Future<?> result : results) {
            result.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        equal(4, refused.get(), "every thread saw the close as an exception");
        check(verified.get() > 0, "verifications ran before the close");
    }

    private static void safetyNet() throws Exception {
        int before = NativeHandle.pending();
        for (int i = 0; i < 200; i++) {
            TrustData trust = TrustData.fromStoreJson(mainStore);
            new Verifier(trust).verify("", NOW);
        }
        check(NativeHandle.pending() > before, "the objects are tracked");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (NativeHandle.pending() > before + 10 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        check(NativeHandle.pending() <= before + 10, "freed: " + (NativeHandle.pending() - before) + " left");
    }

    private static void conveniences() {
        long now = Verifier.systemNow();
        check(now > 1_700_000_000L, "the system clock in Unix seconds");
        Map<String, Object> inspection = Json.object(Json.parse(Verifier.inspectJson(qr(valid, "valid/ktp-plain"))));
        check(!inspection.isEmpty(), "an inspection");
        check(Verifier.inspectJson("nonsense") != null, "inspection of nonsense is a value");
    }
}
