// Package tests holds the stack-level tests: the real program run by the
// offline engine (Pulumi mocks) for every stack, asserting on the inputs as
// the providers would receive them.
package tests

import (
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/require"

	"django-gke/infra/offline"
)

// Stacks are the environments every stack-level test loops over.
var Stacks = []string{"dev", "stg", "prd"}

// repoRoot is the directory holding Pulumi.yaml.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

var (
	plansMu sync.Mutex
	plans   = map[string]*offline.Result{}
)

// plan runs a stack of the repository once per test binary and shares the result.
func plan(t *testing.T, stack string) *offline.Result {
	t.Helper()
	plansMu.Lock()
	defer plansMu.Unlock()
	if res, ok := plans[stack]; ok {
		return res
	}
	res, err := offline.Run(offline.Options{Dir: repoRoot(), Stack: stack})
	require.NoError(t, err, "stack %s", stack)
	plans[stack] = res
	return res
}

// planWith runs a stack with config values replaced (fully qualified keys).
func planWith(t *testing.T, stack string, set map[string]string) (*offline.Result, error) {
	t.Helper()
	return offline.Run(offline.Options{Dir: repoRoot(), Stack: stack, Set: set})
}

// one returns the single resource of a type, failing the test otherwise.
func one(t *testing.T, res *offline.Result, typ string) *offline.Resource {
	t.Helper()
	rs := res.ByType(typ)
	require.Len(t, rs, 1, "expected exactly one %s in stack %s", typ, res.Stack)
	return rs[0]
}

// in returns the plain input value at a path, failing the test when absent.
func in(t *testing.T, r *offline.Resource, path string) any {
	t.Helper()
	v, ok := r.Input(path)
	require.True(t, ok, "%s %s has no input %s; inputs: %v", r.Type, r.Name, path, offline.PlainMap(r.Inputs))
	return v
}

func itoa(n int) string { return strconv.Itoa(n) }

func resourceKey(k string) resource.PropertyKey { return resource.PropertyKey(k) }
