package infra

import (
	"fmt"
	"regexp"

	"django-gke/infra/config"
)

// stackNameSyntax keeps every derived GCP name inside its provider's limits:
// the cluster name (base, ≤ 40) and service account ids (base + suffix, ≤ 30).
// GCP names end in a letter or digit (RFC 1035 labels), so a stack name does too.
var stackNameSyntax = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$`)

// BaseName is the prefix of every resource name in a stack: "django-gke-<stack>".
func BaseName(stack string) (string, error) {
	if !stackNameSyntax.MatchString(stack) {
		return "", fmt.Errorf("stack name %q is not allowed: must be 1–12 lowercase letters, digits or hyphens, "+
			"starting with a letter and ending with a letter or digit (it prefixes GCP resource names)", stack)
	}
	return config.Namespace + "-" + stack, nil
}

// stackLabels are put on every GCP resource (as provider default labels) and every
// Kubernetes object, so cost reports and log queries can filter by stack.
func stackLabels(env config.Env, stack string) map[string]string {
	return map[string]string{
		"app":        config.Namespace,
		"env":        string(env),
		"stack":      stack,
		"managed-by": "pulumi",
	}
}

// RegionalNodePoolName is the logical name of a region's node pool in a
// multi-region stack: "<code>-pool", unique in the stack. Pulumi auto-names
// the pool "<logical name>-<7 characters>" and GKE allows 40 characters:
// "<base>-<code>-pool" would reach 43 with a 12-character stack name and a
// 6-character region code.
func RegionalNodePoolName(code string) string { return code + "-pool" }
