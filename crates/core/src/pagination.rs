//! Opaque keyset cursors: `(timestamp, id)` of the last item of a page, base64url-encoded.

use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::ops::Deref;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};
use validator::ValidationError;

pub const DEFAULT_LIMIT: i64 = 20;
/// The largest page: the single source for both validation ([`valid_limit`]) and the
/// document ([`PageLimit`]'s schema).
pub const MAX_LIMIT: i64 = 100;

/// The `limit` query parameter, 1–[`MAX_LIMIT`] (use `#[param(inline)]`, and
/// `#[validate(custom(function = "pagination::valid_limit"))]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PageLimit(i64);

impl PageLimit {
    pub fn get(self) -> i64 {
        self.0
    }
}

impl PartialSchema for PageLimit {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(1))
            .maximum(Some(MAX_LIMIT))
            .into()
    }
}

impl ToSchema for PageLimit {}

/// `validator` rule of [`PageLimit`].
pub fn valid_limit(limit: &PageLimit) -> Result<(), ValidationError> {
    if !(1..=MAX_LIMIT).contains(&limit.0) {
        return Err(ValidationError::new("range")
            .with_message(format!("limit must be between 1 and {MAX_LIMIT}.").into()));
    }
    Ok(())
}

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

/// Schema pattern of a cursor: every string it matches decodes. The single source for the
/// document; [`Cursor::decode`] checks the same shape (a test holds them equal).
pub const CURSOR_PATTERN: &str = "^[0-9]{1,18}_[0-9]{1,18}$";

/// The `cursor` query parameter as sent (use `#[param(inline)]`): its schema carries
/// [`CURSOR_PATTERN`]; [`Cursor::decode`] reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CursorParam(String);

impl Deref for CursorParam {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialSchema for CursorParam {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(CURSOR_PATTERN))
            .into()
    }
}

impl ToSchema for CursorParam {}

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
    fn page_limit_is_one_to_max() {
        for (n, ok) in [
            (0, false),
            (1, true),
            (MAX_LIMIT, true),
            (MAX_LIMIT + 1, false),
        ] {
            assert_eq!(valid_limit(&PageLimit(n)).is_ok(), ok, "{n}");
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
