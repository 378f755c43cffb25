//! JWT (HS256) that names a session row. Validation allows exactly one algorithm, requires
//! every claim, and uses no leeway: an expired token is expired.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
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

/// Sign a token for `session_id` with the HMAC `secret` (`MYRELAY_JWT_SECRET`).
pub fn issue(
    secret: &[u8],
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
        &EncodingKey::from_secret(secret),
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
pub fn verify(secret: &[u8], token: &str) -> Option<Claims> {
    if token.len() > 4096 {
        return None;
    }
    decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation())
        .ok()
        .map(|d| d.claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn b64(s: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn round_trip() {
        let k = [7u8; 32];
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
        let k = [7u8; 32];
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
        let other = [8u8; 32];
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
        let k = [7u8; 32];
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
        let t = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&k),
        )
        .unwrap();
        assert!(verify(&k, &t).is_none());
    }
}
