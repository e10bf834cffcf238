package halte_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchemas loads the published JSON Schemas from schema/v1.
func compileSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const base = "https://halte.invalid/schema/v1/"
	for _, name := range []string{"alert.schema.json", "stop-state.schema.json"} {
		raw, err := os.ReadFile(filepath.Join("schema", "v1", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource(base+name, doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for kind, name := range map[string]string{"alert": "alert.schema.json", "stop": "stop-state.schema.json"} {
		s, err := c.Compile(base + name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[kind] = s
	}
	return out
}

// TestSchemaAgreesWithDecoder checks that the published schema accepts what
// the decoder accepts and refuses what it refuses, on the shared vectors.
func TestSchemaAgreesWithDecoder(t *testing.T) {
	schemas := compileSchemas(t)
	for _, v := range vectors {
		if v.schemaBlind {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			var err error
			inst, perr := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(v.payload)))
			if perr != nil {
				err = perr
			} else {
				err = schemas[v.kind].Validate(inst)
			}
			if v.reason == "" && err != nil {
				t.Fatalf("schema refuses a valid %s: %v", v.kind, err)
			}
			if v.reason != "" && err == nil {
				t.Fatalf("schema accepts a %s that the decoder refuses (%s)", v.kind, v.reason)
			}
		})
	}
}
