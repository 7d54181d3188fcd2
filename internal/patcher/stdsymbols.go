package patcher

import (
	"bytes"
	"fmt"
	"go/types"
	"strconv"

	"github.com/livepatch/livepatch/internal/patcher/naming"
)

// stdSymbolsFileName is the file added (through the overlay) to every root
// package; it registers the exported symbols of the standard-library
// packages the program links, plus the default set.
const stdSymbolsFileName = "zz_livepatch_stdlib.go"

// stdSymbols generates the standard-library symbols file for root package
// self: for each package of std, a table (see symtable.go) of its exported
// functions, types, constants and variables (for a package in only, those
// of its names only), registered from an init with lp_register, which the
// package's symbols file declares. Generic functions and types are left out: yaegi
// takes them from source.
func stdSymbols(self *types.Package, std []*types.Package, only map[*types.Package]map[string]bool) []byte {
	// No lp_agent or lp_reflect: the tables are registered through the
	// package's lp_register.
	imports := naming.NewImports(self)
	var calls, tables bytes.Buffer
	for i, p := range std {
		if p.Path() == self.Path() {
			continue
		}
		local, ok := imports.Name(p.Path())
		if !ok {
			local = fmt.Sprintf("lp_s%d", imports.Len())
		}
		var syms bytes.Buffer
		scope := p.Scope()
		for _, name := range scope.Names() {
			obj := scope.Lookup(name)
			if names, restricted := only[p]; !obj.Exported() || restricted && !names[name] {
				continue
			}
			ref := local + "." + name
			switch o := obj.(type) {
			case *types.Func:
				if sig, ok := o.Type().(*types.Signature); ok && sig.TypeParams().Len() > 0 {
					continue
				}
				syms.WriteString(symEntry(name, ref, symValue))
			case *types.TypeName:
				if naming.GenericType(o) || naming.ConstraintType(o) {
					continue
				}
				syms.WriteString(symEntry(name, "(*"+ref+")(nil)", symValue))
			case *types.Const:
				if e, kind, ok := constEntry(o, ref); ok {
					syms.WriteString(symEntry(name, e, kind))
				}
			case *types.Var:
				syms.WriteString(symEntry(name, "&"+ref, symVar))
			}
		}
		if syms.Len() > 0 {
			imports.Add(p.Path(), local)
		}
		table := fmt.Sprintf("lp_std%d", i)
		fmt.Fprintf(&calls, "\tlp_register(%s, %s, %s[:])\n", strconv.Quote(p.Path()), strconv.Quote(p.Name()), table)
		writeSymTable(&tables, table, syms.Bytes())
	}
	var b bytes.Buffer
	b.WriteString(generatedHeader)
	fmt.Fprintf(&b, "package %s\n\n", self.Name())
	imports.Write(&b)
	b.WriteString("func init() {\n")
	b.Write(calls.Bytes())
	b.WriteString("}\n")
	b.Write(tables.Bytes())
	return b.Bytes()
}
