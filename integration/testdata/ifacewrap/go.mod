module example.com/ifacewrapfixture

go 1.22
