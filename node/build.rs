use substrate_build_script_utils::{generate_cargo_keys, rerun_if_git_head_changed};

fn main() {
	generate_cargo_keys();
	// The scripts build from a copy of the checkout without `.git` (`tree_cargo` in
	// scripts/lib.sh) and name the commit in SUBSTRATE_CLI_GIT_COMMIT_HASH instead.
	println!("cargo:rerun-if-env-changed=SUBSTRATE_CLI_GIT_COMMIT_HASH");
	if std::env::var_os("SUBSTRATE_CLI_GIT_COMMIT_HASH").is_none() {
		rerun_if_git_head_changed();
	}
}
