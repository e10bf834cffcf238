// Package tts turns announcement text into audio. Espeak runs espeak-ng as a
// subprocess: the text goes on its standard input, never through a shell or
// its argument list, and the WAVE it writes on standard output is read back.
package tts

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/halte-transit/halte"
)

// Espeak synthesizes speech with the espeak-ng program. The zero value
// speaks at 150 words a minute, 115 when asked to be slow, with the
// espeak-ng found on $PATH.
type Espeak struct {
	// Binary is the program to run; "" means "espeak-ng" on $PATH.
	Binary string
	// Rate is the speed in words per minute; 0 means 150 (espeak-ng's
	// default of 175 is too fast for announcements).
	Rate int
	// SlowRate is the speed of "again, slower"; 0 means 115.
	SlowRate int
}

// rate is the speed for a normal or a slow request.
func (e Espeak) rate(slow bool) int {
	switch {
	case slow && e.SlowRate > 0:
		return e.SlowRate
	case slow:
		return 115
	case e.Rate > 0:
		return e.Rate
	}
	return 150
}

// Key names the voice that speaks lang at this speed, for the audio cache.
func (e Espeak) Key(lang string, slow bool) string {
	return fmt.Sprintf("espeak-ng/%s/%d/from-sound", Voice(lang), e.rate(slow))
}

// voices maps halte's languages to espeak-ng voices.
var voices = map[string]string{"nl": "nl", "fr": "fr-be", "en": "en", "de": "de"}

// Voice returns the espeak-ng voice for a language tag ("nl-BE" → "nl").
func Voice(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if v, ok := voices[base]; ok {
		return v
	}
	return base
}

// Synthesize speaks text in lang, slowly if asked, and returns the audio.
func (e Espeak) Synthesize(ctx context.Context, text, lang string, slow bool) (halte.PCM, error) {
	bin := e.Binary
	if bin == "" {
		bin = "espeak-ng"
	}
	cmd := exec.CommandContext(ctx, bin, "-v", Voice(lang), "-s", strconv.Itoa(e.rate(slow)), "--stdout")
	cmd.Stdin = strings.NewReader(text)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return halte.PCM{}, fmt.Errorf("espeak-ng: %v: %s", err, strings.TrimSpace(errOut.String()))
	}
	pcm, err := halte.ReadWAV(&out)
	if err != nil {
		return halte.PCM{}, fmt.Errorf("espeak-ng output: %w", err)
	}
	if len(pcm.Samples) == 0 {
		return halte.PCM{}, fmt.Errorf("espeak-ng made no audio for voice %q", Voice(lang))
	}
	return pcm.FromSound(100, 5*time.Millisecond), nil // no wait before the first word
}
