package lang

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Interfaces of the kinds the builder writes wrappers for
// (internal/patcher/wrappers): yaegi converts an interpreted value to a
// compiled interface through them, nil included. Repatched, these
// functions convert nil and compiled values; values of types that a live
// edit declares are exercised by integration/ifacewrap_test.go. A struct
// type that embeds a compiled interface cannot be passed as an interface
// by yaegi; the agent refuses it, and those functions stay compiled.

// Polygon is an interface of this package.
type Polygon interface {
	Sides() int
	Name() string
}

// Labeled embeds Polygon: its method set is Polygon's and Label.
type Labeled interface {
	Polygon
	Label(prefix string, parts ...string) (string, error)
}

// meter is unexported, with an unexported method that names an unexported
// type, is variadic and has two results.
type meter interface {
	measure(u *unit, extra ...int) (int, error)
}

type unit struct{ scale int }

// Triangle is a Labeled and a meter.
type Triangle struct{ tag string }

// Sides implements Polygon.
func (Triangle) Sides() int { return 3 }

// Name implements Polygon.
func (t Triangle) Name() string { return "triangle " + t.tag }

// Label implements Labeled.
func (t Triangle) Label(prefix string, parts ...string) (string, error) {
	if prefix == "" {
		return "", errors.New("no prefix")
	}
	return prefix + ":" + strings.Join(append([]string{t.tag}, parts...), ","), nil
}

func (t Triangle) measure(u *unit, extra ...int) (int, error) {
	n := t.Sides() * u.scale
	for _, e := range extra {
		n += e
	}
	return n, nil
}

func describePolygon(p Polygon) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprintf("%s/%d", p.Name(), p.Sides())
}

// LabelAll labels each of ls, spreading parts into the variadic method,
// and describes it as a Polygon; a nil Labeled is described as none.
func LabelAll(ls []Labeled, prefix string, parts ...string) []string {
	var out []string
	for _, l := range ls {
		if l == nil {
			out = append(out, describePolygon(nil))
			continue
		}
		s, err := l.Label(prefix, parts...)
		if err != nil {
			s = "error: " + err.Error()
		}
		out = append(out, s+" "+describePolygon(l))
	}
	return out
}

// FindLabeled returns the first Labeled among ps, or nil and an error: a
// nil result of an interface with an embedded interface.
func FindLabeled(ps []Polygon) (Labeled, error) {
	for _, p := range ps {
		if l, ok := p.(Labeled); ok {
			return l, nil
		}
	}
	return nil, errors.New("no labeled polygon")
}

// MeasureOrZero measures with m, or with nothing: nil as an argument of an
// unexported interface.
func MeasureOrZero(m meter, scale int) (int, error) {
	if m == nil {
		return measureWith(nil, scale)
	}
	return measureWith(m, scale)
}

func measureWith(m meter, scale int) (int, error) {
	if m == nil {
		return 0, nil
	}
	return m.measure(&unit{scale}, 1, 2)
}

// DescribeShell passes a value of a local struct type embedding the
// compiled Triangle as a Polygon: the struct has Triangle's methods itself.
func DescribeShell(tag string) string {
	type shell struct{ Triangle }
	return describePolygon(shell{Triangle{tag}})
}

// DescribeBoxed passes a local struct embedding a Polygon as a Polygon.
// (Stays compiled: the struct embeds a compiled interface.)
func DescribeBoxed(p Polygon) string {
	type boxed struct{ Polygon }
	return describePolygon(boxed{p})
}

// MeasureEmbedded passes a local struct embedding a meter as a meter.
// (Stays compiled: the struct embeds a compiled interface.)
func MeasureEmbedded(m meter, scale int) (int, error) {
	type wrapped struct{ meter }
	return measureWith(wrapped{m}, scale)
}

// ReadHidden reads through an unnamed struct embedding io.Reader, which
// hides the reader's other methods. (Stays compiled: the struct embeds a
// compiled interface.)
func ReadHidden(text string) (string, error) {
	b, err := io.ReadAll(struct{ io.Reader }{strings.NewReader(text)})
	return string(b), err
}

// SortDescending sorts through an unnamed struct embedding sort.Interface.
// (Stays compiled: the struct embeds a compiled interface.)
func SortDescending(xs []int) []int {
	sort.Sort(sort.Reverse(struct{ sort.Interface }{sort.IntSlice(xs)}))
	return xs
}
