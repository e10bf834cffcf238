package main

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// recording is s16le at the capture rate: for each announcement, silence,
// a chime of sound, the given wait, then a word of sound.
func recording(chime time.Duration, waits ...time.Duration) []byte {
	var b bytes.Buffer
	put := func(d time.Duration, v int16) {
		for range int(d * captureRate / time.Second) {
			binary.Write(&b, binary.LittleEndian, v)
		}
	}
	for _, w := range waits {
		put(2*time.Second, 0)
		put(chime, 8000)
		put(w, 0)
		put(400*time.Millisecond, -5000)
	}
	return b.Bytes()
}

func TestSpeechOnsetsAfterTheChime(t *testing.T) {
	chime := 900 * time.Millisecond
	got, err := speechOnsets(bytes.NewReader(recording(chime, 0, 120*time.Millisecond)), chime)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{chime + ringing, chime + 120*time.Millisecond}
	if len(got) != len(want) {
		t.Fatalf("found %d announcements, want %d", len(got), len(want))
	}
	for i := range want {
		if d := got[i] - want[i]; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("announcement %d: word %v after the onset, want %v", i, got[i], want[i])
		}
	}
	if _, err := speechOnsets(bytes.NewReader(recording(chime, time.Second)), chime); err == nil {
		t.Error("a word a second after the chime was taken for the same announcement")
	}
}
