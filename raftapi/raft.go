package raftapi

// Raft is what the tests call on each server. Make must return quickly: start
// long-running work (the election ticker, the applier) in goroutines.
type Raft interface {
	// Start asks the server to append command to the replicated log
	// (lab 2). If this server is not the leader it returns isLeader false.
	// Otherwise it returns at once, without waiting for agreement, with the
	// index the command will have if it is ever committed and the current
	// term. Start must not block on RPCs or on applyCh.
	Start(command any) (index int, term int, isLeader bool)

	// GetState returns the current term and whether this server believes it
	// is the leader (lab 1).
	GetState() (term int, isLeader bool)

	// Snapshot tells the server that the service has a snapshot of every
	// command up to and including index, so the log through index may be
	// discarded (lab 4).
	Snapshot(index int, snapshot []byte)

	// Kill stops the server: after Kill returns, its goroutines must end
	// soon, it must send nothing more on applyCh, and it must not call
	// persister.Save. The tests call Kill on crash and at the end of every
	// test, and report goroutines still running afterwards as leaks.
	Kill()
}

// ApplyMsg is what a server sends on applyCh for each newly committed log
// entry (CommandValid) or for a snapshot received from the leader
// (SnapshotValid, lab 4). Indexes start at 1.
type ApplyMsg struct {
	CommandValid bool
	Command      any
	CommandIndex int

	SnapshotValid bool
	Snapshot      []byte
	SnapshotTerm  int
	SnapshotIndex int
}
