//! Working-day calendar (see issue: deadlines).
