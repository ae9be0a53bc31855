//! Carrying the audio track into the output: copied when the container accepts the codec,
//! otherwise re-encoded (Opus for WebM/Ogg, AAC elsewhere).
//!
//! Where: owned by the writer on the encode thread. It reads the input a second time with
//! its own demuxer, taking only audio packets, and is pumped after every video frame up to
//! that frame's time, so the muxer receives audio and video interleaved and nothing is
//! buffered beyond a few packets, whatever the length. Without `--trim` every audio packet
//! is kept with its original timestamps (audio longer or shorter than the video stays so);
//! with `--trim` the packets inside the kept video range are kept, shifted like the video.

use super::error::VideoError;
use super::ffi;
use ffmpeg::{
    ChannelLayout, Packet, Rational, Rescale, codec, decoder, encoder, filter, format, frame,
};
use ffmpeg_next as ffmpeg;
use std::path::Path;

const MICROS: Rational = Rational(1, 1_000_000);

/// What happened to the audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioOutcome {
    /// The input has no audio track.
    None,
    /// `--no-audio`.
    Dropped,
    /// A `--segment` run: the segment has no audio, `liveswap join` adds the source's.
    LeftToJoin,
    /// Copied as it was.
    Copied {
        /// Codec name.
        codec: String,
    },
    /// Re-encoded because the container does not take the original codec.
    Reencoded {
        /// Original codec.
        from: String,
        /// New codec.
        to: String,
    },
}

impl std::fmt::Display for AudioOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => write!(f, "no audio"),
            Self::Dropped => write!(f, "audio dropped (--no-audio)"),
            Self::LeftToJoin => write!(f, "no audio in the segment (join adds it)"),
            Self::Copied { codec } => write!(f, "audio copied ({codec})"),
            Self::Reencoded { from, to } => write!(f, "audio re-encoded ({from} → {to})"),
        }
    }
}

/// The encoder used when the container refuses the original codec.
fn reencode_encoder(muxer: &str) -> &'static str {
    match muxer {
        "webm" | "ogg" => "libopus",
        _ => "aac",
    }
}

/// Containers that take any codec when FFmpeg cannot tell.
fn accepts_by_table(muxer: &str, codec: codec::Id) -> bool {
    use codec::Id;
    match muxer {
        "matroska" | "nut" => true,
        "webm" | "ogg" => matches!(codec, Id::OPUS | Id::VORBIS),
        _ => matches!(codec, Id::AAC | Id::MP3 | Id::AC3),
    }
}

struct Transcoder {
    decoder: decoder::Audio,
    graph: filter::Graph,
    encoder: encoder::Audio,
    flushed: bool,
}

enum Mode {
    Copy,
    Encode(Box<Transcoder>),
}

/// The audio half of the writer.
pub(super) struct AudioOut {
    input: format::context::Input,
    in_stream: usize,
    in_tb: Rational,
    out_stream: usize,
    out_tb: Rational,
    enc_tb: Rational,
    mode: Mode,
    /// Cut: packets before this absolute time (µs) are dropped (trim only).
    start_us: Option<i64>,
    /// Cut: packets at or after this absolute time (µs) are dropped (trim only; set at the end).
    end_us: Option<i64>,
    /// Shift applied to kept packets, in the input time base.
    shift: i64,
    pending: Option<Packet>,
    input_done: bool,
    pub outcome: AudioOutcome,
}

fn audio_err(e: impl std::fmt::Display) -> VideoError {
    VideoError::Audio {
        reason: e.to_string(),
    }
}

