//! The output layer: what a caller shows or stores. The report (verdict JSON), purpose
//! disclosure, display sections with region names, the unverified inspection, the signed
//! verification receipt, and the JSON Schemas these outputs follow.

pub mod disclosure;
pub mod display;
pub mod inspect;
pub mod receipt;
pub mod report;
pub mod schemas;
