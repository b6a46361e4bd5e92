/*
 * benchbook harness for C bench blocks.
 *
 * Appended to the block's own translation unit (after its code, with BB_FN defined as the name of
 * the function to time), so it needs no declaration of that function and sees its return type.
 * It calibrates a loop count so one sample lasts at least BENCHBOOK_MIN_SAMPLE_NS, then samples
 * until the process is steady (the stop rule of harness.py: at least WARMUP + REPEAT samples, then
 * until the median of the last REPEAT/2 samples is no more than 5% below the REPEAT/2 before, or
 * BENCHBOOK_MAX_SAMPLES / BENCHBOOK_MAX_NS), and writes {"samples": [ns per call, every sample after
 * calibration...], "loops": n, "timerResolutionNs": ns, "maxRssKiB": n, "capped": bool} to the file
 * BENCHBOOK_RESULT; maxRssKiB is this process's own peak (VmHWM; 0 when counting instructions, as
 * reading it costs a varying number). With BENCHBOOK_LOOPS set, that is
 * the loop count, nothing is calibrated, REPEAT samples are taken and written as 0 (instruction
 * counts need every run to do the same work, printing included).
 * Every name starts with bb_ so it cannot clash with the block's own.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#ifndef BB_FN
#define BB_FN bench
#endif

/* The timed function must return a value: each result goes to a volatile sink, which is what stops
 * the compiler from dropping calls whose result is unused. A void function cannot be measured. */
_Static_assert(!__builtin_types_compatible_p(__typeof__(BB_FN()), void),
               "benchbook: the bench function must return a value (not void) so its work can be kept");
static volatile __typeof__(BB_FN()) bb_sink;

/* Calibration stops here even if samples are still too short (a function that costs nothing). */
#define BB_MAX_LOOPS (UINT64_C(1) << 40)

static uint64_t bb_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* Times `loops` calls in a row. The function pointer is laundered through an empty asm each
 * iteration, so the optimiser can neither inline the call nor hoist a pure function's result out of
 * the loop: every call really runs, at the cost of one indirect call (as in the Go harness). */
static __attribute__((noinline)) uint64_t bb_measure(uint64_t loops) {
  __typeof__(&BB_FN) fn = &BB_FN;
  uint64_t start = bb_now();
  for (uint64_t i = 0; i < loops; i++) {
    __asm__ volatile("" : "+r"(fn));
    bb_sink = fn();
  }
  return bb_now() - start;
}

/* The smallest loop count in 1, 2, 5, 10, 20, 50, ... whose sample lasts min_ns (timeit's autorange).
 * A sample that reaches it is confirmed by a second one (unless it lasted ten times as long): one
 * preempted sample must not stop the climb early. */
static uint64_t bb_calibrate(uint64_t min_ns) {
  for (uint64_t base = 1;; base *= 10) {
    static const uint64_t factors[] = {1, 2, 5};
    for (int i = 0; i < 3; i++) {
      uint64_t loops = base * factors[i];
      if (loops >= BB_MAX_LOOPS) return loops;
      uint64_t elapsed = bb_measure(loops);
      if (elapsed >= min_ns && (elapsed >= 10 * min_ns || bb_measure(loops) >= min_ns)) return loops;
    }
  }
}

/* The smallest step of CLOCK_MONOTONIC as seen from here (includes the cost of reading it). */
static uint64_t bb_timer_resolution(void) {
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < 200; i++) {
    uint64_t start = bb_now(), now = bb_now();
    while (now == start) now = bb_now();
    if (now - start < best) best = now - start;
  }
  return best;
}

/* This process's own peak resident set in KiB: VmHWM (the image since exec; getrusage would include
 * the parent's pages inherited through fork), else getrusage's. */
