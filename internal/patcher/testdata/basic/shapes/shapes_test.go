package shapes

import (
	"fmt"
	"testing"
)

func TestCounter(t *testing.T) {
	c := &Counter{}
	if got := c.Add(2); got != 2 {
		t.Fatalf("got %d, want 2", got)
	}
	fmt.Println("counter ok", Sum(1, 2), helper())
}

func helper() string { return "helper" }
