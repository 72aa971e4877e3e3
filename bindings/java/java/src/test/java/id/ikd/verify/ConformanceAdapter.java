package id.ikd.verify;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The conformance runner protocol ({@code ikd-conformance-protocol/1}) over the Java API:
 * one request line in, one answer line out. Run it with
 * {@code cargo run -p ikd-conformance --bin run -- java -Djava.library.path=DIR -cp CLASSES
 * id.ikd.verify.ConformanceAdapter}.
 *
 * <p>Beside answering, it checks that the typed getters say what the verdict JSON says, and
 * that asking for each disclosed verdict leaves the verdict unchanged; a disagreement is
 * answered as an error, which fails the vector.
 */
public final class ConformanceAdapter {
    private ConformanceAdapter() {}

    public static void main(String[] args) throws Exception {
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.trim().isEmpty()) {
                continue;
            }
            String answer;
            try {
                answer = answer(Json.object(Json.parse(line)));
            } catch (IkdException | IllegalArgumentException | IllegalStateException e) {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("error", e.toString());
                answer = Json.write(error);
            }
            out.write(answer);
            out.write('\n');
            out.flush();
        }
    }

    static String answer(Map<String, Object> request) {
        if (!"ikd-conformance-protocol/1".equals(request.get("protocol"))) {
            throw new IllegalArgumentException("not ikd-conformance-protocol/1");
        }
        String qr = Json.string(request.get("qr"));
        long now = ((Json.Num) request.get("now")).longValue();
        boolean replay = Boolean.TRUE.equals(request.get("replay"));
        boolean unavailable = Boolean.TRUE.equals(request.get("replay_store_unavailable"));
        Challenge challenge = null;
        if (request.containsKey("challenge")) {
            Map<String, Object> c = Json.object(request.get("challenge"));
            Object audience = c.get("audience");
            challenge =
                    Challenge.of(
                            Json.string(c.get("nonce")),
                            audience == null || audience == Json.NULL ? null : Json.string(audience));
        }
        Policy policy = Policy.fromJson(Json.write(request.get("policy")));
        try (TrustData trust = trust(request);
                Verifier verifier = new Verifier(trust, policy)) {
            if (unavailable) {
                verifier.setReplayMode(ReplayMode.UNAVAILABLE);
            } else if (replay) {
                verifier.setReplayMode(ReplayMode.local(16));
            }
            if (replay) {
                verifier.verify(qr, now, challenge);
            }
            Verdict verdict = verifier.verify(qr, now, challenge);
            Map<String, Object> json = Json.object(Json.parse(verdict.toJson()));
            String disagreement = disagreement(verdict, json);
            if (disagreement == null && !replay) {
                for (String purpose : Verifier.purposes()) {
                    Verdict disclosed = verifier.verify(qr, now, challenge, purpose);
                    if (!disclosed.toJson().equals(verdict.toJson())
                            || !disclosed.getDisclosedJson().isPresent()) {
                        disagreement = "the verdict with purpose " + purpose + " differs";
                    }
                }
            }
            if (disagreement != null) {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("error", disagreement);
                return Json.write(error);
            }
            Object reason = json.get("reason");
            if (reason instanceof Map) {
                Map<String, Object> r = Json.object(reason);
                put(r, "tag", verdict.getCoseTag());
                put(r, "doc_type_number", verdict.getDocTypeNumber());
                put(r, "siak_code", verdict.getSiakCode());
            }
            return Json.write(json);
        }
    }

    private static TrustData trust(Map<String, Object> request) {
        Map<String, Object> trust = Json.object(request.get("trust"));
        TrustData data;
        if (trust.containsKey("trust_store")) {
            data = TrustData.fromStoreJson(Json.write(trust.get("trust_store")));
        } else {
            Map<String, Object> list = Json.object(trust.get("trust_list"));
            List<Object> hexRoots = Json.array(list.get("roots"));
            String[] keys = new String[hexRoots.size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = Json.string(hexRoots.get(i));
            }
            try (Roots roots = Roots.fromHexKeys(keys)) {
                data = TrustData.fromTrustList(Json.hex(Json.string(list.get("token"))), roots);
            }
        }
        Object statusLists = request.get("status_lists");
        if (statusLists instanceof List) {
            for (Object status : Json.array(statusLists)) {
                data.addStatusList(Json.hex(Json.string(Json.object(status).get("token"))));
            }
        }
        return data;
    }

    private static void put(Map<String, Object> reason, String name, OptionalLong value) {
        if (value.isPresent()) {
            reason.put(name, new Json.Num(Long.toUnsignedString(value.getAsLong())));
        }
    }

    /** Where the typed getters disagree with the JSON, or null. */
    static String disagreement(Verdict verdict, Map<String, Object> json) {
        boolean valid = "valid".equals(json.get("verdict"));
        if (verdict.isValid() != valid) {
            return "isValid disagrees";
        }
        Map<String, Object> reason =
                json.get("reason") instanceof Map ? Json.object(json.get("reason")) : null;
        Map<String, Object> issuer =
                json.get("issuer") instanceof Map ? Json.object(json.get("issuer")) : null;
        String[][] pairs = {
            {"reason code", opt(verdict.getReasonCode()), member(reason, "code")},
            {"stage", opt(verdict.getStage()), member(reason, "stage")},
            {"field", opt(verdict.getReasonField()), member(reason, "field")},
            {"claim", opt(verdict.getReasonClaim()), member(reason, "claim")},
            {"doc type", opt(verdict.getDocType()), member(json, "doc_type")},
            {"issuer id", opt(verdict.getIssuerId()), member(issuer, "id")},
            {"issuer name", opt(verdict.getIssuerName()), member(issuer, "name")},
        };
        for (String[] pair : pairs) {
            if (!Objects.equals(pair[1], pair[2])) {
                return pair[0] + " disagrees: " + pair[1] + " / " + pair[2];
            }
        }
        StringBuilder warnings = new StringBuilder();
        if (json.get("warnings") instanceof List) {
            for (Object w : Json.array(json.get("warnings"))) {
                if (warnings.length() > 0) {
                    warnings.append(',');
                }
                warnings.append(Json.string(Json.object(w).get("code")));
            }
        }
        if (!String.join(",", verdict.getWarningCodes()).equals(warnings.toString())) {
            return "warnings disagree";
        }
        return null;
    }

    private static String opt(Optional<String> value) {
        return value.orElse(null);
    }

    private static String member(Map<String, Object> object, String name) {
        if (object == null) {
            return null;
        }
        Object value = object.get(name);
        return value instanceof String ? (String) value : null;
    }
}
