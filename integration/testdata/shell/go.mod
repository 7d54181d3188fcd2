module example.com/shellfixture

go 1.22
