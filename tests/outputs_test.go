package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"django-gke/infra/outputs"
)

// TestEveryOutputIsDocumented: each stack exports exactly the outputs
// infra/outputs documents for it (the README's table is generated from
// them), and the secret ones are secrets.
func TestEveryOutputIsDocumented(t *testing.T) {
	documented := map[string]outputs.Output{}
	for _, o := range outputs.All {
		documented[o.Name] = o
	}
	for _, stack := range append(slices.Clone(Stacks), "local") {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			for name, o := range res.Outputs {
				doc, ok := documented[name]
				if !assert.True(t, ok, "output %s is not in infra/outputs.All", name) {
					continue
				}
				assert.True(t, doc.Stacks == "all" || strings.Contains(doc.Stacks, stack) || doc.Stacks == "blue/green",
					"%s says it is exported by %q, not %s", name, doc.Stacks, stack)
				assert.Equal(t, strings.Contains(doc.SecretIn, stack), o.Secret, "%s: secret in %s", name, stack)
			}
			for _, doc := range outputs.All {
				if doc.Stacks == "all" || strings.Contains(doc.Stacks, stack) {
					assert.Contains(t, res.Outputs, doc.Name, "%s documents %s for %s", doc.Name, doc.Stacks, stack)
				}
			}
		})
	}
}
