//! Choosing the face of a source image.

use liveswap_sdk::Face;

/// The face to use from a source image: the largest by box area. Returns `None` when there
/// is none; logs a warning naming the file when there are several.
pub fn pick_source_face(faces: &[Face], label: &str) -> Option<Face> {
    if faces.len() > 1 {
        tracing::warn!(
            source = label,
            faces = faces.len(),
            "source image has several faces; using the largest"
        );
    }
    faces
        .iter()
        .max_by(|a, b| a.area().total_cmp(&b.area()))
        .cloned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn largest_face_wins() {
        let f = |w: f32, score: f32| Face::new([0.0, 0.0, w, w], score, [[0.0; 2]; 5]);
        let faces = [f(10.0, 0.9), f(30.0, 0.6), f(20.0, 0.8)];
        assert_eq!(pick_source_face(&faces, "x").unwrap().bbox[2], 30.0);
        assert!(pick_source_face(&[], "x").is_none());
    }
}
