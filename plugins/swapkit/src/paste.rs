//! Paste-back (work in progress).
