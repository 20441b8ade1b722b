package capacity

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
)

// ChartFromRPS and ChartToRPS bound the comparison's load axis (req/s).
const (
	ChartFromRPS = 100
	ChartToRPS   = 50_000
	chartPoints  = 41 // on a log scale: 10 a decade and a bit
)

// Curve is one platform's yearly cost at each load of Loads.
type Curve struct {
	Platform Platform
	USD      []*big.Rat
}

// Crossover is where two platforms' yearly costs cross: below RPS Cheaper
// Below is the cheaper of the two, from RPS on the other.
type Crossover struct {
	RPS                        int64
	CheaperBelow, CheaperAbove Platform
}

// Comparison is the platforms at the stack's target and across loads.
type Comparison struct {
	AtTarget   []PlatformCost
	Loads      []int64
	Curves     []Curve
	Crossovers []Crossover
}

// ChartLoads are the request rates of the curves: ChartFromRPS to ChartToRPS on a log scale.
func ChartLoads() []int64 {
	out := make([]int64, chartPoints)
	ratio := math.Log(float64(ChartToRPS) / float64(ChartFromRPS))
	for i := range out {
		out[i] = int64(math.Round(float64(ChartFromRPS) * math.Exp(ratio*float64(i)/float64(chartPoints-1))))
	}
	return out
}

// atLoad is the stack's inputs at another request rate. The database tier
// stays (its connection ceiling is lifted: beyond it a pooler), as do the
// machine and every price: only the load moves.
func atLoad(in Inputs, rps int64) Inputs {
	in.TargetRPS = rat(rps)
	in.SQLMaxConnections = math.MaxInt32
	in.MaxNodes = 0
	in.Cache = nil
	return in
}

func costsAt(in Inputs, rps int64, o map[string]*big.Rat) ([]PlatformCost, error) {
	p, err := Compute(atLoad(in, rps))
	if err != nil {
		return nil, err
	}
	return platformCosts(p.Inputs, p, o), nil
}

// ComparePlatformsOverLoad prices the stack on every platform at its
// targetRps and across ChartLoads, and finds where the curves cross.
func ComparePlatformsOverLoad(in Inputs, o map[string]*big.Rat) (*Comparison, error) {
	if err := checkOverrides(o); err != nil {
		return nil, err
	}
	// Without the cache server: each platform's cache is priced differently,
	// and the comparison is of running the same pods.
	in.Cache = nil
	p, err := Compute(in)
	if err != nil {
		return nil, err
	}
	c := &Comparison{AtTarget: platformCosts(in, p, o), Loads: ChartLoads()}
	for _, pl := range Platforms {
		c.Curves = append(c.Curves, Curve{Platform: pl})
	}
	for _, rps := range c.Loads {
		costs, err := costsAt(in, rps, o)
		if err != nil {
			return nil, fmt.Errorf("at %d req/s: %w", rps, err)
		}
		for i, pc := range costs {
			c.Curves[i].USD = append(c.Curves[i].USD, pc.Estimate.YearlyUSD)
		}
	}
	c.Crossovers, err = crossovers(in, o, c)
	return c, err
}

// crossovers finds, for every pair of platforms (the seed's row aside), each
// load where the cheaper one changes: between two chart points whose order
// differs, a bisection on whole req/s finds the first load of the new order.
func crossovers(in Inputs, o map[string]*big.Rat, c *Comparison) ([]Crossover, error) {
	var out []Crossover
	for a := 1; a < len(Platforms); a++ {
		for b := a + 1; b < len(Platforms); b++ {
			for i := 0; i+1 < len(c.Loads); i++ {
				before := c.Curves[a].USD[i].Cmp(c.Curves[b].USD[i])
				after := c.Curves[a].USD[i+1].Cmp(c.Curves[b].USD[i+1])
				if before == 0 || after == 0 || before == after {
					continue
				}
				lo, hi := c.Loads[i], c.Loads[i+1] // order "before" at lo, "after" at hi
				for hi-lo > 1 {
					mid := (lo + hi) / 2
					costs, err := costsAt(in, mid, o)
					if err != nil {
						return nil, err
					}
					if costs[a].Estimate.YearlyUSD.Cmp(costs[b].Estimate.YearlyUSD) == after {
						hi = mid
					} else {
						lo = mid
					}
				}
				below, above := Platforms[a], Platforms[b]
				if before > 0 {
					below, above = above, below
				}
				out = append(out, Crossover{RPS: hi, CheaperBelow: below, CheaperAbove: above})
			}
		}
	}
	return out, nil
}

