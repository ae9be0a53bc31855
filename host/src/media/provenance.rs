//! Provenance: every file liveswap writes says that it was made by liveswap with a face swap.
//!
//! Where: [`super::save_rgb`] embeds [`provenance_text`] in every image (PNG `tEXt` chunks,
//! EXIF `ImageDescription`/`Software` in JPEG and WebP, TIFF tags), and the video writer puts
//! it in the container's `comment` tag (see `crate::video`). Why: a face-swapped picture is
//! synthetic media, and anyone who receives the file should be able to find that out with
//! ordinary tools (`exiftool`, `ffprobe`, `identify -verbose`). There is deliberately no
//! option to turn it off.

/// The metadata key liveswap uses in PNG text chunks, next to the standard `Software`.
pub const PNG_KEYWORD: &str = "Comment";

/// The sentence written into every output.
pub fn provenance_text() -> String {
    format!(
        "Produced by liveswap {} with a face swap: faces in this file were altered by software (synthetic media).",
        env!("CARGO_PKG_VERSION")
    )
}

/// The `Software` value: `liveswap <version>`.
pub fn software_text() -> String {
    format!("liveswap {}", env!("CARGO_PKG_VERSION"))
}

/// A minimal EXIF block (a little-endian TIFF structure with one IFD) holding
/// `ImageDescription` and `Software`, as image encoders expect it (without the
/// `Exif\0\0` prefix, which the JPEG encoder adds).
pub fn exif_block() -> Vec<u8> {
    const ASCII: u16 = 2;
    const IMAGE_DESCRIPTION: u16 = 0x010E;
    const SOFTWARE: u16 = 0x0131;
    let strings = [
        (IMAGE_DESCRIPTION, provenance_text()),
        (SOFTWARE, software_text()),
    ];
    // Header (8) + entry count (2) + entries (12 each) + next-IFD offset (4), then the strings.
    let mut data_offset = 8 + 2 + 12 * strings.len() + 4;
    let mut out = Vec::new();
    out.extend_from_slice(b"II");
    out.extend_from_slice(&42u16.to_le_bytes());
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(strings.len() as u16).to_le_bytes());
    let mut payload = Vec::new();
    for (tag, text) in &strings {
        let count = text.len() + 1; // NUL-terminated
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&ASCII.to_le_bytes());
        out.extend_from_slice(&(count as u32).to_le_bytes());
        out.extend_from_slice(&(data_offset as u32).to_le_bytes());
        payload.extend_from_slice(text.as_bytes());
        payload.push(0);
        data_offset += count;
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    /// Reads the ASCII entries of the single IFD back.
    fn read_exif(block: &[u8]) -> Vec<(u16, String)> {
        let u16_at = |o: usize| u16::from_le_bytes([block[o], block[o + 1]]);
        let u32_at = |o: usize| u32::from_le_bytes(block[o..o + 4].try_into().unwrap()) as usize;
        assert_eq!(&block[..4], b"II*\0");
        let ifd = u32_at(4);
        let n = u16_at(ifd) as usize;
        (0..n)
            .map(|i| {
                let e = ifd + 2 + 12 * i;
                let (tag, kind, count, offset) =
                    (u16_at(e), u16_at(e + 2), u32_at(e + 4), u32_at(e + 8));
                assert_eq!(kind, 2);
                let text = &block[offset..offset + count];
                assert_eq!(text.last(), Some(&0));
                (tag, String::from_utf8(text[..count - 1].to_vec()).unwrap())
            })
            .collect()
    }

    #[test]
    fn exif_block_holds_the_provenance() {
        let entries = read_exif(&exif_block());
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0], (0x010E, provenance_text()));
        assert_eq!(entries[1], (0x0131, software_text()));
        assert!(provenance_text().contains("liveswap") && provenance_text().contains("face swap"));
    }
}
