//! Simple raster drawing for debug overlays (boxes, keypoints, labels) on an [`ImageViewMut`].
//!
//! Pipeline position: the `face_debugger` processor draws detections onto the output frame; the
//! host may draw stats. Nothing here affects the swap itself.
//!
//! Conventions: coordinates are pixel indices (x = column, y = row) as `i32`, may be negative or
//! far outside the image, and every primitive is clipped; nothing panics, and work is bounded by
//! the visible area (lines are clipped before rasterising). Colours are `[r, g, b]` written into
//! the first three channels (for a 1-channel image only `color[0]`; a 4th channel is left as is).
//! Rectangle corners are inclusive, like `cv2.rectangle`.

use crate::font::{ADVANCE, GLYPH_H, GLYPH_W, glyph};
use crate::image::ImageViewMut;

/// The largest line thickness [`draw_line`] honours.
pub const MAX_THICKNESS: i32 = 256;

/// Writes one pixel if it is inside the image (and the view's buffer).
fn put(img: &mut ImageViewMut<'_>, x: i64, y: i64, color: [u8; 3]) {
    if x < 0 || y < 0 {
        return;
    }
    let (x, y) = (x as usize, y as usize);
    if let Some(px) = img.pixel_mut(x, y) {
        let n = px.len().min(3);
        px[..n].copy_from_slice(&color[..n]);
    }
}

/// Fills the inclusive box `[x0, x1] × [y0, y1]` (any corner order), clipped.
pub fn fill_rect(img: &mut ImageViewMut<'_>, x0: i32, y0: i32, x1: i32, y1: i32, color: [u8; 3]) {
    fill_rect_i64(img, x0.into(), y0.into(), x1.into(), y1.into(), color);
}

fn fill_rect_i64(img: &mut ImageViewMut<'_>, x0: i64, y0: i64, x1: i64, y1: i64, color: [u8; 3]) {
    let (w, h) = (img.width as i64, img.height as i64);
    let (xa, xb) = (x0.min(x1).max(0), x0.max(x1).min(w - 1));
    let (ya, yb) = (y0.min(y1).max(0), y0.max(y1).min(h - 1));
    for y in ya..=yb {
        for x in xa..=xb {
            put(img, x, y, color);
        }
    }
}

/// Draws the outline of the inclusive box with corners (`x1`, `y1`) and (`x2`, `y2`).
///
/// The outline is `thickness` pixels wide, centred on the box edges like `cv2.rectangle`;
/// a negative `thickness` fills the box, 0 draws nothing.
pub fn draw_rect(
    img: &mut ImageViewMut<'_>,
    x1: i32,
    y1: i32,
    x2: i32,
    y2: i32,
    color: [u8; 3],
    thickness: i32,
) {
    if thickness < 0 {
        fill_rect(img, x1, y1, x2, y2, color);
        return;
    }
    if thickness == 0 {
        return;
    }
    let t = i64::from(thickness);
    let (lo, hi) = (-((t - 1) / 2), t / 2);
    let (xa, xb) = (i64::from(x1.min(x2)), i64::from(x1.max(x2)));
    let (ya, yb) = (i64::from(y1.min(y2)), i64::from(y1.max(y2)));
    fill_rect_i64(img, xa + lo, ya + lo, xb + hi, ya + hi, color);
    fill_rect_i64(img, xa + lo, yb + lo, xb + hi, yb + hi, color);
    fill_rect_i64(img, xa + lo, ya + lo, xa + hi, yb + hi, color);
    fill_rect_i64(img, xb + lo, ya + lo, xb + hi, yb + hi, color);
}

