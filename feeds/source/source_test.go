package source_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/source"
)

// lines decodes a body of one alert id per line, and refuses "bad".
func lines(body []byte) ([]halte.FeedAlert, error) {
	var out []halte.FeedAlert
	for _, l := range strings.Fields(string(body)) {
		if l == "bad" {
			return nil, errors.New("not a feed")
		}
		out = append(out, halte.FeedAlert{Alert: halte.Alert{ID: l}})
	}
	return out, nil
}

func TestConditionalRequestsAndHeaders(t *testing.T) {
	var requests, conditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("Ocp-Apim-Subscription-Key") != "secret" {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte("a b"))
	}))
	defer srv.Close()
	s := &source.Source{Name: "t", Location: srv.URL, Decode: lines,
		Header: http.Header{"Ocp-Apim-Subscription-Key": {"secret"}}}
	alerts, err := s.Fetch(context.Background())
	if err != nil || len(alerts) != 2 {
		t.Fatalf("%v, %d alerts", err, len(alerts))
	}
	if _, err := s.Fetch(context.Background()); !errors.Is(err, source.ErrUnchanged) || conditional.Load() != 1 {
		t.Fatalf("second fetch: %v, %d conditional requests", err, conditional.Load())
	}
	s.Header = nil
	if _, err := s.Fetch(context.Background()); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("without the key: %v", err)
	}
}

func TestBadFeedsAreErrors(t *testing.T) {
	big := strings.Repeat("x", 50<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/500":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/slow":
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		case "/big":
			w.Write([]byte(big))
		case "/bad":
			w.Write([]byte("bad"))
		}
	}))
	defer srv.Close()
	cases := map[string]string{"/500": "500", "/slow": "unreachable", "/big": "larger than 20 MiB", "/bad": "not a feed"}
	for path, says := range cases {
		timeout := 10 * time.Second
		if path == "/slow" {
			timeout = 200 * time.Millisecond
		}
		s := &source.Source{Name: "t", Location: srv.URL + path, Decode: lines, Timeout: timeout}
		if _, err := s.Fetch(context.Background()); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: got %v, want an error saying %q", path, err, says)
		}
	}
}

func TestFileIsReadAgainAtEachPoll(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feed")
	os.WriteFile(path, []byte("a"), 0o644)
	s := &source.Source{Name: "t", Location: path, Decode: lines}
	got := make(chan []halte.FeedAlert, 10)
	failed := make(chan error, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Poll(ctx, 20*time.Millisecond, func(a []halte.FeedAlert) { got <- a }, func(err error) { failed <- err })
	if a := <-got; len(a) != 1 {
		t.Fatalf("first poll: %v", a)
	}
	os.WriteFile(path, []byte("bad"), 0o644)
	if err := <-failed; !strings.Contains(err.Error(), "not a feed") {
		t.Fatalf("bad content: %v", err)
	}
	os.WriteFile(path, []byte("a b c"), 0o644)
	select {
	case a := <-got:
		if len(a) != 3 {
			t.Fatalf("after the fix: %v", a)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the good content never came back")
	}
}
