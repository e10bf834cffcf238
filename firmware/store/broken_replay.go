//go:build halte_broken_replay

package store

// A deliberately broken build for scripts/faults.sh --broken: it stores a
// replayed older document over a newer one.
func init() { acceptOlder = true }
