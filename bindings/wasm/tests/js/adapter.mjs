// The conformance runner protocol (ikd-conformance-protocol/1, conformance/README.md)
// spoken through the npm package: one request line in, one verdict line out.
//
//   node adapter.mjs PACKAGE_DIR      (PACKAGE_DIR: the built package, with node.js)
//
// `answer` is also imported by conformance.test.mjs.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import path from "node:path";

const PROTOCOL = "ikd-conformance-protocol/1";

/** Loads the package's Node entry point from its folder. */
export async function loadPackage(dir) {
  return import(pathToFileURL(path.join(dir, "node.js")).href);
}

const bytes = (hex) => new Uint8Array(Buffer.from(hex, "hex"));

/** The verdict of one request, as the runner protocol wants it. */
export function answer(ikd, request) {
  if (request.protocol !== PROTOCOL) {
    return { error: `only ${PROTOCOL} is spoken here` };
  }
  const trust = request.trust.trust_store
    ? ikd.TrustData.fromStoreJson(JSON.stringify(request.trust.trust_store))
    : ikd.TrustData.fromTrustListWithRootKeys(
        bytes(request.trust.trust_list.token),
        request.trust.trust_list.roots,
      );
  for (const list of request.status_lists ?? []) {
    trust.addStatusList(bytes(list.token));
  }
  // The request's policy is the package's policy JSON form, every member given.
  const verifier = new ikd.Verifier(trust, ikd.Policy.fromJson(JSON.stringify(request.policy)));
  if (request.replay_store_unavailable) {
    verifier.replayStoreUnavailable();
  } else if (request.replay) {
    verifier.useReplayCache(16);
  }
  const challenge = request.challenge
    ? new ikd.Challenge(request.challenge.nonce, request.challenge.audience)
    : null;
  const verify = () =>
    challenge
      ? verifier.verifyWithChallenge(request.qr, request.now, challenge)
      : verifier.verify(request.qr, request.now);
  if (request.replay) {
    verify();
  }
  const outcome = verify();
  const verdict = outcome.verdict();
  // The protocol's extra details, from the typed accessors.
  if (verdict.reason) {
    if (outcome.coseTag !== undefined) verdict.reason.tag = outcome.coseTag;
    if (outcome.docTypeNumber !== undefined) verdict.reason.doc_type_number = outcome.docTypeNumber;
    if (outcome.siakCode !== undefined) verdict.reason.siak_code = outcome.siakCode;
  }
  return verdict;
}

async function main() {
  const ikd = await loadPackage(process.argv[2]);
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let reply;
    try {
      reply = answer(ikd, JSON.parse(line));
    } catch (e) {
      reply = { error: `${e.code ?? e.name}: ${e.message}` };
    }
    process.stdout.write(JSON.stringify(reply) + "\n");
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
