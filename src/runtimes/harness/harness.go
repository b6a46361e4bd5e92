// benchbook harness for Go bench blocks.
//
// Compiled into the block's `package main` next to the block's own file and a generated entry
// file that sets bbRun to `func() { bbHarness(<fn>) }`. It calibrates a loop count so one sample
// lasts at least BENCHBOOK_MIN_SAMPLE_NS, then samples until the process is steady (the stop rule
// of harness.py), and writes {"samples": [ns per call, every sample after calibration...], "loops": n,
// "timerResolutionNs": ns, "maxRssKiB": n, "capped": bool} to the file BENCHBOOK_RESULT; maxRssKiB is
// this process's own peak (VmHWM). With BENCHBOOK_LOOPS set, that is the loop count, nothing is
// calibrated, REPEAT samples are taken and written as 0 (instruction counts need every run to do the
// same work, printing included). With BENCHBOOK_RECORD_RESULT=1 it adds "result": what the last timed
// call returned, taken from bbSink (see bbDescribe).
// Every name starts with bb so it cannot clash with the block's own.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// bbRun is set by the generated entry file; it calls bbHarness with the block's function.
var bbRun func()

// bbSink keeps the last result of each sample so the calls cannot be optimised away.
var bbSink any

// Calibration stops here even if samples are still too short (a function that costs nothing).
const bbMaxLoops = int64(1) << 40

// bbMeasure times loops calls of f in a row. It is not inlined, so f stays an opaque function
// value and each call really happens.
//
//go:noinline
func bbMeasure[T any](f func() T, loops int64) time.Duration {
	var result T
	start := time.Now()
	for i := int64(0); i < loops; i++ {
		result = f()
	}
	elapsed := time.Since(start)
	bbSink = result
	return elapsed
}

// bbCalibrate returns the smallest loop count in 1, 2, 5, 10, 20, 50, ... whose sample lasts
// minSample (the autorange of Python's timeit). A sample that reaches it is confirmed by a second
// one (unless it lasted ten times as long): one preempted sample must not stop the climb early.
func bbCalibrate[T any](f func() T, minSample time.Duration) int64 {
	for base := int64(1); ; base *= 10 {
		for _, factor := range []int64{1, 2, 5} {
			loops := base * factor
			if loops >= bbMaxLoops {
				return loops
			}
			if elapsed := bbMeasure(f, loops); elapsed >= minSample && (elapsed >= 10*minSample || bbMeasure(f, loops) >= minSample) {
				return loops
			}
		}
	}
}

// bbTimerResolution is the smallest step of the monotonic clock as seen from Go.
func bbTimerResolution() int64 {
	best := int64(-1)
	for i := 0; i < 200; i++ {
		start := time.Now()
		step := time.Since(start)
		for step == 0 {
			step = time.Since(start)
		}
		if best < 0 || step.Nanoseconds() < best {
			best = step.Nanoseconds()
		}
	}
	return best
}

// bbMaxRssKiB is this process's own peak resident set: VmHWM (the image since exec), else getrusage's.
func bbMaxRssKiB() int64 {
	if status, err := os.Open("/proc/self/status"); err == nil {
		defer status.Close()
		scanner := bufio.NewScanner(status)
		for scanner.Scan() {
			if fields := strings.Fields(scanner.Text()); len(fields) >= 2 && fields[0] == "VmHWM:" {
				if kib, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
					return kib
				}
			}
		}
	}
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return int64(usage.Maxrss)
}

// bbMaxRssKiBUnlessCounting is 0 when instructions are counted: reading VmHWM costs a varying number.
func bbMaxRssKiBUnlessCounting(fixedLoops int64) int64 {
	if fixedLoops != 0 {
		return 0
	}
	return bbMaxRssKiB()
}

// Canonical text longer than this is not digested, as in the other harnesses.
const bbCanonicalCap = 8 << 20

// bbOpaque is a value with no canonical text (a struct, a function, a channel), or too much of it.
type bbOpaque struct{}

// bbFnv1a64 is FNV-1a 64 of the bytes, as 16 lowercase hexadecimal digits.
func bbFnv1a64(data []byte) string {
	digest := uint64(0xcbf29ce484222325)
	for _, b := range data {
		digest = (digest ^ uint64(b)) * 0x100000001b3
	}
	return fmt.Sprintf("%016x", digest)
}

