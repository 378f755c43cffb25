"""Schemathesis hooks for MyRelay.

Passwords are limited in *bytes* (bcrypt's input limit: 8-71 bytes), while JSON Schema's
maxLength counts characters. The document says so in words; here the `password` format draws
printable ASCII, where characters and bytes agree, so generated "valid" passwords are valid.
Everything else is generated from the document as it is.
"""

import schemathesis
from hypothesis import strategies as st

schemathesis.openapi.format(
    "password",
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=8, max_size=71),
)
