//! The FFmpeg calls ffmpeg-next does not wrap safely.
//!
//! Where: used by the decoder (colour matrix of the YUV→RGB conversion), the writer (colour
//! matrix of RGB→YUV; whether a container takes a codec) and the audio copy (clearing the
//! input's codec tag), the frame index (a packet's discard flag, which ffmpeg-next's
//! `Packet::flags` drops) and the segment join (picture size and global header of a
//! stream's codec parameters). Why here: the rest of `video` is safe code; keeping the raw calls in
//! one small module makes them easy to audit.
#![allow(
    unsafe_code,
    reason = "FFmpeg calls without a safe ffmpeg-next wrapper; each block has a SAFETY note"
)]

use ffmpeg::ffi;
use ffmpeg::format::stream::StreamMut;
use ffmpeg::software::scaling;
use ffmpeg::util::color;
use ffmpeg_next as ffmpeg;

/// swscale's colour-matrix id for an FFmpeg colour space (BT.601 when unknown, which is
/// FFmpeg's own default).
fn sws_matrix(space: color::Space) -> i32 {
    match space {
        color::Space::BT709 => 1,                              // SWS_CS_ITU709
        color::Space::FCC => 4,                                // SWS_CS_FCC
        color::Space::SMPTE240M => 7,                          // SWS_CS_SMPTE240M
        color::Space::BT2020NCL | color::Space::BT2020CL => 9, // SWS_CS_BT2020
        _ => 5,                                                // SWS_CS_ITU601 (= SWS_CS_DEFAULT)
    }
}

/// Sets the YUV matrix and ranges of a scaler: `yuv_space`/`yuv_full_range` describe the
/// YUV side, whichever direction the scaler converts; the RGB side is always full range.
/// Without this swscale assumes BT.601, which shifts colours of BT.709 (HD) video.
pub(super) fn set_yuv_matrix(
    scaler: &mut scaling::Context,
    yuv_space: color::Space,
    yuv_full_range: bool,
    yuv_is_source: bool,
) {
    let matrix = sws_matrix(yuv_space);
    let (src_range, dst_range) = if yuv_is_source {
        (i32::from(yuv_full_range), 1)
    } else {
        (1, i32::from(yuv_full_range))
    };
    // SAFETY: `scaler` owns a valid SwsContext for its whole life; sws_getCoefficients
    // returns a pointer to a static table of 4 ints for any id (unknown ids give the
    // default table); sws_setColorspaceDetails only reads the tables and updates the
    // context. Brightness 0, contrast and saturation 1.0 in 16.16 fixed point leave the
    // picture unchanged.
    unsafe {
        let table = ffi::sws_getCoefficients(matrix);
        ffi::sws_setColorspaceDetails(
            scaler.as_mut_ptr(),
            table,
            src_range,
            table,
            dst_range,
            0,
            1 << 16,
            1 << 16,
        );
    }
}

/// Whether the muxer `format` can store `codec`: `Some(true)`/`Some(false)` when FFmpeg
/// knows, `None` when the muxer does not say.
pub(super) fn container_accepts(
    format: &ffmpeg::format::Output,
    codec: ffmpeg::codec::Id,
) -> Option<bool> {
    // SAFETY: `format` wraps a pointer to one of FFmpeg's static AVOutputFormat entries;
    // avformat_query_codec only reads it. Compliance 0 = FF_COMPLIANCE_NORMAL.
    let answer = unsafe { ffi::avformat_query_codec(format.as_ptr(), codec.into(), 0) };
    match answer {
        1 => Some(true),
        0 => Some(false),
        _ => None,
    }
}

/// Clears the codec tag of a stream whose parameters were copied from another container,
/// so the muxer chooses its own (an MP4 `mp4a` tag is invalid in Matroska or AVI).
pub(super) fn clear_codec_tag(stream: &mut StreamMut<'_>) {
    // SAFETY: the stream belongs to a live output context borrowed mutably through
    // `stream`; every AVStream has a valid `codecpar` allocated by avformat_new_stream.
    unsafe {
        let st = stream.as_mut_ptr();
        (*(*st).codecpar).codec_tag = 0;
    }
}

/// Whether the demuxer marked `packet` as one the decoder must drop (`AV_PKT_FLAG_DISCARD`,
/// e.g. samples before an MP4 edit list's start).
pub(super) fn packet_discarded(packet: &ffmpeg::Packet) -> bool {
    use ffmpeg::packet::Ref as _;
    // SAFETY: `as_ptr` points at the AVPacket the `Packet` owns, valid while `packet` is
    // borrowed; only its plain integer `flags` field is read.
    let flags = unsafe { (*packet.as_ptr()).flags };
    flags & ffi::AV_PKT_FLAG_DISCARD != 0
}

/// Picture size in a stream's codec parameters.
pub(super) fn parameters_size(params: &ffmpeg::codec::Parameters) -> (u32, u32) {
    // SAFETY: `params` wraps a valid AVCodecParameters for as long as it is borrowed; only
    // two plain integer fields are read.
    let (w, h) = unsafe {
        let p = params.as_ptr();
        ((*p).width, (*p).height)
    };
    (w.max(0) as u32, h.max(0) as u32)
}

/// The codec's global header (`extradata`: SPS/PPS for H.264), copied.
pub(super) fn parameters_extradata(params: &ffmpeg::codec::Parameters) -> Vec<u8> {
    // SAFETY: as above; `extradata` is either null or points at `extradata_size` bytes
    // owned by the parameters, which outlive this copy.
    unsafe {
        let p = params.as_ptr();
        let (data, size) = ((*p).extradata, (*p).extradata_size);
        if data.is_null() || size <= 0 {
            Vec::new()
        } else {
            std::slice::from_raw_parts(data, size as usize).to_vec()
        }
    }
}
