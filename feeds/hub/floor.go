package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// floorFile keeps the highest version the hub published, so that a restarted
// hub never publishes a lower one, even if its clock went back and the broker
// lost its retained documents.
const floorFile = "published-version"

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

// writeFloor stores v in dir atomically: a crash leaves the old or the new
// value, never a torn one.
func writeFloor(dir string, v uint64) error {
	tmp, err := os.CreateTemp(dir, floorFile+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(strconv.FormatUint(v, 10) + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, floorFile))
}
