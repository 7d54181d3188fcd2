module example.com/livepatchfixture

go 1.22
