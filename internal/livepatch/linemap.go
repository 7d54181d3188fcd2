package livepatch

import "bytes"

// maxDiffCells bounds the table of the line diff's middle part (the lines
// left once the common head and tail are set aside); a larger rewrite maps
// only its head and tail.
const maxDiffCells = 4 << 20

// lineMap maps the lines of a file as the build compiled it to the lines
// of the file as it is now, and back: a line diff of the two texts. Lines
// are 1-based; 0 means the line has no counterpart (it was changed, added
// or removed).
type lineMap struct {
	toCurrent  []int // by compiled line
	toCompiled []int // by current line
}

// newLineMap diffs compiled against current.
func newLineMap(compiled, current []byte) *lineMap {
	a, b := splitLines(compiled), splitLines(current)
	m := &lineMap{toCurrent: make([]int, len(a)+1), toCompiled: make([]int, len(b)+1)}
	head := 0
	for head < len(a) && head < len(b) && bytes.Equal(a[head], b[head]) {
		m.pair(head, head)
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && bytes.Equal(a[len(a)-1-tail], b[len(b)-1-tail]) {
		m.pair(len(a)-1-tail, len(b)-1-tail)
		tail++
	}
	m.lcs(a[head:len(a)-tail], b[head:len(b)-tail], head)
	return m
}

// pair records that compiled line i and current line j (0-based) are one.
func (m *lineMap) pair(i, j int) {
	m.toCurrent[i+1] = j + 1
	m.toCompiled[j+1] = i + 1
}

// lcs pairs the lines of a longest common subsequence of a and b, which
// start at line off (0-based) of both texts.
func (m *lineMap) lcs(a, b [][]byte, off int) {
	if len(a) == 0 || len(b) == 0 || len(a)*len(b) > maxDiffCells {
		return
	}
	w := len(b) + 1
	t := make([]int32, (len(a)+1)*w) // t[i*w+j]: LCS length of a[i:], b[j:]
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			switch {
			case bytes.Equal(a[i], b[j]):
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			case t[(i+1)*w+j] >= t[i*w+j+1]:
				t[i*w+j] = t[(i+1)*w+j]
			default:
				t[i*w+j] = t[i*w+j+1]
			}
		}
	}
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case bytes.Equal(a[i], b[j]):
			m.pair(off+i, off+j)
			i, j = i+1, j+1
		case t[(i+1)*w+j] >= t[i*w+j+1]:
			i++
		default:
			j++
		}
	}
}

// current returns the current line of compiled line n, or 0.
func (m *lineMap) current(n int) int {
	if m == nil {
		return n
	}
	if n < 1 || n >= len(m.toCurrent) {
		return 0
	}
	return m.toCurrent[n]
}

// compiled returns the compiled line of current line n, or 0.
func (m *lineMap) compiled(n int) int {
	if m == nil {
		return n
	}
	if n < 1 || n >= len(m.toCompiled) {
		return 0
	}
	return m.toCompiled[n]
}

// splitLines splits src into lines without their line ends.
func splitLines(src []byte) [][]byte {
	lines := bytes.Split(src, []byte("\n"))
	if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
		lines = lines[:n-1]
	}
	for i, l := range lines {
		lines[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	return lines
}
