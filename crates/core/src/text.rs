//! Text rules shared by every free-text field, kept identical to what the OpenAPI document
//! says (its `pattern`s are ECMAScript regexes, so whitespace here is ECMAScript's `\s`).

use std::borrow::Cow;
use validator::ValidationError;

/// ECMAScript's `\s`: WhiteSpace and LineTerminator code points.
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// Trim ECMAScript whitespace from both ends.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Schema pattern of text that must hold a non-space character and no NUL.
pub const PATTERN_TEXT: &str = r"^[^\u0000]*[^\s\u0000][^\u0000]*$";
/// Schema pattern of text without NUL (PostgreSQL cannot store it).
pub const PATTERN_NO_NUL: &str = r"^[^\u0000]*$";

/// `min..=max` characters after trimming, and no NUL character.
pub fn check(s: &str, min: usize, max: usize) -> Result<(), ValidationError> {
    if s.contains('\0') {
        return Err(ValidationError::new("nul")
            .with_message(Cow::Borrowed("NUL characters are not allowed.")));
    }
    let n = trim(s).chars().count();
    if n < min || n > max {
        return Err(
            ValidationError::new("length").with_message(Cow::Owned(format!(
                "Must be {min} to {max} characters after trimming."
            ))),
        );
    }
    Ok(())
}

/// No NUL character.
pub fn no_nul(s: &str) -> Result<(), ValidationError> {
    check(s, 0, usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_ecmascript_whitespace_only() {
        assert_eq!(trim("\u{FEFF}\u{3000} hi \n"), "hi");
        // U+0085 is Unicode White_Space but not ECMAScript's \s: kept, as the schema says.
        assert_eq!(trim("\u{85}"), "\u{85}");
    }

    #[test]
    fn limits_and_nul() {
        assert!(check("  ", 1, 5).is_err());
        assert!(check(" ab ", 1, 2).is_ok());
        assert!(check("abc", 1, 2).is_err());
        assert!(check("a\0b", 0, 10).is_err());
    }
}
