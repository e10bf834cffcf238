package tts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/halte-transit/halte"
)

// Engine is a speech synthesizer whose output depends only on its Key and
// the text, so that it can be cached.
type Engine interface {
	Synthesize(ctx context.Context, text, lang string, slow bool) (halte.PCM, error)
	Key(lang string, slow bool) string
}

// Cache keeps synthesized speech on disk, keyed by engine, voice, rate and
// text, so that what was synthesized when an alert arrived plays at once
// when a traveler asks, also after a reboot. It holds at most MaxBytes,
// dropping the least recently used files first. It is safe for concurrent use.
type Cache struct {
	engine   Engine
	dir      string
	maxBytes int64

	mu   sync.Mutex
	size int64
}

// OpenCache opens (or creates) a cache of engine's output in dir, bounded
// to maxBytes (0 means 64 MiB).
func OpenCache(engine Engine, dir string, maxBytes int64) (*Cache, error) {
	if maxBytes <= 0 {
		maxBytes = 64 << 20
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("audio cache: %w", err)
	}
	c := &Cache{engine: engine, dir: dir, maxBytes: maxBytes}
	files, err := c.files()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		c.size += f.size
	}
	return c, nil
}

// Key passes the engine's key through.
func (c *Cache) Key(lang string, slow bool) string { return c.engine.Key(lang, slow) }

// Synthesize returns the cached audio for text, or synthesizes and keeps it.
func (c *Cache) Synthesize(ctx context.Context, text, lang string, slow bool) (halte.PCM, error) {
	path := c.path(text, lang, slow)
	if pcm, err := readClip(path); err == nil {
		_ = touch(path)
		return pcm, nil
	}
	pcm, err := c.engine.Synthesize(ctx, text, lang, slow)
	if err != nil {
		return halte.PCM{}, err
	}
	_ = c.store(path, pcm) // best effort: speaking matters more than caching
	return pcm, nil
}

// Prepare makes sure text is cached: it synthesizes and keeps it unless it
// is cached already, and then only marks it most recently used (the clip is
// not read, so that preparing what is cached costs a device next to nothing).
func (c *Cache) Prepare(ctx context.Context, text, lang string, slow bool) error {
	path := c.path(text, lang, slow)
	if touch(path) == nil {
		return nil
	}
	pcm, err := c.engine.Synthesize(ctx, text, lang, slow)
	if err != nil {
		return err
	}
	return c.store(path, pcm)
}

// Has reports whether text is cached.
func (c *Cache) Has(text, lang string, slow bool) bool {
	_, err := os.Stat(c.path(text, lang, slow))
	return err == nil
}

func (c *Cache) path(text, lang string, slow bool) string {
	sum := sha256.Sum256([]byte(c.engine.Key(lang, slow) + "\x00" + text))
	name := hex.EncodeToString(sum[:])
	return filepath.Join(c.dir, name[:2], name+".wav")
}

// touch marks the clip at path most recently used; it fails if there is
// none.
func touch(path string) error {
	now := time.Now()
	return os.Chtimes(path, now, now)
}

func readClip(path string) (halte.PCM, error) {
	f, err := os.Open(path)
	if err != nil {
		return halte.PCM{}, err
	}
	defer f.Close()
	return halte.ReadWAV(f)
}

// store writes the clip atomically (temp file, rename), then evicts the
// least recently used files while the cache is over its bound.
func (c *Cache) store(path string, pcm halte.PCM) error {
	var buf bytes.Buffer
	if err := pcm.WriteWAV(&buf); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.size += int64(buf.Len())
	if c.size > c.maxBytes {
		return c.evictLocked()
	}
	return nil
}

type cached struct {
	path string
	size int64
	used time.Time
}

func (c *Cache) files() ([]cached, error) {
	var out []cached
	err := filepath.WalkDir(c.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".wav" {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		out = append(out, cached{path, info.Size(), info.ModTime()})
		return nil
	})
	return out, err
}

// evictLocked removes the least recently used files until the cache holds
// at most three quarters of its bound.
func (c *Cache) evictLocked() error {
	files, err := c.files()
	if err != nil {
		return err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].used.Before(files[j].used) })
	c.size = 0
	for _, f := range files {
		c.size += f.size
	}
	for _, f := range files {
		if c.size <= c.maxBytes*3/4 {
			break
		}
		if os.Remove(f.path) == nil {
			c.size -= f.size
		}
	}
	return nil
}