// WriteComparison renders the platforms at the target (table or markdown):
// every platform line by line, yearly and per 1M requests, its dominant
// term, what does not carry over, and the crossovers.
func WriteComparison(w io.Writer, stack string, targetRPS *big.Rat, c *Comparison, markdown bool) {
	h := fmt.Sprintf("Platforms compared: %s at %s req/s", stack, decimal(targetRPS))
	if markdown {
		h = "#### " + h
	}
	fmt.Fprintf(w, "%s\n\nThe same pods (same measured TPS, without the cache server), bytes and database on each platform; yearly, autoscaled. Prices: GCP as in the plan (%s); the others %s, each overridable with django-gke:cost.platformPrices.<key>.\n\n", h, PricesAsOf, PlatformPricesAsOf)
	rows := [][]string{{"platform", "yearly USD", "per 1M requests", "dominant term", "does not carry over"}}
	for _, pc := range c.AtTarget {
		e := pc.Estimate
		perM := "—"
		if e.CostPerMillion != nil {
			perM = cents(e.CostPerMillion)
		}
		d := e.Dominant()
		share := new(big.Rat).Quo(mul(d.YearlyUSD, rat(100)), e.YearlyUSD)
		rows = append(rows, []string{pc.Platform.Name, dollars(e.YearlyUSD), perM, fmt.Sprintf("%s (%s %%)", d.Name, share.FloatString(0)), pc.Platform.DoesNotCarryOver})
	}
	table(w, rows, markdown)
	for _, pc := range c.AtTarget[1:] {
		fmt.Fprintf(w, "\n%s:\n\n", pc.Platform.Name)
		rows := [][]string{{"cost", "USD a year", "how"}}
		for _, l := range pc.Estimate.Lines {
			rows = append(rows, []string{l.Name, dollars(l.YearlyUSD), l.Detail})
		}
		table(w, rows, markdown)
	}
	fmt.Fprintf(w, "\nWhere the curves cross (%d to %d req/s):\n\n", ChartFromRPS, ChartToRPS)
	for _, x := range c.Crossovers {
		fmt.Fprintf(w, "- %s\n", x)
	}
	if len(c.Crossovers) == 0 {
		fmt.Fprintln(w, "- none: the order of the platforms is the same at every load")
	}
}

func (x Crossover) String() string {
	return fmt.Sprintf("below %d req/s %s is cheaper than %s; from %d req/s on, %s", x.RPS, x.CheaperBelow.Name, x.CheaperAbove.Name, x.RPS, x.CheaperAbove.Name)
}

// ComparisonJSON is the machine-readable comparison.
func ComparisonJSON(stack string, c *Comparison) map[string]any {
	money := func(r *big.Rat) json.Number { return json.Number(r.FloatString(2)) }
	var platforms []map[string]any
	for _, pc := range c.AtTarget {
		e := pc.Estimate
		m := map[string]any{"key": pc.Platform.Key, "name": pc.Platform.Name, "yearlyUsd": money(e.YearlyUSD),
			"dominant": e.Dominant().Key, "doesNotCarryOver": pc.Platform.DoesNotCarryOver, "lines": e.Lines}
		if e.CostPerMillion != nil {
			m["costPerMillionRequestsUsd"] = json.Number(e.CostPerMillion.FloatString(4))
		}
		platforms = append(platforms, m)
	}
	curves := map[string][]json.Number{}
	for _, cv := range c.Curves {
		for _, v := range cv.USD {
			curves[cv.Platform.Key] = append(curves[cv.Platform.Key], money(v))
		}
	}
	var xs []map[string]any
	for _, x := range c.Crossovers {
		xs = append(xs, map[string]any{"rps": x.RPS, "cheaperBelow": x.CheaperBelow.Key, "cheaperAbove": x.CheaperAbove.Key})
	}
	return map[string]any{"stack": stack, "pricesAsOf": PlatformPricesAsOf, "platforms": platforms,
		"loads": c.Loads, "curvesYearlyUsd": curves, "crossovers": xs}
}
