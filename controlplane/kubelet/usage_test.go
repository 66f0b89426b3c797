package kubelet

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestContainerCPUDemandFollowsWhatItsCommandDoes(t *testing.T) {
	for _, tc := range []struct {
		name          string
		image         string
		command       []string
		minMilli, max float64
	}{
		{"a loop that never sleeps keeps a core busy", "busybox", []string{"sh", "-c", "while true; do :; done"}, 1000, 1000},
		{"perl spinning keeps a core busy", "perl", []string{"perl", "-e", "while(1){}"}, 1000, 1000},
		{"stress uses the cores it is told to", "polinux/stress", []string{"stress", "--cpu", "2"}, 2000, 2000},
		{"a loop that sleeps is idle", "busybox", []string{"sh", "-c", "while true; do date; sleep 5; done"}, 0, 1},
		{"sleep is idle", "busybox", []string{"sleep", "3600"}, 0, 1},
		{"a server idles at a few millicores", "nginx", nil, 2, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cpu, mem := demandOf(&corev1.Container{Image: tc.image, Command: tc.command})
			if cpu < tc.minMilli || cpu > tc.max || mem <= 0 {
				t.Errorf("demand = %vm, %v bytes; want %v–%vm", cpu, mem, tc.minMilli, tc.max)
			}
		})
	}
}

func TestContainerUsageNeverExceedsItsLimits(t *testing.T) {
	c := corev1.Container{Name: "spin", Image: "busybox", Command: []string{"stress", "--cpu", "4", "--vm-bytes", "256M"},
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("300m"), corev1.ResourceMemory: resource.MustParse("64Mi")}}}
	k := &Kubelet{opts: NodeOptions(1)}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sb := &sandbox{uid: "u", specs: []corev1.Container{c},
		containers: map[string]*container{"spin": {name: "spin", startedAt: start}}}
	for i := range 50 {
		u := k.sandboxUsage(sb, start.Add(UsageWindow*time.Duration(i)))
		cpu, mem := u[0].Usage[corev1.ResourceCPU], u[0].Usage[corev1.ResourceMemory]
		if cpu.MilliValue() > 300 || cpu.MilliValue() < 250 || mem.Value() > 64<<20 {
			t.Fatalf("window %d: %s CPU, %s memory; limits are 300m and 64Mi", i, cpu.String(), mem.String())
		}
	}
}
