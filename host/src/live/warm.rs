//! The warm-up frame: what the pipeline processes once before the camera starts
//! ([`crate::pipeline::Pipeline::warm_up`]).
//!
//! Why a picture and not a blank frame: the first frame with a face is the expensive one —
//! ONNX Runtime plans memory at each new input size (the camera's size, the detector's input
//! for it), and the swapper builds its per-source state (the morpher's mesh of the source
//! face) and sizes its buffers. A mid-grey frame of the camera's size with the first source
//! photo in the middle walks every stage down that path, so the camera's first frame costs
//! what later ones do and no camera frame is dropped while it is processed.

use image::{RgbImage, imageops};
use liveswap_sdk::{OwnedImage, SourceFace};

/// The background level.
pub const GREY: u8 = 128;

/// A `width × height` mid-grey frame with the first source's whole photo scaled to fit its
/// middle two thirds (aspect kept); only grey without a source (or with a malformed one).
pub fn warm_up_frame(width: u32, height: u32, sources: &[SourceFace]) -> OwnedImage {
    let mut frame = RgbImage::from_pixel(width, height, image::Rgb([GREY; 3]));
    let photo = sources
        .first()
        .and_then(|s| RgbImage::from_raw(s.image.width, s.image.height, s.image.data.to_vec()));
    if let Some(photo) = photo.filter(|p| p.width() > 0 && p.height() > 0) {
        let scale = (f64::from(width) * 2.0 / 3.0 / f64::from(photo.width()))
            .min(f64::from(height) * 2.0 / 3.0 / f64::from(photo.height()));
        let (w, h) = (
            ((f64::from(photo.width()) * scale).round() as u32).max(1),
            ((f64::from(photo.height()) * scale).round() as u32).max(1),
        );
        let small = imageops::resize(&photo, w, h, imageops::FilterType::Triangle);
        let (x, y) = ((width - w.min(width)) / 2, (height - h.min(height)) / 2);
        imageops::overlay(&mut frame, &small, i64::from(x), i64::from(y));
    }
    OwnedImage {
        data: frame.into_raw().into(),
        width,
        height,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use liveswap_sdk::Face;

    fn source(width: u32, height: u32, level: u8) -> SourceFace {
        SourceFace {
            label: "s.png".into(),
            role: "source".into(),
            image: OwnedImage {
                data: vec![level; (width * height * 3) as usize].into(),
                width,
                height,
            },
            face: Face::new([0.0, 0.0, 1.0, 1.0], 1.0, [[0.0; 2]; 5]),
        }
    }

    fn at(img: &OwnedImage, x: u32, y: u32) -> u8 {
        img.data[((y * img.width + x) * 3) as usize]
    }

    #[test]
    fn the_first_source_fills_the_middle_two_thirds_on_grey() {
        // A square photo in a 16:9 frame: 240 x 240 in the middle of 640 x 360.
        let f = warm_up_frame(640, 360, &[source(512, 512, 10), source(50, 50, 250)]);
        assert_eq!((f.width, f.height, f.data.len()), (640, 360, 640 * 360 * 3));
        assert_eq!(at(&f, 320, 180), 10, "the first source in the middle");
        assert_eq!(at(&f, 201, 61), 10);
        assert_eq!(at(&f, 438, 298), 10);
        assert_eq!(at(&f, 199, 180), GREY, "grey around it");
        assert_eq!(at(&f, 320, 59), GREY);
        assert_eq!(at(&f, 0, 0), GREY);
    }

    #[test]
    fn without_a_usable_source_the_frame_is_grey() {
        let mut broken = source(4, 4, 10);
        broken.image.data = vec![0u8; 5].into();
        for sources in [vec![], vec![broken]] {
            let f = warm_up_frame(32, 18, &sources);
            assert!(f.data.iter().all(|&b| b == GREY));
        }
    }
}
