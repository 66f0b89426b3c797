package admission

// Defaulting fills in the fields the user left out with Kubernetes' defaults
// (replicas 1, RollingUpdate 25%/25%, restartPolicy Always …). In kube-apiserver
// this happens while decoding; Glassplane runs it as an admission plugin so
// the learner sees exactly what was added, as a patch.

import (
	"context"

	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
)

// Defaulting applies the defaults of package defaults.
type Defaulting struct{}

func (Defaulting) Name() string   { return "Defaulting" }
func (Defaulting) Mutating() bool { return true }

func (Defaulting) Admit(_ context.Context, a *Attributes) error {
	defaults.Default(a.Object)
	return nil
}
