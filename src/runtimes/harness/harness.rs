//! benchbook harness for Rust bench blocks.
//!
//! Compiled as the module `bb_harness` of the block's own crate: the block's file gets
//! `#[path = "harness.rs"] mod bb_harness; fn main() { bb_harness::run(<fn>) }` appended, so the
//! harness reaches the block's private `bench` function and sees its return type. It calibrates a
//! loop count so one sample lasts at least BENCHBOOK_MIN_SAMPLE_NS, then samples until the process
//! is steady (the stop rule of harness.py), and writes {"samples": [ns per call, every sample after
//! calibration...], "loops": n, "timerResolutionNs": ns, "maxRssKiB": n, "capped": bool} to the file
//! BENCHBOOK_RESULT; maxRssKiB is this process's own peak (VmHWM). With BENCHBOOK_LOOPS set, that is
//! the loop count, nothing is calibrated, REPEAT samples are taken and written as 0 (instruction
//! counts need every run to do the same work). It uses the standard library only, so blocks build
//! offline.

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
/// A sample that reaches it is confirmed by a second one (unless it lasted ten times as long): one
/// preempted sample must not stop the climb early (as in the other harnesses).
fn bb_calibrate<T>(f: fn() -> T, min_sample: Duration) -> u64 {
    let mut base: u64 = 1;
    loop {
        for factor in [1, 2, 5] {
            let loops = base * factor;
            if loops >= BB_MAX_LOOPS {
                return loops;
            }
            let elapsed = bb_measure(f, loops);
            if elapsed >= min_sample && (elapsed >= 10 * min_sample || bb_measure(f, loops) >= min_sample) {
                return loops;
            }
        }
        base *= 10;
    }
}

/// This process's own peak resident set in KiB: VmHWM (the image since exec), 0 where unreadable.
fn bb_max_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()))
        })
        .unwrap_or(0)
}

fn bb_median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
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

    let max_samples = bb_env("BENCHBOOK_MAX_SAMPLES", 100) as usize;
    let min_duration = Duration::from_nanos(bb_env("BENCHBOOK_MIN_NS", 0));
    let max_duration = Duration::from_nanos(bb_env("BENCHBOOK_MAX_NS", 10_000_000_000));
    let fixed_loops = bb_env("BENCHBOOK_LOOPS", 0);
    let repeat = repeat.max(1) as usize;
    let warmup = warmup as usize;

    // The clock's resolution first, so the samples can be judged against it (tinybench's order).
    let resolution = if fixed_loops == 0 { bb_timer_resolution() } else { 0 };
    let mut samples: Vec<f64> = Vec::new();
    let mut capped = false;
    let loops;
    if fixed_loops != 0 {
        loops = fixed_loops;
        // With a fixed loop count the output must not vary either: printing a time would.
        for _ in 0..repeat {
            bb_measure(f, loops);
            samples.push(0.0);
        }
    } else {
        loops = bb_calibrate(f, min_sample);
        let window = (repeat / 2).max(2);
        let started = Instant::now();
        loop {
            samples.push(bb_measure(f, loops).as_nanos() as f64 / loops as f64);
            let n = samples.len();
            if n < warmup + repeat {
                continue;
            }
            let settled = n >= 2 * window && bb_median(&samples[n - window..]) >= 0.95 * bb_median(&samples[n - 2 * window..n - window]);
            if settled && started.elapsed() >= min_duration {
                break;
            }
            if n >= max_samples || started.elapsed() >= max_duration {
                // Capped: stopped while the samples were still getting faster.
                capped = n >= 2 * window && !settled;
                break;
            }
        }
    }
    // `{:?}` prints the shortest text that reads back as the same f64, a valid JSON number.
    let listed: Vec<String> = samples.iter().map(|ns| format!("{ns:?}")).collect();
    let json = format!(
        "{{\"samples\": [{}], \"loops\": {}, \"timerResolutionNs\": {}, \"maxRssKiB\": {}, \"capped\": {}}}\n",
        listed.join(", "),
        loops,
        resolution,
        // 0 when counting instructions: reading VmHWM costs a varying number.
        if fixed_loops == 0 { bb_max_rss_kib() } else { 0 },
        capped
    );
    if let Err(error) = std::fs::write(&result_path, json) {
        eprintln!("benchbook: cannot write the result: {error}");
        std::process::exit(2);
    }
}
