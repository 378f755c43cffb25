//! Attachment stores for tests: a throwaway folder (`file://`) or a real S3-compatible server
//! (moto's `moto_server`, installed from PyPI by `scripts/services.sh --moto`) on a free
//! port with a bucket of its own, stopped when the test ends. Not a mock of ours: the API
//! speaks S3 to it through `object_store` exactly as it would to AWS.

use crate::services::free_port;
use crate::unique_id;
use myrelay_core::{Config, StorageUrl};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Which store a test runs against (the attachment suite runs once for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    File,
    S3,
}

/// A store for one test; dropping it removes the folder or stops the server.
pub enum TestStore {
    File(PathBuf),
    S3(S3Server),
}

impl TestStore {
    pub async fn start(kind: StoreKind) -> TestStore {
        match kind {
            StoreKind::File => {
                let dir = std::env::temp_dir().join(format!("myrelay-store-{}", unique_id()));
                std::fs::create_dir_all(&dir).expect("store folder");
                TestStore::File(dir)
            }
            StoreKind::S3 => TestStore::S3(S3Server::start().await),
        }
    }

    /// Point `config` at this store.
    pub fn configure(&self, config: &mut Config) {
        match self {
            TestStore::File(dir) => config.storage = StorageUrl::File(dir.clone()),
            TestStore::S3(s3) => {
                config.storage = StorageUrl::S3 {
                    bucket: s3.bucket.clone(),
                    prefix: "attachments".into(),
                };
                config.storage_options = s3.options();
            }
        }
    }

    /// Everything the store holds that is not a finished object: a local upload's staging
    /// file, or an S3 multipart upload not completed or aborted. Empty after every refusal.
    pub async fn leftovers(&self) -> Vec<String> {
        match self {
            TestStore::File(dir) => files_under(dir)
                .into_iter()
                .filter(|p| p.contains('#'))
                .collect(),
            TestStore::S3(s3) => s3.pending_uploads().await,
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let TestStore::File(dir) = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

/// Where `moto_server` is: `MYRELAY_MOTO_SERVER`, else the project's `.data/venv-moto`.
pub fn moto_server_bin() -> PathBuf {
    if let Ok(p) = std::env::var("MYRELAY_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.data/venv-moto/bin/moto_server")
}

/// moto's S3-compatible server on a free port, with one bucket; killed on drop.
pub struct S3Server {
    pub endpoint: String,
    pub bucket: String,
    child: Child,
}

impl S3Server {
    pub async fn start() -> S3Server {
        let bin = moto_server_bin();
        assert!(
            bin.exists(),
            "the S3 attachment tests need moto's S3 server at {}: run `bash scripts/services.sh --moto` \
             (`make test` does) or set MYRELAY_MOTO_SERVER",
            bin.display()
        );
        let port = free_port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let endpoint = format!("http://127.0.0.1:{port}");
        let bucket = format!("myrelay-{}", unique_id());
        let server = S3Server {
            endpoint,
            bucket,
            child,
        };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = http.get(&server.endpoint).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let r = http
            .put(format!("{}/{}", server.endpoint, server.bucket))
            .send()
            .await
            .expect("create bucket");
        assert!(r.status().is_success(), "create bucket: {}", r.status());
        server
    }

    /// The `object_store` S3 options that reach this server (path-style, plain HTTP, any
    /// keys: moto accepts every signature).
    pub fn options(&self) -> Vec<(String, String)> {
        [
            ("aws_endpoint", self.endpoint.as_str()),
            ("aws_allow_http", "true"),
            ("aws_access_key_id", "myrelay-test"),
            ("aws_secret_access_key", "myrelay-test"),
            ("aws_region", "us-east-1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// Multipart uploads started and neither completed nor aborted (their keys).
    pub async fn pending_uploads(&self) -> Vec<String> {
        let xml = reqwest::get(format!("{}/{}?uploads", self.endpoint, self.bucket))
            .await
            .expect("list multipart uploads")
            .text()
            .await
            .expect("body");
        xml.split("<Upload>")
            .skip(1)
            .map(|u| {
                u.split("<Key>")
                    .nth(1)
                    .and_then(|k| k.split("</Key>").next())
                    .unwrap_or("?")
                    .to_string()
            })
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `multipart/form-data` body with one part named `file` (built by hand so that tests
/// control every byte of the name and the declared type): the content type and the body.
pub fn multipart_file(filename: &str, declared_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = format!("myrelay-{}", unique_id());
    let mut body = Vec::with_capacity(bytes.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: {declared_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
