//! Output options: JPEG quality (default 95), PNG compression, and the source's ICC colour
//! profile carried into the output.

use super::{liveswap, media, s, text};
use image::{ImageDecoder as _, ImageEncoder as _};
use liveswap_tests::temp_dir;
use std::path::Path;

fn icc_of(path: &Path) -> Option<Vec<u8>> {
    image::ImageReader::open(path)
        .unwrap()
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap()
        .icc_profile()
        .unwrap()
}

fn run_debug(target: &Path, output: &Path, extra: &[&str]) {
    let mut args = vec!["run", "-p", "debug", "-t", s(target), "-o", s(output)];
    args.extend_from_slice(extra);
    let o = liveswap(&args);
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
}

#[test]
fn jpeg_quality_png_compression_and_the_icc_profile() {
    let dir = temp_dir("output-options");
    // A target carrying an ICC profile (opaque bytes to the encoders and decoders here).
    let icc: Vec<u8> = (0..700u32).map(|i| (i * 31 % 251) as u8).collect();
    let img = image::open(media("grace_hopper.jpg")).unwrap().to_rgb8();
    let target = dir.join("icc.jpg");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&target).unwrap());
        let mut e = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut f, 95);
        e.set_icc_profile(icc.clone()).unwrap();
        let (w, h) = img.dimensions();
        e.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
    }
    assert_eq!(icc_of(&target).as_deref(), Some(icc.as_slice()));

    let (default, q95, q30) = (dir.join("d.jpg"), dir.join("q95.jpg"), dir.join("q30.jpg"));
    run_debug(&target, &default, &[]);
    run_debug(&target, &q95, &["--jpeg-quality", "95"]);
    run_debug(&target, &q30, &["--jpeg-quality", "30"]);
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    assert_eq!(
        std::fs::read(&default).unwrap(),
        std::fs::read(&q95).unwrap(),
        "default is 95"
    );
    assert!(
        size(&q30) * 2 < size(&q95),
        "{} vs {}",
        size(&q30),
        size(&q95)
    );
    let o = liveswap(&[
        "run",
        "-p",
        "debug",
        "-t",
        s(&target),
        "-o",
        s(&dir.join("x.jpg")),
        "--jpeg-quality",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2), "0 is out of range");

    let (none, best) = (dir.join("none.png"), dir.join("best.png"));
    run_debug(&target, &none, &["--png-compression", "none"]);
    run_debug(&target, &best, &["--png-compression", "best"]);
    assert!(
        size(&best) * 2 < size(&none),
        "{} vs {}",
        size(&best),
        size(&none)
    );
    assert_eq!(
        liveswap_host::media::load_rgb(&none).unwrap(),
        liveswap_host::media::load_rgb(&best).unwrap(),
        "same pixels"
    );

    for out in [&default, &q30, &none, &best] {
        assert_eq!(
            icc_of(out).as_deref(),
            Some(icc.as_slice()),
            "{}",
            out.display()
        );
    }
    let webp = dir.join("o.webp");
    run_debug(&target, &webp, &[]);
    assert_eq!(icc_of(&webp).as_deref(), Some(icc.as_slice()), "webp");
    // No profile in, none out.
    let (bare, plain) = (dir.join("bare.png"), dir.join("plain.png"));
    img.save(&bare).unwrap();
    assert_eq!(icc_of(&bare), None);
    run_debug(&bare, &plain, &[]);
    assert_eq!(icc_of(&plain), None);
}
