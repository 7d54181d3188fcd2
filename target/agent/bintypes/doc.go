// Package bintypes works around how yaegi v0.16.1 handles pointers to
// compiled types, without changing yaegi: it rewrites the source of a
// patch, its helpers or an evaluation before the agent compiles it.
//
// yaegi knows a compiled type T as a "binary" type backed by its
// reflect.Type. A pointer to it written in source, *T, becomes yaegi's own
// pointer type around that binary type, not the binary type *T. Selecting a
// method with a pointer receiver through such a pointer (matchSelectorMethod
// in yaegi's cfg.go, the branch for a pointer to a binary type) gives the
// selector the type of reflect's method expression, receiver included, and
// does not mark it as a method of a binary type, while the value it computes
// at run time is the method value, receiver bound. A call c.Inc() works,
// since the call passes the receiver itself, but a method value does not:
//
//	mv := c.Inc     // panics at run time: reflect.Set: value of type
//	                // func() int is not assignable to type func(*T) int
//	f(c.Inc)        // refused: cannot use type func(*T) int as type func() int
//
// Method expressions of compiled types, (*T).Inc and T.Label, fail in every
// form: they evaluate the method of a zero reflect.Value ("reflect: Method
// index out of range", "call of reflect.Value.Method on zero Value"), or are
// refused with "too many arguments".
//
// Through the binary type *T itself (a reflect.Type registered as a type,
// the way compiled results and fields of type *T already reach the
// interpreter) yaegi takes its branch for binary types, which handles method
// values correctly. So before compiling a replacement (and its helpers) or
// an evaluation, the agent rewrites its source with Rewrite, on the same
// lines:
//
//   - a pointer type *T, or *q.T, where T is a compiled type whose pointer
//     has methods beyond T's own, becomes lp_bin.P<n>_T, the binary type *T;
//   - &T{...}, new(T), and &v for a variable v the snippet declares with
//     type T (a parameter, a receiver, var v T, v := T{...}) are converted
//     to that type, so that the pointers they make behave the same;
//   - a method expression T.M or (*T).M of a compiled type becomes
//     lp_bin.M<n>_M, the compiled method expression taken with reflect
//     (reflect.Method.Func), which yaegi calls as any compiled function.
//
// The rewrite is syntactic: T must name a type registered for the patch's
// package (unqualified; for an evaluation, a package whose scope it sees)
// or for the package that q names in the snippet, and must not be declared
// in the snippet itself. (An evaluation cannot see what earlier inputs
// declared: an earlier variable named like a compiled type of the scope is
// taken for the type.) A pointer whose type the
// syntax does not tell (&s[i], &x.f, &v for v := f()) keeps yaegi's own
// pointer type: taking a method value of it still fails, and the agent
// reports that failure (see the agent's Repanic).
//
// Rewrite also refuses a struct type that embeds a compiled interface
// (embedded.go). The package holds no state of its own: a Symbols, one per
// interpreter, allocates and publishes the lp_bin symbols, and its caller
// serializes the use of it.
package bintypes
