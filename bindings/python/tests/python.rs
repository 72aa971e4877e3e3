//! The Python package as its users get it: a fresh virtual environment, maturin and
//! pytest from PyPI, the wheel built by maturin and installed with pip, then pytest runs
//! the API tests and every conformance vector through the installed wheel.
//!
//! Needs `python3` (3.9 or later, with `venv`) and access to PyPI; fails without them.
//! `IKD_PYTHON` names another interpreter.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(what: &str, command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(status.success(), "{what} failed: {status}");
}

/// Builds the wheel once into a fresh venv and returns the venv's `bin` folder.
fn venv_with_wheel() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let venv = tmp.join("ikd-python-venv");
    let wheels = tmp.join("ikd-python-wheels");
    for dir in [&venv, &wheels] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).unwrap();
        }
    }
    let python = std::env::var("IKD_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run(
        "python3 -m venv (python3 and its venv module are needed)",
        Command::new(&python).arg("-m").arg("venv").arg(&venv),
    );
    let bin = venv.join("bin");
    run(
        "pip install maturin pytest (from PyPI)",
        Command::new(bin.join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "maturin>=1.5,<2",
            "pytest>=7",
        ]),
    );
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The dev profile reuses the workspace's debug build of the SDK (a release build would
    // compile every dependency again); bindings/bench.sh builds the release wheel.
    run(
        "maturin build",
        Command::new(bin.join("maturin"))
            .args(["build", "--quiet", "--profile", "dev", "--manifest-path"])
            .arg(crate_dir.join("Cargo.toml"))
            .arg("--interpreter")
            .arg(bin.join("python"))
            .arg("--out")
            .arg(&wheels),
    );
    let wheel = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "whl"))
        .expect("maturin made a wheel");
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    // One wheel for every CPython from 3.9 on.
    assert!(name.contains("cp39-abi3"), "{name} is not an abi3 wheel");
    run(
        "pip install the wheel",
        Command::new(bin.join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(&wheel),
    );
    bin
}

#[test]
fn pytest_passes_every_vector_through_the_installed_wheel() {
    let bin = venv_with_wheel();
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The stubs and the typing marker are in the wheel.
    let check = "import importlib.util, pathlib; \
                 d = pathlib.Path(importlib.util.find_spec('ikd_verify').origin).parent; \
                 assert (d / '__init__.pyi').exists() and (d / 'py.typed').exists()";
    run(
        "the wheel carries its type stubs",
        Command::new(bin.join("python")).args(["-c", check]),
    );
    run(
        "pytest",
        Command::new(bin.join("python"))
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
            .arg(crate_dir.join("tests"))
            // No __pycache__ left in the source tree.
            .env("PYTHONDONTWRITEBYTECODE", "1")
            // Out of the source folder, so that only the installed wheel can be imported.
            .current_dir(bin.parent().unwrap()),
    );
}
