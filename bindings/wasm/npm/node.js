// Node's entry point: the WebAssembly module and the region tables are read from beside
// this file at import, so that every export is ready to call.
import { readFileSync } from "node:fs";
import { initSync, loadRegionTables } from "./ikd_wasm.js";

initSync({ module: readFileSync(new URL("./ikd_wasm_bg.wasm", import.meta.url)) });
loadRegionTables(readFileSync(new URL("./ikd_wilayah.bin", import.meta.url)));

export * from "./ikd_wasm.js";
