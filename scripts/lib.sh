# Shared by the scripts: paths, logging, and the checks that install what a fresh
# machine lacks (or stop with a message saying what is missing).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/paratii/target}"
# Where cargo builds from: a copy of the checkout at a fixed path (see tree_cargo below).
# PARATII_BUILD_TREE="$ROOT" builds in the checkout itself.
export PARATII_BUILD_TREE="${PARATII_BUILD_TREE:-$HOME/.cache/paratii/src}"
# substrate-wasm-builder looks for Cargo.lock above the target dir; ours is elsewhere.
export WASM_BUILD_WORKSPACE_HINT="$PARATII_BUILD_TREE"
# The one build profile (dev) and feature set shared by tests, the e2e node binary and
# scripts/dev.sh: runtime-benchmarks is on so `paratii-node benchmark pallet` needs no
# second build, fast-runtime so the tests cross sessions in seconds (the shipped runtime,
# built without both, has its own tier).
export PARATII_FEATURES="${PARATII_FEATURES:-runtime-benchmarks,fast-runtime}"
# frame-benchmarking-cli (the node's feature benchmark-cli) depends on a test runtime of its
# own whose build script compiles it to wasm, and fails to find it in our workspace's
# metadata when the dependency is optional; the wasm serves only `benchmark storage`'s
# block-validation mode, which our scripts do not run.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
export PARATII_NODE="${PARATII_NODE:-$CARGO_TARGET_DIR/debug/paratii-node}"
export PARATII_ETH_RPC="${PARATII_ETH_RPC:-$CARGO_TARGET_DIR/debug/paratii-eth-rpc}"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Installs Debian packages when we can (root or sudo, apt-get present).
apt_install() {
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	command -v apt-get >/dev/null || die "missing $*: install it with your package manager"
	say "installing Debian packages: $*"
	$sudo apt-get update -qq || die "apt-get update failed; install $* by hand"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null ||
		die "apt-get install $* failed; install it by hand"
}

ensure_rust() {
	command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
	command -v rustup >/dev/null || die "rustup not found: the wasm target is installed with rustup"
	# Cargo.lock needs Rust >= 1.91 (rust-toolchain.toml selects stable).
	local version
	version="$(rustc --version | awk '{print $2}')"
	if [ "$(printf '%s\n1.91.0\n' "${version%%-*}" | sort -V | head -1)" != "1.91.0" ]; then
		die "Rust >= 1.91 is needed (found $version): run rustup update stable"
	fi
	# substrate-wasm-builder uses wasm32v1-none on Rust >= 1.84 (no nightly build-std).
	if ! rustup target list --installed | grep -qx wasm32v1-none; then
		say "adding rustup target wasm32v1-none"
		rustup target add wasm32v1-none || die "could not add the wasm32v1-none target"
	fi
	# litep2p's build script compiles protobuf definitions with protoc; wasm-opt-sys and
	# the crypto crates need a C/C++ compiler.
	command -v protoc >/dev/null || apt_install protobuf-compiler
	command -v c++ >/dev/null || apt_install g++
	lint_while_building
}

# Clippy lints the workspace's crates as they compile, not in a second pass: cargo runs
# clippy-driver (rustc with clippy's lints) in place of rustc for workspace members, which
# is what `cargo clippy` itself does in check mode. Every cargo command of the scripts sets
# the same wrapper and lints, so they share artifacts (cargo fingerprints the wrapper), and
# a warning or lint fails the build (`-D warnings`). A separate `cargo clippy` compiled the
# workspace a second time: 313 s of a cold test command, 69 s of a warm one (2026-12-06).
# CLIPPY_ARGS is how cargo-clippy hands its arguments to clippy-driver.
lint_while_building() {
	local driver
	driver="$(cd "$ROOT" && rustup which clippy-driver 2>/dev/null)" ||
		die "clippy-driver not found: run rustup component add clippy (rust-toolchain.toml lists it)"
	export RUSTC_WORKSPACE_WRAPPER="$driver"
	export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
}

