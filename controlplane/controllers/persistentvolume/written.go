package persistentvolume

// What the binder wrote. An informer delivers a write a moment after it is
// made, and the claim and volume informers each at their own pace: a sync
// started in between would see the claim without the annotation it was just
// given, or no volume where one was just created, and provision or bind a
// second time. So, as kube's PersistentVolume controller keeps its own cache
// (storeObjectUpdate), the binder remembers the objects its writes returned
// and reads whichever of its copy and the informer's is newer — by
// resourceVersion, which here is the etcd revision, a number. A copy goes
// when the informer reports the object deleted, or the binder deletes it.

import (
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
)

type written struct {
	mu      sync.Mutex // guards claims and volumes
	claims  map[string]*corev1.PersistentVolumeClaim
	volumes map[string]*corev1.PersistentVolume
}

func newWritten() *written {
	return &written{claims: map[string]*corev1.PersistentVolumeClaim{}, volumes: map[string]*corev1.PersistentVolume{}}
}

// newer reports whether resourceVersion a is after b.
func newer(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	return errA == nil && errB == nil && x > y
}

func (w *written) claimWritten(c *corev1.PersistentVolumeClaim) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.claims[c.Namespace+"/"+c.Name] = c
}

func (w *written) volumeWritten(v *corev1.PersistentVolume) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.volumes[v.Name] = v
}

func (w *written) forgetClaim(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.claims, key)
}

func (w *written) forgetVolume(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.volumes, name)
}

// claim returns the newer of cached (from the informer, nil if it has none)
// and the binder's copy of the claim key.
func (w *written) claim(key string, cached *corev1.PersistentVolumeClaim) *corev1.PersistentVolumeClaim {
	w.mu.Lock()
	defer w.mu.Unlock()
	mine, ok := w.claims[key]
	if !ok || cached != nil && (cached.UID != mine.UID || !newer(mine.ResourceVersion, cached.ResourceVersion)) {
		return cached
	}
	return mine
}

// volume is claim's counterpart for volumes.
func (w *written) volume(name string, cached *corev1.PersistentVolume) *corev1.PersistentVolume {
	w.mu.Lock()
	defer w.mu.Unlock()
	mine, ok := w.volumes[name]
	if !ok || cached != nil && (cached.UID != mine.UID || !newer(mine.ResourceVersion, cached.ResourceVersion)) {
		return cached
	}
	return mine
}

// allVolumes merges the informer's volumes with the binder's newer copies
// and the volumes it made that the informer has not delivered yet.
func (w *written) allVolumes(cached []*corev1.PersistentVolume) []*corev1.PersistentVolume {
	out := make([]*corev1.PersistentVolume, 0, len(cached))
	seen := map[string]bool{}
	for _, v := range cached {
		out = append(out, w.volume(v.Name, v))
		seen[v.Name] = true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for name, v := range w.volumes {
		if !seen[name] {
			out = append(out, v)
		}
	}
	return out
}
