// Node's entry point instantiates the module at import: no init call is needed.
export * from "./ikd_wasm.js";
