package grading

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindRoot(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	got, err := FindRoot(filepath.Join(root, lab1.Dir))
	require.NoError(t, err)
	assert.Equal(t, root, got)

	_, err = FindRoot(os.TempDir())
	assert.ErrorContains(t, err, "not inside the course")
}
