package agent_test

import (
	"os"
	"testing"

	"github.com/halte-transit/halte/firmware/agent"
)

// FuzzParseConfig: no YAML panics the configuration reader or its check;
// a configuration that passes the check has a device, stops and a state
// folder. Seeds: the example configuration firmware/halte.yaml.
func FuzzParseConfig(f *testing.F) {
	example, err := os.ReadFile("../halte.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte("broker: tcp://127.0.0.1:1883\ndevice: d\nstops: [a]\nstate_dir: /tmp/x\ninsecure: true\npins: {button: GPIO17}\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := agent.ParseConfig(raw, "fuzzed.yaml")
		if err != nil || c.Validate() != nil {
			return
		}
		if c.Device == "" || len(c.Stops) == 0 || c.StateDir == "" {
			t.Fatalf("a configuration without device, stops or state folder passed: %+v", c)
		}
	})
}
