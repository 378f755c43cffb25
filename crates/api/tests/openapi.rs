//! The checked-in `openapi.json` is what `myrelay-api openapi` prints, and every operation
//! documents its errors.

use serde_json::Value;

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
    let doc: Value = serde_json::from_str(&myrelay_api::openapi::document_json()).unwrap();
    let s = &doc["components"]["schemas"];
    assert_eq!(
        s["RegisterRequest"]["properties"]["password"]["maxLength"],
        71
    );
    assert_eq!(
        s["RegisterRequest"]["properties"]["display_name"]["maxLength"],
        80
    );
    assert_eq!(
        s["CreateTicketRequest"]["properties"]["description"]["maxLength"],
        10000
    );
    assert_eq!(
        s["PostMessageRequest"]["properties"]["content"]["maxLength"],
        5000
    );
    let list = &doc["paths"]["/tickets"]["get"]["parameters"];
    let limit = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["maximum"], 100);
}