// bbCanonicalFloat writes a float as every harness does: integral values below 2^53 as integers,
// others in shortest scientific form (1.5e-7).
func bbCanonicalFloat(out *bytes.Buffer, f float64) {
	switch {
	case math.IsNaN(f):
		out.WriteString("nan")
	case math.IsInf(f, 1):
		out.WriteString("inf")
	case math.IsInf(f, -1):
		out.WriteString("-inf")
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		out.WriteString(strconv.FormatInt(int64(f), 10))
	default:
		text := strconv.FormatFloat(f, 'e', -1, 64)
		mantissa, exponent, _ := strings.Cut(text, "e")
		power, _ := strconv.Atoi(exponent)
		out.WriteString(mantissa + "e" + strconv.Itoa(power))
	}
}

// bbCanonicalString writes a string as JSON does, escaping only the quote, the backslash and control characters.
func bbCanonicalString(out *bytes.Buffer, text string) {
	out.WriteByte('"')
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\b':
			out.WriteString(`\b`)
		case '\f':
			out.WriteString(`\f`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\r`)
		case '\t':
			out.WriteString(`\t`)
		default:
			if c < 0x20 {
				fmt.Fprintf(out, `\u%04x`, c)
			} else {
				out.WriteByte(c)
			}
		}
	}
	out.WriteByte('"')
}

// bbCanonical writes the canonical text of a value (docs/measurement.md), the text the other
// harnesses write for the same data; it panics with bbOpaque for what has none.
func bbCanonical(out *bytes.Buffer, value reflect.Value) {
	if out.Len() > bbCanonicalCap {
		panic(bbOpaque{})
	}
	switch value.Kind() {
	case reflect.Invalid:
		out.WriteString("null")
	case reflect.Bool:
		out.WriteString(strconv.FormatBool(value.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		out.WriteString(strconv.FormatInt(value.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		out.WriteString(strconv.FormatUint(value.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		bbCanonicalFloat(out, value.Float())
	case reflect.String:
		bbCanonicalString(out, value.String())
	case reflect.Pointer, reflect.Interface:
		if value.IsNil() {
			out.WriteString("null")
		} else {
			bbCanonical(out, value.Elem())
		}
	case reflect.Slice, reflect.Array:
		out.WriteByte('[')
		for i := 0; i < value.Len(); i++ {
			if i > 0 {
				out.WriteByte(',')
			}
			bbCanonical(out, value.Index(i))
		}
		out.WriteByte(']')
	case reflect.Map:
		type entry struct{ name, text string }
		entries := make([]entry, 0, value.Len())
		iter := value.MapRange()
		for iter.Next() {
			name := ""
			if iter.Key().Kind() == reflect.String {
				name = iter.Key().String()
			} else {
				var key bytes.Buffer
				bbCanonical(&key, iter.Key())
				name = key.String()
			}
			var text bytes.Buffer
			bbCanonicalString(&text, name)
			text.WriteByte(':')
			bbCanonical(&text, iter.Value())
			entries = append(entries, entry{name, text.String()})
		}
		// Keys in byte order, which is code point order for UTF-8: the order the other harnesses sort in.
		sort.Slice(entries, func(i, j int) bool {
			if entries[i].name != entries[j].name {
				return entries[i].name < entries[j].name
			}
			return entries[i].text < entries[j].text
		})
		out.WriteByte('{')
		for i, e := range entries {
			if i > 0 {
				out.WriteByte(',')
			}
			out.WriteString(e.text)
		}
		out.WriteByte('}')
	default:
		panic(bbOpaque{})
	}
}

// bbDescribe is the "result" field for what the bench function returned: a number (a bool as 0 or
// 1) as itself, nil as "none", other data by the FNV-1a 64 digest of its canonical text; nil when it
// has none (a struct, a function) or its text is over bbCanonicalCap bytes.
func bbDescribe(value any) (described map[string]any) {
	defer func() {
		if recover() != nil {
			described = nil
		}
	}()
	v := reflect.ValueOf(value)
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return map[string]any{"kind": "none"}
		}
		v = v.Elem()
	}
	number := func(n any) map[string]any { return map[string]any{"kind": "number", "value": n} }
	switch v.Kind() {
	case reflect.Invalid:
		return map[string]any{"kind": "none"}
	case reflect.Bool:
		if v.Bool() {
			return number(1)
		}
		return number(0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return number(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return number(v.Uint())
	case reflect.Float32, reflect.Float64:
		// NaN and the infinities are no JSON number: they are digested below.
		if f := v.Float(); !math.IsNaN(f) && !math.IsInf(f, 0) {
			return number(f)
		}
	}
	var text bytes.Buffer
	bbCanonical(&text, v)
	if text.Len() > bbCanonicalCap {
		return nil
	}
	return map[string]any{"kind": "digest", "value": bbFnv1a64(text.Bytes())}
}

func bbMedian(values []float64) float64 {
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func bbEnvInt(name string, fallback int64) int64 {
	value := os.Getenv(name)
	if value == "" {
		return fallback
	}
	parsed, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchbook: %s=%q is not an integer\n", name, value)
		os.Exit(2)
	}
	return parsed
}

func bbHarness[T any](f func() T) {
	resultPath := os.Getenv("BENCHBOOK_RESULT")
	if resultPath == "" {
		fmt.Fprintln(os.Stderr, "benchbook: BENCHBOOK_RESULT is not set; run this harness through benchbook")
		os.Exit(2)
	}
	repeat := bbEnvInt("BENCHBOOK_REPEAT", 5)
	warmup := bbEnvInt("BENCHBOOK_WARMUP", 1)
	minSample := time.Duration(bbEnvInt("BENCHBOOK_MIN_SAMPLE_NS", 10_000_000))

	maxSamples := bbEnvInt("BENCHBOOK_MAX_SAMPLES", 100)
	minDuration := time.Duration(bbEnvInt("BENCHBOOK_MIN_NS", 0))
	maxDuration := time.Duration(bbEnvInt("BENCHBOOK_MAX_NS", 10_000_000_000))
	fixedLoops := bbEnvInt("BENCHBOOK_LOOPS", 0)
	if repeat < 1 {
		repeat = 1
	}

	// The clock's resolution first, so the samples can be judged against it (tinybench's order).
	resolution := int64(0)
	if fixedLoops == 0 {
		resolution = bbTimerResolution()
	}
	loops := fixedLoops
	samples := []float64{}
	capped := false
	if fixedLoops != 0 {
		// With a fixed loop count the output must not vary either: printing a time would.
		for i := int64(0); i < repeat; i++ {
			bbMeasure(f, loops)
			samples = append(samples, 0)
		}
	} else {
		loops = bbCalibrate(f, minSample)
		window := repeat / 2
		if window < 2 {
			window = 2
		}
		started := time.Now()
		for {
			samples = append(samples, float64(bbMeasure(f, loops).Nanoseconds())/float64(loops))
			n := int64(len(samples))
			if n < warmup+repeat {
				continue
			}
			settled := n >= 2*window && bbMedian(samples[n-window:]) >= 0.95*bbMedian(samples[n-2*window:n-window])
			if settled && time.Since(started) >= minDuration {
				break
			}
			if n >= maxSamples || time.Since(started) >= maxDuration {
				// Capped: stopped while the samples were still getting faster.
				capped = n >= 2*window && !settled
				break
			}
		}
	}

	var returned map[string]any
	if os.Getenv("BENCHBOOK_RECORD_RESULT") == "1" {
		returned = bbDescribe(bbSink)
	}
	output := struct {
		Samples           []float64      `json:"samples"`
		Loops             int64          `json:"loops"`
		TimerResolutionNs int64          `json:"timerResolutionNs"`
		MaxRssKiB         int64          `json:"maxRssKiB"`
		Capped            bool           `json:"capped"`
		Result            map[string]any `json:"result,omitempty"`
	}{samples, loops, resolution, 0, capped, returned}
	// Encoding the result is part of this process's peak, as /usr/bin/time -v sees it (the encoder's
	// buffers are about a tenth of a small program's 2 MiB): encode once, read the peak, encode with it.
	out, err := json.Marshal(output)
	if err == nil {
		output.MaxRssKiB = bbMaxRssKiBUnlessCounting(fixedLoops)
		out, err = json.Marshal(output)
	}
	if err == nil {
		err = os.WriteFile(resultPath, out, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchbook: cannot write the result:", err)
		os.Exit(2)
	}
}

func main() {
	bbRun()
}
