package broken

import (
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// OnceAfterKill pings its next peer in a loop that checks for Kill only
// before each call; when a call returns after Kill it sends one more ping,
// as a reply handler that acts on a late reply does, and stops. Not a leak.
type OnceAfterKill struct{ base }

func MakeOnceAfterKill(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *OnceAfterKill {
	rf := &OnceAfterKill{base{peers: peers, me: me}}
	go func() {
		next := rf.peers[(rf.me+1)%len(rf.peers)]
		for !rf.dead.Load() {
			next.Call("OnceAfterKill.Ping", &PingArgs{From: rf.me}, &PingReply{})
		}
		next.Call("OnceAfterKill.Ping", &PingArgs{From: rf.me}, &PingReply{})
	}()
	return rf
}

func (rf *OnceAfterKill) Ping(args *PingArgs, reply *PingReply) { reply.OK = true }

// KeepsSending pings its next peer for ever, Kill or not: a leak.
type KeepsSending struct{ base }

func MakeKeepsSending(peers []*labrpc.ClientEnd, me int, _ *raftapi.Persister, _ chan raftapi.ApplyMsg) *KeepsSending {
	rf := &KeepsSending{base{peers: peers, me: me}}
	go func() {
		next := rf.peers[(rf.me+1)%len(rf.peers)]
		for {
			next.Call("KeepsSending.Ping", &PingArgs{From: rf.me}, &PingReply{})
		}
	}()
	return rf
}

func (rf *KeepsSending) Ping(args *PingArgs, reply *PingReply) { reply.OK = true }
