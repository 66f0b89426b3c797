package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/glassplane/glassplane/server"
)

// The page's bundle goes out gzipped to a browser that accepts it, whole,
// and as it is to one that does not.
func TestTheBundleIsServedGzippedToBrowsersThatAcceptIt(t *testing.T) {
	t.Parallel()
	bundle := []byte(strings.Repeat("export function narrate(step) { return step.message; }\n", 4000))
	h := start(t, func(c *server.Config) {
		c.UI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write(bundle)
		})
	})
	get := func(encoding string) *http.Response {
		req, _ := http.NewRequest("GET", "http://"+h.web.Addr+"/app.0123456789.js", nil)
		req.Header.Set("Accept-Encoding", encoding) // set by hand, Go's client does not decompress
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get("gzip, deflate, br")
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("the bundle went out with Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zipped, _ := io.ReadAll(resp.Body)
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, bundle) {
		t.Fatalf("the gzipped bundle does not unzip to the bundle (%v)", err)
	}
	t.Logf("%d bytes gzipped to %d", len(bundle), len(zipped))

	resp2 := get("identity")
	defer resp2.Body.Close()
	body, _ := io.ReadAll(resp2.Body)
	if resp2.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, bundle) {
		t.Errorf("a browser that takes no gzip got Content-Encoding %q and %d bytes", resp2.Header.Get("Content-Encoding"), len(body))
	}
}
