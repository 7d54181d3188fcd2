// Package naming says what the code the builder generates into a package
// can write: which types it can name (Nameable: no unexported type of
// another package, no type parameter, no local type), which packages it
// can import (Importable, ImportableFrom: no internal package of another
// tree, no vendored or main package), which type names it leaves alone
// (GenericType, ConstraintType), and the private names it imports packages
// under (Imports). WalkTypes visits the types a type is written with, for
// these questions and the rewriter's of the same shape.
package naming
