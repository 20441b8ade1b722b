package capacity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/config"
)

// randomDecimal is a decimal strictly between lo and hi with up to places
// digits after the point, as a stack file would spell it ("1.1", "250", "0.735").
func randomDecimal(rng *rand.Rand, lo, hi float64, places int) string {
	for p := rng.IntN(places + 1); ; p++ {
		scale := math.Pow10(p)
		low, high := int(math.Floor(lo*scale))+1, int(math.Ceil(hi*scale))-1
		if high < low {
			continue // no such number with p places: take more
		}
		s := fmt.Sprint(low + rng.IntN(high-low+1))
		if p == 0 {
			return s
		}
		for len(s) <= p {
			s = "0" + s
		}
		return s[:len(s)-p] + "." + s[len(s)-p:]
	}
}

// randomCapacity is a valid django-gke:capacity object with decimal inputs.
func randomCapacity(rng *rand.Rand) map[string]string {
	return map[string]string{
		"targetRps":         randomDecimal(rng, 1, 20000, 3),
		"podTps":            randomDecimal(rng, 50, 2000, 4),
		"complexity":        randomDecimal(rng, 0.1, 4, 5),
		"targetUtilization": randomDecimal(rng, 0.3, 1, 3),
		"avgResponseKb":     randomDecimal(rng, 0, 200, 3),
		"avgLogKb":          randomDecimal(rng, 0, 4, 3),
		"staticShare":       randomDecimal(rng, 0, 0.9, 3),
		"peakHoursPerDay":   randomDecimal(rng, 0.5, 24, 2),
		"offPeakFraction":   randomDecimal(rng, 0, 1.001, 3),
	}
}

func capacityJSON(fields map[string]string) string {
	var parts []string
	for _, k := range []string{"targetRps", "podTps", "complexity", "targetUtilization", "avgResponseKb", "avgLogKb",
		"staticShare", "peakHoursPerDay", "offPeakFraction"} {
		parts = append(parts, fmt.Sprintf("%q: %s", k, fields[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// TestEveryFormatHoldsForDecimalInputs renders the plan of random valid stacks
// with decimal capacity inputs (what `make capacity` reads from a stack file)
// in every format: the JSON parses back with the exact inputs, and the table
// and the markdown show the same numbers as the JSON.
func TestEveryFormatHoldsForDecimalInputs(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 15))
	planned := 0
	const samples = 300
	for i := range samples {
		fields := randomCapacity(rng)
		if i == 0 {
			fields["complexity"] = "1.1" // the reproduction
		}
		env := config.Envs[rng.IntN(len(config.Envs))]
		values := map[string]string{
			config.KeyProject: "acme-django-x", config.Key("env"): string(env),
			config.Key("monitoring"): `{"alertEmail":"oncall@example.com"}`,
			config.Key("capacity"):   capacityJSON(fields),
			// A database big enough for any sampled load: the plan must not refuse it.
			config.Key("database"): `{"tier": "db-custom-96-638976"}`,
		}
		c, err := config.Load(values)
		require.NoError(t, err, "%v", fields)
		p, err := PlanFor(c)
		if err != nil {
			t.Logf("sample %d refused by the plan (fine, but rare): %v", i, err)
			continue
		}
		planned++
		checkFormatsAgree(t, fmt.Sprintf("sample %d %v", i, fields), string(env), p, fields)
		if t.Failed() {
			return
		}
	}
	assert.Greater(t, planned, samples*9/10, "most random valid stacks have a plan")
}

var (
	seedLine = regexp.MustCompile(`P  = ⌈targetRps / \(TPS / C\)⌉ = ⌈([0-9.]+) / \(([0-9.]+) / ([0-9.]+)\)⌉ = ([0-9]+) pods`)
	hpaLine  = regexp.MustCompile(`HPA +min ([0-9]+), max ([0-9]+)`)
	total    = regexp.MustCompile(`(?m)^\|? ?total +\|? *([0-9,]+) +\|? *([0-9,]+) +\|? *([0-9,]+)`)
)

func checkFormatsAgree(t *testing.T, name, env string, p *Plan, fields map[string]string) {
	t.Helper()
	out := map[string]string{}
	for _, format := range Formats {
		var b bytes.Buffer
		require.NoError(t, Write(&b, "s", env, p, format), "%s: format %s", name, format)
		out[format] = b.String()
	}
	var doc struct {
		Inputs map[string]any `json:"inputs"`
		Seed   map[string]any `json:"seed"`
		Plan   map[string]any `json:"plan"`
	}
	dec := json.NewDecoder(strings.NewReader(out[FormatJSON]))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&doc), "%s: the JSON report parses:\n%s", name, out[FormatJSON])

	exact := func(key string) {
		want, _ := new(big.Rat).SetString(fields[key])
		n, _ := doc.Inputs[key].(json.Number)
		got, ok := new(big.Rat).SetString(string(n))
		require.True(t, ok, "%s: inputs.%s %q is a number", name, key, doc.Inputs[key])
		assert.Zero(t, want.Cmp(got), "%s: inputs.%s is %s in JSON, %s in the stack", name, key, got.RatString(), fields[key])
	}
	for _, k := range []string{"targetRps", "podTps", "complexity", "targetUtilization", "peakHoursPerDay", "offPeakFraction"} {
		exact(k)
	}

	num := func(v any) string { return string(v.(json.Number)) }
	for _, format := range []string{FormatTable, FormatMarkdown} {
		text := out[format]
		m := seedLine.FindStringSubmatch(text)
		require.NotNil(t, m, "%s: %s has the seed's line:\n%s", name, format, text)
		assert.Equal(t, []string{num(doc.Inputs["targetRps"]), num(doc.Inputs["servedPodTps"]), num(doc.Inputs["complexity"]), num(doc.Seed["pods"])},
			m[1:], "%s: %s and JSON agree on the seed's inputs and P", name, format)
		h := hpaLine.FindStringSubmatch(text)
		require.NotNil(t, h, "%s: %s has the HPA line", name, format)
		assert.Equal(t, []string{num(doc.Plan["hpaMinReplicas"]), num(doc.Plan["hpaMaxReplicas"])}, h[1:], "%s: %s HPA", name, format)
		tot := total.FindStringSubmatch(text)
		require.NotNil(t, tot, "%s: %s has the total row:\n%s", name, format, text)
		for i, v := range []any{doc.Seed["yearlyCostUsd"], doc.Plan["atPeakYearlyCostUsd"], doc.Plan["yearlyCostUsd"]} {
			cents, _ := new(big.Rat).SetString(num(v))
			whole, _ := new(big.Rat).SetString(strings.ReplaceAll(tot[i+1], ",", ""))
			diff, _ := new(big.Rat).Sub(cents, whole).Float64()
			assert.LessOrEqual(t, diff*diff, 0.51*0.51, "%s: %s total %s vs JSON %s", name, format, tot[i+1], num(v))
		}
	}
}
