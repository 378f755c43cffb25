//! JWT (HS256) that names a session row. Validation allows exactly one algorithm, requires
//! every claim, and uses no leeway: an expired token is expired.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, Header, Validation, decode, encode};
use myrelay_core::state::JwtKeys;
use myrelay_core::{Id, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const ISSUER: &str = "myrelay";
pub const AUDIENCE: &str = "myrelay-api";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// The user id, as a string (RFC 7519).
    pub sub: String,
    /// The session id: the row in `sessions` that must still be live.
    pub sid: Uuid,
    /// The role at issue time; informational only: authorisation reads the database.
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

pub fn issue(
    keys: &JwtKeys,
    user_id: Id,
    session_id: Uuid,
    role: Role,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> anyhow::Result<String> {
    let claims = Claims {
        sub: user_id.to_string(),
        sid: session_id,
        role,
        iat: now.timestamp(),
        exp: expires_at.timestamp(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
    };
    Ok(encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &keys.encoding,
    )?)
}

fn validation() -> Validation {
    let mut v = Validation::new(Algorithm::HS256);
    v.algorithms = vec![Algorithm::HS256];
    v.leeway = 0;
    v.validate_exp = true;
    v.set_audience(&[AUDIENCE]);
    v.set_issuer(&[ISSUER]);
    v.set_required_spec_claims(&["sub", "exp", "iat", "iss", "aud"]);
    v
}

/// The claims of a valid token, or `None` for anything else (tampered, expired, wrong
/// algorithm, wrong audience or issuer, malformed).
pub fn verify(keys: &JwtKeys, token: &str) -> Option<Claims> {
    if token.len() > 4096 {
        return None;
    }
    decode::<Claims>(token, &keys.decoding, &validation())
        .ok()
        .map(|d| d.claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, EncodingKey};

    fn keys(secret: &[u8]) -> JwtKeys {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    fn b64(s: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for c in s.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for i in 0..=c.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    #[test]
    fn round_trip() {
        let k = keys(&[7u8; 32]);
        let now = Utc::now();
        let sid = Uuid::new_v4();
        let t = issue(
            &k,
            5,
            sid,
            Role::Agent,
            now,
            now + chrono::Duration::hours(1),
        )
        .unwrap();
        let c = verify(&k, &t).unwrap();
        assert_eq!(c.sub, "5");
        assert_eq!(c.sid, sid);
        assert_eq!(c.role, Role::Agent);
    }

    #[test]
    fn rejects_expired_tampered_wrong_key_and_alg_none() {
        let k = keys(&[7u8; 32]);
        let now = Utc::now();
        let expired = issue(
            &k,
            1,
            Uuid::new_v4(),
            Role::User,
            now - chrono::Duration::hours(2),
            now - chrono::Duration::seconds(1),
        )
        .unwrap();
        assert!(verify(&k, &expired).is_none());

        let good = issue(
            &k,
            1,
            Uuid::new_v4(),
            Role::User,
            now,
            now + chrono::Duration::hours(1),
        )
        .unwrap();
        let other = keys(&[8u8; 32]);
        assert!(verify(&other, &good).is_none());

        let mut parts: Vec<String> = good.split('.').map(String::from).collect();
        let claims = serde_json::json!({"sub":"1","sid":Uuid::new_v4(),"role":"admin","iat":now.timestamp(),"exp":now.timestamp()+3600,"iss":ISSUER,"aud":AUDIENCE});
        parts[1] = b64(claims.to_string().as_bytes());
        assert!(verify(&k, &parts.join(".")).is_none(), "tampered payload");

        let none = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
        assert!(verify(&k, &none).is_none(), "alg none");
    }

    #[test]
    fn rejects_wrong_audience() {
        let k = keys(&[7u8; 32]);
        let now = Utc::now();
        let claims = Claims {
            sub: "1".into(),
            sid: Uuid::new_v4(),
            role: Role::User,
            iat: now.timestamp(),
            exp: now.timestamp() + 3600,
            iss: ISSUER.into(),
            aud: "someone-else".into(),
        };
        let t = encode(&Header::new(Algorithm::HS256), &claims, &k.encoding).unwrap();
        assert!(verify(&k, &t).is_none());
    }
}
