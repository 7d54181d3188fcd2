module example.com/livefilesfixture

go 1.22
