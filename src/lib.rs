//! lookout-doctor: diagnose a Lookout Mobile Endpoint Security + Microsoft Intune
//! integration from an exported tenant snapshot.
//!
//! Data flows one way: snapshot files ([`snapshot`]) are loaded into a normalized
//! tenant ([`model`]), the [`engine`] runs every rule of [`rules`] over it and collects
//! [`finding::Finding`]s, and a printer of [`report`] renders them with the rule
//! knowledge of [`knowledge`]. Rules never print; printers never decide.
//!
//! `unsafe` code is allowed in two modules only: [`memory`] (allocator trimming) and
//! `snapshot::text::mapped` (memory maps), each behind a safe interface.

#![deny(unsafe_code)]

pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod engine;
pub mod finding;
pub mod knowledge;
#[allow(unsafe_code)]
pub mod memory;
pub mod messages;
pub mod model;
pub mod output;
pub mod progress;
pub mod redact;
pub mod report;
pub mod rules;
pub mod snapshot;
pub mod version;
