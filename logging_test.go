package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestLogFormatJSONWritesOneJSONObjectPerLineAndDebugOnlyWhenAsked(t *testing.T) {
	var out bytes.Buffer
	l, err := newLogger("json", "warn", &out)
	if err != nil {
		t.Fatal(err)
	}
	l.Debug("HTTP", "path", "/api/v1/pods")
	l.Warn("etcd slow", "took", "2s")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var m map[string]any
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &m) != nil || m["msg"] != "etcd slow" {
		t.Errorf("json at warn wrote %q, want the warning alone as one JSON object", out.String())
	}
	if _, err := newLogger("yaml", "warn", &out); err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("--log-format yaml gave %v, want an error naming --log-format", err)
	}
	if _, err := newLogger("text", "loud", &out); err == nil || !strings.Contains(err.Error(), "--log-level") {
		t.Errorf("--log-level loud gave %v, want an error naming --log-level", err)
	}
}
