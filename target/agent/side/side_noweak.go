//go:build !go1.24

package side

import "fmt"

// Field panics: the side table needs package weak, Go 1.24.
func Field(p any, key string, mk func() any) any {
	panic(fmt.Sprintf("livepatch: field %s added by a live change needs a program built with Go 1.24 or later: restart to use it", key))
}
