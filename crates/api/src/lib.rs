//! The `myrelay-api` application. Modules depend one way:
//! `cli → server → {routes, openapi, middleware, db}`, `openapi → routes`.
//!
//! - [`routes`]: every route (health, readiness, and the features' routers);
//! - [`openapi`]: the document built from those routes;
//! - [`middleware`]: problem+json for every error, the Socket.IO origin guard;
//! - [`server`]: the app state, the router with its layers and Socket.IO, `serve`;
//! - [`cli`]: the commands of the binary.

pub mod cli;
pub mod db;
pub mod middleware;
pub mod openapi;
pub mod routes;
pub mod server;

pub use db::{MIGRATOR, connect};
pub use server::{app_state, build_app, run, serve};
