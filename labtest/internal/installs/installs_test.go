package installs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The InstallSnapshots a server answered explain a skipped index or a moved
// command only when one lies where the explanation needs it.
func TestInstallsExplain(t *testing.T) {
	r := New()
	assert.Empty(t, r.Skipped(1, 1, 21, 0), "no InstallSnapshot answered")
	assert.Empty(t, r.Moved(1, 21, []int{7}))

	r.answered[1] = []installAnswered{{from: "s0", term: 2, through: 20, at: 1320 * time.Millisecond}}
	assert.Equal(t, "how it happened: s1 answered an InstallSnapshot through index 20 from s0 (term 2) at 1.32s, "+
		"but sent its service no snapshot through index 20 on applyCh: a server that takes a snapshot hands it to "+
		"its service (Figure 13, InstallSnapshot receiver rule 8: \"Reset state machine using snapshot contents\")",
		r.Skipped(1, 1, 21, 0))
	assert.Empty(t, r.Skipped(1, 1, 21, 20), "the snapshot was handed to the service")
	assert.Empty(t, r.Skipped(1, 1, 20, 0), "a snapshot through the applied index is not what was skipped")
	assert.Empty(t, r.Skipped(2, 1, 21, 0), "another server's InstallSnapshot")

	assert.Equal(t, "how it happened: s1 was sent that command at index 1 or 7, and answered an InstallSnapshot "+
		"through index 20 from s0 (term 2) at 1.32s: the entries it kept past the snapshot moved to other indexes. "+
		"Unless an entry of its log has the snapshot's last included index and term, a server discards its log "+
		"(Figure 13, InstallSnapshot receiver rule 7: \"Discard the entire log\")", r.Moved(1, 21, []int{1, 7}))
	assert.Empty(t, r.Moved(1, 21, nil), "a command never sent anywhere")
	assert.Empty(t, r.Moved(1, 15, []int{7}), "applied inside the snapshot's range")
}
