package livepatch

import "os"

// embedSaved reports, once per content, that a file the build embeds
// (//go:embed) changed: the running program keeps the content it was built
// with, and a save of Go code of its package is refused while it differs.
func (st *session) embedSaved(path string) {
	d, changed := st.m.changes.Build().EmbedChange(path)
	if !changed {
		st.mu.Lock()
		delete(st.seen, path) // as built again: a next change is told
		st.mu.Unlock()
		return
	}
	src, _ := os.ReadFile(path)
	st.mu.Lock()
	prev, told := st.seen[path]
	told = told && string(prev) == string(src)
	st.seen[path] = src
	st.mu.Unlock()
	if !told {
		st.report(d.String())
	}
}
