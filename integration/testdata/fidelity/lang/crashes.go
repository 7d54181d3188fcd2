package lang

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unsafe"
)

// Constructs on which yaegi v0.16.1's compiler crashed (see
// internal/rewrite/workaround/crashes.go and target/agent/ifacewrap).

// Shape is an interface of this package.
type Shape interface{ Area() int }

// shaper is an unexported interface with an unexported method.
type shaper interface{ scale(k int) Shape }

// Square is a Shape.
type Square struct{ Side int }

// Area implements Shape.
func (s Square) Area() int { return s.Side * s.Side }

func (s Square) scale(k int) Shape { return Square{s.Side * k} }

// ErrNoShape is what the shape finders return with no shape.
var ErrNoShape = errors.New("no shape")

// LargestShape returns the shape of largest area, or nil and ErrNoShape:
// a nil result of an interface type of the package.
func LargestShape(shapes []Shape) (Shape, error) {
	if len(shapes) == 0 {
		return nil, ErrNoShape
	}
	best := shapes[0]
	for _, s := range shapes[1:] {
		if s.Area() > best.Area() {
			best = s
		}
	}
	return best, nil
}

// Scaled scales s if it can be scaled, else returns nil: a nil result of
// an unexported interface type.
func Scaled(s Shape, k int) shaper {
	if sc, ok := s.(shaper); ok && k > 1 {
		return sc.scale(k).(shaper)
	}
	return nil
}

// AreaOrZero passes nil as an argument of interface type.
func AreaOrZero(s Shape) int {
	if s == nil {
		return areaOf(nil)
	}
	return areaOf(s)
}

func areaOf(s Shape) int {
	if s == nil {
		return 0
	}
	return s.Area()
}

// ReaderOf returns a standard library interface, nil for empty text.
func ReaderOf(text string) io.Reader {
	if text == "" {
		return nil
	}
	var r io.Reader = strings.NewReader(text)
	return r
}

// Mailbox holds channels in unexported fields.
type Mailbox struct {
	inbox   chan string
	byTopic map[string]chan int
	queues  []chan<- Shape
	Out     chan error
}

// NewMailbox makes a Mailbox with buffered channels.
func NewMailbox() *Mailbox {
	q := make(chan Shape, 1)
	return &Mailbox{
		inbox:   make(chan string, 1),
		byTopic: map[string]chan int{"a": make(chan int, 1)},
		queues:  []chan<- Shape{q},
		Out:     make(chan error, 1),
	}
}

// Post sends on channels that come from a compiled value: an unexported
// field, a map element, a slice element (by index) and an exported field.
func (m *Mailbox) Post(text string, n int, s Shape) {
	m.inbox <- text
	if ch, ok := m.byTopic["a"]; ok {
		ch <- n
	}
	for i := range m.queues {
		m.queues[i] <- s
	}
	m.Out <- nil
}

// Take receives what Post sent.
func (m *Mailbox) Take() (string, int, error) {
	return <-m.inbox, <-m.byTopic["a"], <-m.Out
}

// Slot is a destination for received values.
type Slot struct {
	Text string
	n    int
}

// Relay stores received values into fields, through a pointer, into a
// named result and a captured variable, and returns one.
func Relay(texts chan string, nums chan int, s *Slot, p *string) (named, captured, last string) {
	s.Text = <-texts
	s.n = <-nums
	*p = <-texts
	named = <-texts
	func() { captured = <-texts }()
	return named, captured, <-texts
}

// Index is a compiled type with methods, held by pointer.
type Index struct{ starts []int }

// Start returns where entry i starts.
func (x *Index) Start(i int) int { return x.starts[i] }

// Len returns the number of entries.
func (x *Index) Len() int { return len(x.starts) }

// Doc holds a pointer to an Index and a slice in unexported fields.
type Doc struct {
	index *Index
	words []string
}

// NewDoc makes a Doc.
func NewDoc(starts []int, words []string) *Doc {
	return &Doc{index: &Index{starts: starts}, words: words}
}

// defaultIndex is a package variable of pointer type.
var defaultIndex = &Index{starts: []int{0, 5}}

// extent is a struct type for positional literals.
type extent struct{ from, to int }

// Extents builds positional composite literals whose elements select on
// an unexported pointer field and a package pointer variable and slice an
// unexported slice field.
func Extents(d *Doc) ([]extent, []int, [][]string) {
	var out []extent
	for i := 0; i+1 < d.index.Len(); i++ {
		out = append(out, extent{d.index.Start(i), d.index.Start(i + 1)})
	}
	type pair struct {
		n     int
		words []string
	}
	p := pair{defaultIndex.Len(), d.words[:1]}
	return out, []int{p.n, defaultIndex.Start(1)}, [][]string{d.words[1:], p.words}
}

// Field reads a little-endian uint16 at off through unsafe.Pointer, and
// the address of an element of an array reached through a pointer.
func Field(buf *[8]byte, off int) uint16 {
	p := (*[2]byte)(unsafe.Pointer(&buf[off]))
	return uint16(p[0]) | uint16(p[1])<<8
}

// NameAt returns the NUL-terminated name at off in buf, as a slice of the
// buffer's own memory turned into a string.
func NameAt(buf *[16]byte, off, n int) string {
	b := (*[16]byte)(unsafe.Pointer(&buf[off]))[:n:n]
	for n > 0 && b[n-1] == 0 {
		n--
	}
	return string(b[:n])
}

// Bump increments element i of an array through its address.
func Bump(a *[4]int, i int) int {
	q := &a[i]
	*q++
	return a[i]
}

// Header is embedded in Envelope's decoding struct.
type Header struct {
	Seq  int    `json:"seq"`
	Kind string `json:"kind"`
}

// DecodeEnvelope decodes JSON into a struct that embeds Header among other
// fields: the promoted fields must be decoded (the function stays compiled).
func DecodeEnvelope(data []byte) (Header, string, error) {
	var m struct {
		Header
		Body string `json:"body"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return Header{}, "", err
	}
	return m.Header, m.Body, nil
}
