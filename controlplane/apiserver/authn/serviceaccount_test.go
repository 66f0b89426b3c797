package authn

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestServiceAccountTokens(t *testing.T) {
	dir := t.TempDir()
	key, err := LoadOrCreateServiceAccountKey(filepath.Join(dir, "pki", "sa.key"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateServiceAccountKey(filepath.Join(dir, "pki", "sa.key"))
	if err != nil || !again.Equal(key) {
		t.Fatalf("the key is not kept across restarts: %v", err)
	}
	other, _ := LoadOrCreateServiceAccountKey(filepath.Join(t.TempDir(), "sa.key"))
	builder := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "builder", Namespace: "ci", UID: "uid-1"}}
	stored := map[string]*corev1.ServiceAccount{"ci/builder": builder}
	get := func(_ context.Context, ns, name string) (*corev1.ServiceAccount, error) {
		if sa, ok := stored[ns+"/"+name]; ok {
			return sa, nil
		}
		return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "serviceaccounts"}, name)
	}
	tokens := NewServiceAccountTokens(key, get)
	issue := func(ts *ServiceAccountTokens, sa *corev1.ServiceAccount, aud []string, ttl time.Duration) string {
		tok, _, err := ts.Issue(sa, aud, ttl, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	recreated := builder.DeepCopy()
	recreated.UID = "uid-2"

	for _, tc := range []struct {
		name    string
		token   string
		want    string // user name; "" means not authenticated
		errPart string // "" means no error
	}{
		{"a fresh token is its ServiceAccount", issue(tokens, builder, nil, time.Hour), "system:serviceaccount:ci:builder", ""},
		{"an expired token is refused", issue(tokens, builder, nil, -time.Minute), "", "expired"},
		{"a token signed with another key is refused", issue(NewServiceAccountTokens(other, get), builder, nil, time.Hour), "", "signature"},
		{"a token for another audience is refused", issue(tokens, builder, []string{"vault"}, time.Hour), "", "audience"},
		{"a token of a ServiceAccount recreated since is refused", issue(tokens, recreated, nil, time.Hour), "", "does not match"},
		{"a static token is not ours", "0123456789abcdef", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "/api", nil)
			r.Header.Set("Authorization", "Bearer "+tc.token)
			u, ok, err := tokens.AuthenticateRequest(r)
			switch {
			case tc.errPart != "" && (err == nil || !strings.Contains(err.Error(), tc.errPart)):
				t.Fatalf("error %v, want one mentioning %q", err, tc.errPart)
			case tc.errPart == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.want == "" && ok:
				t.Fatalf("authenticated as %v", u.GetName())
			case tc.want != "" && (!ok || u.GetName() != tc.want):
				t.Fatalf("got %v %v, want %s", u, ok, tc.want)
			}
			if tc.want != "" && strings.Join(u.GetGroups(), ",") != "system:serviceaccounts,system:serviceaccounts:ci" {
				t.Errorf("groups %v", u.GetGroups())
			}
		})
	}

	delete(stored, "ci/builder")
	r, _ := http.NewRequest("GET", "/api", nil)
	r.Header.Set("Authorization", "Bearer "+issue(tokens, builder, nil, time.Hour))
	if _, ok, err := tokens.AuthenticateRequest(r); ok || err == nil {
		t.Errorf("a token outlived its deleted ServiceAccount: ok=%v err=%v", ok, err)
	}
}
