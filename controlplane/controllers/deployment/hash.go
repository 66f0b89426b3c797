package deployment

// The pod-template-hash. A Deployment names each ReplicaSet it makes after
// the template the ReplicaSet runs: "web-5d4f8c9b7" is the Deployment "web"
// plus a hash of its pod template. The same template always gives the same
// hash, so the controller can tell whether the ReplicaSet for the current
// template already exists (a rollback finds the old one again), and the hash
// is added as the label pod-template-hash to the ReplicaSet's selector and
// pods, so the ReplicaSets of one Deployment never select each other's pods.
//
// The hash is Kubernetes' own (ComputeHash in pkg/controller): FNV-32a over
// the template printed by go-spew with sorted keys, plus the Deployment's
// collisionCount when a hash ever collides, printed as a decimal and encoded
// with rand.SafeEncodeString (no vowels, so no words). Reproducing it exactly
// means a Deployment here gets the same ReplicaSet name as in a real cluster
// of the same version.

import (
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/davecgh/go-spew/spew"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/rand"
)

// PodTemplateHashLabel is the label that carries the hash.
const PodTemplateHashLabel = appsv1.DefaultDeploymentUniqueLabelKey

// ComputeHash returns the pod-template-hash of template.
func ComputeHash(template *corev1.PodTemplateSpec, collisionCount *int32) string {
	hasher := fnv.New32a()
	deepHashObject(hasher, *template)
	if collisionCount != nil {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b, uint32(*collisionCount))
		hasher.Write(b)
	}
	return rand.SafeEncodeString(fmt.Sprint(hasher.Sum32()))
}

// deepHashObject writes obj to hasher as kube's hashutil.DeepHashObject
// does: pointers followed, map keys sorted, String methods ignored.
func deepHashObject(hasher hash.Hash, obj any) {
	hasher.Reset()
	printer := spew.ConfigState{Indent: " ", SortKeys: true, DisableMethods: true, SpewKeys: true}
	printer.Fprintf(hasher, "%#v", obj)
}
