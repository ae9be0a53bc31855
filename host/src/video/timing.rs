//! Output timestamps: the input's own, or the same times on an exact frame grid.
//!
//! Where: the writer maps every frame's source timestamp through a [`Retimer`] before it
//! reaches the encoder. Why: some containers store times in coarse units, Matroska and
//! WebM in milliseconds, so a 30000/1001 or 24 fps video's frames sit at rounded times
//! (0, 33, 67, 100 ms …). Copied as they are into MP4, those rounded times would make the
//! output's frame rate 30/1 or 23.8 instead of the input's. When the input's time base
//! cannot express the frame period exactly, the retimer switches to a fine time base in
//! which it can (1/90000-ish, a multiple of the rate's numerator) and puts every frame that
//! lies within half an input tick of the frame grid exactly on it. Frames off the grid
//! (variable frame rate) keep their own time, so VFR stays VFR.

use ffmpeg_next::Rational;

/// Maps input timestamps (and durations) to the encoder's time base.
#[derive(Debug, Clone)]
pub(super) struct Retimer {
    in_tb: Rational,
    out_tb: Rational,
    /// Frame period in output ticks, when snapping to a grid.
    period: Option<i64>,
    /// Output time of the first frame (grid origin) and its input pts.
    origin: Option<(i64, i64)>,
    last: Option<i64>,
}

impl Retimer {
    /// A retimer for a stream with time base `in_tb` and average frame rate `rate`.
    pub fn new(in_tb: Rational, rate: Rational) -> Self {
        let identity = Self {
            in_tb,
            out_tb: in_tb,
            period: None,
            origin: None,
            last: None,
        };
        let (a, b) = (i64::from(in_tb.numerator()), i64::from(in_tb.denominator()));
        let (num, den) = (i64::from(rate.numerator()), i64::from(rate.denominator()));
        if a <= 0 || b <= 0 || num <= 0 || den <= 0 {
            return identity;
        }
        // The frame period den/num seconds is a whole number of input ticks a/b when
        // den·b is a multiple of num·a: then the input's own times are already exact.
        if (den * b) % (num * a) == 0 {
            return identity;
        }
        // Output ticks of 1/(num·k) s make the period den·k ticks; k brings the clock to
        // about 90 kHz (the MPEG clock) so off-grid frames keep a fine resolution.
        let k = (90_000 + num - 1) / num;
        let Ok(ticks) = i32::try_from(num * k) else {
            return identity;
        };
        Self {
            in_tb,
            out_tb: Rational(1, ticks),
            period: Some(den * k),
            origin: None,
            last: None,
        }
    }

    /// The encoder's time base.
    pub fn out_tb(&self) -> Rational {
        self.out_tb
    }

    /// Anchors the frame grid at input time `pts` (by default the first frame's): a
    /// segment that starts later than the video anchors it at the video's first frame, so
    /// its frames land on the same grid times as in a run from the start.
    pub fn anchor(&mut self, pts: i64) {
        if self.period.is_some() && self.origin.is_none() {
            let a = i128::from(self.in_tb.numerator());
            let b = i128::from(self.in_tb.denominator());
            let n = i128::from(self.out_tb.denominator());
            self.origin = Some((round_div(i128::from(pts) * a * n, b) as i64, pts));
        }
    }