# Node.js 20 or newer. Debian 12's own `nodejs` is 18, too old for the client tests, so
# it is installed only when no Node.js is there, and the version is checked after.
ensure_node_js() {
	command -v node >/dev/null || apt_install nodejs npm
	local major
	major="$(node -p 'process.versions.node.split(".")[0]')"
	if [ "$major" -lt 20 ]; then
		die "Node.js >= 20 is needed for the client tests; found $(node --version) at $(command -v node)
  (Debian 12's nodejs package is 18). Install Node.js 20 LTS, then run this again:
    curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash - && sudo apt-get install -y nodejs
  or, without root:
    curl -fsSL https://raw.githubusercontent.com/nvm-sh/nvm/v0.40.1/install.sh | bash && . ~/.nvm/nvm.sh && nvm install 20"
	fi
	command -v npm >/dev/null || apt_install npm
}

# Videos are probed and transcoded with Debian's ffmpeg (the gateway's transcoders); the
# video tests make their clips with it from lavfi sources.
ensure_ffmpeg() {
	if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
		apt_install ffmpeg
	fi
	# Captured first: `grep -q` would close the pipe early, which pipefail reports.
	local encoders
	encoders="$(ffmpeg -hide_banner -encoders 2>/dev/null)"
	[[ "$encoders" == *libx264* ]] ||
		die "this ffmpeg has no libx264 encoder (Debian's has): install Debian's ffmpeg"
}

# The web player's tests drive Debian's Chromium with playwright-core (these machines
# cannot download a browser build).
ensure_chromium() {
	command -v chromium >/dev/null || apt_install --no-install-recommends chromium
}

# The web player (web/): its JSON types generated from the services' OpenAPI documents
# (docs/openapi/), type-checked, bundled by Vite into web/dist.
build_web() {
	node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
		die "the web player's build (Vite 7) needs Node.js 20.19 or later; found $(node --version)"
	npm_install "$ROOT/web"
	say "building the web player (web/dist)"
	(cd "$ROOT/web" && npm run --silent build)
}

# A local S3 server for the storage node's S3-backend tests: moto, from PyPI. Where the
# system's Python refuses `pip install` (Debian's is "externally managed"), moto goes into a
# virtual environment under ~/.cache/paratii; PARATII_PYTHON names the Python that has it.
MOTO_VERSION=5.2.5
# The channel node's JetStream log is tested against a real server.
ensure_nats_server() {
	command -v nats-server >/dev/null || apt_install nats-server
}

ensure_moto() {
	command -v python3 >/dev/null || apt_install python3 python3-pip python3-venv
	export PARATII_PYTHON="${PARATII_PYTHON:-python3}"
	"$PARATII_PYTHON" -c 'import moto.server, flask, flask_cors' 2>/dev/null && return 0
	local venv="$HOME/.cache/paratii/python"
	if ! "$venv/bin/python" -c 'import moto.server, flask, flask_cors' 2>/dev/null; then
		say "installing moto[server] $MOTO_VERSION from PyPI into $venv (the local S3 server of the storage tests)"
		python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; } ||
			die "could not create a Python virtual environment: install python3-venv"
		"$venv/bin/python" -m pip install --quiet "moto[server]==$MOTO_VERSION" ||
			die "could not install moto: run $venv/bin/python -m pip install 'moto[server]==$MOTO_VERSION'"
	fi
	export PARATII_PYTHON="$venv/bin/python"
}

