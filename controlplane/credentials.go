package controlplane

// A cluster's identity is four files in its data directory: the CA that
// signs its serving and client certificates (pki/ca.crt, pki/ca.key), the
// key that signs its service account tokens (pki/sa.key) and the built-in
// users' tokens (users.json). A kubeconfig handed out once holds the CA and
// a token, so every API server of the cluster must have the same four.
//
// On one machine the files are enough. When several Glassplane replicas
// share an etcd, a sandbox may be started on any of them, today on one and
// after a failover on another. Its identity is then kept in etcd too, under
// Config.CredentialsKey, and made exactly once: the first server to start
// the sandbox writes its files there in a transaction that succeeds only if
// the key is absent; every later start, here or elsewhere, writes etcd's
// copy over its own files before reading them. Kubernetes keeps its secrets
// in etcd the same way: whoever can read etcd owns the cluster anyway.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/glassplane/glassplane/controlplane/apiserver/authn"
	"github.com/glassplane/glassplane/controlplane/pki"
)

// credentialFiles are the files, relative to the data directory, that make
// a cluster's identity.
var credentialFiles = []string{"pki/ca.crt", "pki/ca.key", "pki/sa.key", "users.json"}

// shareCredentials makes dataDir's credentials those kept in etcd under key,
// creating both on the first start anywhere. The key is written with lease,
// so it goes with the sandbox.
func shareCredentials(ctx context.Context, cli *clientv3.Client, key string, lease clientv3.LeaseID, dataDir string) error {
	resp, err := cli.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("reading the shared credentials: %w", err)
	}
	if len(resp.Kvs) > 0 {
		return writeCredentials(dataDir, resp.Kvs[0].Value)
	}
	if err := createCredentials(dataDir); err != nil {
		return err
	}
	files := map[string][]byte{}
	for _, f := range credentialFiles {
		if files[f], err = os.ReadFile(filepath.Join(dataDir, f)); err != nil {
			return err
		}
	}
	value, _ := json.Marshal(files)
	var opts []clientv3.OpOption
	if lease != 0 {
		opts = append(opts, clientv3.WithLease(lease))
	}
	txn, err := cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(value), opts...)).Else(clientv3.OpGet(key)).Commit()
	if err != nil {
		return fmt.Errorf("storing the shared credentials: %w", err)
	}
	if txn.Succeeded {
		return nil
	}
	// Another server started the same cluster at the same moment and wrote
	// first: its credentials are the cluster's.
	kvs := txn.Responses[0].GetResponseRange().Kvs
	if len(kvs) == 0 {
		return errors.New("the shared credentials vanished while being stored (the sandbox was deleted)")
	}
	return writeCredentials(dataDir, kvs[0].Value)
}

// createCredentials makes whichever of the files dataDir lacks.
func createCredentials(dataDir string) error {
	if _, err := pki.LoadOrCreateCA(filepath.Join(dataDir, "pki")); err != nil {
		return err
	}
	if _, err := authn.LoadOrCreateServiceAccountKey(filepath.Join(dataDir, "pki", "sa.key")); err != nil {
		return err
	}
	_, err := LoadOrCreateUsers(dataDir)
	return err
}

// writeCredentials writes the files of a stored value into dataDir.
func writeCredentials(dataDir string, value []byte) error {
	var files map[string][]byte
	if err := json.Unmarshal(value, &files); err != nil {
		return fmt.Errorf("the shared credentials in etcd are unreadable: %w", err)
	}
	for _, f := range credentialFiles {
		data, ok := files[f]
		if !ok {
			return fmt.Errorf("the shared credentials in etcd lack %s", f)
		}
		p := filepath.Join(dataDir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
