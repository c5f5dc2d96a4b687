//go:build !unix

package main

import "time"

// childrenCPU is unknown here: the CPU column shows 0.
func childrenCPU() time.Duration { return 0 }