# npm packages of one JS project (with a committed package-lock.json). `npm ci` into a
# fresh clone took 46 s of a warm test command for the four projects (2026-12-06), most
# of it unpacking and linking files npm already had: the installed tree is kept under
# ~/.cache/paratii/node_modules, keyed by the lock file and the Node.js version, and a
# checkout gets a copy of it made of hard links (a second or so). Packages only read
# their files; anything written at run time goes into directories of the checkout's
# own copy. A project whose lock file changes is installed with `npm ci` again.
# link_tree FROM TO: a copy of the directory FROM at TO made of hard links (a plain copy
# where FROM is on another filesystem).
link_tree() {
	cp -al "$1" "$2" 2>/dev/null || cp -a "$1" "$2"
}
npm_install() {
	local dir="$1" name key cache
	name="$(basename "$dir")"
	key="$(cat "$dir/package-lock.json" <(node --version) | sha256sum | cut -c1-16)"
	[ "$(cat "$dir/node_modules/.paratii-lock-key" 2>/dev/null)" = "$key" ] && return 0
	cache="$HOME/.cache/paratii/node_modules/$name-$key"
	rm -rf "$dir/node_modules"
	if [ -d "$cache/node_modules" ]; then
		say "npm packages in ${dir#"$ROOT"/}: linked from $cache"
		link_tree "$cache/node_modules" "$dir/node_modules" || die "copying $cache into $dir"
	else
		say "installing npm packages in ${dir#"$ROOT"/}"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir"
		# The cache keeps one tree per project: the one of this lock file.
		rm -rf "$HOME/.cache/paratii/node_modules/$name"-* && mkdir -p "$cache.partial" &&
			link_tree "$dir/node_modules" "$cache.partial/node_modules" && mv "$cache.partial" "$cache" ||
			say "could not keep $dir/node_modules in $cache (installs will not be shared)"
	fi
	echo "$key" >"$dir/node_modules/.paratii-lock-key"
}

# The binaries the run and test commands start: the node, the Ethereum RPC and the
# media services.
PARATII_BINARIES=(paratii-node paratii-eth-rpc paratii-storage paratii-gateway paratii-cli paratii-indexer paratii-relayer paratii-load paratii-adx)

# tree_cargo ARGS...: cargo, run in the build tree after copying the checkout's files there.
# Cargo decides a crate is fresh by comparing its source files' modification times with
# its last build, and substrate-wasm-builder's wasm project names the runtime by its
# absolute path: a fresh clone (new times, maybe a new path) recompiled every workspace
# crate and both wasm runtimes over warm target directories, about 6 of the test command's
# 12 warm minutes (2026-12-06). The build tree keeps one path, and a file is copied into
# it only when its content differs, so it keeps the time of its last change and cargo
# rebuilds exactly what changed. The files are those git lists (tracked, and untracked
# ones not ignored), edited or not; compiler messages name them relative to the
# workspace, as in the checkout. Each call copies and builds under a lock, so scripts of
# two checkouts at once take turns.
#
# The copy is made under an exclusive lock, and cargo runs under a shared one: builds of
# one run (the test command's main build and the shipped runtime's, side by side) share
# the tree, while another checkout's script waits to copy its files in. After
# `sync_tree_once`, the run's later calls skip the copy (PARATII_TREE_SYNCED).
tree_cargo() {
	[ "$PARATII_BUILD_TREE" = "$ROOT" ] && { cargo "$@"; return; }
	mkdir -p "$PARATII_BUILD_TREE"
	(
		if [ "${PARATII_TREE_SYNCED:-}" = 1 ]; then
			flock -s 9 || die "could not lock $PARATII_BUILD_TREE.lock"
		else
			flock 9 || die "could not lock $PARATII_BUILD_TREE.lock"
			sync_build_tree || exit 1
			flock -s 9 || die "could not lock $PARATII_BUILD_TREE.lock"
		fi
		export_commit_hash
		cd "$PARATII_BUILD_TREE" && cargo "$@"
	) 9>"$PARATII_BUILD_TREE.lock"
}
# The node's version names the commit; the copy has no `.git` to read it from.
export_commit_hash() {
	SUBSTRATE_CLI_GIT_COMMIT_HASH="$(git -C "$ROOT" rev-parse --short=11 HEAD 2>/dev/null || echo unknown)"
	export SUBSTRATE_CLI_GIT_COMMIT_HASH
}
# sync_tree_once: copies the checkout into the build tree now; the calls of tree_cargo
# after it (in this shell and its children) build from that copy without copying again.
sync_tree_once() {
	[ "$PARATII_BUILD_TREE" = "$ROOT" ] && return 0
	mkdir -p "$PARATII_BUILD_TREE"
	(
		flock 9 || die "could not lock $PARATII_BUILD_TREE.lock"
		sync_build_tree
	) 9>"$PARATII_BUILD_TREE.lock" || return 1
	export PARATII_TREE_SYNCED=1
}
sync_build_tree() {
	local tree="$PARATII_BUILD_TREE" wanted have file copied=0 removed=0
	wanted="$(mktemp)" have="$(mktemp)"
	(cd "$ROOT" && git ls-files --cached --others --exclude-standard --deduplicate) | sort >"$wanted" ||
		die "listing the checkout's files needs git: run the scripts in a git clone"
	while IFS= read -r file; do
		[ -f "$ROOT/$file" ] || continue # tracked, deleted in the working tree
		cmp -s "$ROOT/$file" "$tree/$file" && continue
		mkdir -p "$tree/$(dirname "$file")" && cp "$ROOT/$file" "$tree/$file" || die "copying $file to $tree"
		copied=$(( copied + 1 ))
	done <"$wanted"
	(cd "$tree" && find . -type f -printf '%P\n') | sort >"$have"
	while IFS= read -r file; do
		rm -f "$tree/$file" && removed=$(( removed + 1 ))
	done < <(comm -13 "$wanted" "$have")
	find "$tree" -mindepth 1 -type d -empty -delete
	rm -f "$wanted" "$have"
	say "build tree $tree: $copied files copied, $removed removed, the rest unchanged"
}

