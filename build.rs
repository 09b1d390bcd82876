//! Nothing to build: this script exists so that `syn`, as a build
//! dependency, is built with the features the tests' macros need (see
//! Cargo.toml), and `cargo test` reuses the dependencies `cargo build` made.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
}
