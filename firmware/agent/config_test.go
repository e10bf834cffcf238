package agent_test

import (
	"testing"
	"time"

	"github.com/halte-transit/halte/firmware/agent"
)

// TestExampleConfig keeps the shipped example configuration valid.
func TestExampleConfig(t *testing.T) {
	c, err := agent.LoadConfig("../halte.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.StartupWait != 3*time.Second || c.Stops[0] != "200101" || c.Audio.Output != "alsa" ||
		len(c.Announce.Volume.Quiet) != 2 || c.Announce.Volume.Quiet[1].From.Hour != 23 || !c.Announce.Volume.Quiet[1].Silent {
		t.Fatalf("read %+v", c)
	}
}
