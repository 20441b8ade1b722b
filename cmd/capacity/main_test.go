package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecimalComplexityInEveryFormat is the reported failure: `make capacity
// FORMAT=json` on a stack with complexity 1.1 printed `json: invalid number
// literal "11/10"`. Every format now renders it, the JSON exactly.
func TestDecimalComplexityInEveryFormat(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.qa.yaml"), []byte(`config:
  gcp:project: acme-django-qa
  django-gke:env: prd
  django-gke:monitoring:
    alertEmail: oncall@example.com
  django-gke:capacity:
    complexity: 1.1
    podTps: 212.75
`), 0o644))

	for _, format := range []string{"table", "markdown", "json"} {
		var out bytes.Buffer
		require.NoError(t, run(&out, dir, "qa", format, ""), format)
		if format == "json" {
			var doc struct {
				Inputs map[string]json.RawMessage `json:"inputs"`
			}
			require.NoError(t, json.Unmarshal(out.Bytes(), &doc), out.String())
			assert.Equal(t, "1.1", string(doc.Inputs["complexity"]))
			assert.Equal(t, "212.75", string(doc.Inputs["podTps"]))
			continue
		}
		assert.True(t, strings.Contains(out.String(), "complexity (C) 1.1 "), "%s:\n%s", format, out.String())
	}
}
