//! Drawing one face's annotations onto an RGB frame.

use crate::settings::FaceDebuggerSettings;
use liveswap_sdk::Face;
use liveswap_vision::ImageViewMut;
use liveswap_vision::draw::{draw_rect, draw_text, fill_circle};

/// Draws a face: box, keypoints (radius grows with thickness), landmarks (1-px dots
/// scaled like keypoints but smaller) and the score as a percentage above the box.
pub fn draw_face(img: &mut ImageViewMut<'_>, face: &Face, s: &FaceDebuggerSettings) {
    let t = s.thickness as i32;
    let [x1, y1, x2, y2] = face.bbox.map(|v| v.round() as i32);
    if s.boxes {
        draw_rect(img, x1, y1, x2, y2, s.color, t);
    }
    if s.keypoints {
        for [x, y] in face.kps {
            fill_circle(img, x.round() as i32, y.round() as i32, t + 1, s.color);
        }
    }
    if s.landmarks
        && let liveswap_sdk::abi_stable::std_types::ROption::RSome(points) = &face.landmarks_106
    {
        for [x, y] in points.iter() {
            fill_circle(
                img,
                x.round() as i32,
                y.round() as i32,
                (t / 2).max(1),
                s.color,
            );
        }
    }
    if s.scores {
        let scale = (s.thickness).clamp(1, 4);
        let text = format!("{:.0}%", face.score * 100.0);
        draw_text(img, x1, y1 - (8 * scale as i32) - t, &text, s.color, scale);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn draws_on_the_box_and_nowhere_far_from_it() {
        let (w, h) = (64usize, 64usize);
        let mut data = vec![7u8; w * h * 3];
        let face = Face::new(
            [20.0, 24.0, 40.0, 50.0],
            0.9,
            [
                [25.0, 30.0],
                [35.0, 30.0],
                [30.0, 36.0],
                [26.0, 42.0],
                [34.0, 42.0],
            ],
        );
        let s = FaceDebuggerSettings {
            scores: false,
            ..FaceDebuggerSettings::default()
        };
        draw_face(
            &mut ImageViewMut::new(&mut data, w, h, w * 3, 3).unwrap(),
            &face,
            &s,
        );
        let px = |x: usize, y: usize| &data[(y * w + x) * 3..(y * w + x) * 3 + 3];
        assert_eq!(px(20, 30), s.color, "left edge of the box");
        assert_eq!(px(25, 30), s.color, "left eye keypoint");
        assert_eq!(px(5, 5), [7, 7, 7], "far corner untouched");
        assert_eq!(px(60, 60), [7, 7, 7], "far corner untouched");
        let changed = data.chunks_exact(3).filter(|p| *p != [7, 7, 7]).count();
        assert!(
            changed > 80 && changed < 20 * 26,
            "{changed} pixels changed"
        );
    }

    #[test]
    fn faces_outside_the_frame_do_not_panic() {
        let mut data = vec![0u8; 8 * 8 * 3];
        let face = Face::new([-50.0, -50.0, 500.0, 500.0], 1.0, [[-9.0, 900.0]; 5]);
        draw_face(
            &mut ImageViewMut::new(&mut data, 8, 8, 24, 3).unwrap(),
            &face,
            &FaceDebuggerSettings::default(),
        );
    }
}
