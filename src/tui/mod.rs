//! tui (see docs/architecture.md).
