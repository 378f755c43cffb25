# MyRelay API image (binary `myrelay-api`, crate crates/api).
#
#   docker build -t myrelay-api .          # from the repository root
#   docker run --rm -e MYRELAY_JWT_SECRET=... -e DATABASE_URL=... -p 8080:8080 myrelay-api
#
# Stages:
#   planner  reduces the source tree to the workspace manifests plus stub sources
#            (a hand-written cargo-chef "recipe": no extra tool to fetch)
#   builder  builds the dependencies from that skeleton (cached until a Cargo.toml
#            or Cargo.lock changes), then the real sources
#   runtime  debian slim + the binary, non-root
#
# No secret is baked in: MYRELAY_JWT_SECRET and the rest come from the environment
# at run time (see docker-compose.yml and docs/DOCKER.md).

ARG RUST_VERSION=1
ARG DEBIAN_SUITE=bookworm

# ---------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-${DEBIAN_SUITE} AS planner
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates crates
# For every workspace member (crates/*/Cargo.toml, so new members such as
# crates/loadgen are picked up without editing this file) copy its manifest and
# write a stub for each target source file that exists in the real crate:
# src/lib.rs, src/main.rs, src/bin/*.rs, build.rs and any `path = "….rs"` the
# manifest names explicitly ([lib], [[bin]], [[bench]], … must exist for cargo to
# load the workspace).
RUN set -eu; \
    mkdir -p /skeleton; \
    cp Cargo.toml Cargo.lock /skeleton/; \
    for manifest in crates/*/Cargo.toml; do \
        dir=$(dirname "$manifest"); \
        mkdir -p "/skeleton/$dir"; \
        cp "$manifest" "/skeleton/$dir/Cargo.toml"; \
        declared=$(sed -n 's/^[[:space:]]*path[[:space:]]*=[[:space:]]*"\([^"]*\.rs\)".*/\1/p' "$manifest"); \
        bins=""; \
        for b in "$dir"/src/bin/*.rs; do if [ -e "$b" ]; then bins="$bins ${b#"$dir"/}"; fi; done; \
        for f in src/lib.rs src/main.rs build.rs $bins $declared; do \
            [ -e "$dir/$f" ] || continue; \
            mkdir -p "$(dirname "/skeleton/$dir/$f")"; \
            if [ "$f" = src/lib.rs ]; then : > "/skeleton/$dir/$f"; \
            else echo 'fn main() {}' > "/skeleton/$dir/$f"; fi; \
        done; \
    done; \
    find /skeleton -type f

# ---------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-${DEBIAN_SUITE} AS builder
WORKDIR /src
# Queries are checked offline (a .sqlx/ cache, if the project ever uses the
# query! macros); the build never needs a database.
ENV SQLX_OFFLINE=true \
    CARGO_TERM_COLOR=never
# The workspace declares rust-version = 1.94; cargo refuses an older toolchain
# with a clear message, so `rust:1-…` (the newest 1.x) is the only requirement.
RUN cargo --version && rustc --version

# Dependency layer: rebuilt only when a manifest or the lock file changes.
COPY --from=planner /skeleton/ ./
RUN cargo build --release --locked -p myrelay-api

# Real sources. COPY keeps the files' original modification times, which can be
# older than the stub build above; touch them so cargo rebuilds the workspace
# crates instead of reusing the stubs.
COPY Cargo.toml Cargo.lock ./
COPY crates crates
COPY migrations migrations
RUN set -eu; \
    find crates migrations -type f -exec touch {} +; \
    cargo build --release --locked -p myrelay-api; \
    ./target/release/myrelay-api --help > /tmp/help.txt; \
    grep -qw serve /tmp/help.txt || { echo "built binary has no 'serve' subcommand (stub left over?)" >&2; exit 1; }; \
    install -m 0755 target/release/myrelay-api /usr/local/bin/myrelay-api

# ---------------------------------------------------------------------------
FROM debian:${DEBIAN_SUITE}-slim AS runtime
# Unpinned on purpose: the suite's current ca-certificates and curl (security fixes).
# hadolint ignore=DL3008
RUN set -eu; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --system --gid 10001 myrelay; \
    useradd --system --uid 10001 --gid myrelay --home-dir /nonexistent \
        --no-create-home --shell /usr/sbin/nologin myrelay; \
    # The file:// attachment store (docker-compose mounts a named volume here; a new
    # volume takes this owner).
    mkdir -p /data/attachments; \
    chown myrelay:myrelay /data/attachments

COPY --from=builder /usr/local/bin/myrelay-api /usr/local/bin/myrelay-api
# Migrations are embedded in the binary (sqlx::migrate!); this copy is only for
# reference / inspection inside the container.
COPY migrations /app/migrations
WORKDIR /app

ENV MYRELAY_ADDR=0.0.0.0:8080 \
    MYRELAY_STORAGE_URL=file:///data/attachments \
    RUST_LOG=info

USER 10001:10001
EXPOSE 8080

# Liveness only (GET /health); /ready additionally checks the database.
# The URL assumes the default MYRELAY_ADDR port above.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/health"]

ENTRYPOINT ["myrelay-api"]
CMD ["serve"]
