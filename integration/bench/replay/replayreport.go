package replay

import (
	"fmt"
	"slices"
	"strings"

	"github.com/livepatch/livepatch/integration/bench/internal/benchkit"
)

// Step is one pair of consecutive published versions of a replay
// module: the newer's changes saved into the older's program under
// livepatch, and what came of it.
type Step struct {
	Module   string   `json:"module"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	Outcome  string   `json:"outcome"`           // applied, refused, failed or skipped
	Skipped  string   `json:"skipped,omitempty"` // why a skipped pair was not replayed
	Reasons  []string `json:"reasons,omitempty"` // the refusals' groups
	Failures []string `json:"failures,omitempty"`
	Patched  int      `json:"patched"` // "patched" lines
	Files    []File   `json:"files,omitempty"`
	// LikeFresh is set for an applied pair: whether the patched program
	// answered the probe as a fresh build of the newer version does.
	LikeFresh *bool `json:"likeFresh,omitempty"`
	// ProbeSeesChange: the older version answered the probe otherwise than
	// the fresh build of the newer, so the probe can tell them apart.
	ProbeSeesChange bool     `json:"probeSeesChange,omitempty"`
	Unlike          []string `json:"unlike,omitempty"`       // requests answered unlike the fresh build
	UnlikeDetail    []string `json:"unlikeDetail,omitempty"` // the first few, with both answers
	Probed          int      `json:"probed,omitempty"`       // requests compared
	Unstable        []string `json:"unstable,omitempty"`     // requests left out: answered otherwise by two probes of the fresh build
	Seconds         float64  `json:"seconds"`

	probes *probed // of an applied pair, for compareFresh
}

// File is one save of a pair: a file written (or removed) in place
// while the program runs, and the console's outputs after it.
type File struct {
	Path    string   `json:"path"`
	Change  string   `json:"change"` // changed, new or removed
	Console []string `json:"console,omitempty"`
}

// ModuleInfo describes a module of the replay part.
type ModuleInfo struct {
	Name     string `json:"name"`
	Module   string `json:"module"`
	Versions string `json:"versions"`
	Program  string `json:"program"`
}

// Info describes m for the report.
func (m Module) Info() ModuleInfo {
	return ModuleInfo{Name: m.name, Module: m.path, Program: m.doc,
		Versions: fmt.Sprintf("%s to %s (%d)", m.versions[0], m.versions[len(m.versions)-1], len(m.versions))}
}

// judge sets st's outcome, reasons, failures and patched count from the
// console's outputs of its saves.
func (st *Step) judge() {
	var outs []string
	for _, f := range st.Files {
		outs = append(outs, f.Console...)
	}
	v := judge(outs)
	st.Outcome, st.Reasons, st.Failures, st.Patched = v.outcome, v.reasons, v.failures, v.patched
}

// likeText is the fresh-build comparison for the progress log.
func (st *Step) likeText() string {
	switch {
	case st.LikeFresh == nil:
		return ""
	case *st.LikeFresh:
		return "; like a fresh build"
	}
	return "; UNLIKE a fresh build: " + strings.Join(st.Unlike, ", ")
}

// beforeIssue13 is the measurement issue 13 quotes, on two other servers.
const beforeIssue13 = "Before issue 13 (main, measured on two other servers, 88 upstream commits replayed one at a time): " +
	"32 applied live (36%), 51 refused (58%), 5 failed inside livepatch (6%)."

// Tables are the report's sections of the replay part, on modules and
// their steps.
func Tables(modules []ModuleInfo, steps []Step) []benchkit.Table {
	if len(modules) == 0 && len(steps) == 0 {
		return nil
	}
	mods := benchkit.Table{Title: "Replay of published versions (issue 13): modules",
		Header: []string{"module", "source", "versions", "program and probe"},
		Notes: []string{"Downloaded with go mod download; each pair of consecutive versions runs the older under livepatch dap " +
			"and saves the newer's changed Go files into it one by one."}}
	for _, m := range modules {
		mods.Rows = append(mods.Rows, []string{m.Name, m.Module, m.Versions, m.Program})
	}
	return []benchkit.Table{mods, summary(steps), reasons(steps), pairs(steps)}
}

// summary is the share of pairs applied live, per module and in all.
func summary(steps []Step) benchkit.Table {
	t := benchkit.Table{Title: "Replay (issue 13): version pairs applied live",
		Header: []string{"module", "pairs", "skipped", "replayed", "applied live", "refused", "failed", "applied, like a fresh build", "probe saw the change"},
		Notes:  []string{"Shares are of the replayed pairs. " + beforeIssue13}}
	var names []string
	for _, st := range steps {
		if !slices.Contains(names, st.Module) {
			names = append(names, st.Module)
		}
	}
	if len(names) > 1 {
		names = append(names, "all")
	}
	for _, name := range names {
		var n [5]int // skipped, applied, refused, failed, like
		seen, pairs := 0, 0
		for _, st := range steps {
			if name != "all" && st.Module != name {
				continue
			}
			pairs++
			switch st.Outcome {
			case outcomeSkipped:
				n[0]++
			case outcomeApplied:
				n[1]++
			case outcomeRefused:
				n[2]++
			default:
				n[3]++
			}
			if st.LikeFresh != nil && *st.LikeFresh {
				n[4]++
				if st.ProbeSeesChange {
					seen++
				}
			}
		}
		replayed := pairs - n[0]
		t.Rows = append(t.Rows, []string{name, fmt.Sprint(pairs), fmt.Sprint(n[0]), fmt.Sprint(replayed),
			share(n[1], replayed), share(n[2], replayed), share(n[3], replayed), fmt.Sprintf("%d of %d", n[4], n[1]), fmt.Sprint(seen)})
	}
	return t
}

// share formats n of total as "n (p%)".
func share(n, total int) string {
	if total == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d (%.0f%%)", n, 100*float64(n)/float64(total))
}

// reasons counts the refused pairs by reason.
func reasons(steps []Step) benchkit.Table {
	t := benchkit.Table{Title: "Replay (issue 13): refusal reasons", Header: []string{"reason", "pairs"},
		Notes: []string{"A pair can have several reasons. Grouped from the console's refusal lines (integration/bench/replay/replayreasons.go)."}}
	count := map[string]int{}
	var order []string
	for _, st := range steps {
		for _, reason := range st.Reasons {
			if count[reason] == 0 {
				order = append(order, reason)
			}
			count[reason]++
		}
	}
	slices.SortStableFunc(order, func(a, b string) int { return count[b] - count[a] })
	for _, reason := range order {
		t.Rows = append(t.Rows, []string{reason, fmt.Sprint(count[reason])})
	}
	return t
}

// pairs lists every pair and what came of it.
func pairs(steps []Step) benchkit.Table {
	t := benchkit.Table{Title: "Replay (issue 13): each version pair",
		Header: []string{"module", "versions", "saves", "outcome", "patched", "like a fresh build", "why", "s"},
		Notes: []string{"like a fresh build: the probe's answers of the patched program against those of a fresh build of the newer " +
			"version (requests whose answers differ between two probes of the fresh build are left out); " +
			"(same) when the older version answered alike too, so the probe could not tell."}}
	for _, st := range steps {
		like := "-"
		if st.LikeFresh != nil {
			like = benchkit.Verdict(*st.LikeFresh)
			if !st.ProbeSeesChange {
				like += " (same)"
			}
		}
		why := st.Skipped
		if len(st.Reasons) > 0 {
			why = strings.Join(st.Reasons, ", ")
		}
		if len(st.Failures) > 0 {
			why = strings.TrimSpace(why + " " + strings.Join(st.Failures, "; "))
		}
		if len(st.Unlike) > 0 {
			why = strings.TrimSpace(why + " unlike on: " + strings.Join(st.Unlike, ", "))
		}
		t.Rows = append(t.Rows, []string{st.Module, st.From + " → " + st.To, fmt.Sprint(len(st.Files)), st.Outcome,
			fmt.Sprint(st.Patched), like, why, benchkit.F1(st.Seconds)})
	}
	return t
}
