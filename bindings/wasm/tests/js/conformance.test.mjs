// Every conformance vector through the npm package: the verdict must be identical to the
// Rust SDK's, member for member. IKD_WASM_PKG is the built package; IKD_WASM_EXPECTED a
// file of JSON lines {"request": …, "verdict": …} that the Rust test wrote with the SDK.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { answer, loadPackage } from "./adapter.mjs";

const ikd = await loadPackage(process.env.IKD_WASM_PKG);
const cases = readFileSync(process.env.IKD_WASM_EXPECTED, "utf8")
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line));

test("the expected verdicts cover the whole suite", () => {
  assert.equal(cases.length, Number(process.env.IKD_WASM_VECTORS));
});

test("every vector's verdict is the Rust SDK's", () => {
  const differing = [];
  for (const { request, verdict } of cases) {
    const got = answer(ikd, request);
    try {
      assert.deepStrictEqual(got, verdict);
    } catch {
      differing.push(request.id);
    }
  }
  assert.deepEqual(differing, []);
});
