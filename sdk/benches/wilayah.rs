//! Region-table lookups, and the one-off cost of unpacking the embedded tables.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use criterion::Criterion;
use ikd_sdk::wilayah;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let started = Instant::now();
    let first = wilayah::resolve_desa(3_273_011_002);
    let unpack = started.elapsed();
    assert!(first.is_some());

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    // Codes spread over the table: Aceh, Jawa Barat, Jawa Timur, NTT, Papua Pegunungan.
    let desa = [
        1_101_022_018u64,
        3_273_011_002,
        3_578_011_002,
        5_307_012_021,
        9_501_011_001,
    ];
    let prefixes = [110_102u32, 327_301, 910_101, 999_999];
    let mut group = c.benchmark_group("wilayah");
    group.bench_function("resolve_desa", |b| {
        b.iter(|| {
            desa.iter()
                .map(|&d| wilayah::resolve_desa(black_box(d)).is_some() as u32)
                .sum::<u32>()
        })
    });
    group.bench_function("nik_prefix_status", |b| {
        b.iter(|| {
            prefixes
                .iter()
                .map(|&p| {
                    matches!(
                        wilayah::nik_prefix_status(black_box(p)),
                        wilayah::PrefixStatus::Unknown
                    ) as u32
                })
                .sum::<u32>()
        })
    });
    group.finish();
    c.final_summary();
    println!(
        "wilayah: embedded tables {} bytes; first use unpacks them in {:.1} ms; \
         resolve_desa times are for {} lookups, nik_prefix_status for {}",
        wilayah::EMBEDDED_BYTES,
        unpack.as_secs_f64() * 1000.0,
        desa.len(),
        prefixes.len()
    );
}
