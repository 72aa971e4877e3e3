// The region tables live in a file beside the module (ikd_wilayah.bin). A module
// instantiated without them refuses to verify rather than warn that every region code
// is unknown; only the exact tables it was built with are accepted (SHA-256). This file
// instantiates the module itself, without Node's entry point, so it starts with none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.env.IKD_WASM_PKG;
const ikd = await import(pathToFileURL(path.join(dir, "ikd_wasm.js")).href);
ikd.initSync({ module: readFileSync(path.join(dir, "ikd_wasm_bg.wasm")) });
const tables = readFileSync(path.join(dir, "ikd_wilayah.bin"));
const fx = JSON.parse(readFileSync(process.env.IKD_WASM_FIXTURES, "utf8"));

const throwsCode = (f, code) =>
  assert.throws(f, (e) => {
    assert.equal(e.code, code, e.message);
    assert.equal(e.name, "IkdError");
    return true;
  });

test("without the region tables nothing verifies; only the right file installs them", () => {
  const verifier = new ikd.Verifier(ikd.TrustData.fromStoreJson(fx.trust_store), new ikd.Policy());
  assert.equal(ikd.hasRegionTables(), false);
  throwsCode(() => verifier.verify(fx.kk_qr, fx.now), "region_tables_missing");
  throwsCode(
    () => verifier.verifyWithChallenge(fx.kk_qr, fx.now, new ikd.Challenge("ABCD2345")),
    "region_tables_missing",
  );

  assert.equal(ikd.regionTablesSha256(), createHash("sha256").update(tables).digest("hex"));
  throwsCode(() => ikd.loadRegionTables(new Uint8Array([1, 2, 3])), "region_tables_invalid");
  const altered = Uint8Array.from(tables);
  altered[altered.length - 1] ^= 1;
  throwsCode(() => ikd.loadRegionTables(altered), "region_tables_invalid");
  assert.equal(ikd.hasRegionTables(), false);

  ikd.loadRegionTables(tables);
  ikd.loadRegionTables(tables); // again: harmless
  assert.equal(ikd.hasRegionTables(), true);
  const outcome = verifier.verify(fx.kk_qr, fx.now);
  assert.equal(outcome.valid, true, outcome.verdictJson());
  assert.deepEqual(outcome.warningCodes, []);
  // The names come from the tables: the sample KK's desa.
  assert.match(outcome.verdictJson(), /Gegerkalong/);
});
