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

// TestCompareInEveryFormatAndTheChart: make capacity STACK=prd COMPARE=1 in
// each format, and CHART= writes the SVG the README shows.
func TestCompareInEveryFormatAndTheChart(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	for _, format := range []string{"table", "markdown", "json"} {
		var out bytes.Buffer
		chart := ""
		if format == "table" {
			chart = filepath.Join(t.TempDir(), "sub", "prd.svg")
		}
		require.NoError(t, runCompare(&out, root, "prd", format, chart, ""), format)
		if format == "json" {
			var doc struct {
				Platforms []struct {
					Key       string      `json:"key"`
					YearlyUsd json.Number `json:"yearlyUsd"`
					Dominant  string      `json:"dominant"`
				} `json:"platforms"`
				Loads      []int64 `json:"loads"`
				Crossovers []struct {
					RPS int64 `json:"rps"`
				} `json:"crossovers"`
			}
			require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
			require.Len(t, doc.Platforms, 7)
			assert.Equal(t, "seed", doc.Platforms[0].Key, "the seed's formula first")
			assert.Equal(t, "egress", doc.Platforms[1].Dominant, "GKE's bill at 10,000 req/s is egress")
			assert.Len(t, doc.Loads, 41)
			assert.NotEmpty(t, doc.Crossovers)
			continue
		}
		for _, want := range []string{"GKE Autopilot", "Cloud Run", "EKS + RDS + ALB", "AKS + Azure Database for PostgreSQL", "ECS on Fargate", "does not carry over", "Where the curves cross"} {
			assert.Contains(t, out.String(), want, format)
		}
		if chart != "" {
			svg, err := os.ReadFile(chart)
			require.NoError(t, err)
			committed, err := os.ReadFile(filepath.Join(root, "docs", "capacity-prd.svg"))
			require.NoError(t, err)
			assert.Equal(t, string(committed), string(svg), "docs/capacity-prd.svg is stale: run make readme")
		}
	}
	var out bytes.Buffer
	err = runCompare(&out, root, "prd", "yaml", "", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "FORMAT=yaml is not allowed")
}

// TestReadmeShowsTheComparison: the README's platforms block is current.
func TestReadmeShowsTheComparison(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, runCompare(&out, root, "prd", "markdown", "", ""))
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), strings.TrimSpace(out.String()), "README's platforms block is stale: run make readme")
}
