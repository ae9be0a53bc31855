//! Execution providers: a named provider that cannot be used stops the run before any frame
//! with the reason and the fix, unless `--provider-fallback`; `auto` never stops; the run's
//! summary names the provider each model ran on. (The test library is ONNX Runtime's CPU
//! build, which has no CUDA.)

use super::{liveswap, media, s, text};
use liveswap_tests::temp_dir;

#[test]
fn an_unavailable_named_provider_is_refused_unless_fallback() {
    let dir = temp_dir("providers-strict");
    let (src, tgt) = (media("astronaut.png"), media("grace_hopper.jpg"));
    let out = dir.join("o.png");
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = extra.to_vec();
        args.extend([
            "run",
            "-s",
            s(&src),
            "-t",
            s(&tgt),
            "-o",
            s(&out),
            "--overwrite",
        ]);
        liveswap(&args)
    };
    let o = run(&["--execution-provider", "cuda"]);
    let (stdout, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}\n{err}");
    for needle in [
        "cuda",
        "does not include CUDAExecutionProvider",
        "onnxruntime-gpu",
        "--provider-fallback",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    assert!(!out.exists(), "nothing written");

    // --provider-fallback: CPU, with one warning that -q does not hide.
    let o = run(&["--execution-provider", "cuda", "--provider-fallback", "-q"]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(err.matches("could not be used").count(), 1, "{err}");
    assert!(err.contains("using cpu"), "{err}");
    assert!(
        stdout.contains("models on cpu: 2d106det, det_500m, open_nsfw, w600k_mbf"),
        "{stdout}"
    );

    // auto: CPU here, no error; the summary says where each model ran.
    let o = run(&["--execution-provider", "auto"]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(stdout.contains("models on cpu:"), "{stdout}");
    assert!(out.is_file());

    // --report names them too.
    let o = liveswap(&[
        "run",
        "-s",
        s(&src),
        "-t",
        s(&tgt),
        "-o",
        s(&out),
        "--overwrite",
        "--report",
    ]);
    let (stdout, _) = text(&o);
    assert!(
        stdout.contains("report: models ran on cpu: 2d106det, det_500m, open_nsfw, w600k_mbf"),
        "{stdout}"
    );
}
