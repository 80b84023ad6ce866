//! BIW: the platform that runs Kota Bekasi's innovation competition, Bekasi Innovation Week.
//!
//! Layers, outermost first: `web` (routes, gate, handlers, pages) → `services` (use cases, one
//! transaction each, with audit and mail) → `models` (rows and queries) → `db` (both engines).

// A page allocates thousands of small values (rows, tera's context, the HTML); glibc's allocator
// took a quarter of a list page's CPU in the profile (BENCHMARKS.md). Declared in the library so
// the server, the tests and the benchmarks all run on the same one.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod email;
pub mod error;
pub mod i18n;
pub mod models;
pub mod outbox;
pub mod scheduler;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod templates;
pub mod time;
pub mod web;
pub mod worker;
