module example.com/nativecall

go 1.22
