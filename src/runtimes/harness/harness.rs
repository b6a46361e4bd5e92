//! benchbook harness for Rust bench blocks.
//!
//! Compiled as the module `bb_harness` of the block's own crate: the block's file gets
//! `#[path = "harness.rs"] mod bb_harness; fn main() { bb_harness::run(<fn>, <describe>) }` appended
//! (rust.ts), so the harness reaches the block's private `bench` function and sees its return type. It calibrates a
//! loop count so one sample lasts at least BENCHBOOK_MIN_SAMPLE_NS, then samples until the process
//! is steady (the stop rule of harness.py), and writes {"samples": [ns per call, every sample after
//! calibration...], "loops": n, "timerResolutionNs": ns, "maxRssKiB": n, "capped": bool} to the file
//! BENCHBOOK_RESULT; maxRssKiB is this process's own peak (VmHWM). With BENCHBOOK_LOOPS set, that is
//! the loop count, nothing is calibrated, REPEAT samples are taken and written as 0 (instruction
//! counts need every run to do the same work). With BENCHBOOK_RECORD_RESULT=1 it adds "result":
//! what one more call after timing returns (see `BbDescribe`). It uses the standard library only,
//! so blocks build offline.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Canonical text longer than this is not digested, as in the other harnesses.
const BB_CANONICAL_CAP: usize = 8 << 20;

/// FNV-1a 64 of a text, as 16 lowercase hexadecimal digits.
fn bb_fnv1a64(text: &str) -> String {
    let digest = text.bytes().fold(0xcbf29ce484222325u64, |digest, byte| (digest ^ byte as u64).wrapping_mul(0x100000001b3));
    format!("{digest:016x}")
}

/// A float as every harness writes it: integral values below 2^53 as integers, others in shortest
/// scientific form (`{:e}` is that already: `1.5e-7`, `1e22`).
fn bb_canonical_float(value: f64, out: &mut String) {
    if value.is_nan() {
        out.push_str("nan");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "inf" } else { "-inf" });
    } else if value == value.trunc() && value.abs() < 9007199254740992.0 {
        out.push_str(&(value as i64).to_string());
    } else {
        out.push_str(&format!("{value:e}"));
    }
}

fn bb_canonical_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A value with a canonical text (docs/measurement.md), the text the other harnesses write for the
/// same data. Types without it (structs of the block's own) are left undescribed: `BbProbe` picks.
pub trait BbDescribe {
    /// Appends the canonical text; false when it grows over the cap.
    fn bb_canonical(&self, out: &mut String) -> bool;
    /// The value as a JSON number, when it is a finite number (a bool as 0 or 1).
    fn bb_number(&self) -> Option<String> {
        None
    }
    /// The name of an object's entry with this key: a string as itself, anything else as its canonical text.
    fn bb_key(&self) -> Option<String> {
        let mut text = String::new();
        self.bb_canonical(&mut text).then_some(text)
    }
}

