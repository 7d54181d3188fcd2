package terminal

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// command is a command of the prompt.
type command struct {
	names []string // the name, then its aliases
	usage string
	help  string
	run   func(s *session, args string) error // nil for exit and help
}

// commands is the command table; names and aliases are dlv's.
var commands = []command{
	{[]string{"break", "b"}, "break <file:line | line | function | function:line>", "Set a breakpoint. function:line is that many lines below the function's first, in the file as saved.", (*session).cmdBreak},
	{[]string{"breakpoints", "bp"}, "breakpoints", "List the breakpoints.", (*session).cmdBreakpoints},
	{[]string{"condition", "cond"}, "condition <n> <expr> | -hitcount <n> <op> <count> | -clear <n>", "Stop at breakpoint n only when expr is true, or when its hit count compares so.", (*session).cmdCondition},
	{[]string{"clear"}, "clear <n>", "Delete breakpoint n.", (*session).cmdClear},
	{[]string{"clearall"}, "clearall", "Delete all breakpoints.", (*session).cmdClearAll},
	{[]string{"continue", "c"}, "continue", "Run until a breakpoint or the program ends. Ctrl-C pauses.", (*session).cmdContinue},
	{[]string{"next", "n"}, "next", "Step over to the next source line.", (*session).cmdNext},
	{[]string{"step", "s"}, "step", "Step into the next call.", (*session).cmdStep},
	{[]string{"stepout", "so"}, "stepout", "Run until the current function returns.", (*session).cmdStepOut},
	{[]string{"print", "p"}, "print <expr>", "Evaluate an expression in the selected frame.", (*session).cmdPrint},
	{[]string{"locals"}, "locals", "Print the local variables of the selected frame.", (*session).cmdLocals},
	{[]string{"args"}, "args", "Print the arguments of the selected frame.", (*session).cmdArgs},
	{[]string{"stack", "bt"}, "stack [depth]", "Print the stack of the selected goroutine, to frame depth if given.", (*session).cmdStack},
	{[]string{"frame"}, "frame <n>", "Select frame n for print, locals, args and list.", (*session).cmdFrame},
	{[]string{"up"}, "up [n]", "Select the caller's frame.", (*session).cmdUp},
	{[]string{"down"}, "down [n]", "Select the callee's frame.", (*session).cmdDown},
	{[]string{"goroutines", "grs"}, "goroutines", "List the goroutines.", (*session).cmdGoroutines},
	{[]string{"goroutine", "gr"}, "goroutine [id]", "Show the selected goroutine, or select one.", (*session).cmdGoroutine},
	{[]string{"list", "ls", "l"}, "list [location]", "Show source around a location or the selected frame.", (*session).cmdList},
	{[]string{"restart", "r"}, "restart", "Restart the program, keeping the breakpoints.", (*session).cmdRestart},
	{[]string{"exit", "quit", "q"}, "exit", "Stop the program and leave the debugger.", nil},
	{[]string{"help", "h"}, "help [command]", "Show help.", nil}, // cmdHelp reads this table
}

// lookup returns the command named name, or nil.
func lookup(name string) *command {
	for i := range commands {
		for _, n := range commands[i].names {
			if n == name {
				return &commands[i]
			}
		}
	}
	return nil
}

// execute runs one line typed at the prompt. It returns quit true when the
// session is over, with the error Run must return.
func (s *session) execute(line string) (quit bool, err error) {
	s.applyMoved()
	if strings.TrimSpace(line) == "" {
		if s.lastCmd == "" {
			return false, nil
		}
		line = s.lastCmd
	}
	if isGoInput(line) {
		s.lastCmd = ""
		return false, s.cmdEvaluate(strings.TrimSpace(line))
	}
	name, args, _ := strings.Cut(strings.TrimSpace(line), " ")
	args = strings.TrimSpace(args)
	cmd := lookup(name)
	s.lastCmd = line
	switch cmd.names[0] {
	case "exit":
		return true, s.quit()
	case "help":
		return false, s.cmdHelp(args)
	}
	return false, cmd.run(s, args)
}

// looksLikeGo reports whether a line that starts with a command name is Go
// for the prompt instead: `s := f()`, `c.n = 2`, `n++`, `p, q = q, p`, or a
// command that takes no arguments followed by some. Like dlv, a command name
// alone is the command: print a variable named like one with print.
func looksLikeGo(cmd *command, args string) bool {
	if args == "" {
		return false
	}
	if !strings.Contains(cmd.usage, " ") {
		return true
	}
	for _, op := range []string{":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^=", "++", "--", ",", "<-"} {
		if strings.HasPrefix(args, op) {
			return true
		}
	}
	return strings.HasPrefix(args, "=") && !strings.HasPrefix(args, "==")
}

// cmdHelp prints the commands, or the usage of one.
func (s *session) cmdHelp(args string) error {
	if args != "" {
		c := lookup(args)
		if c == nil {
			return fmt.Errorf("unknown command %q", args)
		}
		s.con.printf("%s\n\t%s\n", c.usage, c.help)
		if len(c.names) > 1 {
			s.con.printf("\taliases: %s\n", strings.Join(c.names[1:], ", "))
		}
		return nil
	}
	var b strings.Builder
	b.WriteString("Commands:\n")
	w := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	for _, c := range commands {
		name := c.names[0]
		if len(c.names) > 1 {
			name += " (" + strings.Join(c.names[1:], ", ") + ")"
		}
		fmt.Fprintf(w, "    %s\t%s\n", name, c.help)
	}
	w.Flush()
	b.WriteString("Any other line is evaluated in the selected frame, as Go; so is a line that\n")
	b.WriteString("starts with a command name but goes on as Go (s := f(), c = 2, n++).\n")
	b.WriteString("Go left open at the end of a line (a block, a call, a literal, a trailing\n")
	b.WriteString("operator) goes on at the " + strconv.Quote(ContinuationPrompt) + " prompt; Ctrl-C there drops it.\n")
	b.WriteString("An empty line repeats the last command. Ctrl-C pauses a running program; Ctrl-D quits.\n")
	s.con.printf("%s", b.String())
	return nil
}

// commandNames returns every command name and alias, sorted.
func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.names...)
	}
	sort.Strings(names)
	return names
}
