//! Measures what decoding one camera MJPG frame costs on the capture thread: nokhwa's
//! decoder (mozjpeg) and the image crate's JPEG decoder (what `liveswap live` uses for MJPG
//! cameras, chosen by these figures), on a JPEG file (e.g. a 1280x720 frame written by
//! `ffmpeg -i clip.mp4 -frames:v 1 -q:v 3 frame.jpg`).
//!
//! `cargo run --release -p liveswap --example mjpg_decode -- frame.jpg [ROUNDS]`

#![allow(clippy::print_stdout, reason = "a measurement tool prints its results")]

use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: mjpg_decode FRAME.jpg [ROUNDS]"))?;
    let rounds: u32 = args.next().map_or(Ok(100), |r| r.parse())?;
    let data = std::fs::read(&path)?;
    let (w, h) = image::image_dimensions(&path)?;
    // Warm up both decoders once.
    let rgb = nokhwa::utils::mjpeg_to_rgb(&data, false)?;
    anyhow::ensure!(rgb.len() == w as usize * h as usize * 3, "unexpected size");
    let _ = image::load_from_memory_with_format(&data, image::ImageFormat::Jpeg)?;

    let t = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(nokhwa::utils::mjpeg_to_rgb(&data, false)?);
    }
    let mozjpeg = t.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
    let t = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(
            image::load_from_memory_with_format(&data, image::ImageFormat::Jpeg)?.into_rgb8(),
        );
    }
    let image_crate = t.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
    println!(
        "{path}: {w}x{h}, {} bytes; ms per frame: nokhwa/mozjpeg {mozjpeg:.2}, image crate {image_crate:.2} ({rounds} rounds)",
        data.len()
    );
    Ok(())
}