static long bb_max_rss_kib(void) {
  FILE *status = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (status != NULL && fgets(line, sizeof line, status) != NULL) {
    if (sscanf(line, "VmHWM: %ld", &kib) == 1) break;
  }
  if (status != NULL) fclose(status);
  if (kib >= 0) return kib;
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static int bb_compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double bb_median(const double *values, uint64_t n) {
  double sorted[n];
  for (uint64_t i = 0; i < n; i++) sorted[i] = values[i];
  qsort(sorted, n, sizeof *sorted, bb_compare);
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static uint64_t bb_env(const char *name, uint64_t fallback) {
  const char *value = getenv(name);
  if (value == NULL || *value == '\0') return fallback;
  char *end;
  unsigned long long parsed = strtoull(value, &end, 10);
  if (*end != '\0') {
    fprintf(stderr, "benchbook: %s=\"%s\" is not an integer\n", name, value);
    exit(2);
  }
  return (uint64_t)parsed;
}

int main(void) {
  const char *result_path = getenv("BENCHBOOK_RESULT");
  if (result_path == NULL || *result_path == '\0') {
    fprintf(stderr, "benchbook: BENCHBOOK_RESULT is not set; run this harness through benchbook\n");
    return 2;
  }
  uint64_t repeat = bb_env("BENCHBOOK_REPEAT", 5);
  uint64_t warmup = bb_env("BENCHBOOK_WARMUP", 1);
  uint64_t min_ns = bb_env("BENCHBOOK_MIN_SAMPLE_NS", 10000000);

  uint64_t max_samples = bb_env("BENCHBOOK_MAX_SAMPLES", 100);
  uint64_t min_sampling_ns = bb_env("BENCHBOOK_MIN_NS", 0);
  uint64_t max_ns = bb_env("BENCHBOOK_MAX_NS", UINT64_C(10000000000));
  uint64_t fixed_loops = bb_env("BENCHBOOK_LOOPS", 0);
  if (repeat == 0) repeat = 1;
  if (max_samples < warmup + repeat) max_samples = warmup + repeat;

  /* The clock's resolution first, so the samples can be judged against it (tinybench's order). */
  uint64_t resolution = fixed_loops ? 0 : bb_timer_resolution();
  uint64_t loops = fixed_loops ? fixed_loops : bb_calibrate(min_ns);
  double *samples = malloc(max_samples * sizeof *samples);
  if (samples == NULL) {
    fprintf(stderr, "benchbook: out of memory\n");
    return 2;
  }
  uint64_t n = 0;
  int capped = 0;
  if (fixed_loops) {
    /* With a fixed loop count the output must not vary either: printing a time would. */
    for (; n < repeat; n++) bb_measure(loops), samples[n] = 0.0;
  } else {
    uint64_t window = repeat / 2 < 2 ? 2 : repeat / 2;
    uint64_t started = bb_now();
    for (;;) {
      samples[n] = (double)bb_measure(loops) / (double)loops;
      n++;
      if (n < warmup + repeat) continue;
      int settled = n >= 2 * window && bb_median(samples + n - window, window) >= 0.95 * bb_median(samples + n - 2 * window, window);
      if (settled && bb_now() - started >= min_sampling_ns) break;
      if (n >= max_samples || bb_now() - started >= max_ns) {
        /* Capped: stopped while the samples were still getting faster. */
        capped = n >= 2 * window && !settled;
        break;
      }
    }
  }

  FILE *out = fopen(result_path, "w");
  if (out == NULL) {
    perror("benchbook: cannot write the result");
    return 2;
  }
  fprintf(out, "{\"samples\": [");
  for (uint64_t i = 0; i < n; i++) fprintf(out, "%s%.17g", i ? ", " : "", samples[i]);
  fprintf(out, "], \"loops\": %llu, \"timerResolutionNs\": %llu, \"maxRssKiB\": %ld, \"capped\": %s}\n", (unsigned long long)loops,
          (unsigned long long)resolution, fixed_loops ? 0L : bb_max_rss_kib(), capped ? "true" : "false");
  if (fclose(out) != 0) {
    perror("benchbook: cannot write the result");
    return 2;
  }
  free(samples);
  return 0;
}
