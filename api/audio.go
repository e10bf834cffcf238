package api

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/halte-transit/halte/firmware/agent"
)

// GET /v1/stops/{stop}/audio?lang=L: the spoken sentences in one language
// as a WAV file, synthesized once per text and kept in memory.
func (s *Server) stopAudio(w http.ResponseWriter, r *http.Request) {
	h, langs, ok := s.stopAndLanguages(w, r)
	if !ok {
		return
	}
	if len(langs) != 1 {
		writeError(w, http.StatusBadRequest, "bad_parameter", "lang: the audio is in one language; name one, such as lang=nl")
		return
	}
	lang := langs[0]
	sentences := s.answer(h, langs).Spoken[lang]
	key := lang + "\x00" + strings.Join(sentences, "\x00")
	wav, err := s.audio.get(key, func() ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
		defer cancel()
		pcm, err := agent.PreviewAudio(ctx, s.cfg.Speech, sentences, lang)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		err = pcm.WriteWAV(&buf)
		return buf.Bytes(), err
	})
	if err != nil {
		s.cfg.Logger.Error("announcement not synthesized", "stop", h.doc.Stop, "lang", lang, "err", err)
		writeError(w, http.StatusServiceUnavailable, "speech_unavailable", "the announcement could not be synthesized: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "public, max-age=5")
	writeCached(w, r, wav)
}

// audioCache keeps the most recently asked announcements, synthesizing
// each text once however many ask for it at the same time.
type audioCache struct {
	kept   *lru.Cache[string, []byte]
	flight singleflight.Group
}

func newAudioCache(size int) *audioCache {
	kept, _ := lru.New[string, []byte](size) // fails only for a size below 1
	return &audioCache{kept: kept}
}

// get returns key's audio, made by synth if it is not kept.
func (c *audioCache) get(key string, synth func() ([]byte, error)) ([]byte, error) {
	if wav, ok := c.kept.Get(key); ok {
		return wav, nil
	}
	v, err, _ := c.flight.Do(key, func() (any, error) {
		wav, err := synth()
		if err == nil {
			c.kept.Add(key, wav)
		}
		return wav, err
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}
