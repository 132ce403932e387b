//! Pure types and rules. No I/O, no UI: this module imports neither ratatui nor rusqlite.

pub mod audit;
pub mod calendar;
pub mod checks;
pub mod deadline;
pub mod diff;
pub mod item;
pub mod profile;
pub mod workflow;
