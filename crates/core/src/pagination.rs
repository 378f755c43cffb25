//! Opaque keyset cursors: `(timestamp, id)` of the last item of a page, base64url-encoded.

use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i64,
}

/// A page of a keyset-paginated list. Pass `next_cursor` back as `cursor`; `null` means
/// this is the last page.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The page of rows fetched with `limit + 1`: trimmed to `limit`, with the cursor of its
    /// last row when more rows remain.
    pub fn finish(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> Cursor) -> Page<T> {
        let next_cursor = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|r| key(r).encode())
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }
}

/// Schema pattern of a cursor: every string it matches decodes.
pub const CURSOR_PATTERN: &str = "^[0-9]{1,18}_[0-9]{1,18}$";

impl Cursor {
    /// `<microseconds>_<id>`: treat it as opaque; it is only ever echoed back.
    pub fn encode(&self) -> String {
        format!("{}_{}", self.at.timestamp_micros().max(0), self.id.max(0))
    }

    pub fn decode(s: &str) -> Result<Cursor, ApiError> {
        let bad = || {
            ApiError::field(
                "cursor",
                "invalid",
                "The cursor is not one this API issued.",
            )
        };
        let (ts, id) = s.split_once('_').ok_or_else(bad)?;
        let digits =
            |p: &str| !p.is_empty() && p.len() <= 18 && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(ts) || !digits(id) {
            return Err(bad());
        }
        let at = DateTime::from_timestamp_micros(ts.parse().map_err(|_| bad())?).ok_or_else(bad)?;
        Ok(Cursor {
            at,
            id: id.parse().map_err(|_| bad())?,
        })
    }
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
        for bad in [
            "",
            "!!!",
            "abc",
            "1_",
            "_1",
            "1_2_3",
            "-1_2",
            &"1".repeat(19),
            &format!("{}_1", "9".repeat(19)),
        ] {
            assert!(Cursor::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_string_matching_the_pattern_decodes() {
        for ok in [
            "0_0",
            "999999999999999999_999999999999999999",
            "1732481234567890_42",
        ] {
            assert!(Cursor::decode(ok).is_ok(), "{ok}");
        }
    }
}
