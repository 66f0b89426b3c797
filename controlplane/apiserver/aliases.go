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
	c := aliasCounter{limit: maxExpansion*len(doc) + 1000, memo: map[*goyaml.Node]int{}}
	n := c.expandedSize(&root)
	if c.selfContaining {
		return apierrors.NewBadRequest("the request body is not valid YAML: an alias refers to a node that contains it, so it would expand forever")
	}
	if n > c.limit {
		return apierrors.NewRequestEntityTooLargeError(
			fmt.Sprintf("the YAML uses aliases that expand to more than %d nodes", c.limit))
	}
	return nil
}

// aliasCounter counts the nodes a document expands to.
type aliasCounter struct {
	limit int
	// memo holds each node's count once known, and inProgress while its
	// children are counted: an alias that reaches a node in progress points
	// back into itself ("&a [*a]"), which the parser accepts.
	memo           map[*goyaml.Node]int
	selfContaining bool
}

const inProgress = -1

// expandedSize counts the nodes n stands for once aliases are expanded,
// stopping early once the count passes the limit or an alias contains itself.
func (c *aliasCounter) expandedSize(n *goyaml.Node) int {
	if n == nil {
		return 0
	}
	if v, ok := c.memo[n]; ok {
		if v == inProgress {
			c.selfContaining = true
			return c.limit + 1
		}
		return v
	}
	c.memo[n] = inProgress
	if n.Kind == goyaml.AliasNode {
		v := c.expandedSize(n.Alias)
		c.memo[n] = v
		return v
	}
	total := 1
	for _, child := range n.Content {
		total += c.expandedSize(child)
		if total > c.limit {
			break
		}
	}
	c.memo[n] = total
	return total
}
