package controlplane_test

import (
	"testing"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// TestMain removes the glassplane binary the tests built once they end.
func TestMain(m *testing.M) { testcluster.Main(m) }
