//! Text rules shared by every free-text field, kept identical to what the OpenAPI document
//! says (its `pattern`s are ECMAScript regexes, so whitespace here is ECMAScript's `\s`).
//!
//! Each field's limits are one [`TextRule`] constant, owned by the crate of its concept, and
//! read by both sides: the validation calls the rule's checks, and the field's schema names
//! the rule with the [`RULE_EXTENSION`] marker, which [`apply_rules`] turns into `minLength`,
//! `maxLength` and `pattern` when the document is built (utoipa's attributes take literals
//! only). Query parameters cannot carry extensions, so they use a type whose schema is the
//! rule: [`SearchText`], [`crate::pagination::CursorParam`].

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::ops::Deref;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayItems, Object, ObjectBuilder, Schema, Type,
};
use utoipa::openapi::{OpenApi, RefOr};
use utoipa::{PartialSchema, ToSchema};
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

/// Schema pattern of text that must hold a non-space character and no NUL: the single source
/// of this rule for both validation ([`TextRule::check`] with `min >= 1` is its Rust twin) and
/// the document (every such field's `pattern` comes from here, through its [`TextRule`]).
pub const PATTERN_TEXT: &str = r"^[^\u0000]*[^\s\u0000][^\u0000]*$";
/// Schema pattern of text without NUL (PostgreSQL cannot store it): the single source of this
/// rule for both validation ([`no_nul`] is its Rust twin) and the document.
pub const PATTERN_NO_NUL: &str = r"^[^\u0000]*$";

/// The limits of one free-text field: the single source for both its validation and its
/// schema (`minLength`, `maxLength`, `pattern`). Lengths count characters; a field whose check
/// counts otherwise (bytes, untrimmed) reads `min` and `max` from its rule all the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TextRule {
    /// Fewest characters; 0 leaves `minLength` out of the schema.
    pub min: usize,
    /// Most characters.
    pub max: usize,
    /// [`PATTERN_TEXT`] or [`PATTERN_NO_NUL`].
    pub pattern: &'static str,
}

impl TextRule {
    /// Text with a non-space character: `min..=max` characters after trimming ([`PATTERN_TEXT`]).
    pub const fn text(min: usize, max: usize) -> TextRule {
        TextRule {
            min,
            max,
            pattern: PATTERN_TEXT,
        }
    }

    /// Any text without NUL, `min..=max` characters ([`PATTERN_NO_NUL`]).
    pub const fn no_nul(min: usize, max: usize) -> TextRule {
        TextRule {
            min,
            max,
            pattern: PATTERN_NO_NUL,
        }
    }

    /// Whether a length (however the field counts it) is within `min..=max`.
    pub fn fits(&self, len: usize) -> bool {
        (self.min..=self.max).contains(&len)
    }

    /// No NUL character and `min..=max` characters after trimming.
    pub fn check(&self, s: &str) -> Result<(), ValidationError> {
        no_nul(s)?;
        if !self.fits(trim(s).chars().count()) {
            return Err(
                ValidationError::new("length").with_message(Cow::Owned(format!(
                    "Must be {} to {} characters after trimming.",
                    self.min, self.max
                ))),
            );
        }
        Ok(())
    }

    /// `min..=max` characters as sent, untrimmed (else a `length` error with `message`), and
    /// no NUL.
    pub fn check_untrimmed(
        &self,
        s: &str,
        message: impl Into<Cow<'static, str>>,
    ) -> Result<(), ValidationError> {
        if !self.fits(s.chars().count()) {
            return Err(ValidationError::new("length").with_message(message.into()));
        }
        no_nul(s)
    }

    /// A string schema of just this rule (for a query parameter's type).
    pub fn schema(&self) -> Object {
        let mut schema = ObjectBuilder::new().schema_type(Type::String).build();
        write_keywords(&mut schema, self.min, self.max, self.pattern.to_string());
        schema
    }
}

/// No NUL character (PostgreSQL cannot store it): [`PATTERN_NO_NUL`].
pub fn no_nul(s: &str) -> Result<(), ValidationError> {
    if s.contains('\0') {
        return Err(ValidationError::new("nul")
            .with_message(Cow::Borrowed("NUL characters are not allowed.")));
    }
    Ok(())
}

/// The schema extension that names a field's rule:
/// `#[schema(extensions(("x-text-rule" = json!(MY_RULE))))]` (utoipa takes the name as a
/// literal only). [`apply_rules`] replaces it with the rule's keywords.
pub const RULE_EXTENSION: &str = "x-text-rule";

/// What [`RULE_EXTENSION`] holds: a serialised [`TextRule`] (owned, as read back from JSON).
#[derive(Deserialize)]
struct RuleMarker {
    min: usize,
    max: usize,
    pattern: String,
}

