// Package source fetches a feed again and again: a URL, with conditional
// requests (ETag, If-Modified-Since) and extra headers such as an API key,
// or a file, re-read at each poll. A poll that fails is reported and backed
// off from; what was last decoded stays in force until a good poll replaces
// it.
package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/halte-transit/halte"
)

// Decoder turns a feed's body into alerts.
type Decoder func(body []byte) ([]halte.FeedAlert, error)

// Source is one feed. Name and Location are required, and Decode.
type Source struct {
	// Name says where alerts come from ("gtfs-rt https://..."); it becomes
	// their Source.
	Name string
	// Location is an http(s) URL or a file path.
	Location string
	// Header is sent with every request (an API key); nil means none.
	Header http.Header
	// Decode reads a body.
	Decode Decoder
	// Timeout bounds one request; 0 means 30 s.
	Timeout time.Duration
	// MaxBytes bounds a body; 0 means 20 MiB.
	MaxBytes int64

	etag, modified string
	last           [32]byte
}

// ErrUnchanged is returned by Fetch when the feed is as it was.
var ErrUnchanged = errors.New("feed unchanged")

// IsURL reports whether the location is fetched over HTTP.
func (s *Source) IsURL() bool {
	return strings.HasPrefix(s.Location, "http://") || strings.HasPrefix(s.Location, "https://")
}

// Fetch reads and decodes the feed once. It returns ErrUnchanged when the
// server answered 304 or the body is the same as last time.
func (s *Source) Fetch(ctx context.Context) ([]halte.FeedAlert, error) {
	limit := s.MaxBytes
	if limit == 0 {
		limit = 20 << 20
	}
	var body []byte
	var err error
	if s.IsURL() {
		body, err = s.get(ctx, limit)
	} else {
		body, err = readFile(s.Location, limit)
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if sum == s.last {
		return nil, ErrUnchanged
	}
	alerts, err := s.Decode(body)
	if err != nil {
		return nil, err
	}
	s.last = sum
	return alerts, nil
}

func (s *Source) get(ctx context.Context, limit int64) ([]byte, error) {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Location, nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range s.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if s.etag != "" {
		req.Header.Set("If-None-Match", s.etag)
	}
	if s.modified != "" {
		req.Header.Set("If-Modified-Since", s.modified)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("feed unreachable: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return nil, ErrUnchanged
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("feed answered %s", resp.Status)
	}
	body, err := readLimited(resp.Body, limit)
	if err != nil {
		return nil, err
	}
	s.etag, s.modified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	return body, nil
}

func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, limit)
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("feed body: %w", err)
	}
	if n > limit {
		return nil, fmt.Errorf("feed body is larger than %d MiB", limit>>20)
	}
	return buf.Bytes(), nil
}

// Poll fetches the feed every interval until ctx ends, and hands each new
// decoded content to got and each failure to failed. After n failures in a
// row it waits interval×2ⁿ, at most 10 minutes, before trying again.
func (s *Source) Poll(ctx context.Context, interval time.Duration, got func([]halte.FeedAlert), failed func(error)) {
	failures := 0
	for {
		alerts, err := s.Fetch(ctx)
		wait := interval
		switch {
		case err == nil:
			failures = 0
			got(alerts)
		case errors.Is(err, ErrUnchanged):
			failures = 0
		case ctx.Err() != nil:
			return
		default:
			failures++
			failed(err)
			wait = min(interval<<min(failures, 10), 10*time.Minute)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
