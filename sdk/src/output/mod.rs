//! The output layer: what a caller shows or stores. The report (verdict JSON), purpose
//! disclosure, display sections with region names, the unverified inspection, and the
//! JSON Schemas these outputs follow.

pub mod disclosure;
pub mod display;
pub mod inspect;
pub mod report;
pub mod schemas;
