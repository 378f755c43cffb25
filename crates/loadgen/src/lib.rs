//! MyRelay's load generator: the lean Socket.IO client of `myrelay-sio-client` ([`sio`]), an HTTP client for the public
//! API ([`api`]), a COPY-based data seeder ([`seed`]), the benchmark scenarios
//! ([`scenarios`]) with server CPU and memory sampling ([`procmon`]), and the report writer
//! ([`report`]). It uses only the public API (plus one admin login for setup), so it measures
//! any server that implements the SPEC.

pub mod api;
pub mod fixture;
pub mod procmon;
pub mod report;
pub mod scenarios;
pub mod seed;
pub mod stats;

/// The Socket.IO client (its own crate, shared with the integration tests).
pub use myrelay_sio_client as sio;
