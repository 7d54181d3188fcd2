module example.com/nosum

go 1.22

require github.com/traefik/yaegi v0.16.1
