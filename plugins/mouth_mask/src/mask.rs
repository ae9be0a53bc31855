//! Rasterising the mouth polygon into a feathered alpha mask, and restoring through it.
//!
//! Pixel centres are at integer coordinates (OpenCV convention). A pixel's alpha is 0 outside
//! the polygon and `min(1, d / feather)` inside, `d` being its distance to the polygon's
//! edge: the feather lies wholly *inside* the grown polygon, so nothing outside it changes,
//! and everything deeper than `feather` pixels inside is restored exactly.

use liveswap_sdk::Point;
use liveswap_vision::{ImageView, ImageViewMut, Rect};

/// Alpha values over a box of the frame.
#[derive(Debug, Clone, PartialEq)]
pub struct AlphaMask {
    /// The box (frame pixels) the values cover.
    pub rect: Rect,
    /// `rect.width() × rect.height()` values in [0, 1], row-major.
    pub alpha: Vec<f32>,
}

impl AlphaMask {
    /// Alpha at frame pixel (`x`, `y`); 0 outside the box.
    pub fn at(&self, x: usize, y: usize) -> f32 {
        let r = self.rect;
        if !(r.x0..r.x1).contains(&x) || !(r.y0..r.y1).contains(&y) {
            return 0.0;
        }
        self.alpha[(y - r.y0) * r.width() + (x - r.x0)]
    }

    /// Sum of alpha (the restored area in pixels).
    pub fn area(&self) -> f64 {
        self.alpha.iter().map(|&a| f64::from(a)).sum()
    }
}

/// Even-odd point-in-polygon test.
pub fn inside(p: Point, poly: &[Point]) -> bool {
    let n = poly.len();
    let mut c = false;
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + 1) % n]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0];
            if p[0] < x {
                c = !c;
            }
        }
    }
    c
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(p: Point, a: Point, b: Point) -> f32 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (qx * qx + qy * qy).sqrt()
}

/// Distance from `p` to the polygon's edge.
pub fn edge_distance(p: Point, poly: &[Point]) -> f32 {
    let n = poly.len();
    (0..n)
        .map(|i| segment_distance(p, poly[i], poly[(i + 1) % n]))
        .fold(f32::INFINITY, f32::min)
}

/// The feathered mask of `poly` clipped to a `width × height` frame; `None` when the
/// polygon misses the frame or has fewer than 3 points.
pub fn rasterize(poly: &[Point], feather: f32, width: usize, height: usize) -> Option<AlphaMask> {
    if poly.len() < 3 {
        return None;
    }
    let fold =
        |f: fn(f32, f32) -> f32, init: f32, k: usize| poly.iter().map(|p| p[k]).fold(init, f);
    let (x0, x1) = (
        fold(f32::min, f32::INFINITY, 0),
        fold(f32::max, f32::NEG_INFINITY, 0),
    );
    let (y0, y1) = (
        fold(f32::min, f32::INFINITY, 1),
        fold(f32::max, f32::NEG_INFINITY, 1),
    );
    if !(x0.is_finite() && x1.is_finite() && y0.is_finite() && y1.is_finite()) {
        return None;
    }
    let clip = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi);
    let rect = Rect::new(
        clip(x0.floor(), width),
        clip(y0.floor(), height),
        clip(x1.ceil() + 1.0, width),
        clip(y1.ceil() + 1.0, height),
    );
    if rect.is_empty() {
        return None;
    }
    let mut alpha = vec![0.0f32; rect.width() * rect.height()];
    for y in rect.y0..rect.y1 {
        for x in rect.x0..rect.x1 {
            let p = [x as f32, y as f32];
            if !inside(p, poly) {
                continue;
            }
            let a = if feather > 0.0 {
                (edge_distance(p, poly) / feather).min(1.0)
            } else {
                1.0
            };
            alpha[(y - rect.y0) * rect.width() + (x - rect.x0)] = a;
        }
    }
    Some(AlphaMask { rect, alpha })
}

/// `frame = round(frame + alpha · (original − frame))` under the mask: alpha 1 copies the
/// original pixel exactly, alpha 0 leaves the frame pixel.
pub fn restore(frame: &mut ImageViewMut<'_>, original: &ImageView<'_>, mask: &AlphaMask) {
    let r = mask.rect;
    for y in r.y0..r.y1.min(frame.height).min(original.height) {
        let arow = &mask.alpha[(y - r.y0) * r.width()..(y - r.y0 + 1) * r.width()];
        let orow = &original.data[y * original.stride..];
        let frow = &mut frame.data[y * frame.stride..];
        for (rx, &a) in arow.iter().enumerate() {
            if a <= 0.0 {
                continue;
            }
            let x = r.x0 + rx;
            for c in 0..3 {
                let (o, s) = (f32::from(orow[x * 3 + c]), f32::from(frow[x * 3 + c]));
                frow[x * 3 + c] = (s + a * (o - s)).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

/// Debug overlay: tints the mask red in proportion to alpha and outlines the polygon in green.
pub fn overlay(frame: &mut ImageViewMut<'_>, mask: &AlphaMask, poly: &[Point]) {
    let r = mask.rect;
    for y in r.y0..r.y1.min(frame.height) {
        let row = &mut frame.data[y * frame.stride..];
        for x in r.x0..r.x1.min(frame.width) {
            let a = 0.5 * mask.at(x, y);
            if a <= 0.0 {
                continue;
            }
            for (c, target) in [255.0f32, 0.0, 0.0].iter().enumerate() {
                let v = f32::from(row[x * 3 + c]);
                row[x * 3 + c] = (v + a * (target - v)).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    let n = poly.len();
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + 1) % n]);
        liveswap_vision::draw::draw_line(
            frame,
            a[0].round() as i32,
            a[1].round() as i32,
            b[0].round() as i32,
            b[1].round() as i32,
            [0, 255, 0],
            1,
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_vision::Image;

    #[test]
    fn square_mask_feathers_inward_only() {
        let sq = [[10.0, 10.0], [30.0, 10.0], [30.0, 30.0], [10.0, 30.0]];
        let m = rasterize(&sq, 4.0, 50, 50).unwrap();
        assert_eq!(m.at(20, 20), 1.0);
        assert_eq!(m.at(14, 20), 1.0);
        assert_eq!(m.at(12, 20), 0.5);
        assert_eq!(m.at(5, 20), 0.0);
        assert_eq!(m.at(31, 20), 0.0);
        let hard = rasterize(&sq, 0.0, 50, 50).unwrap();
        assert_eq!(hard.at(11, 11), 1.0);
        assert!(rasterize(&sq, 1.0, 5, 5).is_none(), "outside the frame");
        assert!(rasterize(&sq[..2], 1.0, 50, 50).is_none());
    }

    #[test]
    fn restore_copies_under_full_alpha_and_nothing_elsewhere() {
        let original = Image::from_vec(vec![200; 40 * 40 * 3], 40, 40, 3).unwrap();
        let mut frame = Image::from_vec(vec![10; 40 * 40 * 3], 40, 40, 3).unwrap();
        let sq = [[5.0, 5.0], [35.0, 5.0], [35.0, 35.0], [5.0, 35.0]];
        let m = rasterize(&sq, 6.0, 40, 40).unwrap();
        restore(&mut frame.view_mut(), &original.view(), &m);
        assert_eq!(frame.pixel(20, 20), Some(&[200u8, 200, 200][..]));
        assert_eq!(frame.pixel(2, 20), Some(&[10u8, 10, 10][..]));
        assert_eq!(frame.pixel(8, 20), Some(&[105u8, 105, 105][..]));
    }
}
