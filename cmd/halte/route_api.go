//go:build !device

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/route"
)

// hubDocuments reads the route's stops' documents from a hub's open API
// (GET /v1/stops/{stop}), each checked as a device checks it: the signed
// form (jws) when the hub's keys are given, else the document as served.
func (f *routeFlags) hubDocuments(ctx context.Context, r route.Route, stderr io.Writer) (map[string]halte.StopState, string, error) {
	trust, err := f.trust(stderr)
	if err != nil {
		return nil, "", err
	}
	base := strings.TrimSuffix(f.hubURL, "/")
	client := &http.Client{Timeout: f.wait}
	held := newLiveStops(trust, stderr)
	for _, s := range r.Stops {
		var answer struct {
			halte.StopState
			JWS     string `json:"jws"`
			Message string `json:"message"`
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/stops/"+url.PathEscape(s.ID), nil)
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", fmt.Errorf("--hub: %w", err)
		}
		err = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		switch {
		case err != nil:
			return nil, "", fmt.Errorf("--hub: stop %s: the answer is not the API's JSON: %w", s.ID, err)
		case resp.StatusCode != http.StatusOK:
			return nil, "", fmt.Errorf("--hub: stop %s: %s: %s", s.ID, resp.Status, answer.Message)
		case answer.Version == 0:
			continue // nothing published: no disruptions
		}
		payload := []byte(answer.JWS)
		if answer.JWS == "" {
			payload, _ = json.Marshal(answer.StopState)
		}
		held.receive(s.ID, payload)
	}
	return held.snapshot(), "live, from the hub's API " + base + " at " + time.Now().Format(time.RFC3339), nil
}
