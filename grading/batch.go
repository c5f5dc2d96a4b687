package grading

import (
	"context"
	"sync"

	"raftlabs/labtest"
)

// BatchOptions are how RunTests runs a set of tests.
type BatchOptions struct {
	RunOptions              // how each run is run
	Runs       int          // runs of each test; 0 means 1
	Jobs       int          // test processes at a time; 0 means 1
	Done       func(Result) // if set, called after each run, one call at a time
}

// RunTests runs each of tests opts.Runs times from the test binary bin, in
// labDir, opts.Jobs processes at a time. results[i] holds tests[i]'s runs,
// in order; once opts.Context is done, no run starts, and those left are
// zero Results. Every test gets its first run before any gets its second, so
// that a slow batch shows each test's state early.
func RunTests(bin, labDir string, tests []labtest.Test, opts BatchOptions) (results [][]Result) {
	runs, jobs := max(opts.Runs, 1), max(opts.Jobs, 1)
	results = make([][]Result, len(tests))
	for i := range results {
		results[i] = make([]Result, runs)
	}
	type job struct{ test, run int }
	queue := make(chan job)
	var mu sync.Mutex // guards results and calls of opts.Done
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for j := range queue {
				res := RunTest(bin, labDir, tests[j.test], opts.RunOptions)
				mu.Lock()
				results[j.test][j.run] = res
				if opts.Done != nil {
					opts.Done(res)
				}
				mu.Unlock()
			}
		})
	}
	done := context.Background().Done() // never, unless the caller's context ends
	if opts.Context != nil {
		done = opts.Context.Done()
	}
queueing:
	for r := range runs {
		for i := range tests {
			select {
			case queue <- job{test: i, run: r}:
			case <-done:
				break queueing // the runs not started are left zero
			}
		}
	}
	close(queue)
	wg.Wait()
	return results
}
