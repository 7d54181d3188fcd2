package replsyntax

import "testing"

func TestIncomplete(t *testing.T) {
	for src, want := range map[string]bool{
		"x":                          false,
		"func f() {":                 true,
		"for i := 0; i < 3; i++ {":   true,
		"fmt.Println(1,":             true,
		"x +":                        true,
		"x++":                        false,
		"s := `a":                    true,
		"func f() {\n\treturn\n}":    false,
		"dlv help":                   false,
		"m := map[string]int{\"a\":": true,
	} {
		if got := Incomplete(src); got != want {
			t.Errorf("Incomplete(%q): got %v, want %v", src, got, want)
		}
	}
}
