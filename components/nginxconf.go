package components

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var placeholder = regexp.MustCompile(`@@[A-Z_]+@@`)

// RenderNginxConf substitutes the @@NAME@@ placeholders of app/nginx/nginx.conf
// (the same file the local run uses) and fails on any placeholder left over or
// any value given for a placeholder the file does not have.
func RenderNginxConf(template string, values map[string]string) (string, error) {
	used := map[string]bool{}
	var missing []string
	out := placeholder.ReplaceAllStringFunc(template, func(token string) string {
		name := strings.Trim(token, "@")
		v, ok := values[name]
		if !ok {
			missing = append(missing, token)
			return token
		}
		used[name] = true
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("nginx.conf: no value for %s", strings.Join(unique(missing), ", "))
	}
	for name := range values {
		if !used[name] {
			return "", fmt.Errorf("nginx.conf has no placeholder @@%s@@", name)
		}
	}
	return out, nil
}

// checksum is a stable digest of a string map (sorted keys): a pod template
// annotation that changes whenever the configuration it reads changes, so the
// Deployment rolls.
func checksum(data map[string]string) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s\x00%s\x00", k, data[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func unique(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
