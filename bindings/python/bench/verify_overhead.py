"""Python's verify call against the native SDK, on the inputs of the C interface's
criterion bench (bindings/c/benches/ffi.rs): one KTP-el presentation with its challenge.

    python verify_overhead.py [--criterion target/criterion]

Times `Verifier.verify` (and `verify(...).to_json()`) with timeit, the median of many
repeats, then reads criterion's medians of the same run's native benches and prints the
ratios. bindings/bench.sh runs both; the figures go to BENCHMARKS.md.
"""

import argparse
import json
import pathlib
import statistics
import time
import timeit

import ikd_verify

NOW = 1_790_000_000


def inputs():
    issuer = ikd_verify.Issuer(seed=bytes([7]) * 32)
    store = issuer.trust_store(NOW - 86_400, NOW + 86_400, ["ktp", "kk"])
    key = ikd_verify.DeviceKey.from_secret("EdDSA", bytes([9]) * 32)
    credential = issuer.issue(
        ikd_verify.sample_document("ktp"), now=NOW, lifetime_seconds=86_400, holder_key=key
    )
    challenge = ikd_verify.Challenge("7KQ2M9XD", "BANK-01")
    shown = ikd_verify.present(credential, key, now=NOW, lifetime_seconds=60, challenge=challenge)
    return store, shown, challenge


def per_call_ns(fn, number: int, repeat: int) -> float:
    times = timeit.Timer(fn).repeat(repeat=repeat, number=number)
    return statistics.median(times) / number * 1e9


def criterion_median(root: pathlib.Path, name: str, group: str = "ktp_presentation"):
    path = root / group / name / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--criterion", type=pathlib.Path, default=pathlib.Path("target/criterion"))
    parser.add_argument("--number", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    store, qr, challenge = inputs()
    verifier = ikd_verify.Verifier(store)
    assert verifier.verify(qr, NOW + 1, challenge).valid
    for _ in range(200):  # warm up
        verifier.verify(qr, NOW + 1, challenge)
    py_verify = per_call_ns(lambda: verifier.verify(qr, NOW + 1, challenge), args.number, args.repeat)
    py_json = per_call_ns(
        lambda: verifier.verify(qr, NOW + 1, challenge).to_json(), args.number, args.repeat
    )

    # Paired: batches of Python calls and native calls (the same verifier, in Rust)
    # alternate, each round in the other order, and the ratio of each pair is kept, so that
    # the machine's load changes cannot favour either side.
    batch = 100
    ratios, py_ns, rust_ns = [], [], []
    for round_ in range(60):
        def python_batch():
            start = time.perf_counter_ns()
            for _ in range(batch):
                verifier.verify(qr, NOW + 1, challenge)
            return (time.perf_counter_ns() - start) / batch

        def native_batch():
            return ikd_verify._native_verify_ns(verifier, qr, NOW + 1, challenge, batch) / batch

        if round_ % 2 == 0:
            p = python_batch()
            n = native_batch()
        else:
            n = native_batch()
            p = python_batch()
        ratios.append(p / n)
        py_ns.append(p)
        rust_ns.append(n)

    native = {n: criterion_median(args.criterion, n) for n in ("sdk_verify", "sdk_verify_json", "c_abi_verify_json")}
    rows = [
        ("Rust SDK: verify_with", native["sdk_verify"], None),
        ("Rust SDK: verify_with + verdict JSON", native["sdk_verify_json"], None),
        ("C ABI: ikd_verify (JSON) + ikd_string_free", native["c_abi_verify_json"], native["sdk_verify_json"]),
        ("Python: Verifier.verify", py_verify, native["sdk_verify"]),
        ("Python: Verifier.verify(...).to_json()", py_json, native["sdk_verify_json"]),
    ]
    print(f"ikd_verify {ikd_verify.__version__}; KTP-el presentation; medians per call")
    print(f"{'call':48} {'µs':>9} {'× native':>9}")
    for name, ns, base in rows:
        if ns is None:
            print(f"{name:48} {'(not run)':>9}")
            continue
        ratio = f"{ns / base:.3f}" if base else "1 (base)"
        print(f"{name:48} {ns / 1000:9.1f} {ratio:>9}")
    print()
    print(
        f"paired, KTP-el presentation: native {statistics.median(rust_ns) / 1000:.1f} µs, "
        f"Python {statistics.median(py_ns) / 1000:.1f} µs; Python / native = "
        f"{statistics.median(ratios):.3f} (median of 60 alternating rounds of {batch})"
    )


if __name__ == "__main__":
    main()
