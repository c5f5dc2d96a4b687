package main

// The rules of Raft that the course's suites check: every rule of Figure 2
// and Figure 13 of the paper, §5.4.2's commitment rule and §7's rules for
// snapshots. Each variant names the rules it breaks ("rule ID" lines), and
// docs/rules.md, written by go run ./cmd/variants -rules, sets each rule
// beside the variants that break it, how often the suites kill them, and
// whether their first verdicts name the rule. A rule no variant breaks
// must say why none can be caught here (notTestable); rules_test.go keeps
// the doc and this table true.

// A rule is one rule of the paper, as the paper words it.
type rule struct {
	id    string // what variants name it by
	group string // the part of the paper it is in: a section of the doc
	text  string // the paper's words, briefly

	// notTestable says why no variant breaks the rule, if none does: what
	// the course's labs or its simulated network cannot provoke.
	notTestable string
}

// The groups, in the doc's order.
const (
	groupState    = "Figure 2: State"
	groupAppend   = "Figure 2: AppendEntries RPC"
	groupVote     = "Figure 2: RequestVote RPC"
	groupServers  = "Figure 2: Rules for Servers"
	groupSnapshot = "Figure 13: InstallSnapshot RPC"
	groupSections = "§5.2, §5.4 and §7"
	groupClients  = "§8: client interaction (lab 5)"
)

var groups = []string{groupState, groupAppend, groupVote, groupServers, groupSnapshot, groupSections, groupClients}