impl AudioOut {
    /// Adds the audio stream to `octx` (before its header is written). `cut_start_us` is
    /// the absolute time of the first kept video frame when trimming; `force_reencode`
    /// re-encodes even when the container claims to take the codec.
    pub fn create(
        path: &Path,
        octx: &mut format::context::Output,
        cut_start_us: Option<i64>,
        force_reencode: bool,
    ) -> Result<Option<Self>, VideoError> {
        let input = format::input(path).map_err(audio_err)?;
        let Some(stream) = input.streams().best(ffmpeg::media::Type::Audio) else {
            return Ok(None);
        };
        let in_stream = stream.index();
        let in_tb = stream.time_base();
        let params = stream.parameters();
        let codec_id = params.id();
        let muxer = octx.format().name().to_string();
        let accepted = !force_reencode
            && ffi::container_accepts(&octx.format(), codec_id)
                .unwrap_or_else(|| accepts_by_table(&muxer, codec_id));
        let global_header = octx.format().flags().contains(format::Flags::GLOBAL_HEADER);
        let mut metadata = ffmpeg::Dictionary::new();
        for key in ["language", "title"] {
            if let Some(v) = stream.metadata().get(key) {
                metadata.set(key, v);
            }
        }
        let (mode, out_stream, enc_tb, outcome) = if accepted {
            let mut ost = octx
                .add_stream(encoder::find(codec::Id::None))
                .map_err(audio_err)?;
            ost.set_parameters(params);
            ffi::clear_codec_tag(&mut ost);
            ost.set_time_base(in_tb);
            ost.set_metadata(metadata);
            let outcome = AudioOutcome::Copied {
                codec: codec_id.name().into(),
            };
            (Mode::Copy, ost.index(), in_tb, outcome)
        } else {
            let name = reencode_encoder(&muxer);
            let (transcoder, enc_tb) = Transcoder::new(params, in_tb, name, global_header)?;
            let codec = transcoder
                .encoder
                .codec()
                .ok_or_else(|| audio_err("the audio encoder has no codec"))?;
            let mut ost = octx.add_stream(codec).map_err(audio_err)?;
            ost.set_parameters(&transcoder.encoder);
            ost.set_time_base(enc_tb);
            ost.set_metadata(metadata);
            let outcome = AudioOutcome::Reencoded {
                from: codec_id.name().into(),
                to: codec.name().into(),
            };
            (
                Mode::Encode(Box::new(transcoder)),
                ost.index(),
                enc_tb,
                outcome,
            )
        };
        Ok(Some(Self {
            input,
            in_stream,
            in_tb,
            out_stream,
            out_tb: enc_tb,
            enc_tb,
            mode,
            start_us: cut_start_us,
            end_us: None,
            shift: cut_start_us.map_or(0, |us| us.rescale(MICROS, in_tb)),
            pending: None,
            input_done: false,
            outcome,
        }))
    }

    /// Call after the header is written: the muxer may have changed the stream's time base.
    pub fn header_written(&mut self, octx: &format::context::Output) {
        if let Some(s) = octx.stream(self.out_stream) {
            self.out_tb = s.time_base();
        }
    }

    /// Sets where the kept range ends (absolute µs) when trimming.
    pub fn set_end(&mut self, end_us: Option<i64>) {
        self.end_us = end_us;
    }

    /// Writes audio up to absolute time `until_us` (µs), or to the end when `None`.
    pub fn pump(
        &mut self,
        octx: &mut format::context::Output,
        until_us: Option<i64>,
    ) -> Result<(), VideoError> {
        loop {
            let packet = match self.pending.take() {
                Some(p) => p,
                None if self.input_done => break,
                None => match self.read()? {
                    Some(p) => p,
                    None => {
                        self.input_done = true;
                        break;
                    }
                },
            };
            let time_us = packet
                .pts()
                .or(packet.dts())
                .map(|t| t.rescale(self.in_tb, MICROS));
            if let (Some(until), Some(t)) = (until_us, time_us)
                && t > until
            {
                self.pending = Some(packet);
                return Ok(());
            }
            if let Some(t) = time_us {
                if self.start_us.is_some_and(|s| t < s) {
                    continue;
                }
                if self.end_us.is_some_and(|e| t >= e) {
                    self.input_done = true;
                    break;
                }
            }
            self.write(octx, packet)?;
        }
        if until_us.is_none() {
            self.flush(octx)?;
        }
        Ok(())
    }

    fn read(&mut self) -> Result<Option<Packet>, VideoError> {
        loop {
            let mut packet = Packet::empty();
            match packet.read(&mut self.input) {
                Ok(()) if packet.stream() == self.in_stream => return Ok(Some(packet)),
                Ok(()) => {}
                Err(ffmpeg::Error::Eof) => return Ok(None),
                Err(e) => return Err(audio_err(format!("reading the audio failed: {e}"))),
            }
        }
    }

