package infra

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// skippedSource are build by-products that must not change the image tag.
var skippedSource = map[string]bool{"__pycache__": true, "staticfiles": true, ".pytest_cache": true, "node_modules": true}

// sourceTag is a content hash of the image's build context ("src-<12 hex>"):
// the same sources always get the same tag, so a tag names what was built.
// (Pods still run the digest; the tag is for people reading the registry.)
func sourceTag(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skippedSource[d.Name()] {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(d.Name(), ".pyc") || !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
		_, err = io.Copy(h, f)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("hashing the image's build context %s: %w", dir, err)
	}
	return "src-" + hex.EncodeToString(h.Sum(nil))[:12], nil
}
