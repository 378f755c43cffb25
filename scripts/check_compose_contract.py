#!/usr/bin/env python3
"""Check docker-compose.yml against the operations contract (SPEC §9).

Usage: check_compose_contract.py COMPOSE_FILE ENV_EXAMPLE [DOCKERFILE ...]

* every variable an API service (built from the root Dockerfile or using its
  image) passes is in SPEC §9's list (plus MYRELAY_DEV) AND named in .env.example;
* the web service passes only NEXT_PUBLIC_API_URL (plus NODE_ENV, PORT, HOSTNAME),
  and its build args are only NEXT_PUBLIC_API_URL;
* MYRELAY_JWT_SECRET reaches each API service, but only through interpolation
  without a default (``${MYRELAY_JWT_SECRET:?…}``) or from an env_file;
* nothing in the file or the Dockerfiles looks like a literal secret: secret-named
  variables without a pure interpolation, URLs with a literal password, long
  random-looking tokens, ENV/ARG lines naming a secret.

Prints one line per problem and exits 1 if there is any, 0 otherwise.
Runs with the project virtualenv's python (ruamel.yaml comes with check-jsonschema).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ruamel.yaml import YAML

SPEC_API_VARS = {
    "DATABASE_URL",
    "MYRELAY_ADDR",
    "MYRELAY_JWT_SECRET",
    "MYRELAY_CORS_ORIGINS",
    "MYRELAY_COOKIE_SECURE",
    "MYRELAY_SESSION_TTL",
    "MYRELAY_BCRYPT_COST",
    "MYRELAY_RATE_LIMIT",
    "REDIS_URL",
    "MYRELAY_ADMIN_EMAIL",
    "MYRELAY_ADMIN_PASSWORD",
    "RUST_LOG",
    "MYRELAY_LOG_FORMAT",
    "MYRELAY_METRICS_ADDR",
    "MYRELAY_STORAGE_URL",
    "MYRELAY_MAX_UPLOAD",
}
API_EXTRA_ALLOWED = {"MYRELAY_DEV"}
WEB_ALLOWED = {"NEXT_PUBLIC_API_URL", "NODE_ENV", "PORT", "HOSTNAME"}
WEB_BUILD_ARGS_ALLOWED = {"NEXT_PUBLIC_API_URL"}

SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|(^|_)API_?KEY$")
# ${NAME}, ${NAME?msg}, ${NAME:?msg}, ${NAME-}, ${NAME:-}: a value from the env file
# or the shell, never a default baked into the compose file.
PURE_INTERPOLATION = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?\?[^}]*|:?-)?\}?$")
INTERPOLATION = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")
URL_PASSWORD = re.compile(r"://[^/\s:@]+:([^@/\s]+)@")
TOKEN = re.compile(r"[A-Za-z0-9+/_=-]{24,}")
ENV_EXAMPLE_NAME = re.compile(r"^\s*#?\s*(?:export\s+)?([A-Z][A-Z0-9_]*)\s*=")
DOCKERFILE_SECRET = re.compile(r"^\s*(ENV|ARG)\s+(.*)$", re.IGNORECASE)


def env_of(service: dict) -> dict[str, object]:
    """The service's `environment` as name -> value (None = passed through)."""
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return {str(k): v for k, v in env.items()}
    out: dict[str, object] = {}
    for item in env:
        name, sep, value = str(item).partition("=")
        out[name] = value if sep else None
    return out


def build_args_of(service: dict) -> dict[str, object]:
    build = service.get("build")
    if not isinstance(build, dict):
        return {}
    args = build.get("args") or {}
    if isinstance(args, dict):
        return {str(k): v for k, v in args.items()}
    out: dict[str, object] = {}
    for item in args:
        name, sep, value = str(item).partition("=")
        out[name] = value if sep else None
    return out


def build_context(service: dict) -> str | None:
    build = service.get("build")
    if isinstance(build, str):
        return build
    if isinstance(build, dict):
        return str(build.get("context", "."))
    return None


def env_files_of(service: dict) -> list[str]:
    ef = service.get("env_file")
    if ef is None:
        return []
    if isinstance(ef, (str, dict)):
        ef = [ef]
    return [str(e["path"]) if isinstance(e, dict) else str(e) for e in ef]


def norm_context(c: str | None) -> str | None:
    if c is None:
        return None
    c = c.strip().rstrip("/")
    return "." if c in ("", ".", "./") else c.removeprefix("./")


def looks_random(token: str) -> bool:
    """A long token mixing letters and digits with many distinct characters."""
    return (
        any(ch.isdigit() for ch in token)
        and any(ch.isalpha() for ch in token)
        and len(set(token)) >= 12
    )


