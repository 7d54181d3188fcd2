package bintypes

import (
	"sort"
	"strings"
)

// applyEdits applies non-overlapping edits to src. Insertions at the same
// offset keep their order.
func applyEdits(src string, edits []Edit) string {
	sorted := append([]Edit(nil), edits...)
	sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].From < sorted[b].From })
	var b strings.Builder
	at := 0
	for _, e := range sorted {
		b.WriteString(src[at:e.From])
		b.WriteString(e.Text)
		at = e.To
	}
	b.WriteString(src[at:])
	return b.String()
}

// OriginalColumn maps column col (1-based, in bytes) of line line (1-based)
// of the rewritten snippet back to the snippet src as given: a column
// inside a replacement maps to the replacement's start.
func OriginalColumn(src string, edits []Edit, line, col int) int {
	start := 0 // offset of line's start in src
	for l := 1; l < line; l++ {
		k := strings.IndexByte(src[start:], '\n')
		if k < 0 {
			return col
		}
		start += k + 1
	}
	end := len(src)
	if k := strings.IndexByte(src[start:], '\n'); k >= 0 {
		end = start + k
	}
	sorted := append([]Edit(nil), edits...)
	sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].From < sorted[b].From })
	orig, rew := start, start // walk the line in both texts
	target := start + col - 1 // offset in the rewritten text, counted from src's line start
	for _, e := range sorted {
		if e.From < start || e.From > end {
			continue
		}
		// Unchanged text up to the edit.
		if target < rew+(e.From-orig) {
			break
		}
		rew += e.From - orig
		orig = e.From
		if target < rew+len(e.Text) {
			return orig - start + 1
		}
		rew += len(e.Text)
		orig = e.To
	}
	return orig + (target - rew) - start + 1
}
