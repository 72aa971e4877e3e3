// The Node side of benches/node.rs: verifies one QR text in a loop with the npm package.
// Reads an iteration count per line on stdin; answers the nanoseconds the loop took.
//   node verify_loop.mjs PACKAGE_DIR TRUST_STORE_FILE QR_FILE NOW
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [dir, storeFile, qrFile, now] = process.argv.slice(2);
const ikd = await import(pathToFileURL(path.join(dir, "node.js")).href);
const verifier = new ikd.Verifier(ikd.TrustData.fromStoreJson(readFileSync(storeFile, "utf8")), new ikd.Policy());
const qr = readFileSync(qrFile, "utf8");
const at = Number(now);
if (!verifier.verify(qr, at).valid) throw new Error("the benchmark's credential must verify");
for await (const line of createInterface({ input: process.stdin })) {
  const iterations = Number(line);
  let valid = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const outcome = verifier.verify(qr, at);
    if (outcome.valid) valid++;
    outcome.free();
  }
  const elapsed = process.hrtime.bigint() - start;
  if (valid !== iterations) throw new Error("a verification failed");
  process.stdout.write(`${elapsed}\n`);
}
