// benchbook harness for C++ bench blocks.
//
// Appended to the block's own translation unit (after its code, with BB_FN defined as the name of
// the function to time), so it sees that function and its return type. It calibrates a loop count
// so one sample lasts at least BENCHBOOK_MIN_SAMPLE_NS, then samples until the process is steady
// (the stop rule of harness.py), and writes {"samples": [ns per call, every sample after
// calibration...], "loops": n, "timerResolutionNs": ns, "maxRssKiB": n, "capped": bool} to the file
// BENCHBOOK_RESULT; maxRssKiB is this process's own peak (VmHWM). With BENCHBOOK_LOOPS set, that is
// the loop count, nothing is calibrated, REPEAT samples are taken and written as 0 (instruction
// counts need every run to do the same work, printing included). With BENCHBOOK_RECORD_RESULT=1 it
// adds "result": what one more call after timing returns (see bb::describe). Every name lives in
// namespace bb so it cannot clash with the block's own.
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <iterator>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
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

// Canonical text longer than this is not digested, as in the other harnesses.
constexpr std::size_t canonical_cap = std::size_t{8} << 20;

// FNV-1a 64 of a text, as 16 lowercase hexadecimal digits.
std::string fnv1a64(std::string_view text) {
  std::uint64_t digest = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) digest = (digest ^ c) * 0x100000001b3ULL;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
  return hex;
}

// A float as every harness writes it: integral values below 2^53 as integers, others in shortest
// scientific form (1.5e-7, not to_chars's 1.5e-07).
void canonical_float(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "nan";
  } else if (std::isinf(value)) {
    out += value > 0 ? "inf" : "-inf";
  } else if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    out += std::to_string(static_cast<long long>(value));
  } else {
    char text[64];
    char* end = std::to_chars(text, text + sizeof text, value, std::chars_format::scientific).ptr;
    std::string_view written(text, end - text);
    std::size_t e = written.find('e');
    out += written.substr(0, e + 1);
    int power = 0;
    std::from_chars(text + e + 1 + (text[e + 1] == '+'), end, power);
    out += std::to_string(power);
  }
}

void canonical_string(std::string_view text, std::string& out) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escape[7];
          std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
          out += escape;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// A container, by what a range-for needs (<ranges> would cost every build a tenth of a second more).
template <class T>
concept iterable = requires(T const& value) {
  std::begin(value);
  std::end(value);
};
template <class T>
concept string_like = std::is_convertible_v<T const&, std::string_view> && !std::is_pointer_v<std::decay_t<T>>;
template <class T>
concept map_like = iterable<T> && requires { typename T::key_type; typename T::mapped_type; };
template <class T>
concept set_like = iterable<T> && requires { typename T::key_type; } && !map_like<T>;
template <class T>
concept tuple_like = requires { std::tuple_size<T>::value; } && !iterable<T>;
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

