// Package kiosk serves the stop's screen: an accessible page with the same
// sentences the speaker says, live through server-sent events and still
// working without JavaScript, a "speak" control that does what the button
// does, and the same content as JSON for app builders. Everything it needs
// is embedded; nothing is fetched from the internet.
package kiosk

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"
)

//go:embed web
var web embed.FS

var page = template.Must(template.New("").Funcs(template.FuncMap{
	"severity": func(any) string { return "" }, // replaced per request, in its language
	"light":    func(any) string { return "" },
	"pulse":    func(any) string { return "" },
}).ParseFS(web, "web/page.html"))

// Server is the screen's HTTP handler.
type Server struct {
	source Source
	mux    *http.ServeMux
	// Poll is how often a live page checks for a change; 0 means 250 ms.
	Poll time.Duration
}

// New serves what source shows.
func New(source Source) *Server {
	s := &Server{source: source, mux: http.NewServeMux()}
	static, _ := fs.Sub(web, "web")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", s.page("page"))
	s.mux.HandleFunc("GET /content", s.page("content"))
	s.mux.HandleFunc("GET /state.json", s.state)
	s.mux.HandleFunc("GET /events", s.events)
	s.mux.HandleFunc("POST /speak", s.speak)
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

type langLink struct {
	Tag, Name string
	Current   bool
}

type pageData struct {
	View  View
	L     labels
	Langs []langLink
}

func (s *Server) view(r *http.Request) View {
	return s.source.View(r.URL.Query().Get("lang"))
}

func (s *Server) page(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := s.view(r)
		l := labelsFor(v.Lang)
		data := pageData{View: v, L: l}
		for _, tag := range v.Languages {
			data.Langs = append(data.Langs, langLink{Tag: tag, Name: names[tag], Current: tag == v.Lang})
		}
		t, err := page.Clone()
		if err == nil {
			t.Funcs(template.FuncMap{"severity": l.severityLabel, "light": l.light, "pulse": l.pulse})
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			err = t.ExecuteTemplate(w, name, data)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}
}

func (s *Server) state(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(s.view(r))
}

// events tells a live page each time its view changes.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	poll := s.Poll
	if poll == 0 {
		poll = 250 * time.Millisecond
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	last, quiet := "", 0
	for {
		if d := s.view(r).digest(); d != last {
			last = d
			fmt.Fprintf(w, "event: change\ndata: %s\n\n", d)
			flusher.Flush()
		} else if quiet++; time.Duration(quiet)*poll >= 15*time.Second {
			quiet = 0
			fmt.Fprint(w, ": still here\n\n")
			flusher.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

// speak does what the physical button does; without JavaScript the browser
// comes back to the page.
func (s *Server) speak(w http.ResponseWriter, r *http.Request) {
	s.source.Speak()
	http.Redirect(w, r, "/?lang="+r.URL.Query().Get("lang"), http.StatusSeeOther)
}
