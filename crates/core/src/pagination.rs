//! Opaque keyset cursors: `(timestamp, id)` of the last item of a page, base64url-encoded.

use crate::error::ApiError;
use chrono::{DateTime, Utc};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let raw = format!("{}:{}", self.at.timestamp_micros(), self.id);
        b64_encode(raw.as_bytes())
    }

    pub fn decode(s: &str) -> Result<Cursor, ApiError> {
        let bad = || {
            ApiError::field(
                "cursor",
                "invalid",
                "The cursor is not one this API issued.",
            )
        };
        let raw = b64_decode(s).ok_or_else(bad)?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let (ts, id) = raw.split_once(':').ok_or_else(bad)?;
        let at = DateTime::from_timestamp_micros(ts.parse().map_err(|_| bad())?).ok_or_else(bad)?;
        Ok(Cursor {
            at,
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len() * 4 / 3 + 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn b64_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() > 64 {
        return None;
    }
    let mut vals = Vec::with_capacity(s.len());
    for c in s.bytes() {
        vals.push(ALPHABET.iter().position(|&a| a == c)? as u32);
    }
    let mut out = Vec::new();
    for chunk in vals.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, v) in chunk.iter().enumerate() {
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        let c = Cursor {
            at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
    }

    #[test]
    fn garbage_cursor_is_a_validation_error() {
        for bad in ["", "!!!", "abc", "MTIz", &"A".repeat(100)] {
            assert!(Cursor::decode(bad).is_err(), "{bad}");
        }
    }
}
