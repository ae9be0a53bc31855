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
//! | `ui` | `liveswap ui`: `update` without a window (switches, order, settings, live vs rebuild, save round trip through the CLI), views in iced_test's simulator, the preview worker on the real pipeline, and the real window under Xvfb compared with `liveswap run` |
//! | `mouth` | mouth_mask: lip indices on insightface's landmarks, exact restore inside / untouched outside, growth with size, many faces, order with the enhancer, real photos, `--set mouth_mask.size=0` |

#![allow(clippy::unwrap_used, reason = "tests")]
#![allow(clippy::print_stderr, reason = "tests report measured errors")]

mod bench;
mod cli;
mod enhance;
mod loading;
mod models;
mod morph;
mod mouth;
mod parity;
mod swap;
mod template;
mod tracking;
mod ui;
mod video;
mod zoo;
