package config

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math/big"
)

// podTpsJSON is written by `make bench-apply` from `make bench`'s results:
// the requests per second one core of the app pod served on the db endpoint
// through nginx, with where and how it was measured.
//
//go:embed podtps.json
var podTpsJSON []byte

// Measurement is the benchmark result the capacity model's TPS comes from.
type Measurement struct {
	RPSPerCore json.Number `json:"rpsPerCore"`
	Server     string      `json:"server"`
	Endpoint   string      `json:"endpoint"`
	Path       string      `json:"path"`
	Date       string      `json:"date"`
	Machine    string      `json:"machine"`
	Command    string      `json:"command"`
	Source     string      `json:"source"`
	// Cache is the cached db endpoint's measurement (absent before the cache existed).
	Cache *CacheMeasurement `json:"cache,omitempty"`
}

// CacheMeasurement is what make bench measured with the cache server on.
type CacheMeasurement struct {
	// HitRPSPerCore is the cached db endpoint's req/s per core on cache hits, via nginx.
	HitRPSPerCore json.Number `json:"hitRpsPerCore"`
	// HitRatio is the app's hit ratio (X-Cache hits / cacheable answers) of
	// make bench's readers and voters (db-cached-mixed via nginx).
	HitRatio json.Number `json:"hitRatio"`
	// Workload says what the mixed workload was (reads, votes, server, command, date).
	Workload string `json:"workload"`
}

// Measured returns the committed benchmark measurement.
func Measured() (Measurement, error) {
	var m Measurement
	if err := json.Unmarshal(podTpsJSON, &m); err != nil {
		return m, fmt.Errorf("infra/config/podtps.json: %w", err)
	}
	if _, err := ParseDecimal(m.RPSPerCore.String()); err != nil {
		return m, fmt.Errorf("infra/config/podtps.json: rpsPerCore %q: %v", m.RPSPerCore, err)
	}
	if c := m.Cache; c != nil {
		if d, err := ParseDecimal(c.HitRPSPerCore.String()); err != nil || d.Sign() <= 0 {
			return m, fmt.Errorf("infra/config/podtps.json: cache.hitRpsPerCore %q must be a number > 0", c.HitRPSPerCore)
		}
		if d, err := ParseDecimal(c.HitRatio.String()); err != nil || d.Sign() < 0 || d.Cmp(DecimalFromInt(1)) > 0 {
			return m, fmt.Errorf("infra/config/podtps.json: cache.hitRatio %q must be in [0, 1]", c.HitRatio)
		}
	}
	return m, nil
}

// perPod scales a measured req/s per core to a pod's CPU request (millicores).
func perPod(perCore json.Number, milliCPU int64) Decimal {
	tps := new(big.Rat).Mul(MustDecimal(perCore.String()).Rat(), big.NewRat(milliCPU, 1000))
	return Decimal{rat: tps}
}
