// Verify time of two builds of the package in one Node process, alternating, so that the
// machine's load weighs on both alike: what a size change costs in Node.
//   node ab.mjs PACKAGE_DIR_A PACKAGE_DIR_B [ROUNDS [ITERATIONS]]
// Prints, per credential, the best time of each over the rounds and B over A. Run it in
// both orders: the package loaded second tends to come out a little faster.
import { readFileSync } from "node:fs";
import { pathToFileURL, fileURLToPath } from "node:url";
import path from "node:path";

const [a, b, roundsArg, itersArg] = process.argv.slice(2);
if (!a || !b) throw new Error("usage: node ab.mjs PACKAGE_DIR_A PACKAGE_DIR_B [ROUNDS [ITERATIONS]]");
const rounds = Number(roundsArg ?? 41);
const iterations = Number(itersArg ?? 800);
const here = path.dirname(fileURLToPath(import.meta.url));
const valid = JSON.parse(readFileSync(path.join(here, "../../../conformance/vectors/valid.json"), "utf8"));
// Bare KKs: the default policy accepts them.
const ids = ["valid/kk4-plain", "valid/kk8-zlib"];

async function load(dir) {
  // The query string makes the second package a module instance of its own.
  const url = pathToFileURL(path.resolve(dir, "node.js")).href + "?" + encodeURIComponent(dir);
  const ikd = await import(url);
  return ids.map((id) => {
    const vector = valid.vectors.find((v) => v.id === id);
    const store = JSON.stringify(valid.trust_stores[vector.trust_store]);
    const verifier = new ikd.Verifier(ikd.TrustData.fromStoreJson(store), new ikd.Policy());
    const outcome = verifier.verify(vector.qr, vector.now);
    if (!outcome.valid) throw new Error(`${id} must verify: ${outcome.verdictJson()}`);
    return { verifier, qr: vector.qr, now: vector.now };
  });
}

const packages = { A: await load(a), B: await load(b) };
const best = { A: ids.map(() => Infinity), B: ids.map(() => Infinity) };
for (let round = 0; round < rounds; round++) {
  for (const name of round % 2 ? ["B", "A"] : ["A", "B"]) {
    packages[name].forEach((c, i) => {
      const start = process.hrtime.bigint();
      for (let k = 0; k < iterations; k++) c.verifier.verify(c.qr, c.now).free();
      const micros = Number(process.hrtime.bigint() - start) / 1000 / iterations;
      best[name][i] = Math.min(best[name][i], micros);
    });
  }
}
ids.forEach((id, i) => {
  const [ta, tb] = [best.A[i], best.B[i]];
  console.log(`${id}: A ${ta.toFixed(1)} µs, B ${tb.toFixed(1)} µs, B/A ${(tb / ta).toFixed(3)}`);
});
