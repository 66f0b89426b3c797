package expectations

import "testing"

// A placement that creates and deletes at once waits for both; a deletion
// seen going and then gone counts once.
func TestAPlacementWaitsForItsCreationsAndEachDeletionOnce(t *testing.T) {
	e := New()
	e.Expect("default/ds", 1, []string{"default/a", "default/b"})
	e.CreationObserved("default/ds")
	e.DeletionObserved("default/ds", "default/a")
	e.DeletionObserved("default/ds", "default/a") // its going, then its being gone
	if e.Satisfied("default/ds") {
		t.Fatal("satisfied with default/b still expected to go")
	}
	if adds, dels := e.Outstanding("default/ds"); adds != 0 || dels != 1 {
		t.Fatalf("outstanding %d creations and %d deletions, want 0 and 1", adds, dels)
	}
	e.DeletionObserved("default/ds", "default/b")
	if !e.Satisfied("default/ds") {
		t.Fatal("not satisfied once everything was seen")
	}
}
