"""benchbook harness for Python bench blocks.

Usage: python harness.py <block-file> <block-id>

Runs the block's top-level code once (setup), then times the function named by BENCHBOOK_FN:
calibrates a loop count so one sample lasts at least BENCHBOOK_MIN_SAMPLE_NS, then takes samples
until the process is in a steady state (the stop rule below) and writes
{"samples": [ns per call...], "loops": n, "timerResolutionNs": ns, "firstSampleNs": ns,
"peakBytes": n, "maxRssKiB": n, "capped": bool} to the file BENCHBOOK_RESULT; with
BENCHBOOK_RECORD_RESULT=1, also "result": what the last timed call returned (see _describe).
"samples" is every sample after calibration, warm-up included: benchbook finds the steady part
itself (changepoints, as Barrett et al., OOPSLA 2017). The stop rule, the same in every harness: at least
BENCHBOOK_WARMUP + BENCHBOOK_REPEAT samples; then stop once BENCHBOOK_MIN_NS of sampling have passed
and the median of the last W samples (W = REPEAT / 2, at least 2) is no more than 5% below the
median of the W before them (the process stopped getting faster), or BENCHBOOK_MAX_SAMPLES samples or BENCHBOOK_MAX_NS of
sampling are reached ("capped" says it stopped still getting faster). The minimum time gives a
warm-up that comes late (a JIT's threshold) the chance to show. peakBytes is what one call allocates at its peak
(tracemalloc, after timing; null where tracemalloc is missing, as on PyPy); maxRssKiB is this
process's own peak resident set (VmHWM: not the parent's, which getrusage would include after
fork and exec). With BENCHBOOK_LOOPS set, the loop count is that number, nothing is calibrated,
exactly REPEAT samples are taken and written as 0 (instruction counts need every run to do the
same work, printing included). firstSampleNs is the very first call, timed alone: with a JIT (PyPy,
Numba) it includes compiling.

The block file is Python source, or an extension module compiled from it (Nuitka), which is imported.
Runs on Python 3.6+ and PyPy: no syntax newer than that.
"""

import gc
import importlib.machinery
import importlib.util
import itertools
import json
import linecache
import numbers
import os
import re
import sys
import traceback
import types
from time import perf_counter_ns

# The last result of the timed function, kept so every call's work is observable.
_sink = None

_harness_module = None

# Calibration stops here even if samples are still too short (a function that costs nothing).
_MAX_LOOPS = 10**12


# Calls longer than this are not traced for their peak memory (see main).
_LONG_CALL_NS = 2_000_000_000


def _env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def _time(fn, loops):
    """Nanoseconds taken by `loops` calls of fn in a row."""
    global _sink
    result = None
    calls = itertools.repeat(None, loops)
    start = perf_counter_ns()
    for _ in calls:
        result = fn()
    elapsed = perf_counter_ns() - start
    _sink = result
    return elapsed


def _calibrate(fn, min_sample_ns):
    """The smallest loop count in 1, 2, 5, 10, 20, 50, ... whose sample lasts min_sample_ns (timeit's autorange),
    and the time of the first call, which calibration makes alone. A sample that reaches the target is
    confirmed by a second one (unless it lasted ten times the target): on a busy machine one preempted
    sample would otherwise stop the climb early, and every later sample would be too short."""
    first_ns = None
    base = 1
    while True:
        for factor in (1, 2, 5):
            loops = base * factor
            elapsed = _time(fn, loops)
            if first_ns is None:
                first_ns = elapsed
            if loops >= _MAX_LOOPS:
                return loops, first_ns
            if elapsed >= min_sample_ns and (elapsed >= 10 * min_sample_ns or _time(fn, loops) >= min_sample_ns):
                return loops, first_ns
        base *= 10


def _peak_bytes(fn):
    """Peak bytes traced by tracemalloc during one call of fn (as article 004 measures), or None without tracemalloc."""
    try:
        import tracemalloc
    except ImportError:
        return None
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak


