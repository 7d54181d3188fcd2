module example.com/livefieldsfixture

go 1.22
