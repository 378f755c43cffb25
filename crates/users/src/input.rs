//! Validated input: an [`Email`] or a [`DisplayName`] can only hold a value that passes the
//! rules of SPEC §4, so registration, the CLI and the demo seeder cannot disagree on them.

use myrelay_core::text::{self, TextRule};
use std::borrow::Cow;
use validator::ValidationError;

/// A well-formed address of at most 254 characters, stored trimmed and lower-cased (the
/// unique key is therefore case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// At most 254 bytes once trimmed (the schema's 254 characters, for ASCII), no NUL. The
    /// `users` CHECK constraint mirrors it; this constant is the source.
    pub const RULE: TextRule = TextRule::no_nul(0, 254);

    pub fn parse(s: &str) -> Result<Email, ValidationError> {
        use validator::ValidateEmail;
        text::no_nul(s)?;
        let trimmed = text::trim(s);
        if !Self::RULE.fits(trimmed.len()) || !trimmed.validate_email() {
            return Err(
                ValidationError::new("email").with_message(Cow::Owned(format!(
                    "Enter a valid email address (at most {} characters).",
                    Self::RULE.max
                ))),
            );
        }
        Ok(Email(normalize_email(trimmed)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How emails are compared: trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    text::trim(email).to_lowercase()
}

/// 1–80 characters after trimming, no NUL; holds the trimmed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// 1–80 characters after trimming (mirrored by a CHECK in `users`; this is the source).
    pub const RULE: TextRule = TextRule::text(1, 80);

    pub fn parse(s: &str) -> Result<DisplayName, ValidationError> {
        Self::RULE.check(s)?;
        Ok(DisplayName(text::trim(s).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `validator` custom rule: [`Email::parse`].
pub fn valid_email(s: &str) -> Result<(), ValidationError> {
    Email::parse(s).map(drop)
}

/// `validator` custom rule: [`DisplayName::parse`].
pub fn valid_display_name(s: &str) -> Result<(), ValidationError> {
    DisplayName::parse(s).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_lowercased_and_checked() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in ["", "no-at-sign", "a@", "@b.c", "a\0@b.c"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn display_name_is_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Maya ").unwrap().as_str(), "Maya");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(81)).is_err());
        assert!(DisplayName::parse(&"é".repeat(80)).is_ok());
    }
}
