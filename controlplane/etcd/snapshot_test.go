package etcd

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func TestASnapshotSavedFromARunningEtcdRestoresIntoANewDataDirectory(t *testing.T) {
	for _, members := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d members", members), func(t *testing.T) {
			e := startTestEtcd(t, Config{Members: members})
			// Write through the last member and save from the first, so a
			// save that does not wait for its member to catch up misses
			// writes that were already acknowledged.
			urls := e.ClientURLs()
			writer, err := clientv3.New(clientv3.Config{Endpoints: urls[len(urls)-1:]})
			if err != nil {
				t.Fatal(err)
			}
			defer writer.Close()
			for i := range 5 {
				if _, err := writer.Put(context.Background(), fmt.Sprintf("/registry/k%d", i), "v"); err != nil {
					t.Fatal(err)
				}
			}
			file := filepath.Join(t.TempDir(), "snap.db")
			if _, err := SaveSnapshot(context.Background(), e.ClientURLs(), file); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Client.Delete(context.Background(), "/registry/", clientv3.WithPrefix()); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "etcd")
			if err := RestoreSnapshot(file, dir, members); err != nil {
				t.Fatal(err)
			}
			if err := RestoreSnapshot(file, dir, members); err == nil {
				t.Error("a restore over existing data succeeded")
			}
			r, err := Start(context.Background(), Config{DataDir: dir, Members: members, Fast: true})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			resp, err := r.Client.Get(context.Background(), "/registry/", clientv3.WithPrefix(), clientv3.WithCountOnly())
			if err != nil || resp.Count != 5 {
				t.Fatalf("the restored etcd holds %d keys (%v), want 5", resp.Count, err)
			}
			if _, err := r.Client.Put(context.Background(), "/registry/after", "v"); err != nil {
				t.Errorf("the restored etcd refuses writes: %v", err)
			}
		})
	}
}
