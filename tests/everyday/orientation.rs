//! EXIF orientation: a real photo stored in each of the 8 orientations, with the tag that
//! says how to show it upright, reads back as the upright photo (exactly, in a lossless
//! format) and gives the upright photo's faces (JPEG); outputs are upright with no tag.

use super::{analyse, liveswap, media, s, text};
use image::{ImageEncoder, RgbImage, imageops};
use liveswap_host::media::load_rgb;
use liveswap_tests::temp_dir;
use std::path::Path;

/// A minimal little-endian EXIF (TIFF) block with one Orientation entry.
fn exif_orientation(o: u16) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"II*\0");
    b.extend_from_slice(&8u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    b.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&o.to_le_bytes());
    b.extend_from_slice(&[0, 0]);
    b.extend_from_slice(&0u32.to_le_bytes());
    b
}

/// How a camera stores an upright picture whose tag is `o`: the inverse of the transform
/// the tag asks a viewer to apply (EXIF: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose,
/// 6 rotate 90° clockwise, 7 transverse, 8 rotate 270°).
fn stored(up: &RgbImage, o: u16) -> RgbImage {
    match o {
        1 => up.clone(),
        2 => imageops::flip_horizontal(up),
        3 => imageops::rotate180(up),
        4 => imageops::flip_vertical(up),
        5 => imageops::rotate270(&imageops::flip_horizontal(up)),
        6 => imageops::rotate270(up),
        7 => imageops::rotate90(&imageops::flip_horizontal(up)),
        8 => imageops::rotate90(up),
        _ => unreachable!(),
    }
}

fn write(img: &RgbImage, o: u16, path: &Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let (w, h) = img.dimensions();
    let rgb = image::ExtendedColorType::Rgb8;
    match path.extension().unwrap().to_str().unwrap() {
        "jpg" => {
            let mut e = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut f, 95);
            e.set_exif_metadata(exif_orientation(o)).unwrap();
            e.write_image(img.as_raw(), w, h, rgb).unwrap();
        }
        "png" => {
            let mut e = image::codecs::png::PngEncoder::new(&mut f);
            e.set_exif_metadata(exif_orientation(o)).unwrap();
            e.write_image(img.as_raw(), w, h, rgb).unwrap();
        }
        "webp" => {
            let mut e = image::codecs::webp::WebPEncoder::new_lossless(&mut f);
            e.set_exif_metadata(exif_orientation(o)).unwrap();
            e.write_image(img.as_raw(), w, h, rgb).unwrap();
        }
        other => panic!("{other}"),
    }
}

#[test]
fn every_orientation_reads_upright_in_png_webp_and_jpeg() {
    let dir = temp_dir("orient-pixels");
    let up = image::open(media("grace_hopper.jpg")).unwrap().to_rgb8();
    for o in 1..=8u16 {
        let st = stored(&up, o);
        if matches!(o, 5..=8) {
            assert_ne!(st.dimensions(), up.dimensions(), "{o}: stored sideways");
        }
        // Lossless formats: exactly the upright pixels.
        for ext in ["png", "webp"] {
            let p = dir.join(format!("o{o}.{ext}"));
            write(&st, o, &p);
            let back = load_rgb(&p).unwrap();
            assert_eq!((back.width, back.height), up.dimensions(), "{o} {ext}");
            assert!(
                back.data.as_slice() == up.as_raw().as_slice(),
                "{o} {ext}: pixels differ"
            );
        }
        let p = dir.join(format!("o{o}.jpg"));
        write(&st, o, &p);
        let back = load_rgb(&p).unwrap();
        assert_eq!((back.width, back.height), up.dimensions(), "{o} jpg");
    }
}

#[test]
fn every_orientation_of_a_real_photo_gives_the_upright_faces() {
    let dir = temp_dir("orient-faces");
    let up = image::open(media("two_people.jpg")).unwrap().to_rgb8();
    let reference = {
        let p = dir.join("upright.jpg");
        write(&up, 1, &p);
        analyse(&p)
    };
    assert_eq!(reference.len(), 2, "two_people.jpg has two faces");
    for o in 2..=8u16 {
        let p = dir.join(format!("o{o}.jpg"));
        write(&stored(&up, o), o, &p);
        let faces = analyse(&p);
        assert_eq!(faces.len(), reference.len(), "orientation {o}");
        // Faces come in score order, which may differ a little: pair each with the nearest.
        for want in &reference {
            let dist = |f: &([f64; 4], Vec<[f64; 2]>)| {
                (f.0[0] - want.0[0]).abs() + (f.0[1] - want.0[1]).abs()
            };
            let got = faces
                .iter()
                .min_by(|a, b| dist(a).total_cmp(&dist(b)))
                .unwrap();
            for k in 0..4 {
                assert!(
                    (got.0[k] - want.0[k]).abs() < 4.0,
                    "orientation {o}: box {got:?} vs {want:?}"
                );
            }
            for (a, b) in got.1.iter().zip(&want.1) {
                assert!(
                    (a[0] - b[0]).abs() < 3.0 && (a[1] - b[1]).abs() < 3.0,
                    "orientation {o}: keypoints {:?} vs {:?}",
                    got.1,
                    want.1
                );
            }
        }
    }
}

#[test]
fn a_rotated_phone_photo_is_swapped_upright_and_written_without_the_tag() {
    let dir = temp_dir("orient-run");
    let up = image::open(media("grace_hopper.jpg")).unwrap().to_rgb8();
    let target = dir.join("phone.jpg");
    write(&stored(&up, 6), 6, &target);
    let output = dir.join("out.jpg");
    let source = media("astronaut.png");
    let o = liveswap(&["run", "-s", s(&source), "-t", s(&target), "-o", s(&output)]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("1 face(s), 1 swapped"), "{out}");
    let mut decoder = image::ImageReader::open(&output)
        .unwrap()
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap();
    use image::ImageDecoder as _;
    assert_eq!(
        decoder.orientation().unwrap(),
        image::metadata::Orientation::NoTransforms
    );
    assert_eq!(decoder.dimensions(), up.dimensions(), "written upright");
}
