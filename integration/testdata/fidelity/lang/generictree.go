package lang

// runeKey is an untyped constant that indexes a map of runes.
const runeKey = 0x0

// tree is a generic trie (reduced from derekparker/trie): its generic
// methods call its unexported methods and a generic function of the
// package with their type parameter, and index a map of runes with an
// untyped constant.
type tree[T any] struct {
	children map[rune]*tree[T]
	val      T
}

// child returns the child of t at r, made when missing.
func (t *tree[T]) child(r rune) *tree[T] {
	if t.children == nil {
		t.children = map[rune]*tree[T]{}
	}
	c, ok := t.children[r]
	if !ok {
		c = &tree[T]{}
		t.children[r] = c
	}
	return c
}

// Put stores v at path.
func (t *tree[T]) Put(path string, v T) {
	n := t
	for _, r := range path {
		n = n.child(r)
	}
	n.child(runeKey).val = v
}

// Get returns the value at path.
func (t *tree[T]) Get(path string) (T, bool) {
	var zero T
	n := find(t, []rune(path))
	if n == nil || n.children == nil {
		return zero, false
	}
	leaf, ok := n.children[runeKey]
	if !ok {
		return zero, false
	}
	return leaf.val, true
}

// find returns the node at path.
func find[T any](t *tree[T], path []rune) *tree[T] {
	if t == nil || len(path) == 0 {
		return t
	}
	return find(t.children[path[0]], path[1:])
}

// TreeValues stores and reads values of two types.
func TreeValues() (int, bool, string, bool) {
	var ints tree[int]
	ints.Put("ab", 7)
	var words tree[string]
	words.Put("x", "y")
	i, iok := ints.Get("ab")
	_, missing := ints.Get("a")
	w, _ := words.Get("x")
	return i, iok && !missing, w, missing
}
