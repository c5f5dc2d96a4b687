package main

import (
	"golang.org/x/tools/go/analysis/multichecker"

	"raftlabs/labvet"
)

func main() {
	multichecker.Main(labvet.Analyzers...)
}
