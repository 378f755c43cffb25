//! `upload`: how much the server's memory grows while one large attachment streams through
//! it (SPEC §13: uploads stream, memory stays bounded whatever the file size). A user files a
//! ticket and uploads one file of `--size-mib` MiB (the server's `MYRELAY_MAX_UPLOAD` raised
//! to allow it), generated and sent as a stream so the generator holds little of it either.
//! Measured: the server's RSS just before, its peak (VmHWM, reset first) during the upload,
//! and the growth; checked: 201, the size and the SHA-256 the server computed.

use super::Check;
use crate::api::Api;
use crate::procmon::{Monitor, rss_kib};
use anyhow::Context;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

const CHUNK: usize = 64 * 1024;

/// The server's peak RSS growth must stay under this, whatever the file size.
pub const MAX_GROWTH_KIB: u64 = 32 * 1024;

pub struct UploadOpts {
    pub size_mib: u64,
    pub server_pid: Option<u32>,
    pub label: String,
}

/// Chunk `i` of the file: bytes that are no known format and not text, different per chunk.
fn chunk(i: u64) -> Vec<u8> {
    let mut x = (i.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1;
    (0..CHUNK)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 56) as u8 | 0x80
        })
        .collect()
}

pub async fn run(api: &Api, o: &UploadOpts) -> anyhow::Result<Value> {
    let stamp = chrono::Utc::now().timestamp_micros();
    let user = api
        .register(
            &format!("upload-{stamp}@bench.myrelay.dev"),
            "bench-upload-password",
            "Upload bench",
        )
        .await?;
    let ticket = api.create_ticket(&user.token, "Upload benchmark").await?;
    let chunks = o.size_mib * 1024 * 1024 / CHUNK as u64;
    let size = chunks * CHUNK as u64;
    let mut hasher = Sha256::new();
    for i in 0..chunks {
        hasher.update(chunk(i));
    }
    let sha256 = hex::encode(hasher.finalize());

    let boundary = format!("myrelay-bench-{stamp}");
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let length = head.len() as u64 + size + tail.len() as u64;
    let parts = std::iter::once(head.into_bytes())
        .chain((0..chunks).map(chunk))
        .chain(std::iter::once(tail.into_bytes()))
        .map(Ok::<_, std::io::Error>);
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(parts));

    // Let the registration's allocations settle before the baseline.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = o.server_pid.and_then(rss_kib);
    let monitor = Monitor::start(o.server_pid);
    let t = Instant::now();
    let res = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()?
        .post(format!("{}/tickets/{ticket}/attachments", api.base))
        .bearer_auth(&user.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("content-length", length)
        .body(body)
        .send()
        .await
        .context("upload")?;
    let status = res.status().as_u16();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    let seconds = t.elapsed().as_secs_f64();
    let usage = monitor.finish();
    let peak = usage.server_peak_rss_kib;
    let growth = match (before, peak) {
        (Some(b), Some(p)) => Some(p.saturating_sub(b)),
        _ => None,
    };
    let mut checks = vec![
        Check::new(
            "upload answered 201",
            status == 201,
            if status == 201 {
                status.to_string()
            } else {
                format!("{status}: {v}")
            },
        ),
        Check::new(
            "stored size and SHA-256 are the sent file's",
            v["size"].as_u64() == Some(size) && v["sha256"] == sha256.as_str(),
            format!("{} bytes, {}", v["size"], v["sha256"]),
        ),
    ];
    if let Some(g) = growth {
        checks.push(Check::new(
            "server peak RSS growth stays bounded",
            g <= MAX_GROWTH_KIB,
            format!(
                "{:.1} MiB for a {} MiB file (limit {} MiB)",
                g as f64 / 1024.0,
                o.size_mib,
                MAX_GROWTH_KIB / 1024
            ),
        ));
    }
    Ok(json!({
        "scenario": "upload",
        "label": o.label,
        "size_bytes": size,
        "seconds": seconds,
        "mib_per_s": size as f64 / 1_048_576.0 / seconds.max(1e-9),
        "rss_before_kib": before,
        "peak_rss_kib": peak,
        "growth_kib": growth,
        "errors": u64::from(status != 201),
        "usage": usage,
        "checks": checks,
    }))
}
