package server

// lineOf finds the line of a Kubernetes field path ("spec.template.metadata.labels",
// "spec.containers[0].image") in a YAML document, so a 422's field causes can
// be shown at their line in the editor. It returns 0 when the path is not there.

import (
	"regexp"
	"strconv"
	"strings"

	goyaml "go.yaml.in/yaml/v3"
)

var pathPart = regexp.MustCompile(`^([^\[]+)((?:\[\d+\])*)$`)

func lineOf(doc []byte, field string) int {
	var root goyaml.Node
	if field == "" || goyaml.Unmarshal(doc, &root) != nil || len(root.Content) == 0 {
		return 0
	}
	n, line := root.Content[0], 0
	for _, part := range strings.Split(field, ".") {
		m := pathPart.FindStringSubmatch(part)
		if m == nil || n.Kind != goyaml.MappingNode {
			return line
		}
		next := (*goyaml.Node)(nil)
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == m[1] {
				line, next = n.Content[i].Line, n.Content[i+1]
			}
		}
		if next == nil {
			return line
		}
		n = next
		for _, idx := range regexp.MustCompile(`\d+`).FindAllString(m[2], -1) {
			i, _ := strconv.Atoi(idx)
			if n.Kind != goyaml.SequenceNode || i >= len(n.Content) {
				return line
			}
			n, line = n.Content[i], n.Content[i].Line
		}
	}
	return line
}