/// Turn every [`RULE_EXTENSION`] marker of the document's schemas (components, parameters and
/// request bodies) into the `minLength`, `maxLength` and `pattern` of the rule it names.
pub fn apply_rules(doc: &mut OpenApi) {
    if let Some(components) = doc.components.as_mut() {
        components.schemas.values_mut().for_each(apply_in);
    }
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in ops.into_iter().flatten() {
            for p in op.parameters.iter_mut().flatten() {
                if let RefOr::T(p) = p {
                    p.schema.iter_mut().for_each(apply_in);
                }
            }
            if let Some(RefOr::T(body)) = op.request_body.as_mut() {
                for content in body.content.values_mut() {
                    if let RefOr::T(content) = content {
                        content.schema.iter_mut().for_each(apply_in);
                    }
                }
            }
        }
    }
}

/// The one place a rule becomes schema keywords: `minLength` (unless 0), `maxLength`, `pattern`.
fn write_keywords(o: &mut Object, min: usize, max: usize, pattern: String) {
    o.min_length = (min > 0).then_some(min);
    o.max_length = Some(max);
    o.pattern = Some(pattern);
}

fn apply_in(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(o) => {
            let marker = o.extensions.as_mut().and_then(|e| e.remove(RULE_EXTENSION));
            if let Some(marker) = marker {
                let m: RuleMarker =
                    serde_json::from_value(marker).expect("a rule marker holds a TextRule");
                write_keywords(o, m.min, m.max, m.pattern);
            }
            if o.extensions.as_ref().is_some_and(|e| e.is_empty()) {
                o.extensions = None;
            }
            o.properties.values_mut().for_each(apply_in);
            if let Some(AdditionalProperties::RefOr(a)) = o.additional_properties.as_deref_mut() {
                apply_in(a);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                apply_in(items);
            }
        }
        Schema::OneOf(s) => s.items.iter_mut().for_each(apply_in),
        Schema::AllOf(s) => s.items.iter_mut().for_each(apply_in),
        Schema::AnyOf(s) => s.items.iter_mut().for_each(apply_in),
        _ => {}
    }
}

/// Search text of the list endpoints (`q`): at most 200 characters, no NUL.
pub const SEARCH: TextRule = TextRule::no_nul(0, 200);

/// The `q` parameter as sent; its schema is [`SEARCH`] (use `#[param(inline)]`), and
/// `#[validate(custom(function = "text::valid_search"))]` checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SearchText(String);

impl SearchText {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl Deref for SearchText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialSchema for SearchText {
    fn schema() -> RefOr<Schema> {
        Schema::Object(SEARCH.schema()).into()
    }
}

impl ToSchema for SearchText {}

/// `validator` rule of [`SEARCH`]: at most 200 characters as sent, no NUL.
pub fn valid_search(s: &str) -> Result<(), ValidationError> {
    SEARCH.check_untrimmed(s, format!("At most {} characters.", SEARCH.max))
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
        assert!(TextRule::text(1, 5).check("  ").is_err());
        assert!(TextRule::text(1, 2).check(" ab ").is_ok());
        assert!(TextRule::text(1, 2).check("abc").is_err());
        assert!(TextRule::no_nul(0, 10).check("a\0b").is_err());
        assert!(no_nul("a\0b").is_err());
    }

    #[test]
    fn untrimmed_check_counts_what_was_sent() {
        let rule = TextRule::no_nul(1, 3);
        assert!(rule.check_untrimmed(" a ", "m").is_ok());
        let err = rule.check_untrimmed(" ab ", "too long").unwrap_err();
        assert_eq!(
            (err.code.as_ref(), err.message.as_deref()),
            ("length", Some("too long"))
        );
        assert_eq!(rule.check_untrimmed("\0", "m").unwrap_err().code, "nul");
    }

    #[test]
    fn rule_markers_become_schema_keywords() {
        use utoipa::openapi::ComponentsBuilder;
        use utoipa::openapi::extensions::ExtensionsBuilder;

        let marked = |rule: TextRule| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("kept"))
                .extensions(Some(
                    ExtensionsBuilder::new()
                        .add(RULE_EXTENSION, serde_json::to_value(rule).unwrap())
                        .build(),
                ))
        };
        let body = ObjectBuilder::new()
            .property("name", marked(TextRule::text(1, 80)))
            .property("note", marked(TextRule::no_nul(0, 200)));
        let mut doc = OpenApi::default();
        doc.components = Some(ComponentsBuilder::new().schema("Body", body).build());
        apply_rules(&mut doc);

        let json = serde_json::to_value(&doc).unwrap();
        let props = &json["components"]["schemas"]["Body"]["properties"];
        assert_eq!(
            props["name"],
            serde_json::json!({
                "type": "string", "description": "kept",
                "minLength": 1, "maxLength": 80, "pattern": PATTERN_TEXT,
            })
        );
        assert_eq!(
            props["note"],
            serde_json::json!({
                "type": "string", "description": "kept",
                "maxLength": 200, "pattern": PATTERN_NO_NUL,
            })
        );
    }

    #[test]
    fn search_text_schema_is_its_rule() {
        let json = serde_json::to_value(SearchText::schema()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "type": "string", "maxLength": SEARCH.max, "pattern": PATTERN_NO_NUL })
        );
    }
}
