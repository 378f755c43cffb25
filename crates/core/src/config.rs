//! Typed configuration, read once from the environment at start (SPEC §9).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "MYRELAY_JWT_SECRET is required (at least 32 bytes); set MYRELAY_DEV=1 for a generated development secret"
    )]
    MissingSecret,
    #[error("MYRELAY_JWT_SECRET must be at least 32 bytes (got {0})")]
    ShortSecret(usize),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    pub jwt_secret: Vec<u8>,
    /// True when the secret was generated because `MYRELAY_DEV=1` and none was given.
    pub jwt_secret_generated: bool,
    pub dev: bool,
    pub cors_origins: Vec<String>,
    pub cookie_secure: bool,
    pub session_ttl: Duration,
    pub bcrypt_cost: u32,
    pub rate_limit: bool,
    pub redis_url: Option<String>,
    /// Channel prefix of the Socket.IO Redis adapter (instances sharing it form one cluster).
    pub redis_prefix: String,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    pub log_format: LogFormat,
    /// Where `GET /metrics` (Prometheus) is served; never the public address. Unset: no
    /// metrics endpoint.
    pub metrics_addr: Option<SocketAddr>,
    /// Where attachment bytes live (`MYRELAY_STORAGE_URL`, SPEC §13).
    pub storage: StorageUrl,
    /// Extra object-store options applied over the `AWS_*` environment (keys as the
    /// `object_store` S3 builder names them, e.g. `aws_endpoint`); empty in production,
    /// where the standard AWS variables configure S3. Tests point S3 at their own server here.
    pub storage_options: Vec<(String, String)>,
    /// The largest attachment in bytes (`MYRELAY_MAX_UPLOAD`), checked while streaming.
    pub max_upload: u64,
    /// Uploads never linked to a message are deleted after this long (`MYRELAY_ORPHAN_TTL`).
    pub orphan_ttl: Duration,
    /// How often the orphan sweeper runs (`MYRELAY_ORPHAN_SWEEP`).
    pub orphan_sweep: Duration,
}

/// `MYRELAY_STORAGE_URL`: a folder on this machine, or an S3 bucket (and key prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageUrl {
    /// `file:///abs/path` or `file://relative/path` (relative to the working directory);
    /// created at start when missing.
    File(PathBuf),
    /// `s3://bucket/prefix`, configured by the standard `AWS_*` variables
    /// (`AWS_ENDPOINT_URL` and `AWS_ALLOW_HTTP` for an S3-compatible server).
    S3 { bucket: String, prefix: String },
}

impl std::fmt::Display for StorageUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageUrl::File(p) => write!(f, "file://{}", p.display()),
            StorageUrl::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            StorageUrl::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

impl std::str::FromStr for StorageUrl {
    type Err = String;

    fn from_str(v: &str) -> Result<Self, String> {
        let v = v.trim();
        if let Some(path) = v.strip_prefix("file://") {
            if path.is_empty() {
                return Err("`file://` needs a folder, e.g. file:///var/lib/myrelay".into());
            }
            return Ok(StorageUrl::File(PathBuf::from(path)));
        }
        if let Some(rest) = v.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let bucket_ok = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            if !bucket_ok {
                return Err(format!(
                    "`{bucket}` is not an S3 bucket name (3–63 lowercase letters, digits, `-`, `.`)"
                ));
            }
            return Ok(StorageUrl::S3 {
                bucket: bucket.to_string(),
                prefix: prefix.trim_matches('/').to_string(),
            });
        }
        Err(format!("`{v}` is neither a file:// nor an s3:// URL"))
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets are never printed.
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("addr", &self.addr)
            .field("jwt_secret", &"<redacted>")
            .field("dev", &self.dev)
            .field("cors_origins", &self.cors_origins)
            .field("cookie_secure", &self.cookie_secure)
            .field("session_ttl", &self.session_ttl)
            .field("bcrypt_cost", &self.bcrypt_cost)
            .field("rate_limit", &self.rate_limit)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("admin_email", &self.admin_email)
            .field("metrics_addr", &self.metrics_addr)
            .field("storage", &self.storage)
            // Option values may be credentials: only their names.
            .field(
                "storage_options",
                &self
                    .storage_options
                    .iter()
                    .map(|(k, _)| k)
                    .collect::<Vec<_>>(),
            )
            .field("max_upload", &self.max_upload)
            .field("orphan_ttl", &self.orphan_ttl)
            .field("orphan_sweep", &self.orphan_sweep)
            .finish()
    }
}

