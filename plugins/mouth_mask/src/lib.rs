//! # mouth_mask — keep the target's own mouth after a swap
//!
//! Swappers replace the whole inner face, mouth included, and a swapped mouth rarely follows
//! speech well. This processor puts the target's own mouth back: for every face, inside the
//! outer-lip outline of its insightface 2d106det landmarks ([`lips`]), grown by `size` and
//! extended toward the chin, it copies the pixels of the **original** frame
//! (`FrameCtx::original`, the frame before any processor ran) over the frame being built,
//! with a feathered edge that lies inside the grown outline ([`mask`]). Deeper than `feather`
//! pixels inside the outline the output equals the original exactly; outside the grown
//! outline the frame is untouched.
//!
//! It needs the analyser's faces with landmarks (`requires = [faces, landmarks_106]`):
//! profile validation refuses it unless an enabled `face_analyser` with a `landmark_model`
//! comes earlier. The landmarks are the target's own (the analyser ran on the original
//! frame), so they describe the original mouth wherever the swapper moved things.
//! Every face with landmarks is processed, whatever the swapper's `face_selection`; on a face
//! nobody swapped, the frame already equals the original there, so it is a no-op.
//!
//! ## Profile order
//! It always restores from the original frame, so it composes in any order after a swapper:
//! * **swapper → mouth_mask → face_enhancer** (`profiles/quality.toml`, recommended): the
//!   original mouth is put back first and the enhancer then restores the whole face, mouth
//!   included, so the mouth gets the same enhanced look as the rest of the face. With
//!   `face_enhancer.faces = "swapped"` the face still counts as swapped (only its mouth area
//!   equals the original).
//! * **swapper → face_enhancer → mouth_mask**: the enhancer works on the swapped face, then
//!   the original, un-enhanced mouth is pasted over it: the mouth is exactly the source
//!   frame's, which can look softer than the enhanced face around it.
//! * Before any swapper it does nothing useful (frame and original are still equal).
//!
//! ## Settings (all live)
//! | key | type | default | range |
//! |---|---|---|---|
//! | `size` | int | 50 | 0–100 (0 = off: the frame is left untouched) |
//! | `feather` | int (px) | 6 | 0–50 |
//! | `show_mask` | bool | false | debug overlay: restored area tinted red, outline in green |

mod imp;
pub mod lips;
pub mod mask;
pub mod settings;

pub use imp::{MouthMask, MouthMaskProcessor};
pub use settings::MouthMaskSettings;

liveswap_sdk::export_processor!(MouthMask);
