//! Deadline arithmetic (see issue: deadlines).
