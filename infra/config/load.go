package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumiconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Provider keys read besides the project's own.
const (
	KeyProject = "gcp:project"
	KeyRegion  = "gcp:region"
)

// Key returns the fully qualified name of a project key ("capacity" → "django-gke:capacity").
func Key(name string) string { return Namespace + ":" + name }

// objectKey is a project key whose value is an object: Config's field
// number field (its key tag names it).
type objectKey struct {
	name  string
	field int
}

// objectKeys are the project's object-valued keys, in decoding order.
var objectKeys = func() []objectKey {
	var keys []objectKey
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		if k := t.Field(i).Tag.Get("key"); k != "" {
			keys = append(keys, objectKey{name: k, field: i})
		}
	}
	return keys
}()

// target is the field of c the key decodes into.
func (k objectKey) target(c *Config) any {
	return reflect.ValueOf(c).Elem().Field(k.field).Addr().Interface()
}

// ProjectKeys lists every project key (short names), for Pulumi.yaml checks and tools.
func ProjectKeys() []string {
	keys := []string{"env"}
	for _, k := range objectKeys {
		keys = append(keys, k.name)
	}
	return keys
}

// FromContext loads the stack configuration from a running Pulumi program. It
// uses config.Try (never Require, which panics) and returns every problem at once.
func FromContext(ctx *pulumi.Context) (*Config, error) {
	values := map[string]string{}
	for _, key := range append([]string{KeyProject, KeyRegion}, qualified(ProjectKeys())...) {
		if v, err := pulumiconfig.Try(ctx, key); err == nil {
			values[key] = v
		}
	}
	return Load(values)
}

// Load builds and validates the configuration from raw values exactly as the
// Pulumi engine hands them to a program: fully qualified keys, objects as JSON
// text. Missing keys take the environment's defaults. The error, if any, is
// Problems listing everything that is wrong.
func Load(values map[string]string) (*Config, error) {
	var ps Problems

	env := Dev
	if raw, ok := values[Key("env")]; ok {
		env = Env(strings.TrimSpace(raw))
		if !isEnv(env) {
			ps.add(Key("env"), "", raw, "must be one of dev, stg, prd, local")
			env = Dev // keep going with some defaults so every other problem is reported too
		}
	}

	c := Defaults(env, values[KeyRegion])
	c.Project = values[KeyProject]

	for _, k := range objectKeys {
		if raw, ok := values[Key(k.name)]; ok {
			decodeObject(&ps, Key(k.name), raw, k.target(&c))
		}
	}
	ps = append(ps, unknownKeys(values)...)
	ps = append(ps, c.resolveMeasured()...)
	ps = append(ps, c.Validate()...)
	if len(ps) > 0 {
		return &c, ps
	}
	return &c, nil
}

// unknownKeys rejects project keys this program does not read: a typo in a
// stack file (django-gke:capacty) must not be silently ignored.
func unknownKeys(values map[string]string) Problems {
	known := map[string]bool{}
	for _, k := range qualified(ProjectKeys()) {
		known[k] = true
	}
	var ps Problems
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, Namespace+":") && !known[k] {
			ps.add(k, "", values[k], "unknown key; allowed keys: %s", strings.Join(qualified(ProjectKeys()), ", "))
		}
	}
	return ps
}

func qualified(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = Key(n)
	}
	return out
}

func isEnv(e Env) bool {
	for _, known := range append(Envs, Local) {
		if e == known {
			return true
		}
	}
	return false
}

// resolveMeasured fills what the stack leaves to the benchmark
// (infra/config/podtps.json): capacity.podTps when 0, cache.hitRatio when 0,
// and the cache-hit TPS the capacity model mixes with podTps.
func (c *Config) resolveMeasured() Problems {
	var ps Problems
	m, err := Measured()
	if err != nil {
		ps.add(Key("capacity"), "podTps", c.Capacity.PodTPS, "the benchmark's measurement is unreadable: %v", err)
		return ps
	}
	if m.Cache == nil {
		ps.add(Key("cache"), "hitRatio", c.Cache.HitRatio,
			"infra/config/podtps.json has no cache measurement: run make bench, then make bench-apply")
	}
	// Without a valid app.cpu nothing scales; app.cpu's own rule reports it
	// (and podTps, left at 0, is reported too).
	milli, cpuErr := MilliCPU(c.App.CPU)
	cores := DecimalFromInt(milli).ratQuo(1000)
	switch {
	case !c.Capacity.PodTPS.IsZero():
		c.Capacity.PodTPSSource = Key("capacity") + ".podTps"
	case cpuErr == nil:
		c.Capacity.PodTPS = perPod(m.RPSPerCore, milli)
		c.Capacity.PodTPSSource = fmt.Sprintf("measured: %s req/s per core × %s cores (%s, %s %s endpoint via %s, %s, %s)",
			m.RPSPerCore, cores, m.Machine, m.Server, m.Endpoint, m.Path, m.Date, m.Command)
	}
	if m.Cache == nil {
		return ps
	}
	if cpuErr == nil {
		c.Cache.HitPodTPS = perPod(m.Cache.HitRPSPerCore, milli)
	}
	if !c.Cache.HitRatio.IsZero() {
		c.Cache.HitRatioSource = Key("cache") + ".hitRatio"
		return ps
	}
	c.Cache.HitRatio = MustDecimal(m.Cache.HitRatio.String())
	c.Cache.HitRatioSource = fmt.Sprintf("measured: %s of the cacheable requests hit (%s)",
		m.Cache.HitRatio, m.Cache.Workload)
	return ps
}
