//! Examples of embedding the IKD SDK; see the binaries in src/bin.
