package broken

import (
	"bytes"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
	"raftlabs/solutions"
)

// Flaws are the mistakes the service makes.
type Flaws struct {
	StaleGet       bool // a server that believes it leads answers Get from its own state
	NoDuplicates   bool // a retried write is applied again
	PollApplied    bool // a handler polls every 100ms for its entry, instead of being told
	NeverSnapshot  bool // the server ignores maxraftstate
	IgnoreSnapshot bool // a restarted server does not restore its snapshot
	SharedMap      bool // every server answers from one map shared by all, without Raft
	KillKeepsRaft  bool // Kill stops the server but not its Raft
}

// shared is the map of the SharedMap flaw: package-level, so every server
// of the process sees the same.
var shared = struct {
	sync.Mutex
	data map[string]string
}{data: map[string]string{}}

// Args is a request; Reply its answer.
type Args struct {
	Kind       int // 0 Get, 1 Put, 2 Append
	Key, Value string
	Client     int64
	Seq        int64
}

type Reply struct {
	WrongLeader bool
	Value       string
}

// Clerk is the service's clerk, without flaws.
type Clerk struct {
	servers []*labrpc.ClientEnd
	id, seq int64
	leader  int
}

// MakeClerk makes a clerk.
func MakeClerk(servers []*labrpc.ClientEnd) *Clerk {
	return &Clerk{servers: servers, id: rand.Int64()}
}

func (ck *Clerk) Get(key string) string    { return ck.do(Args{Kind: 0, Key: key}) }
func (ck *Clerk) Put(key, value string)    { ck.do(Args{Kind: 1, Key: key, Value: value}) }
func (ck *Clerk) Append(key, value string) { ck.do(Args{Kind: 2, Key: key, Value: value}) }

func (ck *Clerk) do(args Args) string {
	ck.seq++
	args.Client, args.Seq = ck.id, ck.seq
	for {
		for range ck.servers {
			var reply Reply
			if ck.servers[ck.leader].Call("Server.Do", &args, &reply) && !reply.WrongLeader {
				return reply.Value
			}
			ck.leader = (ck.leader + 1) % len(ck.servers)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Server is a server of the service.
type Server struct {
	flaws     Flaws
	mu        sync.Mutex
	rf        *solutions.Raft
	applyCh   chan raftapi.ApplyMsg
	persister *raftapi.Persister
	max       int
	dead      atomic.Bool
	done      chan struct{}
	data      map[string]string
	seqs      map[int64]int64
	applied   int
	results   map[int]result // what was applied at each index, for the handlers
}

// StartKVServer returns the service's StartKVServer with flaws.
func StartKVServer(flaws Flaws) func([]*labrpc.ClientEnd, int, *raftapi.Persister, int) *Server {
	return func(servers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, maxraftstate int) *Server {
		labgob.Register(Args{})
		s := &Server{flaws: flaws, applyCh: make(chan raftapi.ApplyMsg), persister: persister, max: maxraftstate,
			done: make(chan struct{}), data: map[string]string{}, seqs: map[int64]int64{}, results: map[int]result{}}
		if !flaws.IgnoreSnapshot {
			s.restore(persister.ReadSnapshot())
		}
		s.rf = solutions.Make(servers, me, persister, s.applyCh)
		go s.applier()
		return s
	}
}

func (s *Server) Raft() raftapi.Raft { return s.rf }

func (s *Server) Kill() {
	if !s.dead.Swap(true) {
		close(s.done)
		if !s.flaws.KillKeepsRaft {
			s.rf.Kill()
		}
	}
}

// Do serves a request through the log (or, with StaleGet, a Get from the
// server's own state).
func (s *Server) Do(args *Args, reply *Reply) {
	if s.flaws.SharedMap {
		shared.Lock()
		defer shared.Unlock()
		switch args.Kind {
		case 0:
			reply.Value = shared.data[args.Key]
		case 1:
			shared.data[args.Key] = args.Value
		default:
			shared.data[args.Key] += args.Value
		}
		return
	}
	if s.flaws.StaleGet && args.Kind == 0 {
		if _, isLeader := s.rf.GetState(); isLeader {
			s.mu.Lock()
			reply.Value = s.data[args.Key]
			s.mu.Unlock()
			return
		}
	}
	index, _, isLeader := s.rf.Start(*args)
	if !isLeader {
		reply.WrongLeader = true
		return
	}
	wait := time.Millisecond
	if s.flaws.PollApplied {
		wait = 100 * time.Millisecond
	}
	for deadline := time.Now().Add(500 * time.Millisecond); time.Now().Before(deadline); {
		time.Sleep(wait)
		s.mu.Lock()
		got, ok := s.results[index]
		s.mu.Unlock()
		if ok {
			reply.WrongLeader = got.args.Client != args.Client || got.args.Seq != args.Seq
			reply.Value = got.value
			return
		}
	}
	reply.WrongLeader = true
}

func (s *Server) applier() {
	for {
		var m raftapi.ApplyMsg
		select {
		case m = <-s.applyCh:
		case <-s.done:
			return
		}
		s.mu.Lock()
		switch {
		case m.SnapshotValid && m.SnapshotIndex > s.applied:
			s.restore(m.Snapshot)
		case m.CommandValid && m.CommandIndex > s.applied:
			s.applied = m.CommandIndex
			args := m.Command.(Args)
			if args.Kind != 0 && (s.flaws.NoDuplicates || args.Seq > s.seqs[args.Client]) {
				if args.Kind == 1 {
					s.data[args.Key] = args.Value
				} else {
					s.data[args.Key] += args.Value
				}
				s.seqs[args.Client] = args.Seq
			}
			s.results[m.CommandIndex] = result{args, s.data[args.Key]}
			if !s.flaws.NeverSnapshot && s.max >= 0 && s.persister.RaftStateSize() >= s.max {
				var b bytes.Buffer
				labgob.NewEncoder(&b).Encode(snapshot{s.applied, s.data, s.seqs})
				s.rf.Snapshot(m.CommandIndex, b.Bytes())
			}
		}
		s.mu.Unlock()
	}
}

// result is what was applied at an index: the request, and the key's
// value after it.
type result struct {
	args  Args
	value string
}

type snapshot struct {
	Applied int
	Data    map[string]string
	Seqs    map[int64]int64
}

func (s *Server) restore(data []byte) {
	var snap snapshot
	if len(data) == 0 || labgob.NewDecoder(bytes.NewReader(data)).Decode(&snap) != nil {
		return
	}
	s.applied, s.data, s.seqs = snap.Applied, snap.Data, snap.Seqs
}
