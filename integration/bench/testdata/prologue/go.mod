module example.com/prologue

go 1.22