macro_rules! bb_integers {
    ($($t:ty),*) => {$(
        impl BbDescribe for $t {
            fn bb_canonical(&self, out: &mut String) -> bool {
                out.push_str(&self.to_string());
                true
            }
            fn bb_number(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
bb_integers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

macro_rules! bb_floats {
    ($($t:ty),*) => {$(
        impl BbDescribe for $t {
            fn bb_canonical(&self, out: &mut String) -> bool {
                bb_canonical_float(*self as f64, out);
                true
            }
            fn bb_number(&self) -> Option<String> {
                // `{:?}` is the shortest text that reads back as the same f64, a JSON number;
                // NaN and the infinities are none, so they are digested.
                (*self as f64).is_finite().then(|| format!("{:?}", *self as f64))
            }
        }
    )*};
}
bb_floats!(f32, f64);

impl BbDescribe for bool {
    fn bb_canonical(&self, out: &mut String) -> bool {
        out.push_str(if *self { "true" } else { "false" });
        true
    }
    fn bb_number(&self) -> Option<String> {
        Some(if *self { "1" } else { "0" }.to_string())
    }
}

impl BbDescribe for str {
    fn bb_canonical(&self, out: &mut String) -> bool {
        bb_canonical_string(self, out);
        out.len() <= BB_CANONICAL_CAP
    }
    fn bb_key(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl BbDescribe for String {
    fn bb_canonical(&self, out: &mut String) -> bool {
        self.as_str().bb_canonical(out)
    }
    fn bb_key(&self) -> Option<String> {
        Some(self.clone())
    }
}

impl BbDescribe for char {
    fn bb_canonical(&self, out: &mut String) -> bool {
        bb_canonical_string(self.encode_utf8(&mut [0; 4]), out);
        true
    }
    fn bb_key(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl<T: BbDescribe + ?Sized> BbDescribe for &T {
    fn bb_canonical(&self, out: &mut String) -> bool {
        (**self).bb_canonical(out)
    }
    fn bb_number(&self) -> Option<String> {
        (**self).bb_number()
    }
    fn bb_key(&self) -> Option<String> {
        (**self).bb_key()
    }
}

impl<T: BbDescribe + ?Sized> BbDescribe for Box<T> {
    fn bb_canonical(&self, out: &mut String) -> bool {
        (**self).bb_canonical(out)
    }
    fn bb_number(&self) -> Option<String> {
        (**self).bb_number()
    }
    fn bb_key(&self) -> Option<String> {
        (**self).bb_key()
    }
}

impl<T: BbDescribe> BbDescribe for Option<T> {
    fn bb_canonical(&self, out: &mut String) -> bool {
        match self {
            Some(value) => value.bb_canonical(out),
            None => {
                out.push_str("null");
                true
            }
        }
    }
}

/// The elements of a sequence as a canonical array.
fn bb_canonical_items<'a, T: BbDescribe + 'a>(items: impl Iterator<Item = &'a T>, out: &mut String) -> bool {
    out.push('[');
    for (index, item) in items.enumerate() {
        if index > 0 {
            out.push(',');
        }
        if !item.bb_canonical(out) || out.len() > BB_CANONICAL_CAP {
            return false;
        }
    }
    out.push(']');
    true
}

/// The elements of a set as a canonical array, sorted by their text (byte order, as the other harnesses sort).
fn bb_canonical_set<'a, T: BbDescribe + 'a>(items: impl Iterator<Item = &'a T>, out: &mut String) -> bool {
    let mut texts = Vec::new();
    for item in items {
        let mut text = String::new();
        if !item.bb_canonical(&mut text) {
            return false;
        }
        texts.push(text);
    }
    texts.sort();
    out.push('[');
    out.push_str(&texts.join(","));
    out.push(']');
    out.len() <= BB_CANONICAL_CAP
}

/// The entries of a map as a canonical object, sorted by key (byte order, as the other harnesses sort).
fn bb_canonical_map<'a, K: BbDescribe + 'a, V: BbDescribe + 'a>(entries: impl Iterator<Item = (&'a K, &'a V)>, out: &mut String) -> bool {
    let mut texts = Vec::new();
    for (key, value) in entries {
        let Some(name) = key.bb_key() else { return false };
        let mut text = String::new();
        bb_canonical_string(&name, &mut text);
        text.push(':');
        if !value.bb_canonical(&mut text) {
            return false;
        }
        texts.push((name, text));
    }
    texts.sort();
    out.push('{');
    out.push_str(&texts.into_iter().map(|(_, text)| text).collect::<Vec<_>>().join(","));
    out.push('}');
    out.len() <= BB_CANONICAL_CAP
}

impl<T: BbDescribe> BbDescribe for [T] {
    fn bb_canonical(&self, out: &mut String) -> bool {
        bb_canonical_items(self.iter(), out)
    }
}

impl<T: BbDescribe, const N: usize> BbDescribe for [T; N] {
    fn bb_canonical(&self, out: &mut String) -> bool {
        bb_canonical_items(self.iter(), out)
    }
}

impl<T: BbDescribe> BbDescribe for Vec<T> {
    fn bb_canonical(&self, out: &mut String) -> bool {
        bb_canonical_items(self.iter(), out)
    }
}

impl<T: BbDescribe> BbDescribe for VecDeque<T> {
    fn bb_canonical(&self, out: &mut String) -> bool {
        bb_canonical_items(self.iter(), out)
    }
}

impl<T: BbDescribe, S> BbDescribe for HashSet<T, S> {
    fn bb_canonical(&self, out: &mut String) -> bool {
        bb_canonical_set(self.iter(), out)
    }
}

impl<T: BbDescribe> BbDescribe for BTreeSet<T> {
    fn bb_canonical(&self, out: &mut String) -> bool {
        bb_canonical_set(self.iter(), out)
    }
}

impl<K: BbDescribe, V: BbDescribe, S> BbDescribe for HashMap<K, V, S> {
    fn bb_canonical(&self, out: &mut String) -> bool {
        bb_canonical_map(self.iter(), out)
    }
}

impl<K: BbDescribe, V: BbDescribe> BbDescribe for BTreeMap<K, V> {
    fn bb_canonical(&self, out: &mut String) -> bool {
        bb_canonical_map(self.iter(), out)
    }
}

macro_rules! bb_tuples {
    ($(($($name:ident),+)),*) => {$(
        impl<$($name: BbDescribe),+> BbDescribe for ($($name,)+) {
            #[allow(non_snake_case)]
            fn bb_canonical(&self, out: &mut String) -> bool {
                let ($($name,)+) = self;
                out.push('[');
                let mut first = true;
                $(
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    if !$name.bb_canonical(out) {
                        return false;
                    }
                )+
                let _ = first;
                out.push(']');
                true
            }
        }
    )*};
}
bb_tuples!((A), (A, B), (A, B, C), (A, B, C, D), (A, B, C, D, E), (A, B, C, D, E, F));

/// The "result" field for a value: a number as itself, other data by the FNV-1a 64 digest of its
/// canonical text; None when the text grows over the cap.
fn bb_describe<T: BbDescribe + ?Sized>(value: &T) -> Option<String> {
    if let Some(number) = value.bb_number() {
        return Some(format!("{{\"kind\": \"number\", \"value\": {number}}}"));
    }
    let mut text = String::new();
    (value.bb_canonical(&mut text) && text.len() <= BB_CANONICAL_CAP).then(|| format!("{{\"kind\": \"digest\", \"value\": \"{}\"}}", bb_fnv1a64(&text)))
}

/// Picks, in the block's `main` where the bench function's type is known, whether its value can be
/// described (autoref specialisation: `(&&BbProbe(value)).bb_describe()` finds `BbDescribed` when
/// the type implements `BbDescribe`, else `BbUndescribed`), so any return type still compiles.
pub struct BbProbe<'a, T>(pub &'a T);

/// The value's type has a canonical text.
pub trait BbDescribed {
    fn bb_describe(&self) -> Option<String>;
}

impl<T: BbDescribe> BbDescribed for &BbProbe<'_, T> {
    fn bb_describe(&self) -> Option<String> {
        bb_describe(self.0)
    }
}

/// The value's type has none: it is left undescribed.
pub trait BbUndescribed {
    fn bb_describe(&self) -> Option<String>;
}

impl<T> BbUndescribed for BbProbe<'_, T> {
    fn bb_describe(&self) -> Option<String> {
        None
    }
}

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

/// Measures `f` as the environment says and writes the result file; `describe` gives the "result"
/// field for a value `f` returned (see `BbProbe`).
pub fn run<T>(f: fn() -> T, describe: fn(&T) -> Option<String>) {
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
    // The timed loop keeps no result (black_box only makes each observable), so one more call,
    // after timing, gives the value to describe.
    let returned = if bb_env("BENCHBOOK_RECORD_RESULT", 0) == 1 { describe(&f()) } else { None };
    // `{:?}` prints the shortest text that reads back as the same f64, a valid JSON number.
    let listed: Vec<String> = samples.iter().map(|ns| format!("{ns:?}")).collect();
    let json = format!(
        "{{\"samples\": [{}], \"loops\": {}, \"timerResolutionNs\": {}, \"maxRssKiB\": {}, \"capped\": {}{}}}\n",
        listed.join(", "),
        loops,
        resolution,
        // 0 when counting instructions: reading VmHWM costs a varying number.
        if fixed_loops == 0 { bb_max_rss_kib() } else { 0 },
        capped,
        returned.map(|field| format!(", \"result\": {field}")).unwrap_or_default()
    );
    if let Err(error) = std::fs::write(&result_path, json) {
        eprintln!("benchbook: cannot write the result: {error}");
        std::process::exit(2);
    }
}
