// Package store keeps a stop device's state documents in one bbolt file, so
// that the device speaks its last known state after a reboot without network.
//
// Put commits a document only if its version is greater than the stored
// one, in one transaction, and returns after the commit has reached the disk
// (bbolt fsyncs every commit): the caller acknowledges the MQTT message only
// then. One process holds the file at a time.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/halte-transit/halte"
)

var stopsBucket = []byte("stops")

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("the state file is in use by another halte process")

// Store is an open state file.
type Store struct {
	db *bolt.DB
}

// Open opens or creates dir/halte.db, creating dir if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("state folder: %w", err)
	}
	path := filepath.Join(dir, "halte.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(stopsBucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close releases the file.
func (s *Store) Close() error { return s.db.Close() }

// acceptOlder breaks Put on purpose: it is set only in a build with the tag
// halte_broken_replay, with which the fault campaign shows that it catches a
// device whose state goes backwards.
var acceptOlder = false

// Put stores doc if its version is greater than the stored one for its stop,
// and reports whether it did.
func (s *Store) Put(doc halte.StopState) (bool, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return false, err
	}
	stored := false
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(stopsBucket)
		if old := b.Get([]byte(doc.Stop)); old != nil {
			var prev halte.StopState
			if err := json.Unmarshal(old, &prev); err == nil && !doc.Newer(prev) && !acceptOlder {
				return nil
			}
		}
		stored = true
		return b.Put([]byte(doc.Stop), raw)
	})
	if err != nil {
		return false, fmt.Errorf("store stop %s: %w", doc.Stop, err)
	}
	return stored, nil
}

// All returns every stored document, by stop. A record that no longer
// decodes is skipped and reported in the error, the others still returned.
func (s *Store) All() (map[string]halte.StopState, error) {
	out := map[string]halte.StopState{}
	var bad []error
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(stopsBucket).ForEach(func(k, v []byte) error {
			doc, err := halte.DecodeStopState(v)
			if err != nil {
				bad = append(bad, fmt.Errorf("stored stop %s: %w", k, err))
				return nil
			}
			out[string(k)] = doc
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, errors.Join(bad...)
}

// Check verifies the file's consistency (bbolt's own check).
func (s *Store) Check() error {
	return s.db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}
