"""The `fupin` command line: scripting and county batch work. Qt-free."""
