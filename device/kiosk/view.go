package kiosk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/halte-transit/halte"
)

// View is what the screen shows in one language: the same sentences the
// speaker says. It is also the JSON that app builders read at /state.json.
type View struct {
	Lang      string   `json:"lang"`
	Languages []string `json:"languages"`
	Stops     []Stop   `json:"stops"`
	// Summary is "two disruptions at this stop", or "no disruptions
	// reported", with the time of the last update.
	Summary string `json:"summary"`
	// Stale warns that the information may be out of date; "" when fresh.
	Stale      string    `json:"stale,omitempty"`
	LastUpdate time.Time `json:"last_update,omitzero"`
	// Signal is what the light shows; LastPulse when the vibration motor
	// last acknowledged a press.
	Signal    halte.Signal `json:"signal"`
	LastPulse time.Time    `json:"last_pulse,omitzero"`
}

// Stop is one stop the device speaks for.
type Stop struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Alerts []Alert `json:"alerts"`
}

// Alert is one active alert, most severe first.
type Alert struct {
	ID       string         `json:"id"`
	Severity halte.Severity `json:"severity"`
	Effect   halte.Effect   `json:"effect"`
	// Text is what the speaker says about the alert.
	Text string `json:"text"`
	// Until says when it ends ("tot vanavond 20 uur"); "" if open-ended.
	Until string `json:"until,omitempty"`
	// Also are the ids of the alerts said with this one: the same saying,
	// published once per line or by several feeds.
	Also []string `json:"also,omitempty"`
	// Original is the feed's own text when it is in none of the device's
	// languages (Text then says the alert from its structured fields).
	Original *Original `json:"original,omitempty"`
}

// Original is a text in the language the feed wrote it in.
type Original struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
}

// Source gives the screen what to show and takes the speak control's press.
type Source interface {
	View(lang string) View
	Speak()
}

// digest identifies a view's content, for telling clients it changed.
func (v View) digest() string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
