package solutions

import (
	"bytes"
	"fmt"

	"raftlabs/labgob"
)

// Lab 3: persistence. Figure 2's "Persistent state on all servers":
// currentTerm, votedFor and log[], "updated on stable storage before
// responding to RPCs".

// persist saves currentTerm, votedFor and log. Call it with mu held, after
// every change to them and before the change is made visible to another
// server (an RPC reply or request). Nothing is saved once Kill has been
// called: a killed server's late write must not reach its next incarnation.
func (rf *Raft) persist() {
	if rf.killed() {
		return
	}
	w := new(bytes.Buffer)
	e := labgob.NewEncoder(w)
	if err := e.Encode(rf.currentTerm); err != nil {
		panic(fmt.Sprintf("persist: encoding currentTerm: %v", err))
	}
	if err := e.Encode(rf.votedFor); err != nil {
		panic(fmt.Sprintf("persist: encoding votedFor: %v", err))
	}
	if err := e.Encode(rf.log); err != nil {
		panic(fmt.Sprintf("persist: encoding log: %v", err))
	}
	// Lab 4: the snapshot's last included index; its term is the dummy
	// log[0]'s. Save replaces the state and the snapshot together, so the
	// two always describe the same log.
	if err := e.Encode(rf.snapshotIndex); err != nil {
		panic(fmt.Sprintf("persist: encoding snapshotIndex: %v", err))
	}
	rf.persister.Save(w.Bytes(), rf.snapshot)
}

// readPersist restores what persist saved. data is nil on a first boot,
// and then the server starts from term 0 with an empty log.
func (rf *Raft) readPersist(data []byte) {
	if len(data) == 0 {
		return
	}
	d := labgob.NewDecoder(bytes.NewBuffer(data))
	var currentTerm, votedFor int
	var log []LogEntry
	if err := d.Decode(&currentTerm); err != nil {
		panic(fmt.Sprintf("readPersist: decoding currentTerm: %v", err))
	}
	if err := d.Decode(&votedFor); err != nil {
		panic(fmt.Sprintf("readPersist: decoding votedFor: %v", err))
	}
	if err := d.Decode(&log); err != nil {
		panic(fmt.Sprintf("readPersist: decoding log: %v", err))
	}
	var snapshotIndex int
	if err := d.Decode(&snapshotIndex); err != nil {
		panic(fmt.Sprintf("readPersist: decoding snapshotIndex: %v", err))
	}
	rf.currentTerm = currentTerm
	rf.votedFor = votedFor
	rf.log = log
	rf.snapshotIndex = snapshotIndex
}
