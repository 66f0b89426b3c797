package openapi_test

import (
	"testing"

	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/apiserver/openapi"
)

// BenchmarkNew is what a start pays for OpenAPI: the v2 schemas and the type
// converter server-side apply needs. BenchmarkNewAndWarm adds what the first
// reader of /openapi (or Warm, in the background) pays: the encoded
// documents. Their ratio is the part of a first start the lazy encoding saves.
func BenchmarkNew(b *testing.B) {
	resources := apiserver.OpenAPIResources()
	for b.Loop() {
		if _, err := openapi.New(resources); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewAndWarm(b *testing.B) {
	resources := apiserver.OpenAPIResources()
	for b.Loop() {
		s, err := openapi.New(resources)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Warm(); err != nil {
			b.Fatal(err)
		}
	}
}
