package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

func TestHandlerServesTheAppForAnyPageAndLongCachesHashedAssets(t *testing.T) {
	built := fstest.MapFS{
		"index.html":         {Data: []byte(`<!doctype html><script src="app.0123456789.js"></script>`)},
		"app.0123456789.js":  {Data: []byte("console.log(1)")},
		"app.js":             {Data: []byte("console.log(1)")},
		"app.abcdef0123.css": {Data: []byte("body{}")},
		".gitkeep":           {Data: nil},
	}
	h := handler(built)
	tests := []struct {
		name, path, wantBody, wantCache string
		wantCode                        int
	}{
		{"root is the app", "/", "app.0123456789.js", "no-cache", 200},
		{"an unknown page is the app", "/lessons/first?sandbox=x", "app.0123456789.js", "no-cache", 200},
		{"a hashed script is cached for a year", "/app.0123456789.js", "console.log(1)", "immutable", 200},
		{"a hashed stylesheet is cached for a year", "/app.abcdef0123.css", "body{}", "immutable", 200},
		{"an unhashed asset is revalidated", "/app.js", "console.log(1)", "no-cache", 200},
		{"a missing asset is not found", "/app.9999999999.js", "", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, tt.path)
			if rec.Code != tt.wantCode {
				t.Fatalf("GET %s: code %d, want %d", tt.path, rec.Code, tt.wantCode)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("GET %s: body %q does not contain %q", tt.path, rec.Body.String(), tt.wantBody)
			}
			if !strings.Contains(rec.Header().Get("Cache-Control"), tt.wantCache) {
				t.Errorf("GET %s: Cache-Control %q, want %q", tt.path, rec.Header().Get("Cache-Control"), tt.wantCache)
			}
		})
	}
}

func TestHandlerSaysHowToBuildTheAppBeforeItIsBuilt(t *testing.T) {
	h := handler(fstest.MapFS{".gitkeep": {Data: nil}})
	rec := get(t, h, "/")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "make web") {
		t.Fatalf("GET / on an unbuilt bundle: %d %q, want a page that says to run make web", rec.Code, rec.Body.String())
	}
}

func TestEmbeddedHandlerServesSomething(t *testing.T) {
	rec := get(t, Handler(), "/")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Glassplane") {
		t.Fatalf("GET /: %d %q", rec.Code, rec.Body.String())
	}
}