/// Hide a password inside a connection URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/myrelay";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_CORS_ORIGINS: &str = "http://localhost:3000,http://127.0.0.1:3000";
/// The `file://` store's folder when `MYRELAY_STORAGE_URL` is unset (relative to the working
/// directory, beside the project-local PostgreSQL cluster).
pub const DEFAULT_STORAGE_DIR: &str = ".data/attachments";
/// 10 MiB.
pub const DEFAULT_MAX_UPLOAD: u64 = 10 * 1024 * 1024;
/// The most `MYRELAY_MAX_UPLOAD` may be (5 GiB): far beyond a support attachment, and within
/// what an S3 multipart upload of 5 MiB parts can hold.
pub const MAX_MAX_UPLOAD: u64 = 5 * 1024 * 1024 * 1024;

impl Config {
    /// Read from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Read from any key → value lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let dev = var("MYRELAY_DEV").is_some_and(|v| truthy(&v));
        let (jwt_secret, generated) = match var("MYRELAY_JWT_SECRET") {
            Some(s) if s.len() < 32 => return Err(ConfigError::ShortSecret(s.len())),
            Some(s) => (s.into_bytes(), false),
            None if dev => {
                let mut b = vec![0u8; 48];
                for chunk in b.chunks_mut(16) {
                    chunk.copy_from_slice(&uuid::Uuid::new_v4().into_bytes()[..chunk.len()]);
                }
                (b, true)
            }
            None => return Err(ConfigError::MissingSecret),
        };
        let addr_s = var("MYRELAY_ADDR").unwrap_or_else(|| DEFAULT_ADDR.into());
        let addr: SocketAddr = addr_s.parse().map_err(|e| ConfigError::Invalid {
            name: "MYRELAY_ADDR",
            reason: format!("{e}"),
        })?;
        let metrics_addr = match var("MYRELAY_METRICS_ADDR") {
            None => None,
            Some(v) => Some(parse_metrics_addr(&v, addr)?),
        };
        let cors_origins = var("MYRELAY_CORS_ORIGINS")
            .unwrap_or_else(|| DEFAULT_CORS_ORIGINS.into())
            .split(',')
            .map(|s| s.trim().trim_end_matches('/').to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let cookie_secure = match var("MYRELAY_COOKIE_SECURE") {
            Some(v) => parse_bool("MYRELAY_COOKIE_SECURE", &v)?,
            None => !dev,
        };
        let session_ttl = match var("MYRELAY_SESSION_TTL") {
            Some(v) => parse_duration(&v).ok_or_else(|| ConfigError::Invalid {
                name: "MYRELAY_SESSION_TTL",
                reason: format!("`{v}` is not a duration such as 7d, 12h, 30m or 3600s"),
            })?,
            None => Duration::from_secs(7 * 24 * 3600),
        };
        let bcrypt_cost = match var("MYRELAY_BCRYPT_COST") {
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|c| (4..=31).contains(c))
                .ok_or_else(|| ConfigError::Invalid {
                    name: "MYRELAY_BCRYPT_COST",
                    reason: format!("`{v}` is not a bcrypt cost between 4 and 31"),
                })?,
            None => 12,
        };
        let rate_limit = match var("MYRELAY_RATE_LIMIT").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(v) => {
                return Err(ConfigError::Invalid {
                    name: "MYRELAY_RATE_LIMIT",
                    reason: format!("`{v}` is neither `on` nor `off`"),
                });
            }
        };
        let log_format = match var("MYRELAY_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(v) => {
                return Err(ConfigError::Invalid {
                    name: "MYRELAY_LOG_FORMAT",
                    reason: format!("`{v}` is neither `text` nor `json`"),
                });
            }
        };
        let storage = match var("MYRELAY_STORAGE_URL") {
            Some(v) => v.parse().map_err(|reason| ConfigError::Invalid {
                name: "MYRELAY_STORAGE_URL",
                reason,
            })?,
            None => StorageUrl::File(PathBuf::from(DEFAULT_STORAGE_DIR)),
        };
        let max_upload = match var("MYRELAY_MAX_UPLOAD") {
            Some(v) => parse_size(&v)
                .filter(|n| (1..=MAX_MAX_UPLOAD).contains(n))
                .ok_or_else(|| ConfigError::Invalid {
                    name: "MYRELAY_MAX_UPLOAD",
                    reason: format!(
                        "`{v}` is not a size between 1 byte and 5GiB such as 10485760, 512KiB or 10MiB"
                    ),
                })?,
            None => DEFAULT_MAX_UPLOAD,
        };
        let duration = |name: &'static str, default: Duration| match var(name) {
            Some(v) => parse_duration(&v).ok_or_else(|| ConfigError::Invalid {
                name,
                reason: format!("`{v}` is not a duration such as 24h, 30m or 3600 (seconds)"),
            }),
            None => Ok(default),
        };
        let orphan_ttl = duration("MYRELAY_ORPHAN_TTL", Duration::from_secs(24 * 3600))?;
        let orphan_sweep = duration("MYRELAY_ORPHAN_SWEEP", Duration::from_secs(3600))?;
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            addr,
            jwt_secret,
            jwt_secret_generated: generated,
            dev,
            cors_origins,
            cookie_secure,
            session_ttl,
            bcrypt_cost,
            rate_limit,
            redis_url: var("REDIS_URL"),
            redis_prefix: "myrelay".into(),
            admin_email: var("MYRELAY_ADMIN_EMAIL"),
            admin_password: var("MYRELAY_ADMIN_PASSWORD"),
            log_format,
            metrics_addr,
            storage,
            storage_options: Vec::new(),
            max_upload,
            orphan_ttl,
            orphan_sweep,
        })
    }

    /// A configuration for tests: dev mode, low bcrypt cost, the given database.
    pub fn for_tests(database_url: &str) -> Self {
        let mut c = Self::from_lookup(|k| match k {
            "MYRELAY_DEV" => Some("1".into()),
            "MYRELAY_BCRYPT_COST" => Some("4".into()),
            "MYRELAY_ADDR" => Some("127.0.0.1:0".into()),
            _ => None,
        })
        .expect("test config");
        c.database_url = database_url.to_string();
        // Never the working directory's `.data/`: tests that count objects use a folder each.
        c.storage = StorageUrl::File(
            std::env::temp_dir().join(format!("myrelay-attachments-{}", std::process::id())),
        );
        c
    }

    pub fn origin_allowed(&self, origin: &str) -> bool {
        let o = origin.trim_end_matches('/');
        self.cors_origins.iter().any(|a| a == o)
    }
}

