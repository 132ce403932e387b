//! profile (see docs/architecture.md).
