//! benchbook harness for Rust bench blocks.
//!
//! Compiled as the module `bb_harness` of the block's own crate: the block's file gets
//! `#[path = "harness.rs"] mod bb_harness; fn main() { bb_harness::run(<fn>) }` appended, so the
//! harness reaches the block's private `bench` function and sees its return type. It calibrates a
//! loop count so one sample lasts at least BENCHBOOK_MIN_SAMPLE_NS, runs BENCHBOOK_WARMUP untimed
//! samples and BENCHBOOK_REPEAT timed ones, and writes
//! {"samples": [ns per call...], "loops": n, "timerResolutionNs": ns} to the file BENCHBOOK_RESULT.
//! It uses the standard library only, so blocks build offline.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Calibration stops here even if samples are still too short (a function that costs nothing).
const BB_MAX_LOOPS: u64 = 1 << 40;

/// Times `loops` calls of `f` in a row. The function pointer goes through `black_box` on every
/// iteration, so the optimiser can neither inline the call nor hoist a pure function's result out
/// of the loop: every call really runs, at the cost of one indirect call (as in the C and Go
/// harnesses). Each result goes through `black_box` too, so its work cannot be dropped.
#[inline(never)]
fn bb_measure<T>(f: fn() -> T, loops: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..loops {
        let call = black_box(f);
        black_box(call());
    }
    start.elapsed()
}

/// The smallest loop count in 1, 2, 5, 10, 20, 50, ... whose sample lasts `min_sample` (the
/// autorange of Python's timeit).
fn bb_calibrate<T>(f: fn() -> T, min_sample: Duration) -> u64 {
    let mut base: u64 = 1;
    loop {
        for factor in [1, 2, 5] {
            let loops = base * factor;
            if bb_measure(f, loops) >= min_sample || loops >= BB_MAX_LOOPS {
                return loops;
            }
        }
        base *= 10;
    }
}

/// The smallest step of `Instant` as seen from here (includes the cost of reading it).
fn bb_timer_resolution() -> u128 {
    let mut best = u128::MAX;
    for _ in 0..200 {
        let start = Instant::now();
        let mut step = start.elapsed();
        while step.is_zero() {
            step = start.elapsed();
        }
        best = best.min(step.as_nanos());
    }
    best
}

fn bb_env(name: &str, fallback: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value.parse().unwrap_or_else(|_| {
            eprintln!("benchbook: {name}={value:?} is not an integer");
            std::process::exit(2)
        }),
        _ => fallback,
    }
}

/// Measures `f` as the environment says and writes the result file.
pub fn run<T>(f: fn() -> T) {
    // A zero-sized result (`()`, a unit struct) carries nothing that could keep the work alive.
    const {
        assert!(
            std::mem::size_of::<T>() > 0,
            "benchbook: the bench function must return a value (not `()`) so its work can be kept"
        )
    };
    let result_path = match std::env::var("BENCHBOOK_RESULT") {
        Ok(path) if !path.is_empty() => path,
        _ => {
            eprintln!("benchbook: BENCHBOOK_RESULT is not set; run this harness through benchbook");
            std::process::exit(2)
        }
    };
    let repeat = bb_env("BENCHBOOK_REPEAT", 5);
    let warmup = bb_env("BENCHBOOK_WARMUP", 1);
    let min_sample = Duration::from_nanos(bb_env("BENCHBOOK_MIN_SAMPLE_NS", 10_000_000));

    let loops = bb_calibrate(f, min_sample);
    for _ in 0..warmup {
        bb_measure(f, loops);
    }
    let samples: Vec<String> = (0..repeat)
        .map(|_| {
            let ns = bb_measure(f, loops).as_nanos() as f64 / loops as f64;
            // `{:?}` prints the shortest text that reads back as the same f64, a valid JSON number.
            format!("{ns:?}")
        })
        .collect();
    let json = format!(
        "{{\"samples\": [{}], \"loops\": {}, \"timerResolutionNs\": {}}}\n",
        samples.join(", "),
        loops,
        bb_timer_resolution()
    );
    if let Err(error) = std::fs::write(&result_path, json) {
        eprintln!("benchbook: cannot write the result: {error}");
        std::process::exit(2);
    }
}
