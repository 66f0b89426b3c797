package controlplane

// Built-in users. Kubernetes keeps no user objects; Glassplane makes a few
// users at first start so lessons have someone to be:
//
//	admin  client certificate CN=admin, O=system:masters — may do anything
//	alice  bearer token — may edit in namespace default
//	bob    bearer token — may only view
//
// Their tokens are kept in users.json in the data directory, so kubeconfigs
// handed out earlier keep working after a restart.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/glassplane/glassplane/controlplane/apiserver/authn"
)

// BuiltinUsers are the users made at first start (admin uses a certificate).
var BuiltinUsers = []string{"alice", "bob"}

// LoadOrCreateUsers reads users.json from dir, making tokens on first use.
func LoadOrCreateUsers(dir string) (authn.Tokens, error) {
	p := filepath.Join(dir, "users.json")
	data, err := os.ReadFile(p)
	if err == nil {
		var users authn.Tokens
		if err := json.Unmarshal(data, &users); err != nil {
			return nil, fmt.Errorf("%s is not valid JSON: %w", p, err)
		}
		return users, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var users authn.Tokens
	for _, name := range BuiltinUsers {
		users = append(users, authn.TokenUser{Name: name, Token: newToken()})
	}
	data, _ = json.MarshalIndent(users, "", "  ")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return users, os.WriteFile(p, data, 0o600)
}

func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
