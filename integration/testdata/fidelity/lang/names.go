package lang

import (
	stdcmp "cmp"

	"github.com/livepatch/livepatch/integration/testdata/fidelity/cmp"
)

// Compared calls a function of a package named cmp that is not the
// standard library's, beside the standard one.
func Compared(a, b []int) (bool, int) {
	return cmp.Equal(a, b), stdcmp.Compare(len(a), len(b))
}
