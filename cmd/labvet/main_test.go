package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWithoutTests(t *testing.T) {
	cases := []struct{ args, want []string }{
		{[]string{"labvet", "./lab1-election"}, []string{"labvet", "-test=false", "./lab1-election"}},
		{[]string{"labvet", "-test", "./lab1-election"}, []string{"labvet", "-test", "./lab1-election"}},
		{[]string{"labvet", "-test=true", "."}, []string{"labvet", "-test=true", "."}},
		{[]string{"labvet", "-V=full"}, []string{"labvet", "-V=full"}},
		{[]string{"labvet", "-flags"}, []string{"labvet", "-flags"}},
		{[]string{"labvet", "/tmp/go-build/vet.cfg"}, []string{"labvet", "/tmp/go-build/vet.cfg"}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, withoutTests(c.args), "%q", c.args)
	}
}
