package spelling

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	assert.Equal(t, 0, Distance("abc", "abc"))
	assert.Equal(t, 1, Distance("healthchek", "healthcheck"))
	assert.Equal(t, 1, Distance("requstpath", "requestpath"))
	assert.Equal(t, 3, Distance("", "abc"))
	assert.Equal(t, 2, Distance("ab", "ba"))
	assert.Equal(t, 1, Distance("zoné", "zone"), "runes, not bytes")
}

func TestClosest(t *testing.T) {
	fields := []string{"targetRps", "podTps", "complexity"}
	got, ok := Closest("targteRps", fields, 2)
	assert.True(t, ok)
	assert.Equal(t, "targetRps", got)
	got, ok = Closest("PODTPS", fields, 0)
	assert.True(t, ok, "case-insensitive")
	assert.Equal(t, "podTps", got)
	_, ok = Closest("zones", fields, 2)
	assert.False(t, ok, "nothing within the distance")
	got, _ = Closest("ab", []string{"ax", "ay"}, 1)
	assert.Equal(t, "ax", got, "the first of equals wins")
	_, ok = Closest("ab", []string{""}, 5)
	assert.False(t, ok, "an empty candidate is never suggested")
}
