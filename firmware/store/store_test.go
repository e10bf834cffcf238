package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/firmware/store"
)

// open returns a store in a fresh folder whose consistency is checked when
// the test ends.
func open(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			t.Errorf("state file inconsistent: %v", err)
		}
		s.Close()
	})
	return s
}

func doc(version uint64, alertIDs ...string) halte.StopState {
	d := halte.StopState{Stop: "200101", Version: version, IssuedAt: time.Date(2026, 11, 29, 14, 0, 0, 0, time.UTC), Alerts: []halte.Alert{}}
	for _, id := range alertIDs {
		d.Alerts = append(d.Alerts, halte.Alert{ID: id, Version: 1, Effect: halte.Detour, Stops: []string{d.Stop}})
	}
	return d
}

func TestPutKeepsOnlyNewerVersions(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	steps := []struct {
		doc    halte.StopState
		stored bool
		want   string // alert held afterwards
	}{
		{doc(5, "a"), true, "a"},
		{doc(5, "b"), false, "a"}, // duplicate version
		{doc(4, "c"), false, "a"}, // out of order
		{doc(6, "d"), true, "d"},
	}
	for i, st := range steps {
		stored, err := s.Put(st.doc)
		if err != nil {
			t.Fatal(err)
		}
		if stored != st.stored {
			t.Fatalf("step %d: stored = %v, want %v", i, stored, st.stored)
		}
		all, err := s.All()
		if err != nil {
			t.Fatal(err)
		}
		if got := all["200101"].Alerts[0].ID; got != st.want {
			t.Fatalf("step %d: holds alert %s, want %s", i, got, st.want)
		}
	}
}

func TestReopenRestoresAndLocks(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(doc(7, "x")); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(dir); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second open: got %v, want ErrLocked", err)
	}
	s.Close()
	all, err := open(t, dir).All()
	if err != nil {
		t.Fatal(err)
	}
	if all["200101"].Version != 7 {
		t.Fatalf("restored %+v, want version 7", all["200101"])
	}
}