/// Clips the segment to `[lo, hi]²`-style box with Liang–Barsky; `None` when it misses.
fn clip_segment(
    p: [f64; 2],
    q: [f64; 2],
    min: [f64; 2],
    max: [f64; 2],
) -> Option<([f64; 2], [f64; 2])> {
    let d = [q[0] - p[0], q[1] - p[1]];
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for axis in 0..2 {
        for (num, den) in [
            (p[axis] - min[axis], -d[axis]),
            (max[axis] - p[axis], d[axis]),
        ] {
            if den == 0.0 {
                if num < 0.0 {
                    return None;
                }
            } else {
                let t = num / den;
                if den < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
    }
    (t0 <= t1).then(|| {
        (
            [p[0] + t0 * d[0], p[1] + t0 * d[1]],
            [p[0] + t1 * d[0], p[1] + t1 * d[1]],
        )
    })
}

/// Draws a straight line from (`x0`, `y0`) to (`x1`, `y1`) inclusive (Bresenham), stamping a
/// `thickness × thickness` square per point (`thickness <= 1` gives a 1-px line; thickness is
/// capped at [`MAX_THICKNESS`] to bound the work). The squares overhang the end points.
pub fn draw_line(
    img: &mut ImageViewMut<'_>,
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
    color: [u8; 3],
    thickness: i32,
) {
    let t = i64::from(thickness.clamp(1, MAX_THICKNESS));
    let (lo, hi) = (-((t - 1) / 2), t / 2);
    let margin = t as f64 + 1.0;
    let min = [-margin, -margin];
    let max = [img.width as f64 + margin, img.height as f64 + margin];
    let p = [f64::from(x0), f64::from(y0)];
    let q = [f64::from(x1), f64::from(y1)];
    let Some((a, b)) = clip_segment(p, q, min, max) else {
        return;
    };
    let (mut x, mut y) = (a[0].round() as i64, a[1].round() as i64);
    let (xe, ye) = (b[0].round() as i64, b[1].round() as i64);
    let (dx, dy) = ((xe - x).abs(), -(ye - y).abs());
    let (sx, sy) = (if x < xe { 1 } else { -1 }, if y < ye { 1 } else { -1 });
    let mut err = dx + dy;
    loop {
        if t == 1 {
            put(img, x, y, color);
        } else {
            fill_rect_i64(img, x + lo, y + lo, x + hi, y + hi, color);
        }
        if x == xe && y == ye {
            break;
        }
        let e2 = 2 * err;
        if e2 >= dy {
            err += dy;
            x += sx;
        }
        if e2 <= dx {
            err += dx;
            y += sy;
        }
    }
}

/// Fills the disc of pixels within distance `r` of (`cx`, `cy`) (`dx² + dy² <= r²`); `r < 0` draws nothing.
pub fn fill_circle(img: &mut ImageViewMut<'_>, cx: i32, cy: i32, r: i32, color: [u8; 3]) {
    if r < 0 {
        return;
    }
    let (cx, cy, r) = (i64::from(cx), i64::from(cy), i64::from(r));
    let h = img.height as i64;
    for y in (cy - r).max(0)..=(cy + r).min(h - 1) {
        let dy = y - cy;
        let rem = r * r - dy * dy;
        let mut dx = (rem as f64).sqrt() as i64;
        while dx * dx > rem {
            dx -= 1;
        }
        while (dx + 1) * (dx + 1) <= rem {
            dx += 1;
        }
        fill_rect_i64(img, cx - dx, y, cx + dx, y, color);
    }
}

/// The `(width, height)` in pixels that [`draw_text`] covers for `text` at `scale`.
#[must_use]
pub fn text_size(text: &str, scale: u32) -> (usize, usize) {
    let n = text.chars().count();
    let s = scale as usize;
    (
        (n.saturating_mul(ADVANCE))
            .saturating_sub(1)
            .saturating_mul(s),
        GLYPH_H.saturating_mul(s),
    )
}

/// Draws `text` with the built-in 5×7 font ([`crate::font`]), top-left corner at (`x`, `y`),
/// each font pixel a `scale × scale` block (`scale` 0 draws nothing). Lowercase is drawn as uppercase.
pub fn draw_text(
    img: &mut ImageViewMut<'_>,
    x: i32,
    y: i32,
    text: &str,
    color: [u8; 3],
    scale: u32,
) {
    let s = i64::from(scale);
    if s == 0 {
        return;
    }
    let (x, y) = (i64::from(x), i64::from(y));
    let w = img.width as i64;
    for (i, c) in text.chars().enumerate() {
        let gx = x + i as i64 * ADVANCE as i64 * s;
        if gx >= w {
            break;
        }
        if gx + GLYPH_W as i64 * s < 0 {
            continue;
        }
        for (row, bits) in glyph(c).iter().enumerate() {
            for col in 0..GLYPH_W {
                if bits >> (GLYPH_W - 1 - col) & 1 == 1 {
                    let px = gx + col as i64 * s;
                    let py = y + row as i64 * s;
                    fill_rect_i64(img, px, py, px + s - 1, py + s - 1, color);
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::image::Image;

    const RED: [u8; 3] = [255, 0, 0];

    fn count(img: &Image) -> usize {
        img.data
            .chunks_exact(img.channels)
            .filter(|p| p[0] == 255)
            .count()
    }

    #[test]
    fn rect_outline_and_fill() {
        let mut img = Image::new(10, 10, 3).unwrap();
        draw_rect(&mut img.view_mut(), 2, 2, 5, 6, RED, 1);
        // Perimeter of a 4x5 inclusive box: 2*4 + 2*5 - 4 = 14.
        assert_eq!(count(&img), 14);
        assert_eq!(img.pixel(2, 4), Some(&RED[..]));
        assert_eq!(img.pixel(3, 4), Some(&[0u8, 0, 0][..]));
        let mut img = Image::new(10, 10, 3).unwrap();
        draw_rect(&mut img.view_mut(), 5, 6, 2, 2, RED, -1);
        assert_eq!(count(&img), 20);
    }

    #[test]
    fn line_endpoints_and_diagonal() {
        let mut img = Image::new(8, 8, 1).unwrap();
        draw_line(&mut img.view_mut(), 0, 0, 7, 7, RED, 1);
        assert_eq!(count(&img), 8);
        assert!((0..8).all(|i| img.pixel(i, i) == Some(&[255u8][..])));
        let mut img = Image::new(8, 8, 3).unwrap();
        draw_line(&mut img.view_mut(), 1, 3, 6, 3, RED, 3);
        // 3x3 stamps centred on x = 1..=6 cover columns 0..=7, rows 2..=4.
        assert_eq!(count(&img), 8 * 3);
    }

    #[test]
    fn circle_is_a_disc() {
        let mut img = Image::new(9, 9, 3).unwrap();
        fill_circle(&mut img.view_mut(), 4, 4, 2, RED);
        // Lattice points with dx^2+dy^2 <= 4: 13.
        assert_eq!(count(&img), 13);
    }

    #[test]
    fn text_draws_known_glyph_pixels() {
        let mut img = Image::new(20, 10, 3).unwrap();
        draw_text(&mut img.view_mut(), 1, 1, "1-", RED, 1);
        let ones: usize = glyph('1').iter().map(|r| r.count_ones() as usize).sum();
        assert_eq!(count(&img), ones + 5);
        assert_eq!(img.pixel(3, 1), Some(&RED[..]));
        assert_eq!(img.pixel(7, 4), Some(&RED[..]));
        assert_eq!(text_size("1-", 2), (22, 14));
    }

    #[test]
    fn everything_clips_without_panicking() {
        let mut img = Image::new(16, 12, 4).unwrap();
        let v = &mut img.view_mut();
        for &(a, b) in &[
            (-5, -5),
            (i32::MIN, i32::MAX),
            (i32::MAX, i32::MIN),
            (100, -100),
        ] {
            draw_rect(v, a, b, b, a, RED, 5);
            draw_rect(v, a, b, b, a, RED, -1);
            draw_line(v, a, b, b, a, RED, 7);
            draw_line(v, a, a, a, a, RED, 1);
            fill_circle(v, a, b, 30, RED);
            fill_circle(v, a, b, i32::MAX, RED);
            draw_text(v, a, b, "OVERFLOW 99%", RED, 3);
            draw_text(v, a, b, "x", RED, u32::MAX);
        }
        // The big fills reached the image, and the 4th channel is never written.
        assert!(img.data.chunks_exact(4).any(|p| p[0] == 255));
        assert!(img.data.chunks_exact(4).all(|p| p[3] == 0));
        // A view lying about its size must not panic either.
        let mut small = [0u8; 10];
        let mut bad = ImageViewMut {
            data: &mut small,
            width: 100,
            height: 100,
            stride: 300,
            channels: 3,
        };
        draw_rect(&mut bad, 0, 0, 99, 99, RED, -1);
        draw_text(&mut bad, 0, 0, "A", RED, 1);
        assert_eq!(small[..3], RED);
    }
}
