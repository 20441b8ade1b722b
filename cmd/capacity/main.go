// Command capacity prints a stack's capacity plan and yearly cost: the seed's
// method with its numbers substituted, the plan the program deploys, and the
// cost line by line (table, markdown or json). No cloud, no Pulumi CLI.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"django-gke/infra/capacity"
	"django-gke/infra/stackfile"
)

func main() {
	stack := flag.String("stack", "", "stack name: any Pulumi.<stack>.yaml in -dir")
	dir := flag.String("dir", ".", "directory holding Pulumi.yaml")
	format := flag.String("format", capacity.FormatTable, "output: "+strings.Join(capacity.Formats, " | "))
	flag.Parse()
	if err := run(*dir, *stack, *format); err != nil {
		fmt.Fprintf(os.Stderr, "capacity: %v\n", err)
		os.Exit(1)
	}
}

func run(dir, stack, format string) error {
	if stack == "" {
		return fmt.Errorf("no stack given: use -stack <name> (stacks here: %v)", stackfile.Stacks(dir))
	}
	if !contains(capacity.Formats, format) {
		return fmt.Errorf("FORMAT=%s is not allowed: must be one of %s", format, strings.Join(capacity.Formats, ", "))
	}
	cfg, _, err := stackfile.LoadConfig(dir, stack)
	if err != nil {
		return fmt.Errorf("stack %s:\n%w", stack, err)
	}
	plan, err := capacity.PlanFor(cfg)
	if err != nil {
		return fmt.Errorf("stack %s:\n%w", stack, err)
	}
	return capacity.Write(os.Stdout, stack, string(cfg.Env), plan, format)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
