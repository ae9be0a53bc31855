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
}
