package faults_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/internal/faults"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
	"github.com/halte-transit/halte/sign"
)

var storm = flag.Int("storm", 0, "SIGKILLs of the crash storm; 0 skips it (scripts/faults.sh --storm N sets it)")

// TestCrashStorm kills an agent with SIGKILL, again and again, while it
// commits stop documents as fast as the broker delivers them; after each
// kill its state file must open, pass bbolt's check, and hold a version
// that was published and not older than the one it held before.
func TestCrashStorm(t *testing.T) {
	if *storm == 0 {
		t.Skip("the crash storm runs with scripts/faults.sh --storm N")
	}
	testkit.RequireTool(t, "espeak-ng")
	bin := halteBinary(t)
	dir := t.TempDir()
	hubKey, _, _ := keys(t, dir)
	signer, err := sign.LoadSigner(hubKey + ".key")
	if err != nil {
		t.Fatal(err)
	}
	broker := mqtttest.Start(t)
	const stop = "200101"
	stateDir := filepath.Join(dir, "state")
	conf := filepath.Join(dir, "agent.yaml")
	agentConfig(t, conf, broker.URL, "storm", stop, stateDir, hubKey+".pub")
	agent := &proc{bin: bin, log: filepath.Join(dir, "agent.log"), args: []string{"agent", "--config", conf}}

	// The hub's part: documents for the stop, each newer, as fast as the
	// broker takes them.
	var mu sync.Mutex
	published := map[uint64]bool{}
	ctx, cancel := context.WithCancel(context.Background())
	hubLike := mqtt.NewClient(mqtt.Options{Broker: broker.URL, ClientID: "storm-hub", Logger: (&testkit.Log{}).Logger()})
	if err := mqtt.Connect(ctx, hubLike); err != nil {
		t.Fatal(err)
	}
	publishing := make(chan struct{})
	defer func() {
		cancel()
		<-publishing
		hubLike.Disconnect(100)
	}()
	go func() {
		defer close(publishing)
		base := uint64(time.Now().UnixMilli())
		for n := 0; ctx.Err() == nil; n++ {
			v := base + uint64(n) // grows; within the hour ahead of its issue time that devices accept
			doc := halte.StopState{Stop: stop, Version: v, IssuedAt: time.Now().UTC(), Alerts: []halte.Alert{{
				ID: fmt.Sprintf("a%d", n%7), Version: 1, Effect: halte.Detour, Stops: []string{stop},
				Header: halte.Text{"nl": fmt.Sprintf("Omleiding %d.", n)}}}}
			mu.Lock()
			published[v] = true
			mu.Unlock()
			if err := publishSigned(hubLike, signer, mqtt.StopTopic(stop), doc, 2*time.Second); err != nil && ctx.Err() == nil {
				t.Errorf("publish: %v", err)
				return
			}
		}
	}()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var held uint64
	checked, bad, back := 0, 0, 0
	for range *storm {
		agent.start(t)
		time.Sleep(time.Duration(50+r.IntN(400)) * time.Millisecond) // the kill's moment, drawn
		agent.kill()
		doc, err := stateOf(stateDir, stop)
		checked++
		mu.Lock()
		known := doc.Version == 0 || published[doc.Version]
		mu.Unlock()
		switch {
		case err != nil:
			bad++
			t.Errorf("after kill %d: %v", checked, err)
		case !known:
			bad++
			t.Errorf("after kill %d: the state file holds version %d, which was never published", checked, doc.Version)
		case doc.Version < held:
			back++
			t.Errorf("after kill %d: version %d, below the %d held before", checked, doc.Version, held)
		}
		held = max(held, doc.Version)
	}
	f, err := os.Open(agent.log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stored, _, err := faults.ReadLog(f)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("storm: kills %d, documents committed between them %d, state files checked %d, bad %d, went back %d\n",
		*storm, len(stored), checked, bad, back)
	if held == 0 {
		t.Errorf("the agent never committed a document between kills: the storm proved nothing")
	}
}
