package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// keepAlive is how often an idle event stream gets a comment, so that
// proxies and browsers keep it open.
const keepAlive = 20 * time.Second

// GET /v1/stops/{stop}/events: server-sent events, one "state" event (the
// state answer) at the start and at each change of the stop's document,
// with the document's version as the event id. A client that reconnects
// with Last-Event-ID gets the current state only if it is newer.
func (s *Server) stopEvents(w http.ResponseWriter, r *http.Request) {
	first, langs, ok := s.stopAndLanguages(w, r)
	if !ok {
		return
	}
	stop := first.doc.Stop
	sent := uint64(0)
	resend := true // without Last-Event-ID the current state comes first
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_parameter", "Last-Event-ID "+strconv.Quote(v)+": want the id of an event this stream sent (a document version)")
			return
		}
		sent, resend = n, false
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flush := http.NewResponseController(w).Flush
	fmt.Fprint(w, "retry: 3000\n\n")
	flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		h, changed := s.store.stop(stop)
		if h.doc.Stop == "" {
			h = first // nothing published: the empty state
		}
		if resend || h.doc.Version > sent {
			b, _ := json.Marshal(s.answer(h, langs))
			if _, err := fmt.Fprintf(w, "id: %d\nevent: state\ndata: %s\n\n", h.doc.Version, b); err != nil {
				return
			}
			if err := flush(); err != nil {
				return
			}
			sent, resend = h.doc.Version, false
		}
		select {
		case <-changed:
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": still here\n\n"); err != nil || flush() != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}
