// Verifies a QR text from the command line with the npm package, as counter software
// would: node verify.js TRUST_STORE.json "IKD1:…"
import { readFileSync } from "node:fs";
import { nowSeconds, Policy, TrustData, Verifier, type Verdict } from "ikd-wasm";

const [storePath, qr] = process.argv.slice(2);
const trust = TrustData.fromStoreJson(readFileSync(storePath, "utf8"));
const verifier = new Verifier(trust, Policy.fromJson('{"accepted_doc_types": ["kk", "ktp"]}'));
verifier.useReplayCache(10_000);

const outcome = verifier.verify(qr, nowSeconds());
const verdict: Verdict = outcome.verdict();
if (outcome.valid) {
  console.log(`valid ${outcome.docType} from ${outcome.issuerName}`, outcome.warningCodes);
} else {
  console.log(`rejected: ${outcome.reasonCode} (${verdict.reason?.message_id})`);
}
process.exitCode = outcome.valid ? 0 : 1;
