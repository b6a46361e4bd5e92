// benchbook harness for Go bench blocks.
//
// Compiled into the block's `package main` next to the block's own file and a generated entry
// file that sets bbRun to `func() { bbHarness(<fn>) }`. It calibrates a loop count so one sample
// lasts at least BENCHBOOK_MIN_SAMPLE_NS, then samples until the process is steady (the stop rule
// of harness.py), and writes {"samples": [ns per call, every sample after calibration...], "loops": n,
// "timerResolutionNs": ns, "maxRssKiB": n, "capped": bool} to the file BENCHBOOK_RESULT; maxRssKiB is
// this process's own peak (VmHWM). With BENCHBOOK_LOOPS set, that is the loop count, nothing is
// calibrated, REPEAT samples are taken and written as 0 (instruction counts need every run to do the
// same work, printing included).
// Every name starts with bb so it cannot clash with the block's own.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
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

	out, err := json.Marshal(struct {
		Samples           []float64 `json:"samples"`
		Loops             int64     `json:"loops"`
		TimerResolutionNs int64     `json:"timerResolutionNs"`
		MaxRssKiB         int64     `json:"maxRssKiB"`
		Capped            bool      `json:"capped"`
	}{samples, loops, resolution, bbMaxRssKiBUnlessCounting(fixedLoops), capped})
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
