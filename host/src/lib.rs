//! # liveswap host
//!
//! The host application of liveswap: it discovers and loads processor plugins
//! ([`plugins`]), reads TOML profiles ([`profile`]), owns ONNX Runtime and execution-provider
//! choice ([`inference`]), resolves and verifies model files ([`models`]), reads and writes
//! media ([`media`]), and runs frames through the processors ([`pipeline`]). The `liveswap`
//! binary is a thin command-line front end over [`commands`].
//!
//! Data flow for `liveswap run`: decode target → [`pipeline::Pipeline::process`] (each
//! enabled processor in profile order, sharing one face list) → encode output. Video
//! targets stream through [`video::transcode`] (decode, process and encode threads).

pub mod capture;
pub mod cli;
pub mod commands;
pub mod inference;
pub mod live;
pub mod media;
pub mod models;
pub mod pipeline;
pub mod plugins;
pub mod profile;
pub mod responsible;
pub mod ui;
pub mod video;