def _max_rss_kib():
    """This process's own peak resident set in KiB: VmHWM on Linux (the image since exec), else getrusage, else None."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# Canonical text longer than this is not digested: hashing it in pure Python would take seconds.
_CANONICAL_CAP = 8 * 2**20

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_FNV_MASK = 0xFFFFFFFFFFFFFFFF

# What a canonical string escapes: the quote, the backslash and control characters, these in short form.
_ESCAPED = re.compile(r'["\\\x00-\x1f]')
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class _Opaque(Exception):
    """The value holds something with no canonical text (an object, a function), or too much of it."""


def _fnv1a64(data):
    digest = _FNV_OFFSET
    for byte in bytearray(data):
        digest = ((digest ^ byte) * _FNV_PRIME) & _FNV_MASK
    return "%016x" % digest


def _canonical_float(value):
    """A float as every harness writes it: integral values below 2**53 as integers, others in shortest scientific form."""
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    # repr is the shortest text that reads back as the same float; rewrite it as d.ddde<exponent>.
    text = repr(value)
    sign = "-" if text.startswith("-") else ""
    mantissa, _, exponent = text.lstrip("-").partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    leading = len(digits) - len(digits.lstrip("0"))
    digits = digits.strip("0")
    power = (int(exponent) if exponent else 0) + len(whole) - 1 - leading
    return "%s%s%se%d" % (sign, digits[0], "." + digits[1:] if len(digits) > 1 else "", power)


def _escape(match):
    char = match.group()
    return _SHORT_ESCAPES.get(char) or "\\u%04x" % ord(char)


def _canonical_string(text):
    return '"%s"' % _ESCAPED.sub(_escape, text)


def _canonical(value, budget):
    """The canonical text of value (docs/measurement.md), which the other harnesses write alike for the same data."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return _canonical_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _canonical_float(value)
    if isinstance(value, (bytes, bytearray)):
        return "[%s]" % ",".join(str(byte) for byte in bytearray(value))
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple, dict)):
        # NumPy arrays and scalars (Numba's results): their plain Python equivalent.
        return _canonical(value.tolist(), budget)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return _canonical_float(float(value))
    if isinstance(value, (list, tuple, range)):
        # Each element takes at least a digit and a comma: a list that long cannot fit.
        if 2 * len(value) > budget:
            raise _Opaque()
        return "[%s]" % ",".join(_canonical(item, budget) for item in value)
    if isinstance(value, (set, frozenset)):
        if 2 * len(value) > budget:
            raise _Opaque()
        return "[%s]" % ",".join(sorted((_canonical(item, budget) for item in value), key=_utf8))
    if isinstance(value, dict):
        if 4 * len(value) > budget:
            raise _Opaque()
        entries = []
        for key, item in value.items():
            name = key if isinstance(key, str) else _canonical(key, budget)
            entries.append((_utf8(name), _canonical_string(name) + ":" + _canonical(item, budget)))
        return "{%s}" % ",".join(entry for _, entry in sorted(entries))
    raise _Opaque()


def _utf8(text):
    # Lone surrogates are kept rather than refused: a string Python holds hashes as some bytes.
    return text.encode("utf-8", "surrogatepass")


