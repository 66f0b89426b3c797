package server

// Warnings: what the API server says beside a success. A request in an old
// version (the seed's apps/v1beta2) is converted and answered with a
// `Warning: 299 - "apps/v1beta2 Deployment is deprecated …"` header, which
// kubectl prints before its result. The playground acts through client-go,
// whose default is to log such headers; its clients collect them instead,
// per request, through the request's context, so each document's answer
// can carry its own.

import (
	"context"
	"sync"
)

type warningsKey struct{}

// warnings collects the Warning texts of the requests made under one context.
type warnings struct {
	mu    sync.Mutex // guards texts: client-go may call from its own goroutine
	texts []string
}

// withWarnings returns a context whose requests' warnings w collects.
func withWarnings(ctx context.Context) (context.Context, *warnings) {
	w := &warnings{}
	return context.WithValue(ctx, warningsKey{}, w), w
}

func (w *warnings) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.texts...)
}

// collectWarnings is the clients' rest.WarningHandlerWithContext.
type collectWarnings struct{}

func (collectWarnings) HandleWarningHeaderWithContext(ctx context.Context, code int, _ string, text string) {
	w, ok := ctx.Value(warningsKey{}).(*warnings)
	if !ok || code != 299 || text == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range w.texts {
		if t == text {
			return
		}
	}
	w.texts = append(w.texts, text)
}