def walk_strings(node, path: str):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk_strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def read_env_example(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        m = ENV_EXAMPLE_NAME.match(line)
        if m:
            names.add(m.group(1))
    return names


def dockerfile_instructions(text: str):
    """(first line number, instruction) with `\\` continuations joined."""
    start, buf = 0, ""
    for lineno, line in enumerate(text.splitlines(), 1):
        if not buf:
            start = lineno
            if line.lstrip().startswith("#"):
                continue
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        yield start, buf + line
        buf = ""
    if buf:
        yield start, buf


def check(compose_path: Path, env_example: Path, dockerfiles: list[Path]) -> list[str]:
    problems: list[str] = []
    doc = YAML(typ="safe", pure=True).load(compose_path.read_text())
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        return [f"{compose_path}: no services mapping"]
    services: dict = doc["services"]

    example_names = read_env_example(env_example)
    api_allowed = (SPEC_API_VARS | API_EXTRA_ALLOWED) & example_names
    for name in sorted(SPEC_API_VARS - example_names):
        problems.append(f"{env_example}: SPEC §9 variable {name} is not listed")

    # Which services run the API: built from the root context, or using api's image.
    api_image = None
    if isinstance(services.get("api"), dict):
        api_image = services["api"].get("image")
    api_services = [
        name
        for name, svc in services.items()
        if isinstance(svc, dict)
        and (
            norm_context(build_context(svc)) == "."
            or (api_image is not None and svc.get("image") == api_image)
        )
    ]
    for required in ("db", "api", "web"):
        if required not in services:
            problems.append(f"services: missing `{required}` (SPEC §9: db, api, web)")
    if "api" in services and "api" not in api_services:
        problems.append("services.api: not built from the root Dockerfile")

    for name in api_services:
        svc = services[name]
        env = env_of(svc)
        for var in sorted(env):
            if var not in SPEC_API_VARS | API_EXTRA_ALLOWED:
                problems.append(f"services.{name}.environment.{var}: not a SPEC §9 variable")
            elif var not in example_names:
                problems.append(
                    f"services.{name}.environment.{var}: not named in {env_example.name}"
                )
        env_files = env_files_of(svc)
        for ef in env_files:
            p = compose_path.parent / ef
            if p.exists():
                for var in sorted(read_env_example(p) - (SPEC_API_VARS | API_EXTRA_ALLOWED)):
                    problems.append(f"services.{name}.env_file {ef}: {var} is not a SPEC §9 variable")
        secret = env.get("MYRELAY_JWT_SECRET", "<absent>")
        if secret == "<absent>":
            if not env_files:
                problems.append(
                    f"services.{name}: MYRELAY_JWT_SECRET comes neither from the environment "
                    "(interpolation) nor from an env_file"
                )
        elif secret is not None:
            m = PURE_INTERPOLATION.match(str(secret))
            if not m or m.group(1) != "MYRELAY_JWT_SECRET":
                problems.append(
                    f"services.{name}.environment.MYRELAY_JWT_SECRET: must be "
                    "${MYRELAY_JWT_SECRET:?...} (no default) or come from an env_file"
                )
        if build_args_of(svc):
            problems.append(f"services.{name}.build.args: the API image takes no build args")

    web = services.get("web")
    if isinstance(web, dict):
        for var in sorted(env_of(web)):
            if var not in WEB_ALLOWED:
                problems.append(
                    f"services.web.environment.{var}: the web app reads only NEXT_PUBLIC_API_URL"
                )
        for var in sorted(build_args_of(web)):
            if var not in WEB_BUILD_ARGS_ALLOWED:
                problems.append(f"services.web.build.args.{var}: only NEXT_PUBLIC_API_URL")
        if env_files_of(web):
            problems.append("services.web.env_file: not allowed (the web app reads one variable)")

    # Secret-named variables anywhere: passed through or pure interpolation only.
    for sname, svc in services.items():
        if not isinstance(svc, dict):
            continue
        for where, values in (("environment", env_of(svc)), ("build.args", build_args_of(svc))):
            for var, value in values.items():
                if value is None or not SECRET_NAME.search(var):
                    continue
                value = str(value)
                if value == "" or PURE_INTERPOLATION.match(value):
                    continue
                problems.append(f"services.{sname}.{where}.{var}: literal value for a secret")

    # Any string in the file: no URL with a literal password, no random-looking token.
    for path, value in walk_strings(doc, ""):
        literal = INTERPOLATION.sub("", value)
        m = URL_PASSWORD.search(value)
        if m and not INTERPOLATION.fullmatch(m.group(1)):
            problems.append(f"{path}: URL with a literal password")
        for tok in TOKEN.findall(literal):
            if looks_random(tok):
                problems.append(f"{path}: looks like a literal secret ({tok[:4]}…)")

    # The images must not bake a secret in either.
    for df in dockerfiles:
        if not df.exists():
            continue
        for lineno, line in dockerfile_instructions(df.read_text()):
            m = DOCKERFILE_SECRET.match(line)
            if not m:
                continue
            names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*=", m.group(2)) or m.group(2).split()[:1]
            for var in names:
                if SECRET_NAME.search(var.upper()):
                    problems.append(f"{df}:{lineno}: {m.group(1).upper()} {var} would bake a secret into the image")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    problems = check(Path(argv[1]), Path(argv[2]), [Path(p) for p in argv[3:]])
    for p in problems:
        print(f"  contract: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
