package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// handle registers h at pattern behind what every endpoint shares: GET and
// HEAD only (OPTIONS answers a browser's CORS preflight), CORS for every
// origin, the API key, the client's rate limit and the request count.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		client := "anonymous"
		defer func() { s.count.WithLabelValues(pattern, strconv.Itoa(sw.code), client).Inc() }()
		hdr := w.Header()
		hdr.Set("Access-Control-Allow-Origin", "*")
		hdr.Set("Access-Control-Expose-Headers", "ETag, Link, Retry-After")
		switch r.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodOptions:
			hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			hdr.Set("Access-Control-Allow-Headers", "If-None-Match, Last-Event-ID, X-API-Key")
			hdr.Set("Access-Control-Max-Age", "86400")
			sw.WriteHeader(http.StatusNoContent)
			return
		default:
			hdr.Set("Allow", "GET, HEAD, OPTIONS")
			writeError(sw, http.StatusMethodNotAllowed, "method_not_allowed", "the API is read-only: "+r.Method+" is not allowed, use GET")
			return
		}
		key := r.Header.Get("X-API-Key")
		if key == "" {
			key = r.URL.Query().Get("key")
		}
		limitBy := clientAddress(r)
		if key != "" {
			name, ok := s.cfg.Keys[key]
			if !ok {
				writeError(sw, http.StatusUnauthorized, "unknown_key", "this API key is not known; leave it out for anonymous access")
				return
			}
			client, limitBy = name, "key "+name
		}
		if wait, ok := s.clients.allow(limitBy, s.cfg.Now()); !ok {
			hdr.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeError(sw, http.StatusTooManyRequests, "rate_limited",
				"too many requests from this client; retry after "+strconv.Itoa(int(math.Ceil(wait.Seconds())))+" s")
			return
		}
		h(sw, r)
	})
}

// clientAddress is the request's remote address without its port.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// statusWriter remembers the status written, for the request count.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (server-sent
// events flush through it).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// apiError is the body of every error answer.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError answers with status and a JSON error: a code for programs and a
// message for people.
func writeError(w http.ResponseWriter, status int, code, message string) {
	b, _ := json.Marshal(apiError{Code: code, Message: message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writeJSON answers with v as JSON, cached for maxAge.
func writeJSON(w http.ResponseWriter, r *http.Request, v any, maxAge time.Duration) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the answer could not be encoded: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge.Seconds())))
	writeCached(w, r, buf.Bytes())
}

// writeCached answers with body and its ETag, or with 304 Not Modified when
// the request's If-None-Match names that ETag.
func writeCached(w http.ResponseWriter, r *http.Request, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Add("Vary", "Accept-Encoding")
	for _, tag := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/"); tag == etag || tag == "*" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// limiter holds a token bucket per client; buckets idle for ten minutes
// are forgotten.
type limiter struct {
	every rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(every rate.Limit, burst int) *limiter {
	return &limiter{every: every, burst: burst, buckets: map[string]*bucket{}}
}

// allow takes a token from client's bucket at now; when there is none, it
// says how long until there is.
func (l *limiter) allow(client string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for c, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, c)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[client]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[client] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if delay := res.DelayFrom(now); delay > 0 {
		res.CancelAt(now)
		return delay, false
	}
	return 0, true
}
