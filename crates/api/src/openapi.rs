//! The OpenAPI 3.1 document: every route from the feature crates, both security schemes,
//! and the error responses every operation can give.

use myrelay_core::{ErrorCode, FieldError, Problem};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi as _};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "MyRelay API",
        description = "Tickets with a live chat room each, for customers, agents and admins.\n\n\
Authenticate with `Authorization: Bearer <token>` (from `/auth/login`) or the HttpOnly \
`myrelay_session` cookie. Errors are `application/problem+json` (RFC 9457) with a stable \
`code`. Lists are keyset-paginated: pass `next_cursor` back as `cursor`. Tickets sort by last \
activity (`updated_at`, which a new message also bumps), newest first.\n\n\
Live traffic uses Socket.IO at `/socket.io` on the same origin (see the README).",
        version = env!("CARGO_PKG_VERSION"),
        license(name = "MIT")
    ),
    components(schemas(Problem, ErrorCode, FieldError)),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Sign up, sign in, sessions"),
        (name = "tickets", description = "Tickets and their lifecycle"),
        (name = "messages", description = "The conversation inside a ticket"),
        (name = "attachments", description = "Files on tickets: upload, then send with a message"),
        (name = "admin", description = "Administration (admins only)"),
        (name = "ops", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The `token` returned by `/auth/login` or `/auth/register`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                myrelay_auth::SESSION_COOKIE,
                "The HttpOnly session cookie set by `/auth/login` and `/auth/register`.",
            ))),
        );
    }
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

/// Add the responses that come from shared machinery rather than the handler: 401 for
/// authenticated routes, 400/413/415/422 for bodies, 422 for queries, 404 for path ids,
/// 429 where limits apply, and 500/503 everywhere.
fn add_common_responses(path: &str, op: &mut Operation) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = op.request_body.is_some();
    let has_query = op
        .parameters
        .as_ref()
        .is_some_and(|ps| {
            ps.iter().any(|p| {
                matches!(p, RefOr::T(p) if matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
            })
        });
    let responses = &mut op.responses.responses;
    let mut add = |code: &str, desc: &str| {
        responses
            .entry(code.to_string())
            .or_insert_with(|| problem(desc));
    };
    if secured {
        add(
            "401",
            "Not signed in, or the session has ended (`unauthorized`).",
        );
    }
    if has_body {
        add("400", "The body is not valid JSON (`malformed_json`).");
        add(
            "413",
            "The body is larger than 64 KiB (`payload_too_large`).",
        );
        add(
            "415",
            "The body is not `application/json` (`unsupported_media_type`).",
        );
    }
    if has_body || has_query {
        add(
            "422",
            "Invalid input; `errors` lists each field (`validation_failed`).",
        );
    }
    if path.contains('{') {
        add(
            "404",
            "No such resource, or not visible to you (`not_found`).",
        );
    }
    add(
        "500",
        "Internal error; the body carries only the request id (`internal`).",
    );
    add(
        "503",
        "The database is unavailable (`service_unavailable`).",
    );
}

/// The complete document, as served at `/openapi.json` and printed by `myrelay-api openapi`.
pub fn document() -> OpenApi {
    let (_, paths) = crate::routes::routes().split_for_parts();
    let mut doc = ApiDoc::openapi();
    doc.merge(paths);
    myrelay_realtime::protocol::document(&mut doc);
    myrelay_core::text::apply_rules(&mut doc);
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            add_common_responses(path, op);
        }
    }
    doc
}

pub fn document_json() -> String {
    let mut s = document().to_pretty_json().expect("OpenAPI serialises");
    s.push('\n');
    s
}
