//! `--show-fps`: processed fps and capture→sink latency drawn in the top-left corner of
//! the output (after the processors, so it is never swapped or analysed).

use liveswap_sdk::OwnedImage;
use liveswap_vision::ImageViewMut;
use liveswap_vision::draw::{draw_text, fill_rect, text_size};

/// Draws `"{fps} FPS  {latency} MS"` in white on a black box; the scale grows with the
/// frame (1 font pixel per 240 rows, at least 2) so it stays readable at 1080p.
pub fn draw_fps(image: &mut OwnedImage, fps: f64, latency_ms: f64) {
    let text = format!("{fps:.1} FPS  {latency_ms:.0} MS");
    let (w, h) = (image.width as usize, image.height as usize);
    let scale = (image.height / 240).max(2);
    let Ok(mut view) = ImageViewMut::new(image.data.as_mut_slice(), w, h, w * 3, 3) else {
        return;
    };
    let (tw, th) = text_size(&text, scale);
    let pad = scale as i32 * 2;
    fill_rect(
        &mut view,
        0,
        0,
        tw as i32 + 2 * pad,
        th as i32 + 2 * pad,
        [0, 0, 0],
    );
    draw_text(&mut view, pad, pad, &text, [255, 255, 255], scale);
}

/// What a blanked frame says (the font has capitals only).
pub const BLOCKED_TEXT: &str = "BLOCKED BY THE CONTENT GUARD";

/// Writes [`BLOCKED_TEXT`] in the middle of a frame the content guard refused (already
/// blanked), so whoever watches the sink sees why the picture is gone.
pub fn draw_blocked(image: &mut OwnedImage) {
    let (w, h) = (image.width as usize, image.height as usize);
    let mut scale = (image.height / 180).max(1);
    while scale > 1 && text_size(BLOCKED_TEXT, scale).0 > w {
        scale -= 1;
    }
    let Ok(mut view) = ImageViewMut::new(image.data.as_mut_slice(), w, h, w * 3, 3) else {
        return;
    };
    let (tw, th) = text_size(BLOCKED_TEXT, scale);
    let x = (w as i32 - tw as i32) / 2;
    let y = (h as i32 - th as i32) / 2;
    draw_text(
        &mut view,
        x.max(0),
        y.max(0),
        BLOCKED_TEXT,
        [255, 255, 255],
        scale,
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_overlay_draws_in_the_corner_only() {
        let mut img = OwnedImage {
            data: vec![100u8; 320 * 240 * 3].into(),
            width: 320,
            height: 240,
        };
        draw_fps(&mut img, 29.97, 41.0);
        let px =
            |x: usize, y: usize| &img.data.as_slice()[(y * 320 + x) * 3..(y * 320 + x) * 3 + 3];
        assert_eq!(px(0, 0), [0, 0, 0], "box");
        assert_eq!(px(319, 239), [100, 100, 100], "far corner untouched");
        let white = img
            .data
            .as_slice()
            .chunks(3)
            .filter(|p| *p == [255, 255, 255])
            .count();
        assert!(white > 50, "{white} text pixels");
    }

    #[test]
    fn a_blocked_frame_says_so_in_the_middle() {
        let mut img = OwnedImage {
            data: vec![32u8; 320 * 240 * 3].into(),
            width: 320,
            height: 240,
        };
        draw_blocked(&mut img);
        let white_rows: Vec<usize> = (0..240)
            .filter(|y| {
                img.data.as_slice()[y * 320 * 3..(y + 1) * 320 * 3]
                    .chunks(3)
                    .any(|p| p == [255, 255, 255])
            })
            .collect();
        assert!(!white_rows.is_empty());
        assert!(
            white_rows.iter().all(|y| (100..140).contains(y)),
            "{white_rows:?}"
        );
    }
}
