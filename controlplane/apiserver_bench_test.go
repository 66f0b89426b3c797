package controlplane_test

// BenchmarkCreateVersusEtcdPut measures, in one run, what the API server adds
// to a write: a ConfigMap create through client-go (TLS, authentication,
// authorization, admission, validation, the etcd transaction, the response)
// against a raw etcd put of the same bytes through the in-process client. The
// two alternate in one loop so machine noise hits both alike; the ratio is
// reported as create/put.

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func BenchmarkCreateVersusEtcdPut(b *testing.B) {
	c := testcluster.Start(b)
	benchmarkCreateVersusEtcdPut(b, c, c.Client("admin"))
}

// BenchmarkInProcessCreateVersusEtcdPut is the same loop with the create
// made as the components make theirs: through the in-process transport, so
// the whole handler chain runs but no TLS or HTTP/2 lies between client-go
// and the handler.
func BenchmarkInProcessCreateVersusEtcdPut(b *testing.B) {
	c := testcluster.Start(b)
	cfg, err := c.ComponentConfig("admin", "system:masters")
	if err != nil {
		b.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkCreateVersusEtcdPut(b, c, cs)
}

func benchmarkCreateVersusEtcdPut(b *testing.B, c *testcluster.Cluster, client kubernetes.Interface) {
	ctx := context.Background()
	cms := client.CoreV1().ConfigMaps("default")
	etcd := c.Etcd.Client
	var putTime, createTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%d", i)}, Data: map[string]string{"k": "v"}}
		value, _ := json.Marshal(cm)
		t0 := time.Now()
		if _, err := etcd.Put(ctx, fmt.Sprintf("/bench/raw/%d", i), string(value)); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := cms.Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		putTime += t1.Sub(t0)
		createTime += t2.Sub(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(putTime.Microseconds())/float64(b.N), "put-µs/op")
	b.ReportMetric(float64(createTime.Microseconds())/float64(b.N), "create-µs/op")
	b.ReportMetric(float64(createTime)/float64(putTime), "create/put")
}
