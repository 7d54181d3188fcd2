module example.com/livetypesfixture

go 1.22
