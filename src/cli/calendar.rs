//! `bientap calendar …`.
