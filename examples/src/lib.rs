//! Examples of embedding the IKD SDK; see the binaries in `src/bin` and `README.md`.
//!
//! - `counter`: counter software that reads QR texts from a keyboard-wedge scanner, one
//!   per line, and shows each verdict.
