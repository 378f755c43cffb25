//! The checked-in `openapi.json` is what `myrelay-api openapi` prints, and every operation
//! documents its errors.

use serde_json::{Value, json};

#[test]
fn checked_in_openapi_json_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.json");
    let on_disk =
        std::fs::read_to_string(path).expect("openapi.json exists at the repository root");
    let current = myrelay_api::openapi::document_json();
    assert!(
        on_disk == current,
        "openapi.json is stale: run `cargo run -p myrelay-api -- openapi > openapi.json` (or `make openapi`)"
    );
}

#[test]
fn every_operation_lists_its_error_responses_as_problem_json() {
    let doc: Value = serde_json::from_str(&myrelay_api::openapi::document_json()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = &doc["components"]["securitySchemes"];
    assert!(schemes["bearer"].is_object() && schemes["cookie"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let secured = op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty());
            let mut need = vec!["500", "503"];
            if secured {
                need.push("401");
            }
            if path.contains('{') {
                need.push("404");
            }
            if op.get("requestBody").is_some() {
                need.extend(["400", "413", "415", "422"]);
            }
            if path.starts_with("/admin") {
                need.push("403");
            }
            for code in need {
                let r = responses
                    .get(code)
                    .unwrap_or_else(|| panic!("{method} {path} lacks {code}"));
                assert!(
                    r["content"]["application/problem+json"].is_object(),
                    "{method} {path} {code} is not problem+json"
                );
            }
            let public = [
                "/health",
                "/ready",
                "/auth/login",
                "/auth/register",
                "/auth/session",
            ];
            assert_eq!(
                secured,
                !public.contains(&path.as_str()),
                "{method} {path} security"
            );
        }
    }
}

#[test]
fn validation_limits_are_mirrored_into_the_schema() {
    use myrelay_core::text::TextRule;
    let doc: Value = serde_json::from_str(&myrelay_api::openapi::document_json()).unwrap();
    let s = &doc["components"]["schemas"];
    let fields: [(&str, &str, TextRule); 7] = [
        ("RegisterRequest", "email", myrelay_users::Email::RULE),
        ("RegisterRequest", "password", myrelay_auth::password::RULE),
        (
            "RegisterRequest",
            "display_name",
            myrelay_users::DisplayName::RULE,
        ),
        (
            "CreateTicketRequest",
            "subject",
            myrelay_tickets::Ticket::SUBJECT,
        ),
        (
            "CreateTicketRequest",
            "description",
            myrelay_tickets::Ticket::DESCRIPTION,
        ),
        (
            "PostMessageRequest",
            "content",
            myrelay_messages::store::CONTENT,
        ),
        (
            "PostMessageRequest",
            "client_id",
            myrelay_messages::store::CLIENT_ID,
        ),
    ];
    for (schema, field, rule) in fields {
        let p = &s[schema]["properties"][field];
        let min = if rule.min > 0 {
            json!(rule.min)
        } else {
            Value::Null
        };
        assert_eq!(p["minLength"], min, "{schema}.{field} minLength");
        assert_eq!(p["maxLength"], rule.max, "{schema}.{field} maxLength");
        assert_eq!(p["pattern"], rule.pattern, "{schema}.{field} pattern");
    }
    let list = &doc["paths"]["/tickets"]["get"]["parameters"];
    let param = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
    };
    let limit = &param("limit")["schema"];
    assert_eq!(limit["maximum"], myrelay_core::pagination::MAX_LIMIT);
    assert_eq!(limit["minimum"], 1);
    assert_eq!(
        param("q")["schema"]["maxLength"],
        myrelay_core::text::SEARCH.max
    );
}

/// Every free-text input carries a rule: each string property of a request body and each
/// string query parameter has a `pattern`, and it is one of the constants in `core`. A field
/// left without its `x-text-rule` marker (or its parameter type) fails here.
#[test]
fn every_text_input_has_a_pattern_from_core() {
    use myrelay_core::pagination::CURSOR_PATTERN;
    use myrelay_core::text::{PATTERN_NO_NUL, PATTERN_TEXT, RULE_EXTENSION};

    let text = myrelay_api::openapi::document_json();
    assert!(
        !text.contains(RULE_EXTENSION),
        "a rule marker was left in the document"
    );
    let doc: Value = serde_json::from_str(&text).unwrap();
    let schemas = &doc["components"]["schemas"];
    let resolve = |s: &Value| -> Value {
        match s["$ref"].as_str() {
            Some(r) => schemas[r.trim_start_matches("#/components/schemas/")].clone(),
            None => s.clone(),
        }
    };
    let free_text = |s: &Value| {
        let t = &s["type"];
        let string = t == "string" || t.as_array().is_some_and(|a| a.contains(&json!("string")));
        // Enumerations and timestamps (`date-time`) are judged by their enum or format.
        string && s.get("enum").is_none() && s["format"] != "date-time"
    };
    let check = |what: String, s: &Value| {
        if free_text(s) {
            let pattern = s["pattern"]
                .as_str()
                .unwrap_or_else(|| panic!("{what} has no pattern"));
            assert!(
                [PATTERN_TEXT, PATTERN_NO_NUL, CURSOR_PATTERN].contains(&pattern),
                "{what}: pattern {pattern} is not one of core's"
            );
        }
    };
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "query" {
                    check(format!("{method} {path} ?{}", p["name"]), &p["schema"]);
                    seen += 1;
                }
            }
            let body = resolve(&op["requestBody"]["content"]["application/json"]["schema"]);
            for (name, prop) in body["properties"].as_object().into_iter().flatten() {
                check(format!("{method} {path} body.{name}"), &resolve(prop));
                seen += 1;
            }
        }
    }
    assert!(seen > 10, "the walk found the inputs ({seen})");
}
