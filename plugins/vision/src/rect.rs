//! [`Rect`]: an integer pixel box with exclusive ends, used to restrict warps and paste-back to a
//! face's region of the frame (the oracle's `*_xyxy` boxes use the same convention).
//!
//! Pipeline position: produced by [`crate::affine::warp_bounds`], consumed by the `_into` warps.

/// An axis-aligned pixel box `[x0, x1) × [y0, y1)` (exclusive ends, like the oracle's `*_xyxy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rect {
    /// First column inside the box.
    pub x0: usize,
    /// First row inside the box.
    pub y0: usize,
    /// One past the last column inside the box.
    pub x1: usize,
    /// One past the last row inside the box.
    pub y1: usize,
}

impl Rect {
    /// A box from its corners (exclusive `x1`, `y1`); an inverted box is empty, not an error.
    #[must_use]
    pub const fn new(x0: usize, y0: usize, x1: usize, y1: usize) -> Self {
        Self { x0, y0, x1, y1 }
    }

    /// The whole `width × height` image.
    #[must_use]
    pub const fn full(width: usize, height: usize) -> Self {
        Self::new(0, 0, width, height)
    }

    /// Width in pixels (0 when inverted).
    #[must_use]
    pub const fn width(&self) -> usize {
        self.x1.saturating_sub(self.x0)
    }

    /// Height in pixels (0 when inverted).
    #[must_use]
    pub const fn height(&self) -> usize {
        self.y1.saturating_sub(self.y0)
    }

    /// True when the box holds no pixel.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.width() == 0 || self.height() == 0
    }

    /// This box clipped to a `width × height` image.
    #[must_use]
    pub fn clip(&self, width: usize, height: usize) -> Self {
        let x1 = self.x1.min(width);
        let y1 = self.y1.min(height);
        Self::new(self.x0.min(x1), self.y0.min(y1), x1, y1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverted_boxes_are_empty_and_clip_bounds() {
        assert_eq!(Rect::new(3, 3, 1, 9).width(), 0);
        assert!(Rect::new(3, 3, 1, 9).is_empty());
        assert!(Rect::new(0, 0, 5, 5).clip(0, 5).is_empty());
        assert_eq!(Rect::new(2, 2, 50, 9).clip(10, 8), Rect::new(2, 2, 10, 8));
        assert_eq!(
            Rect::new(20, 20, 50, 50).clip(10, 8),
            Rect::new(10, 8, 10, 8)
        );
    }
}
