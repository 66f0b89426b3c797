package server

// Lesson progress in etcd. The lesson engine writes each sandbox's place in
// each lesson through to a key under the sandbox's own prefix,
// /sandboxes/ID/lessons/LESSON, written with the sandbox's lease: it
// survives a restart with the sandbox, expires with it, and goes with it on
// delete (which removes the whole prefix).

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/glassplane/glassplane/lessons"
)

// progressStore keeps lessons.Saved in the sandboxes' etcd.
type progressStore struct{ sandboxes *Sandboxes }

func progressKey(sandbox, lesson string) string {
	return "/sandboxes/" + sandbox + "/lessons/" + lesson
}

func (p progressStore) Save(ctx context.Context, sandbox, lesson string, s lessons.Saved) error {
	sb, ok := p.sandboxes.Get(sandbox)
	if !ok {
		return fmt.Errorf("there is no sandbox %q", sandbox)
	}
	v, err := json.Marshal(s)
	if err != nil {
		return err
	}
	// Under the sandbox's lease, and only while this replica owns it.
	return sb.Cluster.Store.PutGuarded(ctx, progressKey(sandbox, lesson), string(v))
}

func (p progressStore) Load(ctx context.Context, sandbox, lesson string) (lessons.Saved, bool, error) {
	resp, err := p.sandboxes.etcd.Client.Get(ctx, progressKey(sandbox, lesson))
	if err != nil || len(resp.Kvs) == 0 {
		return lessons.Saved{}, false, err
	}
	var s lessons.Saved
	if err := json.Unmarshal(resp.Kvs[0].Value, &s); err != nil {
		return lessons.Saved{}, false, fmt.Errorf("the saved progress of %s in %s: %w", sandbox, lesson, err)
	}
	return s, true, nil
}