// Appends the canonical text of a value (docs/measurement.md), the text the other harnesses write
// for the same data; false for what has none (a pointer, a class) or when it grows over the cap.
template <class T>
bool canonical(T const& value, std::string& out) {
  if (out.size() > canonical_cap) return false;
  if constexpr (std::is_same_v<T, bool>) {
    out += value ? "true" : "false";
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    out += std::to_string(value);
    return true;
  } else if constexpr (std::is_floating_point_v<T>) {
    canonical_float(static_cast<double>(value), out);
    return true;
  } else if constexpr (string_like<T>) {
    canonical_string(std::string_view(value), out);
    return true;
  } else if constexpr (is_optional<T>::value) {
    if (!value) {
      out += "null";
      return true;
    }
    return canonical(*value, out);
  } else if constexpr (map_like<T>) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (auto const& [key, item] : value) {
      std::string name;
      if constexpr (string_like<std::remove_cvref_t<decltype(key)>>) {
        name = std::string_view(key);
      } else if (!canonical(key, name)) {
        return false;
      }
      std::string text;
      canonical_string(name, text);
      text += ':';
      if (!canonical(item, text)) return false;
      entries.emplace_back(std::move(name), std::move(text));
    }
    // Keys in byte order, which is code point order for UTF-8: the order the other harnesses sort in.
    std::sort(entries.begin(), entries.end());
    out += '{';
    for (std::size_t i = 0; i < entries.size(); i++) out += (i ? "," : "") + entries[i].second;
    out += '}';
    return out.size() <= canonical_cap;
  } else if constexpr (set_like<T>) {
    std::vector<std::string> items;
    for (auto const& item : value) {
      std::string text;
      if (!canonical(item, text)) return false;
      items.push_back(std::move(text));
    }
    std::sort(items.begin(), items.end());
    out += '[';
    for (std::size_t i = 0; i < items.size(); i++) out += (i ? "," : "") + items[i];
    out += ']';
    return out.size() <= canonical_cap;
  } else if constexpr (iterable<T>) {
    out += '[';
    bool first = true;
    for (auto const& item : value) {
      if (!first) out += ',';
      first = false;
      if (!canonical(item, out)) return false;
    }
    out += ']';
    return out.size() <= canonical_cap;
  } else if constexpr (tuple_like<T>) {
    out += '[';
    bool ok = true;
    bool first = true;
    auto add = [&](auto const& item) {
      if (!first) out += ',';
      first = false;
      ok = ok && canonical(item, out);
    };
    std::apply([&](auto const&... items) { (add(items), ...); }, value);
    out += ']';
    return ok;
  } else {
    return false;
  }
}

// The "result" field for what the bench function returned: a number (a bool as 0 or 1) as itself,
// other data by the FNV-1a 64 digest of its canonical text; empty when it has none.
template <class T>
std::string describe(T const& value) {
  char number[64];
  if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_signed_v<T>) {
      std::snprintf(number, sizeof number, "%lld", static_cast<long long>(value));
    } else {
      std::snprintf(number, sizeof number, "%llu", static_cast<unsigned long long>(value));
    }
    return std::string("{\"kind\": \"number\", \"value\": ") + number + "}";
  } else if constexpr (std::is_floating_point_v<T>) {
    // NaN and the infinities are no JSON number: they are digested below.
    if (std::isfinite(static_cast<double>(value))) {
      // The shortest text that reads back as the same double: a JSON number.
      *std::to_chars(number, number + sizeof number - 1, static_cast<double>(value)).ptr = '\0';
      return std::string("{\"kind\": \"number\", \"value\": ") + number + "}";
    }
  }
  std::string text;
  if (!canonical(value, text) || text.size() > canonical_cap) return "";
  return "{\"kind\": \"digest\", \"value\": \"" + fnv1a64(text) + "\"}";
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

  // The timed loop keeps no copy of a result (keep() only makes it observable), so one more call,
  // after timing, gives the value to describe.
  std::string returned = bb::env("BENCHBOOK_RECORD_RESULT", 0) == 1 ? bb::describe(BB_FN()) : "";
  std::FILE* out = std::fopen(result_path, "w");
  if (out == nullptr) {
    std::perror("benchbook: cannot write the result");
    return 2;
  }
  std::fprintf(out, "{\"samples\": [");
  for (std::size_t i = 0; i < samples.size(); i++) std::fprintf(out, "%s%.17g", i ? ", " : "", samples[i]);
  std::fprintf(out, "], \"loops\": %llu, \"timerResolutionNs\": %llu, \"maxRssKiB\": %ld, \"capped\": %s%s%s}\n", static_cast<unsigned long long>(loops),
               static_cast<unsigned long long>(resolution), fixed_loops ? 0L : bb::max_rss_kib(), capped ? "true" : "false", returned.empty() ? "" : ", \"result\": ",
               returned.c_str());
  if (std::fclose(out) != 0) {
    std::perror("benchbook: cannot write the result");
    return 2;
  }
  return 0;
}
