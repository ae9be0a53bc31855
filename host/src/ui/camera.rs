//! Cameras the app offers as a target.
//!
//! Where: the target panel's "Camera" choice lists what [`list`] finds. Camera capture
//! belongs to live mode (`liveswap cameras`, `host/src/live/`), which is not part of this
//! build yet: until it is, nothing is listed and the panel says "No camera found". This is
//! the one function to swap for live mode's camera query.

/// Camera names, in the order the system lists them.
pub fn list() -> Vec<String> {
    Vec::new()
}
