//! Validated input: an [`Email`] or a [`DisplayName`] can only hold a value that passes the
//! rules of SPEC §4, so registration, the CLI and the demo seeder cannot disagree on them.

use myrelay_core::text;
use std::borrow::Cow;
use validator::ValidationError;

/// A well-formed address of at most 254 characters, stored trimmed and lower-cased (the
/// unique key is therefore case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(s: &str) -> Result<Email, ValidationError> {
        use validator::ValidateEmail;
        text::no_nul(s)?;
        let trimmed = text::trim(s);
        if trimmed.len() > Self::MAX_LEN || !trimmed.validate_email() {
            return Err(ValidationError::new("email").with_message(Cow::Borrowed(
                "Enter a valid email address (at most 254 characters).",
            )));
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
    pub const MAX_CHARS: usize = 80;

    pub fn parse(s: &str) -> Result<DisplayName, ValidationError> {
        text::check(s, 1, Self::MAX_CHARS)?;
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
