package api_test

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/halte-transit/halte/api"
)

// The description validated by an OpenAPI validator (swagger-parser, npm,
// installed by scripts/test.sh into HALTE_NODE_MODULES).
func TestOpenAPIDescriptionIsValid(t *testing.T) {
	modules := os.Getenv("HALTE_NODE_MODULES")
	if modules == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("HALTE_NODE_MODULES (npm's node_modules with @apidevtools/swagger-parser) is not set; scripts/test.sh sets it")
		}
		t.Skip("HALTE_NODE_MODULES is not set")
	}
	file, err := filepath.Abs("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "-e", `require("@apidevtools/swagger-parser").validate(process.argv[1])
		.then(a => console.log("valid OpenAPI " + a.openapi + ": " + a.info.title))
		.catch(e => { console.error(e.message); process.exit(1) })`, file)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openapi.json is not valid: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(string(out)))
}

// contract checks answers against the OpenAPI description: the status is
// one the operation lists, the media type its content, and a JSON body
// satisfies its schema.
type contract struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
}

var (
	loadContract sync.Once
	theContract  *contract
)

func openAPI(t *testing.T) *contract {
	t.Helper()
	loadContract.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI))
		if err != nil {
			panic(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("openapi.json", doc); err != nil {
			panic(err)
		}
		var plain map[string]any
		json.Unmarshal(api.OpenAPI, &plain)
		theContract = &contract{doc: plain, compiler: c, schemas: map[string]*jsonschema.Schema{}}
	})
	return theContract
}

// check checks one answer to GET on path template tmpl.
func (c *contract) check(t *testing.T, tmpl string, resp *http.Response, body []byte) {
	t.Helper()
	paths, _ := c.doc["paths"].(map[string]any)
	op, ok := paths[tmpl].(map[string]any)
	if !ok {
		t.Fatalf("openapi.json has no path %s", tmpl)
	}
	responses := op["get"].(map[string]any)["responses"].(map[string]any)
	code := strconv.Itoa(resp.StatusCode)
	r, ok := responses[code].(map[string]any)
	if !ok {
		t.Fatalf("GET %s answered %s, which openapi.json does not list (body %s)", tmpl, code, body)
	}
	pointer := "#/paths/" + escape(tmpl) + "/get/responses/" + code
	if ref, ok := r["$ref"].(string); ok {
		pointer = ref
		name := strings.TrimPrefix(ref, "#/components/responses/")
		r = c.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
	}
	content, _ := r["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			t.Fatalf("GET %s %s: openapi.json says no content, the answer has %d bytes", tmpl, code, len(body))
		}
		return
	}
	media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if _, ok := content[media]; !ok {
		t.Fatalf("GET %s %s: media type %q, openapi.json lists %v", tmpl, code, media, keys(content))
	}
	if media != "application/json" {
		return
	}
	s := c.schema(t, pointer+"/content/application~1json/schema")
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("GET %s %s: not JSON: %v", tmpl, code, err)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("GET %s %s: the answer does not follow openapi.json: %v\n%s", tmpl, code, err, body)
	}
}

// eventData checks one server-sent event's data against the stream's
// x-event-data schema.
func (c *contract) eventData(t *testing.T, data []byte) {
	t.Helper()
	s := c.schema(t, "#/paths/"+escape("/v1/stops/{stop}/events")+"/get/responses/200/content/text~1event-stream/x-event-data")
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err == nil {
		err = s.Validate(v)
	}
	if err != nil {
		t.Fatalf("event data does not follow openapi.json: %v\n%s", err, data)
	}
}

func (c *contract) schema(t *testing.T, pointer string) *jsonschema.Schema {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[pointer]; ok {
		return s
	}
	s, err := c.compiler.Compile("openapi.json" + pointer)
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	c.schemas[pointer] = s
	return s
}

func escape(path string) string {
	return strings.ReplaceAll(strings.ReplaceAll(path, "~", "~0"), "/", "~1")
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
