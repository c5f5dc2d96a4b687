package kv

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
	"raftlabs/solutions"
)

// commitWait is how long a handler waits for its command to come back on
// applyCh before it tells the clerk to try another server: a leader cut
// off from the majority never commits it.
const commitWait = 500 * time.Millisecond

// KVServer is one server of the service: a key/value store kept as the
// state machine of a Raft log.
type KVServer struct {
	mu           sync.Mutex
	me           int
	rf           *solutions.Raft
	applyCh      chan raftapi.ApplyMsg
	persister    *raftapi.Persister
	maxraftstate int // snapshot when the saved Raft state reaches this size; -1: never
	dead         atomic.Bool
	done         chan struct{} // closed by Kill, to end the applier

	// The state machine, and what it takes to rebuild it: everything below
	// is in the snapshot.
	data        map[string]string
	lastSeq     map[int64]int64 // the latest request number applied for each clerk (§8's duplicate detection)
	lastApplied int             // the log index the state above is at

	// waiting holds, for each log index a handler is waiting on, where to
	// tell it what was applied there.
	waiting map[int]chan applied
}

// applied is what the applier tells a waiting handler: the request that
// was committed at the index, and the result.
type applied struct {
	clientID, seq int64
	reply         Reply
}

// StartKVServer starts a server of the service. servers are the ends to
// every server's Raft; persister is this server's disk, which it restores
// from; maxraftstate is the size of saved Raft state at which to snapshot,
// or -1 for never. It returns at once.
func StartKVServer(servers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, maxraftstate int) *KVServer {
	labgob.Register(Request{})
	kv := &KVServer{
		me:           me,
		applyCh:      make(chan raftapi.ApplyMsg),
		persister:    persister,
		maxraftstate: maxraftstate,
		data:         map[string]string{},
		lastSeq:      map[int64]int64{},
		waiting:      map[int]chan applied{},
		done:         make(chan struct{}),
	}
	// The state machine comes back from the snapshot before Raft starts,
	// which applies only the entries after it (§7).
	kv.restore(persister.ReadSnapshot())
	kv.rf = solutions.Make(servers, me, persister, kv.applyCh)
	go kv.applier()
	return kv
}

// Raft returns the server's Raft, for the tests.
func (kv *KVServer) Raft() raftapi.Raft { return kv.rf }

// Kill stops the server and its Raft.
func (kv *KVServer) Kill() {
	if kv.dead.Swap(true) {
		return
	}
	close(kv.done)
	kv.rf.Kill()
}

// Do is the one RPC: a Get, Put or Append. The request goes into the log;
// the answer waits until it is applied, so that a server that is no longer
// leader, whose entry never commits, answers nothing but ErrWrongLeader.
func (kv *KVServer) Do(req *Request, reply *Reply) {
	index, _, isLeader := kv.rf.Start(*req)
	if !isLeader {
		reply.Err = ErrWrongLeader
		return
	}
	ch := make(chan applied, 1)
	kv.mu.Lock()
	kv.waiting[index] = ch
	kv.mu.Unlock()
	defer func() {
		kv.mu.Lock()
		delete(kv.waiting, index)
		kv.mu.Unlock()
	}()

	select {
	case a := <-ch:
		// Another leader's entry may have taken the index: then this
		// request was not committed there, and the clerk must retry.
		if a.clientID != req.ClientID || a.seq != req.Seq {
			reply.Err = ErrWrongLeader
			return
		}
		*reply = a.reply
	case <-time.After(commitWait):
		reply.Err = ErrWrongLeader
	}
}

// applier reads applyCh until Kill: committed requests, which it applies
// in log order, and snapshots from the leader, which replace the state
// machine.
func (kv *KVServer) applier() {
	for {
		var m raftapi.ApplyMsg
		select {
		case m = <-kv.applyCh:
		case <-kv.done:
			return
		}
		switch {
		case m.SnapshotValid:
			kv.mu.Lock()
			if m.SnapshotIndex > kv.lastApplied {
				kv.restore(m.Snapshot)
			}
			kv.mu.Unlock()
		case m.CommandValid:
			kv.apply(m.CommandIndex, m.Command)
		}
	}
}

// apply applies the command at index, tells a handler waiting on the
// index, and snapshots if the log has grown past the limit.
func (kv *KVServer) apply(index int, command any) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if index <= kv.lastApplied {
		return // already in the state machine, from a snapshot
	}
	kv.lastApplied = index
	req, ok := command.(Request)
	if !ok {
		return
	}
	var reply Reply
	switch {
	case req.Kind == GetOp:
		reply = kv.get(req.Key)
	case req.Seq <= kv.lastSeq[req.ClientID]:
		// A retry of a write already applied: apply it once only (§8:
		// "if it receives a command whose serial number has already been
		// executed, it responds immediately without re-executing").
		reply.Err = OK
	default:
		if req.Kind == PutOp {
			kv.data[req.Key] = req.Value
		} else {
			kv.data[req.Key] += req.Value
		}
		kv.lastSeq[req.ClientID] = req.Seq
		reply.Err = OK
	}
	if ch, ok := kv.waiting[index]; ok {
		// The channel has room for its one answer, so this send never
		// blocks; the select with a default says so in the code (and to
		// labvet, which reports a send that could wait with kv.mu held).
		select {
		case ch <- applied{clientID: req.ClientID, seq: req.Seq, reply: reply}:
		default:
		}
		delete(kv.waiting, index)
	}
	if kv.maxraftstate >= 0 && kv.persister.RaftStateSize() >= kv.maxraftstate {
		// The log has grown past the limit: the state machine through
		// index replaces it (§7). The duplicate table goes in too, or a
		// server restored from the snapshot would apply a retried write
		// again.
		kv.rf.Snapshot(index, kv.encode())
	}
}

// get reads key.
func (kv *KVServer) get(key string) Reply {
	value, ok := kv.data[key]
	if !ok {
		return Reply{Err: ErrNoKey}
	}
	return Reply{Err: OK, Value: value}
}

// snapshot is what the service saves: the store and the duplicate table.
type snapshot struct {
	Index   int // the last log index applied
	Data    map[string]string
	LastSeq map[int64]int64
}

// encode returns the state machine's snapshot.
func (kv *KVServer) encode() []byte {
	var b bytes.Buffer
	if err := labgob.NewEncoder(&b).Encode(snapshot{Index: kv.lastApplied, Data: kv.data, LastSeq: kv.lastSeq}); err != nil {
		panic(err) // maps of strings and numbers always encode
	}
	return b.Bytes()
}

// restore replaces the state machine with a snapshot's, if there is one.
func (kv *KVServer) restore(data []byte) {
	if len(data) == 0 {
		return
	}
	var s snapshot
	if err := labgob.NewDecoder(bytes.NewReader(data)).Decode(&s); err != nil {
		panic("kv: a snapshot does not decode: " + err.Error())
	}
	kv.data, kv.lastSeq, kv.lastApplied = s.Data, s.LastSeq, s.Index
}
