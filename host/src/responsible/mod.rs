//! Responsible use: what the host does besides running the profile to keep liveswap from being
//! used to make sexual images of real people without their consent, and to keep its output
//! recognisable as synthetic.
//!
//! - [`guard`]: the content guard's verdicts — one warning when a pipeline runs without a
//!   content classifier, and what live output shows while frames are refused. The refusal of
//!   an image or video run is `CommandError::Refused` (commands).
//! - [`consent`]: the one-time notice (`run`, `preview`, `live`, `ui`) and where its
//!   acceptance is recorded.
//! - [`label`]: the optional visible "AI-GENERATED" mark, drawn by the host on every output
//!   frame just before it is written, encoded or shown (after every processor).

pub mod consent;
pub mod guard;
pub mod label;
