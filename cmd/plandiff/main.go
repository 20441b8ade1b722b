// Command plandiff compares a stack's offline plan in the working tree with
// its plan at a git ref (checked out in a temporary worktree): resources
// added, removed and changed by property path, and the capacity/cost delta.
// No credentials needed. make plan-diff STACK=<s> BASE=<ref> [FORMAT=markdown].
//
// With -guard (make plan-diff does it), the replacement guard comes first:
// infra/guard reads the two plans' inputs with its ForceNew table (the inputs
// that make GCP replace a resource, each with its source) and lists every
// replacement and stateful deletion, stateful ones loudly; an unallowed
// stateful one exits 3.
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

	"django-gke/infra/guard"
	"django-gke/infra/offline"
	"django-gke/infra/plandiff"
	"django-gke/infra/stackfile"
)

func main() {
	stack := flag.String("stack", "", "stack name")
	base := flag.String("base", "HEAD", "git ref to compare against")
	format := flag.String("format", "text", "text | markdown")
	guard := flag.Bool("guard", false, "run the replacement guard first")
	allow := flag.String("allow-replace", "", "comma-separated names of stateful resources whose replacement is deliberate")
	flag.Parse()
	err := run(*stack, *base, *format, *guard, *allow)
	switch {
	case errors.Is(err, errBlocked):
		fmt.Fprintf(os.Stderr, "plan-diff: %v\n", err)
		os.Exit(3)
	case err != nil:
		fmt.Fprintf(os.Stderr, "plan-diff: %v\n", err)
		os.Exit(1)
	}
}

func run(stack, base, format string, useGuard bool, allow string) error {
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
	old, err := planAt(base, stack)
	if err != nil {
		return err
	}
	diff := plandiff.Compare(old, res.Snapshot())
	var blocked error
	if useGuard {
		v := guard.Judge(diff)
		v.Allowed = splitList(allow)
		heading := "Replacement guard (ForceNew table, infra/guard, on the inputs at " + base + " and here)"
		if format == "markdown" {
			fmt.Printf("### %s\n\n```\n", heading)
		} else {
			fmt.Printf("== %s ==\n", heading)
		}
		v.Write(os.Stdout)
		if format == "markdown" {
			fmt.Print("```\n")
		}
		fmt.Println()
		if len(v.Blocking()) > 0 {
			blocked = errBlocked
		}
	}
	plandiff.Write(os.Stdout, diff, format == "markdown")
	return blocked
}

// errBlocked is the guard's refusal (exit status 3).
var errBlocked = errors.New("the change replaces or deletes a stateful resource (see the guard above)")

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// planAt runs `plan -json` of the code and stack file at ref, in a temporary
// worktree.
func planAt(ref, stack string) (snap plandiff.Snapshot, err error) {
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
	if here, err := filepath.Abs("."); err == nil {
		snap = plandiff.Relocate(snap, tree, here)
	}
	return snap, nil
}
