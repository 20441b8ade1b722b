// Command plandiff compares a stack's offline plan in the working tree with
// its plan at a git ref (checked out in a temporary worktree): resources
// added, removed and changed by property path, and the capacity/cost delta.
// No credentials needed. make plan-diff STACK=<s> BASE=<ref> [FORMAT=markdown].
//
// With -guard (make plan-diff does it), the replacement guard comes first:
// the base revision's program computes the stack's synthetic state
// (cmd/preview -baseline-out) and the working tree is previewed against it by
// the real providers (cmd/preview -against); every replacement is listed,
// stateful ones loudly, and an unallowed stateful replacement exits 3.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
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
	guard := flag.Bool("guard", false, "run the replacement guard first (needs make engine)")
	allow := flag.String("allow-replace", "", "comma-separated names of stateful resources whose replacement is deliberate")
	flag.Parse()
	err := run(*stack, *base, *format, *guard, *allow)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		fmt.Fprintln(os.Stderr, "plan-diff: the change replaces a stateful resource (see the guard above)")
		os.Exit(3)
	case err != nil:
		fmt.Fprintf(os.Stderr, "plan-diff: %v\n", err)
		os.Exit(1)
	}
}

func run(stack, base, format string, guard bool, allow string) error {
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
	old, baseline, err := planAt(base, stack, guard)
	if err != nil {
		return err
	}
	if baseline != "" {
		defer os.Remove(baseline)
	}
	var guardErr error
	if guard {
		guardErr = runGuard(stack, base, baseline, allow, format == "markdown")
		var exit *exec.ExitError
		if guardErr != nil && !(errors.As(guardErr, &exit) && exit.ExitCode() == 3) {
			return guardErr
		}
	}
	plandiff.Write(os.Stdout, plandiff.Compare(old, head), format == "markdown")
	return guardErr
}

// runGuard previews the working tree against the base's baseline with the
// real providers and prints the verdict (its exit status 3 is passed on).
func runGuard(stack, base, baseline, allow string, markdown bool) error {
	heading := "Replacement guard (real providers' Diff against " + base + ")"
	if markdown {
		fmt.Printf("### %s\n\n", heading)
	} else {
		fmt.Printf("== %s ==\n", heading)
	}
	if baseline == "" {
		fmt.Printf("not judged: %s is a new stack, or %s has no cmd/preview\n\n", stack, base)
		return nil
	}
	// Built, not `go run`: go run exits 1 whatever the program's status, and 3 must pass through.
	bin := baseline + ".preview"
	defer os.Remove(bin)
	var stdout, stderr bytes.Buffer
	build := exec.Command("go", "build", "-o", bin, "./cmd/preview")
	build.Stderr = &stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building cmd/preview: %v\n%s", err, stderr.String())
	}
	cmd := exec.Command(bin, "-stack", stack, "-against", baseline, "-allow", allow)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if markdown {
		fmt.Print("```\n" + stdout.String() + stderr.String() + "```\n\n")
	} else {
		fmt.Print(stdout.String() + stderr.String() + "\n")
	}
	return err
}

// planAt runs `plan -json` of the code and stack file at ref, in a temporary
// worktree, and with guard the stack's baseline for the replacement guard
// (a file the caller removes; "" when ref cannot make one).
func planAt(ref, stack string, guard bool) (snap plandiff.Snapshot, baseline string, err error) {
	tmp, err := os.MkdirTemp("", "plandiff-")
	if err != nil {
		return snap, "", err
	}
	defer os.RemoveAll(tmp)
	tree := filepath.Join(tmp, "tree")
	if out, err := exec.Command("git", "worktree", "add", "--detach", "--quiet", tree, ref).CombinedOutput(); err != nil {
		return snap, "", fmt.Errorf("checking out %s: %v: %s", ref, err, strings.TrimSpace(string(out)))
	}
	defer exec.Command("git", "worktree", "remove", "--force", tree).Run()

	if _, err := os.Stat(filepath.Join(tree, "Pulumi."+stack+".yaml")); errors.Is(err, os.ErrNotExist) {
		return plandiff.Snapshot{Stack: stack}, "", nil // a new stack: everything is added
	}
	cmd := exec.Command("go", "run", "./cmd/plan", "-stack", stack, "-json", "-out", filepath.Join(tmp, "manifests"))
	cmd.Dir = tree
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return snap, "", fmt.Errorf("planning %s at %s: %v\n%s", stack, ref, err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), &snap); err != nil {
		return snap, "", fmt.Errorf("reading the plan of %s (does it predate `plan -json`?): %w", ref, err)
	}
	if here, err := filepath.Abs("."); err == nil {
		snap = plandiff.Relocate(snap, tree, here)
	}
	if _, err := os.Stat(filepath.Join(tree, "cmd", "preview")); !guard || err != nil {
		return snap, "", nil
	}
	out, err := os.CreateTemp("", "plandiff-baseline-*.json")
	if err != nil {
		return snap, "", err
	}
	out.Close()
	cmd = exec.Command("go", "run", "./cmd/preview", "-stack", stack, "-baseline-out", out.Name())
	cmd.Dir = tree
	stderr.Reset()
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(out.Name())
		return snap, "", fmt.Errorf("the baseline of %s at %s (real providers): %v\n%s", stack, ref, err, strings.TrimSpace(stderr.String()))
	}
	return snap, out.Name(), nil
}
