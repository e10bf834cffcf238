package phrases_test

import (
	"testing"

	"github.com/halte-transit/halte/tts/phrases"
)

// BenchmarkSpeakable measures what a device spends making one feed text
// fit to hear: the first time, and each time it prepares its answers again.
func BenchmarkSpeakable(b *testing.B) {
	const text = "DETOUR IN EFFECT: Route 4 NB & SB w/ delays @ Main St (Stop #36541).\r\nSee www.mbta.com/x for details."
	b.Run("first", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			phrases.New("en", brussels, nil).Speakable(text)
		}
	})
	b.Run("again", func(b *testing.B) {
		book := phrases.New("en", brussels, nil)
		b.ReportAllocs()
		for b.Loop() {
			book.Speakable(text)
		}
	})
}
