//! Parity tests against the insightface 0.7.3 oracle in `shared/reference/` (README §2–§7).
//!
//! Each stage is fed the oracle's own inputs, so upstream drift does not accumulate:
//!
//! * `letterbox`: decoded frames → SCRFD letterbox, `det_input_sha256` bit-exact (640 and 320);
//! * `scrfd`: recorded raw network distances → decoded boxes/kps, then sort + NMS → `faces`;
//! * `alignment`: oracle kps → `arcface.M`, oracle bbox → `landmark_2d_106.M`/`IM`;
//! * `crops`: oracle `M` → 112/192 crops vs the PNGs (≤ 1 level on ≤ 0.5% of pixels);
//! * `swap`: swap-step `M`/`IM` at 128 and the step-0 target crop;
//! * `paste_mask`: the paste-back mask (warped f32 mask, erode, blur) vs its recorded statistics;
//! * `opencv410`: the fixed-point warp vs the OpenCV 4.10 rebuild's crop hashes (bit-exact).
//!
//! The oracle directory is required: when it is missing every test fails with a message.
//! Observed errors are printed (`cargo test -- --nocapture`) for the parity report.

#![allow(clippy::unwrap_used, reason = "tests")]
// Submodules live in tests/oracle/ (not auto-discovered as separate test targets).
#![allow(clippy::print_stderr, reason = "tests print observed parity errors")]

#[path = "oracle/alignment.rs"]
mod alignment;
#[path = "oracle/common.rs"]
mod common;
#[path = "oracle/crops.rs"]
mod crops;
#[path = "oracle/letterbox.rs"]
mod letterbox;
#[path = "oracle/opencv410.rs"]
mod opencv410;
#[path = "oracle/paste_mask.rs"]
mod paste_mask;
#[path = "oracle/scrfd.rs"]
mod scrfd;
#[path = "oracle/swap.rs"]
mod swap;
