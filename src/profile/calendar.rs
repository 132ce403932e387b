//! Loading calendar files.