    fn shifted(&self, mut packet: Packet) -> Packet {
        if self.shift != 0 {
            packet.set_pts(packet.pts().map(|t| t - self.shift));
            packet.set_dts(packet.dts().map(|t| t - self.shift));
        }
        packet
    }

    fn write(
        &mut self,
        octx: &mut format::context::Output,
        packet: Packet,
    ) -> Result<(), VideoError> {
        let mut packet = self.shifted(packet);
        match &mut self.mode {
            Mode::Copy => {
                packet.set_stream(self.out_stream);
                packet.set_position(-1);
                packet.rescale_ts(self.in_tb, self.out_tb);
                packet
                    .write_interleaved(octx)
                    .map_err(|e| audio_err(format!("writing audio failed: {e}")))
            }
            Mode::Encode(t) => {
                t.decoder.send_packet(&packet).map_err(audio_err)?;
                t.drain(octx, self.out_stream, self.enc_tb, self.out_tb)
            }
        }
    }

    fn flush(&mut self, octx: &mut format::context::Output) -> Result<(), VideoError> {
        if let Mode::Encode(t) = &mut self.mode
            && !t.flushed
        {
            t.flushed = true;
            t.decoder.send_eof().map_err(audio_err)?;
            t.drain(octx, self.out_stream, self.enc_tb, self.out_tb)?;
            t.filter_input(None)?;
            t.drain_filter(octx, self.out_stream, self.enc_tb, self.out_tb)?;
            t.encoder.send_eof().map_err(audio_err)?;
            t.drain_encoder(octx, self.out_stream, self.enc_tb, self.out_tb)?;
        }
        Ok(())
    }
}

impl Transcoder {
    fn new(
        params: codec::Parameters,
        in_tb: Rational,
        encoder_name: &str,
        global_header: bool,
    ) -> Result<(Self, Rational), VideoError> {
        let mut decoder = codec::context::Context::from_parameters(params)
            .and_then(|c| c.decoder().audio())
            .map_err(|e| audio_err(format!("no decoder for the audio codec: {e}")))?;
        decoder.set_packet_time_base(in_tb);
        let codec = encoder::find_by_name(encoder_name)
            .ok_or_else(|| audio_err(format!("this FFmpeg has no {encoder_name} encoder")))?
            .audio()
            .map_err(audio_err)?;
        let channels = i32::from(decoder.channels()).max(1);
        let in_layout = match decoder.channel_layout() {
            l if l.is_empty() || l.channels() != channels => ChannelLayout::default(channels),
            l => l,
        };
        let layout = codec
            .channel_layouts()
            .map(|ls| ls.best(channels))
            .unwrap_or(in_layout);
        let layout = if layout.channels() > 8 {
            ChannelLayout::STEREO
        } else {
            layout
        };
        let rates: Vec<i32> = codec.rates().map(|r| r.collect()).unwrap_or_default();
        let in_rate = decoder.rate() as i32;
        let rate = if rates.is_empty() || rates.contains(&in_rate) {
            in_rate
        } else if rates.contains(&48_000) {
            48_000
        } else {
            rates[0]
        };
        let sample_format = codec
            .formats()
            .and_then(|mut f| f.next())
            .ok_or_else(|| audio_err("the audio encoder lists no sample format"))?;
        let mut enc = codec::context::Context::new_with_codec(*codec)
            .encoder()
            .audio()
            .map_err(audio_err)?;
        enc.set_rate(rate);
        enc.set_channel_layout(layout);
        enc.set_channels(layout.channels());
        enc.set_format(sample_format);
        let per_channel = if encoder_name == "libopus" {
            48_000
        } else {
            64_000
        };
        enc.set_bit_rate((per_channel * layout.channels().max(1) as usize).min(512_000));
        let enc_tb = Rational(1, rate);
        enc.set_time_base(enc_tb);
        if global_header {
            enc.set_flags(codec::Flags::GLOBAL_HEADER);
        }
        let encoder = enc
            .open_as(*codec)
            .map_err(|e| audio_err(format!("cannot open the {encoder_name} encoder: {e}")))?;

        let mut graph = filter::Graph::new();
        let args = format!(
            "time_base={}/{}:sample_rate={}:sample_fmt={}:channel_layout=0x{:x}",
            in_tb.numerator(),
            in_tb.denominator(),
            in_rate,
            decoder.format().name(),
            in_layout.bits()
        );
        let find = |name: &str| {
            filter::find(name).ok_or_else(|| audio_err(format!("FFmpeg has no {name} filter")))
        };
        graph
            .add(&find("abuffer")?, "in", &args)
            .map_err(audio_err)?;
        graph
            .add(&find("abuffersink")?, "out", "")
            .map_err(audio_err)?;
        {
            let mut out = graph
                .get("out")
                .ok_or_else(|| audio_err("filter graph lost its sink"))?;
            out.set_sample_format(encoder.format());
            out.set_channel_layout(encoder.channel_layout());
            out.set_sample_rate(encoder.rate());
        }
        graph
            .output("in", 0)
            .and_then(|p| p.input("out", 0))
            .and_then(|p| p.parse("anull"))
            .map_err(audio_err)?;
        graph.validate().map_err(audio_err)?;
        if !codec
            .capabilities()
            .contains(codec::capabilities::Capabilities::VARIABLE_FRAME_SIZE)
            && let Some(mut out) = graph.get("out")
        {
            out.sink().set_frame_size(encoder.frame_size());
        }
        Ok((
            Self {
                decoder,
                graph,
                encoder,
                flushed: false,
            },
            enc_tb,
        ))
    }