// rules is every rule, in the paper's order.
var rules = []rule{
	{id: "state-persist", group: groupState,
		text: `Persistent state on all servers: "(Updated on stable storage before responding to RPCs)"`},
	{id: "state-currentterm", group: groupState,
		text: `currentTerm: "latest term server has seen (initialized to 0 on first boot, increases monotonically)"`},
	{id: "state-votedfor", group: groupState,
		text: `votedFor: "candidateId that received vote in current term (or null if none)"`},
	{id: "state-log", group: groupState,
		text: `log[]: "log entries; each entry contains command for state machine, and term when entry was received by leader (first index is 1)"`},
	{id: "state-commitindex", group: groupState,
		text: `commitIndex: "index of highest log entry known to be committed (initialized to 0, increases monotonically)"`},
	{id: "state-lastapplied", group: groupState,
		text: `lastApplied: "index of highest log entry applied to state machine (initialized to 0, increases monotonically)"`},
	{id: "state-nextindex", group: groupState,
		text: `nextIndex[]: "for each server, index of the next log entry to send to that server (initialized to leader last log index + 1)"`},
	{id: "state-matchindex", group: groupState,
		text: `matchIndex[]: "for each server, index of highest log entry known to be replicated on server (initialized to 0, increases monotonically)"`},

	{id: "append-args", group: groupAppend,
		text: `Arguments: term, leaderId, prevLogIndex ("index of log entry immediately preceding new ones"), prevLogTerm, entries[], leaderCommit ("leader's commitIndex")`},
	{id: "append-results", group: groupAppend,
		text: `Results: term ("currentTerm, for leader to update itself"), success ("true if follower contained entry matching prevLogIndex and prevLogTerm")`},
	{id: "append-1", group: groupAppend, text: `Receiver 1: "Reply false if term < currentTerm (§5.1)"`},
	{id: "append-2", group: groupAppend,
		text: `Receiver 2: "Reply false if log doesn't contain an entry at prevLogIndex whose term matches prevLogTerm (§5.3)"`},
	{id: "append-3", group: groupAppend,
		text: `Receiver 3: "If an existing entry conflicts with a new one (same index but different terms), delete the existing entry and all that follow it (§5.3)"`},
	{id: "append-4", group: groupAppend, text: `Receiver 4: "Append any new entries not already in the log"`},
	{id: "append-5", group: groupAppend,
		text: `Receiver 5: "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry)"`},

	{id: "vote-args", group: groupVote,
		text: `Arguments: term, candidateId, lastLogIndex ("index of candidate's last log entry"), lastLogTerm ("term of candidate's last log entry")`},
	{id: "vote-results", group: groupVote,
		text: `Results: term ("currentTerm, for candidate to update itself"), voteGranted ("true means candidate received vote")`},
	{id: "vote-1", group: groupVote, text: `Receiver 1: "Reply false if term < currentTerm (§5.1)"`},
	{id: "vote-2", group: groupVote,
		text: `Receiver 2: "If votedFor is null or candidateId, and candidate's log is at least as up-to-date as receiver's log, grant vote (§5.2, §5.4)"`},

	{id: "all-apply", group: groupServers,
		text: `All Servers: "If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to state machine (§5.3)"`},
	{id: "all-term", group: groupServers,
		text: `All Servers: "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower (§5.1)"`},
	{id: "followers-respond", group: groupServers, text: `Followers: "Respond to RPCs from candidates and leaders"`,
		notTestable: "a server that does not answer fails every test, and no one-line change to the reference stops only its answers"},
	{id: "followers-timeout", group: groupServers,
		text: `Followers: "If election timeout elapses without receiving AppendEntries RPC from current leader or granting vote to candidate: convert to candidate"`},
	{id: "candidates-start", group: groupServers,
		text: `Candidates: "On conversion to candidate, start election: increment currentTerm, vote for self, reset election timer, send RequestVote RPCs to all other servers"`},
	{id: "candidates-majority", group: groupServers, text: `Candidates: "If votes received from majority of servers: become leader"`},
	{id: "candidates-append", group: groupServers,
		text: `Candidates: "If AppendEntries RPC received from new leader: convert to follower"`},
	{id: "candidates-timeout", group: groupServers, text: `Candidates: "If election timeout elapses: start new election"`},
	{id: "leaders-heartbeat", group: groupServers,
		text: `Leaders: "Upon election: send initial empty AppendEntries RPCs (heartbeat) to each server; repeat during idle periods to prevent election timeouts (§5.2)"`},
	{id: "leaders-command", group: groupServers,
		text: `Leaders: "If command received from client: append entry to local log, respond after entry applied to state machine (§5.3)"`},
	{id: "leaders-send", group: groupServers,
		text: `Leaders: "If last log index ≥ nextIndex for a follower: send AppendEntries RPC with log entries starting at nextIndex"`},
	{id: "leaders-success", group: groupServers, text: `Leaders: "If successful: update nextIndex and matchIndex for follower (§5.3)"`},
	{id: "leaders-retry", group: groupServers,
		text: `Leaders: "If AppendEntries fails because of log inconsistency: decrement nextIndex and retry (§5.3)"`},
	{id: "leaders-commit", group: groupServers,
		text: `Leaders: "If there exists an N such that N > commitIndex, a majority of matchIndex[i] ≥ N, and log[N].term == currentTerm: set commitIndex = N (§5.3, §5.4)"`},

	{id: "install-args", group: groupSnapshot,
		text: `Arguments: term, leaderId, lastIncludedIndex ("the snapshot replaces all entries up through and including this index"), lastIncludedTerm, offset, data[], done`},
	{id: "install-results", group: groupSnapshot, text: `Results: term ("currentTerm, for leader to update itself")`,
		notTestable: "a leader that ignores this term learns it a moment later from the same server's RequestVote or " +
			"another's AppendEntries reply, and steps down then: the variant that breaks it is equivalent"},
	{id: "install-1", group: groupSnapshot, text: `Receiver 1: "Reply immediately if term < currentTerm"`},
	{id: "install-2-4", group: groupSnapshot,
		text:        `Receiver 2–4: "Create new snapshot file if first chunk (offset is 0)"; "Write data into snapshot file at given offset"; "Reply and wait for more data chunks if done is false"`,
		notTestable: "the labs send a snapshot in one RPC (offset 0, done true), as MIT's do: there are no chunks to get wrong"},
	{id: "install-5", group: groupSnapshot,
		text: `Receiver 5: "Save snapshot file, discard any existing or partial snapshot with a smaller index"`},
	{id: "install-6", group: groupSnapshot,
		text: `Receiver 6: "If existing log entry has same index and term as snapshot's last included entry, retain log entries following it and reply"`},
	{id: "install-7", group: groupSnapshot, text: `Receiver 7: "Discard the entire log"`},
	{id: "install-8", group: groupSnapshot,
		text: `Receiver 8: "Reset state machine using snapshot contents (and load snapshot's cluster configuration)"`},

	{id: "election-random", group: groupSections,
		text: `§5.2: "Raft uses randomized election timeouts to ensure that split votes are rare and that they are resolved quickly"`},
	{id: "commit-current-term", group: groupSections,
		text: `§5.4.2: "Raft never commits log entries from previous terms by counting replicas. Only log entries from the leader's current term are committed by counting replicas"`},
	{id: "snapshot-compact", group: groupSections,
		text: `§7: "Once a server completes writing a snapshot, it may delete all log entries up through the last included index, as well as any prior snapshot"`},
	{id: "snapshot-metadata", group: groupSections,
		text: `§7: the snapshot holds "the last included index" and "the last included term", kept with it on stable storage; a server restarts from it`},
	{id: "snapshot-send", group: groupSections,
		text: `§7: "the leader must occasionally send snapshots to followers that lag behind", with InstallSnapshot`},

	{id: "client-serial", group: groupClients,
		text: `§8: "clients assign unique serial numbers to every command. Then, the state machine tracks the latest serial number processed for each client [...] If it receives a command whose serial number has already been executed, it responds immediately without re-executing the request"`},
	{id: "client-read", group: groupClients,
		text: `§8: "a leader must check whether it has been deposed before processing a read-only request (its information may be stale if a more recent leader has been elected)"`},
	{id: "client-snapshot-state", group: groupClients,
		text: `§7, for a service: "the state machine writing its current state to the snapshot" (the store and the table of serial numbers), and a server restarts from it`},
}
