package id.ikd.verify;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Map;

/**
 * The JNI overhead: {@link Verifier#verify} from Java against the same verification run in
 * a native loop (the facade's verify and verdict JSON, no JNI), on the same credential and
 * verifier, in alternating rounds of one process so that the machine's noise hits both.
 * Needs the library built with the {@code bench} feature; {@code bindings/java/bench.sh}
 * runs it.
 */
public final class Bench {
    private Bench() {}

    /** Nanoseconds for {@code iterations} native verifications (feature {@code bench}). */
    static native long nativeVerify(long verifier, String qr, long now, int iterations);

    public static void main(String[] args) throws Exception {
        String dir = args.length > 0 ? args[0] : "conformance/vectors";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Map<String, Object> valid =
                Json.object(Json.parse(new String(Files.readAllBytes(Paths.get(dir, "valid.json")), StandardCharsets.UTF_8)));
        String store = Json.write(Json.object(valid.get("trust_stores")).get("main"));
        String ktp = null;
        for (Object v : Json.array(valid.get("vectors"))) {
            if ("valid/ktp-plain".equals(Json.object(v).get("id"))) {
                ktp = Json.string(Json.object(v).get("qr"));
            }
        }
        long now = 1_790_003_600L;
        Policy policy = Policy.fromJson("{\"bare_credentials\": [\"ktp\", \"kk\"]}");
        try (TrustData trust = TrustData.fromStoreJson(store);
                Verifier verifier = new Verifier(trust, policy)) {
            System.out.println("JNI overhead, " + rounds + " alternating rounds of " + iterations + " verifications");
            measure("KTP-el, valid (374 chars)", verifier, ktp, now, rounds, iterations);
            // A rejection at the first check: almost no work besides the crossing itself.
            measure("rejected at once (not_ikd_credential)", verifier, "https://example.com/", now, rounds, iterations * 20);
        }
    }

    private static void measure(String name, Verifier verifier, String qr, long now, int rounds, int iterations) {
        boolean expected = verifier.verify(qr, now).isValid();
        // Warm-up: the JIT compiles the Java path; caches fill.
        for (int i = 0; i < iterations; i++) {
            verifier.verify(qr, now);
        }
        verifier.handleForBench(v -> nativeVerify(v, qr, now, iterations));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] java = new double[rounds];
        double[] rust = new double[rounds];
        double[] ratio = new double[rounds];
        double[] wallRatio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long cpu = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                // The verdict JSON, as the native loop makes it.
                Verdict verdict = verifier.verify(qr, now);
                if (verdict.isValid() != expected || verdict.toJson().isEmpty()) {
                    throw new AssertionError("the verdict changed");
                }
            }
            long javaWall = System.nanoTime() - start;
            java[r] = (double) (threads.getCurrentThreadCpuTime() - cpu) / iterations;
            cpu = threads.getCurrentThreadCpuTime();
            start = System.nanoTime();
            verifier.handleForBench(v -> nativeVerify(v, qr, now, iterations));
            long rustWall = System.nanoTime() - start;
            rust[r] = (double) (threads.getCurrentThreadCpuTime() - cpu) / iterations;
            ratio[r] = java[r] / rust[r];
            wallRatio[r] = (double) javaWall / rustWall;
        }
        System.out.printf(
                "%-40s CPU time per call: native %7.2f us, java %7.2f us (+%.2f us); ratio median %.3f"
                        + " (rounds %.3f to %.3f); wall-clock ratio median %.3f%n",
                name,
                median(rust) / 1000,
                median(java) / 1000,
                (median(java) - median(rust)) / 1000,
                median(ratio),
                min(ratio),
                max(ratio),
                median(wallRatio));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
