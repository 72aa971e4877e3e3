// Node's entry point instantiates the module and loads the region tables at import: no
// init call is needed.
export * from "./ikd_wasm.js";
