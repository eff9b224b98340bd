// This file is part of Substrate.

// Copyright (C) Parity Technologies (UK) Ltd.
// SPDX-License-Identifier: Apache-2.0

// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
// 	http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

// Paratii's copy (see README.md): the upstream build script compiles `revive-dev-runtime`
// (a second runtime, native and wasm) only to write its metadata, and `git2` (libgit2's C)
// only to name a revision that a crates.io build never has. This one copies the metadata
// that script wrote, committed as `revive_chain.scale`, and names the same revision the
// crates.io build names ("unknown-unknown").
use std::{fs, process::Command};

fn main() {
	let output = Command::new("rustc")
		.arg("--version")
		.output()
		.expect("cannot get the current rustc version");
	// e.g. "rustc 1.83.0 (90b35a623 2024-11-26)" -> "rustc1.83.0", web3_clientVersion's form.
	let rustc_version = String::from_utf8_lossy(&output.stdout)
		.split_whitespace()
		.take(2)
		.collect::<Vec<_>>()
		.join("");
	let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
	println!("cargo:rustc-env=RUSTC_VERSION={rustc_version}");
	println!("cargo:rustc-env=TARGET={target}");
	println!("cargo:rustc-env=GIT_REVISION=unknown-unknown");

	let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR not set");
	fs::copy("revive_chain.scale", std::path::Path::new(&out_dir).join("revive_chain.scale"))
		.expect("revive_chain.scale is committed next to this build script");
	println!("cargo:rerun-if-changed=revive_chain.scale");
	println!("cargo:rerun-if-changed=build.rs");
}
