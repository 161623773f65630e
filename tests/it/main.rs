//! The integration tests, one binary (each file of its own would link the whole crate again): the real BI client
//! against the sandbox over HTTP, and the whole console over HTTP. The tests that measure their own process (its
//! allocator, its log lines, a burst of sign-ins) are binaries of their own beside this one.

#![cfg(feature = "ssr")]

mod common;
mod spec_support;

mod access;
mod add_identity;
mod architecture;
mod assets;
mod audit_sink;
mod backup;
mod bi_client;
mod bi_sign_in;
mod bulk;
mod contract;
mod durability;
mod faults;
mod hardening;
mod health;
mod import;
mod index;
mod invitation_runs;
mod jobs;
mod membership;
mod metrics;
mod operating;
mod operator_passkeys;
mod operators;
mod passkeys;
mod replicas;
mod reverse_proxy;
mod scim;
mod scim_contract;
mod shutdown;
mod step_up;
mod traces;
