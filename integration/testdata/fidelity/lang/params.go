package lang

import "strings"

// token is a type that parameters below are named like.
type token string

// JoinTokens has a parameter named like the type of the parameter after it
// (x/mod's parseLineBlock does this): in Go a signature's types are
// resolved outside its parameters' scope.
func JoinTokens(token []string, sep token) token {
	return tokenOf(strings.Join(token, string(sep)))
}

// SplitToken does the same in a function literal, and with a named result.
func SplitToken(s string) (n int) {
	split := func(token string, sep token) (parts []string) {
		return strings.Split(token, string(sep))
	}
	n = len(split(s, ","))
	return
}

func tokenOf(s string) token { return token(s) }
