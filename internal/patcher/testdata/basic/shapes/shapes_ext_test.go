package shapes_test

import (
	"fmt"
	"testing"

	"example.com/basic/shapes"
)

func TestExternal(t *testing.T) {
	fmt.Println("external ok", shapes.Oneline(1))
}
