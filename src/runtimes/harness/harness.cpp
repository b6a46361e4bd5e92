// benchbook harness for C++ bench blocks.
//
// Appended to the block's own translation unit (after its code, with BB_FN defined as the name of
// the function to time), so it sees that function and its return type. It calibrates a loop count
// so one sample lasts at least BENCHBOOK_MIN_SAMPLE_NS, then samples until the process is steady
// (the stop rule of harness.py), and writes {"samples": [ns per call, every sample after
// calibration...], "loops": n, "timerResolutionNs": ns, "maxRssKiB": n, "capped": bool} to the file
// BENCHBOOK_RESULT; maxRssKiB is this process's own peak (VmHWM). With BENCHBOOK_LOOPS set, that is
// the loop count, nothing is calibrated, REPEAT samples are taken and written as 0 (instruction
// counts need every run to do the same work, printing included). Every name lives in namespace bb
// so it cannot clash with the block's own.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <vector>

#ifndef BB_FN
#define BB_FN bench
#endif

// The timed function must return a value, which is kept observable: a void function's work could be
// dropped by the optimiser, and there would be nothing to show it ran.
static_assert(!std::is_void_v<decltype(BB_FN())>, "benchbook: the bench function must return a value (not void) so its work can be kept");

namespace bb {

// Google Benchmark's DoNotOptimize: the value's address escapes into an empty asm that clobbers
// memory, so the compiler must compute it, whatever its type (a string as well as an int).
template <class T>
inline void keep(T const& value) {
  asm volatile("" : : "g"(&value) : "memory");
}

constexpr std::uint64_t max_loops = std::uint64_t{1} << 40;

inline std::uint64_t now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

// Times `loops` calls in a row. The function pointer is laundered through an empty asm each
// iteration, so the optimiser can neither inline the call nor hoist a pure function's result out
// of the loop: every call really runs, at the cost of one indirect call (as in the C harness).
[[gnu::noinline]] std::uint64_t measure(std::uint64_t loops) {
  auto fn = &BB_FN;
  std::uint64_t start = now();
  for (std::uint64_t i = 0; i < loops; i++) {
    asm volatile("" : "+r"(fn));
    keep(fn());
  }
  return now() - start;
}

// The smallest loop count in 1, 2, 5, 10, 20, 50, ... whose sample lasts min_ns (timeit's
// autorange); a sample that reaches it is confirmed by a second one unless it lasted ten times as
// long, so one preempted sample does not stop the climb early.
std::uint64_t calibrate(std::uint64_t min_ns) {
  for (std::uint64_t base = 1;; base *= 10) {
    for (std::uint64_t factor : {1, 2, 5}) {
      std::uint64_t loops = base * factor;
      if (loops >= max_loops) return loops;
      std::uint64_t elapsed = measure(loops);
      if (elapsed >= min_ns && (elapsed >= 10 * min_ns || measure(loops) >= min_ns)) return loops;
    }
  }
}

// The smallest step of the clock as seen from here (includes the cost of reading it).
std::uint64_t timer_resolution() {
  std::uint64_t best = UINT64_MAX;
  for (int i = 0; i < 200; i++) {
    std::uint64_t start = now(), later = now();
    while (later == start) later = now();
    if (later - start < best) best = later - start;
  }
  return best;
}

// This process's own peak resident set in KiB: VmHWM (the image since exec), else getrusage's.
long max_rss_kib() {
  long kib = -1;
  if (std::FILE* status = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, status) != nullptr) {
      if (std::sscanf(line, "VmHWM: %ld", &kib) == 1) break;
    }
    std::fclose(status);
  }
  if (kib >= 0) return kib;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::uint64_t env(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  unsigned long long parsed = std::strtoull(value, &end, 10);
  if (*end != '\0') {
    std::fprintf(stderr, "benchbook: %s=\"%s\" is not an integer\n", name, value);
    std::exit(2);
  }
  return parsed;
}

}  // namespace bb

int main() {
  const char* result_path = std::getenv("BENCHBOOK_RESULT");
  if (result_path == nullptr || *result_path == '\0') {
    std::fprintf(stderr, "benchbook: BENCHBOOK_RESULT is not set; run this harness through benchbook\n");
    return 2;
  }
  std::uint64_t repeat = bb::env("BENCHBOOK_REPEAT", 5);
  std::uint64_t warmup = bb::env("BENCHBOOK_WARMUP", 1);
  std::uint64_t min_ns = bb::env("BENCHBOOK_MIN_SAMPLE_NS", 10000000);
  std::uint64_t max_samples = bb::env("BENCHBOOK_MAX_SAMPLES", 100);
  std::uint64_t min_sampling_ns = bb::env("BENCHBOOK_MIN_NS", 0);
  std::uint64_t max_ns = bb::env("BENCHBOOK_MAX_NS", 10000000000ULL);
  std::uint64_t fixed_loops = bb::env("BENCHBOOK_LOOPS", 0);
  repeat = std::max<std::uint64_t>(repeat, 1);

  // The clock's resolution first, so the samples can be judged against it (tinybench's order).
  std::uint64_t resolution = fixed_loops ? 0 : bb::timer_resolution();
  std::uint64_t loops = fixed_loops ? fixed_loops : bb::calibrate(min_ns);
  std::vector<double> samples;
  bool capped = false;
  if (fixed_loops) {
    // With a fixed loop count the output must not vary either: printing a time would.
    for (std::uint64_t i = 0; i < repeat; i++) bb::measure(loops), samples.push_back(0.0);
  } else {
    std::uint64_t window = std::max<std::uint64_t>(2, repeat / 2);
    std::uint64_t started = bb::now();
    for (;;) {
      samples.push_back(static_cast<double>(bb::measure(loops)) / static_cast<double>(loops));
      std::uint64_t n = samples.size();
      if (n < warmup + repeat) continue;
      auto part = [&](std::uint64_t from) { return std::vector<double>(samples.begin() + from, samples.begin() + from + window); };
      bool settled = n >= 2 * window && bb::median(part(n - window)) >= 0.95 * bb::median(part(n - 2 * window));
      if (settled && bb::now() - started >= min_sampling_ns) break;
      if (n >= max_samples || bb::now() - started >= max_ns) {
        // Capped: stopped while the samples were still getting faster.
        capped = n >= 2 * window && !settled;
        break;
      }
    }
  }

  std::FILE* out = std::fopen(result_path, "w");
  if (out == nullptr) {
    std::perror("benchbook: cannot write the result");
    return 2;
  }
  std::fprintf(out, "{\"samples\": [");
  for (std::size_t i = 0; i < samples.size(); i++) std::fprintf(out, "%s%.17g", i ? ", " : "", samples[i]);
  std::fprintf(out, "], \"loops\": %llu, \"timerResolutionNs\": %llu, \"maxRssKiB\": %ld, \"capped\": %s}\n", static_cast<unsigned long long>(loops),
               static_cast<unsigned long long>(resolution), fixed_loops ? 0L : bb::max_rss_kib(), capped ? "true" : "false");
  if (std::fclose(out) != 0) {
    std::perror("benchbook: cannot write the result");
    return 2;
  }
  return 0;
}
