//! export (see docs/architecture.md).