def _describe(value):
    """The "result" field for the value a bench function returned: a number as itself, None as
    "none", other data as the FNV-1a 64 digest of its canonical text; None when it has no canonical
    text (an object, a function) or its text is over _CANONICAL_CAP bytes."""
    try:
        if value is None:
            return {"kind": "none"}
        number = value
        if hasattr(value, "tolist") and not isinstance(value, (list, tuple, dict)):
            number = value.tolist()
        if isinstance(number, bool):
            return {"kind": "number", "value": int(number)}
        if isinstance(number, int) and abs(number) < 2**53:
            return {"kind": "number", "value": number}
        if isinstance(number, numbers.Real):
            try:
                as_float = float(number)
            except OverflowError:
                as_float = float("inf")
            # NaN, the infinities and ints beyond a float's range are no JSON number: they are digested.
            if as_float == as_float and as_float not in (float("inf"), float("-inf")):
                return {"kind": "number", "value": as_float}
        text = _utf8(_canonical(value, _CANONICAL_CAP))
        if len(text) > _CANONICAL_CAP:
            return None
        return {"kind": "digest", "value": _fnv1a64(text)}
    except Exception:
        # A value too odd to describe (a cycle, a huge int, a failing tolist) is left undescribed, never a failed run.
        return None


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _sample_until_steady(fn, loops, warmup, repeat, max_samples, min_ns, max_ns):
    """Samples (ns per call) until the stop rule in the module's docstring holds; and whether it was capped."""
    samples = []
    window = max(2, repeat // 2)
    started = perf_counter_ns()
    while True:
        samples.append(_time(fn, loops) / loops)
        n = len(samples)
        if n < warmup + repeat:
            continue
        settled = n >= 2 * window and _median(samples[-window:]) >= 0.95 * _median(samples[-2 * window : -window])
        if settled and perf_counter_ns() - started >= min_ns:
            return samples, False
        if n >= max_samples or perf_counter_ns() - started >= max_ns:
            # Capped: stopped while the samples were still getting faster.
            return samples, n >= 2 * window and not settled


def _timer_resolution_ns():
    """The smallest step perf_counter_ns shows, as seen from Python (includes the cost of reading it)."""
    best = None
    for _ in range(200):
        start = perf_counter_ns()
        now = perf_counter_ns()
        while now == start:
            now = perf_counter_ns()
        step = now - start
        if best is None or step < best:
            best = step
    return best


def _load_extension(path):
    """Imports a block compiled to an extension module; its name is the file's up to the first dot."""
    name = os.path.basename(path).split(".")[0]
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    sys.argv = [path]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _load_block(path, block_id):
    """Runs the block's code as __main__ from a file named after the block, so tracebacks name it."""
    if path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
        return _load_extension(path)
    with open(path, encoding="utf-8") as file:
        source = file.read()
    filename = "<%s>" % block_id
    # Register the source so tracebacks can show the offending lines of a file that is not on disk.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")
    module = types.ModuleType("__main__")
    module.__file__ = path
    # Like running a script: the block is __main__ and imports resolve next to it, not next to us.
    # Keep this harness module alive once it is no longer sys.modules["__main__"].
    global _harness_module
    _harness_module = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    sys.argv = [path]
    exec(code, module.__dict__)
    return module


def _excepthook(kind, value, tb):
    """Prints tracebacks in Python, which reads the block's lines from linecache, without our frames."""
    inner = tb
    while inner is not None and inner.tb_frame.f_code.co_filename == __file__:
        inner = inner.tb_next
    traceback.print_exception(kind, value, inner or tb)


def main():
    sys.excepthook = _excepthook
    if len(sys.argv) != 3:
        print("usage: harness.py <block-file> <block-id>", file=sys.stderr)
        return 2
    path, block_id = sys.argv[1], sys.argv[2]
    result_path = os.environ.get("BENCHBOOK_RESULT")
    if not result_path:
        print("benchbook: BENCHBOOK_RESULT is not set; run this harness through benchbook", file=sys.stderr)
        return 2
    fn_name = os.environ.get("BENCHBOOK_FN") or "bench"
    repeat = _env_int("BENCHBOOK_REPEAT", 5)
    warmup = _env_int("BENCHBOOK_WARMUP", 1)
    min_sample_ns = _env_int("BENCHBOOK_MIN_SAMPLE_NS", 10_000_000)

    module = _load_block(path, block_id)
    fn = module.__dict__.get(fn_name)
    if not callable(fn):
        print(
            "benchbook: block %s defines no function %s(); define `def %s():` returning a value, "
            "or name another function with the block's fn option" % (block_id, fn_name, fn_name),
            file=sys.stderr,
        )
        return 2

    max_samples = _env_int("BENCHBOOK_MAX_SAMPLES", 100)
    min_ns = _env_int("BENCHBOOK_MIN_NS", 0)
    max_ns = _env_int("BENCHBOOK_MAX_NS", 10_000_000_000)

    fixed_loops = _env_int("BENCHBOOK_LOOPS", 0)
    # The clock's resolution first, so the samples can be judged against it (tinybench's order).
    resolution = 0 if fixed_loops else _timer_resolution_ns()
    capped = False
    if fixed_loops:
        loops, first_ns = fixed_loops, None
        for _ in range(repeat):
            _time(fn, loops)
        # The output must not vary either: printing a time would.
        samples = [0.0] * repeat
    else:
        loops, first_ns = _calibrate(fn, min_sample_ns)
        samples, capped = _sample_until_steady(fn, loops, warmup, repeat, max_samples, min_ns, max_ns)
    # Asked of one process of a block only: digesting a large value takes a while.
    returned = _describe(_sink) if os.environ.get("BENCHBOOK_RECORD_RESULT") == "1" else None
    # Tracing a call's allocations makes it slower, ten times or more for code that allocates: for a
    # call of more than two seconds that is minutes per process, so its peak memory is not traced.
    long_call = first_ns is not None and first_ns > _LONG_CALL_NS
    peak = None if fixed_loops or long_call else _peak_bytes(fn)

    result = {
        "samples": samples,
        "loops": loops,
        "timerResolutionNs": resolution,
        "firstSampleNs": first_ns,
        "peakBytes": peak,
        # None when counting instructions: reading VmHWM costs a varying number.
        "maxRssKiB": None if fixed_loops else _max_rss_kib(),
        "capped": capped,
    }
    if returned is not None:
        result["result"] = returned
    with open(result_path, "w", encoding="utf-8") as file:
        json.dump(result, file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
