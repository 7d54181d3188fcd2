module example.com/genericfixture

go 1.22
