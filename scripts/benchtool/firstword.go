package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/halte-transit/halte/device/audio"
)

// Capture format: what halte-sut.sh records from the paced sink's monitor,
// the same as the latency harness reads.
const (
	captureRate = 48000
	loud        = 300                    // |sample| above this is sound, as in the harness
	between     = 700 * time.Millisecond // silence that separates two announcements (the quick run waits 800 ms)
	ringing     = 5 * time.Millisecond   // the resampler's ringing after the chime's last sample
)

// firstWord measures "publish → first spoken word": for each measured
// alert, the harness's publish → first sample (the chime's onset, from its
// -v log, in order) plus, in the recording of the sink, the time from that
// onset to the first sound after the chime has ended. It prints the p50 and
// p99 of the sum, the chime's length, and the p50 of the wait after the
// chime (0 when speech follows it at once).
func firstWord(args []string) error {
	fs := flag.NewFlagSet("firstword", flag.ExitOnError)
	capture := fs.String("capture", "", "raw s16le mono 48 kHz recording of the sink (HALTE_CAPTURE of halte-sut.sh)")
	log := fs.String("log", "", "the latency harness's -v output for the same run")
	fs.Parse(args)
	lat, err := harnessLatencies(*log)
	if err != nil {
		return err
	}
	f, err := os.Open(*capture)
	if err != nil {
		return err
	}
	defer f.Close()
	chime := audio.Chime().Duration()
	toSpeech, err := speechOnsets(bufio.NewReader(f), chime)
	if err != nil {
		return err
	}
	if len(toSpeech) < len(lat) {
		return fmt.Errorf("%d announcements in the recording for %d measured alerts", len(toSpeech), len(lat))
	}
	toSpeech = toSpeech[len(toSpeech)-len(lat):] // the warm-up's come first
	var first, gaps []float64
	for i, d := range toSpeech {
		first = append(first, lat[i]+ms(d))
		gaps = append(gaps, ms(d-chime))
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"alerts":             len(first),
		"first_word_p50_ms":  rank(first, 50),
		"first_word_p99_ms":  rank(first, 99),
		"chime_ms":           ms(chime),
		"after_chime_p50_ms": rank(gaps, 50),
		"after_chime_max_ms": rank(gaps, 100),
		"chime_onset_p50_ms": rank(lat, 50),
	})
}

var (
	alertLine = regexp.MustCompile(`\balert \d+: ([0-9.]+) ms`)
	missLine  = regexp.MustCompile(`\balert \d+: MISS`)
)

// harnessLatencies reads the measured alerts' latencies, in the order they
// were published, from the harness's -v output; a miss makes the pairing
// with the recording impossible and is an error.
func harnessLatencies(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lat []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := alertLine.FindStringSubmatch(sc.Text()); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			lat = append(lat, v)
		} else if missLine.MatchString(sc.Text()) {
			return nil, errors.New("the harness missed an alert: its latencies cannot be paired with the recording")
		}
	}
	if len(lat) == 0 {
		return nil, fmt.Errorf("%s: no measured alert (was the harness run with -v?)", path)
	}
	return lat, sc.Err()
}

// speechOnsets finds each announcement in a recording (sound after at least
// `between` of silence: the chime's onset) and returns, for each, the time
// from that onset to the first sound at or after the chime's end.
func speechOnsets(r io.Reader, chime time.Duration) ([]time.Duration, error) {
	at := func(n int) time.Duration { return time.Duration(n) * time.Second / captureRate }
	var out []time.Duration
	onset, lastLoud := -1, -captureRate*int(between/time.Second+1) // as if after a long silence
	waiting := false                                               // an onset whose speech is not found yet
	var buf [2]byte
	for n := 0; ; n++ {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			if waiting {
				return nil, fmt.Errorf("the announcement at %v has no speech after its chime", at(onset))
			}
			return out, nil
		}
		v := int(int16(binary.LittleEndian.Uint16(buf[:])))
		if v <= loud && v >= -loud {
			continue
		}
		if at(n-lastLoud) >= between {
			if waiting {
				return nil, fmt.Errorf("the announcement at %v has no speech within %v after its chime", at(onset), between)
			}
			onset, waiting = n, true
		}
		lastLoud = n
		if waiting && at(n-onset) >= chime+ringing {
			out = append(out, at(n-onset))
			waiting = false
		}
	}
}

// rank is the nearest-rank percentile p of v.
func rank(v []float64, p float64) float64 { return harness{Latencies: v}.pct(p) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