# The runtime as it ships: without runtime-benchmarks. It has a target directory of its
# own, so that building it never invalidates the test build's runtime, and it is built
# with `cargo check`: that runs the runtime's build script, which compiles the wasm in
# full, while the native crates are only checked (the node never runs them). It is the
# release-profile wasm a release build ships, before wasm-opt compacts and zstd
# compresses it (steps the builder leaves to release builds of the outer crate).
export PARATII_PRODUCTION_TARGET="${PARATII_PRODUCTION_TARGET:-$HOME/.cache/paratii/target-production}"
export PARATII_PRODUCTION_WASM="$PARATII_PRODUCTION_TARGET/debug/wbuild/paratii-runtime/paratii_runtime.wasm"
build_production_runtime() {
	say "building the production runtime (no runtime-benchmarks) in $PARATII_PRODUCTION_TARGET"
	CARGO_TARGET_DIR="$PARATII_PRODUCTION_TARGET" tree_cargo check --locked -p paratii-runtime "$@" &&
		[ -f "$PARATII_PRODUCTION_WASM" ] || die "no production runtime at $PARATII_PRODUCTION_WASM"
}

# Builds every binary with the shared profile and features, together with every test
# target of the workspace: `cargo test` unifies the dependencies' features over the
# dev-dependencies too, so binaries built on their own (`cargo build -p ...`) would
# compile about a hundred shared crates a second time with other features (358 s of a
# cold run, measured 2026-12-06). Built this way, the test command's `cargo test`
# compiles nothing more, and scripts/dev.sh and scripts/test.sh share every artifact.
build_node() {
	say "building the workspace: ${PARATII_BINARIES[*]} and the test targets (target dir $CARGO_TARGET_DIR; cold: about 25 minutes on 2 cores)"
	tree_cargo build --locked --workspace --all-targets --features "$PARATII_FEATURES" "$@"
}

