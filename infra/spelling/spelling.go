// Package spelling finds the name a typo most likely meant, for "did you
// mean …?" hints in configuration and manifest errors.
package spelling

import "strings"

// Closest returns the candidate nearest to word (case-insensitive edit
// distance) when it is at most maxDistance away; the first such candidate
// wins a tie.
func Closest(word string, candidates []string, maxDistance int) (string, bool) {
	best, bestDistance := "", maxDistance+1
	for _, c := range candidates {
		if d := Distance(strings.ToLower(word), strings.ToLower(c)); c != "" && d < bestDistance {
			best, bestDistance = c, d
		}
	}
	return best, best != ""
}

// Distance is the Levenshtein distance between a and b, in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