fn truthy(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

fn parse_bool(name: &'static str, v: &str) -> Result<bool, ConfigError> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Invalid {
            name,
            reason: format!("`{v}` is not a boolean"),
        }),
    }
}

/// The metrics address must differ from the public one: metrics are never served there.
fn parse_metrics_addr(v: &str, public: SocketAddr) -> Result<SocketAddr, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        name: "MYRELAY_METRICS_ADDR",
        reason,
    };
    let addr: SocketAddr = v.trim().parse().map_err(|e| invalid(format!("{e}")))?;
    if addr.port() != 0 && addr.port() == public.port() {
        return Err(invalid(format!(
            "`{addr}` uses the port of MYRELAY_ADDR; metrics are never served on the public port"
        )));
    }
    Ok(addr)
}

/// A byte count: `10485760`, `512KiB`, `10MiB`, `1GiB` (binary units; `B` allowed).
pub fn parse_size(v: &str) -> Option<u64> {
    let v = v.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let mult: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => return None,
    };
    num.parse::<u64>().ok()?.checked_mul(mult)
}

/// `7d`, `12h`, `30m`, `45s` or a bare number of seconds.
pub fn parse_duration(v: &str) -> Option<Duration> {
    let v = v.trim();
    let (num, mult) = match v.chars().last()? {
        'd' => (&v[..v.len() - 1], 86_400),
        'h' => (&v[..v.len() - 1], 3_600),
        'm' => (&v[..v.len() - 1], 60),
        's' => (&v[..v.len() - 1], 1),
        _ => (v, 1),
    };
    let n: u64 = num.parse().ok()?;
    (n > 0).then(|| Duration::from_secs(n * mult))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn refuses_to_start_without_a_secret_outside_dev() {
        assert!(matches!(cfg(&[]), Err(ConfigError::MissingSecret)));
    }

    #[test]
    fn refuses_a_short_secret_even_in_dev() {
        let r = cfg(&[("MYRELAY_JWT_SECRET", "too-short"), ("MYRELAY_DEV", "1")]);
        assert!(matches!(r, Err(ConfigError::ShortSecret(9))));
    }

    #[test]
    fn dev_generates_a_secret_and_defaults_cookie_to_not_secure() {
        let c = cfg(&[("MYRELAY_DEV", "1")]).unwrap();
        assert!(c.jwt_secret_generated);
        assert!(c.jwt_secret.len() >= 32);
        assert!(!c.cookie_secure);
    }

    #[test]
    fn production_defaults() {
        let c = cfg(&[("MYRELAY_JWT_SECRET", &"x".repeat(32))]).unwrap();
        assert!(c.cookie_secure);
        assert_eq!(c.bcrypt_cost, 12);
        assert!(c.rate_limit);
        assert_eq!(c.session_ttl, Duration::from_secs(7 * 86_400));
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(
            c.cors_origins,
            vec!["http://localhost:3000", "http://127.0.0.1:3000"]
        );
        assert!(c.redis_url.is_none());
        assert!(c.metrics_addr.is_none());
        assert_eq!(c.storage, StorageUrl::File(".data/attachments".into()));
        assert_eq!(c.max_upload, 10_485_760);
        assert_eq!(c.orphan_ttl, Duration::from_secs(86_400));
    }

    #[test]
    fn parses_every_variable() {
        let c = cfg(&[
            ("MYRELAY_JWT_SECRET", &"y".repeat(40)),
            ("MYRELAY_ADDR", "0.0.0.0:9000"),
            (
                "MYRELAY_CORS_ORIGINS",
                "https://a.example, https://b.example/",
            ),
            ("MYRELAY_COOKIE_SECURE", "false"),
            ("MYRELAY_SESSION_TTL", "12h"),
            ("MYRELAY_BCRYPT_COST", "10"),
            ("MYRELAY_RATE_LIMIT", "off"),
            ("REDIS_URL", "redis://127.0.0.1:6379"),
            ("MYRELAY_LOG_FORMAT", "json"),
            ("MYRELAY_METRICS_ADDR", "127.0.0.1:9100"),
            ("MYRELAY_STORAGE_URL", "s3://my-bucket/relay/files/"),
            ("MYRELAY_MAX_UPLOAD", "25MiB"),
            ("MYRELAY_ORPHAN_TTL", "2h"),
            ("MYRELAY_ORPHAN_SWEEP", "60"),
        ])
        .unwrap();
        assert_eq!(
            c.storage,
            StorageUrl::S3 {
                bucket: "my-bucket".into(),
                prefix: "relay/files".into()
            }
        );
        assert_eq!(c.max_upload, 25 * 1024 * 1024);
        assert_eq!(c.orphan_ttl, Duration::from_secs(7200));
        assert_eq!(c.orphan_sweep, Duration::from_secs(60));
        assert_eq!(c.addr.port(), 9000);
        assert!(c.origin_allowed("https://b.example"));
        assert!(!c.origin_allowed("https://evil.example"));
        assert!(!c.cookie_secure);
        assert_eq!(c.session_ttl, Duration::from_secs(12 * 3600));
        assert_eq!(c.bcrypt_cost, 10);
        assert!(!c.rate_limit);
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.metrics_addr, Some("127.0.0.1:9100".parse().unwrap()));
    }

    #[test]
    fn rejects_bad_values() {
        let s = "z".repeat(32);
        assert!(cfg(&[("MYRELAY_JWT_SECRET", &s), ("MYRELAY_RATE_LIMIT", "maybe")]).is_err());
        assert!(cfg(&[("MYRELAY_JWT_SECRET", &s), ("MYRELAY_BCRYPT_COST", "3")]).is_err());
        assert!(cfg(&[("MYRELAY_JWT_SECRET", &s), ("MYRELAY_SESSION_TTL", "soon")]).is_err());
        assert!(cfg(&[("MYRELAY_JWT_SECRET", &s), ("MYRELAY_ADDR", "nope")]).is_err());
        assert!(
            cfg(&[
                ("MYRELAY_JWT_SECRET", &s),
                ("MYRELAY_METRICS_ADDR", ":9100")
            ])
            .is_err()
        );
    }

    #[test]
    fn storage_and_upload_limits_are_validated() {
        let s = "z".repeat(32);
        let with = |k: &str, v: &str| cfg(&[("MYRELAY_JWT_SECRET", &s), (k, v)]);
        let abs = with("MYRELAY_STORAGE_URL", "file:///var/lib/myrelay").unwrap();
        assert_eq!(abs.storage, StorageUrl::File("/var/lib/myrelay".into()));
        assert_eq!(abs.storage.to_string(), "file:///var/lib/myrelay");
        assert_eq!(with("MYRELAY_MAX_UPLOAD", "1").unwrap().max_upload, 1);
        for (k, v) in [
            ("MYRELAY_STORAGE_URL", "file://"),
            ("MYRELAY_STORAGE_URL", "/var/lib/myrelay"),
            ("MYRELAY_STORAGE_URL", "gs://bucket"),
            ("MYRELAY_STORAGE_URL", "s3://"),
            ("MYRELAY_STORAGE_URL", "s3://Bad_Bucket/x"),
            ("MYRELAY_MAX_UPLOAD", "0"),
            ("MYRELAY_MAX_UPLOAD", "ten"),
            ("MYRELAY_MAX_UPLOAD", "10MB"),
            ("MYRELAY_MAX_UPLOAD", "6GiB"),
            ("MYRELAY_ORPHAN_TTL", "0"),
            ("MYRELAY_ORPHAN_SWEEP", "later"),
        ] {
            assert!(
                matches!(with(k, v), Err(ConfigError::Invalid { name, .. }) if name == k),
                "{k}={v}"
            );
        }
    }

    #[test]
    fn metrics_are_never_on_the_public_port() {
        let s = "z".repeat(32);
        let same = cfg(&[
            ("MYRELAY_JWT_SECRET", &s),
            ("MYRELAY_ADDR", "0.0.0.0:8080"),
            ("MYRELAY_METRICS_ADDR", "127.0.0.1:8080"),
        ]);
        assert!(matches!(
            same,
            Err(ConfigError::Invalid {
                name: "MYRELAY_METRICS_ADDR",
                ..
            })
        ));
        let blank = cfg(&[("MYRELAY_JWT_SECRET", &s), ("MYRELAY_METRICS_ADDR", " ")]).unwrap();
        assert!(blank.metrics_addr.is_none());
    }

    #[test]
    fn debug_output_never_contains_the_secret() {
        let secret = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t";
        let c = cfg(&[
            ("MYRELAY_JWT_SECRET", secret),
            ("DATABASE_URL", "postgres://app:hunter2@db/x"),
        ])
        .unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains(secret));
        assert!(!dbg.contains("hunter2"));
    }
}
