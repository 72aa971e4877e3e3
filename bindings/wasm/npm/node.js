// Node's entry point: the WebAssembly module is read from beside this file and
// instantiated at import, so that every export is ready to call.
import { readFileSync } from "node:fs";
import { initSync } from "./ikd_wasm.js";

initSync({ module: readFileSync(new URL("./ikd_wasm_bg.wasm", import.meta.url)) });

export * from "./ikd_wasm.js";