    /// Output pts and duration for a frame with input `pts` and `duration`.
    pub fn map(&mut self, pts: i64, duration: i64) -> (i64, i64) {
        let Some(period) = self.period else {
            return (pts, duration);
        };
        self.anchor(pts);
        let a = i128::from(self.in_tb.numerator());
        let b = i128::from(self.in_tb.denominator());
        let n = i128::from(self.out_tb.denominator());
        let p = i128::from(period);
        // Everything below is in output ticks multiplied by b, so it stays exact.
        let Some((origin, p0)) = self.origin else {
            return (pts, duration);
        };
        let x = (i128::from(pts) - i128::from(p0)) * a * n;
        let frames = round_div(x, p * b);
        let err = (x - frames * p * b).abs();
        let mut out = if 2 * err <= a * n {
            i128::from(origin) + frames * p
        } else {
            i128::from(origin) + round_div(x, b)
        } as i64;
        if let Some(last) = self.last
            && out <= last
        {
            out = last + 1;
        }
        self.last = Some(out);
        let d = i128::from(duration) * a * n;
        let dur = if (d - p * b).abs() <= a * n {
            period
        } else {
            (round_div(d, b) as i64).max(1)
        };
        (out, dur)
    }
}

/// `x / d` rounded to the nearest integer (halves up), for exact tick arithmetic.
fn round_div(x: i128, d: i128) -> i128 {
    (x + d.div_euclid(2)).div_euclid(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_time_bases_pass_through() {
        // MP4's 1/30000 holds 1001-tick frames; 1/11988 holds 2997/100 fps (400 ticks).
        for (tb, rate) in [
            (Rational(1, 30000), Rational(30000, 1001)),
            (Rational(1, 11988), Rational(2997, 100)),
            (Rational(1, 1000), Rational(25, 1)),
        ] {
            let mut r = Retimer::new(tb, rate);
            assert_eq!(r.out_tb(), tb);
            assert_eq!(r.map(1234, 40), (1234, 40));
        }
    }

    #[test]
    fn millisecond_times_land_on_the_exact_grid() {
        // 30000/1001 in Matroska: 0, 33, 67, 100, 133 ms …
        let mut r = Retimer::new(Rational(1, 1000), Rational(30000, 1001));
        assert_eq!(r.out_tb(), Rational(1, 90000));
        for k in 0..100i64 {
            let ms = (k * 1001 + 15) / 30; // rounded to the millisecond
            assert_eq!(r.map(ms, 33), (k * 3003, 3003), "frame {k}");
        }
        // 24 fps, starting at 7 ms (e.g. after an audio delay).
        let mut r = Retimer::new(Rational(1, 1000), Rational(24, 1));
        let tb = r.out_tb();
        assert_eq!(tb, Rational(1, 90000));
        let origin = 7 * 90;
        for k in 0..50i64 {
            let ms = 7 + (k * 1000 + 12) / 24;
            assert_eq!(r.map(ms, 42).0, origin + k * 3750, "frame {k}");
        }
    }

    #[test]
    fn a_late_start_anchored_at_the_video_start_keeps_the_grid() {
        // Frames 40.. of a 30000/1001 Matroska video (ms times), anchored at frame 0.
        let ms = |k: i64| (k * 1001 + 15) / 30;
        let mut whole = Retimer::new(Rational(1, 1000), Rational(30000, 1001));
        let expected: Vec<(i64, i64)> = (0..60).map(|k| whole.map(ms(k), 33)).collect();
        let mut late = Retimer::new(Rational(1, 1000), Rational(30000, 1001));
        late.anchor(ms(0));
        for k in 40..60 {
            assert_eq!(late.map(ms(k), 33), expected[k as usize], "frame {k}");
        }
    }

    #[test]
    fn off_grid_frames_keep_their_time() {
        // 15 frames at 30000/1001, then a 100 ms gap: VFR stays.
        let mut r = Retimer::new(Rational(1, 1000), Rational(30000, 1001));
        let mut last = 0;
        for k in 0..15i64 {
            last = r.map((k * 1001 + 15) / 30, 33).0;
        }
        // 580 ms is 12.8 ms away from the nearest grid time (567.2 ms).
        let (gap, dur) = r.map(580, 100);
        assert_eq!(gap, 580 * 90, "not snapped");
        assert_eq!(dur, 9000);
        assert!(gap > last);
        // Equal or decreasing inputs still give increasing outputs.
        assert!(r.map(580, 33).0 > gap);
    }
}
