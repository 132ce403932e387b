//! Pure types and rules. No I/O, no UI: this module imports neither ratatui nor rusqlite.

pub mod profile;
pub mod calendar;
pub mod deadline;
