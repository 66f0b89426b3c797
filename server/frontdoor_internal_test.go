package server

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// A stranger who opens the front door with what looks like a replica's
// preface is shut out: a wrong secret closes the connection, and a
// preface line that never ends is not read without end (which would let
// anyone fill the replica's memory for as long as the hello may take).
func TestTheFrontDoorShutsOutAFalseReplica(t *testing.T) {
	f := &FrontDoor{sandboxes: &Sandboxes{replica: &replica{secret: "the-secret"}}, done: make(chan struct{})}
	for name, preface := range map[string]string{
		"a wrong secret":     passPreface + "not-the-secret\n",
		"a line without end": passPreface + strings.Repeat("x", 1<<20),
	} {
		t.Run(name, func(t *testing.T) {
			client, server := net.Pipe()
			defer client.Close()
			handled := make(chan struct{})
			go func() { f.handle(server); close(handled) }()
			wrote := make(chan error, 1)
			go func() { _, err := io.WriteString(client, preface); wrote <- err }()
			select {
			case <-handled:
			case <-time.After(5 * time.Second):
				t.Fatal("the front door was still reading the preface after 5 s")
			}
			if err := <-wrote; name == "a line without end" && err == nil {
				t.Fatal("the front door read a 1 MiB preface line to its end")
			}
			if _, err := client.Read(make([]byte, 1)); err == nil {
				t.Fatal("the front door answered a false replica")
			}
		})
	}
}
