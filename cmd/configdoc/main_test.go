package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/config"
	"django-gke/infra/stackfile"
)

// TestGeneratedDocsAreCurrent: Pulumi.yaml and the README's reference are
// what infra/config and infra/outputs say now (make readme rewrites them).
func TestGeneratedDocsAreCurrent(t *testing.T) {
	stale, err := run(filepath.Join("..", ".."), true)
	require.NoError(t, err)
	assert.Empty(t, stale, "stale generated docs: run make readme")
}

// TestStaleDocsAreReported: a changed default shows up as a stale file, and
// writing fixes it.
func TestStaleDocsAreReported(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"Pulumi.yaml", "README.md"} {
		text, err := os.ReadFile(filepath.Join("..", "..", name))
		require.NoError(t, err)
		if name == "Pulumi.yaml" {
			text = []byte(strings.Replace(string(text), "logRetentionDays (7 | 30 | 90)", "logRetentionDays (7 | 30 | 60)", 1))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), text, 0o644))
	}
	stale, err := run(dir, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"Pulumi.yaml"}, stale)
	_, err = run(dir, false)
	require.NoError(t, err)
	stale, err = run(dir, true)
	require.NoError(t, err)
	assert.Empty(t, stale)
}

// TestPulumiYAMLDeclaresEveryKey: the generated file is what the CLI reads,
// with every project key an object defaulting to {}.
func TestPulumiYAMLDeclaresEveryKey(t *testing.T) {
	keys, err := config.Reference()
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte(config.PulumiYAML(keys)), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.dev.yaml"), []byte("config:\n  gcp:project: acme-django-dev\n"), 0o644))
	sc, err := stackfile.Load(dir, "dev")
	require.NoError(t, err)
	for _, key := range config.ProjectKeys() {
		_, ok := sc.Values[config.Key(key)]
		assert.True(t, ok, "Pulumi.yaml declares %s", key)
	}
	assert.Equal(t, "us-central1", sc.Values["gcp:region"])
}
