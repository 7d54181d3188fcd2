module example.com/livenotesfixture

go 1.22
