package held_test

import (
	"fmt"
	"os"
	"testing"

	"example.com/basic/held"
)

func init() { fmt.Println("xtest init") }

func TestMain(m *testing.M) {
	fmt.Println("user TestMain")
	os.Exit(m.Run())
}

func TestHalf(t *testing.T) {
	if got := held.Half(4); got != 2 {
		t.Fatalf("Half(4) = %d, want 2", got)
	}
}
