package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/halte-transit/halte/internal/durable"
)

// floorFile keeps the highest version the hub published, so that a restarted
// hub never publishes a lower one, even if its clock went back and the broker
// lost its retained documents.
const floorFile = "published-version"

// stopsFile keeps the stops the hub has published a document for, one a
// line, so that a restarted hub publishes again a stop whose document a
// crashed broker lost (it would otherwise not know the stop had one).
const stopsFile = "published-stops"

// readFloor returns the version stored in dir, 0 if there is none yet.
func readFloor(dir string) (uint64, error) {
	raw, err := os.ReadFile(filepath.Join(dir, floorFile))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: not a version: %w", filepath.Join(dir, floorFile), err)
	}
	return v, nil
}

// writeFloor stores v in dir atomically.
func writeFloor(dir string, v uint64) error {
	return durable.WriteFile(filepath.Join(dir, floorFile), []byte(strconv.FormatUint(v, 10)+"\n"), 0o600)
}

// readStops returns the stops stored in dir, none if there are none yet.
func readStops(dir string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, stopsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return strings.Fields(string(raw)), err
}

// writeStops stores stops in dir atomically.
func writeStops(dir string, stops []string) error {
	return durable.WriteFile(filepath.Join(dir, stopsFile), []byte(strings.Join(stops, "\n")+"\n"), 0o600)
}
