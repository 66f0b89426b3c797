package apiserver

// YAML aliases let one node be reused by name. A document of nine nested
// aliases each expanding ten times ("billion laughs", CVE-2019-11253) is under
// a kilobyte but expands to a billion nodes. Kubernetes fixed it by bounding
// alias expansion; Glassplane counts the nodes a document would expand to
// before converting it, and refuses it at once if that is far beyond its size.

import (
	"fmt"

	goyaml "go.yaml.in/yaml/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// maxExpansion bounds nodes after alias expansion per byte of input.
const maxExpansion = 100

func checkAliases(doc []byte) error {
	var root goyaml.Node
	if err := goyaml.Unmarshal(doc, &root); err != nil {
		return apierrors.NewBadRequest(fmt.Sprintf("the request body is not valid YAML: %v", err))
	}
	limit := maxExpansion*len(doc) + 1000
	memo := map[*goyaml.Node]int{}
	if n := expandedSize(&root, memo, limit); n > limit {
		return apierrors.NewRequestEntityTooLargeError(
			fmt.Sprintf("the YAML uses aliases that expand to more than %d nodes", limit))
	}
	return nil
}

// expandedSize counts the nodes n stands for once aliases are expanded,
// stopping early once the count passes limit.
func expandedSize(n *goyaml.Node, memo map[*goyaml.Node]int, limit int) int {
	if n == nil {
		return 0
	}
	if v, ok := memo[n]; ok {
		return v
	}
	if n.Kind == goyaml.AliasNode {
		v := expandedSize(n.Alias, memo, limit)
		memo[n] = v
		return v
	}
	total := 1
	for _, c := range n.Content {
		total += expandedSize(c, memo, limit)
		if total > limit {
			break
		}
	}
	memo[n] = total
	return total
}
