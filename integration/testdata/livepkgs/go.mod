module example.com/livepkgsfixture

go 1.22
