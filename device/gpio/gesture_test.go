package gpio_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/device/gpio"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// play feeds the recognizer a script of "level@ms" (1 pressed, 0 released),
// sampling every millisecond up to end, and returns what came out, as
// "touch@ms", "single@ms", "double@ms" and "long@ms".
func play(script string, end int) string {
	r := gpio.NewRecognizer(gpio.Timings{})
	var out []string
	steps := strings.Fields(script)
	next, level := 0, false
	for ms := 0; ms <= end; ms++ {
		for next < len(steps) {
			var l, at int
			fmt.Sscanf(steps[next], "%d@%d", &l, &at)
			if at != ms {
				break
			}
			level = l == 1
			next++
		}
		for _, e := range r.Observe(level, t0.Add(time.Duration(ms)*time.Millisecond)) {
			name := map[halte.Gesture]string{halte.Single: "single", halte.Double: "double", halte.Long: "long"}[e.Gesture]
			if e.Touch {
				name = "touch"
			}
			out = append(out, fmt.Sprintf("%s@%d", name, ms))
		}
	}
	return strings.Join(out, " ")
}

// The defaults: debounce 30 ms, double-press gap 350 ms, long press 800 ms.
func TestGestures(t *testing.T) {
	cases := []struct {
		name, script string
		end          int
		want         string
	}{
		{"a single press", "1@0 0@100", 1000, "touch@30 single@450"},
		{"bounce is filtered", "1@0 0@5 1@10 0@12 1@15 0@200 1@205 0@210", 1000, "touch@45 single@560"},
		{"a blip shorter than the debounce is nothing", "1@0 0@20", 1000, ""},
		{"a double press", "1@0 0@100 1@300 0@400", 1000, "touch@30 touch@330 double@430"},
		{"the second press just too late: two singles", "1@0 0@100 1@450 0@550", 1500, "touch@30 single@450 touch@480 single@900"},
		{"the second press at the last moment: a double", "1@0 0@100 1@449 0@550", 1500, "touch@30 touch@479 double@580"},
		{"a long press, told while still held", "1@0 0@1200", 2000, "touch@30 long@800"},
		{"just too short for a long press", "1@0 0@799", 2000, "touch@30 single@1149"},
	}
	for _, c := range cases {
		if got := play(c.script, c.end); got != c.want {
			t.Errorf("%s:\n got  %s\n want %s", c.name, got, c.want)
		}
	}
}
