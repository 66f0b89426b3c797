package conversion

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestSecretStringDataIsMergedIntoDataAndNotKept(t *testing.T) {
	cases := []struct {
		name       string
		data       map[string][]byte
		stringData map[string]string
		want       map[string][]byte
	}{
		{"stringData only", nil, map[string]string{"user": "admin"}, map[string][]byte{"user": []byte("admin")}},
		{"stringData overwrites data", map[string][]byte{"user": []byte("old"), "pw": []byte("x")},
			map[string]string{"user": "new"}, map[string][]byte{"user": []byte("new"), "pw": []byte("x")}},
		{"data only", map[string][]byte{"pw": []byte("x")}, nil, map[string][]byte{"pw": []byte("x")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ToStorage(&corev1.Secret{Data: tc.data, StringData: tc.stringData})
			if err != nil {
				t.Fatal(err)
			}
			s := out.(*corev1.Secret)
			if !reflect.DeepEqual(s.Data, tc.want) || s.StringData != nil {
				t.Errorf("data %q stringData %q, want data %q and no stringData", s.Data, s.StringData, tc.want)
			}
		})
	}
}
