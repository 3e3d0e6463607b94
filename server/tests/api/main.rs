//! Integration tests: each test spawns the real server on port 0 with a fresh database
//! (SQLite file, and PostgreSQL when TEST_POSTGRES_URL is set) and talks to it over
//! HTTP and Socket.IO, as a client would.

#![recursion_limit = "256"]

mod helpers;

mod auth;
mod bad_input;
mod binary;
mod blocking;
mod chat;
mod cluster;
mod live;
mod posts;
mod realtime;
mod site;
mod social;
