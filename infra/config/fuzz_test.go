package config

import (
	"errors"
	"testing"
)

// FuzzConfig feeds arbitrary JSON to the loader under every project key: the
// loader must never panic, and must return either a valid configuration or
// Problems naming a key.
func FuzzConfig(f *testing.F) {
	seeds := []struct {
		key int
		raw string
	}{
		{6, `{"targetRps": -5}`},
		{6, `{"targetRps": 1e999999999, "podTps": "12.5"}`},
		{2, `{"authorizedNetworks": [{"name": "office", "cidr": "203.0.113.0/24"}], "minNodes": 3}`},
		{2, `{"authorizedNetworks": [null, {"cidr": 5}]}`},
		{5, `{"settings": {"A": "b", "DJANGO_DEBUG": "1"}}`},
		{4, `{"ref": "europe-docker.pkg.dev/p/r/app@sha256:` + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + `"}`},
		{0, `prd`},
		{1, `{"cidr": "10.0.0.0/8", "podsCidr": "10.0.0.0/8"}`},
		{9, `{"strategy": "blueGreen", "activeColor": "green"}`},
		{3, `[]`}, {3, `null`}, {3, `"x"`}, {3, `{"diskGb": 1e3}`}, {7, `{"domainUsdPerYear": "-0"}`},
	}
	for _, s := range seeds {
		f.Add(s.key, s.raw)
	}
	keys := ProjectKeys()
	f.Fuzz(func(t *testing.T, key int, raw string) {
		if key < 0 {
			key = -key
		}
		values := map[string]string{
			KeyProject:               "acme-django-fuzz",
			KeyRegion:                "us-central1",
			Key(keys[key%len(keys)]): raw,
		}
		c, err := Load(values)
		if c == nil {
			t.Fatal("Load must always return the configuration it built")
		}
		if err == nil {
			if problems := c.Validate(); len(problems) > 0 {
				t.Fatalf("Load accepted a configuration that Validate rejects: %v", problems)
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("error is not a list of problems: %v", err)
		}
		for _, p := range ps {
			if p.Key == "" || p.Rule == "" {
				t.Fatalf("problem without key or rule: %#v", p)
			}
		}
	})
}
