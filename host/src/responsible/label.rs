//! The visible "AI-GENERATED" mark (`--label`, or `label = true` in the profile).
//!
//! Where: drawn by the host on the finished frame — after every processor, just before the
//! image is saved, the video frame is queued for the encoder, or the live frame goes to the
//! window and virtual camera — so it looks the same for every output and no processor can
//! cover it. It is an addition to the metadata label every output carries.
//!
//! What: white [`TEXT`] in the built-in 5×7 font on a black box in the bottom-right corner.
//! Each font pixel is `scale × scale` with `scale = max(1, min(width, height) / 256)`; the box
//! pads the text by `2 × scale` pixels and sits `2 × scale` pixels from the right and bottom
//! edges ([`label_rect`]). A frame too small to hold it is left unlabelled (with a warning).

use liveswap_sdk::OwnedImage;
use liveswap_vision::ImageViewMut;
use liveswap_vision::draw::{draw_text, fill_rect, text_size};

/// The mark's text.
pub const TEXT: &str = "AI-GENERATED";
/// Text colour.
pub const TEXT_COLOR: [u8; 3] = [255, 255, 255];
/// Box colour.
pub const BOX_COLOR: [u8; 3] = [0, 0, 0];

/// Font scale for a frame.
pub fn scale(width: u32, height: u32) -> u32 {
    (width.min(height) / 256).max(1)
}

/// The box `[x0, y0, x1, y1]` (inclusive pixel indices) the mark covers on a frame of this size,
/// or `None` when it does not fit.
pub fn label_rect(width: u32, height: u32) -> Option<[u32; 4]> {
    let s = scale(width, height);
    let (tw, th) = text_size(TEXT, s);
    let (tw, th) = (u32::try_from(tw).ok()?, u32::try_from(th).ok()?);
    let pad = 2 * s;
    let (bw, bh) = (tw + 2 * pad, th + 2 * pad);
    if bw + pad > width || bh + pad > height {
        return None;
    }
    let x1 = width - 1 - pad;
    let y1 = height - 1 - pad;
    Some([x1 + 1 - bw, y1 + 1 - bh, x1, y1])
}

/// Draws the mark onto `frame` (packed RGB8). Returns whether it fitted.
pub fn draw_label(frame: &mut OwnedImage) -> bool {
    let (w, h) = (frame.width, frame.height);
    let Some([x0, y0, x1, y1]) = label_rect(w, h) else {
        tracing::warn!("the frame ({w}×{h}) is too small for the AI-GENERATED label");
        return false;
    };
    let Ok(mut view) = ImageViewMut::new(
        frame.data.as_mut_slice(),
        w as usize,
        h as usize,
        w as usize * 3,
        3,
    ) else {
        return false;
    };
    let s = scale(w, h);
    let c = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    fill_rect(&mut view, c(x0), c(y0), c(x1), c(y1), BOX_COLOR);
    draw_text(&mut view, c(x0 + 2 * s), c(y0 + 2 * s), TEXT, TEXT_COLOR, s);
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn grey(w: u32, h: u32) -> OwnedImage {
        OwnedImage {
            data: vec![128u8; (w * h * 3) as usize].into(),
            width: w,
            height: h,
        }
    }

    #[test]
    fn the_mark_is_in_the_bottom_right_box_and_nowhere_else() {
        let (w, h) = (640, 360);
        let mut f = grey(w, h);
        assert!(draw_label(&mut f));
        let [x0, y0, x1, y1] = label_rect(w, h).unwrap();
        // scale 1: text 71 × 7, pad 2 → box 75 × 11, 2 px from the edges.
        assert_eq!([x0, y0, x1, y1], [640 - 2 - 75, 360 - 2 - 11, 637, 357]);
        let (mut white, mut black) = (0, 0);
        for y in 0..h {
            for x in 0..w {
                let i = ((y * w + x) * 3) as usize;
                let px = &f.data[i..i + 3];
                let inside = (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
                if !inside {
                    assert_eq!(px, [128, 128, 128], "({x}, {y}) outside the box changed");
                } else if px == TEXT_COLOR {
                    white += 1;
                } else {
                    assert_eq!(px, BOX_COLOR, "({x}, {y})");
                    black += 1;
                }
            }
        }
        assert!(
            white > 100 && black > white,
            "{white} text px, {black} box px"
        );
    }

    #[test]
    fn the_mark_grows_with_the_frame_and_tiny_frames_are_left_alone() {
        assert_eq!(scale(1920, 1080), 4);
        let [x0, _, x1, _] = label_rect(1920, 1080).unwrap();
        assert_eq!(x1 - x0 + 1, 71 * 4 + 16);
        let mut tiny = grey(40, 20);
        assert!(!draw_label(&mut tiny));
        assert_eq!(tiny, grey(40, 20));
    }
}