# The release binaries the measurements run (scripts/benchmark.sh, scripts/bench.sh): one
# invocation and feature set for both, so neither compiles the shared crates again.
build_release() {
	say "building paratii-node, paratii-eth-rpc and paratii-load with the release profile and the shipped periods (cold: about an hour on 2 cores)"
	tree_cargo build --locked --release -p paratii-node -p paratii-eth-rpc -p paratii-load --features runtime-benchmarks,benchmark-cli "$@"
}

# niced COMMAND...: the command (or a function of this file) at the lowest CPU priority.
niced() {
	nice -n 19 bash -c '. "$0"; "$@"' "$ROOT/scripts/lib.sh" "$@"
}

# node_tests DIR JOBS [TIMEOUT_S]: node's test runner over DIR's *.test.mjs files, JOBS
# files at once (each starts its own processes on free ports), every test failed after
# TIMEOUT_S seconds (default 600). A directory without test files is an error.
node_tests() {
	local dir="$1" jobs="$2" timeout="${3:-600}" files
	files=$(cd "$dir" && find . -maxdepth 1 -name '*.test.mjs' | sort)
	[ -n "$files" ] || { echo "no test files (*.test.mjs) in $dir"; return 1; }
	# shellcheck disable=SC2086 # one file name a word; the names have no spaces
	(cd "$dir" && node --test --test-concurrency="$jobs" --test-timeout="$((timeout * 1000))" \
		--test-force-exit --test-reporter=spec $files)
}

# The Solidity contracts: ours on the chain's EVM (contracts/chain) and ParatiiAnchor on
# Ethereum (contracts/ethereum), both with solc-js; the e2e tiers read their artifacts.
compile_contracts() {
	node "$ROOT/contracts/chain/compile.mjs" && (cd "$ROOT/contracts/ethereum" && node compile.mjs)
}

# The node test files are found, not listed: each node tier is a directory (those of
# tests/e2e, zombienet/, contracts/ethereum/test/), and a test file in tests/e2e outside
# its tiers' directories fails the run. NODE_TIERS maps a tier to its directory, how many
# of its files run at once (each file starts its own node, and the services' files their
# own storage clusters, on free ports) and, if not the default, each test's timeout in
# seconds.
declare -A NODE_TIERS=(
	[docs]="tests/docs 1 60"
	[node smoke]="tests/e2e/smoke 1"
	[production runtime]="tests/e2e/production 1"
	[e2e clients]="tests/e2e/clients 2"
	[e2e evm]="tests/e2e/evm 2"
	[e2e bridge]="tests/e2e/bridge 2"
	[e2e services]="tests/e2e/services 2"
	[e2e player]="tests/e2e/player 1"
	[e2e ads]="tests/e2e/ads 1"
	[contracts ethereum]="contracts/ethereum/test 1"
	[zombienet]="zombienet 2 1200"
)
check_test_files() {
	local known=() stray=() file dir tier
	for tier in "${!NODE_TIERS[@]}"; do
		dir="${NODE_TIERS[$tier]%% *}"
		[[ "$dir" == tests/e2e/* ]] && known+=("${dir#tests/e2e/}")
	done
	while IFS= read -r file; do
		dir="${file#"$ROOT/tests/e2e/"}"; dir="${dir%%/*}"
		[[ " ${known[*]} " == *" $dir "* ]] || stray+=("${file#"$ROOT/"}")
	done < <(find "$ROOT/tests/e2e" -name node_modules -prune -o -name '*.test.mjs' -print)
	if [ "${#stray[@]}" -gt 0 ]; then
		echo "test files in no tier (put each in one of the tier directories of tests/e2e: ${known[*]}):"
		printf '  %s\n' "${stray[@]}"
		return 1
	fi
	for tier in "${!NODE_TIERS[@]}"; do
		dir="${NODE_TIERS[$tier]%% *}"
		echo "$tier: $(cd "$ROOT/$dir" && echo *.test.mjs)"
	done
}
