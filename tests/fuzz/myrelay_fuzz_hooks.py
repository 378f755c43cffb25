"""Schemathesis hooks for MyRelay.

Passwords are limited in *bytes* (bcrypt's input limit: 8-71 bytes, refused beyond, never
truncated), while JSON Schema's minLength/maxLength count characters, so the document can state
the byte rule only in words. A generated password whose character count fits the schema but
whose UTF-8 length does not (for example 30 four-byte characters) is outside what the schema
can judge either way; such bodies are dropped from generation. Every other generated value,
valid or invalid, is sent and checked as it is.
"""

import sys

import schemathesis

# Deeply nested schemas make hypothesis describe its strategies recursively; CPython 3.11's
# parser then sometimes fails with "AST constructor recursion depth mismatch" near the
# default limit. More headroom makes that rarer (scripts/fuzz.sh retries the role if it
# still happens).
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))


def _ambiguous_password(body) -> bool:
    if not isinstance(body, dict):
        return False
    password = body.get("password")
    if not isinstance(password, str):
        return False
    chars = len(password)
    size = len(password.encode("utf-8", "surrogatepass"))
    within_schema = 8 <= chars <= 71
    within_rule = 8 <= size <= 71
    return within_schema != within_rule


@schemathesis.hook
def filter_body(context, body):
    operation = context.operation
    if operation is not None and operation.path == "/auth/register":
        return not _ambiguous_password(body)
    return True
