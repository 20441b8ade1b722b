// Command plandiff compares a stack's offline plan in the working tree with
// its plan at a git ref (checked out in a temporary worktree): resources
// added, removed and changed by property path, and the capacity/cost delta.
// No credentials needed. make plan-diff STACK=<s> BASE=<ref> [FORMAT=markdown].
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"django-gke/infra/offline"
	"django-gke/infra/plandiff"
	"django-gke/infra/stackfile"
)

func main() {
	stack := flag.String("stack", "", "stack name")
	base := flag.String("base", "HEAD", "git ref to compare against")
	format := flag.String("format", "text", "text | markdown")
	flag.Parse()
	if err := run(*stack, *base, *format); err != nil {
		fmt.Fprintf(os.Stderr, "plan-diff: %v\n", err)
		os.Exit(1)
	}
}

func run(stack, base, format string) error {
	if stack == "" {
		return fmt.Errorf("no stack given: STACK=<name> (stacks here: %v)", stackfile.Stacks("."))
	}
	if format != "text" && format != "markdown" {
		return fmt.Errorf("FORMAT=%s is not allowed: must be text or markdown", format)
	}
	res, err := offline.Run(offline.Options{Dir: ".", Stack: stack})
	if err != nil {
		return fmt.Errorf("planning the working tree: %w", err)
	}
	head := res.Snapshot()
	old, err := planAt(base, stack)
	if err != nil {
		return err
	}
	plandiff.Write(os.Stdout, plandiff.Compare(old, head), format == "markdown")
	return nil
}

// planAt runs `plan -json` of the code and stack file at ref, in a temporary worktree.
func planAt(ref, stack string) (plandiff.Snapshot, error) {
	var snap plandiff.Snapshot
	tmp, err := os.MkdirTemp("", "plandiff-")
	if err != nil {
		return snap, err
	}
	defer os.RemoveAll(tmp)
	tree := filepath.Join(tmp, "tree")
	if out, err := exec.Command("git", "worktree", "add", "--detach", "--quiet", tree, ref).CombinedOutput(); err != nil {
		return snap, fmt.Errorf("checking out %s: %v: %s", ref, err, strings.TrimSpace(string(out)))
	}
	defer exec.Command("git", "worktree", "remove", "--force", tree).Run()

	if _, err := os.Stat(filepath.Join(tree, "Pulumi."+stack+".yaml")); errors.Is(err, os.ErrNotExist) {
		return plandiff.Snapshot{Stack: stack}, nil // a new stack: everything is added
	}
	cmd := exec.Command("go", "run", "./cmd/plan", "-stack", stack, "-json", "-out", filepath.Join(tmp, "manifests"))
	cmd.Dir = tree
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return snap, fmt.Errorf("planning %s at %s: %v\n%s", stack, ref, err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), &snap); err != nil {
		return snap, fmt.Errorf("reading the plan of %s (does it predate `plan -json`?): %w", ref, err)
	}
	return snap, nil
}
