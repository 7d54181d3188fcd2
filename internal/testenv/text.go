package testenv

import "strings"

// ContainsInOrder reports whether text holds the strings of want in order,
// each after the end of the one before.
func ContainsInOrder(text string, want []string) bool {
	_, ok := endOf(text, want)
	return ok
}

// endOf returns where the last of want ends in text, finding each after the
// end of the one before, and whether all were found.
func endOf(text string, want []string) (int, bool) {
	end := 0
	for _, w := range want {
		i := strings.Index(text[end:], w)
		if i < 0 {
			return 0, false
		}
		end += i + len(w)
	}
	return end, true
}
