package raft

import (
	"fmt"
	"os"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// Make reads variables an instructor's shell may hold and panics with
// them, hoping the panic's message carries them into the grader's output
// and results.json, which the student sees. os.Getenv is allowed (MIT's
// debug logger reads VERBOSE), so only the environment the grader gives
// its test processes can keep them out.
func Make(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	for _, name := range []string{"SOME_SECRET", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS"} {
		if v, ok := os.LookupEnv(name); ok {
			panic(fmt.Sprintf("%s=%s", name, v))
		}
	}
	panic("no secret in the environment")
}
