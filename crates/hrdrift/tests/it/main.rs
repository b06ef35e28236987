//! The `hrdrift` binary end to end: what a user types, what they see, the exit codes.

mod analysis;
mod cli;
mod crash;
mod disk;
mod report;
