package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The two Kubernetes quantity forms this project accepts: CPU as cores or
// millicores ("1", "1.5", "500m"), memory with a binary suffix ("512Mi", "1Gi").
var (
	cpuSyntax    = regexp.MustCompile(`^([0-9]{1,6})(\.([0-9]{1,3}))?$|^([0-9]{1,7})m$`)
	memorySyntax = regexp.MustCompile(`^([0-9]{1,7})(Ki|Mi|Gi)$`)
)

// MilliCPU parses a CPU quantity into millicores.
func MilliCPU(q string) (int64, error) {
	m := cpuSyntax.FindStringSubmatch(q)
	if m == nil {
		return 0, fmt.Errorf("must be a CPU quantity such as 500m, 1 or 1.5")
	}
	if m[4] != "" {
		return strconv.ParseInt(m[4], 10, 64)
	}
	whole, _ := strconv.ParseInt(m[1], 10, 64)
	frac := int64(0)
	if m[3] != "" {
		digits := m[3] + strings.Repeat("0", 3-len(m[3]))
		frac, _ = strconv.ParseInt(digits, 10, 64)
	}
	return whole*1000 + frac, nil
}

// MemoryBytes parses a memory quantity with a Ki, Mi or Gi suffix.
func MemoryBytes(q string) (int64, error) {
	m := memorySyntax.FindStringSubmatch(q)
	if m == nil {
		return 0, fmt.Errorf("must be a memory quantity such as 512Mi or 1Gi")
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	shift := map[string]uint{"Ki": 10, "Mi": 20, "Gi": 30}[m[2]]
	return n << shift, nil
}
