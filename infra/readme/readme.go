// Package readme rewrites the generated blocks of a Markdown file: the text
// between "<!-- NAME:begin … -->" and "<!-- NAME:end -->".
package readme

import (
	"fmt"
	"strings"
)

// Replace returns text with block name's content replaced by content.
func Replace(text, name, content string) (string, error) {
	i, j, err := bounds(text, name)
	if err != nil {
		return "", err
	}
	return text[:i] + "\n" + strings.Trim(content, "\n") + "\n" + text[j:], nil
}

// bounds are the offsets of block name's content: after the begin marker's
// "-->", up to the end marker.
func bounds(text, name string) (int, int, error) {
	begin, end := "<!-- "+name+":begin", "<!-- "+name+":end -->"
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		return 0, 0, fmt.Errorf("no %s … %s block", begin, end)
	}
	k := strings.Index(text[i:], "-->")
	if k < 0 || i+k > j {
		return 0, 0, fmt.Errorf("the %s marker is not closed with -->", begin)
	}
	return i + k + len("-->"), j, nil
}
