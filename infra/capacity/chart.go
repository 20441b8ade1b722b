package capacity

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// ChartTitle is the chart's title for a stack.
func ChartTitle(stack string) string {
	return fmt.Sprintf("django-gke %s: yearly cost against load, by platform (autoscaled)", stack)
}

// chartColors are the platforms' line colors, in Platforms' order.
var chartColors = []string{"#9e9e9e", "#1a73e8", "#34a853", "#fbbc04", "#ff9900", "#0078d4", "#8e24aa"}

// WriteChart draws the comparison as an SVG: yearly cost against request
// rate, both on log scales, a line per platform (the seed's dashed), and a
// labelled marker at every crossover. Deterministic: the same comparison
// always gives the same bytes.
func WriteChart(w io.Writer, title string, c *Comparison) error {
	const width, height = 980.0, 560.0
	const left, right, top, bottom = 90.0, 410.0, 50.0, 60.0
	plotW, plotH := width-left-right, height-top-bottom
	minUSD, maxUSD := math.Inf(1), 0.0
	for _, cv := range c.Curves {
		for _, v := range cv.USD {
			f, _ := v.Float64()
			minUSD, maxUSD = math.Min(minUSD, f), math.Max(maxUSD, f)
		}
	}
	lo, hi := math.Floor(math.Log10(minUSD)), math.Ceil(math.Log10(maxUSD))
	x := func(rps float64) float64 {
		return left + plotW*math.Log10(rps/ChartFromRPS)/math.Log10(float64(ChartToRPS)/ChartFromRPS)
	}
	y := func(usd float64) float64 { return top + plotH*(1-(math.Log10(usd)-lo)/(hi-lo)) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="28" font-size="16" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(title))
	// Axes and grid: a line per decade of cost, ticks at 100, 1k, 10k… req/s.
	for d := lo; d <= hi; d++ {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e0e0e0"/>`+"\n", left, y(math.Pow(10, d)), left+plotW, y(math.Pow(10, d)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y(math.Pow(10, d))+4, usdLabel(math.Pow(10, d)))
	}
	for _, rps := range []float64{100, 1000, 10000, 50000} {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e0e0e0"/>`+"\n", x(rps), top, x(rps), top+plotH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x(rps), top+plotH+18, rpsLabel(rps))
	}
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#616161"/>`+"\n", left, top, plotW, plotH)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">target request rate (req/s, log scale)</text>`+"\n", left+plotW/2, height-18)
	fmt.Fprintf(&b, `<text x="20" y="%.1f" transform="rotate(-90 20 %.1f)" text-anchor="middle">yearly cost, USD (log scale)</text>`+"\n", top+plotH/2, top+plotH/2)
	for i, cv := range c.Curves {
		var pts []string
		for j, v := range cv.USD {
			f, _ := v.Float64()
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(float64(c.Loads[j])), y(f)))
		}
		dash := ""
		if cv.Platform.Key == "seed" {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&b, `<polyline data-platform="%s" points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n",
			cv.Platform.Key, strings.Join(pts, " "), chartColors[i%len(chartColors)], dash)
		ly := top + 10 + float64(i)*22
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"%s/>`+"\n", left+plotW+16, ly, left+plotW+40, ly, chartColors[i%len(chartColors)], dash)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", left+plotW+46, ly+4, html.EscapeString(shortName(cv.Platform)))
	}
	// Crossovers: a numbered marker on the curves, the numbers explained
	// under the legend (labels beside markers would overlap where several
	// curves cross at nearby loads).
	listTop := top + 10 + float64(len(c.Curves))*22 + 16
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-weight="bold">Crossovers</text>`+"\n", left+plotW+16, listTop)
	for i, xo := range c.Crossovers {
		cx, cy := x(float64(xo.RPS)), y(crossingUSD(c, xo))
		fmt.Fprintf(&b, `<circle data-crossover="%d" cx="%.1f" cy="%.1f" r="4" fill="#000000"/>`+"\n", xo.RPS, cx, cy)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="9">%d</text>`+"\n", cx+5, cy-5, i+1)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10">%s</text>`+"\n", left+plotW+16, listTop+16+float64(i)*14,
			html.EscapeString(fmt.Sprintf("%d: %s = %s at %s req/s", i+1, shortName(xo.CheaperBelow), shortName(xo.CheaperAbove), thousands(xo.RPS))))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// crossingUSD is the cheaper-above platform's cost at the load nearest the crossover.
func crossingUSD(c *Comparison, xo Crossover) float64 {
	best := 0
	for i, l := range c.Loads {
		if math.Abs(math.Log(float64(l))-math.Log(float64(xo.RPS))) < math.Abs(math.Log(float64(c.Loads[best]))-math.Log(float64(xo.RPS))) {
			best = i
		}
	}
	for _, cv := range c.Curves {
		if cv.Platform.Key == xo.CheaperAbove.Key {
			f, _ := cv.USD[best].Float64()
			return f
		}
	}
	return 1
}

func shortName(p Platform) string {
	name, _, _ := strings.Cut(p.Name, " (")
	name, _, _ = strings.Cut(name, ",")
	return name
}

func usdLabel(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.0fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// thousands writes 26576 as 26,576.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func rpsLabel(v float64) string {
	if v >= 1000 && math.Mod(v, 1000) == 0 {
		return fmt.Sprintf("%.0fk", v/1000)
	}
	return fmt.Sprintf("%.0f", v)
}
