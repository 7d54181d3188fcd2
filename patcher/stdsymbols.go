package patcher

import (
	"bytes"
	"fmt"
	"go/types"
	"strconv"
)

// stdSymbolsFileName is the file added (through the overlay) to every root
// package; it registers the exported symbols of the standard-library
// packages the program links, plus the default set.
const stdSymbolsFileName = "zz_livepatch_stdlib.go"

// stdSymbols generates the standard-library symbols file for root package
// self: for each package of std, its exported functions, types, constants
// and variables, in yaegi's Exports shape, registered with
// agent.RegisterPackage. Generic functions and types are left out: yaegi
// takes them from source.
func stdSymbols(self *types.Package, std []*types.Package) []byte {
	imports := newImportSet(self)
	var body bytes.Buffer
	for _, p := range std {
		if p.Path() == self.Path() {
			continue
		}
		local := imports.names[p.Path()]
		if local == "" {
			local = fmt.Sprintf("lp_s%d", len(imports.order))
		}
		var syms bytes.Buffer
		scope := p.Scope()
		for _, name := range scope.Names() {
			obj := scope.Lookup(name)
			if !obj.Exported() {
				continue
			}
			ref := local + "." + name
			switch o := obj.(type) {
			case *types.Func:
				if sig, ok := o.Type().(*types.Signature); ok && sig.TypeParams().Len() > 0 {
					continue
				}
				fmt.Fprintf(&syms, "\t\t%q: lp_reflect.ValueOf(%s),\n", name, ref)
			case *types.TypeName:
				if genericType(o) || constraintType(o) {
					continue
				}
				fmt.Fprintf(&syms, "\t\t%q: lp_reflect.ValueOf((*%s)(nil)),\n", name, ref)
			case *types.Const:
				if e, ok := constExpr(o, ref, imports); ok {
					fmt.Fprintf(&syms, "\t\t%q: %s,\n", name, e)
				}
			case *types.Var:
				fmt.Fprintf(&syms, "\t\t%q: lp_reflect.ValueOf(&%s).Elem(),\n", name, ref)
			}
		}
		if syms.Len() > 0 {
			imports.add(p.Path(), local)
		}
		fmt.Fprintf(&body, "\tlp_agent.RegisterPackage(%s, %s, map[string]lp_reflect.Value{\n", strconv.Quote(p.Path()), strconv.Quote(p.Name()))
		body.Write(syms.Bytes())
		body.WriteString("\t})\n")
	}
	var b bytes.Buffer
	b.WriteString(generatedHeader)
	fmt.Fprintf(&b, "package %s\n\n", self.Name())
	imports.write(&b)
	b.WriteString("func init() {\n")
	b.Write(body.Bytes())
	b.WriteString("}\n")
	return b.Bytes()
}