    /// Sends a decoded frame into the filter graph (`None` flushes it).
    fn filter_input(&mut self, frame: Option<&frame::Audio>) -> Result<(), VideoError> {
        let mut input = self
            .graph
            .get("in")
            .ok_or_else(|| audio_err("filter graph lost its source"))?;
        let mut source = input.source();
        match frame {
            Some(f) => source.add(f),
            None => source.flush(),
        }
        .map_err(audio_err)
    }

    /// Decoded frames → filter → encoder → muxer.
    fn drain(
        &mut self,
        octx: &mut format::context::Output,
        out_stream: usize,
        enc_tb: Rational,
        out_tb: Rational,
    ) -> Result<(), VideoError> {
        let mut decoded = frame::Audio::empty();
        while self.decoder.receive_frame(&mut decoded).is_ok() {
            let ts = decoded.timestamp();
            decoded.set_pts(ts);
            self.filter_input(Some(&decoded))?;
            self.drain_filter(octx, out_stream, enc_tb, out_tb)?;
        }
        Ok(())
    }

    fn drain_filter(
        &mut self,
        octx: &mut format::context::Output,
        out_stream: usize,
        enc_tb: Rational,
        out_tb: Rational,
    ) -> Result<(), VideoError> {
        let mut filtered = frame::Audio::empty();
        loop {
            let got = match self.graph.get("out") {
                Some(mut out) => {
                    let sink_tb = out.sink().time_base();
                    match out.sink().frame(&mut filtered) {
                        Ok(()) => Some(sink_tb),
                        Err(_) => None,
                    }
                }
                None => None,
            };
            let Some(sink_tb) = got else { break };
            let pts = filtered.pts().map(|p| p.rescale(sink_tb, enc_tb));
            filtered.set_pts(pts);
            self.encoder.send_frame(&filtered).map_err(audio_err)?;
            self.drain_encoder(octx, out_stream, enc_tb, out_tb)?;
        }
        Ok(())
    }

    fn drain_encoder(
        &mut self,
        octx: &mut format::context::Output,
        out_stream: usize,
        enc_tb: Rational,
        out_tb: Rational,
    ) -> Result<(), VideoError> {
        let mut packet = Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
            packet.set_stream(out_stream);
            packet.rescale_ts(enc_tb, out_tb);
            packet
                .write_interleaved(octx)
                .map_err(|e| audio_err(format!("writing audio failed: {e}")))?;
        }
        Ok(())
    }
}
