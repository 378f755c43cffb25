//! Typed configuration, read once from the environment at start (SPEC §9).

use std::net::SocketAddr;
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
        ])
        .unwrap();
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
