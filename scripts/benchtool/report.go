package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// harness is what ../shared/bench's latency harness writes for a system.
type harness struct {
	Label     string    `json:"label"`
	Alerts    int       `json:"alerts"`
	Misses    int       `json:"misses"`
	Latencies []float64 `json:"latencies_ms"`
	IdleRSS   float64   `json:"idle_rss_mb"`
	IdleCPU   float64   `json:"idle_cpu_pct"`
}

func (h harness) pct(p float64) float64 {
	if len(h.Latencies) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), h.Latencies...)
	sort.Float64s(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1 // nearest rank
	return s[max(0, min(i, len(s)-1))]
}

// report writes report.md and latency.png in dir from the JSON files that
// scripts/bench.sh left there, and prints the table: a row for each figure
// measured (bench.sh --region measures only the fleets).
func report(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	dir := fs.String("dir", "results/bench", "the results folder")
	fs.Parse(args)
	load := func(name string, v any) bool {
		raw, err := os.ReadFile(filepath.Join(*dir, name))
		return err == nil && json.Unmarshal(raw, v) == nil
	}
	systems := []string{"halte", "pipeline", "python_paho", "nodered"}
	runs := map[string]harness{}
	for _, s := range systems {
		var h harness
		if load(s+".json", &h) {
			runs[s] = h
		}
	}
	var word, button, cold, hubFig, idleFig, fleetFig, natsFig, size map[string]any
	load("firstword.json", &word)
	load("button.json", &button)
	load("coldstart.json", &cold)
	load("hub.json", &hubFig)
	load("idle.json", &idleFig)
	load("fleet.json", &fleetFig)
	load("fleet-nats.json", &natsFig)
	load("size.json", &size)

	var b strings.Builder
	f := decimal
	h, pipe := runs["halte"], runs["pipeline"]
	ratio := h.pct(50) / pipe.pct(50)
	fmt.Fprintln(&b, "| figure | halte | pipeline | python paho | Node-RED | ratio | goal |")
	fmt.Fprintln(&b, "| --- | --- | --- | --- | --- | --- | --- |")
	lat := func(r harness) string {
		if len(r.Latencies) == 0 {
			return "–"
		}
		return fmt.Sprintf("%s / %s / %s ms, %d of %d missed", f(r.pct(50)), f(r.pct(90)), f(r.pct(99)), r.Misses, r.Alerts)
	}
	measured := len(runs) > 0
	if measured {
		fmt.Fprintf(&b, "| 1. publish → first audio sample, p50 / p90 / p99 | %s | %s | %s | %s | p50 %.2f× | p50 ≤ 1.1× pipeline, p99 ≤ 250 ms |\n",
			lat(h), lat(pipe), lat(runs["python_paho"]), lat(runs["nodered"]), ratio)
	}
	chime := num(word, "chime_ms")
	if word != nil {
		fmt.Fprintf(&b, "| 1b. publish → first spoken word (after the chime), p50 / p99 | %s / %s ms (chime %s ms, then %s ms to the word, p50) | | | | first word − chime: %.2f× pipeline | p50 ≤ chime + 1.1× pipeline p50 = %s ms |\n",
			f(num(word, "first_word_p50_ms")), f(num(word, "first_word_p99_ms")), f(chime), f(num(word, "after_chime_p50_ms")),
			(num(word, "first_word_p50_ms")-chime)/pipe.pct(50), f(chime+1.1*pipe.pct(50)))
	}
	if button != nil {
		fmt.Fprintf(&b, "| 2. button → first audio sample, p50 / p99: cached; not cached | %s / %s ms; %s / %s ms | | | | | ≤ 50 ms; ≤ 150 ms |\n",
			f(num(button, "hit_p50_ms")), f(num(button, "hit_p99_ms")), f(num(button, "miss_p50_ms")), f(num(button, "miss_p99_ms")))
	}
	idleCell := func(r harness) string {
		if r.Label == "" {
			return "–"
		}
		return fmt.Sprintf("%s MB, %s %% (harness idle)", f(r.IdleRSS), f(r.IdleCPU))
	}
	if idleFig != nil {
		fmt.Fprintf(&b, "| 3. idle footprint, RSS and CPU | %s MB, %s %% (agent, device build, 100 alerts, %s s; %s MB of it pages of the binary and libraries) | %s | %s | %s | RSS %.2f of Node-RED's | ≤ 20 MB (≤ 1/5 of Node-RED), ≤ 0.5 %% |\n",
			f(num(idleFig, "idle_rss_mb")), f(num(idleFig, "idle_cpu_pct")), f(num(idleFig, "seconds")), f(num(idleFig, "idle_rss_file_mb")),
			idleCell(pipe), idleCell(runs["python_paho"]), idleCell(runs["nodered"]), num(idleFig, "idle_rss_mb")/runs["nodered"].IdleRSS)
	}
	if hubFig != nil {
		fmt.Fprintf(&b, "| 4. hub, 35,000 stops: network-wide; one line | %s ms; %s ms | | | | | ≤ 5000 ms; ≤ 100 ms |\n",
			f(num(hubFig, "network_wide_ms")), f(num(hubFig, "one_line_ms")))
	}
	if fleetFig != nil {
		fmt.Fprintf(&b, "| 5. fleet: agents; a line's alert p50 / p99; all agents have a network-wide alert | %v agents (processes: %v; Mosquitto brokers, bridged: %v; limit: %v); %s | | | | | up to 35,000 |\n",
			fleetFig["agents"], fleetFig["processes"], fleetFig["brokers"], fleetFig["limit"], delivery(fleetFig))
	}
	if natsFig != nil {
		fmt.Fprintf(&b, "| 5b. the same on a 3-node NATS cluster; all agents have an alert sent as a node is killed | %v agents (nats-server %v, session %v; nodes %s MB RSS, %s CPU-s to take the fleet; limit: %v); %s; %s (%s; stop documents the broker lost: %v; subscriptions made again after a silence: %v) | | | | | |\n",
			natsFig["agents"], natsFig["nats_server"], natsFig["session"], f(num(natsFig, "broker_rss_mb")), f(num(natsFig, "broker_start_cpu_s")), natsFig["limit"], delivery(natsFig),
			received(natsFig, "node_lost"), nodeKilled(natsFig), natsFig["hub_documents_lost"], natsFig["agents_silences"])
	}
	if cold != nil {
		fmt.Fprintf(&b, "| 6. cold start to a press answered, no broker, p50 | %s ms | | | | | ≤ 100 ms |\n", f(num(cold, "p50_ms")))
	}
	if size != nil {
		fmt.Fprintf(&b, "| 7. binary size, linux/arm64 | %v | | | | | |\n", size["arm64"])
	}
	if measured {
		fmt.Fprintf(&b, "\npublish-to-audio p50 ratio vs pipeline: %.2f\n", ratio)
		fmt.Fprintf(&b, "publish-to-first-word p50 ms: %s (chime %s ms, pipeline %s ms)\n", f(num(word, "first_word_p50_ms")), f(chime), f(pipe.pct(50)))
	}
	if err := os.WriteFile(filepath.Join(*dir, "report.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Print(b.String())
	if !measured {
		return nil
	}
	return picture(filepath.Join(*dir, "latency.png"), systems, runs)
}

// picture draws each system's latencies as dots on one scale, with its
// median marked: halte beside the baselines.
func picture(path string, systems []string, runs map[string]harness) error {
	const w, rowH, left, top = 900, 60, 130, 40
	img := image.NewRGBA(image.Rect(0, 0, w, top+rowH*len(systems)+40))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	hi := 10.0
	for _, r := range runs {
		for _, v := range r.Latencies {
			hi = math.Max(hi, v)
		}
	}
	hi = math.Ceil(hi/10) * 10
	x := func(v float64) int { return left + int(v/hi*float64(w-left-20)) }
	text := func(s string, px, py int) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13, Dot: fixed.P(px, py)}
		d.DrawString(s)
	}
	text("publish -> first audio sample (ms); dots: alerts, bar: median", left, 20)
	for i, s := range systems {
		y := top + i*rowH + rowH/2
		text(s, 10, y+4)
		r := runs[s]
		for _, v := range r.Latencies {
			for dx := -2; dx <= 2; dx++ {
				for dy := -2; dy <= 2; dy++ {
					img.Set(x(v)+dx, y+dy, color.RGBA{0, 0, 160, 255})
				}
			}
		}
		if len(r.Latencies) > 0 {
			for dy := -12; dy <= 12; dy++ {
				img.Set(x(r.pct(50)), y+dy, color.Black)
			}
		}
	}
	axis := top + rowH*len(systems) + 5
	for px := left; px < w-20; px++ {
		img.Set(px, axis, color.Black)
	}
	for v := 0.0; v <= hi; v += hi / 5 {
		text(fmt.Sprintf("%.0f", v), x(v)-6, axis+16)
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	return png.Encode(out, img)
}

// delivery is a fleet's line alert p50 / p99 and the time until every agent
// had the network-wide alert.
func delivery(fig map[string]any) string {
	return fmt.Sprintf("%s / %s ms; %s", decimal(num(fig, "line_p50_ms")), decimal(num(fig, "line_p99_ms")), received(fig, "wide"))
}

// nodeKilled says when the fleet's node was killed, and how many agents
// held the alert then.
func nodeKilled(fig map[string]any) string {
	if fig["node_killed"] != true {
		return "no node was killed"
	}
	return fmt.Sprintf("node 1 killed %s s after the alert, %.0f agents holding it", decimal(num(fig, "node_killed_after_s")), num(fig, "node_killed_holding"))
}

// received says how long until every agent had the alert measured under
// prefix, or how many had it within that time.
func received(fig map[string]any, prefix string) string {
	all := decimal(num(fig, prefix+"_all_ms")) + " ms"
	if got, agents := num(fig, prefix+"_received"), num(fig, "agents"); got < agents {
		return fmt.Sprintf("%.0f of %.0f within %s (p50 %s ms)", got, agents, all, decimal(num(fig, prefix+"_p50_ms")))
	}
	return all
}

// num is a figure of a benchmark's JSON, NaN when it is missing.
func num(m map[string]any, k string) float64 {
	if v, ok := m[k].(float64); ok {
		return v
	}
	return math.NaN()
}

// decimal writes a figure with one decimal, "–" when it is missing.
func decimal(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.1f", v)
}
