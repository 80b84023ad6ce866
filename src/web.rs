//! The HTTP side: the route table, the gate every route passes, page rendering and the handlers.

pub mod account;
pub mod assets;
pub mod auth;
pub mod compress;
pub mod errors;
pub mod export;
pub mod gate;
pub mod home;
pub mod iid;
pub mod judge;
pub mod opd;
pub mod organiser;
pub mod page;
pub mod page_cache;
pub mod results;
pub mod routes;
pub mod upload;

pub use page::Page;
