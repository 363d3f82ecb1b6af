module cells-auth/clients/go

go 1.22
