//! Integration tests: each starts the real server on a random port against
//! a fresh SQLite file and, separately, a fresh PostgreSQL database, and
//! acts as a citizen, an admin or an integrator would. All in one binary.

#![allow(clippy::unwrap_used)]

mod helpers;
mod template;

mod access;
mod admin;
mod api;
mod application;
mod auth;
mod backoffice;
mod booking;
mod breach;
mod bundle;
mod certificate;
mod cli;
mod consent;
mod device;
mod document;
mod exchange;
mod fixture;
mod input;
mod linked_data;
mod notify;
mod payment;
mod plumbing;
mod policy;
mod profile;
mod public;
mod region;
mod rights;
mod setup;
mod staff;
mod tenancy;
mod visit;
