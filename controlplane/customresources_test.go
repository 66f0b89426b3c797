package controlplane_test

// Custom resources typed into both kubectls: a CRD (kube's CronTab) is
// created and established, custom objects are applied, printed with the
// CRD's columns, explained, refused by the schema, scaled, patched and
// watched, and go away with the CRD.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// kubectlTry runs one kubectl as admin against c and returns its error.
func kubectlTry(c *testcluster.Cluster, bin []string) func(stdin string, args ...string) (string, error) {
	return func(stdin string, args ...string) (string, error) { return c.Kubectl(bin, "admin", stdin, args...) }
}

// createCronTabCRD creates the CronTab CRD and waits for it to be established.
func createCronTabCRD(t *testing.T, run func(string, ...string) string) {
	t.Helper()
	out := run(readTestdata(t, "crontab-crd.yaml"), "apply", "-f", "-")
	if !strings.Contains(out, "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created") {
		t.Fatalf("apply of the CRD printed %q", out)
	}
	out = run("", "wait", "--for=condition=Established", "crd/crontabs.stable.example.com", "--timeout=30s")
	if !strings.Contains(out, "condition met") {
		t.Fatalf("wait printed %q", out)
	}
}

func TestKubectlServesACustomResourceDefinitionsKind(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			run, try := kubectlRunner(t, c, bin), kubectlTry(c, bin)
			createCronTabCRD(t, run)
			out := run("", "get", "crd")
			if !regexp.MustCompile(`NAME\s+CREATED AT\s+crontabs.stable.example.com\s+\d{4}-`).MatchString(out) {
				t.Errorf("get crd printed\n%s", out)
			}

			out = run(readTestdata(t, "crontab.yaml"), "apply", "-f", "-")
			if !strings.Contains(out, "crontab.stable.example.com/my-new-cron-object created") {
				t.Fatalf("apply printed %q", out)
			}
			out = run("", "get", "crontabs")
			if !regexp.MustCompile(`NAME\s+SPEC\s+REPLICAS\s+AGE\s+my-new-cron-object\s+\* \* \* \* \*/5\s+1\s+\d+s`).MatchString(out) {
				t.Errorf("get crontabs printed\n%s", out)
			}
			out = run("", "get", "ct", "my-new-cron-object", "-o", "yaml")
			for _, want := range []string{"apiVersion: stable.example.com/v1", "kind: CronTab", "generation: 1", "uid: ", "resourceVersion: ", "creationTimestamp: ", "replicas: 1"} {
				if !strings.Contains(out, want) {
					t.Errorf("get -o yaml lacks %q:\n%s", want, out)
				}
			}

			out = run("", "explain", "crontab.spec.cronSpec")
			if !strings.Contains(out, "The cron schedule, in cron's five fields.") || !strings.Contains(out, "cronSpec") {
				t.Errorf("explain printed\n%s", out)
			}

			bad := strings.Replace(readTestdata(t, "crontab.yaml"), `"* * * * */5"`, `"every minute"`, 1)
			bad = strings.Replace(bad, "my-new-cron-object", "bad-cron", 1)
			out, err := try(bad, "create", "-f", "-")
			if err == nil || !strings.Contains(out, `The CronTab "bad-cron" is invalid`) || !strings.Contains(out, `spec.cronSpec: Invalid value: "every minute"`) {
				t.Errorf("an object the schema refuses: %v\n%s", err, out)
			}
			tooMany := strings.Replace(readTestdata(t, "crontab.yaml"), "my-new-cron-object", "too-many", 1) + "  replicas: 20\n"
			out, err = try(tooMany, "create", "-f", "-")
			if err == nil || !strings.Contains(out, "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10") {
				t.Errorf("replicas over the maximum: %v\n%s", err, out)
			}
			unknown := strings.Replace(readTestdata(t, "crontab.yaml"), "my-new-cron-object", "unknown-field", 1) + "  colour: blue\n"
			out, err = try(unknown, "create", "--validate=strict", "-f", "-")
			if err == nil || !strings.Contains(out, `unknown field "spec.colour"`) {
				t.Errorf("an unknown field with --validate=strict: %v\n%s", err, out)
			}
			out = run("", "get", "crontabs", "-o", "name")
			if strings.TrimSpace(out) != "crontab.stable.example.com/my-new-cron-object" {
				t.Errorf("refused objects were stored: %q", out)
			}

			lines := kubectlWatch(t, c, bin, "get", "crontabs", "-w")
			waitLine(t, lines, "my-new-cron-object")

			out = run("", "scale", "crontab", "my-new-cron-object", "--replicas=3")
			if !strings.Contains(out, "crontab.stable.example.com/my-new-cron-object scaled") {
				t.Errorf("scale printed %q", out)
			}
			waitLineMatching(t, lines, regexp.MustCompile(`my-new-cron-object\s+\* \* \* \* \*/5\s+3\s`))

			out = run("", "patch", "crontab", "my-new-cron-object", "--type=merge", "-p", `{"spec":{"cronSpec":"*/10 * * * *"}}`)
			if !strings.Contains(out, "crontab.stable.example.com/my-new-cron-object patched") {
				t.Errorf("patch printed %q", out)
			}
			waitLine(t, lines, "*/10 * * * *")
			out = run("", "get", "ct", "my-new-cron-object", "-o", "jsonpath={.metadata.generation} {.spec.replicas}")
			if out != "3 3" {
				t.Errorf("after a scale and a patch of the spec: generation and replicas %q, want \"3 3\"", out)
			}
			out, err = try("", "patch", "crontab", "my-new-cron-object", "-p", `{"spec":{"image":"other"}}`)
			if err == nil || !strings.Contains(out, "the body of the request was in an unknown format") {
				t.Errorf("a strategic merge patch of a custom object: %v\n%s", err, out)
			}

			out = run("", "get", "all")
			if !strings.Contains(out, "crontab.stable.example.com/my-new-cron-object") {
				t.Errorf("get all does not list the CronTab (category all):\n%s", out)
			}

			out = run("", "delete", "crd", "crontabs.stable.example.com")
			if !strings.Contains(out, `customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted`) {
				t.Errorf("delete crd printed %q", out)
			}
			out, err = try("", "get", "--raw", "/apis/stable.example.com/v1/namespaces/default/crontabs")
			if err == nil || !strings.Contains(out, "the server could not find the requested resource") {
				t.Errorf("after the CRD is deleted, its resource: %v\n%s", err, out)
			}
			// kubectl may still have the type in its discovery cache, and then
			// asks for it as a real cluster would answer: not found.
			out, err = try("", "get", "crontabs")
			if err == nil || !strings.Contains(out, `the server doesn't have a resource type "crontabs"`) && !strings.Contains(out, "the server could not find the requested resource") {
				t.Errorf("after the CRD is deleted, get crontabs: %v\n%s", err, out)
			}
			createCronTabCRD(t, run)
			out = run("", "get", "crontabs", "-o", "name")
			if strings.TrimSpace(out) != "" {
				t.Errorf("the objects outlived their CRD: %q", out)
			}
		})
	}
}

// waitLineMatching waits up to 30 s for a line of kubectl get -w matching want.
func waitLineMatching(t *testing.T, lines <-chan string, want *regexp.Regexp) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("kubectl get -w ended before printing %s", want)
			}
			if want.MatchString(l) {
				return
			}
		case <-deadline:
			t.Fatalf("kubectl get -w did not print %s", want)
		}
	}
}
