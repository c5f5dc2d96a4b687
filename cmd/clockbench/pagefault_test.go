//go:build unix

package main

import (
	"syscall"
	"testing"
)

// BenchmarkPageFault measures what a process pays the first time it
// touches a page of memory: the kernel (and, in a virtual machine, the
// hypervisor) maps a page at that moment. Each test's process touches
// every page of its heap for the first time, so this cost is part of
// every test's time on the virtual clock; on the course's 2-core virtual
// machine it was about 12 µs a page, a quarter of lab 5's time there
// (docs/lab5-kvraft.md, "What a test's process costs").
//
//	go test -run '^$' -bench PageFault ./cmd/clockbench
func BenchmarkPageFault(b *testing.B) {
	page := syscall.Getpagesize()
	const size = 16 << 20
	var pages int
	for b.Loop() {
		b.StopTimer()
		mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for i := 0; i < size; i += page {
			mem[i] = 1
		}
		pages += size / page
		b.StopTimer()
		if err := syscall.Munmap(mem); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pages), "ns/page")
	b.ReportMetric(0, "ns/op") // a loop is 4096 pages: the time per page is what counts
}
