// Package web serves Glassplane's browser app, which is built from the
// TypeScript in this folder (`make web`, or `npm run build` here) into dist/
// and embedded in the binary.
//
// The app is a single page: any path that is not a file of the bundle gets
// index.html, so a shared link like /?sandbox=x#step=42 always opens the app.
// Files whose names carry a content hash (app.<hash>.js) never change, so
// browsers may keep them for a year; index.html is revalidated every time so
// a new build is picked up at once. Until the bundle is built, the handler
// serves a short page that says how to build it, so `go build` works on a
// fresh clone.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// hashed matches the names of content-addressed assets (app.1f3a9c0b2e.js).
var hashed = regexp.MustCompile(`\.[0-9a-f]{10}\.(js|css)$`)

// Handler serves the browser app from the embedded bundle.
func Handler() http.Handler {
	root, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed directive guarantees dist exists
	}
	return handler(root)
}

func handler(root fs.FS) http.Handler {
	files := http.FileServerFS(root)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name != "" && name != "index.html" && isFile(root, name) {
			if hashed.MatchString(name) {
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				w.Header().Set("Cache-Control", "no-cache")
			}
			files.ServeHTTP(w, r)
			return
		}
		if path.Ext(name) != "" && name != "index.html" {
			http.NotFound(w, r) // a missing asset is an error, not the app
			return
		}
		serveIndex(w, r, root)
	})
}

func isFile(root fs.FS, name string) bool {
	st, err := fs.Stat(root, name)
	return err == nil && !st.IsDir()
}

func serveIndex(w http.ResponseWriter, r *http.Request, root fs.FS) {
	page, err := fs.ReadFile(root, "index.html")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	if err != nil {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(notBuilt))
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(page)
}

const notBuilt = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Glassplane</title></head>
<body style="font:18px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto">
<h1>Glassplane</h1>
<p>The browser app has not been built into this binary. Run <code>make web</code> (it needs Node.js 20 or newer),
then build Glassplane again.</p>
<p>The Kubernetes API and <code>glassplane kubectl</code> work without it.</p></body></html>`
