// Command nativemain is the fixture of package main's tests run with the
// native tier (`livepatch test --repatch=all --tier=native`): an
// unexported method of a type with an unexported field, which a plugin
// reaches through the package's native exports.
package main

import "fmt"

type tally struct{ n int }

// add adds k and returns the total.
func (t *tally) add(k int) int {
	t.n += k
	return t.n
}

func main() {
	var t tally
	fmt.Println(t.add(2), t.add(3))
}
