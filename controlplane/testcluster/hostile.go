package testcluster

// The hostile input corpus: manifests a careless or malicious user could send
// to the API, the playground's Apply button or the terminal's kubectl. Each
// must get a client error (4xx) saying what is wrong, in bounded time and
// memory, and leave nothing stored.
//
// The small inputs are files in controlplane/testdata/hostile, so a fuzzer can
// start from them and a reader can open them; the big ones (10,000-deep
// nesting, megabyte strings, a hundred documents) are made here, from a few
// lines of code instead of megabytes of testdata.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// HostileInput is one entry of the corpus.
type HostileInput struct {
	Name string
	Body []byte
}

// HostileInputs returns the whole corpus, files first, in a stable order.
func HostileInputs(t testing.TB) []HostileInput {
	t.Helper()
	dir, err := HostileDir()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var inputs []HostileInput
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, HostileInput{Name: e.Name(), Body: b})
	}
	sort.Slice(inputs, func(i, j int) bool { return inputs[i].Name < inputs[j].Name })
	return append(inputs, generatedHostileInputs()...)
}

// HostileDir is the directory of the corpus's files.
func HostileDir() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "controlplane", "testdata", "hostile"), nil
}

const configMapHeader = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n"

func generatedHostileInputs() []HostileInput {
	const depth = 10000
	deepJSON := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep-json"},"data":{"k":` +
		strings.Repeat(`{"a":`, depth) + `"x"` + strings.Repeat("}", depth) + "}}"
	deepYAML := fmt.Sprintf(configMapHeader, "deep-yaml") + "data:\n  k: " +
		strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
	hugeString := fmt.Sprintf(configMapHeader, "huge-string") + "data:\n  k: " + strings.Repeat("x", 4<<20) + "\n"
	hugeLabel := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge-label\n  labels:\n    big: " +
		strings.Repeat("y", 256<<10) + "\n"
	var hundred strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&hundred, "---\n"+configMapHeader+"data:\n  n: %q\n", fmt.Sprintf("Not_A_Valid_Name_%d", i), fmt.Sprint(i))
	}
	return []HostileInput{
		{Name: "deep-nesting.json", Body: []byte(deepJSON)},
		{Name: "deep-nesting.yaml", Body: []byte(deepYAML)},
		{Name: "huge-string.yaml", Body: []byte(hugeString)},
		{Name: "huge-label.yaml", Body: []byte(hugeLabel)},
		{Name: "hundred-invalid-documents.yaml", Body: []byte(hundred.String())},
	}
}
