//! The command line: every action of the console, for scripts and cron.

pub mod calendar;
