//! The Java binding end to end: the JNI library as `cargo test` built it, the Java sources
//! compiled with `javac` and packed with `jar`, then run on a JVM: the API tests (a plain
//! runner, no test framework), and every conformance vector through the Java API with the
//! SDK's verdict. A missing JDK fails these tests; it never skips them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use ikd_conformance::protocol::{Request, Target};
use ikd_conformance::{Answer, CommandTarget, SdkTarget, run_target, vectors_dir};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Where the JNI library and the compiled classes are.
struct Built {
    library_dir: PathBuf,
    classes: PathBuf,
}

fn java_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("java")
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "java") {
            out.push(path);
        }
    }
}

fn run(command: &mut Command) {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("{shown}: {e} (is a JDK 17 installed? .ci/run installs one)"));
    assert!(status.success(), "{shown}: {status}");
}

/// Compiles the library (Java 8 language level, the API Android's desugaring handles) and
/// the tests once per test binary.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        // The test binary is target/<profile>/deps/java-…; building this package's library
        // for the test put the cdylib beside it (`cargo build` copies it one level up).
        let exe = std::env::current_exe().unwrap();
        let name = format!(
            "{}ikd_java{}",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        );
        let library_dir = exe
            .ancestors()
            .skip(1)
            .take(2)
            .find(|dir| dir.join(&name).exists())
            .unwrap_or_else(|| panic!("no {name} near {}", exe.display()))
            .to_path_buf();

        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ikd-java");
        let _ = std::fs::remove_dir_all(&out);
        let main_classes = out.join("main");
        let classes = out.join("classes");
        std::fs::create_dir_all(&main_classes).unwrap();
        std::fs::create_dir_all(&classes).unwrap();

        let mut main = Vec::new();
        sources(&java_dir().join("src/main/java"), &mut main);
        run(Command::new("javac")
            .args(["--release", "8", "-Xlint:all", "-Werror", "-d"])
            .arg(&main_classes)
            .args(&main));
        run(Command::new("jar")
            .arg("--create")
            .arg("--file")
            .arg(out.join("ikd-verify.jar"))
            .arg("-C")
            .arg(&main_classes)
            .arg("."));

        let mut tests = Vec::new();
        sources(&java_dir().join("src/test/java"), &mut tests);
        run(Command::new("javac")
            .args(["--release", "17", "-Xlint:all", "-d"])
            .arg(&classes)
            .arg("-cp")
            .arg(out.join("ikd-verify.jar"))
            .args(&main)
            .args(&tests));
        Built {
            library_dir,
            classes,
        }
    })
}

fn java_args(built: &Built, class: &str) -> Vec<String> {
    vec![
        // -Xcheck:jni makes the JVM check every JNI call the library makes.
        "-Xcheck:jni".to_owned(),
        format!("-Djava.library.path={}", built.library_dir.display()),
        "-cp".to_owned(),
        built.classes.display().to_string(),
        class.to_owned(),
    ]
}

#[test]
fn the_java_api_tests_pass() {
    let built = built();
    let output = Command::new("java")
        .args(java_args(built, "id.ikd.verify.ApiTests"))
        .arg(vectors_dir())
        .output()
        .expect("java (is a JDK 17 installed? .ci/run installs one)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(output.status.success(), "the Java API tests failed");
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    // -Xcheck:jni reports misuse of JNI as warnings on standard error.
    assert!(!stderr.contains("WARNING in native method"), "{stderr}");
}

/// The Java adapter's verdict, checked to be the SDK's in-process verdict byte for byte.
struct JavaAgainstSdk {
    java: CommandTarget,
}

impl Target for JavaAgainstSdk {
    fn answer(&mut self, request: &Request) -> Result<Answer, String> {
        let java = match self.java.answer(request)? {
            Answer::Verdict(verdict) => verdict,
            Answer::Unsupported(why) => return Ok(Answer::Unsupported(why)),
        };
        let Answer::Verdict(sdk) = SdkTarget.answer(request)? else {
            return Err("the SDK did not answer".into());
        };
        if java != sdk {
            return Err(format!(
                "the Java verdict differs from the SDK's: {java} / {sdk}"
            ));
        }
        Ok(Answer::Verdict(java))
    }
}

#[test]
fn every_conformance_vector_passes_through_the_java_api_with_the_sdks_verdict() {
    let built = built();
    let mut target = JavaAgainstSdk {
        java: CommandTarget::new("java", java_args(built, "id.ikd.verify.ConformanceAdapter")),
    };
    let report = run_target(&vectors_dir(), &mut target);
    for failure in report.failures.iter().chain(&report.unsupported) {
        eprintln!("{failure}");
    }
    assert!(report.all_passed(), "{}", report.summary());
    assert!(report.unsupported.is_empty(), "{}", report.summary());
    assert_eq!(report.not_compared, 0, "{}", report.summary());
    assert_eq!(report.passed, 353, "{}", report.summary());
}
